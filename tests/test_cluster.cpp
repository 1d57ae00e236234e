// Clustering: union-find and dup groups against BFS components and a brute-force canonical
// argmin; verify_pairs; stories against a naive O(n^3) average-link agglomeration.

#include <doctest/doctest.h>
#include <tbb/global_control.h>
#include <tbb/task_arena.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdint>
#include <map>
#include <optional>
#include <queue>
#include <set>
#include <stdexcept>
#include <tuple>
#include <utility>
#include <vector>

#include "cluster/dup_groups.hpp"
#include "cluster/stories.hpp"
#include "cluster/story_terms.hpp"
#include "cluster_reference.hpp"
#include "random.hpp"
#include "text/tokenize.hpp"
#include "tfidf/tfidf.hpp"

using samestory::cluster::CanonicalKey;
using samestory::cluster::cluster_stories;
using samestory::cluster::content_similarity;
using samestory::cluster::dup_groups;
using samestory::cluster::kFigures;
using samestory::cluster::kLead;
using samestory::cluster::kNumbers;
using samestory::cluster::kStoryExtras;
using samestory::cluster::kStoryFields;
using samestory::cluster::precedes;
using samestory::cluster::story_similarity;
using samestory::cluster::StoryDoc;
using samestory::cluster::StoryOptions;
using samestory::cluster::StoryResult;
using samestory::cluster::UnionFind;
using samestory::cluster::verify_pairs;
using samestory::lsh::Pair;
using samestory::tfidf::SparseVector;

namespace {

using samestory::test::bfs_components;
using samestory::test::brute_content;
using samestory::test::canonical_partition;
using samestory::test::naive_in_story_order;
using samestory::test::shared_terms;
using samestory::test::shuffle;
using samestory::test::SplitMix64;

constexpr std::int64_t kDay = 86400;

// ---- graphs -------------------------------------------------------------------------------

std::vector<Pair> random_edges(SplitMix64& rng, std::size_t n, std::size_t m) {
  std::vector<Pair> edges;
  if (n < 2) return edges;
  for (std::size_t k = 0; k < m; ++k) {
    const auto a = static_cast<std::uint32_t>(rng.below(n)), b = static_cast<std::uint32_t>(rng.below(n));
    if (a != b) edges.emplace_back(std::min(a, b), std::max(a, b));
  }
  return edges;
}

// Canonical rule as a sort key: dated first, earliest date, longest, first in input.
std::tuple<int, std::int64_t, std::int64_t, std::uint32_t> rank(const CanonicalKey& k, std::uint32_t i) {
  return {k.published ? 0 : 1, k.published.value_or(0), -static_cast<std::int64_t>(k.length), i};
}

std::uint32_t brute_best(const std::vector<std::uint32_t>& members, std::span<const CanonicalKey> keys) {
  std::uint32_t best = members.front();
  for (auto i : members)
    if (rank(keys[i], i) < rank(keys[best], best)) best = i;
  return best;
}

std::vector<CanonicalKey> random_keys(SplitMix64& rng, std::size_t n) {
  std::vector<CanonicalKey> keys(n);
  for (auto& k : keys) {
    if (rng.below(3) != 0) k.published = static_cast<std::int64_t>(rng.below(5)) * 1000 - 2000;  // ties and negatives
    k.length = rng.below(4) * 100;
  }
  return keys;
}

// ---- story docs ---------------------------------------------------------------------------

using FieldTokens = std::array<std::vector<std::uint64_t>, kStoryFields>;

// TF-IDF docs from token lists: one IdfModel per field (as the pipeline does), so every
// field vector of every doc has that field's vocabulary size.
std::vector<StoryDoc> tfidf_docs(const std::vector<FieldTokens>& tokens) {
  std::vector<StoryDoc> docs(tokens.size());
  for (std::size_t f = 0; f < kStoryFields; ++f) {
    std::vector<samestory::tfidf::TermCounts> counts(tokens.size());
    for (std::size_t d = 0; d < tokens.size(); ++d) {
      auto t = tokens[d][f];
      samestory::tfidf::count_terms(t, counts[d]);
    }
    const auto model = samestory::tfidf::IdfModel::fit(counts);
    for (std::size_t d = 0; d < tokens.size(); ++d) docs[d].fields[f] = model.transform(counts[d]);
  }
  return docs;
}

// A field vector with random real weights on a random subset of `dim` indices, L2-normalised.
SparseVector random_vector(SplitMix64& rng, std::int32_t dim, std::size_t nnz) {
  std::vector<std::int32_t> idx(static_cast<std::size_t>(dim));
  for (std::int32_t i = 0; i < dim; ++i) idx[static_cast<std::size_t>(i)] = i;
  shuffle(idx, rng);
  idx.resize(std::min(nnz, idx.size()));
  std::sort(idx.begin(), idx.end());
  std::vector<double> w(idx.size());
  double n2 = 0;
  for (auto& x : w) x = 0.05 + rng.unit(), n2 += x * x;
  SparseVector v(dim);
  for (std::size_t k = 0; k < idx.size(); ++k) v.insertBack(idx[k]) = static_cast<float>(w[k] / std::sqrt(n2));
  return v;
}

constexpr std::array<std::int32_t, kStoryFields> kDims{8, 12, 6, 10};  // title, body, entity, bigram

// Small random docs over small vocabularies; fields present with probability `presence`
// (body always present), random dates (some missing) spanning the time gate.
std::vector<StoryDoc> random_docs(SplitMix64& rng, std::size_t n, double presence) {
  std::vector<StoryDoc> docs(n);
  for (auto& d : docs) {
    for (std::size_t f = 0; f < kStoryFields; ++f) {
      const bool present = f == samestory::cluster::kBody || rng.unit() < presence;
      d.fields[f] = present ? random_vector(rng, kDims[f], 1 + rng.below(4)) : SparseVector(kDims[f]);
    }
    if (rng.below(5) != 0) d.published = static_cast<std::int64_t>(rng.below(40 * kDay));
    d.key.published = d.published;
    d.key.length = rng.below(3) * 500;
  }
  return docs;
}

// Random extras on docs: numbers on about half of them; lead names and figures from small
// vocabularies (a few terms each, some docs none), so that clusters share and miss them.
constexpr std::array<std::int32_t, kStoryExtras> kExtraDims{7, 5, 4};  // numbers, lead, figures
void add_extras(SplitMix64& rng, std::vector<StoryDoc>& docs) {
  for (auto& d : docs) {
    d.extras[kNumbers] =
        rng.below(2) ? random_vector(rng, kExtraDims[kNumbers], 1 + rng.below(3)) : SparseVector(kExtraDims[kNumbers]);
    d.extras[kLead] = random_vector(rng, kExtraDims[kLead], rng.below(4));
    d.extras[kFigures] = random_vector(rng, kExtraDims[kFigures], rng.below(3));
  }
}

// n docs on `topics` overlapping topics over a shared vocabulary (each term from the doc's
// topic 3 times in 4, else from 3,000 shared ones), dated 3 times in 4 within 30 days: many
// candidates, merges and ties.
std::vector<StoryDoc> topic_docs(SplitMix64& rng, std::size_t n, std::uint64_t topics) {
  std::vector<FieldTokens> tokens(n);
  for (auto& t : tokens) {
    const std::uint64_t topic = rng.below(topics);
    for (std::size_t f = 0; f < kStoryFields; ++f)
      for (std::size_t k = 0, m = 2 + rng.below(10); k < m; ++k)
        t[f].push_back(rng.below(4) ? topic * 40 + rng.below(40) : 100000 + rng.below(3000));
  }
  auto docs = tfidf_docs(tokens);
  for (auto& d : docs) {
    if (rng.below(4)) d.published = static_cast<std::int64_t>(rng.below(30 * kDay));
    d.key.published = d.published;
    d.key.length = rng.below(5);
  }
  return docs;
}

std::vector<std::uint32_t> partition_of(const StoryResult& r) {
  return canonical_partition(r.lead);
}

std::vector<std::vector<std::uint32_t>> stories_of(const StoryResult& r) {
  std::map<std::uint32_t, std::vector<std::uint32_t>> by_lead;
  for (std::uint32_t i = 0; i < r.lead.size(); ++i) by_lead[r.lead[i]].push_back(i);
  std::vector<std::vector<std::uint32_t>> out;
  for (auto& [lead, m] : by_lead) out.push_back(m);
  return out;
}

void check_result_shape(const StoryResult& r, std::span<const StoryDoc> docs) {
  REQUIRE(r.lead.size() == docs.size());
  REQUIRE(r.score.size() == docs.size());
  std::vector<CanonicalKey> keys;
  for (const auto& d : docs) keys.push_back(d.key);
  for (const auto& m : stories_of(r)) {
    CHECK(r.lead[m[0]] == brute_best(m, keys));  // lead is the story's canonical member
    for (auto i : m) {
      CHECK(r.score[i] >= 0.0f);
      CHECK(r.score[i] <= 1.0f);
      if (m.size() == 1) CHECK(r.score[i] == 1.0f);
    }
  }
}

/// Whether docs [0, k) and [k, 2k), each group formed first (checked), end in one story.
bool groups_together(const std::vector<StoryDoc>& docs, const StoryOptions& o, std::size_t k) {
  const auto r = cluster_stories(docs, o);
  for (std::size_t i = 1; i < k; ++i) REQUIRE(r.lead[i] == r.lead[0]);
  for (std::size_t i = k + 1; i < 2 * k; ++i) REQUIRE(r.lead[i] == r.lead[k]);
  return r.lead[0] == r.lead[k];
}

// Options under which every pair sharing min_shared terms is compared, as in the naive reference.
StoryOptions all_pairs_options() {
  StoryOptions o;
  o.salient_terms = 1000;  // every body/entity term of the random docs is salient
  o.max_candidates_per_doc = 0;
  return o;
}

// cluster_stories(docs, o) checked against the naive reference: the partition, one merge per
// doc fewer than stories, and the result's shape. Returns the result and the reference's partition.
std::pair<StoryResult, std::vector<std::uint32_t>> check_naive(std::span<const StoryDoc> docs, const StoryOptions& o) {
  StoryResult r = cluster_stories(docs, o);
  auto want = naive_in_story_order(docs, o);
  CHECK(partition_of(r) == want);
  const std::set<std::uint32_t> clusters(want.begin(), want.end());
  CHECK(r.stats.merges == docs.size() - clusters.size());
  check_result_shape(r, docs);
  return {std::move(r), std::move(want)};
}

}  // namespace

// ---- union-find and dup groups --------------------------------------------------------------

TEST_CASE("cluster: UnionFind matches BFS components and roots at the smallest member") {
  SplitMix64 rng{201};
  for (int t = 0; t < 300; ++t) {
    const std::size_t n = 1 + rng.below(80);
    const auto edges = random_edges(rng, n, rng.below(2 * n));
    const auto want = bfs_components(n, edges);
    UnionFind uf(n);
    std::size_t joins = 0;
    for (const auto& [a, b] : edges) {
      const bool flip = rng.below(2) == 1;  // orientation must not matter
      joins += uf.unite(flip ? b : a, flip ? a : b) ? 1 : 0;
    }
    std::set<std::uint32_t> comps(want.begin(), want.end());
    CHECK(joins == n - comps.size());
    for (std::uint32_t i = 0; i < n; ++i) CHECK(uf.find(i) == want[i]);
  }
}

