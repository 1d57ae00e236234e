// TF-IDF on the story term counts of generated articles: fit_rows per story field (document
// frequencies and vectors in one pass), checked once against IdfModel::fit + transform_rows;
// and the cosine the story stage computes for each candidate pair, per code path, by the merge
// (checked once against Eigen's sparse dot) and by a ScatteredRow per first doc (checked once
// against the merge).
#include <benchmark/benchmark.h>

#include <array>
#include <cstring>

#include "bench_corpus.hpp"
#include "cluster/stories.hpp"
#include "tfidf/tfidf.hpp"

using namespace samestory;

namespace {

const std::array<std::vector<tfidf::TermCounts>, cluster::kStoryFields>& counts() {
  static const auto c = bench::story_counts(bench::generated_20k());
  return c;
}

bool same_rows(const tfidf::SparseRows& a, const tfidf::SparseRows& b) {
  const auto rows = static_cast<std::size_t>(a.rows()), nnz = static_cast<std::size_t>(a.nonZeros());
  return a.rows() == b.rows() && a.cols() == b.cols() && a.nonZeros() == b.nonZeros() &&
         std::memcmp(a.outerIndexPtr(), b.outerIndexPtr(), (rows + 1) * sizeof(std::int32_t)) == 0 &&
         std::memcmp(a.innerIndexPtr(), b.innerIndexPtr(), nnz * sizeof(std::int32_t)) == 0 &&
         std::memcmp(a.valuePtr(), b.valuePtr(), nnz * sizeof(float)) == 0;
}

void BM_FitRows(benchmark::State& state) {
  const auto f = static_cast<std::size_t>(state.range(0));
  const std::uint32_t min_df = f == cluster::kBigram ? 2 : 1;
  const auto& docs = counts()[f];
  const auto blocks = tfidf::to_blocks(docs);
  auto work = blocks;
  const auto got = tfidf::fit_rows(work, min_df);
  if (!same_rows(got, tfidf::IdfModel::fit(docs, min_df).transform_rows(docs))) {
    state.SkipWithError("fit_rows differs from IdfModel::fit + transform_rows");
    return;
  }
  std::size_t entries = 0;
  for (const auto& d : docs) entries += d.size();
  for (auto _ : state) {
    state.PauseTiming();
    work = blocks;  // fit_rows overwrites the terms with indices
    state.ResumeTiming();
    benchmark::DoNotOptimize(tfidf::fit_rows(work, min_df).nonZeros());
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * docs.size()));
  state.counters["terms/doc"] = static_cast<double>(entries) / static_cast<double>(docs.size());
  state.counters["vocabulary"] = static_cast<double>(got.cols());
}

const cluster::StoryCorpus& bench_corpus() {
  static const cluster::StoryCorpus c = bench::story_corpus(bench::generated_20k());
  return c;
}

/// The story stage's candidate pairs of bench_corpus(), sorted by first doc.
const std::vector<lsh::Pair>& bench_pairs() {
  static const std::vector<lsh::Pair> p = [] {
    lsh::CandidateStats stats;
    return cluster::story_candidates(bench_corpus(), cluster::StoryOptions{}, stats);
  }();
  return p;
}

void BM_Cosine(benchmark::State& state, tfidf::CosinePath path) {
  if (path == tfidf::CosinePath::avx2) {
    try {
      tfidf::cosine(tfidf::Row{}, tfidf::Row{}, path);
    } catch (const std::invalid_argument&) {
      state.SkipWithError("no AVX2 on this CPU");
      return;
    }
  }
  const auto& corpus = bench_corpus();
  const auto& pairs = bench_pairs();
  for (std::size_t k = 0; k < std::min<std::size_t>(pairs.size(), 2000); ++k)
    for (std::size_t f = 0; f < cluster::kStoryFields; ++f) {
      const auto a = tfidf::to_vector(corpus.fields[f], pairs[k].first);
      const auto b = tfidf::to_vector(corpus.fields[f], pairs[k].second);
      const double got = tfidf::cosine(tfidf::row(corpus.fields[f], pairs[k].first),
                                       tfidf::row(corpus.fields[f], pairs[k].second), path);
      if (got != static_cast<double>(a.dot(b))) {
        state.SkipWithError("cosine differs from Eigen's sparse dot");
        return;
      }
    }
  std::size_t entries = 0;
  for (const auto& [i, j] : pairs)
    for (std::size_t f = 0; f < cluster::kStoryFields; ++f)
      entries += tfidf::row(corpus.fields[f], i).size + tfidf::row(corpus.fields[f], j).size;
  for (auto _ : state) {
    double sum = 0;
    for (const auto& [i, j] : pairs)
      for (std::size_t f = 0; f < cluster::kStoryFields; ++f)
        sum += tfidf::cosine(tfidf::row(corpus.fields[f], i), tfidf::row(corpus.fields[f], j), path);
    benchmark::DoNotOptimize(sum);
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * pairs.size()));
  state.counters["entries/pair"] = static_cast<double>(entries) / static_cast<double>(pairs.size());
}

/// The story stage's way: each first doc spread over a ScatteredRow per field, then compared
/// with its partners (checked once against the merge cosine).
void BM_CosineScattered(benchmark::State& state) {
  const auto& corpus = bench_corpus();
  const auto& pairs = bench_pairs();
  std::vector<tfidf::ScatteredRow> spread;
  for (std::size_t f = 0; f < cluster::kStoryFields; ++f) spread.emplace_back(corpus.fields[f].cols());
  auto run = [&](auto&& each) {
    std::uint32_t at = ~std::uint32_t{0};
    for (const auto& [i, j] : pairs) {
      if (i != at) {
        for (std::size_t f = 0; f < cluster::kStoryFields; ++f) spread[f].set(tfidf::row(corpus.fields[f], i));
        at = i;
      }
      for (std::size_t f = 0; f < cluster::kStoryFields; ++f)
        each(i, j, f, spread[f].dot(tfidf::row(corpus.fields[f], j)));
    }
  };
  bool same = true;
  run([&](std::uint32_t i, std::uint32_t j, std::size_t f, double got) {
    same = same && got == tfidf::cosine(tfidf::row(corpus.fields[f], i), tfidf::row(corpus.fields[f], j));
  });
  if (!same) {
    state.SkipWithError("the scattered dot differs from the merge cosine");
    return;
  }
  for (auto _ : state) {
    double sum = 0;
    run([&](std::uint32_t, std::uint32_t, std::size_t, double got) { sum += got; });
    benchmark::DoNotOptimize(sum);
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * pairs.size()));
}

}  // namespace

BENCHMARK(BM_FitRows)->DenseRange(0, 3)->ArgName("field")->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK_CAPTURE(BM_Cosine, portable, tfidf::CosinePath::portable)->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_Cosine, avx2, tfidf::CosinePath::avx2)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_CosineScattered)->Unit(benchmark::kMillisecond);

BENCHMARK_MAIN();
