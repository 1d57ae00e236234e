#pragma once
// Deterministic synthetic news corpora with planted near-duplicates and stories (docs/generator.md).

#include <cstdint>
#include <memory>
#include <string>

namespace samestory::gen {

/// What to generate. Output bytes depend on every field except `articles`, which only says
/// where to stop: the first N articles are the same whatever `articles` >= N is.
struct GenOptions {
  std::uint64_t articles = 10000;   ///< how many articles next() produces
  std::uint64_t seed = 1;           ///< master seed: same options, same bytes
  double dup_fraction = 0.2;        ///< share of articles that re-post an earlier article (0..0.9)
  double story_fraction = 0.5;      ///< share of original articles that are one of several
                                    ///< independent reports of one event (0..1)
  std::uint32_t outlets = 40;       ///< number of outlets (2..10000); 1 in 8 is an aggregator
  std::int64_t start = 1767225600;  ///< first event time, seconds since the epoch (2026-01-01T00:00:00Z)
  std::uint32_t days = 60;          ///< events fall in [start, start + days); 1..36500
  double mean_words = 500;          ///< mean body length in words (log-normal, clipped); 20..20000

  double sibling_fraction = 0.15;       ///< share of events that reuse the actors of an earlier event
                                        ///< of the block (another date and place): a different story
  std::uint32_t big_event_reports = 0;  ///< 0, or 2..100000: per block, one event reported by this
                                        ///< many distinct outlets (at most the block's multi-report
                                        ///< originals and the outlets that publish originals)
  std::uint32_t big_siblings = 0;       ///< 0..3: per block, this many more events of big_event_reports
                                        ///< reports, each reusing the big event's actors (siblings: another
                                        ///< date and place); as many as the block's multi-report originals hold
  double missing_title = 0;             ///< share of articles without "title"
  double missing_published = 0;         ///< share of articles without "published"
  std::uint32_t vocabulary = 50000;     ///< pseudo-word types (1000..1000000)
  std::uint32_t block = 1000;           ///< articles planned together; dup groups and stories never
                                        ///< cross a block; memory is O(block x mean_words)
                                        ///< (10..1000000, block x mean_words <= 5e7)
  std::string id_prefix = "a";          ///< ids are id_prefix + 8+ digit 1-based index ("a00000001")
};

/// Throws std::invalid_argument naming the first out-of-range field.
void validate(const GenOptions& options);

/// Streams articles one JSONL line at a time with memory bounded by O(block + vocabulary).
class Generator {
 public:
  /// Validates (std::invalid_argument) and builds the lexicon for the seed.
  explicit Generator(const GenOptions& options);
  ~Generator();
  Generator(Generator&&) noexcept;
  Generator& operator=(Generator&&) noexcept;

  /// Replaces `article_json` with the next article as one JSON object (no newline):
  /// {"id","title","text","source","url","published","lang"} in that order (title and
  /// published may be missing, see GenOptions), and `gold_json` with its gold line
  /// {"id","story","dup_group"}. Returns false (leaving both untouched) when done.
  bool next(std::string& article_json, std::string& gold_json);

  /// Articles produced so far.
  std::uint64_t produced() const noexcept;
  const GenOptions& options() const noexcept;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace samestory::gen
