#pragma once
// The term counts a story doc is built from (title, body, entity and bigram fields).

#include <array>
#include <cstdint>
#include <span>

#include "cluster/stories.hpp"
#include "text/tokenize.hpp"
#include "tfidf/tfidf.hpp"

namespace samestory::cluster {

/// Term counts of the four story fields of one article, leaving out its boilerplate lines
/// (boilerplate[l] != 0 for line l): title words, body words (title included), bigrams of
/// consecutive content words within a line, and entities of non-boilerplate lines.
std::array<tfidf::TermCounts, kStoryFields> story_terms(const text::AnalyzedText& t,
                                                        std::span<const std::uint8_t> boilerplate);
/// The same into `out` (its vectors' capacity reused).
void story_terms(const text::AnalyzedText& t, std::span<const std::uint8_t> boilerplate,
                 std::array<tfidf::TermCounts, kStoryFields>& out);

/// Term counts of the story extras of one article (StoryExtra; the batch story stage reads them,
/// the feed index does not), boilerplate lines left out as in story_terms: its numbers (entity
/// terms of kind kEntityNumber or kEntityFigure), the names of its lead (kEntityName terms of the
/// title and of the first lead_lines body lines that are not boilerplate) and its figures
/// (kEntityFigure terms). Throws std::invalid_argument when t has not one kind per entity term.
std::array<tfidf::TermCounts, kStoryExtras> story_extra_terms(const text::AnalyzedText& t,
                                                              std::span<const std::uint8_t> boilerplate,
                                                              std::uint32_t lead_lines = 2);
/// The same into `out` (its vectors' capacity reused).
void story_extra_terms(const text::AnalyzedText& t, std::span<const std::uint8_t> boilerplate,
                       std::array<tfidf::TermCounts, kStoryExtras>& out, std::uint32_t lead_lines = 2);

}  // namespace samestory::cluster
