// MinHash: seeding, shingling, signatures (classic on the AVX2 and scalar paths, and one
// permutation hashing with densification) against brute-force references of the documented
// hash families, and the Jaccard estimate against exact (brute-force) Jaccard on random sets with
// a planted similarity and on structured sets.

#include <doctest/doctest.h>
#include <xxhash.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <set>
#include <stdexcept>
#include <string>
#include <vector>

#include "minhash_reference.hpp"
#include "random.hpp"
#include "sketch/deferred.hpp"
#include "sketch/minhash.hpp"

using samestory::sketch::derive_seed;
using samestory::sketch::estimate_jaccard;
using samestory::sketch::exact_jaccard;
using samestory::sketch::MinHasher;
using samestory::sketch::MinHashParams;
using samestory::sketch::MinHashScheme;
using samestory::sketch::scheme_name;
using samestory::sketch::SignPath;

namespace {

using samestory::test::ref_classic;
using samestory::test::ref_oph;
using samestory::test::shuffle;
using samestory::test::SplitMix64;

std::vector<std::uint32_t> signature(const MinHasher& h, const std::vector<std::uint64_t>& shingles,
                                     SignPath path = SignPath::best) {
  std::vector<std::uint32_t> sig(h.params().num_perm);
  h.sign(shingles, sig, path);
  return sig;
}

/// The classic paths this machine can run.
std::vector<SignPath> classic_paths() {
  std::vector<SignPath> p{SignPath::scalar};
  if (samestory::sketch::avx2_available()) p.push_back(SignPath::avx2);
  return p;
}

std::vector<std::uint64_t> sorted_unique(std::vector<std::uint64_t> v) {
  std::sort(v.begin(), v.end());
  v.erase(std::unique(v.begin(), v.end()), v.end());
  return v;
}

// Two sets with `shared` common elements and `only_a` / `only_b` private ones: exact Jaccard
// shared / (shared + only_a + only_b) (random 64-bit values do not collide in practice; the
// exact value is recomputed from the sets anyway).
struct SetPair {
  std::vector<std::uint64_t> a, b;
};
SetPair make_pair_with(SplitMix64& rng, std::size_t shared, std::size_t only_a, std::size_t only_b) {
  SetPair p;
  for (std::size_t i = 0; i < shared; ++i) {
    const auto x = rng.next();
    p.a.push_back(x);
    p.b.push_back(x);
  }
  for (std::size_t i = 0; i < only_a; ++i) p.a.push_back(rng.next());
  for (std::size_t i = 0; i < only_b; ++i) p.b.push_back(rng.next());
  p.a = sorted_unique(p.a);
  p.b = sorted_unique(p.b);
  return p;
}

double brute_jaccard(const std::vector<std::uint64_t>& a, const std::vector<std::uint64_t>& b) {
  const std::set<std::uint64_t> sa(a.begin(), a.end()), sb(b.begin(), b.end());
  std::set<std::uint64_t> uni = sa;
  uni.insert(sb.begin(), sb.end());
  if (uni.empty()) return 1.0;
  std::size_t inter = 0;
  for (auto x : sa) inter += sb.count(x);
  return static_cast<double>(inter) / static_cast<double>(uni.size());
}

}  // namespace

TEST_CASE("sketch: derive_seed is a pure function with pinned values") {
  // Golden values: signatures are persisted, so a change to the seeding scheme must be caught.
  // derive_seed(1, 0) is also the first output of the reference splitmix64 seeded with 1.
  CHECK(derive_seed(1, 0) == 0x910A2DEC89025CC1ULL);
  CHECK(derive_seed(1, 1) == 0xBEEB8DA1658EEC67ULL);
  CHECK(derive_seed(1, 2) == 0xF893A2EEFB32555EULL);
  SplitMix64 rng{7};
  for (int t = 0; t < 1000; ++t) {
    const auto m = rng.next(), i = rng.next();
    CHECK(derive_seed(m, i) == derive_seed(m, i));
  }
  // Different indices (and masters) give different seeds.
  std::set<std::uint64_t> seen;
  for (std::uint64_t m = 0; m < 8; ++m)
    for (std::uint64_t i = 0; i < 512; ++i) seen.insert(derive_seed(m, i));
  CHECK(seen.size() == 8 * 512);
}

