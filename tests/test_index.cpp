// The feed index: equivalence with the batch run, query vs add, remove, merge, the file
// format (round trip, pinned messages, truncation and corruption never crash), stories.
#include <doctest/doctest.h>

#include <filesystem>
#include <map>
#include <set>
#include <unordered_map>

#include "eval/labels.hpp"
#include "eval/metrics.hpp"
#include "index/detail/state.hpp"
#include "index/index.hpp"
#include "io/reader.hpp"
#include "pipeline/pipeline.hpp"
#include "random.hpp"

using namespace samestory;
namespace fs = std::filesystem;

namespace {

const std::string kSample = std::string(SAMESTORY_SOURCE_DIR) + "/datasets/sample/articles.jsonl";
const std::string kSampleGold = std::string(SAMESTORY_SOURCE_DIR) + "/datasets/sample/gold.jsonl";

std::vector<Article> sample() {
  auto reader = open_reader(kSample, {});
  std::vector<Article> all, batch;
  std::vector<Reject> rej;
  while (reader->next_batch(batch, rej)) {
    for (auto& a : batch) all.push_back(std::move(a));
    batch.clear();
  }
  return all;
}

index::IndexParams params_of(const PipelineOptions& o) {
  index::IndexParams p;
  p.minhash = o.minhash;
  p.boilerplate_min_docs = o.boilerplate_min_docs;
  p.dup_threshold = o.dup_threshold;
  p.story = o.story;
  return p;
}

/// id -> canonical id of the batch run.
std::map<std::string, std::string> batch_groups(const std::vector<Article>& docs, const PipelineOptions& o,
                                                std::map<std::string, std::string>* stories = nullptr) {
  const auto r = run_pipeline(docs, o);
  std::map<std::string, std::string> g;
  for (const auto& a : r.articles) {
    g[a.id] = r.articles[a.canonical].id;
    if (stories) (*stories)[a.id] = r.articles[a.story].id;
  }
  return g;
}

/// Adds docs in `k` batches.
index::Index add_in_batches(const std::vector<Article>& docs, const index::IndexParams& p, std::size_t k) {
  index::Index idx(p);
  const std::size_t per = (docs.size() + k - 1) / k;
  for (std::size_t b = 0; b * per < docs.size(); ++b) {
    std::vector<Article> batch(docs.begin() + static_cast<std::ptrdiff_t>(b * per),
                               docs.begin() + static_cast<std::ptrdiff_t>(std::min(docs.size(), (b + 1) * per)));
    idx.add(std::move(batch), 1000);
  }
  return idx;
}

/// Final groups of an index: id -> canonical id now.
std::map<std::string, std::string> index_groups(const index::Index& idx, const std::vector<Article>& docs) {
  std::map<std::string, std::string> g;
  for (const auto& a : docs) g[a.id] = idx.get(a.id).value().dup_group;
  return g;
}

std::string sig_of(const std::map<std::string, std::string>& groups) {
  std::string s;
  for (const auto& [id, g] : groups) s += id + "->" + g + ";";
  return s;
}

}  // namespace

TEST_CASE("index: k batches give the dup groups of one batch run (boilerplate learnt identically)") {
  const auto docs = sample();
  PipelineOptions o;
  o.boilerplate_min_docs = 1u << 30;  // no line is boilerplate in either run
  const auto want = batch_groups(docs, o);
  for (std::size_t k : {1, 2, 7, 335}) {
    CAPTURE(k);
    const auto idx = add_in_batches(docs, params_of(o), k);
    CHECK(sig_of(index_groups(idx, docs)) == sig_of(want));
  }
}

TEST_CASE("index: the answers of add name the final canonical of each batch") {
  const auto docs = sample();
  PipelineOptions o;
  o.boilerplate_min_docs = 1u << 30;
  const auto want = batch_groups(docs, o);
  index::Index idx(params_of(o));
  const auto answers = idx.add(docs, 0);
  REQUIRE(answers.size() == docs.size());
  for (std::size_t i = 0; i < docs.size(); ++i) CHECK(answers[i].dup_group == want.at(docs[i].id));
}

TEST_CASE("index: with corpus-wide boilerplate, one big first batch matches the batch run") {
  // The boilerplate of the sample is learnt from its first 300 articles as from all 335.
  const auto docs = sample();
  PipelineOptions o;
  const auto want = batch_groups(docs, o);
  index::Index idx(params_of(o));
  idx.add(std::vector<Article>(docs.begin(), docs.begin() + 300), 0);
  idx.add(std::vector<Article>(docs.begin() + 300, docs.end()), 0);
  CHECK(sig_of(index_groups(idx, docs)) == sig_of(want));
}

