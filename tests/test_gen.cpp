// The synthetic corpus generator: determinism, prefix stability, valid records and gold, the
// planted similarities (brute-force word-5-gram Jaccard), lengths, and the pipeline on its output.
#include <doctest/doctest.h>

#define SIMDJSON_THREADS_ENABLED 1  // as the simdjson::simdjson target defines it
#include <simdjson.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <chrono>
#include <cstdlib>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <map>
#include <set>
#include <stdexcept>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "eval/metrics.hpp"
#include "gen/generator.hpp"
#include "io/article.hpp"
#include "io/reader.hpp"
#include "pipeline/pipeline.hpp"

using namespace samestory;
namespace fs = std::filesystem;

namespace {

struct Corpus {
  std::vector<std::string> articles, gold;
};

Corpus generate(const gen::GenOptions& o) {
  Corpus c;
  gen::Generator g(o);
  std::string a, b;
  while (g.next(a, b)) {
    c.articles.push_back(a);
    c.gold.push_back(b);
  }
  return c;
}

gen::GenOptions with(std::uint64_t articles, std::uint64_t seed = 1) {
  gen::GenOptions o;
  o.articles = articles;
  o.seed = seed;
  return o;
}

/// A parsed article (the fields the checks need) and its gold line.
struct Record {
  std::string id, title, text, source, url, published, lang;
  std::string story, dup_group;
};

/// The string fields of a one-object JSON line, in order; throws on anything else.
std::vector<std::pair<std::string, std::string>> fields(simdjson::ondemand::parser& parser, const std::string& line) {
  simdjson::padded_string padded(line);
  simdjson::ondemand::document doc = parser.iterate(padded);
  simdjson::ondemand::object obj = doc.get_object();
  std::vector<std::pair<std::string, std::string>> out;
  for (auto f : obj) {
    std::string_view key = f.unescaped_key();
    std::string_view value = f.value().get_string();
    out.emplace_back(std::string(key), std::string(value));
  }
  const char* rest = nullptr;
  if (doc.current_location().get(rest) == simdjson::SUCCESS) throw std::runtime_error("trailing content: " + line);
  return out;
}

/// Parses every line with simdjson On Demand; throws on a malformed line, a missing field or
/// fields out of the documented order.
std::vector<Record> parse(const Corpus& c) {
  simdjson::ondemand::parser parser;
  std::vector<Record> out(c.articles.size());
  for (std::size_t i = 0; i < c.articles.size(); ++i) {
    Record& r = out[i];
    const auto a = fields(parser, c.articles[i]);
    const std::vector<std::string> names = {"id", "title", "text", "source", "url", "published", "lang"};
    if (a.size() != names.size()) throw std::runtime_error("fields missing: " + c.articles[i]);
    for (std::size_t k = 0; k < names.size(); ++k)
      if (a[k].first != names[k]) throw std::runtime_error("field " + names[k] + " expected: " + c.articles[i]);
    r.id = a[0].second;
    r.title = a[1].second;
    r.text = a[2].second;
    r.source = a[3].second;
    r.url = a[4].second;
    r.published = a[5].second;
    r.lang = a[6].second;
    const auto g = fields(parser, c.gold[i]);
    if (g.size() != 3 || g[0].first != "id" || g[1].first != "story" || g[2].first != "dup_group")
      throw std::runtime_error("bad gold line: " + c.gold[i]);
    if (g[0].second != r.id) throw std::runtime_error("gold line " + std::to_string(i) + " names another id");
    r.story = g[1].second;
    r.dup_group = g[2].second;
  }
  return out;
}

/// Lower-cased \w+ words (ASCII letters, digits, underscore; other bytes separate words).
std::vector<std::string> words_of(const std::string& text) {
  std::vector<std::string> w;
  std::string cur;
  for (char ch : text) {
    const bool word = (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') || ch == '_';
    if (word) {
      cur += static_cast<char>(ch >= 'A' && ch <= 'Z' ? ch - 'A' + 'a' : ch);
    } else if (!cur.empty()) {
      w.push_back(std::move(cur));
      cur.clear();
    }
  }
  if (!cur.empty()) w.push_back(std::move(cur));
  return w;
}

std::unordered_set<std::string> shingles(const std::string& text) {
  const auto w = words_of(text);
  std::unordered_set<std::string> s;
  for (std::size_t i = 0; i + 5 <= w.size(); ++i)
    s.insert(w[i] + ' ' + w[i + 1] + ' ' + w[i + 2] + ' ' + w[i + 3] + ' ' + w[i + 4]);
  return s;
}

double jaccard(const std::unordered_set<std::string>& a, const std::unordered_set<std::string>& b) {
  if (a.empty() && b.empty()) return 1.0;
  std::size_t common = 0;
  for (const auto& x : a) common += b.count(x);
  return static_cast<double>(common) / static_cast<double>(a.size() + b.size() - common);
}

eval::Labels gold_labels(const std::vector<Record>& recs, bool story) {
  eval::Labels l;
  for (const auto& r : recs) l.emplace_back(r.id, story ? r.story : r.dup_group);
  return l;
}

}  // namespace

TEST_CASE("gen: the same seed gives the same bytes, another seed other bytes") {
  const auto a = generate(with(3000, 7));
  const auto b = generate(with(3000, 7));
  REQUIRE(a.articles.size() == 3000);
  CHECK(a.articles == b.articles);
  CHECK(a.gold == b.gold);
  const auto c = generate(with(3000, 8));
  std::size_t same = 0;
  for (std::size_t i = 0; i < 3000; ++i) same += a.articles[i] == c.articles[i];
  CHECK(same == 0);
  // The knobs are part of the output too.
  auto o = with(300, 7);
  o.dup_fraction = 0.3;
  CHECK(generate(o).articles != std::vector<std::string>(a.articles.begin(), a.articles.begin() + 300));
}

TEST_CASE("gen: the first N articles do not depend on how many are generated") {
  for (const std::uint64_t n : {1u, 999u, 1000u, 1501u}) {
    const auto small = generate(with(n, 3));
    const auto big = generate(with(3 * n, 3));
    REQUIRE(small.articles.size() == n);
    REQUIRE(big.articles.size() == 3 * n);
    CHECK(std::equal(small.articles.begin(), small.articles.end(), big.articles.begin()));
    CHECK(std::equal(small.gold.begin(), small.gold.end(), big.gold.begin()));
  }
  // Zero articles: next() is false at once and leaves its arguments alone.
  gen::Generator g(with(0));
  std::string a = "x", b = "y";
  CHECK_FALSE(g.next(a, b));
  CHECK(a == "x");
  CHECK(b == "y");
  CHECK(g.produced() == 0);
}

TEST_CASE("gen: every line is valid JSON with the fields; ids unique; gold consistent") {
  const auto o = with(2500, 11);  // ends inside a block: the gold must still be closed
  const auto c = generate(o);
  std::vector<Record> recs;
  REQUIRE_NOTHROW(recs = parse(c));
  REQUIRE(recs.size() == 2500);
  std::unordered_map<std::string, std::size_t> index;
  for (std::size_t i = 0; i < recs.size(); ++i) {
    const auto& r = recs[i];
    CHECK(index.emplace(r.id, i).second);  // unique
    CHECK(c.articles[i].find('\n') == std::string::npos);
    CHECK(!r.title.empty());
    CHECK(!r.text.empty());
    CHECK(!r.source.empty());
    CHECK(r.url.rfind("https://", 0) == 0);
    CHECK(r.lang == "en");
    const auto t = parse_timestamp(r.published);
    REQUIRE(t.has_value());
    CHECK(r.published.size() == 20);  // YYYY-MM-DDTHH:MM:SSZ
    CHECK(*t >= o.start);
    CHECK(*t < o.start + (std::int64_t{o.days} + 8) * 86400);
  }
  CHECK(recs[0].id == "a00000001");
  CHECK(recs[2499].id == "a00002500");
  std::map<std::string, std::string> story_of_group;
  std::size_t copies = 0, in_stories = 0;
  std::map<std::string, std::size_t> story_size;
  for (std::size_t i = 0; i < recs.size(); ++i) {
    const auto& r = recs[i];
    // The original and the story's first article exist and come no later than the article.
    REQUIRE(index.count(r.dup_group));
    REQUIRE(index.count(r.story));
    CHECK(index[r.dup_group] <= i);
    CHECK(index[r.story] <= i);
    CHECK(recs[index[r.dup_group]].dup_group == r.dup_group);  // the original is its own group
    CHECK(recs[index[r.story]].story == r.story);
    auto [it, fresh] = story_of_group.emplace(r.dup_group, r.story);
    if (!fresh) CHECK(it->second == r.story);  // a dup group lies inside one story
    if (i < 2000) copies += r.dup_group != r.id;
    ++story_size[r.story];
  }
  for (const auto& [s, n] : story_size) in_stories += n > 1 ? n : 0;
  // dup_fraction 0.2 of each whole block, exactly.
  CHECK(copies == 400);
  CHECK(in_stories > 1000);
}

TEST_CASE("gen: re-posts keep word-5-gram Jaccard >= 0.5 with their original, independent reports < 0.2") {
  const auto c = generate(with(3000, 5));
  const auto recs = parse(c);
  std::vector<std::unordered_set<std::string>> sh;
  std::unordered_map<std::string, std::size_t> index;
  for (std::size_t i = 0; i < recs.size(); ++i) {
    sh.push_back(shingles(recs[i].text));
    index[recs[i].id] = i;
  }
  std::size_t dups = 0, high = 0;
  double dup_min = 1;
  std::map<std::string, std::vector<std::size_t>> originals_of_story;
  for (std::size_t i = 0; i < recs.size(); ++i) {
    if (recs[i].dup_group == recs[i].id) {
      originals_of_story[recs[i].story].push_back(i);
      continue;
    }
    const double j = jaccard(sh[i], sh[index.at(recs[i].dup_group)]);
    ++dups;
    high += j >= 0.5;
    dup_min = std::min(dup_min, j);
  }
  std::size_t pairs = 0;
  double story_max = 0;
  for (const auto& [story, members] : originals_of_story)
    for (std::size_t x = 0; x < members.size(); ++x)
      for (std::size_t y = x + 1; y < members.size(); ++y, ++pairs)
        story_max = std::max(story_max, jaccard(sh[members[x]], sh[members[y]]));
  MESSAGE("re-posts: " << dups << ", with Jaccard >= 0.5: " << high << " (min " << dup_min
                       << "); independent report pairs: " << pairs << ", max Jaccard " << story_max);
  REQUIRE(dups == 600);
  CHECK(static_cast<double>(high) >= 0.9 * static_cast<double>(dups));
  REQUIRE(pairs > 500);
  CHECK(story_max < 0.2);
}

TEST_CASE("gen: body lengths average mean_words; articles average about 4 KB") {
  for (const double mean : {500.0, 150.0, 1200.0}) {
    auto o = with(2000, 2);
    o.mean_words = mean;
    const auto recs = parse(generate(o));
    double words = 0, bytes = 0;
    std::size_t shortest = SIZE_MAX;
    for (const auto& r : recs) {
      const auto n = words_of(r.text).size();
      words += static_cast<double>(n);
      shortest = std::min(shortest, n);
    }
    const auto c = generate(o);
    for (const auto& a : c.articles) bytes += static_cast<double>(a.size());
    words /= static_cast<double>(recs.size());
    bytes /= static_cast<double>(recs.size());
    MESSAGE("mean_words " << mean << ": mean words " << words << ", shortest " << shortest << ", mean bytes " << bytes);
    CHECK(words >= 0.85 * mean);
    CHECK(words <= 1.15 * mean);
    if (mean == 500.0) {
      CHECK(bytes >= 3500);
      CHECK(bytes <= 4700);
    }
  }
}

TEST_CASE("gen: the knobs do what they say") {
  SUBCASE("no dups, no stories: every article is alone") {
    auto o = with(1200, 4);
    o.dup_fraction = 0;
    o.story_fraction = 0;
    for (const auto& r : parse(generate(o))) {
      CHECK(r.story == r.id);
      CHECK(r.dup_group == r.id);
    }
  }
  SUBCASE("two outlets, no aggregators") {
    auto o = with(1000, 4);
    o.outlets = 2;
    std::set<std::string> sources;
    for (const auto& r : parse(generate(o))) sources.insert(r.source);
    CHECK(sources.size() == 2);
  }
  SUBCASE("missing titles and times are left out") {
    auto o = with(1000, 4);
    o.missing_title = 1;
    o.missing_published = 1;
    const auto c = generate(o);
    for (const auto& a : c.articles) {
      CHECK(a.find("\"title\"") == std::string::npos);
      CHECK(a.find("\"published\"") == std::string::npos);
    }
  }
  SUBCASE("id prefix and dates") {
    auto o = with(10, 4);
    o.id_prefix = "x\"";  // escaped in the output
    o.start = 1700000000;
    o.days = 1;
    const auto c = generate(o);
    CHECK(c.articles[0].rfind("{\"id\":\"x\\\"00000001\"", 0) == 0);
    CHECK(c.articles[0].find("\"published\":\"2023-11-1") != std::string::npos);
  }
  SUBCASE("a big event per block, reported by that many distinct outlets") {
    auto o = with(2000, 4);
    o.outlets = 600;
    o.big_event_reports = 150;
    std::map<std::string, std::set<std::string>> outlets;  // story -> outlets of its originals
    std::map<std::string, std::size_t> originals;
    for (const auto& r : parse(generate(o)))
      if (r.dup_group == r.id) outlets[r.story].insert(r.source), ++originals[r.story];
    std::size_t big = 0;
    for (const auto& [story, n] : originals) {
      if (n <= 8) continue;  // the other events have at most 8 reports
      ++big;
      CHECK(n == 150);
      CHECK(outlets[story].size() == 150);
    }
    CHECK(big == 2);  // one per block
    // Off by default, and the default bytes do not depend on it being there.
    o.big_event_reports = 0;
    o.outlets = 40;
    CHECK(generate(o).articles == generate(with(2000, 4)).articles);
    o.big_event_reports = 1;
    CHECK_THROWS_AS(gen::Generator{o}, std::invalid_argument);
  }
  SUBCASE("big siblings: more big events per block, reusing the big event's actors") {
    auto o = with(2000, 4);
    o.outlets = 600;
    o.big_event_reports = 150;
    o.big_siblings = 1;
    // Per story of 150 originals: the capitalised word pairs (names) in half or more of them.
    std::map<std::string, std::vector<const Record*>> originals;
    const auto recs = parse(generate(o));
    for (const auto& r : recs)
      if (r.dup_group == r.id) originals[r.story].push_back(&r);
    std::vector<std::pair<std::string, std::set<std::string>>> big;  // (story, its names), in file order
    for (const auto& [story, members] : originals) {
      if (members.size() <= 8) continue;
      CHECK(members.size() == 150);
      std::map<std::string, std::size_t> count;
      for (const Record* r : members) {
        std::set<std::string> seen;
        std::string prev, word;
        for (std::size_t i = 0; i <= r->text.size(); ++i) {
          const char ch = i < r->text.size() ? r->text[i] : ' ';
          if (std::isalpha(static_cast<unsigned char>(ch))) {
            word += ch;
            continue;
          }
          if (word.empty()) continue;
          const bool cap = std::isupper(static_cast<unsigned char>(word[0]));
          if (cap && !prev.empty()) seen.insert(prev + " " + word);
          prev = cap ? word : "";
          word.clear();
        }
        for (const auto& name : seen) ++count[name];
      }
      std::set<std::string> names;
      for (const auto& [name, k] : count)
        if (2 * k >= members.size()) names.insert(name);
      big.emplace_back(story, names);
    }
    REQUIRE(big.size() == 4);           // two per block
    std::sort(big.begin(), big.end());  // story ids are first article ids: blocks in order
    auto shared = [&](std::size_t x, std::size_t y) {
      std::vector<std::string> both;
      std::set_intersection(big[x].second.begin(), big[x].second.end(), big[y].second.begin(), big[y].second.end(),
                            std::back_inserter(both));
      return both.size();
    };
    CHECK(shared(0, 1) > 0);  // the siblings of a block share names (their actors)
    CHECK(shared(2, 3) > 0);
    CHECK(shared(0, 2) == 0);  // across blocks, no
    CHECK(shared(1, 3) == 0);
    o.big_siblings = 4;
    CHECK_THROWS_AS(gen::Generator{o}, std::invalid_argument);
  }
  SUBCASE("bad options are refused") {
    auto o = with(10);
    o.dup_fraction = 0.95;
    CHECK_THROWS_AS(gen::Generator{o}, std::invalid_argument);
    o = with(10);
    o.outlets = 1;
    CHECK_THROWS_AS(gen::Generator{o}, std::invalid_argument);
    o = with(10);
    o.mean_words = 5;
    CHECK_THROWS_AS(gen::Generator{o}, std::invalid_argument);
    o = with(10);
    o.days = 0;
    CHECK_THROWS_AS(gen::Generator{o}, std::invalid_argument);
  }
}

TEST_CASE("gen: the pipeline recovers the planted dup groups of 5,000 articles") {
  const auto o = with(5000, 1);
  const auto c = generate(o);
  const auto recs = parse(c);
  const fs::path path = fs::temp_directory_path() / ("samestory-test-gen-" + std::to_string(::getpid()) + ".jsonl");
  {
    std::ofstream f(path, std::ios::binary);
    for (const auto& a : c.articles) f << a << '\n';
  }
  auto reader = open_reader(path.string(), {});
  const auto result = run_pipeline(*reader, {});
  fs::remove(path);
  REQUIRE(result.articles.size() == 5000);
  eval::Labels dup_pred, story_pred;
  for (const auto& a : result.articles) {
    dup_pred.emplace_back(a.id, result.articles[a.canonical].id);
    story_pred.emplace_back(a.id, result.articles[a.story].id);
  }
  const auto dup = eval::evaluate(gold_labels(recs, false), dup_pred);
  const auto story = eval::evaluate(gold_labels(recs, true), story_pred);
  MESSAGE("generated 5000 (seed 1): dup B-cubed P/R/F1 "
          << dup.bcubed.precision << " / " << dup.bcubed.recall << " / " << dup.bcubed.f1 << "; story B-cubed P/R/F1 "
          << story.bcubed.precision << " / " << story.bcubed.recall << " / " << story.bcubed.f1 << " (gold stories "
          << story.gold_clusters << ", predicted " << story.pred_clusters << ")");
  CHECK(dup.missing_in_pred == 0);
  CHECK(dup.bcubed.f1 >= 0.9);
}

// Not run by default: build/tests/test_gen -tc="gen: throughput" --no-skip
// (SAMESTORY_GEN_ARTICLES=N sets the article count, default 1,000,000).
TEST_CASE("gen: throughput" * doctest::skip()) {
  auto o = with(1000000, 1);
  if (const char* n = std::getenv("SAMESTORY_GEN_ARTICLES")) o.articles = std::strtoull(n, nullptr, 10);
  const auto t0 = std::chrono::steady_clock::now();
  const std::clock_t c0 = std::clock();
  gen::Generator g(o);
  std::string a, b;
  std::uint64_t bytes = 0, gold_bytes = 0;
  while (g.next(a, b)) bytes += a.size() + 1, gold_bytes += b.size() + 1;
  const double wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  const double cpu = static_cast<double>(std::clock() - c0) / CLOCKS_PER_SEC;
  const double n = static_cast<double>(o.articles), mb = static_cast<double>(bytes) / 1e6;
  MESSAGE(o.articles << " articles, " << mb << " MB (+ " << static_cast<double>(gold_bytes) / 1e6 << " MB gold); "
                     << wall << " s wall, " << cpu << " s CPU: " << n / cpu << " articles/s, " << mb / cpu
                     << " MB/s per CPU second (" << n / wall << " articles/s, " << mb / wall << " MB/s wall)");
  CHECK(g.produced() == o.articles);
}