TEST_CASE("sketch: MinHasher rejects out-of-range parameters") {
  CHECK_THROWS_AS(MinHasher(MinHashParams{0, 5, 1}), std::invalid_argument);
  CHECK_THROWS_AS(MinHasher(MinHashParams{5000, 5, 1}), std::invalid_argument);
  CHECK_THROWS_AS(MinHasher(MinHashParams{4097, 5, 1}), std::invalid_argument);
  CHECK_THROWS_AS(MinHasher(MinHashParams{128, 0, 1}), std::invalid_argument);
  CHECK_THROWS_AS(MinHasher(MinHashParams{128, 65, 1}), std::invalid_argument);
  CHECK_NOTHROW(MinHasher(MinHashParams{1, 1, 1}));
  CHECK_NOTHROW(MinHasher(MinHashParams{4096, 64, 1}));
  CHECK_NOTHROW(MinHasher(MinHashParams{4096, 64, 1, MinHashScheme::oph}));
  CHECK_THROWS_AS(MinHasher(MinHashParams{128, 5, 1, static_cast<MinHashScheme>(2)}), std::invalid_argument);
  CHECK(samestory::sketch::parse_scheme("classic") == MinHashScheme::classic);
  CHECK(samestory::sketch::parse_scheme("oph") == MinHashScheme::oph);
  CHECK_THROWS_AS(samestory::sketch::parse_scheme("OPH"), std::invalid_argument);
  CHECK(std::string(samestory::sketch::scheme_name(MinHashScheme::oph)) == "oph");
  CHECK(std::string(samestory::sketch::scheme_name(MinHashScheme::classic)) == "classic");
  const MinHasher h(MinHashParams{16, 3, 9});
  CHECK(h.params().num_perm == 16);
  CHECK(h.params().shingle == 3);
  CHECK(h.params().seed == 9);
  std::vector<std::uint32_t> wrong(15);
  const std::vector<std::uint64_t> sh{1, 2, 3};
  CHECK_THROWS_AS(h.sign(sh, wrong), std::invalid_argument);
}

TEST_CASE("sketch: shingle counts") {
  SplitMix64 rng{11};
  for (std::uint32_t w : {1u, 2u, 5u, 9u}) {
    const MinHasher h(MinHashParams{8, w, 1});
    for (std::size_t n = 0; n <= 20; ++n) {
      std::vector<std::uint64_t> tokens(n);
      for (auto& t : tokens) t = rng.next();
      std::vector<std::uint64_t> out;
      h.shingles(tokens, out);
      const std::size_t expected = n == 0 ? 0 : (n >= w ? n - w + 1 : 1);
      CHECK_MESSAGE(out.size() == expected, "w=" << w << " n=" << n);
    }
  }
  // shingles() appends rather than replacing.
  const MinHasher h(MinHashParams{8, 2, 1});
  std::vector<std::uint64_t> out{42};
  const std::vector<std::uint64_t> tokens{1, 2, 3};
  h.shingles(tokens, out);
  REQUIRE(out.size() == 3);
  CHECK(out[0] == 42);
}

TEST_CASE("sketch: shingles are XXH3 of each window, seeded from the master seed") {
  // MinHasher inlines XXH3 and specialises the default width: it must give what the library
  // function gives (libxxhash, called here), for every width.
  SplitMix64 rng{13};
  for (std::uint32_t w : {1u, 2u, 3u, 4u, 5u, 6u, 8u, 16u, 17u, 31u}) {
    const std::uint64_t seed = rng.next();
    const MinHasher h(MinHashParams{8, w, seed});
    for (std::size_t n : {std::size_t{1}, std::size_t{w}, std::size_t{w} + 1, std::size_t{200}}) {
      std::vector<std::uint64_t> tokens(n);
      for (auto& t : tokens) t = rng.next();
      std::vector<std::uint64_t> out;
      h.shingles(tokens, out);
      const std::size_t width = std::min<std::size_t>(w, n);
      REQUIRE(out.size() == n - width + 1);
      for (std::size_t i = 0; i < out.size(); ++i)
        CHECK(out[i] ==
              XXH3_64bits_withSeed(tokens.data() + i, width * sizeof(std::uint64_t), derive_seed(seed, 0xFFFFFFFFULL)));
    }
  }
}