TEST_CASE("index: query gives the answer add gives, without inserting") {
  const auto docs = sample();
  index::Index idx(index::IndexParams{});
  idx.add(std::vector<Article>(docs.begin(), docs.begin() + 200), 0);
  for (std::size_t i = 200; i < 260; ++i) {
    const auto q = idx.query({docs[i]});
    CHECK(idx.stats().articles == i);
    const auto a = idx.add({docs[i]}, 0);
    CHECK(q[0].dup == a[0].dup);
    CHECK(q[0].dup_group == a[0].dup_group);
    CHECK(q[0].dup_score == a[0].dup_score);
    CHECK(q[0].story == a[0].story);
    CHECK(q[0].story_score == doctest::Approx(a[0].story_score).epsilon(1e-6));
  }
}

TEST_CASE("index: remove re-derives groups as a batch run over the remaining articles") {
  auto docs = sample();
  PipelineOptions o;
  o.boilerplate_min_docs = 1u << 30;
  index::Index idx(params_of(o));
  idx.add(docs, 0);
  // Remove every third article, canonicals included.
  std::vector<std::string> gone;
  std::vector<Article> rest;
  for (std::size_t i = 0; i < docs.size(); ++i)
    (i % 3 == 0 ? (void)gone.push_back(docs[i].id) : rest.push_back(docs[i]));
  CHECK(idx.remove(gone) == gone.size());
  CHECK(idx.stats().articles == rest.size());
  CHECK(sig_of(index_groups(idx, rest)) == sig_of(batch_groups(rest, o)));
  // Saved and loaded, the same.
  const auto again = index::Index::deserialize(idx.serialize());
  CHECK(sig_of(index_groups(again, rest)) == sig_of(batch_groups(rest, o)));
}

TEST_CASE("index: expire removes by published date, else by insertion time") {
  std::vector<Article> docs(3);
  docs[0].id = "old", docs[0].text = "one two three four five six", docs[0].published = 100;
  docs[1].id = "new", docs[1].text = "seven eight nine ten eleven twelve", docs[1].published = 1000;
  docs[2].id = "undated", docs[2].text = "alpha beta gamma delta epsilon zeta";
  index::Index idx(index::IndexParams{});
  idx.add(docs, 500);
  CHECK(idx.expire(400) == 1);
  CHECK(!idx.contains("old"));
  CHECK(idx.expire(600) == 1);
  CHECK(!idx.contains("undated"));
  CHECK(idx.contains("new"));
}

TEST_CASE("index: merge of shards built apart equals one index over both") {
  const auto docs = sample();
  PipelineOptions o;
  o.boilerplate_min_docs = 1u << 30;
  index::Index a(params_of(o)), b(params_of(o));
  a.add(std::vector<Article>(docs.begin(), docs.begin() + 150), 0);
  b.add(std::vector<Article>(docs.begin() + 150, docs.end()), 0);
  a.check_compatible(b);
  a.merge(b);
  CHECK(a.stats().articles == docs.size());
  CHECK(sig_of(index_groups(a, docs)) == sig_of(batch_groups(docs, o)));
  CHECK_THROWS_WITH_AS(a.merge(b), "id \"a0151\" is in both indexes", std::invalid_argument);
  index::IndexParams other = params_of(o);
  other.minhash.num_perm = 256;
  CHECK_THROWS_WITH_AS(a.check_compatible(index::Index(other)), "num_perm 128 in index, 256 in other",
                       std::invalid_argument);
}

TEST_CASE("index: save -> load -> save is byte-identical, and answers survive") {
  const auto docs = sample();
  index::Index idx(index::IndexParams{});
  idx.add(std::vector<Article>(docs.begin(), docs.begin() + 300), 7);
  const std::string bytes = idx.serialize();
  const auto loaded = index::Index::deserialize(bytes);
  CHECK(loaded.serialize() == bytes);
  const std::vector<Article> tail(docs.begin() + 300, docs.end());
  const auto q1 = idx.query(tail), q2 = loaded.query(tail);
  for (std::size_t i = 0; i < tail.size(); ++i) {
    CHECK(q1[i].dup_group == q2[i].dup_group);
    CHECK(q1[i].story == q2[i].story);
  }
  // And adding after a load gives the same file as adding before saving.
  index::Index x = index::Index::deserialize(bytes), y = index::Index::deserialize(bytes);
  x.add(tail, 9);
  idx.add(tail, 9);
  CHECK(x.serialize() == idx.serialize());
  (void)y;
}

