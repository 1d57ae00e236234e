// LSH candidate generation over n signatures.
#include <benchmark/benchmark.h>

#include "bench_corpus.hpp"
#include "lsh/lsh.hpp"
#include "pipeline/pipeline.hpp"

using namespace samestory;

static void BM_CandidatePairs(benchmark::State& state) {
  const std::size_t n = static_cast<std::size_t>(state.range(0));
  const std::uint32_t k = 128;
  std::vector<std::uint32_t> sigs(n * k);
  std::uint64_t s = 1;
  for (auto& v : sigs) v = static_cast<std::uint32_t>(bench::splitmix(s));
  for (std::size_t i = 10; i < n; i += 10)  // plant duplicates
    std::copy_n(sigs.begin() + static_cast<std::ptrdiff_t>((i - 5) * k), k,
                sigs.begin() + static_cast<std::ptrdiff_t>(i * k));
  std::vector<std::uint8_t> include(n, 1);
  const PipelineOptions defaults;  // the pipeline's banding at its default threshold
  const auto bands = lsh::optimal_bands(defaults.dup_threshold, k, defaults.lsh_fp_weight, defaults.lsh_fn_weight);
  lsh::CandidateStats st;
  if (lsh::candidate_pairs(sigs, k, include, bands, 1, 256, st).size() < n / 10 - 1)
    state.SkipWithError("planted duplicates not found");
  for (auto _ : state) {
    lsh::CandidateStats stats;
    benchmark::DoNotOptimize(lsh::candidate_pairs(sigs, k, include, bands, 1, 256, stats));
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * n));
}
BENCHMARK(BM_CandidatePairs)->Arg(10000)->Arg(100000)->Unit(benchmark::kMillisecond);

BENCHMARK_MAIN();
