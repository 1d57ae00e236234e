// Banded LSH: parameter choice against a brute-force scan, candidate generation against a
// brute-force "some band is equal" reference and against exact Jaccard (eval::all_pairs_jaccard).

#include <doctest/doctest.h>
#include <tbb/global_control.h>
#include <tbb/task_arena.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <functional>
#include <limits>
#include <set>
#include <stdexcept>
#include <utility>
#include <vector>

#include "eval/reference.hpp"
#include "lsh/lsh.hpp"
#include "random.hpp"
#include "sketch/minhash.hpp"

using samestory::lsh::BandParams;
using samestory::lsh::bucket_pairs;
using samestory::lsh::candidate_pairs;
using samestory::lsh::candidate_probability;
using samestory::lsh::CandidateStats;
using samestory::lsh::optimal_bands;
using samestory::lsh::Pair;
using samestory::lsh::sort_unique;

namespace {

using samestory::test::shuffle;
using samestory::test::SplitMix64;

struct MiniUnionFind {
  std::vector<std::uint32_t> p;
  explicit MiniUnionFind(std::size_t n) : p(n) {
    for (std::size_t i = 0; i < n; ++i) p[i] = static_cast<std::uint32_t>(i);
  }
  std::uint32_t find(std::uint32_t x) {
    while (p[x] != x) x = p[x];
    return x;
  }
  void unite(std::uint32_t a, std::uint32_t b) { p[find(a)] = find(b); }
  std::vector<std::uint32_t> labels() {
    std::vector<std::uint32_t> out(p.size());
    for (std::size_t i = 0; i < p.size(); ++i) out[i] = find(static_cast<std::uint32_t>(i));
    return out;
  }
};

// Corpus of shingle sets with planted near-duplicates: families of a random base set and
// variants with a random fraction of elements replaced (including exact copies).
struct Corpus {
  std::vector<std::vector<std::uint64_t>> sets;
  std::vector<std::uint32_t> sigs;  // row-major, num_perm per doc
  std::vector<std::uint8_t> include;
  std::uint32_t num_perm = 0;
};

Corpus make_corpus(std::uint64_t seed, std::size_t families, std::uint32_t num_perm, double exclude_rate) {
  SplitMix64 rng{seed};
  Corpus c;
  c.num_perm = num_perm;
  for (std::size_t f = 0; f < families; ++f) {
    std::vector<std::uint64_t> base(60 + rng.below(140));
    for (auto& x : base) x = rng.next();
    c.sets.push_back(base);
    const std::size_t variants = rng.below(5);
    for (std::size_t v = 0; v < variants; ++v) {
      std::vector<std::uint64_t> var = base;
      const double frac = rng.below(4) == 0 ? 0.0 : 0.6 * rng.unit();  // a quarter exact copies
      for (auto& x : var)
        if (rng.unit() < frac) x = rng.next();
      shuffle(var, rng);
      c.sets.push_back(var);
    }
  }
  const samestory::sketch::MinHasher h(samestory::sketch::MinHashParams{num_perm, 5, seed});
  c.sigs.resize(c.sets.size() * num_perm);
  for (std::size_t i = 0; i < c.sets.size(); ++i) {
    h.sign(c.sets[i], std::span<std::uint32_t>(c.sigs.data() + i * num_perm, num_perm));
    std::sort(c.sets[i].begin(), c.sets[i].end());
    c.sets[i].erase(std::unique(c.sets[i].begin(), c.sets[i].end()), c.sets[i].end());
  }
  c.include.assign(c.sets.size(), 1);
  for (auto& inc : c.include)
    if (rng.unit() < exclude_rate) inc = 0;
  return c;
}

// Brute force: included i < j are candidates iff some band of their signatures is equal.
std::vector<Pair> brute_candidates(const Corpus& c, BandParams p) {
  std::vector<Pair> out;
  const std::size_t n = c.sets.size();
  for (std::size_t i = 0; i < n; ++i) {
    if (!c.include[i]) continue;
    for (std::size_t j = i + 1; j < n; ++j) {
      if (!c.include[j]) continue;
      for (std::uint32_t b = 0; b < p.bands; ++b) {
        const auto* x = c.sigs.data() + i * c.num_perm + b * p.rows;
        const auto* y = c.sigs.data() + j * c.num_perm + b * p.rows;
        if (std::equal(x, x + p.rows, y)) {
          out.emplace_back(static_cast<std::uint32_t>(i), static_cast<std::uint32_t>(j));
          break;
        }
      }
    }
  }
  return out;
}

std::vector<Pair> run(const Corpus& c, BandParams p, std::uint32_t max_bucket, CandidateStats& stats,
                      std::uint64_t seed = 99) {
  return candidate_pairs(c.sigs, c.num_perm, c.include, p, seed, max_bucket, stats);
}

void check_well_formed(const std::vector<Pair>& pairs, std::size_t n) {
  for (std::size_t k = 0; k < pairs.size(); ++k) {
    CHECK(pairs[k].first < pairs[k].second);
    CHECK(pairs[k].second < n);
    if (k > 0) CHECK(pairs[k - 1] < pairs[k]);  // sorted and distinct
  }
}

constexpr std::uint32_t kNoHotBuckets = std::numeric_limits<std::uint32_t>::max();

}  // namespace

