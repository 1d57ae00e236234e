#pragma once
// Exact all-pairs references: what LSH candidates and clusters are checked against.

#include <tbb/parallel_for.h>

#include <cstdint>
#include <span>
#include <utility>
#include <vector>

#include "tfidf/tfidf.hpp"

namespace samestory::eval {

/// A pair (i < j) with its exact similarity.
struct ScoredPair {
  std::uint32_t i, j;
  double similarity;
};

/// Every pair (i < j) of n items with sim(i, j) >= threshold, in (i, j) order. O(n^2), parallel
/// over rows, deterministic.
template <class Sim>
std::vector<ScoredPair> all_pairs_above(std::size_t n, double threshold, Sim sim) {
  std::vector<std::vector<ScoredPair>> rows(n);
  tbb::parallel_for(std::size_t{0}, n, [&](std::size_t i) {
    for (std::size_t j = i + 1; j < n; ++j) {
      const double s = sim(i, j);
      if (s >= threshold) rows[i].push_back({static_cast<std::uint32_t>(i), static_cast<std::uint32_t>(j), s});
    }
  });
  std::vector<ScoredPair> out;
  for (auto& r : rows) out.insert(out.end(), r.begin(), r.end());
  return out;
}

/// How well candidate pairs cover the exact pairs at a threshold.
struct CandidateQuality {
  double threshold = 0;
  std::uint64_t items = 0;        ///< docs compared
  std::uint64_t exact_pairs = 0;  ///< pairs with exact similarity >= threshold
  std::uint64_t candidates = 0;   ///< candidate pairs proposed
  std::uint64_t found = 0;        ///< exact pairs among the candidates
  double recall = 1;              ///< found / exact_pairs (1 when there are none)
  double precision = 1;           ///< found / candidates (1 when there are none)
};

/// Scores sorted candidates against the exact pairs (`truth`, sorted by (i, j)).
CandidateQuality candidate_quality(std::span<const ScoredPair> truth,
                                   std::span<const std::pair<std::uint32_t, std::uint32_t>> candidates,
                                   double threshold, std::uint64_t items);

/// Every pair of sorted, distinct sets whose exact Jaccard is >= threshold, in (i, j) order.
/// O(n^2): for tests, benchmarks and quality reports on small corpora.
std::vector<ScoredPair> all_pairs_jaccard(std::span<const std::vector<std::uint64_t>> sets, double threshold);

/// Every pair of sorted, distinct, non-empty sets whose exact Jaccard is >= threshold (in (0, 1]),
/// in (i, j) order: the same pairs as all_pairs_jaccard except that empty sets pair with
/// nothing. Exact, without comparing all pairs: a prefix-filtering similarity join (elements
/// ordered by ascending document frequency; two sets with Jaccard >= t share an element among
/// the first |x| - ceil(t |x|) + 1 of each), then exact Jaccard of each pair found that way.
std::vector<ScoredPair> jaccard_join(std::span<const std::vector<std::uint64_t>> sets, double threshold);

/// Every pair of L2-normalised vectors whose cosine is >= threshold, in (i, j) order. O(n^2).
std::vector<ScoredPair> all_pairs_cosine(std::span<const tfidf::SparseVector> vectors, double threshold);
}  // namespace samestory::eval