TEST_CASE("cluster: precedes and dup_groups follow the canonical rule on hand cases") {
  using K = CanonicalKey;
  CHECK(precedes(K{100, 1}, 5, K{200, 999}, 0));  // earliest published wins over longer
  CHECK_FALSE(precedes(K{200, 999}, 0, K{100, 1}, 5));
  CHECK(precedes(K{500, 1}, 7, K{std::nullopt, 999}, 0));           // dated beats undated
  CHECK(precedes(K{std::nullopt, 50}, 3, K{std::nullopt, 10}, 1));  // undated: longest
  CHECK(precedes(K{100, 50}, 3, K{100, 10}, 1));                    // same date: longest
  CHECK(precedes(K{100, 50}, 1, K{100, 50}, 3));                    // full tie: first in input
  CHECK_FALSE(precedes(K{100, 50}, 3, K{100, 50}, 3));              // strict

  // Group {0,1,2} and {3,4}, singleton 5.
  const std::vector<Pair> edges{{0, 1}, {1, 2}, {3, 4}};
  {
    const std::vector<K> keys{{300, 10}, {100, 5}, {200, 50}, {std::nullopt, 10}, {std::nullopt, 20}, {7, 1}};
    CHECK(dup_groups(edges, keys) == std::vector<std::uint32_t>{1, 1, 1, 4, 4, 5});
  }
  {
    const std::vector<K> keys{
        {std::nullopt, 10}, {std::nullopt, 50}, {std::nullopt, 50}, {9, 1}, {std::nullopt, 99}, {}};
    CHECK(dup_groups(edges, keys) == std::vector<std::uint32_t>{1, 1, 1, 3, 3, 5});
  }
  {
    const std::vector<K> keys(6);  // all equal: first in input
    CHECK(dup_groups(edges, keys) == std::vector<std::uint32_t>{0, 0, 0, 3, 3, 5});
  }
  const std::vector<K> none;
  CHECK(dup_groups({}, none).empty());
}

TEST_CASE("cluster: dup_groups matches BFS components with a brute-force canonical argmin") {
  SplitMix64 rng{202};
  for (int t = 0; t < 300; ++t) {
    const std::size_t n = 1 + rng.below(60);
    auto edges = random_edges(rng, n, rng.below(n + 10));
    const auto keys = random_keys(rng, n);
    const auto comp = bfs_components(n, edges);
    std::map<std::uint32_t, std::vector<std::uint32_t>> members;
    for (std::uint32_t i = 0; i < n; ++i) members[comp[i]].push_back(i);
    std::vector<std::uint32_t> want(n);
    for (const auto& [c, m] : members) {
      const auto best = brute_best(m, keys);
      for (auto i : m) want[i] = best;
    }
    const auto got = dup_groups(edges, keys);
    CHECK(got == want);
    // Independent of edge order and orientation.
    for (int s = 0; s < 3; ++s) {
      shuffle(edges, rng);
      for (auto& e : edges)
        if (rng.below(2)) std::swap(e.first, e.second);
      CHECK(dup_groups(edges, keys) == got);
    }
  }
}

TEST_CASE("cluster: verify_pairs keeps exactly the accepted pairs in order, for any thread count") {
  const tbb::global_control allow(tbb::global_control::max_allowed_parallelism, 4);
  SplitMix64 rng{203};
  std::vector<Pair> cand(20000);
  for (auto& p : cand) {
    const auto a = static_cast<std::uint32_t>(rng.below(5000)), b = static_cast<std::uint32_t>(rng.below(5000));
    p = {std::min(a, b), std::max(a, b) + 1};
  }
  auto accept = [](std::uint32_t i, std::uint32_t j) { return (std::uint64_t{i} * 2654435761u + j) % 7 < 3; };
  std::vector<Pair> want;
  for (const auto& [i, j] : cand)
    if (accept(i, j)) want.emplace_back(i, j);
  REQUIRE(!want.empty());
  REQUIRE(want.size() < cand.size());
  std::vector<Pair> r1, r4;
  tbb::task_arena one(1), four(4);
  one.execute([&] { r1 = verify_pairs(cand, accept); });
  four.execute([&] { r4 = verify_pairs(cand, accept); });
  CHECK(r1 == want);
  CHECK(r4 == want);
  const std::vector<Pair> empty;
  CHECK(verify_pairs(empty, accept).empty());
}

// ---- story similarity -------------------------------------------------------------------------

TEST_CASE("cluster: story similarity matches a dense brute force") {
  SplitMix64 rng{210};
  for (int t = 0; t < 30; ++t) {
    const auto docs = random_docs(rng, 20, 0.6);
    StoryOptions o;
    if (t % 2) {
      for (auto& w : o.weights) w = rng.below(4) == 0 ? 0.0 : rng.unit();  // zero weights skip a field
      o.weights[samestory::cluster::kBody] = 0.5;
    }
    for (std::size_t i = 0; i < docs.size(); ++i)
      for (std::size_t j = 0; j < docs.size(); ++j) {
        const double c = brute_content(docs[i], docs[j], o);
        CHECK(std::abs(content_similarity(docs[i], docs[j], o) - c) <= 1e-6);
        double s = c;
        if (docs[i].published && docs[j].published &&
            std::abs(*docs[i].published - *docs[j].published) > static_cast<std::int64_t>(o.time_gate_days * kDay))
          s *= o.time_factor;
        CHECK(std::abs(story_similarity(docs[i], docs[j], o) - s) <= 1e-6);
      }
  }
}

TEST_CASE("cluster: story time gate scales similarity outside the gate only") {
  std::vector<FieldTokens> tokens(2);
  for (auto& t : tokens) {
    t[samestory::cluster::kTitle] = {1, 2, 3};
    t[samestory::cluster::kBody] = {10, 11, 12, 12, 13};
    t[samestory::cluster::kEntity] = {20, 21};
    t[samestory::cluster::kBigram] = {30, 31};
  }
  tokens.push_back({{{4}, {14, 15}, {}, {32}}});  // a third doc, so idf is not uniform
  auto docs = tfidf_docs(tokens);
  docs.pop_back();
  StoryOptions o;
  REQUIRE(content_similarity(docs[0], docs[1], o) == doctest::Approx(1.0).epsilon(1e-6));
  const std::int64_t t0 = 1'700'000'000;
  auto sim_at = [&](std::optional<std::int64_t> a, std::optional<std::int64_t> b, const StoryOptions& opt) {
    docs[0].published = a;
    docs[1].published = b;
    return story_similarity(docs[0], docs[1], opt);
  };
  CHECK(sim_at(t0, t0 + 60 * kDay, o) == doctest::Approx(0.6).epsilon(1e-6));
  CHECK(sim_at(t0 + 60 * kDay, t0, o) == doctest::Approx(0.6).epsilon(1e-6));
  CHECK(sim_at(t0, t0 + 3 * kDay, o) == doctest::Approx(1.0).epsilon(1e-6));
  CHECK(sim_at(t0, t0 + 14 * kDay, o) == doctest::Approx(1.0).epsilon(1e-6));      // at the gate: no change
  CHECK(sim_at(t0, t0 + 14 * kDay + 1, o) == doctest::Approx(0.6).epsilon(1e-6));  // just past it
  CHECK(sim_at(t0, std::nullopt, o) == doctest::Approx(1.0).epsilon(1e-6));        // undated: no gate
  CHECK(sim_at(std::nullopt, std::nullopt, o) == doctest::Approx(1.0).epsilon(1e-6));
  StoryOptions o2;
  o2.time_factor = 0.25;
  o2.time_gate_days = 30;
  CHECK(sim_at(t0, t0 + 60 * kDay, o2) == doctest::Approx(0.25).epsilon(1e-6));
  CHECK(sim_at(t0, t0 + 29 * kDay, o2) == doctest::Approx(1.0).epsilon(1e-6));
  // content_similarity ignores dates.
  docs[0].published = t0;
  docs[1].published = t0 + 60 * kDay;
  CHECK(content_similarity(docs[0], docs[1], o) == doctest::Approx(1.0).epsilon(1e-6));

  // In clustering: at threshold 0.7 the pair is one story within the gate, two outside it.
  StoryOptions o3;
  o3.threshold = 0.7;
  docs[1].published = t0 + 3 * kDay;
  auto r = cluster_stories(docs, o3);
  CHECK(r.lead[0] == r.lead[1]);
  docs[1].published = t0 + 60 * kDay;
  r = cluster_stories(docs, o3);
  CHECK(r.lead[0] != r.lead[1]);
}

// ---- stories ----------------------------------------------------------------------------------

TEST_CASE("cluster: stories recover well-separated groups at the default options") {
  SplitMix64 rng{220};
  for (int trial = 0; trial < 5; ++trial) {
    const std::size_t groups = 3 + rng.below(6);
    std::vector<FieldTokens> tokens;
    std::vector<std::size_t> truth;
    for (std::size_t g = 0; g < groups; ++g) {
      std::array<std::vector<std::uint64_t>, kStoryFields> pools;
      // A story's docs draw most of their terms from small shared pools (entities especially).
      const std::array<std::size_t, kStoryFields> pool_size{4, 12, 3, 8}, draw{4, 15, 5, 8};
      for (std::size_t f = 0; f < kStoryFields; ++f) {
        pools[f].resize(pool_size[f]);
        for (auto& t : pools[f]) t = rng.next();  // disjoint across groups
      }
      const std::size_t size = 1 + rng.below(8);
      for (std::size_t d = 0; d < size; ++d) {
        FieldTokens ft;
        for (std::size_t f = 0; f < kStoryFields; ++f)
          for (std::size_t k = 0; k < draw[f]; ++k) ft[f].push_back(pools[f][rng.below(pool_size[f])]);
        tokens.push_back(ft);
        truth.push_back(g);
      }
    }
    // Interleave the groups in input order.
    std::vector<std::size_t> order(tokens.size());
    for (std::size_t i = 0; i < order.size(); ++i) order[i] = i;
    shuffle(order, rng);
    std::vector<FieldTokens> shuffled;
    std::vector<std::size_t> shuffled_truth;
    for (auto i : order) shuffled.push_back(tokens[i]), shuffled_truth.push_back(truth[i]);
    auto docs = tfidf_docs(shuffled);
    for (auto& d : docs) {
      d.published = 1'700'000'000 + static_cast<std::int64_t>(rng.below(5 * kDay));
      d.key.published = d.published;
      d.key.length = rng.below(1000);
    }
    const StoryResult r = cluster_stories(docs, StoryOptions{});
    INFO("trial " << trial << " groups " << groups << " docs " << docs.size());
    CHECK(partition_of(r) == canonical_partition(shuffled_truth));
    CHECK(r.stats.merges == docs.size() - groups);
    check_result_shape(r, docs);
    for (const auto& m : stories_of(r))
      if (m.size() > 1)
        for (auto i : m) CHECK(r.score[i] > 0.0f);
  }
}

