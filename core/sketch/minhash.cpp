#include "sketch/minhash.hpp"

#define XXH_INLINE_ALL  // shingle hashes are short XXH3 calls: inlined, and specialised for the default length
#include <xxhash.h>

#include <algorithm>
#include <array>
#include <limits>
#include <stdexcept>
#include <string>

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#define SAMESTORY_HAVE_AVX2_PATH 1
#include <immintrin.h>
#endif

namespace samestory::sketch {

namespace {

constexpr std::uint32_t kNone = std::numeric_limits<std::uint32_t>::max();

/// MurmurHash3's 64-bit finaliser.
inline std::uint64_t fmix64(std::uint64_t h) noexcept {
  h ^= h >> 33;
  h *= 0xFF51AFD7ED558CCDULL;
  h ^= h >> 33;
  h *= 0xC4CEB9FE1A85EC53ULL;
  h ^= h >> 33;
  return h;
}

/// The 32-bit input of the classic permutations: mixed first, so that structured shingle hashes
/// (consecutive integers in tests) do not meet the lattice structure of a * y mod 2^32.
inline std::uint32_t fold32(std::uint64_t x) noexcept {
  const std::uint64_t h = fmix64(x);
  return static_cast<std::uint32_t>(h) ^ static_cast<std::uint32_t>(h >> 32);
}

/// floor(v * k / 2^32): maps a uniform 32-bit value onto 0..k-1.
inline std::uint32_t reduce(std::uint32_t v, std::uint32_t k) noexcept {
  return static_cast<std::uint32_t>((std::uint64_t{v} * k) >> 32);
}

/// The shingle hashes of `n` windows of W tokens at t[0], t[1], ...: W is a constant here, so
/// the inlined XXH3 picks its length branch at compile time.
template <std::size_t W>
void hash_windows(const std::uint64_t* t, std::size_t n, std::uint64_t seed, std::uint64_t* o) {
  for (std::size_t i = 0; i < n; ++i) o[i] = XXH3_64bits_withSeed(t + i, W * sizeof(std::uint64_t), seed);
}

/// Shingles are folded to 32 bits this many at a time (on the stack), then every permutation
/// runs over the chunk.
constexpr std::size_t kChunk = 512;

void sign_scalar(const std::uint32_t* a, const std::uint32_t* b, std::size_t k, const std::uint32_t* ys, std::size_t n,
                 std::uint32_t* sig) {
  for (std::size_t s = 0; s < n; ++s) {
    const std::uint32_t y = ys[s];
    for (std::size_t i = 0; i < k; ++i) {
      const std::uint32_t v = a[i] * y + b[i];
      sig[i] = v < sig[i] ? v : sig[i];
    }
  }
}

#ifdef SAMESTORY_HAVE_AVX2_PATH
/// V vectors (8 lanes each) of the signature, starting at lane `at`, over every shingle; the
/// multipliers, offsets and minima stay in registers.
template <int V>
__attribute__((target("avx2"))) inline void avx2_block(const std::uint32_t* a, const std::uint32_t* b,
                                                       const std::uint32_t* ys, std::size_t n, std::uint32_t* sig) {
  __m256i va[V], vb[V], vs[V];
  for (int j = 0; j < V; ++j) {
    va[j] = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(a + 8 * j));
    vb[j] = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(b + 8 * j));
    vs[j] = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(sig + 8 * j));
  }
  for (std::size_t s = 0; s < n; ++s) {
    const __m256i y = _mm256_set1_epi32(static_cast<int>(ys[s]));
    for (int j = 0; j < V; ++j) vs[j] = _mm256_min_epu32(vs[j], _mm256_add_epi32(_mm256_mullo_epi32(y, va[j]), vb[j]));
  }
  for (int j = 0; j < V; ++j) _mm256_storeu_si256(reinterpret_cast<__m256i*>(sig + 8 * j), vs[j]);
}

