#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <map>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "eval/metrics.hpp"
#include "eval/reference.hpp"
#include "random.hpp"

using samestory::eval::evaluate;
using samestory::eval::Labels;
using samestory::eval::Report;
using samestory::eval::to_json;

namespace {

// Item i gets id "<prefix>i" and the one-character label labels[i].
Labels from_chars(const std::string& labels, const std::string& prefix = "i") {
  Labels out;
  for (std::size_t i = 0; i < labels.size(); ++i)
    out.emplace_back(prefix + std::to_string(i), std::string(1, labels[i]));
  return out;
}

Labels from_ints(const std::vector<int>& labels) {
  Labels out;
  for (std::size_t i = 0; i < labels.size(); ++i) out.emplace_back("i" + std::to_string(i), std::to_string(labels[i]));
  return out;
}

// Field-by-field exact equality (doubles compared with ==, not rounded).
void check_identical(const Report& x, const Report& y) {
  CHECK(to_json(x) == to_json(y));
  CHECK(x.pairwise.precision == y.pairwise.precision);
  CHECK(x.pairwise.recall == y.pairwise.recall);
  CHECK(x.pairwise.f1 == y.pairwise.f1);
  CHECK(x.bcubed.precision == y.bcubed.precision);
  CHECK(x.bcubed.recall == y.bcubed.recall);
  CHECK(x.bcubed.f1 == y.bcubed.f1);
  CHECK(x.ari == y.ari);
  CHECK(x.ami == y.ami);
  CHECK(x.nmi == y.nmi);
}

void check_perfect(const Report& r) {
  CHECK(r.pairwise.precision == 1.0);
  CHECK(r.pairwise.recall == 1.0);
  CHECK(r.pairwise.f1 == 1.0);
  CHECK(r.bcubed.precision == doctest::Approx(1.0));
  CHECK(r.bcubed.recall == doctest::Approx(1.0));
  CHECK(r.ari == 1.0);
  CHECK(r.ami == 1.0);
  CHECK(r.nmi == 1.0);
  CHECK(r.largest_splits.empty());
  CHECK(r.largest_merges.empty());
}

using samestory::test::shuffle;
using samestory::test::SplitMix64;

// sklearn's AMI written the direct way: EMI summed cell by cell over every (row, column) pair.
double reference_ami(const std::vector<std::string>& gl, const std::vector<std::string>& pl) {
  const double n = static_cast<double>(gl.size());
  std::map<std::string, double> a, b;
  std::map<std::pair<std::string, std::string>, double> cont;
  for (std::size_t i = 0; i < gl.size(); ++i) ++a[gl[i]], ++b[pl[i]], ++cont[{gl[i], pl[i]}];
  if (cont.size() == a.size() && cont.size() == b.size()) return 1.0;  // identical partitions
  double mi = 0, ha = 0, hb = 0, emi = 0;
  for (const auto& [k, v] : cont) mi += v / n * std::log(n * v / (a[k.first] * b[k.second]));
  for (const auto& [k, v] : a) ha -= v / n * std::log(v / n);
  for (const auto& [k, v] : b) hb -= v / n * std::log(v / n);
  if (a.size() > 1 && b.size() > 1)
    for (const auto& [ka, ai] : a)
      for (const auto& [kb, bj] : b)
        for (double k = std::max(1.0, ai + bj - n); k <= std::min(ai, bj); ++k)
          emi += k / n * std::log(n * k / (ai * bj)) *
                 std::exp(std::lgamma(ai + 1) + std::lgamma(bj + 1) + std::lgamma(n - ai + 1) +
                          std::lgamma(n - bj + 1) - std::lgamma(n + 1) - std::lgamma(k + 1) - std::lgamma(ai - k + 1) -
                          std::lgamma(bj - k + 1) - std::lgamma(n - ai - bj + k + 1));
  return (std::max(mi, 0.0) - emi) / ((ha + hb) / 2 - emi);
}

}  // namespace

// Gold:  A = {i0,i1,i2}, B = {i3,i4}, C = {i5}
// Pred:  X = {i0,i1},    Y = {i2,i3,i4}, Z = {i5}
// Contingency: A∩X = 2, A∩Y = 1, B∩Y = 2, C∩Z = 1; gold sizes (3,2,1), pred sizes (2,3,1).
const Labels kGold = from_chars("AAABBC");
const Labels kPred = from_chars("XXYYYZ");

