#include "sketch/minhash.hpp"

#include <xxhash.h>

#include <algorithm>
#include <limits>
#include <stdexcept>
#include <string>

namespace samestory::sketch {

std::uint64_t derive_seed(std::uint64_t master, std::uint64_t index) noexcept {
  std::uint64_t z = master + (index + 1) * 0x9E3779B97F4A7C15ULL;
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
  return z ^ (z >> 31);
}

MinHasher::MinHasher(const MinHashParams& params) : params_(params) {
  if (params.num_perm < 1 || params.num_perm > 4096)
    throw std::invalid_argument("num_perm " + std::to_string(params.num_perm) + " is out of range 1..4096");
  if (params.shingle < 1 || params.shingle > 64)
    throw std::invalid_argument("shingle " + std::to_string(params.shingle) + " is out of range 1..64");
  shingle_seed_ = derive_seed(params.seed, 0xFFFFFFFFULL);
  a_.resize(params.num_perm);
  b_.resize(params.num_perm);
  for (std::uint32_t i = 0; i < params.num_perm; ++i) {
    a_[i] = derive_seed(params.seed, 2 * std::uint64_t{i}) | 1;
    b_[i] = derive_seed(params.seed, 2 * std::uint64_t{i} + 1);
  }
}

void MinHasher::shingles(std::span<const std::uint64_t> tokens, std::vector<std::uint64_t>& out) const {
  if (tokens.empty()) return;
  const std::size_t w = std::min<std::size_t>(params_.shingle, tokens.size());
  for (std::size_t i = 0; i + w <= tokens.size(); ++i)
    out.push_back(XXH3_64bits_withSeed(tokens.data() + i, w * sizeof(std::uint64_t), shingle_seed_));
}

void MinHasher::sign(std::span<const std::uint64_t> shingles, std::span<std::uint32_t> out) const {
  const std::size_t k = params_.num_perm;
  if (out.size() != k) throw std::invalid_argument("signature span has the wrong size");
  std::fill(out.begin(), out.end(), std::numeric_limits<std::uint32_t>::max());
  const std::uint64_t* a = a_.data();
  const std::uint64_t* b = b_.data();
  std::uint32_t* sig = out.data();
  for (const std::uint64_t x : shingles) {
    for (std::size_t i = 0; i < k; ++i) {
      const auto v = static_cast<std::uint32_t>((a[i] * x + b[i]) >> 32);
      sig[i] = v < sig[i] ? v : sig[i];
    }
  }
}

double exact_jaccard(std::span<const std::uint64_t> a, std::span<const std::uint64_t> b) noexcept {
  if (a.empty() && b.empty()) return 1.0;
  std::size_t i = 0, j = 0, inter = 0;
  while (i < a.size() && j < b.size()) {
    if (a[i] < b[j]) ++i;
    else if (b[j] < a[i]) ++j;
    else ++inter, ++i, ++j;
  }
  return static_cast<double>(inter) / static_cast<double>(a.size() + b.size() - inter);
}

double estimate_jaccard(std::span<const std::uint32_t> a, std::span<const std::uint32_t> b) noexcept {
  if (a.empty() || a.size() != b.size()) return 0.0;
  std::size_t eq = 0;
  for (std::size_t i = 0; i < a.size(); ++i) eq += a[i] == b[i];
  return static_cast<double>(eq) / static_cast<double>(a.size());
}

}  // namespace samestory::sketch
