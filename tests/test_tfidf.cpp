// TF-IDF: term counting, idf fitting and transform against a dense brute-force computation,
// cosine, and eval::all_pairs_cosine against a dense all-pairs scan.

#include <doctest/doctest.h>
#include <tbb/global_control.h>
#include <tbb/task_arena.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <map>
#include <set>
#include <vector>

#include "eval/reference.hpp"
#include "random.hpp"
#include "tfidf/tfidf.hpp"

using samestory::tfidf::cosine;
using samestory::tfidf::count_terms;
using samestory::tfidf::CountBlock;
using samestory::tfidf::IdfModel;
using samestory::tfidf::kBlockDocs;
using samestory::tfidf::SparseVector;
using samestory::tfidf::TermCounts;

namespace {

using samestory::test::shuffle;
using samestory::test::SplitMix64;

TermCounts counts_of(std::vector<std::uint64_t> terms) {
  TermCounts out;
  count_terms(terms, out);
  return out;
}

// A random corpus: each doc draws a random number of tokens (with repeats) from a small
// vocabulary of random 64-bit term hashes, so df and tf vary; some docs are empty.
struct Corpus {
  std::vector<std::uint64_t> vocab;
  std::vector<std::vector<std::uint64_t>> tokens;
  std::vector<TermCounts> docs;
};

Corpus make_corpus(SplitMix64& rng, std::size_t n_docs, std::size_t vocab_size, std::size_t max_tokens) {
  Corpus c;
  c.vocab.resize(vocab_size);
  for (auto& t : c.vocab) t = rng.next();
  for (std::size_t d = 0; d < n_docs; ++d) {
    std::vector<std::uint64_t> toks(rng.below(max_tokens + 1));
    // Skewed draw (min of two uniforms) so some terms are frequent and others rare.
    for (auto& t : toks) t = c.vocab[std::min(rng.below(vocab_size), rng.below(vocab_size))];
    c.tokens.push_back(toks);
    c.docs.push_back(counts_of(toks));
  }
  return c;
}

// The dense brute-force model: vocabulary = sorted terms with df >= min_df.
struct DenseModel {
  std::vector<std::uint64_t> terms;
  std::vector<double> idf;
  std::size_t index(std::uint64_t t) const {
    return static_cast<std::size_t>(std::lower_bound(terms.begin(), terms.end(), t) - terms.begin());
  }
  bool known(std::uint64_t t) const { return std::binary_search(terms.begin(), terms.end(), t); }
  std::vector<double> transform(const std::vector<std::uint64_t>& tokens) const {
    std::map<std::uint64_t, double> tf;
    for (auto t : tokens) tf[t] += 1;
    std::vector<double> v(terms.size(), 0.0);
    for (const auto& [t, f] : tf)
      if (known(t)) v[index(t)] = (1 + std::log(f)) * idf[index(t)];
    double n2 = 0;
    for (double x : v) n2 += x * x;
    if (n2 > 0)
      for (double& x : v) x /= std::sqrt(n2);
    return v;
  }
};

DenseModel dense_fit(const std::vector<std::vector<std::uint64_t>>& tokens, std::uint32_t min_df) {
  std::map<std::uint64_t, std::set<std::size_t>> df;
  for (std::size_t d = 0; d < tokens.size(); ++d)
    for (auto t : tokens[d]) df[t].insert(d);
  DenseModel m;
  const auto n = static_cast<double>(tokens.size());
  for (const auto& [t, docs] : df)  // std::map iterates in term order
    if (docs.size() >= min_df) {
      m.terms.push_back(t);
      m.idf.push_back(std::log((1 + n) / (1 + static_cast<double>(docs.size()))) + 1);
    }
  return m;
}

std::vector<double> to_dense(const SparseVector& v) {
  std::vector<double> out(static_cast<std::size_t>(v.size()), 0.0);
  for (SparseVector::InnerIterator it(v); it; ++it) out[static_cast<std::size_t>(it.index())] = it.value();
  return out;
}

double dense_dot(const std::vector<double>& a, const std::vector<double>& b) {
  double s = 0;
  for (std::size_t i = 0; i < a.size(); ++i) s += a[i] * b[i];
  return s;
}

}  // namespace