TEST_CASE("sketch: shingles are a function of the token window") {
  SplitMix64 rng{12};
  const MinHasher h(MinHashParams{8, 3, 1});
  for (int t = 0; t < 50; ++t) {
    std::vector<std::uint64_t> tokens(3 + rng.below(30));
    for (auto& x : tokens) x = rng.below(5);  // small alphabet: repeated windows occur
    std::vector<std::uint64_t> s1, s2;
    h.shingles(tokens, s1);
    const std::vector<std::uint64_t> copy = tokens;
    h.shingles(copy, s2);
    CHECK(s1 == s2);
    // Equal windows hash equally and (in practice) different windows differently.
    for (std::size_t i = 0; i < s1.size(); ++i)
      for (std::size_t j = 0; j < s1.size(); ++j) {
        const bool same_window = std::equal(tokens.begin() + static_cast<std::ptrdiff_t>(i),
                                            tokens.begin() + static_cast<std::ptrdiff_t>(i + 3),
                                            tokens.begin() + static_cast<std::ptrdiff_t>(j));
        CHECK((s1[i] == s1[j]) == same_window);
      }
  }
  // The seed changes shingle hashes.
  const MinHasher other(MinHashParams{8, 3, 2});
  const std::vector<std::uint64_t> tokens{1, 2, 3, 4};
  std::vector<std::uint64_t> a, b;
  h.shingles(tokens, a);
  other.shingles(tokens, b);
  CHECK(a != b);
}

TEST_CASE("sketch: golden signature with default parameters") {
  // Pinned values: signatures are persisted in index files, so a change of either hash family
  // must be caught here (and the index format version bumped). Changed with the 32-bit family.
  const MinHasher h(MinHashParams{});
  std::vector<std::uint64_t> tokens;
  for (std::uint64_t i = 1; i <= 12; ++i) tokens.push_back(i * 1000003ULL);
  std::vector<std::uint64_t> sh;
  h.shingles(tokens, sh);
  REQUIRE(sh.size() == 8);
  CHECK(sh[0] == 0xCF8F1523A07ECCFAULL);
  const auto sig = signature(h, sh);
  REQUIRE(sig.size() == 128);
  CHECK(sig[0] == 0x0CC95D31u);
  CHECK(sig[1] == 0x0B6CD1B9u);
  CHECK(sig[2] == 0x0CFD3DCAu);
  CHECK(sig[3] == 0x1B7F68EBu);
  for (auto path : classic_paths()) CHECK(signature(h, sh, path) == sig);
  // The oph scheme, same shingles.
  const auto oph = signature(MinHasher(MinHashParams{128, 5, 1, MinHashScheme::oph}), sh);
  CHECK(oph[0] == 0xA1A1C68Au);
  CHECK(oph[1] == 0xE62D1BB5u);
  CHECK(oph[2] == 0x3D83C709u);
  CHECK(oph[3] == 0x2F279C95u);
}

TEST_CASE("sketch: signature of no shingles is all 0xFFFFFFFF") {
  for (auto scheme : {MinHashScheme::classic, MinHashScheme::oph}) {
    const MinHasher h(MinHashParams{32, 5, 1, scheme});
    for (auto path : classic_paths()) {
      const auto sig = signature(h, {}, path);
      CHECK(std::all_of(sig.begin(), sig.end(), [](std::uint32_t v) { return v == 0xFFFFFFFFu; }));
    }
  }
}

TEST_CASE("sketch: classic signatures equal the reference family on every path") {
  // Sizes around the 8-lane and 32-lane blocks and the 512-shingle chunks.
  SplitMix64 rng{21};
  for (std::uint32_t k : {1u, 7u, 8u, 9u, 31u, 32u, 33u, 64u, 100u, 128u, 257u}) {
    const MinHashParams p{k, 5, rng.next()};
    const MinHasher h(p);
    for (std::size_t n :
         {std::size_t{1}, std::size_t{3}, std::size_t{511}, std::size_t{512}, std::size_t{513}, std::size_t{1200}}) {
      std::vector<std::uint64_t> sh(n);
      for (auto& x : sh) x = rng.next();
      const auto want = ref_classic(p, sh);
      for (auto path : classic_paths()) CHECK_MESSAGE(signature(h, sh, path) == want, "k=" << k << " n=" << n);
      CHECK(signature(h, sh) == want);
    }
  }
}

