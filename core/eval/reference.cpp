#include "eval/reference.hpp"

#include <tbb/parallel_for.h>

#include <algorithm>

#include "sketch/minhash.hpp"

namespace samestory::eval {
namespace {
template <class Sim>
std::vector<ScoredPair> all_pairs(std::size_t n, double threshold, Sim sim) {
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
}  // namespace

std::vector<ScoredPair> all_pairs_jaccard(std::span<const std::vector<std::uint64_t>> sets, double threshold) {
  return all_pairs(sets.size(), threshold, [&](std::size_t i, std::size_t j) { return sketch::exact_jaccard(sets[i], sets[j]); });
}

std::vector<ScoredPair> all_pairs_cosine(std::span<const tfidf::SparseVector> vectors, double threshold) {
  return all_pairs(vectors.size(), threshold, [&](std::size_t i, std::size_t j) { return tfidf::cosine(vectors[i], vectors[j]); });
}

double pair_recall(std::span<const ScoredPair> truth, std::span<const std::pair<std::uint32_t, std::uint32_t>> candidates) {
  if (truth.empty()) return 1.0;
  std::size_t found = 0;
  for (const auto& p : truth)
    found += std::binary_search(candidates.begin(), candidates.end(), std::make_pair(p.i, p.j));
  return static_cast<double>(found) / static_cast<double>(truth.size());
}

}  // namespace samestory::eval
