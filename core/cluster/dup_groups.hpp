#pragma once
// Verification of candidate pairs, union-find and dup groups with canonical articles.

#include <tbb/parallel_for.h>

#include <cstdint>
#include <optional>
#include <span>
#include <vector>

#include "lsh/lsh.hpp"

namespace samestory::cluster {

/// Union-find with path halving; the root of a set is always its smallest member, so the
/// result does not depend on the order edges are added in.
class UnionFind {
 public:
  explicit UnionFind(std::size_t n);
  std::uint32_t find(std::uint32_t x) noexcept;
  /// Joins the sets of a and b; returns false when they were already one.
  bool unite(std::uint32_t a, std::uint32_t b) noexcept;

 private:
  std::vector<std::uint32_t> parent_;
};

/// What decides the canonical article of a group: earliest `published`, else longest text,
/// else first in input (the index).
struct CanonicalKey {
  std::optional<std::int64_t> published;
  std::uint64_t length = 0;
};

/// True when article i should be preferred over article j as canonical (or story lead).
bool precedes(const CanonicalKey& ki, std::uint32_t i, const CanonicalKey& kj, std::uint32_t j) noexcept;

/// Keeps the candidate pairs for which verify(i, j) holds, in their input order. Runs the
/// checks in parallel; the result does not depend on thread count.
template <class Verify>
std::vector<lsh::Pair> verify_pairs(std::span<const lsh::Pair> candidates, Verify verify) {
  std::vector<std::uint8_t> keep(candidates.size());
  tbb::parallel_for(tbb::blocked_range<std::size_t>(0, candidates.size(), 1024), [&](const auto& r) {
    for (std::size_t k = r.begin(); k < r.end(); ++k)
      keep[k] = verify(candidates[k].first, candidates[k].second) ? 1 : 0;
  });
  std::vector<lsh::Pair> edges;
  for (std::size_t k = 0; k < candidates.size(); ++k)
    if (keep[k]) edges.push_back(candidates[k]);
  return edges;
}

/// Dup groups: connected components of the verified edges. Returns, for each of the
/// keys.size() articles, the index of its group's canonical article.
std::vector<std::uint32_t> dup_groups(std::span<const lsh::Pair> edges, std::span<const CanonicalKey> keys);

}  // namespace samestory::cluster