TEST_CASE("cluster: stories do not chain A~B~C under average link") {
  // Doc i has 4 private body terms plus shared blocks B_i and B_{i+1} of 2 terms each, so it
  // shares 2 terms (min_shared) only with its neighbours; neighbour similarity ~0.2.
  const std::size_t L = 6;
  std::vector<FieldTokens> tokens(L);
  for (std::size_t i = 0; i < L; ++i) {
    auto& body = tokens[i][samestory::cluster::kBody];
    for (std::uint64_t k = 0; k < 4; ++k) body.push_back(1000 + 10 * i + k);
    for (std::uint64_t k = 0; k < 2; ++k) body.push_back(5000 + 10 * i + k), body.push_back(5000 + 10 * (i + 1) + k);
  }
  const auto docs = tfidf_docs(tokens);
  const StoryOptions o;
  // Single link would glue the whole chain: every neighbour pair clears the threshold...
  for (std::size_t i = 0; i + 1 < L; ++i) {
    const double s = story_similarity(docs[i], docs[i + 1], o);
    CHECK(s >= o.threshold);
    CHECK(s < 2 * o.threshold);  // ...but a pair's mean link to a third doc does not
    for (std::size_t j = i + 2; j < L; ++j) CHECK(story_similarity(docs[i], docs[j], o) == 0.0);
  }
  const StoryResult r = cluster_stories(docs, o);
  const auto stories = stories_of(r);
  CHECK(stories.size() >= L / 2);
  for (const auto& m : stories) {
    CHECK(m.size() <= 2);
    if (m.size() == 2) CHECK(m[1] == m[0] + 1);
  }
  CHECK(partition_of(r) == naive_in_story_order(docs, o));
  CHECK(r.stats.edges == L - 1);

  // Three docs: A~B and B~C strong, A and C unrelated; A-B merges first, then {A,B}~C has mean
  // link s/2 < threshold, so C stays apart though single link would merge all three.
  std::vector<FieldTokens> abc(3);
  abc[0][samestory::cluster::kBody] = {1, 2, 3, 4, 50, 51, 52};
  abc[1][samestory::cluster::kBody] = {1, 2, 3, 4, 60, 61, 62};
  abc[2][samestory::cluster::kBody] = {70, 71, 72, 60, 61, 62};
  const auto d3 = tfidf_docs(abc);
  StoryOptions o3;
  o3.threshold = 0.3;
  const double ab = story_similarity(d3[0], d3[1], o3), bc = story_similarity(d3[1], d3[2], o3);
  REQUIRE(ab > bc);
  REQUIRE(bc >= o3.threshold);
  REQUIRE(bc / 2 < o3.threshold);
  CHECK(story_similarity(d3[0], d3[2], o3) == 0.0);
  const StoryResult r3 = cluster_stories(d3, o3);
  CHECK(r3.lead[0] == r3.lead[1]);
  CHECK(r3.lead[2] != r3.lead[0]);
  CHECK(r3.stats.merges == 1);
}

TEST_CASE("cluster: stories equal a naive O(n^3) average-link reference") {
  SplitMix64 rng{230};
  std::size_t total_merges = 0, big_stories = 0, gated_differs = 0, lift_differs = 0, mass_differs = 0;
  for (int trial = 0; trial < 40; ++trial) {
    const std::size_t n = 20 + rng.below(21);
    const auto docs = random_docs(rng, n, 0.7);
    StoryOptions o = all_pairs_options();
    o.threshold = std::array<double, 4>{0.1, 0.13, 0.2, 0.3}[rng.below(4)];
    o.min_shared = static_cast<std::uint32_t>(1 + rng.below(2));
    if (trial % 4 == 3) o.min_edge = 0.15;
    // The entity conflict gate at sizes small random docs reach.
    o.conflict_min_size = static_cast<std::uint32_t>(2 + rng.below(3));
    o.conflict_hi = std::array<double, 3>{0.5, 0.6, 0.8}[rng.below(3)];
    o.conflict_lo = std::array<double, 2>{0.0, 0.3}[rng.below(2)];
    o.conflict_factor = std::array<double, 2>{0.0, 0.5}[rng.below(2)];
    // The evidence lift at sizes and frequencies small random docs reach.
    o.evidence_share = std::array<double, 3>{0.3, 0.6, 2.0}[rng.below(3)];
    o.evidence_hi = std::array<double, 2>{0.4, 0.6}[rng.below(2)];
    o.evidence_min_size = static_cast<std::uint32_t>(1 + rng.below(3));
    o.evidence_min_found = static_cast<std::uint32_t>(1 + rng.below(2));
    o.evidence_rare = std::array<double, 3>{0.5, 1.0, 2.0}[rng.below(3)];
    o.evidence_veto_hi = std::array<double, 2>{0.6, 2.0}[rng.below(2)];
    o.evidence_veto_mass = std::array<double, 3>{0.0, 1.0, 1.5}[trial % 3];  // not drawn: the stream stays
    INFO("evidence " << o.evidence_share << "/" << o.evidence_hi << "/" << o.evidence_min_size << "/"
                     << o.evidence_min_found << "/" << o.evidence_rare << "/" << o.evidence_veto_hi << "/"
                     << o.evidence_veto_mass);
    INFO("trial " << trial << " n=" << n << " threshold=" << o.threshold << " min_shared=" << o.min_shared
                  << " conflict " << o.conflict_min_size << "/" << o.conflict_hi << "/" << o.conflict_lo << "/"
                  << o.conflict_factor);
    const auto [r, want] = check_naive(docs, o);
    StoryOptions off = o;
    off.conflict_factor = 1;
    gated_differs += partition_of(cluster_stories(docs, off)) != want;
    StoryOptions no_lift = o;
    no_lift.evidence_share = 2;
    lift_differs += partition_of(cluster_stories(docs, no_lift)) != want;
    StoryOptions any_own = o;
    any_own.evidence_veto_mass = 0;
    mass_differs += partition_of(cluster_stories(docs, any_own)) != want;
    total_merges += r.stats.merges;
    for (const auto& m : stories_of(r)) big_stories += m.size() >= 3;
  }
  MESSAGE("merges " << total_merges << ", stories of 3+ docs " << big_stories << ", trials the conflict gate changed "
                    << gated_differs << ", trials the evidence lift changed " << lift_differs
                    << ", trials the veto mass changed " << mass_differs);
  CHECK(total_merges > 200);  // the comparison is not vacuous
  CHECK(big_stories > 20);
  CHECK(gated_differs >= 3);
  CHECK(lift_differs >= 3);
  CHECK(mass_differs >= 1);
}

TEST_CASE("cluster: stories with the whole comparison of large clusters equal the naive reference") {
  SplitMix64 rng{231};
  std::size_t total_merges = 0, whole_differs = 0, large = 0;
  for (int trial = 0; trial < 40; ++trial) {
    const std::size_t n = 20 + rng.below(21);
    const auto docs = random_docs(rng, n, 0.7);
    StoryOptions o = all_pairs_options();
    o.threshold = std::array<double, 3>{0.2, 0.3, 0.4}[rng.below(3)];
    o.min_shared = static_cast<std::uint32_t>(1 + rng.below(2));
    o.big_min_size = static_cast<std::uint32_t>(2 + rng.below(8));
    o.big_cohesion = std::array<double, 3>{0.4, 0.6, 0.9}[rng.below(3)];
    o.big_single = std::array<double, 3>{0.3, 0.6, 0.9}[rng.below(3)];
    o.big_min_mean = std::array<double, 3>{0.0, 0.05, 0.1}[rng.below(3)];
    o.big_link = std::array<double, 3>{0.0, 0.1, 0.3}[rng.below(3)];
    // The gates it must respect, at sizes small random docs reach.
    o.conflict_min_size = static_cast<std::uint32_t>(2 + rng.below(3));
    o.conflict_factor = std::array<double, 2>{0.0, 1.0}[rng.below(2)];
    o.evidence_share = std::array<double, 2>{0.3, 2.0}[rng.below(2)];
    o.evidence_min_size = static_cast<std::uint32_t>(1 + rng.below(3));
    o.evidence_min_found = 1;
    INFO("trial " << trial << " n=" << n << " threshold=" << o.threshold << " whole " << o.big_min_size << "/"
                  << o.big_cohesion << "/" << o.big_single << "/" << o.big_min_mean << "/" << o.big_link << " conflict "
                  << o.conflict_min_size << "/" << o.conflict_factor << " evidence " << o.evidence_share << "/"
                  << o.evidence_min_size);
    const auto [r, want] = check_naive(docs, o);
    StoryOptions off = o;
    off.big_min_size = 0;
    whole_differs += partition_of(cluster_stories(docs, off)) != want;
    total_merges += r.stats.merges;
    for (const auto& m : stories_of(r)) large += m.size() >= o.big_min_size;
  }
  MESSAGE("merges " << total_merges << ", stories of big_min_size+ docs " << large
                    << ", trials the whole comparison changed " << whole_differs);
  CHECK(total_merges > 200);
  CHECK(whole_differs >= 10);
}

TEST_CASE("cluster: stories with numbers, lead names and figures equal the naive reference") {
  SplitMix64 rng{231};
  SplitMix64 extra_rng{232};  // the extras' own stream
  std::size_t total_merges = 0, lead_differs = 0, figure_differs = 0, numbers_differ = 0;
  for (int trial = 0; trial < 60; ++trial) {
    const std::size_t n = 20 + rng.below(21);
    auto docs = random_docs(rng, n, 0.7);
    add_extras(extra_rng, docs);
    StoryOptions o = all_pairs_options();
    o.threshold = std::array<double, 4>{0.1, 0.13, 0.2, 0.3}[rng.below(4)];
    o.min_shared = static_cast<std::uint32_t>(1 + rng.below(2));
    o.number_weight = std::array<double, 3>{0.0, 0.1, 0.5}[rng.below(3)];
    o.conflict_factor = std::array<double, 2>{0.0, 0.5}[rng.below(2)];
    o.conflict_min_size = static_cast<std::uint32_t>(2 + rng.below(3));
    o.lead_conflict_hi = std::array<double, 3>{0.5, 0.8, 2.0}[rng.below(3)];
    o.lead_conflict_lo = std::array<double, 2>{0.0, 0.3}[rng.below(2)];
    o.figure_conflict_size = static_cast<std::uint32_t>(rng.below(4));  // 0 = off
    o.figure_conflict_hi = std::array<double, 2>{0.5, 1.0}[rng.below(2)];
    o.evidence_share = std::array<double, 2>{0.3, 2.0}[rng.below(2)];
    o.evidence_min_size = 2;
    o.evidence_min_found = 1;
    INFO("trial " << trial << " n=" << n << " threshold=" << o.threshold << " numbers " << o.number_weight
                  << " conflict " << o.conflict_factor << "/" << o.conflict_min_size << " lead " << o.lead_conflict_hi
                  << "/" << o.lead_conflict_lo << " figures " << o.figure_conflict_size << "/" << o.figure_conflict_hi);
    const auto [r, want] = check_naive(docs, o);
    total_merges += r.stats.merges;
    StoryOptions no_lead = o, no_figures = o, no_numbers = o;
    no_lead.lead_conflict_hi = 2;
    no_figures.figure_conflict_size = 0;
    no_numbers.number_weight = 0;
    lead_differs += partition_of(cluster_stories(docs, no_lead)) != want;
    figure_differs += partition_of(cluster_stories(docs, no_figures)) != want;
    numbers_differ += partition_of(cluster_stories(docs, no_numbers)) != want;
  }
  MESSAGE("merges " << total_merges << ", trials the lead gate changed " << lead_differs << ", the figure gate "
                    << figure_differs << ", the numbers " << numbers_differ);
  CHECK(total_merges > 300);  // not vacuous
  CHECK(lead_differs >= 3);
  CHECK(figure_differs >= 3);
  CHECK(numbers_differ >= 3);
}