TEST_CASE("eval: pairwise scores on a hand-computed partition") {
  const Report r = evaluate(kGold, kPred);
  CHECK(r.items == 6);
  CHECK(r.gold_clusters == 3);
  CHECK(r.pred_clusters == 3);
  CHECK(r.missing_in_pred == 0);
  CHECK(r.extra_in_pred == 0);
  // true = C(3,2)+C(2,2)+C(1,2) = 3+1+0 = 4; predicted = C(2,2)+C(3,2)+C(1,2) = 1+3+0 = 4
  // correct = C(2,2)+C(1,2)+C(2,2)+C(1,2) = 1+0+1+0 = 2 -> P = R = F1 = 2/4
  CHECK(r.pairwise.true_pairs == 4);
  CHECK(r.pairwise.predicted_pairs == 4);
  CHECK(r.pairwise.correct_pairs == 2);
  CHECK(r.pairwise.precision == 0.5);
  CHECK(r.pairwise.recall == 0.5);
  CHECK(r.pairwise.f1 == 0.5);
}

TEST_CASE("eval: b-cubed on a hand-computed partition") {
  const Report r = evaluate(kGold, kPred);
  // item: precision = |pred∩gold|/|pred|, recall = |pred∩gold|/|gold|
  // i0,i1: 2/2, 2/3   i2: 1/3, 1/3   i3,i4: 2/3, 2/2   i5: 1/1, 1/1
  // P = (1+1+1/3+2/3+2/3+1)/6 = (14/3)/6 = 7/9;  R = (2/3+2/3+1/3+1+1+1)/6 = 7/9;  F1 = 7/9
  CHECK(r.bcubed.precision == doctest::Approx(7.0 / 9).epsilon(1e-12));
  CHECK(r.bcubed.recall == doctest::Approx(7.0 / 9).epsilon(1e-12));
  CHECK(r.bcubed.f1 == doctest::Approx(7.0 / 9).epsilon(1e-12));
}

TEST_CASE("eval: ari on a hand-computed partition") {
  const Report r = evaluate(kGold, kPred);
  // index = 2, sum_a = 4, sum_b = 4, C(6,2) = 15; expected = 4*4/15 = 16/15; max = (4+4)/2 = 4
  // ARI = (2 - 16/15) / (4 - 16/15) = (14/15) / (44/15) = 7/22
  CHECK(r.ari == doctest::Approx(7.0 / 22).epsilon(1e-12));
}

TEST_CASE("eval: nmi on a hand-computed partition") {
  const Report r = evaluate(kGold, kPred);
  // MI = 2/6 ln(6*2/(3*2)) + 1/6 ln(6*1/(3*3)) + 2/6 ln(6*2/(2*3)) + 1/6 ln(6*1/(1*1))
  //    = 1/3 ln2 + 1/6 ln(2/3) + 1/3 ln2 + 1/6 ln6 = 2/3 ln2 + 1/6 ln4 = ln2
  // Both labellings have sizes (3,2,1): H = 1/2 ln2 + 1/3 ln3 + 1/6 ln6; NMI = MI / ((H+H)/2)
  const double h = std::log(2.0) / 2 + std::log(3.0) / 3 + std::log(6.0) / 6;
  CHECK(r.nmi == doctest::Approx(std::log(2.0) / h).epsilon(1e-12));
}

TEST_CASE("eval: ami and nmi pinned against an independent reference") {
  // Values from a standard-library Python implementation of sklearn's formulas
  // (adjusted_mutual_info_score / normalized_mutual_info_score, average_method="arithmetic",
  // EMI summed cell by cell with math.lgamma). Switching that script to max-normalisation gives
  // AMI 0.225042283198309 on the first case, the value sklearn documents (0.2250422831983088)
  // for the same labels under its former default average_method="max".
  struct Case {
    std::vector<int> gold, pred;
    double ami, nmi;
  };
  const std::vector<Case> cases = {
      {{0, 0, 0, 1, 1, 1}, {0, 0, 1, 1, 2, 2}, 0.29879245817089023, 0.5158037429793888},
      {{0, 0, 0, 1, 1, 2}, {0, 0, 1, 1, 1, 2}, 0.4118276310331737, 0.6853314789615865},
      {{0, 0, 0, 0, 1, 1, 1, 2, 2, 3}, {0, 0, 1, 1, 1, 2, 2, 2, 3, 3}, 0.23858391007235052, 0.5739323787756516},
  };
  for (const Case& c : cases) {
    const Report r = evaluate(from_ints(c.gold), from_ints(c.pred));
    CHECK(r.ami == doctest::Approx(c.ami).epsilon(1e-9));
    CHECK(r.nmi == doctest::Approx(c.nmi).epsilon(1e-9));
    // Both are symmetric in their arguments.
    const Report s = evaluate(from_ints(c.pred), from_ints(c.gold));
    CHECK(s.ami == doctest::Approx(c.ami).epsilon(1e-9));
    CHECK(s.nmi == doctest::Approx(c.nmi).epsilon(1e-9));
  }
}

