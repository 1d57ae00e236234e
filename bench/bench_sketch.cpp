// MinHash signature throughput per article for k = 64, 128, 256.
#include <benchmark/benchmark.h>

#include "bench_corpus.hpp"
#include "sketch/minhash.hpp"
#include "text/tokenize.hpp"

using namespace samestory;

static void BM_Sign(benchmark::State& state) {
  const auto docs = bench::synthetic_corpus(100);
  const sketch::MinHasher hasher({static_cast<std::uint32_t>(state.range(0)), 5, 1});
  std::vector<std::vector<std::uint64_t>> shingles(docs.size());
  for (std::size_t i = 0; i < docs.size(); ++i) {
    text::AnalyzedText t;
    text::analyze("", docs[i].text, {}, t);
    hasher.shingles(t.tokens, shingles[i]);
  }
  std::vector<std::uint32_t> sig(hasher.params().num_perm);
  hasher.sign(shingles[0], sig);
  if (sig[0] == 0xFFFFFFFFu) state.SkipWithError("empty signature");
  for (auto _ : state)
    for (const auto& s : shingles) {
      hasher.sign(s, sig);
      benchmark::DoNotOptimize(sig.data());
    }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * docs.size()));
}
BENCHMARK(BM_Sign)->Arg(64)->Arg(128)->Arg(256)->Unit(benchmark::kMicrosecond);

BENCHMARK_MAIN();