TEST_CASE("tfidf: TermCount (12 bytes) orders and compares as std::pair does") {
  SplitMix64 rng{77};
  std::vector<std::pair<std::uint64_t, std::uint32_t>> pairs(2000);
  for (auto& [t, c] : pairs) {
    t = rng.below(4) == 0 ? rng.below(8) : rng.next();  // some equal terms, so counts decide
    c = static_cast<std::uint32_t>(rng.below(5));
  }
  TermCounts counts(pairs.begin(), pairs.end());
  for (std::size_t i = 0; i + 1 < pairs.size(); ++i) {
    CHECK((counts[i] < counts[i + 1]) == (pairs[i] < pairs[i + 1]));
    CHECK((counts[i] == counts[i + 1]) == (pairs[i] == pairs[i + 1]));
  }
  std::sort(pairs.begin(), pairs.end());
  std::sort(counts.begin(), counts.end());
  CHECK(counts == TermCounts(pairs.begin(), pairs.end()));
  static_assert(sizeof(samestory::tfidf::TermCount) == 12);
}

TEST_CASE("tfidf: count_terms matches a std::map count") {
  SplitMix64 rng{101};
  for (int t = 0; t < 300; ++t) {
    const std::size_t universe = 1 + rng.below(50);
    std::vector<std::uint64_t> terms(rng.below(200));
    for (auto& x : terms) x = rng.below(universe) * 0xD1B54A32D192ED03ULL;
    std::map<std::uint64_t, std::uint32_t> want;
    for (auto x : terms) ++want[x];
    TermCounts out{{1, 1}, {2, 2}};  // replaced, not appended to
    count_terms(terms, out);
    CHECK(out == TermCounts(want.begin(), want.end()));
    CHECK(std::is_sorted(terms.begin(), terms.end()));
  }
  // Long lists (the bucketed sort): uniform hashes, few distinct values, and values that
  // all share their top bits (one big bucket).
  for (int t = 0; t < 60; ++t) {
    std::vector<std::uint64_t> terms(64 + rng.below(5000));
    const int kind = t % 3;
    const std::size_t universe = 1 + rng.below(terms.size());
    for (auto& x : terms)
      x = kind == 0 ? rng.next() : kind == 1 ? rng.below(universe) * 0xD1B54A32D192ED03ULL : rng.below(1u << 20);
    std::map<std::uint64_t, std::uint32_t> want;
    for (auto x : terms) ++want[x];
    TermCounts out;
    count_terms(terms, out);
    CHECK(out == TermCounts(want.begin(), want.end()));
    CHECK(std::is_sorted(terms.begin(), terms.end()));
  }
  std::vector<std::uint64_t> none;
  TermCounts out{{7, 7}};
  count_terms(none, out);
  CHECK(out.empty());
}

TEST_CASE("tfidf: fit and transform match a dense brute-force computation") {
  SplitMix64 rng{102};
  for (int t = 0; t < 200; ++t) {
    const Corpus c = make_corpus(rng, 1 + rng.below(30), 1 + rng.below(40), 25);
    const auto min_df = static_cast<std::uint32_t>(1 + rng.below(3));
    const IdfModel model = IdfModel::fit(c.docs, min_df);
    const DenseModel dense = dense_fit(c.tokens, min_df);
    INFO("trial " << t << " docs=" << c.docs.size() << " min_df=" << min_df);
    CHECK(model.documents() == c.docs.size());
    REQUIRE(model.vocabulary_size() == dense.terms.size());
    for (std::size_t i = 0; i < dense.terms.size(); ++i) {
      CHECK(model.index(dense.terms[i]) == static_cast<std::int32_t>(i));
      CHECK(model.idf(dense.terms[i]) == doctest::Approx(dense.idf[i]).epsilon(1e-6));
    }
    for (auto term : c.vocab)
      if (!dense.known(term)) {
        CHECK(model.index(term) == -1);
        CHECK(model.idf(term) == 0.0);
      }
    for (std::size_t d = 0; d < c.docs.size(); ++d) {
      const SparseVector v = model.transform(c.docs[d]);
      const auto want = dense.transform(c.tokens[d]);
      CHECK(v.size() == static_cast<Eigen::Index>(dense.terms.size()));
      const auto got = to_dense(v);
      std::size_t nonzero = 0;
      for (std::size_t i = 0; i < want.size(); ++i) {
        CHECK(std::abs(got[i] - want[i]) <= 1e-5);
        nonzero += want[i] != 0;
      }
      CHECK(static_cast<std::size_t>(v.nonZeros()) == nonzero);
      if (nonzero > 0) CHECK(std::abs(v.norm() - 1.0f) <= 1e-5f);
    }
  }
}