TEST_CASE("lsh: candidate_probability is the S-curve and monotone in s") {
  for (std::uint32_t b : {1u, 2u, 5u, 16u, 64u})
    for (std::uint32_t r : {1u, 2u, 4u, 8u, 16u}) {
      const BandParams p{b, r};
      CHECK(candidate_probability(0.0, p) == 0.0);
      CHECK(candidate_probability(1.0, p) == 1.0);
      double prev = 0;
      for (int i = 0; i <= 1000; ++i) {
        const double s = i / 1000.0;
        const double v = candidate_probability(s, p);
        CHECK(v >= prev);
        CHECK(v <= 1.0);
        // Direct formula, evaluated independently.
        double miss = 1;
        for (std::uint32_t k = 0; k < b; ++k) miss *= 1 - std::pow(s, static_cast<double>(r));
        CHECK(v == doctest::Approx(1 - miss).epsilon(1e-9));
        prev = v;
      }
    }
}

TEST_CASE("lsh: optimal_bands fits num_perm, rejects bad input, and its S-curve rises across the threshold") {
  CHECK_THROWS_AS(optimal_bands(0.0, 128, 0.5, 0.5), std::invalid_argument);
  CHECK_THROWS_AS(optimal_bands(1.0, 128, 0.5, 0.5), std::invalid_argument);
  CHECK_THROWS_AS(optimal_bands(0.5, 128, 0.0, 0.5), std::invalid_argument);
  CHECK_THROWS_AS(optimal_bands(0.5, 128, 0.5, -1.0), std::invalid_argument);
  CHECK_THROWS_AS(optimal_bands(0.5, 0, 0.5, 0.5), std::invalid_argument);
  for (std::uint32_t k : {1u, 7u, 64u, 128u, 256u})
    for (int ti = 1; ti <= 9; ++ti) {
      const BandParams p = optimal_bands(ti / 10.0, k, 0.5, 0.5);
      CHECK(p.bands >= 1);
      CHECK(p.rows >= 1);
      CHECK(p.bands * p.rows <= k);
    }
  for (std::uint32_t k : {64u, 128u, 256u})
    for (int ti = 3; ti <= 9; ++ti) {
      const double t = ti / 10.0;
      const BandParams p = optimal_bands(t, k, 0.5, 0.5);
      CHECK(candidate_probability(t + 0.1, p) >= candidate_probability(t - 0.1, p));
      CHECK(candidate_probability(t + 0.1, p) > candidate_probability(t - 0.1, p) + 0.2);
    }
  // A higher threshold needs more rows per band (fewer false positives below it).
  CHECK(optimal_bands(0.9, 128, 0.5, 0.5).rows > optimal_bands(0.3, 128, 0.5, 0.5).rows);
}