TEST_CASE("eval: largest splits and merges") {
  const Report r = evaluate(kGold, kPred);
  REQUIRE(r.largest_splits.size() == 1);  // only A is split (X:2, Y:1)
  CHECK(r.largest_splits[0].label == "A");
  CHECK(r.largest_splits[0].size == 3);
  CHECK(r.largest_splits[0].parts == std::vector<std::pair<std::string, std::uint64_t>>{{"X", 2}, {"Y", 1}});
  REQUIRE(r.largest_merges.size() == 1);  // only Y mixes gold labels (B:2, A:1)
  CHECK(r.largest_merges[0].label == "Y");
  CHECK(r.largest_merges[0].size == 3);
  CHECK(r.largest_merges[0].parts == std::vector<std::pair<std::string, std::uint64_t>>{{"B", 2}, {"A", 1}});

  // Ordering: outside-largest-part desc, then size desc, then label; parts by count desc then label.
  // P: 5 items as 3+2 (outside 2); Q: 4 items as 2+2 (outside 2); S: 3 items as 1+1+1
  // (outside 2); R: 2 items as 1+1 (outside 1); T: unsplit. Order: P, Q, S (size 5 > 4 > 3), R.
  const Labels gold = from_chars("PPPPPQQQQRRSSSTT");
  const Labels pred = from_chars("aaabbdcdcefihgjj");
  const Report o = evaluate(gold, pred);
  REQUIRE(o.largest_splits.size() == 4);
  CHECK(o.largest_splits[0].label == "P");
  CHECK(o.largest_splits[1].label == "Q");
  CHECK(o.largest_splits[2].label == "S");
  CHECK(o.largest_splits[3].label == "R");
  CHECK(o.largest_splits[1].parts == std::vector<std::pair<std::string, std::uint64_t>>{{"c", 2}, {"d", 2}});
  CHECK(o.largest_splits[2].parts == std::vector<std::pair<std::string, std::uint64_t>>{{"g", 1}, {"h", 1}, {"i", 1}});
  CHECK(o.largest_merges.empty());

  // At most 10 entries: 12 gold pairs each split in two.
  std::string g, p;
  for (int k = 0; k < 12; ++k) {
    g += std::string(2, static_cast<char>('A' + k));
    p += std::string{static_cast<char>('a' + 2 * k), static_cast<char>('b' + 2 * k)};
  }
  const Report many = evaluate(from_chars(g), from_chars(p));
  REQUIRE(many.largest_splits.size() == 10);
  CHECK(many.largest_splits.front().label == "A");  // all tie on (1, 2): by label
  CHECK(many.largest_splits.back().label == "J");
}

TEST_CASE("eval: all singletons on both sides") {
  const Report r = evaluate(from_chars("abcde"), from_chars("vwxyz"));
  CHECK(r.pairwise.true_pairs == 0);
  CHECK(r.pairwise.predicted_pairs == 0);  // both denominators 0 -> P = R = 1
  check_perfect(r);
}

TEST_CASE("eval: one cluster on both sides") {
  const Report r = evaluate(from_chars("aaaa"), from_chars("zzzz"));
  CHECK(r.pairwise.true_pairs == 6);
  CHECK(r.pairwise.correct_pairs == 6);
  check_perfect(r);
  check_perfect(evaluate(from_chars("a"), from_chars("z")));  // a single item
}