TEST_CASE("cluster: story similarity with numbers matches a dense brute force") {
  SplitMix64 rng{211};
  for (int t = 0; t < 30; ++t) {
    auto docs = random_docs(rng, 20, 0.6);
    add_extras(rng, docs);
    StoryOptions o;
    o.number_weight = std::array<double, 3>{0.0, 0.1, 1.0}[t % 3];
    for (std::size_t i = 0; i < docs.size(); ++i)
      for (std::size_t j = 0; j < docs.size(); ++j)
        CHECK(std::abs(content_similarity(docs[i], docs[j], o) - brute_content(docs[i], docs[j], o)) <= 1e-6);
  }
  // Numbers alone, both docs: their cosine; one side without numbers: the fields alone.
  std::vector<StoryDoc> two(2);
  for (auto& d : two) {
    d.fields[samestory::cluster::kBody] = SparseVector(4);
    d.fields[samestory::cluster::kBody].insertBack(0) = 1.0f;
    d.extras[kNumbers] = SparseVector(4);
  }
  two[0].extras[kNumbers].insertBack(1) = 1.0f;
  StoryOptions o;
  o.number_weight = 0.25;
  CHECK(content_similarity(two[0], two[1], o) == doctest::Approx(1.0));         // two[1] has no numbers
  two[1].extras[kNumbers].insertBack(2) = 1.0f;                                 // different numbers: cosine 0
  CHECK(content_similarity(two[0], two[1], o) == doctest::Approx(0.25 / 0.5));  // body 0.25 x 1, numbers 0.25 x 0
}

TEST_CASE("cluster: a name in most leads of each of two large clusters and few of the other's keeps them apart") {
  // Two groups of 8 docs with one body (one subject): group A's leads name lead term 0, group
  // B's name term 1; some of B's leads also name A's term (B's reports recall A's event).
  // Each group's bodies share a term of their own, so each group forms before the two meet.
  std::vector<FieldTokens> tokens(17);
  for (std::size_t i = 0; i < 16; ++i) tokens[i][samestory::cluster::kBody] = {1, 2, 3, 4, i < 8 ? 10u : 11u};
  tokens[16][samestory::cluster::kBody] = {90, 91};  // keeps idf finite
  auto base = tfidf_docs(tokens);
  auto with_leads = [&](std::size_t recalled) {
    auto docs = base;
    for (std::size_t i = 0; i < 16; ++i) {
      docs[i].extras[kLead] = SparseVector(3);
      const bool a = i < 8;
      if (!a && i - 8 < recalled) docs[i].extras[kLead].insertBack(0) = 1.0f;
      docs[i].extras[kLead].insertBack(a ? 0 : 1) = 1.0f;
    }
    docs[16].extras[kLead] = SparseVector(3);
    return docs;
  };
  StoryOptions o;
  o.threshold = 0.5;
  o.conflict_factor = 0;
  o.conflict_min_size = 8;
  o.lead_conflict_hi = 0.6;
  o.lead_conflict_lo = 0.3;
  auto together = [](const std::vector<StoryDoc>& docs, const StoryOptions& opt) {
    return groups_together(docs, opt, 8);
  };
  CHECK_FALSE(together(with_leads(0), o));
  CHECK_FALSE(together(with_leads(2), o));  // 2 of 8 = 25 % <= 30 %
  CHECK(together(with_leads(3), o));        // 3 of 8 = 37.5 %: not a name of A's alone
  StoryOptions off = o;
  off.lead_conflict_hi = 2;
  CHECK(together(with_leads(0), off));
  StoryOptions small = o;
  small.conflict_min_size = 9;  // groups of 8 are too small to be gated
  CHECK(together(with_leads(0), small));
  CHECK(partition_of(cluster_stories(with_leads(0), o)) == naive_in_story_order(with_leads(0), o));
}

TEST_CASE("cluster: a figure in half of each of two clusters and in none of the other's keeps them apart") {
  // Two groups of 4 docs on one subject: group A's reports give figure 0 (a magnitude 5.6), B's
  // figure 1 (5.9); one of B's also gives A's figure in the last check.
  std::vector<FieldTokens> tokens(9);
  for (std::size_t i = 0; i < 8; ++i) tokens[i][samestory::cluster::kBody] = {1, 2, 3, 4, i < 4 ? 10u : 11u};
  tokens[8][samestory::cluster::kBody] = {90, 91};
  auto base = tfidf_docs(tokens);
  auto with_figures = [&](bool shared, std::size_t in_b) {
    auto docs = base;
    for (std::size_t i = 0; i < 9; ++i) docs[i].extras[kFigures] = SparseVector(2);
    for (std::size_t i = 0; i < 2; ++i) docs[i].extras[kFigures].insertBack(0) = 1.0f;  // half of A
    for (std::size_t i = 4; i < 4 + in_b; ++i) docs[i].extras[kFigures].insertBack(1) = 1.0f;
    if (shared) docs[7].extras[kFigures].insertBack(0) = 1.0f;
    return docs;
  };
  StoryOptions o;
  o.threshold = 0.5;
  o.conflict_factor = 0;
  o.figure_conflict_size = 4;
  o.figure_conflict_hi = 0.5;
  auto together = [](const std::vector<StoryDoc>& docs, const StoryOptions& opt) {
    return groups_together(docs, opt, 4);
  };
  const auto apart = with_figures(false, 2);
  CHECK_FALSE(together(apart, o));
  CHECK(partition_of(cluster_stories(apart, o)) == naive_in_story_order(apart, o));
  StoryOptions off = o;
  off.figure_conflict_size = 0;
  CHECK(together(apart, off));                 // without the gate: one story
  CHECK(together(with_figures(true, 2), o));   // B also gives A's figure: no conflict
  CHECK(together(with_figures(false, 1), o));  // B's figure in 1 of 4 < half: not B's figure
  StoryOptions big = o;
  big.figure_conflict_size = 5;  // groups of 4 are too small to be gated
  CHECK(together(apart, big));
}

TEST_CASE("cluster: story score is the mean content similarity to the other members") {
  SplitMix64 rng{240};
  for (int trial = 0; trial < 20; ++trial) {
    const double presence = trial % 2 ? 1.0 : 0.6;  // all fields present, or some missing
    const auto docs = random_docs(rng, 30, presence);
    StoryOptions o;
    o.salient_terms = 1000;
    o.min_shared = 1;
    o.threshold = 0.1;
    const StoryResult r = cluster_stories(docs, o);
    INFO("trial " << trial << " presence " << presence);
    for (const auto& m : stories_of(r))
      for (auto i : m) {
        if (m.size() == 1) {
          CHECK(r.score[i] == 1.0f);
          continue;
        }
        double s = 0;
        for (auto j : m)
          if (j != i) s += brute_content(docs[i], docs[j], o);
        CHECK(std::abs(r.score[i] - s / static_cast<double>(m.size() - 1)) <= 1e-5);
      }
  }
}

// The story score as the stage computed it with Eigen objects (per story and field mask, the
// members' vectors summed with sparse +=, each member's sparse dot with the sum minus its
// squared norm), members in story order: cluster_stories' sorted-sum lookups must give the
// same bits.
std::vector<float> eigen_scores(std::span<const StoryDoc> docs, const StoryOptions& o, const StoryResult& r) {
  const auto order = samestory::cluster::story_order(docs);
  std::vector<std::size_t> rank(docs.size());
  for (std::size_t k = 0; k < order.size(); ++k) rank[order[k]] = k;
  std::vector<float> score(docs.size(), 1.0f);
  for (auto m : stories_of(r)) {
    if (m.size() < 2) continue;
    std::sort(m.begin(), m.end(), [&](auto x, auto y) { return rank[x] < rank[y]; });
    // The fields and, fifth, the numbers.
    constexpr std::size_t kFields = kStoryFields + 1;
    constexpr unsigned kMasks = 1u << kFields;
    auto vec = [&](std::uint32_t i, std::size_t f) -> const SparseVector& {
      return f < kStoryFields ? docs[i].fields[f] : docs[i].extras[kNumbers];
    };
    auto weight = [&](std::size_t f) { return f < kStoryFields ? o.weights[f] : o.number_weight; };
    auto mask_of = [&](std::uint32_t i) {
      unsigned mask = 0;
      for (std::size_t f = 0; f < kFields; ++f)
        if (weight(f) > 0 && vec(i, f).nonZeros() > 0) mask |= 1u << f;
      return mask;
    };
    std::array<bool, kMasks> seen{};
    std::array<std::array<SparseVector, kFields>, kMasks> sum;
    for (auto i : m) {
      const unsigned mk = mask_of(i);
      for (std::size_t f = 0; f < kFields; ++f) {
        if (!(mk >> f & 1u)) continue;
        if (!seen[mk]) sum[mk][f] = SparseVector(vec(i, f).size());
        sum[mk][f] += vec(i, f);
      }
      seen[mk] = true;
    }
    for (auto i : m) {
      const unsigned mi = mask_of(i);
      double total = 0;
      for (unsigned mj = 0; mj < kMasks; ++mj) {
        const unsigned both = mi & mj;
        if (!seen[mj] || both == 0) continue;
        double s = 0, wsum = 0;
        for (std::size_t f = 0; f < kFields; ++f) {
          if (!(both >> f & 1u)) continue;
          double dot = static_cast<double>(vec(i, f).dot(sum[mj][f]));
          if (mj == mi) dot -= static_cast<double>(vec(i, f).squaredNorm());
          s += weight(f) * dot;
          wsum += weight(f);
        }
        total += s / wsum;
      }
      score[i] = static_cast<float>(std::clamp(total / static_cast<double>(m.size() - 1), 0.0, 1.0));
    }
  }
  return score;
}

TEST_CASE("cluster: story scores are bit for bit the Eigen sums and dots") {
  SplitMix64 rng{241};
  std::size_t in_stories = 0;
  for (int trial = 0; trial < 40; ++trial) {
    const double presence = trial % 3 ? 1.0 : 0.5;
    const auto docs = random_docs(rng, 20 + rng.below(60), presence);
    StoryOptions o;
    o.salient_terms = 1000;
    o.min_shared = 1;
    o.threshold = 0.05 + 0.1 * rng.unit();
    const StoryResult r = cluster_stories(docs, o);
    const auto want = eigen_scores(docs, o, r);
    for (std::size_t i = 0; i < docs.size(); ++i) {
      CHECK(r.score[i] == want[i]);
      in_stories += r.score[i] != 1.0f;
    }
  }
  CHECK(in_stories > 200);
}

