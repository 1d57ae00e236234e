#include "lsh/lsh.hpp"

#include <tbb/parallel_for.h>
#include <tbb/parallel_sort.h>
#include <xxhash.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <stdexcept>

#include "sketch/minhash.hpp"

namespace samestory::lsh {

double candidate_probability(double s, BandParams p) noexcept {
  return 1.0 - std::pow(1.0 - std::pow(s, p.rows), p.bands);
}

namespace {
// Composite Simpson integration of f over [a, b] with n (even) intervals.
template <class F>
double integrate(F f, double a, double b, int n = 200) {
  if (b <= a) return 0.0;
  const double h = (b - a) / n;
  double s = f(a) + f(b);
  for (int i = 1; i < n; ++i) s += f(a + i * h) * (i % 2 ? 4 : 2);
  return s * h / 3;
}
}  // namespace

BandParams optimal_bands(double threshold, std::uint32_t num_perm, double fp_weight, double fn_weight) {
  if (!(threshold > 0 && threshold < 1)) throw std::invalid_argument("threshold must be in (0, 1)");
  if (!(fp_weight > 0) || !(fn_weight > 0)) throw std::invalid_argument("LSH weights must be positive");
  if (num_perm < 1) throw std::invalid_argument("num_perm must be at least 1");
  BandParams best{1, num_perm};
  double best_err = std::numeric_limits<double>::infinity();
  for (std::uint32_t b = 1; b <= num_perm; ++b) {
    for (std::uint32_t r = 1; r <= num_perm / b; ++r) {
      const BandParams p{b, r};
      const double fp = integrate([&](double s) { return candidate_probability(s, p); }, 0.0, threshold);
      const double fn = integrate([&](double s) { return 1.0 - candidate_probability(s, p); }, threshold, 1.0);
      const double err = fp_weight * fp + fn_weight * fn;
      if (err < best_err - 1e-15) best_err = err, best = p;
    }
  }
  return best;
}

// About one entry per bucket. The comparison sort this replaces spent its time on mispredicted
// branches.
void sort_keyed(std::vector<std::pair<std::uint64_t, std::uint32_t>>& keyed) {
  const std::size_t n = keyed.size();
  if (n < 64) {
    std::sort(keyed.begin(), keyed.end());
    return;
  }
  unsigned bits = 1;
  while (bits < 24 && (std::size_t{1} << bits) < n) ++bits;
  const unsigned shift = 64 - bits;
  std::vector<std::uint32_t> start((std::size_t{1} << bits) + 1, 0);
  for (const auto& e : keyed) ++start[(e.first >> shift) + 1];
  for (std::size_t b = 0; b + 1 < start.size(); ++b) start[b + 1] += start[b];
  std::vector<std::pair<std::uint64_t, std::uint32_t>> sorted(n);
  for (const auto& e : keyed) sorted[start[e.first >> shift]++] = e;
  // start[b] is now the end of bucket b. A large bucket (one key shared by many docs, or keys
  // that crowd its top bits) is sorted by comparisons instead.
  for (std::size_t b = 0, from = 0; b + 1 < start.size(); from = start[b++]) {
    if (start[b] - from > 32) {
      std::sort(sorted.begin() + static_cast<std::ptrdiff_t>(from), sorted.begin() + start[b]);
      continue;
    }
    for (std::size_t i = from + 1; i < start[b]; ++i)
      for (std::size_t k = i; k > from && sorted[k] < sorted[k - 1]; --k) std::swap(sorted[k - 1], sorted[k]);
  }
  keyed.swap(sorted);
}

void bucket_pairs(std::vector<std::pair<std::uint64_t, std::uint32_t>>& keyed, std::uint32_t max_bucket,
                  std::vector<Pair>& out, CandidateStats& stats) {
  sort_keyed(keyed);
  stats.entries += keyed.size();
  for (std::size_t i = 0; i < keyed.size();) {
    std::size_t j = i + 1;
    while (j < keyed.size() && keyed[j].first == keyed[i].first) ++j;
    const std::size_t n = j - i;
    if (n >= 2) {
      ++stats.buckets;
      stats.largest_bucket = std::max<std::uint64_t>(stats.largest_bucket, n);
      if (n <= max_bucket) {
        for (std::size_t x = i; x < j; ++x)
          for (std::size_t y = x + 1; y < j; ++y)
            if (keyed[x].second != keyed[y].second) out.emplace_back(keyed[x].second, keyed[y].second);
        stats.raw_pairs += n * (n - 1) / 2;
      } else {
        ++stats.hot_buckets;
        for (std::size_t x = i + 1; x < j; ++x) {
          out.emplace_back(keyed[i].second, keyed[x].second);
          if (x > i + 1) out.emplace_back(keyed[x - 1].second, keyed[x].second);
        }
        stats.raw_pairs += 2 * (n - 1) - 1;
      }
    }
    i = j;
  }
}

void sort_unique(std::vector<Pair>& pairs) {
  for (auto& p : pairs)
    if (p.first > p.second) std::swap(p.first, p.second);
  tbb::parallel_sort(pairs.begin(), pairs.end());
  pairs.erase(std::unique(pairs.begin(), pairs.end()), pairs.end());
}

std::vector<Pair> candidate_pairs(std::span<const std::uint32_t> signatures, std::uint32_t num_perm,
                                  std::span<const std::uint8_t> include, BandParams params, std::uint64_t seed,
                                  std::uint32_t max_bucket, CandidateStats& stats) {
  if (params.bands == 0 || params.rows == 0 || std::uint64_t{params.bands} * params.rows > num_perm)
    throw std::invalid_argument("bands x rows must be positive and at most num_perm");
  const std::size_t n = include.size();
  if (signatures.size() != n * num_perm) throw std::invalid_argument("signature array does not match doc count");
  std::vector<std::vector<Pair>> per_band(params.bands);
  std::vector<CandidateStats> band_stats(params.bands);
  tbb::parallel_for(std::uint32_t{0}, params.bands, [&](std::uint32_t b) {
    const std::uint64_t band_seed = sketch::derive_seed(seed, 0x10000u + b);
    std::vector<std::pair<std::uint64_t, std::uint32_t>> keyed;
    keyed.reserve(n);
    for (std::size_t i = 0; i < n; ++i) {
      if (!include[i]) continue;
      const std::uint32_t* row = signatures.data() + i * num_perm + std::size_t{b} * params.rows;
      keyed.emplace_back(XXH3_64bits_withSeed(row, params.rows * sizeof(std::uint32_t), band_seed),
                         static_cast<std::uint32_t>(i));
    }
    bucket_pairs(keyed, max_bucket, per_band[b], band_stats[b]);
  });
  std::vector<Pair> all;
  for (std::uint32_t b = 0; b < params.bands; ++b) {  // fixed-order merge
    all.insert(all.end(), per_band[b].begin(), per_band[b].end());
    std::vector<Pair>().swap(per_band[b]);
    stats.entries += band_stats[b].entries;
    stats.buckets += band_stats[b].buckets;
    stats.largest_bucket = std::max(stats.largest_bucket, band_stats[b].largest_bucket);
    stats.hot_buckets += band_stats[b].hot_buckets;
    stats.raw_pairs += band_stats[b].raw_pairs;
  }
  sort_unique(all);
  stats.candidate_pairs += all.size();
  return all;
}

}  // namespace samestory::lsh