TEST_CASE("sketch: AVX2 and scalar paths give identical signatures on random inputs") {
  if (!samestory::sketch::avx2_available()) {
    const MinHasher h(MinHashParams{});
    std::vector<std::uint32_t> sig(128);
    const std::vector<std::uint64_t> sh{1, 2, 3};
    CHECK_THROWS_AS(h.sign(sh, sig, SignPath::avx2), std::invalid_argument);
    MESSAGE("this CPU has no AVX2: only the scalar path is tested");
    return;
  }
  SplitMix64 rng{22};
  std::size_t compared = 0;
  for (int t = 0; t < 300; ++t) {
    const auto k = static_cast<std::uint32_t>(1 + rng.below(300));
    const MinHasher h(MinHashParams{k, 5, rng.next()});
    std::vector<std::uint64_t> sh(rng.below(3000));
    // Random 64-bit values, small integers and repeats.
    for (auto& x : sh) x = rng.below(4) == 0 ? rng.below(100) : rng.next();
    const auto a = signature(h, sh, SignPath::scalar), b = signature(h, sh, SignPath::avx2);
    CHECK_MESSAGE(a == b, "k=" << k << " n=" << sh.size());
    compared += k;
  }
  CHECK(compared > 30000);
}

TEST_CASE("sketch: oph signatures equal the reference (bins, minima, densification)") {
  SplitMix64 rng{23};
  for (std::uint32_t k : {1u, 2u, 7u, 64u, 128u, 256u, 1000u}) {
    const MinHashParams p{k, 5, rng.next(), MinHashScheme::oph};
    const MinHasher h(p);
    // Few shingles leave most bins empty (densification, and the linear fallback after 64
    // probes); many fill every bin.
    for (std::size_t n :
         {std::size_t{1}, std::size_t{2}, std::size_t{5}, std::size_t{40}, std::size_t{300}, std::size_t{3000}}) {
      std::vector<std::uint64_t> sh(n);
      for (auto& x : sh) x = rng.next();
      CHECK_MESSAGE(signature(h, sh) == ref_oph(p, sh), "k=" << k << " n=" << n);
    }
  }
  // A single shingle: every bin holds its value.
  const MinHasher h(MinHashParams{4096, 5, 1, MinHashScheme::oph});
  const auto sig = signature(h, {12345});
  CHECK(std::all_of(sig.begin(), sig.end(), [&](std::uint32_t v) { return v == sig[0]; }));
}

TEST_CASE("sketch: signature is the per-permutation minimum") {
  // Brute force: sign each shingle alone, take the element-wise minimum.
  SplitMix64 rng{13};
  const MinHasher h(MinHashParams{64, 5, 3});
  for (auto path : classic_paths())
    for (int t = 0; t < 20; ++t) {
      std::vector<std::uint64_t> sh(1 + rng.below(40));
      for (auto& x : sh) x = rng.next();
      std::vector<std::uint32_t> expect(64, std::numeric_limits<std::uint32_t>::max());
      for (auto x : sh) {
        const auto one = signature(h, {x}, path);
        for (std::size_t i = 0; i < 64; ++i) expect[i] = std::min(expect[i], one[i]);
      }
      CHECK(signature(h, sh, path) == expect);
    }
}

TEST_CASE("sketch: signature ignores multiplicity and order") {
  SplitMix64 rng{14};
  for (auto scheme : {MinHashScheme::classic, MinHashScheme::oph}) {
    const MinHasher h(MinHashParams{128, 5, 1, scheme});
    for (int t = 0; t < 30; ++t) {
      std::vector<std::uint64_t> set(1 + rng.below(200));
      for (auto& x : set) x = rng.next();
      const auto base = signature(h, set);
      std::vector<std::uint64_t> multi = set;
      for (std::size_t i = 0, extra = rng.below(300); i < extra; ++i) multi.push_back(set[rng.below(set.size())]);
      CHECK(signature(h, multi) == base);
      shuffle(multi, rng);
      CHECK(signature(h, multi) == base);
      std::vector<std::uint64_t> shuffled = set;
      shuffle(shuffled, rng);
      CHECK(signature(h, shuffled) == base);
    }
  }
}

