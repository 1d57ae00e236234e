#include "eval/reference.hpp"

#include <tbb/parallel_for.h>
#include <tbb/parallel_sort.h>

#include <algorithm>
#include <cmath>
#include <stdexcept>

#include "sketch/minhash.hpp"

namespace samestory::eval {

std::vector<ScoredPair> all_pairs_jaccard(std::span<const std::vector<std::uint64_t>> sets, double threshold) {
  return all_pairs_above(sets.size(), threshold,
                         [&](std::size_t i, std::size_t j) { return sketch::exact_jaccard(sets[i], sets[j]); });
}

std::vector<ScoredPair> jaccard_join(std::span<const std::vector<std::uint64_t>> sets, double threshold) {
  if (!(threshold > 0 && threshold <= 1)) throw std::invalid_argument("jaccard_join: threshold must be in (0, 1]");
  const std::size_t n = sets.size();
  // Document frequency of every element: (element, count), sorted by element.
  std::vector<std::uint64_t> all;
  for (const auto& s : sets) all.insert(all.end(), s.begin(), s.end());
  tbb::parallel_sort(all.begin(), all.end());
  std::vector<std::pair<std::uint64_t, std::uint32_t>> df;
  for (std::size_t a = 0; a < all.size();) {
    std::size_t b = a + 1;
    while (b < all.size() && all[b] == all[a]) ++b;
    df.emplace_back(all[a], static_cast<std::uint32_t>(b - a));
    a = b;
  }
  std::vector<std::uint64_t>().swap(all);
  auto freq = [&](std::uint64_t e) {
    return std::lower_bound(df.begin(), df.end(), e, [](const auto& p, std::uint64_t v) { return p.first < v; })
        ->second;
  };
  // Each set's prefix in the global order (rarest first, ties by value), as (element, set) postings.
  std::vector<std::vector<std::uint64_t>> prefix(n);
  tbb::parallel_for(std::size_t{0}, n, [&](std::size_t i) {
    const auto& s = sets[i];
    if (s.empty()) return;
    std::vector<std::pair<std::uint32_t, std::uint64_t>> ordered;
    ordered.reserve(s.size());
    for (auto e : s) ordered.emplace_back(freq(e), e);
    std::sort(ordered.begin(), ordered.end());
    // Overlap >= t |x| for any partner with Jaccard >= t; the epsilon keeps the bound safe.
    const auto need =
        std::max<std::size_t>(1, static_cast<std::size_t>(std::ceil(threshold * static_cast<double>(s.size()) - 1e-9)));
    const std::size_t len = s.size() - std::min(need, s.size()) + 1;
    for (std::size_t k = 0; k < len; ++k) prefix[i].push_back(ordered[k].second);
  });
  std::vector<std::pair<std::uint64_t, std::uint32_t>> postings;
  for (std::size_t i = 0; i < n; ++i)
    for (auto e : prefix[i]) postings.emplace_back(e, static_cast<std::uint32_t>(i));
  tbb::parallel_sort(postings.begin(), postings.end());
  // Per set i: the sets j > i sharing a prefix element, verified exactly.
  std::vector<std::vector<ScoredPair>> rows(n);
  tbb::parallel_for(std::size_t{0}, n, [&](std::size_t i) {
    std::vector<std::uint32_t> partners;
    for (auto e : prefix[i]) {
      auto it = std::upper_bound(postings.begin(), postings.end(), std::make_pair(e, static_cast<std::uint32_t>(i)));
      for (; it != postings.end() && it->first == e; ++it) partners.push_back(it->second);
    }
    std::sort(partners.begin(), partners.end());
    partners.erase(std::unique(partners.begin(), partners.end()), partners.end());
    for (auto j : partners) {
      const double sim = sketch::exact_jaccard(sets[i], sets[j]);
      if (sim >= threshold) rows[i].push_back({static_cast<std::uint32_t>(i), j, sim});
    }
  });
  std::vector<ScoredPair> out;
  for (auto& r : rows) out.insert(out.end(), r.begin(), r.end());
  return out;
}

std::vector<ScoredPair> all_pairs_cosine(std::span<const tfidf::SparseVector> vectors, double threshold) {
  return all_pairs_above(vectors.size(), threshold,
                         [&](std::size_t i, std::size_t j) { return tfidf::cosine(vectors[i], vectors[j]); });
}

CandidateQuality candidate_quality(std::span<const ScoredPair> truth,
                                   std::span<const std::pair<std::uint32_t, std::uint32_t>> candidates,
                                   double threshold, std::uint64_t items) {
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
