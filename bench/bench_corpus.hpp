#pragma once
// Corpora for the benchmarks: a synthetic one (Zipf-like vocabulary, ~4 KB articles) built in
// memory, and the generator's (`samestory gen`) read through the JSONL reader.
#include <unistd.h>

#include <array>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <string>
#include <vector>

#include "cluster/stories.hpp"
#include "cluster/story_terms.hpp"
#include "gen/generator.hpp"
#include "io/article.hpp"
#include "io/reader.hpp"
#include "text/tokenize.hpp"
#include "tfidf/tfidf.hpp"

namespace samestory::bench {

inline std::uint64_t splitmix(std::uint64_t& s) {
  std::uint64_t z = (s += 0x9E3779B97F4A7C15ULL);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
  return z ^ (z >> 31);
}

/// n articles of about `words` words; every 10th is an edited copy of an earlier one.
inline std::vector<Article> synthetic_corpus(std::size_t n, std::size_t words = 650, std::uint64_t seed = 42) {
  std::vector<Article> out;
  out.reserve(n);
  std::uint64_t s = seed;
  for (std::size_t i = 0; i < n; ++i) {
    Article a;
    a.id = std::to_string(i);
    if (i % 10 == 9) {
      a.text = out[splitmix(s) % out.size()].text + "\nRelated Articles";
    } else {
      a.text.reserve(words * 7);
      for (std::size_t w = 0; w < words; ++w) {
        // Zipf-like: rank = floor(V^u) for uniform u.
        const double u = static_cast<double>(splitmix(s) >> 11) / 9007199254740992.0;
        const auto rank = static_cast<std::uint64_t>(std::pow(50000.0, u));
        a.text += (w % 12 == 0 ? "Word" : "word") + std::to_string(rank);
        a.text += (w % 25 == 24) ? ".\n" : " ";
      }
    }
    a.title = "Headline " + std::to_string(i % 997);
    out.push_back(std::move(a));
  }
  return out;
}

inline std::size_t corpus_bytes(const std::vector<Article>& docs) {
  std::size_t b = 0;
  for (const auto& d : docs) b += d.text.size() + d.title.size();
  return b;
}

/// The first n articles of `samestory gen --seed 1` (curly quotes on about half the lines, as
/// generated news has them), through a temporary JSONL file and the JSONL reader.
inline std::vector<Article> generated_corpus(std::size_t n) {
  namespace fs = std::filesystem;
  const fs::path path = fs::temp_directory_path() / ("samestory-bench-" + std::to_string(::getpid()) + ".jsonl");
  {
    gen::GenOptions g;
    g.articles = n;
    gen::Generator gn(g);
    std::FILE* f = std::fopen(path.c_str(), "wb");
    std::string line, gold;
    while (gn.next(line, gold)) {
      line.push_back('\n');
      std::fwrite(line.data(), 1, line.size(), f);
    }
    std::fclose(f);
  }
  std::vector<Article> out;
  std::vector<Reject> rejects;
  auto reader = open_reader(path.string(), ReadOptions{});
  while (reader->next_batch(out, rejects)) {
  }
  fs::remove(path);
  return out;
}

/// The first 20,000 articles of `samestory gen --seed 1`, read once: the corpus of the stage
/// benchmarks (bench_tfidf, bench_cluster).
inline const std::vector<Article>& generated_20k() {
  static const auto docs = generated_corpus(20000);
  return docs;
}

/// The story term counts of each article, per field (as the pipeline counts a canonical's, with
/// no boilerplate line), and with `extras` its extra terms (numbers, lead names, figures).
inline std::array<std::vector<tfidf::TermCounts>, cluster::kStoryFields> story_counts(
    const std::vector<Article>& docs,
    std::array<std::vector<tfidf::TermCounts>, cluster::kStoryExtras>* extras = nullptr) {
  std::array<std::vector<tfidf::TermCounts>, cluster::kStoryFields> out;
  text::AnalyzedText t;
  for (const auto& d : docs) {
    text::analyze(d.title, d.text, {}, t);
    const std::vector<std::uint8_t> none(t.lines.size(), 0);
    auto c = cluster::story_terms(t, none);
    for (std::size_t f = 0; f < cluster::kStoryFields; ++f) out[f].push_back(std::move(c[f]));
    if (!extras) continue;
    auto e = cluster::story_extra_terms(t, none);
    for (std::size_t x = 0; x < cluster::kStoryExtras; ++x) (*extras)[x].push_back(std::move(e[x]));
  }
  return out;
}

/// The story stage's input for the articles (each its own canonical), as the pipeline builds it
/// at the default options: the four fields and the three extras (numbers, lead names, figures).
inline cluster::StoryCorpus story_corpus(const std::vector<Article>& docs) {
  std::array<std::vector<tfidf::TermCounts>, cluster::kStoryExtras> extras;
  auto counts = story_counts(docs, &extras);
  cluster::StoryCorpus c;
  for (std::size_t f = 0; f < cluster::kStoryFields; ++f)
    c.fields[f] = tfidf::fit_rows(counts[f], f == cluster::kBigram ? 2 : 1);
  for (std::size_t x = 0; x < cluster::kStoryExtras; ++x) c.extras[x] = tfidf::fit_rows(extras[x], 1);
  for (const auto& d : docs) {
    c.published.push_back(d.published);
    c.keys.push_back({d.published, d.text.size()});
  }
  return c;
}

}  // namespace samestory::bench