TEST_CASE("cluster: story scores with numbers are the mean content similarity, bit for bit the Eigen sums") {
  SplitMix64 rng{242};
  std::size_t in_stories = 0;
  for (int trial = 0; trial < 30; ++trial) {
    const double presence = trial % 3 ? 1.0 : 0.5;
    auto docs = random_docs(rng, 20 + rng.below(40), presence);
    add_extras(rng, docs);
    StoryOptions o;
    o.salient_terms = 1000;
    o.min_shared = 1;
    o.threshold = 0.05 + 0.1 * rng.unit();
    o.number_weight = std::array<double, 3>{0.1, 0.3, 0.0}[trial % 3];
    const StoryResult r = cluster_stories(docs, o);
    const auto want = eigen_scores(docs, o, r);
    for (const auto& m : stories_of(r))
      for (auto i : m) {
        CHECK(r.score[i] == want[i]);
        if (m.size() == 1) continue;
        ++in_stories;
        double s = 0;
        for (auto j : m)
          if (j != i) s += brute_content(docs[i], docs[j], o);
        CHECK(std::abs(r.score[i] - s / static_cast<double>(m.size() - 1)) <= 1e-5);
      }
  }
  CHECK(in_stories > 200);
}

TEST_CASE("cluster: story lead is earliest published, else longest, else first") {
  std::vector<FieldTokens> tokens(4);
  for (auto& t : tokens) t[samestory::cluster::kBody] = {1, 2, 3, 4, 5};
  tokens[3][samestory::cluster::kBody] = {100, 200, 300};  // unrelated singleton
  auto docs = tfidf_docs(tokens);
  const std::int64_t t0 = 1'700'000'000;
  auto lead_with = [&](std::array<CanonicalKey, 4> keys) {
    for (std::size_t i = 0; i < 4; ++i) docs[i].key = keys[i], docs[i].published = keys[i].published;
    const auto r = cluster_stories(docs, StoryOptions{});
    REQUIRE(r.lead[0] == r.lead[1]);
    REQUIRE(r.lead[1] == r.lead[2]);
    CHECK(r.lead[3] == 3);
    CHECK(r.score[3] == 1.0f);
    for (std::size_t i = 0; i < 3; ++i) CHECK(r.score[i] == doctest::Approx(1.0).epsilon(1e-5));
    return r.lead[0];
  };
  CHECK(lead_with({CanonicalKey{t0 + 200, 10}, {t0 + 100, 5}, {t0 + 300, 50}, {t0, 1}}) == 1);  // earliest
  CHECK(lead_with({CanonicalKey{std::nullopt, 10}, {std::nullopt, 50}, {std::nullopt, 50}, {}}) ==
        1);                                                                                        // longest, first
  CHECK(lead_with({CanonicalKey{std::nullopt, 999}, {std::nullopt, 5}, {t0 + 500, 1}, {}}) == 2);  // dated first
  CHECK(lead_with({CanonicalKey{t0, 7}, {t0, 7}, {t0, 7}, {t0, 7}}) == 0);                         // full tie: first
  CHECK(lead_with({CanonicalKey{t0, 7}, {t0, 9}, {t0, 8}, {t0, 7}}) == 1);                         // same date: longest
}

TEST_CASE("cluster: stories edge cases") {
  const std::vector<StoryDoc> none;
  const auto r0 = cluster_stories(none, StoryOptions{});
  CHECK(r0.lead.empty());
  CHECK(r0.score.empty());
  StoryOptions bad;
  bad.threshold = 0;
  CHECK_THROWS_WITH_AS(cluster_stories(none, bad), "story threshold must be positive", std::invalid_argument);
  // The agglomeration skips the gates of a link whose ungated average misses the threshold, so
  // a gate may only lower a link: its factor in [0, 1].
  for (const double f : {-0.5, 1.5, std::nan("")}) {
    bad = StoryOptions{};
    bad.time_factor = f;
    CHECK_THROWS_WITH_AS(cluster_stories(none, bad), "story time factor must be in [0, 1]", std::invalid_argument);
    bad = StoryOptions{};
    bad.cluster_gate_factor = f;
    CHECK_THROWS_WITH_AS(cluster_stories(none, bad), "story cluster gate factor must be in [0, 1]",
                         std::invalid_argument);
    bad = StoryOptions{};
    bad.conflict_factor = f;
    CHECK_THROWS_WITH_AS(cluster_stories(none, bad), "story conflict factor must be in [0, 1]", std::invalid_argument);
  }
  for (const double f : {0.0, 1.0}) {
    bad = StoryOptions{};
    bad.time_factor = bad.cluster_gate_factor = bad.conflict_factor = f;
    CHECK_NOTHROW(cluster_stories(none, bad));
  }
  // Docs with no salient terms are never compared: each is its own story.
  std::vector<FieldTokens> tokens(3);
  for (auto& t : tokens) t[samestory::cluster::kTitle] = {1, 2, 3};
  const auto docs = tfidf_docs(tokens);
  const auto r = cluster_stories(docs, StoryOptions{});
  CHECK(r.lead == std::vector<std::uint32_t>{0, 1, 2});
  CHECK(r.stats.candidates.candidate_pairs == 0);
  for (float s : r.score) CHECK(s == 1.0f);
}

TEST_CASE("cluster: stories do not depend on the thread count") {
  const tbb::global_control allow(tbb::global_control::max_allowed_parallelism, 4);
  SplitMix64 rng{250};
  auto docs = topic_docs(rng, 3000, 150);
  SplitMix64 extra_rng{251};
  add_extras(extra_rng, docs);  // numbers, lead names and figures: the conflict gates at work too
  StoryOptions o;
  o.max_bucket = 50;  // exercise hot-term chaining too
  o.number_weight = 0.1;
  o.lead_conflict_hi = 0.6;
  o.figure_conflict_size = 2;
  StoryResult r1, r4;
  tbb::task_arena one(1), four(4);
  one.execute([&] { r1 = cluster_stories(docs, o); });
  four.execute([&] { r4 = cluster_stories(docs, o); });
  CHECK(r1.stats.merges > 1000);
  CHECK(r1.lead == r4.lead);
  CHECK(r1.score == r4.score);
  CHECK(r1.stats.merges == r4.stats.merges);
  CHECK(r1.stats.edges == r4.stats.edges);
  CHECK(r1.stats.candidates.candidate_pairs == r4.stats.candidates.candidate_pairs);
  CHECK(r1.stats.candidates.raw_pairs == r4.stats.candidates.raw_pairs);
  CHECK(r1.stats.candidates.hot_buckets == r4.stats.candidates.hot_buckets);
}

TEST_CASE("cluster: a corpus stored with its rows in another order (row_of) is the same corpus") {
  using samestory::cluster::StoryCorpus;
  SplitMix64 rng{252};
  auto docs = topic_docs(rng, 800, 60);
  SplitMix64 extra_rng{253};
  add_extras(extra_rng, docs);
  const std::size_t n = docs.size();
  const StoryCorpus plain = StoryCorpus::from_docs(docs);
  // Row r of `stored` holds doc perm[r]; the docs keep their indices through row_of.
  std::vector<std::uint32_t> perm(n);
  for (std::uint32_t i = 0; i < n; ++i) perm[i] = i;
  shuffle(perm, rng);
  std::vector<StoryDoc> by_row(n);
  for (std::size_t r = 0; r < n; ++r) by_row[r] = docs[perm[r]];
  StoryCorpus stored = StoryCorpus::from_docs(by_row);
  stored.published = plain.published;
  stored.keys = plain.keys;
  stored.row_of.resize(n);
  for (std::uint32_t r = 0; r < n; ++r) stored.row_of[perm[r]] = r;
  for (std::size_t i = 0; i < n; ++i) {
    const StoryDoc a = plain.doc(i), b = stored.doc(i);
    for (std::size_t f = 0; f < kStoryFields; ++f) CHECK(a.fields[f].isApprox(b.fields[f], 0.0f));
    for (std::size_t x = 0; x < kStoryExtras; ++x) CHECK(a.extras[x].isApprox(b.extras[x], 0.0f));
  }
  StoryOptions o;
  o.max_bucket = 50;
  o.number_weight = 0.1;
  o.lead_conflict_hi = 0.6;
  o.figure_conflict_size = 2;
  o.big_min_size = 6;  // the summed vectors read rows too
  samestory::lsh::CandidateStats sa, sb;
  CHECK(samestory::cluster::story_candidates(plain, o, sa) == samestory::cluster::story_candidates(stored, o, sb));
  const StoryResult a = cluster_stories(StoryCorpus(plain), o);
  const StoryResult b = cluster_stories(std::move(stored), o);
  CHECK(a.stats.merges > 150);
  CHECK(a.lead == b.lead);
  CHECK(a.score == b.score);
  CHECK(a.lead == cluster_stories(docs, o).lead);
  // A row_of that does not give each doc its own row is refused: too short, a row past the
  // last, two docs on one row.
  for (int fault = 0; fault < 3; ++fault) {
    StoryCorpus bad = plain;
    bad.row_of = perm;
    if (fault == 0) bad.row_of.pop_back();
    if (fault == 1) bad.row_of[3] = static_cast<std::uint32_t>(n);
    if (fault == 2) bad.row_of[3] = bad.row_of[4];
    const char* msg = "story row_of must give each doc its own row below size(), or be empty";
    CHECK_THROWS_WITH_AS(samestory::cluster::story_candidates(bad, o, sa), msg, std::invalid_argument);
    CHECK_THROWS_WITH_AS(samestory::cluster::story_order(bad), msg, std::invalid_argument);
    CHECK_THROWS_WITH_AS(cluster_stories(std::move(bad), o), msg, std::invalid_argument);
  }
  StoryCorpus no_title = plain;  // a field without a row per doc
  no_title.fields[samestory::cluster::kTitle] = samestory::tfidf::SparseRows();
  CHECK_THROWS_WITH_AS(cluster_stories(std::move(no_title), o), "story fields must have a row per doc",
                       std::invalid_argument);
}

TEST_CASE("cluster: two dated clusters weeks apart stay two stories; a lone follow-up joins") {
  // Six docs about one subject: three dated on day 0, three on day 30, all with equal content.
  std::vector<FieldTokens> tokens(7);
  for (auto& t : tokens) t[samestory::cluster::kBody] = {11, 12, 13, 14, 15};
  // A seventh, unrelated doc keeps idf finite for the shared terms.
  tokens[6][samestory::cluster::kBody] = {90, 91, 92};
  auto docs = tfidf_docs(tokens);
  const std::int64_t day = 86400, t0 = 1'700'000'000;
  for (std::size_t i = 0; i < 6; ++i)
    docs[i].published = t0 + (i < 3 ? 0 : 30 * day) + static_cast<std::int64_t>(i) * 60;
  // Pairs across the gap score 0.6 (pairwise gate), so each day's coverage forms first;
  // then the two clusters meet the cluster-level gate: 0.6 x 0.5 = 0.3.
  StoryOptions o;
  o.threshold = 0.35;
  auto r = cluster_stories(docs, o);
  CHECK(r.lead[0] == r.lead[2]);
  CHECK(r.lead[3] == r.lead[5]);
  CHECK(r.lead[0] != r.lead[3]);
  // Without the gate, the same content is one story.
  o.cluster_gate_factor = 1.0;
  r = cluster_stories(docs, o);
  CHECK(r.lead[0] == r.lead[3]);
  // A single dated follow-up weeks later is not gated: it joins the first cluster.
  o.cluster_gate_factor = 0.5;
  for (std::size_t i = 3; i < 6; ++i) docs[i].published.reset();
  docs[3].published = t0 + 30 * day;
  r = cluster_stories(docs, o);
  CHECK(r.lead[3] == r.lead[0]);
}