TEST_CASE("index: load checks magic, version, parameters, checksums with exact messages") {
  index::Index idx(index::IndexParams{});
  auto docs = sample();
  docs.resize(40);
  idx.add(docs, 0);
  const std::string good = idx.serialize();
  auto load = [](const std::string& b, const index::IndexParams* r = nullptr) {
    return index::Index::deserialize(b, r);
  };
  std::string bad = good;
  bad[0] = 'X';
  CHECK_THROWS_WITH_AS(load(bad), "not a samestory index (bad magic)", std::runtime_error);
  bad = good;
  bad[8] = 3;
  CHECK_THROWS_WITH_AS(load(bad), "index format version 3 not supported (this build reads version 2)",
                       std::runtime_error);
  bad[8] = 1;  // the 64-bit MinHash family of version 1
  CHECK_THROWS_WITH_AS(load(bad),
                       "index format version 1 not supported (this build reads version 2): its MinHash signatures "
                       "use the 64-bit hash family replaced in version 2; rebuild the index with `samestory index "
                       "create` and `index add`",
                       std::runtime_error);
  index::IndexParams r;
  r.minhash.num_perm = 256;
  CHECK_THROWS_WITH_AS(load(good, &r), "num_perm 128 in index, 256 requested", std::invalid_argument);
  r = {};
  r.minhash.scheme = sketch::MinHashScheme::oph;
  CHECK_THROWS_WITH_AS(load(good, &r), "minhash classic in index, oph requested", std::invalid_argument);
  {
    // The scheme is stored: an oph index loads as oph and refuses classic.
    index::IndexParams op;
    op.minhash.scheme = sketch::MinHashScheme::oph;
    index::Index o(op);
    o.add(docs, 0);
    const std::string ob = o.serialize();
    CHECK(load(ob).params().minhash.scheme == sketch::MinHashScheme::oph);
    CHECK(load(ob).serialize() == ob);
    r = {};
    CHECK_THROWS_WITH_AS(load(ob, &r), "minhash oph in index, classic requested", std::invalid_argument);
    CHECK_THROWS_WITH_AS(idx.check_compatible(o), "minhash classic in index, oph in other", std::invalid_argument);
  }
  r = {};
  r.dup_threshold = 0.7;
  CHECK_THROWS_WITH_AS(load(good, &r), "dup_threshold 0.5 in index, 0.7 requested", std::invalid_argument);
  bad = good;
  bad[20] ^= 1;  // bands
  CHECK_THROWS_WITH_AS(load(bad), "index header checksum mismatch: the file is corrupted", std::runtime_error);
  bad = good;
  bad[bad.size() - 20] ^= 0x40;  // inside the last section (df)
  CHECK_THROWS_WITH_AS(load(bad), "section 8 (df) checksum mismatch: the file is corrupted", std::runtime_error);
  CHECK_THROWS_WITH_AS(load(good.substr(0, 100)), "index truncated: 100 bytes, the header alone is 200",
                       std::runtime_error);
  CHECK_THROWS_WITH_AS(load(good.substr(0, good.size() - 8)),
                       doctest::Contains("index truncated: section 8 (df) ends at byte"), std::runtime_error);
}

TEST_CASE("index: every truncation and many corruptions give an error, never a crash") {
  index::Index idx(index::IndexParams{});
  auto docs = sample();
  docs.resize(25);
  idx.add(docs, 0);
  const std::string good = idx.serialize();
  std::size_t step = std::max<std::size_t>(1, good.size() / 2000);
  for (std::size_t n = 0; n < good.size(); n += step)
    CHECK_THROWS_AS(index::Index::deserialize(good.substr(0, n)), std::runtime_error);
  std::uint64_t s = 42;
  for (int i = 0; i < 500; ++i) {
    s = s * 6364136223846793005ULL + 1442695040888963407ULL;
    std::string bad = good;
    bad[(s >> 20) % bad.size()] ^= static_cast<char>(1u << ((s >> 8) % 8));
    CHECK_THROWS(index::Index::deserialize(bad));
  }
}

TEST_CASE("index: saved to a directory and loaded back") {
  const fs::path dir = fs::temp_directory_path() / ("samestory-index-" + std::to_string(::getpid()));
  fs::create_directories(dir);
  index::Index idx(index::IndexParams{});
  auto docs = sample();
  docs.resize(30);
  idx.add(docs, 0);
  index::save(idx, dir.string());
  CHECK(index::load(dir.string()).serialize() == idx.serialize());
  CHECK_THROWS_WITH_AS(index::load((dir / "nope").string()), doctest::Contains("no such index directory"),
                       std::runtime_error);
  fs::remove_all(dir);
}

