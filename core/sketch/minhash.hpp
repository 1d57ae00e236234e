#pragma once
// MinHash signatures over word shingles.

#include <cstdint>
#include <span>
#include <vector>

namespace samestory::sketch {

/// splitmix64 finaliser of (master, index): every permutation and band seed comes from here.
std::uint64_t derive_seed(std::uint64_t master, std::uint64_t index) noexcept;

/// MinHash parameters; validated once by MinHasher.
struct MinHashParams {
  std::uint32_t num_perm = 128;  ///< signature length (values per article), 1..4096
  std::uint32_t shingle = 5;     ///< words per shingle, 1..64
  std::uint64_t seed = 1;        ///< master seed
};

/// Builds signatures: shingle hashes are XXH3 over `shingle` consecutive token hashes, and
/// permutation i maps a shingle hash x to (a_i * x + b_i) >> 32 (multiply-shift, a_i odd),
/// with (a_i, b_i) derived from (seed, i). A signature value is the minimum over shingles.
class MinHasher {
 public:
  /// Throws std::invalid_argument for out-of-range parameters.
  explicit MinHasher(const MinHashParams& params);

  /// Appends the shingle hashes of a token-hash sequence. A sequence shorter than one
  /// shingle yields a single shingle of all its tokens; an empty one yields none.
  void shingles(std::span<const std::uint64_t> tokens, std::vector<std::uint64_t>& out) const;

  /// Writes the signature of a shingle multiset to `out` (size num_perm). No shingles gives
  /// all 0xFFFFFFFF.
  void sign(std::span<const std::uint64_t> shingles, std::span<std::uint32_t> out) const;

  const MinHashParams& params() const noexcept { return params_; }

 private:
  MinHashParams params_;
  std::uint64_t shingle_seed_;
  std::vector<std::uint64_t> a_, b_;
};

/// Exact Jaccard similarity of two sorted, distinct hash sets (1 when both are empty).
double exact_jaccard(std::span<const std::uint64_t> a, std::span<const std::uint64_t> b) noexcept;

/// Fraction of equal positions: the MinHash estimate of Jaccard similarity.
double estimate_jaccard(std::span<const std::uint32_t> a, std::span<const std::uint32_t> b) noexcept;

}  // namespace samestory::sketch
