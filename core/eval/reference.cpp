#include "eval/reference.hpp"

#include <algorithm>

#include "sketch/minhash.hpp"

namespace samestory::eval {

std::vector<ScoredPair> all_pairs_jaccard(std::span<const std::vector<std::uint64_t>> sets, double threshold) {
  return all_pairs_above(sets.size(), threshold, [&](std::size_t i, std::size_t j) { return sketch::exact_jaccard(sets[i], sets[j]); });
}

std::vector<ScoredPair> all_pairs_cosine(std::span<const tfidf::SparseVector> vectors, double threshold) {
  return all_pairs_above(vectors.size(), threshold, [&](std::size_t i, std::size_t j) { return tfidf::cosine(vectors[i], vectors[j]); });
}

CandidateQuality candidate_quality(std::span<const ScoredPair> truth,
                                   std::span<const std::pair<std::uint32_t, std::uint32_t>> candidates, double threshold,
                                   std::uint64_t items) {
  CandidateQuality q;
  q.threshold = threshold;
  q.items = items;
  q.exact_pairs = truth.size();
  q.candidates = candidates.size();
  for (const auto& p : truth)
    q.found += std::binary_search(candidates.begin(), candidates.end(), std::make_pair(p.i, p.j));
  if (q.exact_pairs) q.recall = static_cast<double>(q.found) / static_cast<double>(q.exact_pairs);
  if (q.candidates) q.precision = static_cast<double>(q.found) / static_cast<double>(q.candidates);
  return q;
}


}  // namespace samestory::eval
