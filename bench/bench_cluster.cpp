// Clustering: union-find dup groups over random edges, story candidates and the whole story
// stage on generated articles. Each is checked once before timing: dup groups against BFS
// components, the candidates against a brute-force count of shared salient terms, the story
// stage against the naive O(n^3) average-link reference of tests/cluster_reference.hpp.
#include <benchmark/benchmark.h>

#include <algorithm>
#include <set>

#include "../tests/cluster_reference.hpp"
#include "../tests/random.hpp"
#include "bench_corpus.hpp"
#include "cluster/dup_groups.hpp"
#include "cluster/stories.hpp"

using namespace samestory;

namespace {

const cluster::StoryCorpus& corpus() {
  static const auto c = bench::story_corpus(bench::generated_20k());
  return c;
}

/// The story corpus of the first n generated articles (their own TF-IDF statistics).
cluster::StoryCorpus slice(std::size_t n) {
  return bench::story_corpus(std::vector<Article>(bench::generated_20k().begin(),
                                                  bench::generated_20k().begin() + static_cast<std::ptrdiff_t>(n)));
}

void BM_DupGroups(benchmark::State& state) {
  const auto n = static_cast<std::size_t>(state.range(0));
  test::SplitMix64 rng{7};
  std::vector<lsh::Pair> edges;
  for (std::size_t k = 0; k < n / 2; ++k) {
    const auto a = static_cast<std::uint32_t>(rng.below(n)), b = static_cast<std::uint32_t>(rng.below(n));
    if (a != b) edges.emplace_back(std::min(a, b), std::max(a, b));
  }
  std::sort(edges.begin(), edges.end());
  edges.erase(std::unique(edges.begin(), edges.end()), edges.end());
  std::vector<cluster::CanonicalKey> keys(n);
  for (auto& k : keys) {
    if (rng.below(2)) k.published = static_cast<std::int64_t>(rng.below(1000));
    k.length = rng.below(5000);
  }
  const auto groups = cluster::dup_groups(edges, keys);
  if (test::canonical_partition(groups) != test::canonical_partition(test::bfs_components(n, edges))) {
    state.SkipWithError("dup groups differ from BFS components");
    return;
  }
  for (auto _ : state) benchmark::DoNotOptimize(cluster::dup_groups(edges, keys).data());
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * edges.size()));
}

/// Pairs sharing at least min_shared of their salient terms, all of them (no cap), by brute
/// force: each doc's top salient_terms body and entity weights (ties by field, then index).
std::vector<lsh::Pair> brute_candidates(const cluster::StoryCorpus& c, const cluster::StoryOptions& o) {
  std::vector<std::set<std::uint64_t>> salient(c.size());
  for (std::size_t i = 0; i < c.size(); ++i) {
    std::vector<std::pair<float, std::uint64_t>> terms;
    for (std::size_t f : {std::size_t{cluster::kBody}, std::size_t{cluster::kEntity}}) {
      const auto r = tfidf::row(c.fields[f], static_cast<Eigen::Index>(i));
      for (std::size_t k = 0; k < r.size; ++k)
        terms.emplace_back(r.value[k], (std::uint64_t{f} << 32) | static_cast<std::uint32_t>(r.index[k]));
    }
    std::sort(terms.begin(), terms.end(), [](const auto& x, const auto& y) {
      return x.first != y.first ? x.first > y.first : x.second < y.second;
    });
    for (std::size_t k = 0; k < std::min<std::size_t>(terms.size(), o.salient_terms); ++k)
      salient[i].insert(terms[k].second);
  }
  std::vector<lsh::Pair> out;
  for (std::uint32_t i = 0; i < c.size(); ++i)
    for (std::uint32_t j = i + 1; j < c.size(); ++j) {
      std::size_t shared = 0;
      for (auto t : salient[i]) shared += salient[j].count(t);
      if (shared >= o.min_shared) out.emplace_back(i, j);
    }
  return out;
}

void BM_StoryCandidates(benchmark::State& state) {
  {
    cluster::StoryOptions all;  // every pair of the buckets, none chained
    all.max_candidates_per_doc = 0;
    all.max_bucket = 1u << 30;
    const auto small = slice(1000);
    lsh::CandidateStats stats;
    if (cluster::story_candidates(small, all, stats) != brute_candidates(small, all)) {
      state.SkipWithError("story candidates differ from the brute-force pairs");
      return;
    }
  }
  const cluster::StoryOptions o;
  const cluster::StoryCorpus& c = corpus();  // built before the timing
  std::size_t pairs = 0;
  for (auto _ : state) {
    lsh::CandidateStats stats;
    pairs = cluster::story_candidates(c, o, stats).size();
    benchmark::DoNotOptimize(pairs);
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * c.size()));
  state.counters["pairs/doc"] = static_cast<double>(pairs) / static_cast<double>(c.size());
}

void BM_ClusterStories(benchmark::State& state) {
  {
    // The reference compares every pair sharing min_shared body or entity terms.
    cluster::StoryOptions all;
    all.salient_terms = 1u << 20;
    all.max_candidates_per_doc = 0;
    all.max_bucket = 1u << 30;
    const auto small = slice(120);
    std::vector<cluster::StoryDoc> docs;
    for (std::size_t i = 0; i < small.size(); ++i) docs.push_back(small.doc(i));
    if (test::canonical_partition(cluster::cluster_stories(docs, all).lead) != test::naive_in_story_order(docs, all)) {
      state.SkipWithError("stories differ from the naive average-link reference");
      return;
    }
  }
  const cluster::StoryOptions o;
  std::size_t merges = 0;
  for (auto _ : state) {
    state.PauseTiming();
    cluster::StoryCorpus work = corpus();  // consumed by the stage
    state.ResumeTiming();
    merges = cluster::cluster_stories(std::move(work), o).stats.merges;
    benchmark::DoNotOptimize(merges);
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * corpus().size()));
  state.counters["merges"] = static_cast<double>(merges);
}

}  // namespace

BENCHMARK(BM_DupGroups)->Arg(100000)->Arg(1000000)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_StoryCandidates)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_ClusterStories)->Unit(benchmark::kMillisecond)->UseRealTime();

BENCHMARK_MAIN();
