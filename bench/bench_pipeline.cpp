// The whole pipeline (in memory, no I/O) on synthetic corpora.
#include <benchmark/benchmark.h>

#include "bench_corpus.hpp"
#include "pipeline/pipeline.hpp"

using namespace samestory;

static void BM_Pipeline(benchmark::State& state) {
  const auto docs = bench::synthetic_corpus(static_cast<std::size_t>(state.range(0)));
  const auto check = run_pipeline(docs, {});
  if (check.stats.dup_groups_multi == 0) state.SkipWithError("planted duplicates not found");
  for (auto _ : state) benchmark::DoNotOptimize(run_pipeline(docs, {}));
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * bench::corpus_bytes(docs)));
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * docs.size()));
}
BENCHMARK(BM_Pipeline)->Arg(2000)->Arg(10000)->Unit(benchmark::kMillisecond)->UseRealTime();

BENCHMARK_MAIN();
