// Normalise + tokenise + analyse throughput (bytes/s).
#include <benchmark/benchmark.h>

#include "bench_corpus.hpp"
#include "text/normalize.hpp"
#include "text/tokenize.hpp"

using namespace samestory;

static void BM_Analyze(benchmark::State& state) {
  const auto docs = bench::synthetic_corpus(200);
  text::AnalyzedText out;
  text::analyze(docs[0].title, docs[0].text, {}, out);
  if (out.tokens.empty()) state.SkipWithError("analysis produced no tokens");
  for (auto _ : state) {
    for (const auto& d : docs) {
      text::analyze(d.title, d.text, {}, out);
      benchmark::DoNotOptimize(out.tokens.data());
    }
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * bench::corpus_bytes(docs)));
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * docs.size()));
}
BENCHMARK(BM_Analyze)->Unit(benchmark::kMillisecond);

// The same with fresh output each time, as the pipeline and the feed index analyse.
static void BM_AnalyzeGenerated(benchmark::State& state) {
  const auto docs = bench::generated_corpus(1000);
  text::AnalyzedText check;
  text::analyze(docs[0].title, docs[0].text, {}, check);
  if (docs.size() != 1000 || check.tokens.empty()) state.SkipWithError("generated corpus or analysis is empty");
  for (auto _ : state) {
    for (const auto& d : docs) {
      text::AnalyzedText out;
      text::analyze(d.title, d.text, {}, out);
      benchmark::DoNotOptimize(out.tokens.data());
    }
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * bench::corpus_bytes(docs)));
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * docs.size()));
}
BENCHMARK(BM_AnalyzeGenerated)->Unit(benchmark::kMillisecond);

static void BM_NormalizeUnicode(benchmark::State& state) {
  const std::string line = "Le “président” a déclaré — à Genève — que l’accord ﬁnal était prêt. ";
  std::string text;
  for (int i = 0; i < 60; ++i) text += line;
  for (auto _ : state) benchmark::DoNotOptimize(text::normalize_line(text));
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * text.size()));
}
BENCHMARK(BM_NormalizeUnicode);

BENCHMARK_MAIN();