TEST_CASE("cluster: shared rare evidence lifts the time gates; each side's own entities veto the lift") {
  // Coverage of one event (na docs on day 0) and later coverage (nb docs on day `gap`) with the
  // same body words; entities `first` and `second`; ten unrelated docs keep the entities rare.
  using samestory::cluster::kBody;
  using samestory::cluster::kEntity;
  const std::int64_t t0 = 1'700'000'000;
  auto build = [&](std::size_t na, std::size_t nb, std::int64_t gap, const std::vector<std::uint64_t>& first,
                   const std::vector<std::uint64_t>& second) {
    std::vector<FieldTokens> tokens;
    for (std::size_t i = 0; i < na + nb; ++i) {
      FieldTokens t;
      t[kBody] = {11, 12, 13, 14, 15};
      t[kEntity] = i < na ? first : second;
      tokens.push_back(t);
    }
    for (std::uint64_t k = 0; k < 10; ++k) tokens.push_back(FieldTokens{{{}, {90 + k, 80 + k}, {200 + k}, {}}});
    auto docs = tfidf_docs(tokens);
    for (std::size_t i = 0; i < na + nb; ++i)
      docs[i].published = t0 + (i < na ? 0 : gap * kDay) + static_cast<std::int64_t>(i) * 60;
    return docs;
  };
  auto together = [](const StoryResult& r, std::size_t na, std::size_t nb) {
    for (std::size_t i = 1; i < na + nb; ++i)
      if (r.lead[i] != r.lead[0]) return false;
    return true;
  };
  StoryOptions o;
  o.threshold = 0.35;
  // The shooting and, 200 days later, the trial: same suspect (100), victim (101) and place
  // (102); the trial adds the court (103), which the first coverage lacks — one side only.
  const auto trial = build(4, 3, 200, {100, 101, 102}, {100, 101, 102, 103});
  const double cross = content_similarity(trial[0], trial[4], o);
  REQUIRE(cross >= o.threshold);
  REQUIRE(cross * o.time_factor * o.cluster_gate_factor < o.threshold);  // gated, they stay apart
  auto r = cluster_stories(trial, o);
  CHECK(together(r, 4, 3));
  CHECK(partition_of(r) == naive_in_story_order(trial, o));
  StoryOptions no_lift = o;
  no_lift.evidence_share = 2;
  r = cluster_stories(trial, no_lift);
  CHECK(r.lead[0] != r.lead[4]);
  CHECK(partition_of(r) == naive_in_story_order(trial, no_lift));
  // Two meetings of the same envoys (100, 101) of two countries (102), in two places (110 and
  // 111) a month apart: three of four evidence entities are shared, but each meeting has a
  // place of its own, so the gates stay.
  const auto envoys = build(4, 3, 30, {100, 101, 102, 110}, {100, 101, 102, 111});
  REQUIRE(content_similarity(envoys[0], envoys[4], o) >= o.threshold);
  r = cluster_stories(envoys, o);
  CHECK(r.lead[0] != r.lead[4]);
  CHECK(partition_of(r) == naive_in_story_order(envoys, o));
  StoryOptions no_veto = o;
  no_veto.evidence_veto_hi = 2;  // no entity is in twice a cluster's docs: the veto never applies
  r = cluster_stories(envoys, no_veto);
  CHECK(together(r, 4, 3));
  CHECK(partition_of(r) == naive_in_story_order(envoys, no_veto));
  // Evidence needs a cluster of evidence_min_size docs: two and two docs stay apart...
  const auto small = build(2, 2, 200, {100, 101, 102}, {100, 101, 102, 103});
  r = cluster_stories(small, o);
  CHECK(r.lead[0] != r.lead[2]);
  CHECK(partition_of(r) == naive_in_story_order(small, o));
  StoryOptions two = o;
  two.evidence_min_size = 2;
  r = cluster_stories(small, two);
  CHECK(together(r, 2, 2));
  // ...and evidence_min_found shared entities: with two, the trial stays apart.
  const auto fewer = build(4, 3, 200, {100, 101}, {100, 101, 103});
  r = cluster_stories(fewer, o);
  CHECK(r.lead[0] != r.lead[4]);
  CHECK(partition_of(r) == naive_in_story_order(fewer, o));
  // An entity in more than evidence_rare x (4 + 3) + 3 docs of the corpus is not evidence.
  StoryOptions common = o;
  common.evidence_rare = 0.5;  // 6.5 docs: the shared entities are in 7
  r = cluster_stories(trial, common);
  CHECK(r.lead[0] != r.lead[4]);
  CHECK(partition_of(r) == naive_in_story_order(trial, common));
}

TEST_CASE("cluster: the evidence veto needs each side's own entities named about once per doc") {
  // A shooting (6 docs, day 0) and the trial 300 days later (3 docs) share the suspect (100),
  // victim (101) and place (102). The trial brings its judge (103) and the victim's widow (104),
  // in every trial doc; the shooting's coverage quotes an official (110) in 4 of its 6 docs. Ten
  // unrelated docs keep the entities rare.
  using samestory::cluster::kBody;
  using samestory::cluster::kEntity;
  const std::int64_t t0 = 1'700'000'000;
  auto build = [&](std::size_t quoted, std::vector<std::uint64_t> trial_own) {
    std::vector<FieldTokens> tokens;
    for (std::size_t i = 0; i < 9; ++i) {
      FieldTokens t;
      t[kBody] = {11, 12, 13, 14, 15};
      t[kEntity] = {100, 101, 102};
      if (i < quoted) t[kEntity].push_back(110);
      if (i >= 6) t[kEntity].insert(t[kEntity].end(), trial_own.begin(), trial_own.end());
      tokens.push_back(t);
    }
    for (std::uint64_t k = 0; k < 10; ++k) tokens.push_back(FieldTokens{{{}, {90 + k, 80 + k}, {200 + k}, {}}});
    auto docs = tfidf_docs(tokens);
    for (std::size_t i = 0; i < 9; ++i)
      docs[i].published = t0 + (i < 6 ? 0 : 300 * kDay) + static_cast<std::int64_t>(i) * 60;
    return docs;
  };
  auto together = [](const StoryResult& r) {
    for (std::size_t i = 1; i < 9; ++i)
      if (r.lead[i] != r.lead[0]) return false;
    return true;
  };
  StoryOptions o;
  o.threshold = 0.35;
  const auto docs = build(4, {103, 104});
  REQUIRE(content_similarity(docs[0], docs[6], o) >= o.threshold);
  REQUIRE(content_similarity(docs[0], docs[6], o) * o.time_factor * o.cluster_gate_factor < o.threshold);
  // The official is named 4/6 times per shooting doc, under evidence_veto_mass (1): no veto, the
  // trial joins its shooting.
  auto r = cluster_stories(docs, o);
  CHECK(together(r));
  CHECK(partition_of(r) == naive_in_story_order(docs, o));
  // Any one own entity vetoing (the rule before evidence_veto_mass): two stories.
  StoryOptions any = o;
  any.evidence_veto_mass = 0;
  r = cluster_stories(docs, any);
  CHECK(r.lead[0] != r.lead[6]);
  CHECK(partition_of(r) == naive_in_story_order(docs, any));
  // Quoted in every shooting doc (named once per doc): vetoed again, as a place of its own is.
  const auto every = build(6, {103, 104});
  r = cluster_stories(every, o);
  CHECK(r.lead[0] != r.lead[6]);
  CHECK(partition_of(r) == naive_in_story_order(every, o));
  // At a bar of 1.5 per doc the trial's two entities (2 per doc) still count, the official in
  // every shooting doc (1 per doc) no longer does: lifted.
  StoryOptions higher = o;
  higher.evidence_veto_mass = 1.5;
  r = cluster_stories(every, higher);
  CHECK(together(r));
  CHECK(partition_of(r) == naive_in_story_order(every, higher));
}

TEST_CASE("cluster: two large clusters that each have a defining entity the other lacks stay apart") {
  // Two fights of one champion: 8 docs "Klitschko Rahman" and 8 docs "Klitschko Thompson" with
  // the same body words; unrelated docs keep idf finite. Within a group similarity is 1; across
  // groups the body matches and the entity cosine is partial, well above the threshold.
  using samestory::cluster::kBody;
  using samestory::cluster::kEntity;
  const std::uint64_t klitschko = 100, rahman = 101, thompson = 102;
  auto build = [&](std::size_t group_b, bool b_mentions_rahman) {
    std::vector<FieldTokens> tokens;
    for (std::size_t i = 0; i < 8 + group_b; ++i) {
      FieldTokens t;
      t[kBody] = {11, 12, 13, 14, 15};
      t[kEntity] = {klitschko, i < 8 ? rahman : thompson};
      if (i == 8 && b_mentions_rahman) t[kEntity].push_back(rahman);
      tokens.push_back(t);
    }
    for (std::uint64_t k = 0; k < 4; ++k) tokens.push_back(FieldTokens{{{}, {90 + k, 95 + k}, {200 + k}, {}}});
    return tfidf_docs(tokens);
  };
  StoryOptions o;  // defaults: min size 8, defining share 0.8, absent from the other (lo 0), blocked
  const auto docs = build(8, false);
  REQUIRE(story_similarity(docs[0], docs[8], o) >= 2 * o.threshold);
  auto r = cluster_stories(docs, o);
  for (std::size_t i = 1; i < 8; ++i) CHECK(r.lead[i] == r.lead[0]);
  for (std::size_t i = 9; i < 16; ++i) CHECK(r.lead[i] == r.lead[8]);
  CHECK(r.lead[0] != r.lead[8]);
  CHECK(partition_of(r) == naive_in_story_order(docs, o));
  // Gate off: one story.
  StoryOptions off = o;
  off.conflict_factor = 1;
  r = cluster_stories(docs, off);
  CHECK(r.lead[0] == r.lead[8]);
  // Below the minimum size (7 docs) the gate does not apply.
  const auto small = build(7, false);
  r = cluster_stories(small, o);
  CHECK(r.lead[0] == r.lead[8]);
  // One doc of the second group also names Rahman: Rahman is no longer absent from it, so
  // the first group has no conflicting defining entity and the groups merge...
  const auto mention = build(8, true);
  r = cluster_stories(mention, o);
  CHECK(r.lead[0] == r.lead[8]);
  CHECK(partition_of(r) == naive_in_story_order(mention, o));
  // ...unless one mention in eight is within conflict_lo.
  StoryOptions lo = o;
  lo.conflict_lo = 0.125;
  r = cluster_stories(mention, lo);
  CHECK(r.lead[0] != r.lead[8]);
  CHECK(partition_of(r) == naive_in_story_order(mention, lo));
}

