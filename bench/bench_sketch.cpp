// MinHash signature throughput per article for k = 64, 128, 256 on the classic scalar and AVX2
// paths and the one-permutation (oph) scheme; each checked once against the reference
// implementation of tests/minhash_reference.hpp before timing. BM_Shingles times shingling.
#include <benchmark/benchmark.h>

#include "../tests/minhash_reference.hpp"
#include "bench_corpus.hpp"
#include "sketch/minhash.hpp"
#include "text/tokenize.hpp"

using namespace samestory;

namespace {

std::vector<std::vector<std::uint64_t>> corpus_shingles(const sketch::MinHasher& hasher) {
  const auto docs = bench::synthetic_corpus(100);
  std::vector<std::vector<std::uint64_t>> shingles(docs.size());
  for (std::size_t i = 0; i < docs.size(); ++i) {
    text::AnalyzedText t;
    text::analyze("", docs[i].text, {}, t);
    hasher.shingles(t.tokens, shingles[i]);
  }
  return shingles;
}

void sign_bench(benchmark::State& state, sketch::MinHashScheme scheme, sketch::SignPath path) {
  if (path == sketch::SignPath::avx2 && !sketch::avx2_available()) {
    state.SkipWithError("no AVX2 on this CPU");
    return;
  }
  const sketch::MinHashParams params{static_cast<std::uint32_t>(state.range(0)), 5, 1, scheme};
  const sketch::MinHasher hasher(params);
  const auto shingles = corpus_shingles(hasher);
  std::vector<std::uint32_t> sig(params.num_perm);
  std::size_t total = 0;
  for (const auto& s : shingles) total += s.size();
  hasher.sign(shingles[0], sig, path);
  const auto want = scheme == sketch::MinHashScheme::oph ? test::ref_oph(params, shingles[0])
                                                         : test::ref_classic(params, shingles[0]);
  if (shingles[0].empty() || sig != want) {
    state.SkipWithError("signature differs from the reference");
    return;
  }
  for (auto _ : state)
    for (const auto& s : shingles) {
      hasher.sign(s, sig, path);
      benchmark::DoNotOptimize(sig.data());
    }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * shingles.size()));
  state.counters["shingles/doc"] = static_cast<double>(total) / static_cast<double>(shingles.size());
}

void BM_Sign_scalar(benchmark::State& state) {
  sign_bench(state, sketch::MinHashScheme::classic, sketch::SignPath::scalar);
}
void BM_Sign_avx2(benchmark::State& state) {
  sign_bench(state, sketch::MinHashScheme::classic, sketch::SignPath::avx2);
}
void BM_Sign_oph(benchmark::State& state) {
  sign_bench(state, sketch::MinHashScheme::oph, sketch::SignPath::best);
}

void BM_Shingles(benchmark::State& state) {
  const sketch::MinHasher hasher({});
  const auto docs = bench::synthetic_corpus(100);
  std::vector<std::vector<std::uint64_t>> tokens(docs.size());
  for (std::size_t i = 0; i < docs.size(); ++i) {
    text::AnalyzedText t;
    text::analyze("", docs[i].text, {}, t);
    tokens[i] = t.tokens;
  }
  std::vector<std::uint64_t> out;
  hasher.shingles(tokens[0], out);
  if (out.size() + 4 != tokens[0].size()) state.SkipWithError("wrong shingle count");
  for (auto _ : state)
    for (const auto& t : tokens) {
      out.clear();
      hasher.shingles(t, out);
      benchmark::DoNotOptimize(out.data());
    }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * docs.size()));
}

}  // namespace

BENCHMARK(BM_Sign_scalar)->Arg(64)->Arg(128)->Arg(256)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_Sign_avx2)->Arg(64)->Arg(128)->Arg(256)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_Sign_oph)->Arg(64)->Arg(128)->Arg(256)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_Shingles)->Unit(benchmark::kMicrosecond);

BENCHMARK_MAIN();
