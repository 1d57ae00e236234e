#include "cluster/story_terms.hpp"

#include <xxhash.h>

#include <utility>
#include <vector>

#include "text/kept.hpp"

namespace samestory::cluster {
namespace {
constexpr std::uint64_t kBigramSeed = 0x62696772616d7321ULL;
}  // namespace

std::array<tfidf::TermCounts, kStoryFields> story_terms(const text::AnalyzedText& t,
                                                        std::span<const std::uint8_t> boilerplate) {
  std::array<tfidf::TermCounts, kStoryFields> out;
  std::vector<std::uint64_t> tokens, terms, bigrams;
  std::vector<std::pair<std::uint32_t, std::uint32_t>> spans;
  text::kept_tokens(t, boilerplate, tokens, &spans);
  // Title.
  for (auto h : t.title_tokens)
    if (!text::is_stopword(h)) terms.push_back(h);
  tfidf::count_terms(terms, out[kTitle]);
  // Body (title prepended) and bigrams of consecutive content words within a line.
  terms.clear();
  auto add_line = [&](std::span<const std::uint64_t> line) {
    std::uint64_t prev = 0;
    for (auto h : line) {
      if (text::is_stopword(h)) continue;
      terms.push_back(h);
      if (prev) {
        const std::uint64_t pair[2] = {prev, h};
        bigrams.push_back(XXH3_64bits_withSeed(pair, sizeof pair, kBigramSeed));
      }
      prev = h;
    }
  };
  add_line(t.title_tokens);
  for (const auto& [b, e] : spans) add_line(std::span<const std::uint64_t>(tokens.data() + b, e - b));
  tfidf::count_terms(terms, out[kBody]);
  tfidf::count_terms(bigrams, out[kBigram]);
  // Entities, leaving out those of boilerplate lines (a footer's "Related Articles" or outlet
  // name would otherwise tie unrelated articles into one story).
  terms.clear();
  std::size_t from = 0;
  for (std::size_t i = 0; i < t.lines.size(); ++i) {
    const auto& l = t.lines[i];
    if (!boilerplate[i]) continue;
    terms.insert(terms.end(), t.entities.begin() + static_cast<std::ptrdiff_t>(from),
                 t.entities.begin() + l.entity_begin);
    from = l.entity_end;
  }
  terms.insert(terms.end(), t.entities.begin() + static_cast<std::ptrdiff_t>(from), t.entities.end());
  tfidf::count_terms(terms, out[kEntity]);
  return out;
}

}  // namespace samestory::cluster
