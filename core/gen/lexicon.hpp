#pragma once
// Internals of the synthetic corpus generator: a fast deterministic RNG, alias tables and the
// lexicon (vocabulary, names, places, outlets with their boilerplate) built once per seed.

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace samestory::gen {
struct GenOptions;
}

namespace samestory::gen::detail {

/// splitmix64 stream; every stream is seeded by sketch::derive_seed.
struct Rng {
  std::uint64_t s;
  explicit Rng(std::uint64_t seed) noexcept : s(seed) {}
  std::uint64_t next() noexcept {
    std::uint64_t z = (s += 0x9E3779B97F4A7C15ULL);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
  }
  /// Uniform in [0, n) (Lemire's multiply-shift; n < 2^32).
  std::uint32_t below(std::uint32_t n) noexcept {
    return static_cast<std::uint32_t>(((next() >> 32) * std::uint64_t{n}) >> 32);
  }
  /// Uniform in [lo, hi].
  std::uint32_t range(std::uint32_t lo, std::uint32_t hi) noexcept { return lo + below(hi - lo + 1); }
  /// Uniform in [0, 1).
  double unit() noexcept { return static_cast<double>(next() >> 11) * 0x1.0p-53; }
  bool chance(double p) noexcept { return unit() < p; }
};

/// Walker/Vose alias table: O(1) sampling from a fixed discrete distribution (up to 2^24
/// outcomes, probabilities resolved to 2^-24).
class Alias {
 public:
  Alias() = default;
  explicit Alias(std::span<const double> weights);
  /// One draw from the low 48 bits of a random value (the high 16 are free for the caller).
  std::uint32_t sample(std::uint64_t r) const noexcept {
    const auto i = static_cast<std::uint32_t>(((r & 0xFFFFFF) * n_) >> 24);
    const Entry e = table_[i];
    return static_cast<std::uint32_t>((r >> 24) & 0xFFFFFF) < e.threshold ? i : e.alias;
  }
  std::uint32_t size() const noexcept { return static_cast<std::uint32_t>(n_); }

 private:
  struct Entry {
    std::uint32_t threshold;  // P(keep i) * 2^24
    std::uint32_t alias;
  };
  std::uint64_t n_ = 0;
  std::vector<Entry> table_;
};

/// Zipf weights 1 / (rank + offset)^s for ranks 1..n.
std::vector<double> zipf_weights(std::size_t n, double s, double offset);

/// A pronounceable pseudo-word of `syllables` syllables (lower case ASCII).
std::string pseudo_word(Rng& rng, unsigned syllables);

/// Upper-cases the first ASCII letter.
std::string capitalized(std::string s);

/// One outlet: display name, domain and its recurring boilerplate lines (JSON-escaped).
struct Outlet {
  std::string name;                                    ///< display name, plain ASCII
  std::string name_json;                               ///< name as JSON string contents (no quotes)
  std::string domain;                                  ///< e.g. "vesk-herald.example"
  bool aggregator = false;                             ///< re-posts others' articles, publishes no originals
  bool curly = false;                                  ///< uses typographic quotes (U+201C/U+201D)
  std::vector<std::string> headers, footers, bylines;  ///< JSON-escaped lines
};

/// Everything fixed for a seed: built once by the Generator, O(vocabulary + outlets) memory.
struct Lexicon {
  explicit Lexicon(const GenOptions& options);

  // Words: ids [0, n_function) are English function words, [n_function, n_words) pseudo-words
  // in Zipf rank order. Word i is slots[i]: its letters, padding, and its length in byte 15,
  // so that it can be copied with one fixed 16-byte memcpy.
  struct alignas(16) Slot {
    char c[16];
  };
  std::vector<Slot> slots;
  std::uint32_t n_function = 0, n_words = 0;
  Alias function_pick;  ///< over function words (ids 0..n_function)
  Alias content_pick;   ///< over content words (add n_function)
  std::string_view word(std::uint32_t id) const noexcept {
    return {slots[id].c, static_cast<std::size_t>(slots[id].c[15])};
  }

  static constexpr std::uint32_t kTopics = 64, kTopicWords = 128;
  std::vector<std::uint32_t> topic_words;  ///< kTopics x kTopicWords word ids

  std::vector<std::string> first_names;  ///< capitalised pseudo first names
  std::vector<std::string> countries;
  std::vector<std::string> regions;
  std::vector<std::uint32_t> region_country;
  std::vector<std::string> towns;
  std::vector<std::uint32_t> town_region;
  Alias town_pick;                        ///< big towns host more events
  std::vector<std::string> famous;        ///< people who recur across unrelated events
  std::vector<std::string> famous_roles;  ///< e.g. "the Veldorian finance minister"
  Alias famous_pick;
  std::vector<std::string> institutions;  ///< ministries, councils, parties, unions...
  Alias institution_pick;

  std::vector<Outlet> outlets;
  std::vector<std::uint32_t> reporting;    ///< outlets that publish originals
  std::vector<std::uint32_t> aggregators;  ///< outlets that only re-post
  Alias reporting_pick;                    ///< over `reporting`, some outlets publish more

  std::vector<std::uint32_t> length_table;  ///< 4096 quantiles of body length in words
  int year = 2026;                          ///< year of options.start (copyright lines)
};

/// Civil date of a day count since 1970-01-01.
struct Civil {
  int year;
  unsigned month, day;
};
Civil civil_from_days(std::int64_t days) noexcept;

}  // namespace samestory::gen::detail