TEST_CASE("eval: all singletons against one cluster") {
  const Report r = evaluate(from_chars("abcd"), from_chars("zzzz"));
  // true = 0 -> R = 1; predicted = 6, correct = 0 -> P = 0; F1 = 0
  CHECK(r.pairwise.precision == 0.0);
  CHECK(r.pairwise.recall == 1.0);
  CHECK(r.pairwise.f1 == 0.0);
  // each item: precision 1/4, recall 1/1; F1 = 2*0.25*1/1.25 = 0.4
  CHECK(r.bcubed.precision == doctest::Approx(0.25));
  CHECK(r.bcubed.recall == doctest::Approx(1.0));
  CHECK(r.bcubed.f1 == doctest::Approx(0.4));
  // index 0, sum_a 0, sum_b 6: expected 0, max 3 -> ARI 0; MI = EMI = 0 -> AMI 0, NMI 0
  CHECK(r.ari == 0.0);
  CHECK(r.ami == 0.0);
  CHECK(r.nmi == 0.0);
  REQUIRE(r.largest_merges.size() == 1);
  CHECK(r.largest_merges[0].parts.size() == 4);
  const Report s = evaluate(from_chars("zzzz"), from_chars("abcd"));
  CHECK(s.pairwise.precision == 1.0);
  CHECK(s.pairwise.recall == 0.0);
  CHECK(s.ari == 0.0);
  CHECK(s.ami == 0.0);
}

TEST_CASE("eval: ids missing from the prediction are scored as singletons") {
  const Labels gold = {{"a1", "A"}, {"a2", "A"}, {"a3", "A"}, {"b1", "B"}};
  const Labels pred = {{"a1", "X"}, {"a2", "X"}, {"b1", "Y"}};  // a3 missing
  const Report r = evaluate(gold, pred);
  CHECK(r.items == 4);
  CHECK(r.missing_in_pred == 1);
  CHECK(r.extra_in_pred == 0);
  CHECK(r.pred_clusters == 3);  // X, Y and a3's singleton
  // true = C(3,2) = 3; predicted = C(2,2) = 1; correct = 1 -> P = 1, R = 1/3
  CHECK(r.pairwise.precision == 1.0);
  CHECK(r.pairwise.recall == doctest::Approx(1.0 / 3));
  REQUIRE(r.largest_splits.size() == 1);
  CHECK(r.largest_splits[0].parts == std::vector<std::pair<std::string, std::uint64_t>>{{"X", 2}, {"<missing:a3>", 1}});
  // Same as predicting a3 into a fresh cluster of its own.
  Labels explicit_pred = pred;
  explicit_pred.emplace_back("a3", "fresh");
  const Report e = evaluate(gold, explicit_pred);
  CHECK(e.ari == r.ari);
  CHECK(e.ami == r.ami);
  CHECK(e.bcubed.recall == r.bcubed.recall);
  // Everything missing: prediction is all singletons.
  const Report none = evaluate(gold, {});
  CHECK(none.missing_in_pred == 4);
  CHECK(none.pairwise.predicted_pairs == 0);
  CHECK(none.pairwise.precision == 1.0);
  CHECK(none.pairwise.recall == 0.0);
}

TEST_CASE("eval: extra ids in the prediction are ignored") {
  Labels pred = kPred;
  pred.emplace_back("zz1", "X");
  pred.emplace_back("zz2", "NEW");
  const Report r = evaluate(kGold, pred);
  CHECK(r.extra_in_pred == 2);
  CHECK(r.items == 6);
  CHECK(r.pred_clusters == 3);
  Report base = evaluate(kGold, kPred);
  base.extra_in_pred = 2;
  check_identical(r, base);
}

TEST_CASE("eval: duplicate ids throw") {
  Labels gold = kGold;
  gold.emplace_back("i3", "C");
  CHECK_THROWS_WITH_AS(evaluate(gold, kPred), "duplicate id \"i3\" in gold", std::invalid_argument);
  Labels pred = kPred;
  pred.emplace_back("i5", "Z");  // same label still counts as a duplicate
  pred.emplace_back("extra", "Q");
  pred.emplace_back("extra", "Q");
  CHECK_THROWS_WITH_AS(evaluate(kGold, pred), "duplicate id \"extra\" in prediction", std::invalid_argument);
  CHECK_THROWS_WITH_AS(evaluate({}, kPred), "gold labelling is empty", std::invalid_argument);
}

TEST_CASE("eval: invariance to input order and label names") {
  SplitMix64 rng{42};
  Labels gold = from_chars("AAAABBBCCDEEEEEF");
  Labels pred = from_chars("xxyyyzzzwwwvvvuu");
  pred.emplace_back("extra", "x");
  pred.erase(pred.begin() + 3);  // i3 missing
  const Report base = evaluate(gold, pred);
  for (int round = 0; round < 20; ++round) {
    shuffle(gold, rng);
    shuffle(pred, rng);
    check_identical(evaluate(gold, pred), base);
  }
  // Renaming labels (bijectively) changes no score.
  Labels renamed = pred;
  for (auto& [id, label] : renamed) label = "cluster-" + label;
  const Report r = evaluate(gold, renamed);
  CHECK(r.ari == base.ari);
  CHECK(r.ami == base.ami);
  CHECK(r.bcubed.f1 == base.bcubed.f1);
}

