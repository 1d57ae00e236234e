#pragma once
// Exact all-pairs references: what LSH candidates and clusters are checked against.

#include <cstdint>
#include <span>
#include <vector>

#include "tfidf/tfidf.hpp"

namespace samestory::eval {

/// A pair (i < j) with its exact similarity.
struct ScoredPair {
  std::uint32_t i, j;
  double similarity;
};

/// Every pair of sorted, distinct sets whose exact Jaccard is >= threshold, in (i, j) order.
/// O(n^2): for tests, benchmarks and quality reports on small corpora.
std::vector<ScoredPair> all_pairs_jaccard(std::span<const std::vector<std::uint64_t>> sets, double threshold);

/// Every pair of L2-normalised vectors whose cosine is >= threshold, in (i, j) order. O(n^2).
std::vector<ScoredPair> all_pairs_cosine(std::span<const tfidf::SparseVector> vectors, double threshold);

/// Fraction of `truth` pairs present in `candidates` (both sorted by (i, j)); 1 when truth is empty.
double pair_recall(std::span<const ScoredPair> truth, std::span<const std::pair<std::uint32_t, std::uint32_t>> candidates);

}  // namespace samestory::eval