TEST_CASE("sketch: exact_jaccard matches a std::set computation") {
  SplitMix64 rng{15};
  for (int t = 0; t < 500; ++t) {
    const std::size_t universe = 1 + rng.below(60);
    std::vector<std::uint64_t> a(rng.below(40)), b(rng.below(40));
    for (auto& x : a) x = rng.below(universe) * 0x9E3779B97F4A7C15ULL;  // spread over 64 bits
    for (auto& x : b) x = rng.below(universe) * 0x9E3779B97F4A7C15ULL;
    a = sorted_unique(a);
    b = sorted_unique(b);
    const double want = brute_jaccard(a, b);
    CHECK(exact_jaccard(a, b) == doctest::Approx(want).epsilon(1e-12));
    CHECK(exact_jaccard(b, a) == doctest::Approx(want).epsilon(1e-12));
  }
  const std::vector<std::uint64_t> empty, one{5}, two{5, 9};
  CHECK(exact_jaccard(empty, empty) == 1.0);
  CHECK(exact_jaccard(empty, one) == 0.0);
  CHECK(exact_jaccard(one, two) == 0.5);
  CHECK(exact_jaccard(two, two) == 1.0);
}

TEST_CASE("sketch: estimate is within binomial error of the exact Jaccard and unbiased") {
  // Stated bound, both schemes: |estimate - J| <= 4 sqrt(J(1-J)/k) + 1/k per pair, mean error
  // within 0.01, mean |error| <= sqrt(1/4k). For oph the sets have at least 3k/4 elements in
  // the union (most bins filled); small sets are tested below with a looser bound.
  for (auto scheme : {MinHashScheme::classic, MinHashScheme::oph}) {
    SplitMix64 rng{16};
    for (std::uint32_t k : {64u, 128u, 256u}) {
      const MinHasher h(MinHashParams{k, 5, 1 + k, scheme});
      const double kd = static_cast<double>(k);
      double sum_err = 0, sum_abs = 0;
      const int pairs = 200;
      for (int t = 0; t < pairs; ++t) {
        const std::size_t shared = 5 + rng.below(300);
        const std::size_t floor_a = shared < 3 * k / 4 ? 3 * k / 4 - shared : 0;
        const SetPair p = make_pair_with(rng, shared, floor_a + rng.below(300), rng.below(300));
        const double j = exact_jaccard(p.a, p.b);
        const double est = estimate_jaccard(signature(h, p.a), signature(h, p.b));
        const double bound = 4 * std::sqrt(j * (1 - j) / kd) + 1 / kd;
        CHECK_MESSAGE(std::abs(est - j) <= bound, std::string(scheme_name(scheme))
                                                      << " k=" << k << " J=" << j << " est=" << est);
        sum_err += est - j;
        sum_abs += std::abs(est - j);
      }
      const double mean_err = sum_err / pairs;
      MESSAGE(std::string(scheme_name(scheme))
              << " k=" << k << " mean error " << mean_err << ", mean |error| " << sum_abs / pairs);
      CHECK(std::abs(mean_err) < 0.01);
      // The typical error shrinks like 1/sqrt(k) (mean |error| <= sqrt(1/4k) bounds the binomial sd).
      CHECK(sum_abs / pairs <= std::sqrt(0.25 / kd));
    }
  }
}

TEST_CASE("sketch: estimate error on structured (non-random) shingle sets") {
  // Runs of consecutive integers and arithmetic progressions as shingle hashes: exact Jaccard is
  // known in closed form; the classic family must not inherit their lattice structure.
  for (auto scheme : {MinHashScheme::classic, MinHashScheme::oph}) {
    const MinHasher h(MinHashParams{256, 5, 1, scheme});
    const double kd = 256;
    double sum_abs = 0;
    int cases = 0;
    for (std::uint64_t step : {1ULL, 2ULL, 1024ULL, 1ULL << 32}) {
      for (std::size_t n : {200u, 1000u}) {
        for (std::size_t shift : {n / 10, n / 4, n / 2, 3 * n / 4}) {
          std::vector<std::uint64_t> a, b;
          for (std::size_t i = 0; i < n; ++i) a.push_back(step * (i + 1));
          for (std::size_t i = 0; i < n; ++i) b.push_back(step * (i + 1 + shift));
          const double j = static_cast<double>(n - shift) / static_cast<double>(n + shift);
          CHECK(exact_jaccard(a, b) == doctest::Approx(j).epsilon(1e-12));
          const double est = estimate_jaccard(signature(h, a), signature(h, b));
          const double bound = 4 * std::sqrt(j * (1 - j) / kd) + 1 / kd;
          CHECK_MESSAGE(std::abs(est - j) <= bound, std::string(scheme_name(scheme)) << " step=" << step << " n=" << n
                                                                                     << " J=" << j << " est=" << est);
          sum_abs += std::abs(est - j);
          ++cases;
        }
      }
    }
    MESSAGE(std::string(scheme_name(scheme)) << " structured sets: mean |error| " << sum_abs / cases);
    CHECK(sum_abs / cases <= std::sqrt(0.25 / kd));
  }
}