TEST_CASE("lsh: optimal_bands matches a brute-force Riemann-sum scan") {
  constexpr int M = 20000;  // midpoints over [0, 1]; thresholds k/10 fall on cell edges
  struct Weights {
    double fp, fn;
  };
  for (std::uint32_t k : {16u, 100u, 128u}) {
    // err[(b, r)][t] for t = 1..9 tenths, weights applied later.
    struct Row {
      BandParams p;
      std::vector<double> below, above;  // fp area below t, fn area above t, per tenth
    };
    std::vector<Row> rows;
    std::vector<double> cell(M);
    for (std::uint32_t b = 1; b <= k; ++b)
      for (std::uint32_t r = 1; b * r <= k; ++r) {
        Row row{{b, r}, std::vector<double>(10), std::vector<double>(10)};
        double total_p = 0;
        for (int m = 0; m < M; ++m) {
          const double s = (m + 0.5) / M;
          cell[static_cast<std::size_t>(m)] =
              1 - std::pow(1 - std::pow(s, static_cast<double>(r)), static_cast<double>(b));
          total_p += cell[static_cast<std::size_t>(m)];
        }
        double prefix = 0;
        int m = 0;
        for (int ti = 1; ti <= 9; ++ti) {
          for (; m < ti * M / 10; ++m) prefix += cell[static_cast<std::size_t>(m)];
          const double below = prefix / M;                                  // integral of P on [0, t]
          const double above = (1.0 - ti / 10.0) - (total_p - prefix) / M;  // integral of 1-P on [t, 1]
          row.below[static_cast<std::size_t>(ti)] = below;
          row.above[static_cast<std::size_t>(ti)] = above;
        }
        rows.push_back(std::move(row));
      }
    for (const Weights w : {Weights{0.5, 0.5}, Weights{0.05, 0.95}, Weights{0.9, 0.1}})
      for (int ti = 1; ti <= 9; ++ti) {
        const auto t = static_cast<std::size_t>(ti);
        const BandParams got = optimal_bands(ti / 10.0, k, w.fp, w.fn);
        double best = std::numeric_limits<double>::infinity(), got_err = best;
        BandParams best_p{};
        for (const auto& row : rows) {
          const double err = w.fp * row.below[t] + w.fn * row.above[t];
          if (err < best) best = err, best_p = row.p;
          if (row.p.bands == got.bands && row.p.rows == got.rows) got_err = err;
        }
        INFO("k=" << k << " t=" << ti / 10.0 << " w=" << w.fp << "/" << w.fn << " got " << got.bands << "x" << got.rows
                  << " brute " << best_p.bands << "x" << best_p.rows);
        const bool same = best_p.bands == got.bands && best_p.rows == got.rows;
        CHECK((same || got_err - best <= 1e-6));
      }
  }
}

TEST_CASE("lsh: bucket_pairs on a hand case") {
  std::vector<std::pair<std::uint64_t, std::uint32_t>> keyed{{9, 6}, {5, 1}, {9, 3}, {7, 2}, {9, 4}, {5, 0}, {9, 5}};
  std::vector<Pair> out;
  CandidateStats st;
  bucket_pairs(keyed, 3, out, st);
  CHECK(std::is_sorted(keyed.begin(), keyed.end()));
  CHECK(st.entries == 7);
  CHECK(st.buckets == 2);  // key 5 (2 docs) and key 9 (4 docs); key 7 is alone
  CHECK(st.largest_bucket == 4);
  CHECK(st.hot_buckets == 1);    // key 9: 4 > max_bucket 3
  CHECK(st.raw_pairs == 1 + 5);  // 1 pair + 2*(4-1)-1 chain pairs
  std::vector<Pair> want{{0, 1}, {3, 4}, {3, 5}, {4, 5}, {3, 6}, {5, 6}};
  std::sort(out.begin(), out.end());
  std::sort(want.begin(), want.end());
  CHECK(out == want);
  // Stats accumulate across calls; max_bucket 4 makes key 9 an ordinary bucket.
  std::vector<Pair> out2;
  bucket_pairs(keyed, 4, out2, st);
  CHECK(st.entries == 14);
  CHECK(st.buckets == 4);
  CHECK(st.hot_buckets == 1);
  CHECK(st.raw_pairs == 6 + 1 + 6);
  CHECK(out2.size() == 7);
}

