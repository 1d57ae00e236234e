#pragma once
// Banded LSH over MinHash signatures, and sort-based candidate generation from buckets.

#include <cstdint>
#include <span>
#include <utility>
#include <vector>

namespace samestory::lsh {

/// bands x rows of a banded index (bands * rows <= num_perm).
struct BandParams {
  std::uint32_t bands = 0, rows = 0;
};

/// Probability that a pair of Jaccard similarity s becomes a candidate: 1 - (1 - s^r)^b.
double candidate_probability(double s, BandParams p) noexcept;

/// The bands x rows that minimise fp_weight * (false-positive area below the threshold) +
/// fn_weight * (false-negative area above it), as datasketch's optimal-param does. Throws
/// std::invalid_argument for a threshold outside (0, 1) or weights that are not positive.
BandParams optimal_bands(double threshold, std::uint32_t num_perm, double fp_weight, double fn_weight);

/// What candidate generation did (fed to --stats and the benchmarks).
struct CandidateStats {
  std::uint64_t entries = 0;          ///< (bucket key, doc) entries indexed
  std::uint64_t buckets = 0;          ///< buckets holding two or more docs
  std::uint64_t largest_bucket = 0;   ///< docs in the largest bucket
  std::uint64_t hot_buckets = 0;      ///< buckets over max_bucket (paired as a chain, not all pairs)
  std::uint64_t raw_pairs = 0;        ///< pairs emitted before de-duplication
  std::uint64_t candidate_pairs = 0;  ///< distinct pairs returned
};

using Pair = std::pair<std::uint32_t, std::uint32_t>;  ///< (i, j) with i < j

/// Sorts (key, doc) entries by key, then doc, as std::sort would order them: a counting sort on
/// the keys' top bits (keys are hashes, so they spread evenly), then an insertion sort of each
/// bucket's few entries (std::sort for a crowded bucket). Also the feed index's band flush.
void sort_keyed(std::vector<std::pair<std::uint64_t, std::uint32_t>>& keyed);

/// Pairs of docs that share a bucket: keyed holds (bucket key, doc) and is sorted in place.
/// A bucket of up to max_bucket docs gives all its pairs; a larger ("hot") one gives each doc
/// paired with the bucket's first and with the previous doc, so it stays connected without a
/// quadratic blow-up. Appends pairs (unsorted, possibly repeated) to `out`.
void bucket_pairs(std::vector<std::pair<std::uint64_t, std::uint32_t>>& keyed, std::uint32_t max_bucket,
                  std::vector<Pair>& out, CandidateStats& stats);

/// Sorts and de-duplicates pairs (parallel sort; the result does not depend on thread count).
void sort_unique(std::vector<Pair>& pairs);

/// Candidate pairs of a banded MinHash index over `n` signatures of `num_perm` values each,
/// stored row-major in `signatures`. Docs with include[i] == 0 are not indexed. Band keys are
/// XXH3 of the band's values, seeded from (seed, band). Returns sorted, distinct pairs.
std::vector<Pair> candidate_pairs(std::span<const std::uint32_t> signatures, std::uint32_t num_perm,
                                  std::span<const std::uint8_t> include, BandParams params, std::uint64_t seed,
                                  std::uint32_t max_bucket, CandidateStats& stats);

}  // namespace samestory::lsh