TEST_CASE("sketch: oph estimates match the classic ones, small sets included") {
  // Stated bound: |oph - classic| <= 2 (4 sqrt(J(1-J)/k) + 1/k) (each within its own bound of
  // J); on small sets (down to 2 elements, most bins densified) |oph - J| <= 6 sqrt(J(1-J)/k)
  // + 2/k, and the mean error stays within 0.02.
  SplitMix64 rng{24};
  for (std::uint32_t k : {64u, 128u, 256u}) {
    const MinHasher classic(MinHashParams{k, 5, 7});
    const MinHasher oph(MinHashParams{k, 5, 7, MinHashScheme::oph});
    const double kd = k;
    double sum_diff = 0, sum_err = 0;
    const int pairs = 300;
    for (int t = 0; t < pairs; ++t) {
      const bool small = t % 2 == 0;
      const std::size_t shared = small ? 1 + rng.below(20) : 5 + rng.below(400);
      const SetPair p = small ? make_pair_with(rng, shared, rng.below(20), rng.below(20))
                              : make_pair_with(rng, shared, rng.below(400), rng.below(400));
      const double j = exact_jaccard(p.a, p.b);
      const double ec = estimate_jaccard(signature(classic, p.a), signature(classic, p.b));
      const double eo = estimate_jaccard(signature(oph, p.a), signature(oph, p.b));
      const double sd = std::sqrt(j * (1 - j) / kd);
      if (small) {
        CHECK_MESSAGE(std::abs(eo - j) <= 6 * sd + 2 / kd, "k=" << k << " J=" << j << " oph=" << eo);
      } else {
        CHECK_MESSAGE(std::abs(eo - ec) <= 2 * (4 * sd + 1 / kd),
                      "k=" << k << " J=" << j << " oph=" << eo << " classic=" << ec);
      }
      sum_diff += std::abs(eo - ec);
      sum_err += eo - j;
    }
    MESSAGE("k=" << k << " mean |oph - classic| " << sum_diff / pairs << ", oph mean error " << sum_err / pairs);
    CHECK(std::abs(sum_err / pairs) < 0.02);
    CHECK(sum_diff / pairs <= 2 * std::sqrt(0.25 / kd));
  }
}

TEST_CASE("sketch: identical sets estimate 1, disjoint sets estimate near 0") {
  SplitMix64 rng{17};
  for (int t = 0; t < 40; ++t) {
    const MinHasher h(MinHashParams{128, 5, 1, t % 2 ? MinHashScheme::oph : MinHashScheme::classic});
    std::vector<std::uint64_t> a(1 + rng.below(500));
    for (auto& x : a) x = rng.next();
    std::vector<std::uint64_t> b = a;
    shuffle(b, rng);
    CHECK(estimate_jaccard(signature(h, a), signature(h, b)) == 1.0);
    const SetPair d = make_pair_with(rng, 0, 2000, 2000);
    CHECK(exact_jaccard(d.a, d.b) == 0.0);
    CHECK(estimate_jaccard(signature(h, d.a), signature(h, d.b)) <= 0.1);
  }
  // Mismatched or empty signatures estimate 0.
  const std::vector<std::uint32_t> s3{1, 2, 3}, s2{1, 2}, none;
  CHECK(estimate_jaccard(s3, s2) == 0.0);
  CHECK(estimate_jaccard(none, none) == 0.0);
  CHECK(estimate_jaccard(s3, s3) == 1.0);
  const std::vector<std::uint32_t> half{1, 2, 4, 5};
  const std::vector<std::uint32_t> other{1, 2, 3, 6};
  CHECK(estimate_jaccard(half, other) == 0.5);
}