__attribute__((target("avx2"))) void sign_avx2(const std::uint32_t* a, const std::uint32_t* b, std::size_t k,
                                               const std::uint32_t* ys, std::size_t n, std::uint32_t* sig) {
  std::size_t i = 0;
  for (; i + 32 <= k; i += 32) avx2_block<4>(a + i, b + i, ys, n, sig + i);
  for (; i + 8 <= k; i += 8) avx2_block<1>(a + i, b + i, ys, n, sig + i);
  if (i < k) sign_scalar(a + i, b + i, k - i, ys, n, sig + i);
}
#endif

}  // namespace

std::uint64_t derive_seed(std::uint64_t master, std::uint64_t index) noexcept {
  std::uint64_t z = master + (index + 1) * 0x9E3779B97F4A7C15ULL;
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
  return z ^ (z >> 31);
}

const char* scheme_name(MinHashScheme s) noexcept {
  return s == MinHashScheme::oph ? "oph" : "classic";
}

MinHashScheme parse_scheme(const std::string& name) {
  if (name == "classic") return MinHashScheme::classic;
  if (name == "oph") return MinHashScheme::oph;
  throw std::invalid_argument("unknown MinHash scheme \"" + name + "\" (expected classic or oph)");
}

bool avx2_available() noexcept {
#ifdef SAMESTORY_HAVE_AVX2_PATH
  __builtin_cpu_init();  // needed when called before main (static initialisers); cheap otherwise
  return __builtin_cpu_supports("avx2");
#else
  return false;
#endif
}

MinHasher::MinHasher(const MinHashParams& params) : params_(params), avx2_(avx2_available()) {
  if (params.num_perm < 1 || params.num_perm > 4096)
    throw std::invalid_argument("num_perm " + std::to_string(params.num_perm) + " is out of range 1..4096");
  if (params.shingle < 1 || params.shingle > 64)
    throw std::invalid_argument("shingle " + std::to_string(params.shingle) + " is out of range 1..64");
  if (params.scheme != MinHashScheme::classic && params.scheme != MinHashScheme::oph)
    throw std::invalid_argument("unknown MinHash scheme " + std::to_string(static_cast<std::uint32_t>(params.scheme)));
  shingle_seed_ = derive_seed(params.seed, 0xFFFFFFFFULL);
  oph_seed_ = derive_seed(params.seed, 0xFFFFFFFEULL);
  if (params.scheme == MinHashScheme::classic) {
    a_.resize(params.num_perm);
    b_.resize(params.num_perm);
    for (std::uint32_t i = 0; i < params.num_perm; ++i) {
      a_[i] = static_cast<std::uint32_t>(derive_seed(params.seed, 2 * std::uint64_t{i}) >> 32) | 1;
      b_[i] = static_cast<std::uint32_t>(derive_seed(params.seed, 2 * std::uint64_t{i} + 1) >> 32);
    }
  }
}

void MinHasher::shingles(std::span<const std::uint64_t> tokens, std::vector<std::uint64_t>& out) const {
  if (tokens.empty()) return;
  const std::size_t w = std::min<std::size_t>(params_.shingle, tokens.size());
  const std::size_t n = tokens.size() - w + 1;
  const std::size_t at = out.size();
  out.resize(at + n);
  std::uint64_t* o = out.data() + at;
  if (w == 5) {  // the default shingle
    hash_windows<5>(tokens.data(), n, shingle_seed_, o);
    return;
  }
  for (std::size_t i = 0; i < n; ++i)
    o[i] = XXH3_64bits_withSeed(tokens.data() + i, w * sizeof(std::uint64_t), shingle_seed_);
}

void MinHasher::sign(std::span<const std::uint64_t> shingles, std::span<std::uint32_t> out, SignPath path) const {
  std::array<std::uint64_t, 4096 / 64> filled{};
  const std::span<std::uint64_t> f(filled.data(), filled_words());
  start(out, f);
  update(shingles, out, f, path);
  finish(out, f);
}

void MinHasher::check(std::span<const std::uint32_t> sig, std::span<const std::uint64_t> filled) const {
  if (sig.size() != params_.num_perm) throw std::invalid_argument("signature span has the wrong size");
  if (filled.size() != filled_words()) throw std::invalid_argument("filled-bin span has the wrong size");
}