TEST_CASE("index: incremental stories stay within a measured margin of the batch run (sample gold)") {
  const auto docs = sample();
  const auto gold = eval::read_labels(kSampleGold, "story");
  PipelineOptions o;
  std::map<std::string, std::string> batch_story;
  batch_groups(docs, o, &batch_story);
  const eval::Labels batch_pred(batch_story.begin(), batch_story.end());
  const double batch_f1 = eval::evaluate(gold, batch_pred).bcubed.f1;
  for (std::size_t k : {1, 5, 335}) {
    CAPTURE(k);
    index::Index idx(params_of(o));
    eval::Labels pred;
    const std::size_t per = (docs.size() + k - 1) / k;
    std::map<std::string, std::string> story;
    for (std::size_t b = 0; b * per < docs.size(); ++b) {
      const auto answers = idx.add(
          std::vector<Article>(docs.begin() + static_cast<std::ptrdiff_t>(b * per),
                               docs.begin() + static_cast<std::ptrdiff_t>(std::min(docs.size(), (b + 1) * per))),
          0);
      for (const auto& a : answers) story[a.id] = a.story;
    }
    for (const auto& a : docs) pred.emplace_back(a.id, idx.get(a.id).value().story);
    const double f1 = eval::evaluate(gold, pred).bcubed.f1;
    MESSAGE("k=" << k << " story B-cubed F1 incremental " << f1 << " batch " << batch_f1);
    CHECK(f1 >= batch_f1 - 0.10);
  }
}

TEST_CASE("index: FlatMap agrees with std::unordered_map (random keys, key 0, growth)") {
  test::SplitMix64 rng{11};
  for (int round = 0; round < 20; ++round) {
    index::detail::FlatMap<std::uint32_t> flat;
    std::unordered_map<std::uint64_t, std::uint32_t> ref;
    const std::uint64_t range = round % 2 ? 64 : ~std::uint64_t{0};  // many repeats, or few
    const int ops = 50 + round * 400;
    for (int i = 0; i < ops; ++i) {
      std::uint64_t key = rng.next() % range;
      if (rng.next() % 50 == 0) key = 0;
      const auto add = static_cast<std::uint32_t>(rng.next() % 7);
      flat[key] += add;
      ref[key] += add;
      const std::uint64_t probe = rng.next() % range;
      const auto* v = flat.find(probe);
      auto it = ref.find(probe);
      REQUIRE((v != nullptr) == (it != ref.end()));
      if (v) REQUIRE(*v == it->second);
    }
    REQUIRE(flat.size() == ref.size());
    std::size_t seen = 0;
    flat.for_each([&](std::uint64_t k, std::uint32_t v) {
      ++seen;
      REQUIRE(ref.count(k) == 1);
      CHECK(ref.at(k) == v);
    });
    CHECK(seen == ref.size());
  }
}

TEST_CASE("index: LSH band table lookups equal a brute-force list across flushes") {
  test::SplitMix64 rng{5};
  index::detail::BandTable table;
  std::vector<std::pair<std::uint64_t, std::uint32_t>> all;  // (key, slot) in insertion order
  std::vector<std::uint64_t> keys;
  for (std::uint32_t slot = 0; slot < 30000; ++slot) {
    // Hash-like keys with repeats, so that lists span the sorted array and the pending map.
    const std::uint64_t key = keys.empty() || rng.next() % 3 ? rng.next() : keys[rng.next() % keys.size()];
    keys.push_back(key);
    table.insert(key, slot);
    all.emplace_back(key, slot);
    if (slot % 997 == 0 || slot == 29999) {
      for (int probe = 0; probe < 50; ++probe) {
        const auto k = keys[rng.next() % keys.size()];
        std::vector<std::uint32_t> got, want;
        table.collect(k, [&](std::uint32_t s) { got.push_back(s); });
        for (const auto& [kk, s] : all)
          if (kk == k) want.push_back(s);
        REQUIRE(got == want);  // every entry, in slot order
      }
      std::vector<std::uint32_t> none;
      table.collect(rng.next(), [&](std::uint32_t s) { none.push_back(s); });
      CHECK(none.empty());
    }
  }
  CHECK(table.keys.size() > 0);  // flushes happened
}