TEST_CASE("tfidf: hand-computed idf and weights") {
  // 3 docs: a in all, b in two, c in one.
  const std::uint64_t a = 10, b = 20, c = 30;
  const std::vector<TermCounts> docs{counts_of({a, b, c, c}), counts_of({a, b}), counts_of({a})};
  const IdfModel m = IdfModel::fit(docs);
  CHECK(m.vocabulary_size() == 3);
  CHECK(m.idf(a) == doctest::Approx(std::log(4.0 / 4.0) + 1));
  CHECK(m.idf(b) == doctest::Approx(std::log(4.0 / 3.0) + 1));
  CHECK(m.idf(c) == doctest::Approx(std::log(4.0 / 2.0) + 1));
  const SparseVector v = m.transform(docs[0]);
  const double wa = 1.0, wb = std::log(4.0 / 3.0) + 1, wc = (1 + std::log(2.0)) * (std::log(2.0) + 1);
  const double norm = std::sqrt(wa * wa + wb * wb + wc * wc);
  CHECK(v.coeff(0) == doctest::Approx(wa / norm));
  CHECK(v.coeff(1) == doctest::Approx(wb / norm));
  CHECK(v.coeff(2) == doctest::Approx(wc / norm));
}

TEST_CASE("tfidf: min_df drops rare terms") {
  const std::uint64_t a = 10, b = 20, c = 30;
  const std::vector<TermCounts> docs{counts_of({a, b, c}), counts_of({a, b, b, b}), counts_of({a})};
  const IdfModel m2 = IdfModel::fit(docs, 2);
  CHECK(m2.vocabulary_size() == 2);
  CHECK(m2.index(a) == 0);
  CHECK(m2.index(b) == 1);
  CHECK(m2.index(c) == -1);
  CHECK(m2.idf(c) == 0.0);
  // df counts documents, not occurrences: b occurs 4 times in 2 documents.
  CHECK(m2.idf(b) == doctest::Approx(std::log(4.0 / 3.0) + 1));
  const IdfModel m3 = IdfModel::fit(docs, 3);
  CHECK(m3.vocabulary_size() == 1);
  CHECK(m3.index(a) == 0);
  const IdfModel m4 = IdfModel::fit(docs, 4);
  CHECK(m4.vocabulary_size() == 0);
  CHECK(m4.transform(docs[0]).nonZeros() == 0);
  // With c dropped, doc 0 is exactly its a,b part.
  const SparseVector with_c = m2.transform(docs[0]);
  const SparseVector without_c = m2.transform(counts_of({a, b}));
  CHECK(with_c.nonZeros() == 2);
  CHECK(to_dense(with_c) == to_dense(without_c));
}

TEST_CASE("tfidf: unknown terms are ignored and empty docs give empty vectors") {
  SplitMix64 rng{103};
  for (int t = 0; t < 50; ++t) {
    const Corpus c = make_corpus(rng, 2 + rng.below(20), 2 + rng.below(30), 20);
    const IdfModel m = IdfModel::fit(c.docs);
    for (std::size_t d = 0; d < c.docs.size(); ++d) {
      std::vector<std::uint64_t> noisy = c.tokens[d];
      for (std::size_t k = 0, extra = 1 + rng.below(10); k < extra; ++k) noisy.push_back(rng.next());  // unseen terms
      CHECK(to_dense(m.transform(counts_of(noisy))) == to_dense(m.transform(c.docs[d])));
    }
    CHECK(m.transform(TermCounts{}).nonZeros() == 0);
    CHECK(m.transform(TermCounts{}).size() == static_cast<Eigen::Index>(m.vocabulary_size()));
    CHECK(m.transform(counts_of({rng.next(), rng.next()})).nonZeros() == 0);
  }
  const std::vector<TermCounts> nothing;
  const IdfModel empty = IdfModel::fit(nothing);
  CHECK(empty.vocabulary_size() == 0);
  CHECK(empty.documents() == 0);
}

