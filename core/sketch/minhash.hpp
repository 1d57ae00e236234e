#pragma once
// MinHash signatures over word shingles: classic (k independent permutations, with an AVX2 path
// chosen at run time and a portable path giving identical signatures) and one-permutation
// hashing with optimal densification.

#include <cstdint>
#include <span>
#include <string>
#include <vector>

namespace samestory::sketch {

/// splitmix64 finaliser of (master, index): every permutation and band seed comes from here.
std::uint64_t derive_seed(std::uint64_t master, std::uint64_t index) noexcept;

/// How a signature is computed from the shingle hashes. The value is stored in index files.
enum class MinHashScheme : std::uint32_t {
  classic = 0,  ///< k hash functions, the minimum of each over the shingles
  oph = 1,      ///< one hash split into k bins, empty bins filled by optimal densification
};

/// "classic" or "oph".
const char* scheme_name(MinHashScheme s) noexcept;
/// Parses "classic" or "oph"; throws std::invalid_argument otherwise.
MinHashScheme parse_scheme(const std::string& name);

/// MinHash parameters; validated once by MinHasher.
struct MinHashParams {
  std::uint32_t num_perm = 128;  ///< signature length (values per article), 1..4096
  std::uint32_t shingle = 5;     ///< words per shingle, 1..64
  std::uint64_t seed = 1;        ///< master seed
  MinHashScheme scheme = MinHashScheme::classic;
};

/// Which implementation of the classic scheme `sign` runs (the oph scheme has one).
enum class SignPath {
  best,    ///< avx2 when the CPU has it, else scalar
  scalar,  ///< portable C++ (baseline x86-64 or any other target)
  avx2,    ///< AVX2 intrinsics (x86-64 only); identical signatures
};

/// True when this build has the AVX2 path and the CPU running it supports AVX2.
bool avx2_available() noexcept;

/// Builds signatures. Shingle hashes are XXH3 over `shingle` consecutive token hashes (64 bits,
/// also used for exact Jaccard). With fmix64 MurmurHash3's 64-bit finaliser, a signature hashes
/// each shingle x to 32 bits, y = lo32(h) ^ hi32(h) with h = fmix64(x), then
/// - classic: value i is the minimum over shingles of a_i * y + b_i (mod 2^32), a_i odd, with
///   (a_i, b_i) derived from (seed, i): a bijection of y per i, so 32-bit SIMD lanes compute it;
/// - oph: h = fmix64(x ^ s) picks bin floor(hi32(h) * k / 2^32) and value lo32(h); each bin keeps
///   its minimum; an empty bin copies the value of the first non-empty bin reached by probing
///   bins derived from (seed, bin, attempt) (after 64 probes, the next non-empty bin in order).
class MinHasher {
 public:
  /// Throws std::invalid_argument for out-of-range parameters.
  explicit MinHasher(const MinHashParams& params);

  /// Appends the shingle hashes of a token-hash sequence. A sequence shorter than one
  /// shingle yields a single shingle of all its tokens; an empty one yields none.
  void shingles(std::span<const std::uint64_t> tokens, std::vector<std::uint64_t>& out) const;

  /// Writes the signature of a shingle multiset to `out` (size num_perm). No shingles gives
  /// all 0xFFFFFFFF. Throws std::invalid_argument for a wrong `out` size, and for
  /// SignPath::avx2 when avx2_available() is false.
  void sign(std::span<const std::uint64_t> shingles, std::span<std::uint32_t> out,
            SignPath path = SignPath::best) const;

  /// A signature built in parts, for shingles that arrive in several batches: start(), then
  /// update() per batch, then finish(); `sig` ends equal to sign() of all the batches together
  /// (a shingle seen twice changes nothing). `filled` holds filled_words() words: the oph
  /// scheme marks its non-empty bins there (finish() densifies from them); classic ignores it.
  /// Throws std::invalid_argument for wrong span sizes.
  std::size_t filled_words() const noexcept {
    return params_.scheme == MinHashScheme::oph ? (params_.num_perm + 63) / 64 : 0;
  }
  void start(std::span<std::uint32_t> sig, std::span<std::uint64_t> filled) const;
  void update(std::span<const std::uint64_t> shingles, std::span<std::uint32_t> sig, std::span<std::uint64_t> filled,
              SignPath path = SignPath::best) const;
  void finish(std::span<std::uint32_t> sig, std::span<const std::uint64_t> filled) const;

  const MinHashParams& params() const noexcept { return params_; }

 private:
  void check(std::span<const std::uint32_t> sig, std::span<const std::uint64_t> filled) const;
  void update_classic(std::span<const std::uint64_t> shingles, std::uint32_t* sig, SignPath path) const;
  void update_oph(std::span<const std::uint64_t> shingles, std::uint32_t* sig, std::uint64_t* filled) const;
  void densify(std::uint32_t* sig, const std::uint64_t* filled) const;

  MinHashParams params_;
  std::uint64_t shingle_seed_;
  std::uint64_t oph_seed_;
  bool avx2_;
  std::vector<std::uint32_t> a_, b_;
};

/// Exact Jaccard similarity of two sorted, distinct hash sets (1 when both are empty).
double exact_jaccard(std::span<const std::uint64_t> a, std::span<const std::uint64_t> b) noexcept;

/// Fraction of equal positions: the MinHash estimate of Jaccard similarity.
double estimate_jaccard(std::span<const std::uint32_t> a, std::span<const std::uint32_t> b) noexcept;

}  // namespace samestory::sketch
