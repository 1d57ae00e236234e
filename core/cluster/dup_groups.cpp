#include "cluster/dup_groups.hpp"

#include <numeric>

namespace samestory::cluster {

UnionFind::UnionFind(std::size_t n) : parent_(n) { std::iota(parent_.begin(), parent_.end(), 0u); }

std::uint32_t UnionFind::find(std::uint32_t x) noexcept {
  while (parent_[x] != x) {
    parent_[x] = parent_[parent_[x]];
    x = parent_[x];
  }
  return x;
}

bool UnionFind::unite(std::uint32_t a, std::uint32_t b) noexcept {
  a = find(a);
  b = find(b);
  if (a == b) return false;
  if (b < a) std::swap(a, b);
  parent_[b] = a;
  return true;
}

bool precedes(const CanonicalKey& ki, std::uint32_t i, const CanonicalKey& kj, std::uint32_t j) noexcept {
  if (ki.published.has_value() != kj.published.has_value()) return ki.published.has_value();
  if (ki.published && *ki.published != *kj.published) return *ki.published < *kj.published;
  if (ki.length != kj.length) return ki.length > kj.length;
  return i < j;
}

std::vector<std::uint32_t> dup_groups(std::span<const lsh::Pair> edges, std::span<const CanonicalKey> keys) {
  const std::size_t n = keys.size();
  UnionFind uf(n);
  for (const auto& [a, b] : edges) uf.unite(a, b);
  std::vector<std::uint32_t> best(n);
  std::iota(best.begin(), best.end(), 0u);  // best[root] = canonical so far
  for (std::uint32_t i = 0; i < n; ++i) {
    const std::uint32_t r = uf.find(i);
    if (precedes(keys[i], i, keys[best[r]], best[r])) best[r] = i;
  }
  std::vector<std::uint32_t> canonical(n);
  for (std::uint32_t i = 0; i < n; ++i) canonical[i] = best[uf.find(i)];
  return canonical;
}

}  // namespace samestory::cluster