TEST_CASE("tfidf: cosine equals the dense dot product") {
  SplitMix64 rng{104};
  for (int t = 0; t < 50; ++t) {
    const Corpus c = make_corpus(rng, 2 + rng.below(25), 2 + rng.below(30), 20);
    const IdfModel m = IdfModel::fit(c.docs);
    std::vector<SparseVector> vs;
    for (const auto& d : c.docs) vs.push_back(m.transform(d));
    for (std::size_t i = 0; i < vs.size(); ++i) {
      if (vs[i].nonZeros() > 0)
        CHECK(cosine(vs[i], vs[i]) == doctest::Approx(1.0).epsilon(1e-5));
      else
        CHECK(cosine(vs[i], vs[i]) == 0.0);
      for (std::size_t j = 0; j < vs.size(); ++j) {
        const double want = dense_dot(to_dense(vs[i]), to_dense(vs[j]));
        const double got = cosine(vs[i], vs[j]);
        CHECK(std::abs(got - want) <= 1e-5);
        CHECK(got == cosine(vs[j], vs[i]));
        CHECK(got >= -1e-6);
        CHECK(got <= 1 + 1e-5);
      }
    }
  }
}

TEST_CASE("tfidf: all_pairs_cosine matches a dense all-pairs scan") {
  SplitMix64 rng{105};
  for (int t = 0; t < 40; ++t) {
    const Corpus c = make_corpus(rng, 2 + rng.below(40), 5 + rng.below(40), 20);
    const IdfModel m = IdfModel::fit(c.docs);
    std::vector<SparseVector> vs;
    std::vector<std::vector<double>> dense;
    for (const auto& d : c.docs) {
      vs.push_back(m.transform(d));
      dense.push_back(to_dense(vs.back()));
    }
    for (const double threshold : {0.0, 0.2, 0.5}) {
      const auto got = samestory::eval::all_pairs_cosine(vs, threshold);
      // Every reported pair is real, ordered, above threshold, with the right similarity.
      for (std::size_t k = 0; k < got.size(); ++k) {
        CHECK(got[k].i < got[k].j);
        CHECK(got[k].j < vs.size());
        if (k > 0) CHECK(std::make_pair(got[k - 1].i, got[k - 1].j) < std::make_pair(got[k].i, got[k].j));
        const double want = dense_dot(dense[got[k].i], dense[got[k].j]);
        CHECK(std::abs(got[k].similarity - want) <= 1e-5);
        CHECK(want >= threshold - 1e-5);
      }
      // Every brute-force pair clearly above the threshold is reported (empty vectors: cosine 0).
      std::set<std::pair<std::uint32_t, std::uint32_t>> reported;
      for (const auto& p : got) reported.emplace(p.i, p.j);
      for (std::uint32_t i = 0; i < vs.size(); ++i)
        for (std::uint32_t j = i + 1; j < vs.size(); ++j) {
          const bool both = vs[i].nonZeros() > 0 && vs[j].nonZeros() > 0;
          const double s = both ? dense_dot(dense[i], dense[j]) : 0.0;
          if (s >= threshold + 1e-5) CHECK(reported.count({i, j}) == 1);
          if (s < threshold - 1e-5) CHECK(reported.count({i, j}) == 0);
        }
      if (threshold == 0.0) CHECK(got.size() == vs.size() * (vs.size() - 1) / 2);
    }
  }
}

TEST_CASE("tfidf: fit does not depend on the thread count") {
  const tbb::global_control allow(tbb::global_control::max_allowed_parallelism, 4);
  SplitMix64 rng{106};
  const Corpus c = make_corpus(rng, 3000, 5000, 200);
  IdfModel m1, m4;
  tbb::task_arena one(1), four(4);
  one.execute([&] { m1 = IdfModel::fit(c.docs, 2); });
  four.execute([&] { m4 = IdfModel::fit(c.docs, 2); });
  REQUIRE(m1.vocabulary_size() == m4.vocabulary_size());
  CHECK(m1.vocabulary_size() > 1000);
  for (auto t : c.vocab) {
    CHECK(m1.index(t) == m4.index(t));
    CHECK(m1.idf(t) == m4.idf(t));
  }
}

TEST_CASE("tfidf: cosine is bit for bit Eigen's sparse dot") {
  SplitMix64 rng{107};
  for (int t = 0; t < 80; ++t) {
    // Short and long vectors (the SIMD blocks and the scalar tail), sparse and dense overlap.
    const Corpus c = make_corpus(rng, 2 + rng.below(30), 2 + rng.below(t % 2 ? 200 : 2000), t % 3 ? 60 : 600);
    const IdfModel m = IdfModel::fit(c.docs);
    std::vector<SparseVector> vs;
    for (const auto& d : c.docs) vs.push_back(m.transform(d));
    for (std::size_t i = 0; i < vs.size(); ++i)
      for (std::size_t j = 0; j < vs.size(); ++j) {
        const double want = vs[i].nonZeros() && vs[j].nonZeros() ? static_cast<double>(vs[i].dot(vs[j])) : 0.0;
        CHECK(cosine(vs[i], vs[j]) == want);
      }
  }
}

