#include "cluster/story_terms.hpp"

#define XXH_INLINE_ALL  // one short XXH3 call per bigram: inlined
#include <xxhash.h>

#include <algorithm>
#include <stdexcept>
#include <utility>
#include <vector>

namespace samestory::cluster {
namespace {
constexpr std::uint64_t kBigramSeed = 0x62696772616d7321ULL;

/// Sorts term hashes ascending: a least-significant-digit radix sort on their top 16 bits (24
/// above 2^14 hashes), then one insertion pass, which only moves hashes whose top bits tie
/// with a larger one (hashes spread evenly, so few do). Sorting was half of story_terms with
/// tfidf::count_terms' bucket + insertion sort.
void sort_hashes(std::vector<std::uint64_t>& v) {
  const std::size_t n = v.size();
  std::uint64_t* a = v.data();
  if (n >= 64) {
    const unsigned passes = n <= (std::size_t{1} << 14) ? 2 : 3;
    std::uint32_t count[3][256] = {};
    for (std::size_t i = 0; i < n; ++i)
      for (unsigned p = 0; p < passes; ++p) ++count[p][(a[i] >> (64 - 8 * (passes - p))) & 255];
    thread_local std::vector<std::uint64_t> tmp;
    tmp.resize(n);
    std::uint64_t* src = a;
    std::uint64_t* dst = tmp.data();
    for (unsigned p = 0; p < passes; ++p) {
      std::uint32_t sum = 0;
      for (auto& c : count[p]) sum += std::exchange(c, sum);
      const unsigned shift = 64 - 8 * (passes - p);
      for (std::size_t i = 0; i < n; ++i) dst[count[p][(src[i] >> shift) & 255]++] = src[i];
      std::swap(src, dst);
    }
    if (src != a) {
      v.swap(tmp);
      a = v.data();
    }
  }
  for (std::size_t i = 1; i < n; ++i) {
    const std::uint64_t x = a[i];
    if (a[i - 1] <= x) continue;
    std::size_t k = i;
    for (; k > 0 && a[k - 1] > x; --k) a[k] = a[k - 1];
    a[k] = x;
  }
}

/// As tfidf::count_terms (distinct hashes ascending, with their counts); a fresh `out` is sized exactly.
void count_sorted(std::vector<std::uint64_t>& terms, tfidf::TermCounts& out) {
  sort_hashes(terms);
  const std::size_t n = terms.size();
  std::size_t distinct = n != 0;
  for (std::size_t i = 1; i < n; ++i) distinct += terms[i] != terms[i - 1];
  out.clear();
  out.reserve(distinct);
  for (std::size_t i = 0; i < n;) {
    std::size_t j = i + 1;
    while (j < n && terms[j] == terms[i]) ++j;
    out.emplace_back(terms[i], static_cast<std::uint32_t>(j - i));
    i = j;
  }
}

}  // namespace

std::array<tfidf::TermCounts, kStoryFields> story_terms(const text::AnalyzedText& t,
                                                        std::span<const std::uint8_t> boilerplate) {
  std::array<tfidf::TermCounts, kStoryFields> out;
  story_terms(t, boilerplate, out);
  return out;
}

void story_terms(const text::AnalyzedText& t, std::span<const std::uint8_t> boilerplate,
                 std::array<tfidf::TermCounts, kStoryFields>& out) {
  thread_local std::vector<std::uint64_t> terms, bigrams;
  // The content words (not stop words) of [b, e) appended to `terms`: each word written, the end
  // moved on only for a content word (no branch on a word being a stop word: nearly half are).
  auto add_content = [&](const std::uint64_t* b, const std::uint64_t* e) {
    std::size_t n = terms.size();
    terms.resize(n + static_cast<std::size_t>(e - b));
    for (; b != e; ++b) {
      terms[n] = *b;
      n += !text::is_stopword(*b);
    }
    terms.resize(n);
  };
  // Title.
  terms.clear();
  add_content(t.title_tokens.data(), t.title_tokens.data() + t.title_tokens.size());
  count_sorted(terms, out[kTitle]);
  // Body (title prepended) and bigrams of consecutive content words within a line, over the
  // tokens of the lines that are not boilerplate (as text::kept_tokens keeps them).
  terms.clear();
  bigrams.clear();
  auto add_line = [&](const std::uint64_t* b, const std::uint64_t* e) {
    const std::size_t from = terms.size();
    add_content(b, e);
    for (std::size_t k = from + 1; k < terms.size(); ++k) {
      const std::uint64_t pair[2] = {terms[k - 1], terms[k]};
      bigrams.push_back(XXH3_64bits_withSeed(pair, sizeof pair, kBigramSeed));
    }
  };
  add_line(t.title_tokens.data(), t.title_tokens.data() + t.title_tokens.size());
  for (std::size_t i = 0; i < t.lines.size(); ++i)
    if (!boilerplate[i]) add_line(t.tokens.data() + t.lines[i].begin, t.tokens.data() + t.lines[i].end);
  count_sorted(terms, out[kBody]);
  count_sorted(bigrams, out[kBigram]);
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
  count_sorted(terms, out[kEntity]);
}

std::array<tfidf::TermCounts, kStoryExtras> story_extra_terms(const text::AnalyzedText& t,
                                                              std::span<const std::uint8_t> boilerplate,
                                                              std::uint32_t lead_lines) {
  std::array<tfidf::TermCounts, kStoryExtras> out;
  story_extra_terms(t, boilerplate, out, lead_lines);
  return out;
}

void story_extra_terms(const text::AnalyzedText& t, std::span<const std::uint8_t> boilerplate,
                       std::array<tfidf::TermCounts, kStoryExtras>& out, std::uint32_t lead_lines) {
  if (t.entity_kinds.size() != t.entities.size())
    throw std::invalid_argument("story_extra_terms: entity kinds and entities differ in number");
  thread_local std::vector<std::uint64_t> numbers, lead, figures;
  numbers.clear();
  lead.clear();
  figures.clear();
  // Entity terms [b, e): numbers and figures always, names when in the lead.
  auto add = [&](std::size_t b, std::size_t e, bool in_lead) {
    for (std::size_t k = b; k < e; ++k) {
      const text::EntityKind kind = t.entity_kinds[k];
      if (kind == text::kEntityNumber || kind == text::kEntityFigure) numbers.push_back(t.entities[k]);
      if (kind == text::kEntityFigure) figures.push_back(t.entities[k]);
      if (kind == text::kEntityName && in_lead) lead.push_back(t.entities[k]);
    }
  };
  add(0, t.lines.empty() ? t.entities.size() : t.lines.front().entity_begin, true);  // the title's
  std::uint32_t kept = 0;
  for (std::size_t i = 0; i < t.lines.size(); ++i) {
    if (boilerplate[i]) continue;
    add(t.lines[i].entity_begin, t.lines[i].entity_end, kept < lead_lines);
    ++kept;
  }
  count_sorted(numbers, out[kNumbers]);
  count_sorted(lead, out[kLead]);
  count_sorted(figures, out[kFigures]);
}

}  // namespace samestory::cluster
