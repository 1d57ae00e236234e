#pragma once
// Reference MinHash signatures (classic and oph) written the slow, obvious way from the
// documentation in core/sketch/minhash.hpp; used by test_sketch and to check bench_sketch.

#include <algorithm>
#include <cstdint>
#include <vector>

#include "sketch/minhash.hpp"

namespace samestory::test {

// Reference implementations of the hash families exactly as minhash.hpp documents them, written
// the slow, obvious way.
inline std::uint64_t ref_fmix64(std::uint64_t h) {
  h ^= h >> 33;
  h *= 0xFF51AFD7ED558CCDULL;
  h ^= h >> 33;
  h *= 0xC4CEB9FE1A85EC53ULL;
  h ^= h >> 33;
  return h;
}

inline std::vector<std::uint32_t> ref_classic(const samestory::sketch::MinHashParams& p,
                                              const std::vector<std::uint64_t>& shingles) {
  std::vector<std::uint32_t> sig(p.num_perm, 0xFFFFFFFFu);
  for (std::uint32_t i = 0; i < p.num_perm; ++i) {
    const std::uint64_t a = (samestory::sketch::derive_seed(p.seed, 2 * std::uint64_t{i}) >> 32) | 1;
    const std::uint64_t b = samestory::sketch::derive_seed(p.seed, 2 * std::uint64_t{i} + 1) >> 32;
    for (auto x : shingles) {
      const std::uint64_t h = ref_fmix64(x);
      const std::uint64_t y = (h & 0xFFFFFFFFu) ^ (h >> 32);
      sig[i] = std::min(sig[i], static_cast<std::uint32_t>((a * y + b) % (std::uint64_t{1} << 32)));
    }
  }
  return sig;
}

inline std::vector<std::uint32_t> ref_oph(const samestory::sketch::MinHashParams& p,
                                          const std::vector<std::uint64_t>& shingles) {
  const std::uint64_t k = p.num_perm, s = samestory::sketch::derive_seed(p.seed, 0xFFFFFFFEULL);
  std::vector<std::uint32_t> sig(k, 0xFFFFFFFFu);
  std::vector<bool> filled(k, false);
  for (auto x : shingles) {
    const std::uint64_t h = ref_fmix64(x ^ s);
    const std::uint64_t bin = (h >> 32) * k / (std::uint64_t{1} << 32);
    sig[bin] = std::min(sig[bin], static_cast<std::uint32_t>(h & 0xFFFFFFFFu));
    filled[bin] = true;
  }
  if (shingles.empty()) return sig;
  std::vector<std::uint32_t> out = sig;
  for (std::uint64_t i = 0; i < k; ++i) {
    if (filled[i]) continue;
    std::uint64_t j = i;
    bool found = false;
    for (std::uint64_t t = 0; t < 64 && !found; ++t) {
      j = (ref_fmix64(s + (i << 32 | t)) >> 32) * k / (std::uint64_t{1} << 32);
      found = filled[j];
    }
    while (!found) {
      j = (j + 1) % k;
      found = filled[j];
    }
    out[i] = sig[j];
  }
  return out;
}

}  // namespace samestory::test
