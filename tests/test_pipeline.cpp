// The batch pipeline end to end: determinism, batching, accounting, the sample corpus.
#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>

#include "eval/labels.hpp"
#include "eval/metrics.hpp"
#include "pipeline/pipeline.hpp"

using namespace samestory;
namespace fs = std::filesystem;

namespace {

const std::string kSample = std::string(SAMESTORY_SOURCE_DIR) + "/datasets/sample/articles.jsonl";
const std::string kSampleGold = std::string(SAMESTORY_SOURCE_DIR) + "/datasets/sample/gold.jsonl";

std::uint64_t splitmix(std::uint64_t& s) {
  std::uint64_t z = (s += 0x9E3779B97F4A7C15ULL);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
  return z ^ (z >> 31);
}

/// Random "articles" over a small vocabulary, with planted exact and edited copies.
std::vector<Article> random_corpus(std::uint64_t seed, std::size_t n) {
  std::vector<Article> docs;
  std::uint64_t s = seed;
  for (std::size_t i = 0; i < n; ++i) {
    Article a;
    a.id = "d" + std::to_string(i);
    if (i > 0 && splitmix(s) % 4 == 0) {  // a copy of an earlier article, maybe edited
      const auto& src = docs[splitmix(s) % docs.size()];
      a.text = src.text;
      if (splitmix(s) % 2) a.text += "\nOne more closing sentence was added here by the editors.";
      a.title = src.title;
    } else {
      std::string t;
      const std::size_t words = 40 + splitmix(s) % 200;
      for (std::size_t w = 0; w < words; ++w) {
        t += "w" + std::to_string(splitmix(s) % 3000);
        t += (w % 17 == 16) ? "\n" : " ";
      }
      a.text = t;
      a.title = "title " + std::to_string(splitmix(s) % 50);
    }
    if (splitmix(s) % 3) a.published = 1700000000 + static_cast<std::int64_t>(splitmix(s) % 5000000);
    docs.push_back(std::move(a));
  }
  return docs;
}

/// Everything a run decides, as text, for byte-level comparison.
std::string fingerprint(const PipelineResult& r) {
  std::ostringstream o;
  for (const auto& a : r.articles)
    o << a.id << ' ' << r.articles[a.canonical].id << ' ' << r.articles[a.story].id << ' ' << a.dup_score << ' '
      << a.story_score << '\n';
  return o.str();
}

PipelineResult run_file(const std::string& path, unsigned threads, std::size_t batch_bytes) {
  ReadOptions ro;
  ro.batch_bytes = batch_bytes;
  auto reader = open_reader(path, ro);
  PipelineOptions po;
  po.threads = threads;
  return run_pipeline(*reader, po);
}

eval::Labels labels_of(const PipelineResult& r, bool story) {
  eval::Labels l;
  for (const auto& a : r.articles) l.emplace_back(a.id, r.articles[story ? a.story : a.canonical].id);
  return l;
}

}  // namespace

TEST_CASE("pipeline: identical output for 1, 2 and 8 threads") {
  const auto docs = random_corpus(7, 600);
  PipelineOptions o;
  o.threads = 1;
  const auto one = fingerprint(run_pipeline(docs, o));
  o.threads = 2;
  CHECK(fingerprint(run_pipeline(docs, o)) == one);
  o.threads = 8;
  CHECK(fingerprint(run_pipeline(docs, o)) == one);
}

TEST_CASE("pipeline: identical articles are always one dup group") {
  for (std::uint64_t seed : {1u, 2u, 3u}) {
    auto docs = random_corpus(seed, 300);
    const auto r = run_pipeline(docs, {});
    std::map<std::string, std::uint32_t> group_of_text;
    for (std::size_t i = 0; i < docs.size(); ++i) {
      auto [it, fresh] = group_of_text.emplace(docs[i].text, r.articles[i].canonical);
      if (!fresh) CHECK(it->second == r.articles[i].canonical);
    }
  }
}