TEST_CASE("tfidf: index is the rank of the term in the sorted vocabulary") {
  SplitMix64 rng{108};
  for (int t = 0; t < 40; ++t) {
    const Corpus c = make_corpus(rng, 1 + rng.below(50), 1 + rng.below(3000), 100);
    const std::uint32_t min_df = 1 + static_cast<std::uint32_t>(rng.below(3));
    const IdfModel m = IdfModel::fit(c.docs, min_df);
    std::map<std::uint64_t, std::size_t> df;
    for (const auto& d : c.docs)
      for (const auto& [term, count] : d) ++df[term];
    std::int32_t rank = 0;
    for (const auto& [term, n] : df) {
      if (n >= min_df)
        CHECK(m.index(term) == rank++);
      else
        CHECK(m.index(term) == -1);
    }
    CHECK(m.vocabulary_size() == static_cast<std::size_t>(rank));
    for (int k = 0; k < 20; ++k) CHECK(m.index(rng.next()) == -1);
  }
}

TEST_CASE("tfidf: transform_rows gives transform's vectors, one row each, for any thread count") {
  const tbb::global_control allow(tbb::global_control::max_allowed_parallelism, 4);
  SplitMix64 rng{109};
  for (int t = 0; t < 20; ++t) {
    // Up to a few thousand docs, so rows cross transform_rows' chunks; some docs empty.
    const Corpus c = make_corpus(rng, rng.below(t % 4 ? 60 : 3000), 1 + rng.below(2000), 80);
    const IdfModel m = IdfModel::fit(c.docs, 1 + static_cast<std::uint32_t>(rng.below(2)));
    samestory::tfidf::SparseRows r1, r4;
    tbb::task_arena one(1), four(4);
    one.execute([&] { r1 = m.transform_rows(c.docs); });
    four.execute([&] { r4 = m.transform_rows(c.docs); });
    REQUIRE(r1.rows() == static_cast<Eigen::Index>(c.docs.size()));
    CHECK(r1.cols() == static_cast<Eigen::Index>(m.vocabulary_size()));
    CHECK(r1.isCompressed());
    for (std::size_t d = 0; d < c.docs.size(); ++d) {
      const SparseVector want = m.transform(c.docs[d]);
      for (const auto* r : {&r1, &r4}) {
        const SparseVector got = samestory::tfidf::to_vector(*r, static_cast<Eigen::Index>(d));
        REQUIRE(got.nonZeros() == want.nonZeros());
        CHECK(got.size() == want.size());
        for (Eigen::Index k = 0; k < want.nonZeros(); ++k) {
          CHECK(got.innerIndexPtr()[k] == want.innerIndexPtr()[k]);
          CHECK(got.valuePtr()[k] == want.valuePtr()[k]);
        }
      }
    }
    // to_rows is the inverse of to_vector.
    std::vector<SparseVector> vs;
    for (std::size_t d = 0; d < c.docs.size(); ++d) vs.push_back(m.transform(c.docs[d]));
    const auto back = samestory::tfidf::to_rows(vs, r1.cols());
    CHECK(back.nonZeros() == r1.nonZeros());
    for (std::size_t d = 0; d <= c.docs.size(); ++d) CHECK(back.outerIndexPtr()[d] == r1.outerIndexPtr()[d]);
    for (Eigen::Index k = 0; k < r1.nonZeros(); ++k) {
      CHECK(back.innerIndexPtr()[k] == r1.innerIndexPtr()[k]);
      CHECK(back.valuePtr()[k] == r1.valuePtr()[k]);
    }
  }
  // max_terms: the top weights of each row (ties by index), renormalised.
  for (int t = 0; t < 30; ++t) {
    const Corpus c = make_corpus(rng, 1 + rng.below(40), 1 + rng.below(300), 120);
    const IdfModel m = IdfModel::fit(c.docs);
    const std::size_t k = 1 + rng.below(30);
    const auto rows = m.transform_rows(c.docs, k);
    for (std::size_t d = 0; d < c.docs.size(); ++d) {
      const SparseVector all = m.transform(c.docs[d]);
      std::vector<std::pair<float, std::int32_t>> by_weight;
      for (SparseVector::InnerIterator it(all); it; ++it) by_weight.emplace_back(it.value(), it.index());
      std::sort(by_weight.begin(), by_weight.end(), [](const auto& x, const auto& y) {
        return x.first != y.first ? x.first > y.first : x.second < y.second;
      });
      by_weight.resize(std::min(k, by_weight.size()));
      std::map<std::int32_t, double> want;
      double n2 = 0;
      for (const auto& [w, i] : by_weight) want[i] = w, n2 += static_cast<double>(w) * w;
      const SparseVector got = samestory::tfidf::to_vector(rows, static_cast<Eigen::Index>(d));
      REQUIRE(static_cast<std::size_t>(got.nonZeros()) == want.size());
      for (SparseVector::InnerIterator it(got); it; ++it) {
        REQUIRE(want.count(it.index()) == 1);
        CHECK(it.value() == doctest::Approx(want[it.index()] / std::sqrt(n2)).epsilon(1e-6));
      }
    }
  }
  const std::vector<SparseVector> too_long{SparseVector(10)};
  CHECK_THROWS_AS(samestory::tfidf::to_rows(too_long, 5), std::invalid_argument);
}

