#pragma once
// A deterministic synthetic corpus for the benchmarks (Zipf-like vocabulary, ~4 KB articles).
#include <cmath>
#include <cstdint>
#include <string>
#include <vector>

#include "io/article.hpp"

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

}  // namespace samestory::bench