TEST_CASE("pipeline: canonicals are their own group and dup scores meet the threshold") {
  const auto docs = random_corpus(11, 400);
  PipelineOptions o;
  o.verify = Verify::exact;
  const auto r = run_pipeline(docs, o);
  std::size_t groups = 0;
  for (std::size_t i = 0; i < r.articles.size(); ++i) {
    const auto& a = r.articles[i];
    CHECK(r.articles[a.canonical].canonical == a.canonical);
    CHECK(r.articles[a.story].story == a.story);
    CHECK(a.dup_score >= 0.0f);
    CHECK(a.dup_score <= 1.0f);
    groups += a.canonical == i;
    // Every member of a story's dup group is in the same story.
    CHECK(r.articles[a.canonical].story == a.story);
  }
  CHECK(groups == r.stats.dup_groups);
  CHECK(r.stats.read == r.stats.accepted + r.stats.rejected);
}

TEST_CASE("pipeline: the sample corpus gives the same output for any batch size and thread count") {
  REQUIRE(fs::exists(kSample));
  const auto base = fingerprint(run_file(kSample, 1, std::size_t{8} << 20));
  CHECK(fingerprint(run_file(kSample, 2, 4096)) == base);
  CHECK(fingerprint(run_file(kSample, 8, 1)) == base);
}

TEST_CASE("pipeline: duplicate ids are rejected under skip and raised under fail") {
  std::vector<Article> docs = random_corpus(5, 10);
  docs[7].id = docs[2].id;
  PipelineOptions o;
  o.on_error = OnError::skip;
  const auto r = run_pipeline(docs, o);
  CHECK(r.stats.accepted == 9);
  REQUIRE(r.rejects.size() == 1);
  CHECK(r.rejects[0].line == 8);
  CHECK(r.rejects[0].reason == "duplicate id \"d2\" (first seen at line 3)");
  o.on_error = OnError::fail;
  CHECK_THROWS_AS(run_pipeline(docs, o), InputError);
}

TEST_CASE("pipeline: story options are checked before any input is read, when stories are asked for") {
  // A reader that counts the batches asked of it.
  struct Counting : ArticleReader {
    std::vector<Article> docs = random_corpus(5, 10);
    int calls = 0;
    bool next_batch(std::vector<Article>& out, std::vector<Reject>&) override {
      if (calls++ > 0) return false;
      out.insert(out.end(), docs.begin(), docs.end());
      return true;
    }
    std::uint64_t bytes_read() const override { return 0; }
    const std::string& name() const override { return name_; }
    std::string name_ = "counting";
  };
  PipelineOptions o;
  o.story.conflict_factor = -1;
  Counting refused;
  CHECK_THROWS_WITH_AS(run_pipeline(refused, o), "story conflict factor must be in [0, 1]", std::invalid_argument);
  CHECK(refused.calls == 0);
  o.stories = false;  // a dup-only run does not use them
  Counting read;
  CHECK(run_pipeline(read, o).stats.accepted == 10);
  CHECK(read.calls == 2);
}

TEST_CASE("pipeline: recurring short lines are dropped as boilerplate") {
  std::vector<Article> docs = random_corpus(9, 40);
  for (auto& d : docs)
    d.text = "Subscribe to our newsletter\n" + d.text + "\nCopyright Example News. All rights reserved.";
  const auto r = run_pipeline(docs, {});
  CHECK(r.stats.boilerplate_lines >= 2);
  CHECK(r.stats.boilerplate_dropped >= 80);
}

TEST_CASE("pipeline: the sample corpus recovers its planted dup groups and stories") {
  REQUIRE(fs::exists(kSampleGold));
  const auto r = run_file(kSample, 0, std::size_t{8} << 20);
  const auto dup = eval::evaluate(eval::read_labels(kSampleGold, "dup_group"), labels_of(r, false));
  const auto story = eval::evaluate(eval::read_labels(kSampleGold, "story"), labels_of(r, true));
  MESSAGE("sample dup B-cubed F1 " << dup.bcubed.f1 << ", story B-cubed F1 " << story.bcubed.f1);
  CHECK(dup.missing_in_pred == 0);
  CHECK(dup.bcubed.f1 >= 0.95);
  CHECK(story.bcubed.f1 >= 0.85);
}