TEST_CASE("tfidf: fit_rows equals fit then transform_rows, bit for bit, for any thread count") {
  const tbb::global_control allow(tbb::global_control::max_allowed_parallelism, 4);
  SplitMix64 rng{111};
  for (int t = 0; t < 40; ++t) {
    // Small and large vocabularies (terms spread over every slice of the term space, or
    // crowded into few), docs crossing the 1024-doc chunks, empty docs and min_df dropping terms.
    const Corpus c = make_corpus(rng, rng.below(t % 5 ? 80 : 2500), 1 + rng.below(t % 2 ? 30 : 5000), 90);
    const auto min_df = static_cast<std::uint32_t>(1 + rng.below(3));
    const std::size_t max_terms = t % 3 == 0 ? 1 + rng.below(20) : 0;
    const auto want = IdfModel::fit(c.docs, min_df).transform_rows(c.docs, max_terms);
    samestory::tfidf::SparseRows r1, r4;
    tbb::task_arena one(1), four(4);
    one.execute([&] { r1 = samestory::tfidf::fit_rows(std::span<const TermCounts>(c.docs), min_df, max_terms); });
    // The same docs in blocks, given straight (fit_rows overwrites their terms).
    auto blocks = samestory::tfidf::to_blocks(c.docs);
    for (std::size_t d = 0; d < c.docs.size(); ++d) {
      const auto got = blocks[d / kBlockDocs].doc(d % kBlockDocs);
      REQUIRE(TermCounts(got.begin(), got.end()) == c.docs[d]);
    }
    four.execute([&] { r4 = samestory::tfidf::fit_rows(blocks, min_df, max_terms); });
    for (const auto* got : {&r1, &r4}) {
      REQUIRE(got->rows() == want.rows());
      CHECK(got->cols() == want.cols());
      REQUIRE(got->nonZeros() == want.nonZeros());
      for (Eigen::Index r = 0; r <= want.rows(); ++r) CHECK(got->outerIndexPtr()[r] == want.outerIndexPtr()[r]);
      for (Eigen::Index k = 0; k < want.nonZeros(); ++k) {
        CHECK(got->innerIndexPtr()[k] == want.innerIndexPtr()[k]);
        CHECK(got->valuePtr()[k] == want.valuePtr()[k]);
      }
    }
  }
  // Terms sharing their top bits (one slice) and their next bits (one sub-bucket).
  std::vector<TermCounts> crowded(50);
  for (std::size_t d = 0; d < crowded.size(); ++d)
    crowded[d] =
        counts_of({std::uint64_t{7} << 40 | (d % 5), std::uint64_t{7} << 40 | (d % 3 + 10), ~std::uint64_t{0}});
  const auto want = IdfModel::fit(crowded, 2).transform_rows(crowded);
  const auto before = crowded;
  const auto got = samestory::tfidf::fit_rows(std::span<const TermCounts>(crowded), 2);
  CHECK(crowded == before);  // the TermCounts are copied, not overwritten
  REQUIRE(got.nonZeros() == want.nonZeros());
  for (Eigen::Index k = 0; k < want.nonZeros(); ++k) {
    CHECK(got.innerIndexPtr()[k] == want.innerIndexPtr()[k]);
    CHECK(got.valuePtr()[k] == want.valuePtr()[k]);
  }
}

