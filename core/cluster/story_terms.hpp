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

}  // namespace samestory::cluster