TEST_CASE("sketch: collisions at J = 0.5 behave like independent permutations (LSH banding)") {
  // LSH recall depends on more than the mean: positions must collide independently. Over 2000
  // random pairs with J = 0.5 (200 shared, 100 + 100 private), k = 128: equal positions average
  // 64 (within 4 standard errors, 0.51), their variance is at most 1.25 x the binomial 32, and
  // 26 bands of 3 rows match 26 x 0.5^3 = 3.25 times per pair on average (within 0.15).
  for (auto scheme : {MinHashScheme::classic, MinHashScheme::oph}) {
    SplitMix64 rng{25};
    const std::uint32_t k = 128;
    double sum = 0, sum2 = 0, bands = 0;
    const int pairs = 2000;
    for (int t = 0; t < pairs; ++t) {
      const MinHasher h(MinHashParams{k, 5, 1 + static_cast<std::uint64_t>(t % 5), scheme});
      const SetPair p = make_pair_with(rng, 200, 100, 100);
      const auto sa = signature(h, p.a), sb = signature(h, p.b);
      int eq = 0;
      for (std::uint32_t i = 0; i < k; ++i) eq += sa[i] == sb[i];
      sum += eq;
      sum2 += static_cast<double>(eq) * eq;
      for (int b = 0; b < 26; ++b)
        bands += sa[3 * b] == sb[3 * b] && sa[3 * b + 1] == sb[3 * b + 1] && sa[3 * b + 2] == sb[3 * b + 2];
    }
    const double mean = sum / pairs, var = sum2 / pairs - mean * mean;
    MESSAGE(std::string(scheme_name(scheme))
            << ": equal positions mean " << mean << " var " << var << ", bands matched " << bands / pairs);
    CHECK(std::abs(mean - 64) <= 0.51);
    CHECK(var <= 1.25 * 32);
    CHECK(std::abs(bands / pairs - 3.25) <= 0.15);
  }
}

TEST_CASE("sketch: start, update per batch and finish equal one sign of all the shingles") {
  SplitMix64 rng{0x5717};
  for (const auto scheme : {MinHashScheme::classic, MinHashScheme::oph}) {
    for (const std::uint32_t k : {1u, 7u, 64u, 128u, 200u}) {
      const MinHasher h({k, 5, 3, scheme});
      for (int trial = 0; trial < 20; ++trial) {
        std::vector<std::uint64_t> all;
        const std::size_t n = rng.below(300);
        for (std::size_t i = 0; i < n; ++i)
          all.push_back(rng.below(4) == 0 && !all.empty() ? all[rng.below(all.size())] : rng.next());
        std::vector<std::uint32_t> sig(k);
        std::vector<std::uint64_t> filled(h.filled_words());
        h.start(sig, filled);
        for (std::size_t at = 0; at < all.size();) {
          const std::size_t len = std::min(all.size() - at, rng.below(40));
          h.update(std::span<const std::uint64_t>(all).subspan(at, len), sig, filled);
          at += len;
        }
        h.finish(sig, filled);
        CHECK(sig == signature(h, all));
        CHECK(sig == (scheme == MinHashScheme::oph ? ref_oph(h.params(), all) : ref_classic(h.params(), all)));
      }
      std::vector<std::uint64_t> wrong(h.filled_words() + 1);
      std::vector<std::uint32_t> sig(k);
      CHECK_THROWS_WITH_AS(h.start(sig, wrong), "filled-bin span has the wrong size", std::invalid_argument);
    }
  }
}