namespace {

// Reports of events as the generator writes them: each report names the event's place, each of
// its three actors with probability 2/3 and two names of its own (entities), uses 6 of the event's 12 keywords, 4 of 30
// topic words shared by every event, and 30 words of its own from a large vocabulary (body); the title holds an actor
// and 3 own words. Events are (place, actors, keywords, day); other docs are single reports of
// events of their own. Returns the docs and each doc's event (its index in `events`, or
// events.size() + k for the k-th other doc).
struct PlantedEvent {
  std::uint64_t place;
  std::array<std::uint64_t, 3> actors;
  std::uint64_t keywords;  // first of 12
  std::int64_t day;
  std::size_t reports;
};

/// Story docs and, per doc, its event: e for a report of events[e], events.size() + k for the k-th
/// unrelated report.
struct Planted {
  std::vector<StoryDoc> docs;
  std::vector<std::size_t> event;
};

Planted planted_reports(SplitMix64& rng, const std::vector<PlantedEvent>& events, std::size_t others) {
  using samestory::cluster::kBigram;
  using samestory::cluster::kBody;
  using samestory::cluster::kEntity;
  using samestory::cluster::kTitle;
  std::vector<FieldTokens> tokens;
  std::vector<std::size_t> event;
  std::vector<std::int64_t> day;
  auto report = [&](const PlantedEvent& e, std::size_t label) {
    FieldTokens t;
    t[kEntity].push_back(e.place);
    for (std::size_t k = 0; k < 3; ++k)
      if (rng.below(4) != 0) t[kEntity].push_back(e.actors[k]);
    if (rng.below(2) != 0) t[kEntity].push_back(300000 + rng.below(20000));  // a name of its own
    for (std::size_t k = 0; k < 6; ++k) t[kBody].push_back(e.keywords + rng.below(12));
    for (std::size_t k = 0; k < 4; ++k) t[kBody].push_back(1000 + rng.below(30));
    for (std::size_t k = 0; k < 20; ++k) t[kBody].push_back(100000 + rng.below(20000));
    t[kTitle] = {e.actors[rng.below(3)], 100000 + rng.below(20000), 100000 + rng.below(20000),
                 100000 + rng.below(20000)};
    for (std::size_t k = 0; k < 8; ++k) t[kBigram].push_back(400000 + 100 * e.place + rng.below(16));  // its quotes
    for (std::size_t k = 0; k < 12; ++k) t[kBigram].push_back(200000 + rng.below(50000));
    tokens.push_back(t);
    event.push_back(label);
    day.push_back(e.day);
  };
  for (std::size_t e = 0; e < events.size(); ++e)
    for (std::size_t r = 0; r < events[e].reports; ++r) report(events[e], e);
  for (std::size_t k = 0; k < others; ++k) {
    const std::uint64_t base = 10000 + 20 * k;
    report(
        PlantedEvent{base, {base + 1, base + 2, base + 3}, 50000 + 12 * k, static_cast<std::int64_t>(rng.below(30)), 1},
        events.size() + k);
  }
  auto docs = tfidf_docs(tokens);
  for (std::size_t i = 0; i < docs.size(); ++i) {
    docs[i].published = 1'700'000'000 + day[i] * kDay + static_cast<std::int64_t>(rng.below(36 * 3600));
    docs[i].key.published = docs[i].published;
  }
  return {docs, event};
}

// Per planted event: how many stories its reports are in, and the share of them in its largest.
struct Pieces {
  std::size_t stories = 0;
  double largest = 0;
};

Pieces pieces_of(const StoryResult& r, const std::vector<std::size_t>& event, std::size_t e) {
  std::map<std::uint32_t, std::size_t> by_lead;
  std::size_t total = 0;
  for (std::size_t i = 0; i < event.size(); ++i)
    if (event[i] == e) ++by_lead[r.lead[i]], ++total;
  Pieces p;
  p.stories = by_lead.size();
  for (const auto& [lead, k] : by_lead)
    p.largest = std::max(p.largest, static_cast<double>(k) / static_cast<double>(total));
  return p;
}

// Stories holding reports of more than one planted event.
std::size_t mixed_stories(const StoryResult& r, const std::vector<std::size_t>& event) {
  std::map<std::uint32_t, std::set<std::size_t>> events;
  for (std::size_t i = 0; i < event.size(); ++i) events[r.lead[i]].insert(event[i]);
  std::size_t mixed = 0;
  for (const auto& [lead, e] : events) mixed += e.size() > 1;
  return mixed;
}

}  // namespace

TEST_CASE("cluster: a story too large for the neighbour budget is one story; two large events stay apart") {
  // Two events of 200 reports each, two days apart, sharing the topic words; 300 single reports
  // of other events. Reports of one event are 0.24 alike on average (other pairs under 0.01),
  // well above the threshold, but each doc is compared with its 18 best candidates only, so
  // without the whole comparison the sparse average link between parts of one event falls
  // below it: each event comes back in pieces of a few docs.
  const std::vector<PlantedEvent> unrelated{{1, {2, 3, 4}, 500, 0, 200}, {11, {12, 13, 14}, 600, 2, 200}};
  SplitMix64 rng{260};
  const auto [docs, event] = planted_reports(rng, unrelated, 300);
  StoryOptions o;
  const StoryResult r = cluster_stories(docs, o);
  StoryOptions off = o;
  off.big_min_size = 0;
  const StoryResult pieces = cluster_stories(docs, off);
  for (std::size_t e = 0; e < 2; ++e) {
    const Pieces p = pieces_of(r, event, e), q = pieces_of(pieces, event, e);
    INFO("event " << e << ": " << p.stories << " stories, largest " << p.largest << "; without the whole comparison "
                  << q.stories << ", largest " << q.largest);
    // The rest are single reports less alike to the event than its reports are on average.
    CHECK(p.largest >= 0.8);
    CHECK(q.largest <= 0.1);
  }
  CHECK(mixed_stories(r, event) == 0);
  CHECK(mixed_stories(pieces, event) == 0);
  // One thread or several: the same stories.
  StoryResult one;
  {
    tbb::task_arena arena(1);
    const std::vector<StoryDoc>& all = docs;  // clang 14 cannot capture a structured binding
    arena.execute([&] { one = cluster_stories(all, o); });
  }
  CHECK(one.lead == r.lead);
  CHECK(one.score == r.score);
}

TEST_CASE("cluster: two large sibling events (same actors, another place) stay apart") {
  // The same actors and half the keywords at another place, three days apart: reports of the
  // two events are 0.11 alike, half as alike as reports of one event (0.22), and their pieces
  // of 8+ docs each have a place of their own (the conflict gate).
  const std::vector<PlantedEvent> siblings{{1, {2, 3, 4}, 500, 0, 200}, {11, {2, 3, 4}, 506, 3, 200}};
  SplitMix64 rng{260};
  const auto [docs, event] = planted_reports(rng, siblings, 300);
  for (const std::uint32_t min_size : {18u, 12u, 8u}) {
    StoryOptions o;
    o.big_min_size = min_size;
    const StoryResult r = cluster_stories(docs, o);
    INFO("big_min_size " << min_size);
    CHECK(mixed_stories(r, event) == 0);
    // Each event's reports share their candidates with the other's, so the sparse average link
    // leaves pieces of at most 11 docs: at 18 docs the first event is rebuilt, the second not
    // (docs/accuracy.md); at 12 both are.
    const Pieces first = pieces_of(r, event, 0), second = pieces_of(r, event, 1);
    INFO("largest pieces " << first.largest << ", " << second.largest);
    CHECK(first.largest >= 0.6);
    if (min_size <= 12) CHECK(second.largest >= 0.6);
  }
}

TEST_CASE("cluster: stories do not depend on the input order, even with many ties") {
  // Docs from a tiny vocabulary (3-5 terms of 12, counts 1): many equal TF-IDF weights, equal
  // shared-term counts and equal similarities, so every tie-break is exercised; few neighbours
  // per doc so the candidate cut falls inside ties.
  SplitMix64 rng{250};
  std::size_t differs_by_index = 0;
  for (int trial = 0; trial < 20; ++trial) {
    const std::size_t n = 30 + rng.below(30);
    std::vector<FieldTokens> tokens(n);
    for (auto& t : tokens) {
      const std::size_t k = 3 + rng.below(3);
      for (std::size_t j = 0; j < k; ++j) t[samestory::cluster::kBody].push_back(1 + rng.below(12));
      t[samestory::cluster::kEntity].push_back(100 + rng.below(6));
    }
    const auto docs = tfidf_docs(tokens);
    StoryOptions o;
    o.max_candidates_per_doc = 3;
    o.salient_terms = 3;
    o.min_shared = 1;
    o.threshold = 0.3;
    const auto base = stories_of(cluster_stories(docs, o));
    std::vector<std::uint32_t> perm(n);
    for (std::uint32_t i = 0; i < n; ++i) perm[i] = i;
    shuffle(perm, rng);
    std::vector<StoryDoc> shuffled(n);
    for (std::size_t k = 0; k < n; ++k) shuffled[k] = docs[perm[k]];
    auto mapped = stories_of(cluster_stories(shuffled, o));
    for (auto& m : mapped) {
      for (auto& x : m) x = perm[x];
      std::sort(m.begin(), m.end());
    }
    std::sort(mapped.begin(), mapped.end());
    auto want = base;
    std::sort(want.begin(), want.end());
    INFO("trial " << trial);
    CHECK(mapped == want);
    // The same docs in another order, without the content order, would cluster differently:
    // the ties are real (the candidates per doc depend on which neighbour index comes first).
    samestory::lsh::CandidateStats st_a, st_b;
    auto ca = samestory::cluster::story_candidates(docs, o, st_a);
    auto cb = samestory::cluster::story_candidates(shuffled, o, st_b);
    for (auto& p : cb) {
      p = {perm[p.first], perm[p.second]};
      if (p.first > p.second) std::swap(p.first, p.second);
    }
    std::sort(cb.begin(), cb.end());
    differs_by_index += ca != cb;
  }
  CHECK(differs_by_index >= 5);
}