TEST_CASE("eval: random partitions against brute-force references") {
  for (std::uint64_t seed = 1; seed <= 300; ++seed) {
    CAPTURE(seed);
    SplitMix64 rng{seed};
    const std::size_t n = 1 + rng.below(30);
    const std::size_t kg = 1 + rng.below(n), kp = 1 + rng.below(n);
    const bool correlated = rng.below(2) == 0;
    Labels gold, pred;
    std::vector<std::string> gl(n), pl(n);  // pl: predicted label, or a unique one when missing
    for (std::size_t i = 0; i < n; ++i) {
      const std::string id = "id" + std::to_string(i);
      const std::size_t g = rng.below(kg);
      gl[i] = "g" + std::to_string(g);
      gold.emplace_back(id, gl[i]);
      if (rng.below(10) == 0) {
        pl[i] = "missing#" + std::to_string(i);
        continue;
      }
      pl[i] = "p" + std::to_string(correlated && rng.below(4) != 0 ? g : rng.below(kp));
      pred.emplace_back(id, pl[i]);
    }
    for (std::size_t e = rng.below(3); e > 0; --e) pred.emplace_back("extra" + std::to_string(e), "p0");
    shuffle(gold, rng);
    shuffle(pred, rng);
    const Report r = evaluate(gold, pred);

    // Explicit enumeration of all unordered pairs.
    double tp = 0, fp = 0, fn = 0, tn = 0;
    for (std::size_t i = 0; i < n; ++i)
      for (std::size_t j = i + 1; j < n; ++j) {
        const bool sg = gl[i] == gl[j], sp = pl[i] == pl[j];
        (sg && sp ? tp : sp ? fp : sg ? fn : tn) += 1;
      }
    CHECK(r.pairwise.true_pairs == static_cast<std::uint64_t>(tp + fn));
    CHECK(r.pairwise.predicted_pairs == static_cast<std::uint64_t>(tp + fp));
    CHECK(r.pairwise.correct_pairs == static_cast<std::uint64_t>(tp));
    CHECK(r.pairwise.precision == doctest::Approx(tp + fp == 0 ? 1.0 : tp / (tp + fp)).epsilon(1e-12));
    CHECK(r.pairwise.recall == doctest::Approx(tp + fn == 0 ? 1.0 : tp / (tp + fn)).epsilon(1e-12));
    // ARI from the pair confusion counts (equivalent to the Rand index adjusted for chance).
    const double ari =
        fp == 0 && fn == 0 ? 1.0 : 2 * (tp * tn - fn * fp) / ((tp + fn) * (fn + tn) + (tp + fp) * (fp + tn));
    CHECK(r.ari == doctest::Approx(ari).epsilon(1e-9));

    // B-cubed, item by item.
    double bp = 0, br = 0;
    for (std::size_t i = 0; i < n; ++i) {
      double same_pred = 0, same_gold = 0, same_both = 0;
      for (std::size_t j = 0; j < n; ++j) {
        same_pred += pl[j] == pl[i];
        same_gold += gl[j] == gl[i];
        same_both += pl[j] == pl[i] && gl[j] == gl[i];
      }
      bp += same_both / same_pred;
      br += same_both / same_gold;
    }
    CHECK(r.bcubed.precision == doctest::Approx(bp / static_cast<double>(n)).epsilon(1e-12));
    CHECK(r.bcubed.recall == doctest::Approx(br / static_cast<double>(n)).epsilon(1e-12));

    CHECK(r.ami == doctest::Approx(reference_ami(gl, pl)).epsilon(1e-9));
    CHECK(r.ami <= 1.0 + 1e-12);
    CHECK(r.nmi >= 0.0);
    CHECK(r.nmi <= 1.0 + 1e-12);
  }
}