TEST_CASE("sketch: a deferred signature equals the signature of the kept lines, whatever is dropped") {
  using samestory::sketch::DeferredRest;
  using samestory::sketch::DeferredScratch;
  using samestory::sketch::DeferredSigner;
  using samestory::sketch::TokenLine;
  SplitMix64 rng{0xdefe};
  std::size_t checked = 0, empty = 0;
  for (const auto scheme : {MinHashScheme::classic, MinHashScheme::oph}) {
    for (const std::uint32_t w : {1u, 2u, 3u, 5u, 8u}) {
      const MinHasher h({64, w, 11, scheme});
      const DeferredSigner deferred(h);
      DeferredScratch scratch;
      for (int trial = 0; trial < 300; ++trial) {
        // Tokens from a small vocabulary (repeated windows), cut into lines of 0-20 tokens; lines
        // droppable at random (often short ones, as boilerplate candidates are), and sometimes
        // not contiguous in `tokens`.
        std::vector<std::uint64_t> tokens;
        std::vector<TokenLine> lines;
        const std::size_t nlines = rng.below(12);
        for (std::size_t l = 0; l < nlines; ++l) {
          if (rng.below(6) == 0) tokens.push_back(rng.next());  // a token no line covers
          TokenLine line;
          line.begin = static_cast<std::uint32_t>(tokens.size());
          const std::size_t len = rng.below(3) == 0 ? rng.below(3) : rng.below(21);
          for (std::size_t t = 0; t < len; ++t) tokens.push_back(rng.below(2) ? rng.below(6) : rng.next());
          line.end = static_cast<std::uint32_t>(tokens.size());
          line.hash = rng.below(3) == 0 ? (rng.next() | 1) : 0;
          if (line.hash != 0 && rng.below(4) == 0 && !lines.empty()) {
            // The same droppable line twice in one article (a repeated footer).
            for (const auto& other : lines)
              if (other.hash != 0) line.hash = other.hash;
          }
          lines.push_back(line);
        }
        std::vector<std::uint32_t> sig(64);
        std::vector<std::uint64_t> filled(h.filled_words());
        DeferredRest rest;
        deferred.begin(tokens, lines, sig, filled, rest, scratch);
        // Several choices of dropped lines for the same begin().
        for (int choice = 0; choice < 4; ++choice) {
          std::vector<std::uint64_t> dropped_hashes;
          for (const auto& l : lines)
            if (l.hash != 0 && rng.below(2)) dropped_hashes.push_back(l.hash);
          auto dropped = [&](std::uint64_t x) {
            return std::find(dropped_hashes.begin(), dropped_hashes.end(), x) != dropped_hashes.end();
          };
          std::vector<std::uint64_t> kept;
          for (const auto& l : lines)
            if (l.hash == 0 || !dropped(l.hash))
              kept.insert(kept.end(), tokens.begin() + l.begin, tokens.begin() + l.end);
          std::vector<std::uint64_t> shingles;
          h.shingles(kept, shingles);
          std::vector<std::uint32_t> got = sig;
          std::vector<std::uint64_t> got_filled = filled;
          const bool any = deferred.finish(rest, dropped, got, got_filled, scratch);
          CAPTURE(w);
          CAPTURE(trial);
          CHECK(any == !kept.empty());
          CHECK(got == signature(h, shingles));
          ++checked;
          empty += kept.empty();
        }
        // What is kept for later is never more than the tokens themselves.
        CHECK(rest.tokens.size() <= tokens.size());
      }
    }
  }
  CHECK(checked == 2 * 5 * 300 * 4);
  CHECK(empty > 0);
}

TEST_CASE("sketch: a deferred signature keeps only the droppable lines and the ends of the runs") {
  using samestory::sketch::DeferredRest;
  using samestory::sketch::DeferredScratch;
  using samestory::sketch::DeferredSigner;
  using samestory::sketch::TokenLine;
  const MinHasher h({128, 5, 1, MinHashScheme::classic});
  const DeferredSigner deferred(h);
  DeferredScratch scratch;
  // A header line (droppable), two 30-token paragraphs, a footer (droppable).
  std::vector<std::uint64_t> tokens;
  for (std::uint64_t t = 0; t < 3 + 60 + 2; ++t) tokens.push_back(1000 + t);
  const std::vector<TokenLine> lines{{0, 3, 7}, {3, 33, 0}, {33, 63, 0}, {63, 65, 9}};
  std::vector<std::uint32_t> sig(128);
  DeferredRest rest;
  deferred.begin(tokens, lines, sig, {}, rest, scratch);
  // 3 + 4 (head of the 60-token run) + 4 (its tail) + 2 tokens.
  CHECK(rest.tokens.size() == 13);
  CHECK(rest.pieces.size() == 4);
  CHECK(rest.fixed_tokens == 60);
  CHECK(rest.pieces[2].gap_before);
  std::vector<std::uint32_t> got = sig;
  CHECK(deferred.finish(
      rest, [](std::uint64_t x) { return x == 7; }, got, {}, scratch));
  std::vector<std::uint64_t> kept(tokens.begin() + 3, tokens.end()), shingles;
  h.shingles(kept, shingles);
  CHECK(got == signature(h, shingles));
}