TEST_CASE("cluster: stories do not depend on the input order when docs differ only in their extras") {
  // Pairs of docs with equal fields, dates and keys that differ in their numbers, lead names or
  // figures: the content order must tell them apart, or their order would follow the input.
  SplitMix64 rng{252};
  for (int trial = 0; trial < 20; ++trial) {
    const std::size_t half = 10 + rng.below(10);
    auto docs = random_docs(rng, half, 0.8);
    for (auto& d : docs) d.published.reset(), d.key = {};
    std::vector<StoryDoc> twins = docs;
    docs.insert(docs.end(), twins.begin(), twins.end());
    add_extras(rng, docs);
    // Twins with equal numbers tie on every similarity: only their lead names and figures, which
    // only the gates read, tell them apart.
    for (std::size_t i = 0; i < half; ++i) docs[half + i].extras[kNumbers] = docs[i].extras[kNumbers];
    StoryOptions o;
    o.salient_terms = 1000;
    o.max_candidates_per_doc = 0;  // every sharing pair compared, as the naive reference does
    o.min_shared = 1;
    o.threshold = 0.2;
    o.conflict_min_size = 2;
    o.lead_conflict_hi = 0.6;
    o.lead_conflict_lo = 0.5;
    o.figure_conflict_size = 1;
    const std::size_t n = docs.size();
    const auto base = stories_of(cluster_stories(docs, o));
    std::vector<std::uint32_t> perm(n);
    for (std::uint32_t i = 0; i < n; ++i) perm[i] = i;
    shuffle(perm, rng);
    std::vector<StoryDoc> shuffled(n);
    for (std::size_t k = 0; k < n; ++k) shuffled[k] = docs[perm[k]];
    const auto r = cluster_stories(shuffled, o);
    auto mapped = stories_of(r);
    for (auto& m : mapped) {
      for (auto& x : m) x = perm[x];
      std::sort(m.begin(), m.end());
    }
    std::sort(mapped.begin(), mapped.end());
    auto want = base;
    std::sort(want.begin(), want.end());
    INFO("trial " << trial);
    CHECK(mapped == want);
    CHECK(partition_of(r) == naive_in_story_order(shuffled, o));
  }
}

TEST_CASE("cluster: story_extra_terms counts numbers, figures and the lead's names as a plain reference") {
  using samestory::text::EntityKind;
  SplitMix64 rng{253};
  for (int round = 0; round < 300; ++round) {
    samestory::text::AnalyzedText t;
    auto entity = [&] {
      t.entities.push_back(1 + rng.below(12));  // few terms: repeats
      t.entity_kinds.push_back(static_cast<EntityKind>(rng.below(4)));
    };
    for (std::size_t i = rng.below(4); i > 0; --i) entity();  // the title's
    const std::size_t lines = rng.below(8);
    for (std::size_t l = 0; l < lines; ++l) {
      samestory::text::AnalyzedText::Line line{};
      line.begin = line.end = 0;
      line.entity_begin = static_cast<std::uint32_t>(t.entities.size());
      for (std::size_t i = rng.below(4); i > 0; --i) entity();
      line.entity_end = static_cast<std::uint32_t>(t.entities.size());
      t.lines.push_back(line);
    }
    std::vector<std::uint8_t> bp(t.lines.size());
    for (auto& b : bp) b = rng.below(4) == 0;
    const std::uint32_t lead_lines = static_cast<std::uint32_t>(rng.below(4));
    // Reference: every entity term with its line (-1 for the title).
    std::map<std::uint64_t, std::uint32_t> numbers, lead, figures;
    std::size_t kept = 0;
    for (std::size_t k = 0; k < t.entities.size(); ++k) {
      std::ptrdiff_t line = -1;
      for (std::size_t l = 0; l < t.lines.size(); ++l)
        if (k >= t.lines[l].entity_begin && k < t.lines[l].entity_end) line = static_cast<std::ptrdiff_t>(l);
      if (line >= 0 && bp[static_cast<std::size_t>(line)]) continue;
      kept = 0;  // the lead: the title, and the first lead_lines kept lines
      for (std::ptrdiff_t l = 0; l < line; ++l) kept += !bp[static_cast<std::size_t>(l)];
      const bool in_lead = line < 0 || kept < lead_lines;
      const auto kind = t.entity_kinds[k];
      if (kind == samestory::text::kEntityNumber || kind == samestory::text::kEntityFigure) ++numbers[t.entities[k]];
      if (kind == samestory::text::kEntityFigure) ++figures[t.entities[k]];
      if (kind == samestory::text::kEntityName && in_lead) ++lead[t.entities[k]];
    }
    auto as_counts = [](const std::map<std::uint64_t, std::uint32_t>& m) {
      samestory::tfidf::TermCounts c;
      for (const auto& [h, n] : m) c.emplace_back(h, n);
      return c;
    };
    CAPTURE(round);
    const auto got = samestory::cluster::story_extra_terms(t, bp, lead_lines);
    CHECK(got[kNumbers] == as_counts(numbers));
    CHECK(got[kLead] == as_counts(lead));
    CHECK(got[kFigures] == as_counts(figures));
    // Into arrays reused from the round before: the same counts.
    static std::array<samestory::tfidf::TermCounts, samestory::cluster::kStoryExtras> reused;
    samestory::cluster::story_extra_terms(t, bp, reused, lead_lines);
    CHECK(reused == got);
  }
  samestory::text::AnalyzedText bad;
  bad.entities = {1, 2};
  bad.entity_kinds = {samestory::text::kEntityName};
  CHECK_THROWS_AS(samestory::cluster::story_extra_terms(bad, {}), std::invalid_argument);
}

TEST_CASE("cluster: story candidates keep each doc's pairs that share the most salient terms") {
  SplitMix64 rng{240};
  for (int trial = 0; trial < 20; ++trial) {
    const std::size_t n = 30 + rng.below(30);
    const auto docs = random_docs(rng, n, 0.7);
    StoryOptions all;
    all.salient_terms = 1000;
    all.max_candidates_per_doc = 0;
    StoryOptions capped = all;
    capped.max_candidates_per_doc = static_cast<std::uint32_t>(1 + rng.below(6));
    samestory::lsh::CandidateStats s1, s2;
    const auto every = story_candidates(docs, all, s1);
    const auto kept = story_candidates(docs, capped, s2);
    // Brute force: a pair is kept iff it is among the top-M of either doc by (shared desc, other id asc).
    std::vector<std::vector<std::pair<std::size_t, std::uint32_t>>> by_doc(n);  // (shared, other)
    for (const auto& [a, b] : every) {
      const std::size_t shared = shared_terms(docs[a], docs[b]);
      by_doc[a].emplace_back(shared, b);
      by_doc[b].emplace_back(shared, a);
    }
    std::set<samestory::lsh::Pair> want;
    for (std::uint32_t d = 0; d < n; ++d) {
      auto& l = by_doc[d];
      std::sort(l.begin(), l.end(), [](const auto& x, const auto& y) {
        return x.first != y.first ? x.first > y.first : x.second < y.second;
      });
      for (std::size_t k = 0; k < std::min<std::size_t>(l.size(), capped.max_candidates_per_doc); ++k)
        want.insert({std::min(d, l[k].second), std::max(d, l[k].second)});
    }
    CHECK(std::vector<samestory::lsh::Pair>(want.begin(), want.end()) == kept);
    for (const auto& p : kept) CHECK(std::binary_search(every.begin(), every.end(), p));
  }
}

TEST_CASE("cluster: story candidates equal the raw bucket pairs of lsh::bucket_pairs, hot buckets included") {
  // Reference: every doc's salient keys (all its body and entity terms: salient_terms is
  // large), all pairs per bucket through lsh::bucket_pairs (a chain for buckets over
  // max_bucket), counted per distinct pair. story_candidates counts partners per doc instead.
  SplitMix64 rng{260};
  std::size_t hot = 0;
  for (int trial = 0; trial < 40; ++trial) {
    const std::size_t n = 2 + rng.below(60);
    std::vector<FieldTokens> tokens(n);
    for (auto& t : tokens) {
      for (std::size_t j = 0, k = 1 + rng.below(6); j < k; ++j)
        t[samestory::cluster::kBody].push_back(1 + rng.below(10));
      for (std::size_t j = 0, k = rng.below(3); j < k; ++j)
        t[samestory::cluster::kEntity].push_back(100 + rng.below(5));
    }
    const auto docs = tfidf_docs(tokens);
    StoryOptions o;
    o.salient_terms = 1000;
    o.max_candidates_per_doc = 0;
    o.min_shared = static_cast<std::uint32_t>(1 + rng.below(3));
    o.max_bucket = static_cast<std::uint32_t>(2 + rng.below(12));
    std::vector<std::pair<std::uint64_t, std::uint32_t>> keyed;
    for (std::uint32_t d = 0; d < n; ++d)
      for (std::size_t f : {std::size_t{samestory::cluster::kBody}, std::size_t{samestory::cluster::kEntity}})
        for (SparseVector::InnerIterator it(docs[d].fields[f]); it; ++it)
          keyed.emplace_back((std::uint64_t{f} << 32) | static_cast<std::uint32_t>(it.index()), d);
    std::vector<Pair> raw;
    samestory::lsh::CandidateStats want_stats;
    samestory::lsh::bucket_pairs(keyed, o.max_bucket, raw, want_stats);
    std::map<Pair, std::uint32_t> shared;
    for (auto p : raw) ++shared[{std::min(p.first, p.second), std::max(p.first, p.second)}];
    std::vector<Pair> want;
    for (const auto& [p, k] : shared)
      if (k >= o.min_shared) want.push_back(p);
    samestory::lsh::CandidateStats got_stats;
    const auto got = samestory::cluster::story_candidates(docs, o, got_stats);
    INFO("trial " << trial << " max_bucket " << o.max_bucket << " min_shared " << o.min_shared);
    CHECK(got == want);
    CHECK(got_stats.entries == want_stats.entries);
    CHECK(got_stats.buckets == want_stats.buckets);
    CHECK(got_stats.largest_bucket == want_stats.largest_bucket);
    CHECK(got_stats.hot_buckets == want_stats.hot_buckets);
    CHECK(got_stats.raw_pairs == want_stats.raw_pairs);
    CHECK(got_stats.candidate_pairs == want.size());
    hot += want_stats.hot_buckets;
    // Capped: a pair is kept iff it is among the top `cap` of either doc by (shared desc,
    // other doc asc), over the same counts.
    StoryOptions capped = o;
    capped.max_candidates_per_doc = static_cast<std::uint32_t>(1 + rng.below(5));
    std::vector<std::vector<std::pair<std::uint32_t, std::uint32_t>>> by_doc(n);  // (shared, other)
    for (const auto& [p, k] : shared) {
      if (k < o.min_shared) continue;
      by_doc[p.first].emplace_back(k, p.second);
      by_doc[p.second].emplace_back(k, p.first);
    }
    std::set<Pair> want_capped;
    for (std::uint32_t d = 0; d < n; ++d) {
      auto& l = by_doc[d];
      std::sort(l.begin(), l.end(), [](const auto& x, const auto& y) {
        return x.first != y.first ? x.first > y.first : x.second < y.second;
      });
      for (std::size_t k = 0; k < std::min<std::size_t>(l.size(), capped.max_candidates_per_doc); ++k)
        want_capped.insert({std::min(d, l[k].second), std::max(d, l[k].second)});
    }
    samestory::lsh::CandidateStats capped_stats;
    CHECK(samestory::cluster::story_candidates(docs, capped, capped_stats) ==
          std::vector<Pair>(want_capped.begin(), want_capped.end()));
    CHECK(capped_stats.raw_pairs == want_stats.raw_pairs);
  }
  CHECK(hot > 0);
}