TEST_CASE("eval: to_json is pinned") {
  CHECK(to_json(evaluate(kGold, kPred)) == R"({
  "items": 6,
  "missing_in_pred": 0,
  "extra_in_pred": 0,
  "gold_clusters": 3,
  "pred_clusters": 3,
  "pairwise": {
    "precision": 0.5,
    "recall": 0.5,
    "f1": 0.5,
    "true_pairs": 4,
    "predicted_pairs": 4,
    "correct_pairs": 2
  },
  "bcubed": {
    "precision": 0.777778,
    "recall": 0.777778,
    "f1": 0.777778
  },
  "ari": 0.318182,
  "ami": 0.411828,
  "nmi": 0.685331,
  "largest_splits": [
    {
      "label": "A",
      "size": 3,
      "parts": [
        {"label": "X", "count": 2},
        {"label": "Y", "count": 1}
      ]
    }
  ],
  "largest_merges": [
    {
      "label": "Y",
      "size": 3,
      "parts": [
        {"label": "B", "count": 2},
        {"label": "A", "count": 1}
      ]
    }
  ]
})");
  const std::string perfect = to_json(evaluate(from_chars("ab"), from_chars("ab")));
  CHECK(perfect.find("\"ari\": 1,\n") != std::string::npos);
  CHECK(perfect.find("\"largest_splits\": [],\n  \"largest_merges\": []\n}") != std::string::npos);
  // Strings are escaped.
  const std::string odd = to_json(evaluate({{"a", "q\"\\\n\x01"}, {"b", "q\"\\\n\x01"}}, {{"a", "1"}, {"b", "2"}}));
  CHECK(odd.find(R"("label": "q\"\\\n\u0001")") != std::string::npos);
}

namespace {

// Sorted, distinct sets over a small universe, some of them edited copies of earlier ones
// (drops and inserts), so that pairs exist at every Jaccard level; a few empty sets.
std::vector<std::vector<std::uint64_t>> random_sets(samestory::test::SplitMix64& rng, std::size_t n) {
  std::vector<std::vector<std::uint64_t>> sets;
  for (std::size_t i = 0; i < n; ++i) {
    std::vector<std::uint64_t> s;
    if (i > 0 && rng.below(2) == 0) {
      s = sets[rng.below(i)];
      const double drop = rng.unit() * 0.6;
      std::erase_if(s, [&](std::uint64_t) { return rng.unit() < drop; });
      for (std::size_t k = rng.below(8); k > 0; --k) s.push_back(rng.below(400));
    } else if (rng.below(10) != 0) {
      for (std::size_t k = 1 + rng.below(40); k > 0; --k) s.push_back(rng.below(rng.below(2) ? 400 : 40));
    }
    std::sort(s.begin(), s.end());
    s.erase(std::unique(s.begin(), s.end()), s.end());
    sets.push_back(std::move(s));
  }
  return sets;
}

}  // namespace

TEST_CASE("eval: jaccard_join equals the all-pairs reference on random sets") {
  samestory::test::SplitMix64 rng{20261122};
  std::size_t nonempty_pairs = 0;
  for (int trial = 0; trial < 30; ++trial) {
    const auto sets = random_sets(rng, 20 + rng.below(150));
    for (const double t : {0.05, 0.2, 1.0 / 3.0, 0.5, 0.8, 0.9999, 1.0}) {
      auto want = samestory::eval::all_pairs_jaccard(sets, t);
      std::erase_if(want, [&](const auto& p) { return sets[p.i].empty() || sets[p.j].empty(); });
      const auto got = samestory::eval::jaccard_join(sets, t);
      REQUIRE(got.size() == want.size());
      for (std::size_t k = 0; k < got.size(); ++k) {
        CHECK(got[k].i == want[k].i);
        CHECK(got[k].j == want[k].j);
        CHECK(got[k].similarity == want[k].similarity);
      }
      nonempty_pairs += want.size();
    }
  }
  CHECK(nonempty_pairs > 1000);  // the inputs do exercise the join
}

TEST_CASE("eval: jaccard_join on fixed sets") {
  const std::vector<std::vector<std::uint64_t>> sets{{1, 2, 3, 4}, {1, 2, 3, 5}, {}, {}, {1, 2, 3, 4}, {9}};
  const auto got = samestory::eval::jaccard_join(sets, 0.6);  // J(0,1) = 3/5, J(0,4) = 1, J(1,4) = 3/5
  REQUIRE(got.size() == 3);
  CHECK((got[0].i == 0 && got[0].j == 1 && got[0].similarity == doctest::Approx(0.6)));
  CHECK((got[1].i == 0 && got[1].j == 4 && got[1].similarity == 1.0));
  CHECK((got[2].i == 1 && got[2].j == 4));
  CHECK(samestory::eval::jaccard_join(sets, 0.61).size() == 1);
  CHECK_THROWS_AS(samestory::eval::jaccard_join(sets, 0.0), std::invalid_argument);
}