void MinHasher::start(std::span<std::uint32_t> sig, std::span<std::uint64_t> filled) const {
  check(sig, filled);
  std::fill(sig.begin(), sig.end(), kNone);
  std::fill(filled.begin(), filled.end(), 0);
}

void MinHasher::update(std::span<const std::uint64_t> shingles, std::span<std::uint32_t> sig,
                       std::span<std::uint64_t> filled, SignPath path) const {
  check(sig, filled);
  if (path == SignPath::avx2 && !avx2_available())
    throw std::invalid_argument("the AVX2 MinHash path is not available on this CPU or build");
  if (params_.scheme == MinHashScheme::oph)
    update_oph(shingles, sig.data(), filled.data());
  else
    update_classic(shingles, sig.data(), path);
}

void MinHasher::finish(std::span<std::uint32_t> sig, std::span<const std::uint64_t> filled) const {
  check(sig, filled);
  if (params_.scheme == MinHashScheme::oph) densify(sig.data(), filled.data());
}

void MinHasher::update_classic(std::span<const std::uint64_t> shingles, std::uint32_t* sig, SignPath path) const {
  const std::size_t k = params_.num_perm;
#ifdef SAMESTORY_HAVE_AVX2_PATH
  const bool use_avx2 = path == SignPath::avx2 || (path == SignPath::best && avx2_);
#else
  (void)path;
#endif
  std::array<std::uint32_t, kChunk> ys;
  for (std::size_t at = 0; at < shingles.size(); at += kChunk) {
    const std::size_t n = std::min(kChunk, shingles.size() - at);
    for (std::size_t s = 0; s < n; ++s) ys[s] = fold32(shingles[at + s]);
#ifdef SAMESTORY_HAVE_AVX2_PATH
    if (use_avx2) {
      sign_avx2(a_.data(), b_.data(), k, ys.data(), n, sig);
      continue;
    }
#endif
    sign_scalar(a_.data(), b_.data(), k, ys.data(), n, sig);
  }
}

void MinHasher::update_oph(std::span<const std::uint64_t> shingles, std::uint32_t* sig, std::uint64_t* filled) const {
  const std::uint32_t k = params_.num_perm;
  for (const std::uint64_t x : shingles) {
    const std::uint64_t h = fmix64(x ^ oph_seed_);
    const std::uint32_t bin = reduce(static_cast<std::uint32_t>(h >> 32), k);
    const auto v = static_cast<std::uint32_t>(h);
    sig[bin] = v < sig[bin] ? v : sig[bin];
    filled[bin >> 6] |= std::uint64_t{1} << (bin & 63);
  }
}

void MinHasher::densify(std::uint32_t* sig, const std::uint64_t* filled) const {
  const std::uint32_t k = params_.num_perm;
  auto is_filled = [&](std::uint32_t j) { return (filled[j >> 6] >> (j & 63)) & 1; };
  bool any = false;
  for (std::uint32_t w = 0; w < filled_words(); ++w) any = any || filled[w] != 0;
  if (!any) return;  // no shingles: every value stays 0xFFFFFFFF
  // Optimal densification (Shrivastava 2017): an empty bin takes the value of the first
  // non-empty bin on its own pseudo-random probe sequence, the same for every set.
  for (std::uint32_t i = 0; i < k; ++i) {
    if (is_filled(i)) continue;
    std::uint32_t j = i;
    bool found = false;
    for (std::uint32_t t = 0; t < 64 && !found; ++t) {
      j = reduce(static_cast<std::uint32_t>(fmix64(oph_seed_ + ((std::uint64_t{i} << 32) | t)) >> 32), k);
      found = is_filled(j);
    }
    while (!found) {
      j = j + 1 == k ? 0 : j + 1;
      found = is_filled(j);
    }
    sig[i] = sig[j];
  }
}

double exact_jaccard(std::span<const std::uint64_t> a, std::span<const std::uint64_t> b) noexcept {
  if (a.empty() && b.empty()) return 1.0;
  std::size_t i = 0, j = 0, inter = 0;
  while (i < a.size() && j < b.size()) {
    if (a[i] < b[j])
      ++i;
    else if (b[j] < a[i])
      ++j;
    else
      ++inter, ++i, ++j;
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