TEST_CASE("lsh: bucket_pairs gives all pairs of small buckets and a connected chain for hot ones") {
  SplitMix64 rng{21};
  for (int t = 0; t < 200; ++t) {
    const std::size_t n = 1 + rng.below(60);
    const auto max_bucket = static_cast<std::uint32_t>(1 + rng.below(40));
    std::vector<std::pair<std::uint64_t, std::uint32_t>> keyed;
    std::vector<std::uint32_t> docs(n);
    for (std::size_t i = 0; i < n; ++i) docs[i] = static_cast<std::uint32_t>(i * 3 + 1);
    shuffle(docs, rng);
    for (auto d : docs) keyed.emplace_back(777, d);
    std::vector<Pair> out;
    CandidateStats st;
    bucket_pairs(keyed, max_bucket, out, st);
    INFO("n=" << n << " max_bucket=" << max_bucket);
    if (n < 2) {
      CHECK(out.empty());
      CHECK(st.buckets == 0);
      continue;
    }
    CHECK(st.buckets == 1);
    CHECK(st.largest_bucket == n);
    CHECK(st.raw_pairs == out.size());
    for (const auto& [a, b] : out) {
      CHECK(a != b);
      CHECK(a % 3 == 1);
      CHECK(b % 3 == 1);
    }
    std::vector<Pair> uniq = out;
    sort_unique(uniq);
    CHECK(uniq.size() == out.size());  // no pair is emitted twice within one bucket
    if (n <= max_bucket) {
      CHECK(st.hot_buckets == 0);
      CHECK(out.size() == n * (n - 1) / 2);
    } else {
      CHECK(st.hot_buckets == 1);
      CHECK(out.size() == 2 * (n - 1) - 1);
      MiniUnionFind uf(3 * n + 1);
      for (const auto& [a, b] : out) uf.unite(a, b);
      for (auto d : docs) CHECK(uf.find(d) == uf.find(docs[0]));
    }
  }
}

TEST_CASE("lsh: bucket_pairs sorts the entries by (key, doc), whatever their order and spread") {
  SplitMix64 rng{2024};
  for (int t = 0; t < 60; ++t) {
    // Random, structured (small integers: all in the lowest top-bit bucket) or few distinct keys
    // (large buckets); docs in any order, sometimes repeated.
    const std::size_t n = rng.below(3) == 0 ? rng.below(100) : 100 + rng.below(5000);
    const int kind = static_cast<int>(rng.below(3));
    std::vector<std::pair<std::uint64_t, std::uint32_t>> keyed;
    for (std::size_t i = 0; i < n; ++i) {
      const std::uint64_t key = kind == 0 ? rng.next() : kind == 1 ? rng.below(n) : rng.below(7) << 60;
      keyed.emplace_back(key, static_cast<std::uint32_t>(rng.below(2 * n + 1)));
    }
    auto want = keyed;
    std::sort(want.begin(), want.end());
    std::vector<Pair> got_pairs, want_pairs;
    CandidateStats got_stats, want_stats;
    bucket_pairs(keyed, 40, got_pairs, got_stats);
    CHECK(keyed == want);
    // The pairs of the sorted entries, emitted from already sorted input.
    bucket_pairs(want, 40, want_pairs, want_stats);
    CHECK(got_pairs == want_pairs);
    CHECK(got_stats.buckets == want_stats.buckets);
    CHECK(got_stats.raw_pairs == want_stats.raw_pairs);
  }
}

TEST_CASE("lsh: sort_unique orders pairs, de-duplicates and normalises i < j") {
  SplitMix64 rng{22};
  for (int t = 0; t < 50; ++t) {
    std::vector<Pair> pairs(rng.below(5000));
    std::set<Pair> want;
    for (auto& p : pairs) {
      auto a = static_cast<std::uint32_t>(rng.below(40)), b = static_cast<std::uint32_t>(rng.below(40));
      if (a == b) ++b;
      p = {a, b};
      want.insert({std::min(a, b), std::max(a, b)});
    }
    sort_unique(pairs);
    CHECK(pairs == std::vector<Pair>(want.begin(), want.end()));
  }
}