TEST_CASE("tfidf: fit_rows takes blocks of kBlockDocs docs, the last one shorter or empty") {
  std::vector<CountBlock> none;
  CHECK(samestory::tfidf::fit_rows(none).rows() == 0);
  // A short block before the last is refused.
  std::vector<CountBlock> blocks(2);
  blocks[0].add(counts_of({1, 2}));
  blocks[1].add(counts_of({2}));
  CHECK_THROWS_AS(samestory::tfidf::fit_rows(blocks), std::invalid_argument);
  // Full blocks, then an empty one: the rows of the full ones.
  std::vector<TermCounts> docs;
  for (std::size_t d = 0; d < 2 * kBlockDocs; ++d) docs.push_back(counts_of({d % 7, 100 + d % 11, 100 + d % 11}));
  std::vector<CountBlock> full(3);
  for (std::size_t d = 0; d < docs.size(); ++d) full[d / kBlockDocs].add(docs[d]);
  CHECK(full[2].docs() == 0);
  auto again = full;  // fit_rows overwrites the terms of `full`
  const auto got = samestory::tfidf::fit_rows(full);
  const auto want = IdfModel::fit(docs).transform_rows(docs);
  REQUIRE(got.rows() == want.rows());
  REQUIRE(got.nonZeros() == want.nonZeros());
  for (Eigen::Index k = 0; k < want.nonZeros(); ++k) {
    CHECK(got.innerIndexPtr()[k] == want.innerIndexPtr()[k]);
    CHECK(got.valuePtr()[k] == want.valuePtr()[k]);
  }
  // A max_terms past every row's size keeps every term (as 0 does).
  const auto all = samestory::tfidf::fit_rows(again, 1, std::numeric_limits<std::size_t>::max());
  REQUIRE(all.nonZeros() == want.nonZeros());
  for (Eigen::Index k = 0; k < want.nonZeros(); ++k) CHECK(all.valuePtr()[k] == want.valuePtr()[k]);
  // clear() empties a block for reuse.
  full[0].clear();
  CHECK(full[0].docs() == 0);
  full[0].add(counts_of({5, 5}));
  CHECK(full[0].doc(0).size() == 1);
  CHECK(full[0].doc(0)[0].count == 2);
}

TEST_CASE("tfidf: the AVX2 cosine gives the portable one's bits") {
  using samestory::tfidf::CosinePath;
  using samestory::tfidf::row;
  SplitMix64 rng{112};
  bool avx2 = true;
  try {
    (void)cosine(samestory::tfidf::Row{}, samestory::tfidf::Row{}, CosinePath::avx2);
  } catch (const std::invalid_argument&) {
    avx2 = false;  // not this CPU: nothing to compare
  }
  for (int t = 0; t < 80 && avx2; ++t) {
    // Lengths around the 8-wide blocks, dense and sparse overlap, runs of equal blocks.
    const Corpus c = make_corpus(rng, 2 + rng.below(25), 2 + rng.below(t % 2 ? 60 : 3000), t % 3 ? 40 : 500);
    const auto rows = IdfModel::fit(c.docs).transform_rows(c.docs);
    for (Eigen::Index i = 0; i < rows.rows(); ++i)
      for (Eigen::Index j = 0; j < rows.rows(); ++j) {
        const double want = cosine(row(rows, i), row(rows, j), CosinePath::portable);
        CHECK(cosine(row(rows, i), row(rows, j), CosinePath::avx2) == want);
        CHECK(cosine(row(rows, i), row(rows, j)) == want);
      }
  }
}