TEST_CASE("lsh: candidate_pairs rejects bad parameters") {
  const Corpus c = make_corpus(1, 5, 16, 0.0);
  CandidateStats st;
  CHECK_THROWS_AS(run(c, {0, 4}, 100, st), std::invalid_argument);
  CHECK_THROWS_AS(run(c, {4, 0}, 100, st), std::invalid_argument);
  CHECK_THROWS_AS(run(c, {5, 4}, 100, st), std::invalid_argument);
  std::vector<std::uint8_t> short_include(c.include.size() - 1, 1);
  CHECK_THROWS_AS(candidate_pairs(c.sigs, 16, short_include, {4, 4}, 1, 100, st), std::invalid_argument);
  CHECK_NOTHROW(run(c, {4, 4}, 100, st));
}

TEST_CASE("lsh: candidate_pairs equals the brute-force equal-band reference") {
  for (std::uint64_t seed : {31u, 32u, 33u}) {
    const Corpus c = make_corpus(seed, 60, 128, 0.1);
    const std::size_t n = c.sets.size();
    for (const BandParams p : {BandParams{32, 4}, BandParams{16, 8}, BandParams{20, 5}, BandParams{128, 1}}) {
      CandidateStats st;
      const auto got = run(c, p, kNoHotBuckets, st, seed);
      INFO("seed=" << seed << " bands=" << p.bands << " rows=" << p.rows);
      check_well_formed(got, n);
      CHECK(got == brute_candidates(c, p));
      CHECK(st.candidate_pairs == got.size());
      CHECK(st.hot_buckets == 0);
      std::size_t included = 0;
      for (auto inc : c.include) included += inc;
      CHECK(st.entries == included * p.bands);
      for (const auto& [i, j] : got) {
        CHECK(c.include[i] == 1);
        CHECK(c.include[j] == 1);
      }
      // Identical sets are candidates whenever both are included.
      for (std::size_t i = 0; i < n; ++i)
        for (std::size_t j = i + 1; j < n; ++j)
          if (c.include[i] && c.include[j] && c.sets[i] == c.sets[j])
            CHECK(std::binary_search(got.begin(), got.end(),
                                     Pair{static_cast<std::uint32_t>(i), static_cast<std::uint32_t>(j)}));
    }
  }
}

TEST_CASE("lsh: hot buckets keep the candidate graph's components") {
  // Many exact copies make buckets larger than max_bucket = 2: the result is a subset of the
  // brute-force pairs with the same connected components.
  for (std::uint64_t seed : {41u, 42u}) {
    Corpus c = make_corpus(seed, 40, 64, 0.0);
    const std::size_t base = c.sets.size();
    for (std::size_t copy = 0; copy < 6; ++copy) {  // six more copies of doc 0
      c.sets.push_back(c.sets[0]);
      c.sigs.insert(c.sigs.end(), c.sigs.begin(), c.sigs.begin() + 64);
      c.include.push_back(1);
    }
    const BandParams p{16, 4};
    CandidateStats st;
    const auto got = run(c, p, 2, st, seed);
    const auto want = brute_candidates(c, p);
    CHECK(st.hot_buckets > 0);
    CHECK(got.size() < want.size());
    CHECK(std::includes(want.begin(), want.end(), got.begin(), got.end()));
    MiniUnionFind ug(c.sets.size()), uw(c.sets.size());
    for (const auto& [i, j] : got) ug.unite(i, j);
    for (const auto& [i, j] : want) uw.unite(i, j);
    const auto lg = ug.labels(), lw = uw.labels();
    for (std::size_t i = 0; i < c.sets.size(); ++i)
      for (std::size_t j = i + 1; j < c.sets.size(); ++j) CHECK((lg[i] == lg[j]) == (lw[i] == lw[j]));
    for (std::size_t i = base; i < c.sets.size(); ++i) CHECK(lg[i] == lg[0]);
  }
}

TEST_CASE("lsh: recall of exact-Jaccard pairs matches the S-curve") {
  const std::uint32_t k = 128;
  for (std::uint64_t seed : {51u, 52u}) {
    const Corpus c = make_corpus(seed, 150, k, 0.1);
    const auto all = samestory::eval::all_pairs_jaccard(c.sets, 0.2);
    for (const double t : {0.3, 0.5, 0.7, 0.85}) {
      const BandParams p = optimal_bands(t, k, 0.5, 0.5);
      CandidateStats st;
      const auto got = run(c, p, kNoHotBuckets, st, seed);
      std::vector<samestory::eval::ScoredPair> truth;
      for (const auto& sp : all)
        if (sp.similarity >= t && c.include[sp.i] && c.include[sp.j]) truth.push_back(sp);
      REQUIRE(truth.size() >= 30);
      double expected = 0, variance = 0, min_p = 1;
      std::size_t found = 0;
      for (const auto& sp : truth) {
        const double pr = candidate_probability(sp.similarity, p);
        expected += pr;
        variance += pr * (1 - pr);
        min_p = std::min(min_p, pr);
        found += std::binary_search(got.begin(), got.end(), Pair{sp.i, sp.j});
      }
      const double recall = samestory::eval::candidate_quality(truth, got, 0, 0).recall;
      const auto truth_n = static_cast<double>(truth.size());
      INFO("seed=" << seed << " t=" << t << " " << p.bands << "x" << p.rows << " truth=" << truth.size()
                   << " found=" << found << " expected=" << expected << " min_p=" << min_p);
      CHECK(recall == doctest::Approx(static_cast<double>(found) / truth_n));
      CHECK(static_cast<double>(found) >= expected - 3 * std::sqrt(variance) - 1);
      CHECK(recall >= min_p - 3 * std::sqrt(variance) / truth_n - 1 / truth_n);
    }
  }
}

TEST_CASE("lsh: more bands at fixed rows only add candidates") {
  const Corpus c = make_corpus(61, 120, 128, 0.05);
  const auto truth = samestory::eval::all_pairs_jaccard(c.sets, 0.5);
  std::vector<samestory::eval::ScoredPair> included;
  for (const auto& sp : truth)
    if (c.include[sp.i] && c.include[sp.j]) included.push_back(sp);
  for (std::uint32_t rows : {2u, 4u, 8u}) {
    std::vector<Pair> prev;
    double prev_recall = -1, first_recall = -1;
    BandParams last{};
    for (std::uint32_t bands = 1; bands * rows <= 128; bands *= 2) {
      CandidateStats st;
      const auto got = run(c, {bands, rows}, kNoHotBuckets, st);
      const double recall = samestory::eval::candidate_quality(included, got, 0, 0).recall;
      INFO("rows=" << rows << " bands=" << bands << " recall=" << recall);
      CHECK(std::includes(got.begin(), got.end(), prev.begin(), prev.end()));
      CHECK(recall >= prev_recall);
      if (bands == 1) first_recall = recall;
      prev = got;
      prev_recall = recall;
      last = {bands, rows};
    }
    // Recall really rises, and at the most bands it is what the S-curve predicts.
    CHECK(prev_recall > first_recall);
    double expected = 0, variance = 0;
    for (const auto& sp : included) {
      const double pr = candidate_probability(sp.similarity, last);
      expected += pr;
      variance += pr * (1 - pr);
    }
    const auto n = static_cast<double>(included.size());
    CHECK(prev_recall >= (expected - 3 * std::sqrt(variance) - 1) / n);
  }
}

TEST_CASE("lsh: candidate_pairs does not depend on the thread count") {
  // Allow a real 4-thread arena even on a 2-core machine.
  const tbb::global_control allow(tbb::global_control::max_allowed_parallelism, 4);
  const Corpus c = make_corpus(71, 400, 128, 0.1);
  for (const BandParams p : {BandParams{32, 4}, BandParams{8, 2}}) {
    for (std::uint32_t max_bucket : {3u, 1000u}) {
      std::vector<Pair> r1, r4;
      CandidateStats s1, s4;
      tbb::task_arena one(1), four(4);
      one.execute([&] { r1 = run(c, p, max_bucket, s1); });
      four.execute([&] { r4 = run(c, p, max_bucket, s4); });
      CHECK(!r1.empty());
      CHECK(r1 == r4);
      CHECK(s1.entries == s4.entries);
      CHECK(s1.buckets == s4.buckets);
      CHECK(s1.largest_bucket == s4.largest_bucket);
      CHECK(s1.hot_buckets == s4.hot_buckets);
      CHECK(s1.raw_pairs == s4.raw_pairs);
      CHECK(s1.candidate_pairs == s4.candidate_pairs);
    }
  }
}