TEST_CASE("tfidf: a ScatteredRow's dot is the merge cosine and Eigen's sparse dot, bit for bit") {
  using samestory::tfidf::row;
  using samestory::tfidf::ScatteredRow;
  SplitMix64 rng{113};
  for (int t = 0; t < 60; ++t) {
    // Short and long rows, dense and sparse overlap, empty docs.
    const Corpus c = make_corpus(rng, 2 + rng.below(25), 2 + rng.below(t % 2 ? 60 : 3000), t % 3 ? 40 : 500);
    const auto rows = IdfModel::fit(c.docs).transform_rows(c.docs);
    ScatteredRow spread(rows.cols());
    for (Eigen::Index i = 0; i < rows.rows(); ++i) {
      spread.set(row(rows, i));
      const SparseVector a = samestory::tfidf::to_vector(rows, i);
      for (Eigen::Index j = 0; j < rows.rows(); ++j) {
        const double want = static_cast<double>(a.dot(samestory::tfidf::to_vector(rows, j)));
        CHECK(spread.dot(row(rows, j)) == want);
        CHECK(cosine(row(rows, i), row(rows, j)) == want);
      }
    }
    // Cleared, the array is all zero again: nothing matches.
    spread.clear();
    if (rows.rows() > 0) CHECK(spread.dot(row(rows, 0)) == 0.0);
  }
}

TEST_CASE("tfidf: a ScatteredRow over many columns: indices sharing a bitmap bit still match exactly") {
  // Columns beyond the 2^16-bit bitmap, so that indices x and x + 65536k share a bit: the
  // partner's index reads the array, which holds 0 there, and the sum stays the merge's.
  using samestory::tfidf::Row;
  using samestory::tfidf::ScatteredRow;
  SplitMix64 rng{114};
  constexpr std::int32_t kCols = 400000;
  auto random_row = [&](std::vector<std::int32_t>& index, std::vector<float>& value, std::size_t n,
                        const std::vector<std::int32_t>& near) {
    std::set<std::int32_t> picked;
    while (picked.size() < n) {
      if (!near.empty() && rng.below(3) == 0) {
        // A neighbour of the other row's index on the bitmap (same bit) or the same index.
        const std::int32_t x = near[rng.below(near.size())];
        const std::int32_t y = x + static_cast<std::int32_t>(65536 * rng.below(4)) - 65536;
        if (y >= 0 && y < kCols) picked.insert(y);
      } else {
        picked.insert(static_cast<std::int32_t>(rng.below(kCols)));
      }
    }
    index.assign(picked.begin(), picked.end());
    value.resize(index.size());
    for (auto& v : value) v = static_cast<float>(0.001 + rng.unit());
  };
  ScatteredRow spread(kCols);
  for (int t = 0; t < 300; ++t) {
    std::vector<std::int32_t> ia, ib;
    std::vector<float> va, vb;
    random_row(ia, va, rng.below(t % 2 ? 40 : 900), {});
    spread.set(Row{ia.data(), va.data(), ia.size()});
    for (int u = 0; u < 5; ++u) {
      random_row(ib, vb, rng.below(t % 3 ? 60 : 1200), ia);
      const Row a{ia.data(), va.data(), ia.size()}, b{ib.data(), vb.data(), ib.size()};
      // The reference: the products of the shared indices added in index order.
      float want = 0.0f;
      for (std::size_t i = 0, j = 0; i < ia.size() && j < ib.size();) {
        if (ia[i] == ib[j])
          want += va[i++] * vb[j++];
        else if (ia[i] < ib[j])
          ++i;
        else
          ++j;
      }
      CHECK(spread.dot(b) == static_cast<double>(want));
      CHECK(cosine(a, b) == static_cast<double>(want));
    }
  }
}

TEST_CASE("tfidf: a ScatteredRow refuses a row beyond its columns and merges one beyond them") {
  using samestory::tfidf::Row;
  using samestory::tfidf::ScatteredRow;
  const std::int32_t ia[] = {1, 5, 9}, ib[] = {5, 9, 40}, ic[] = {-1, 5};
  const float va[] = {0.5f, 0.5f, 0.7f}, vb[] = {0.25f, 0.5f, 0.8f}, vc[] = {0.5f, 0.5f};
  const Row a{ia, va, 3}, b{ib, vb, 3}, c{ic, vc, 2};
  ScatteredRow spread(10);
  CHECK_THROWS_AS(spread.set(b), std::invalid_argument);
  CHECK_THROWS_AS(spread.set(c), std::invalid_argument);
  spread.set(a);
  CHECK(spread.dot(b) == cosine(a, b));  // index 40 is outside the 10 columns: the merge answers
  CHECK(spread.dot(b) == static_cast<double>(0.5f * 0.25f + 0.7f * 0.5f));
  CHECK(spread.dot(Row{}) == 0.0);
  ScatteredRow none;
  CHECK(none.cols() == 0);
  CHECK(none.dot(a) == 0.0);
}
