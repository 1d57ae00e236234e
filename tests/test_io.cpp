// Tests of core/io: timestamps, the JSONL and .txt folder readers, the writers.

#include <doctest/doctest.h>
#include <fcntl.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <limits>
#include <optional>
#include <sstream>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "io/article.hpp"
#include "io/reader.hpp"
#include "io/writer.hpp"

namespace fs = std::filesystem;
using samestory::append_csv_field;
using samestory::append_json_string;
using samestory::append_score;
using samestory::Article;
using samestory::AtomicOutput;
using samestory::format_date;
using samestory::InputError;
using samestory::OnError;
using samestory::open_reader;
using samestory::parse_timestamp;
using samestory::ReadOptions;
using samestory::Reject;

namespace {

/// A fresh directory under the system temp dir, removed with everything in it at scope exit.
struct TempDir {
  fs::path path;
  TempDir() {
    std::string tmpl = (fs::temp_directory_path() / "samestory-io-XXXXXX").string();
    if (!::mkdtemp(tmpl.data())) throw std::runtime_error("mkdtemp failed");
    path = tmpl;
  }
  ~TempDir() {
    std::error_code ec;
    fs::remove_all(path, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  /// Writes `bytes` verbatim to `name` inside the directory and returns its path.
  std::string write(const std::string& name, const std::string& bytes) const {
    const fs::path p = path / name;
    std::ofstream out(p, std::ios::binary);
    out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
    out.close();
    if (!out) throw std::runtime_error("cannot write " + p.string());
    return p.string();
  }
};

std::string slurp(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

struct ReadAll {
  std::vector<Article> articles;
  std::vector<Reject> rejects;
  int batches = 0;
};

/// Reads every batch of `path`, concatenated.
ReadAll read_all(const std::string& path, const ReadOptions& options = {}) {
  ReadAll r;
  auto reader = open_reader(path, options);
  while (reader->next_batch(r.articles, r.rejects)) ++r.batches;
  return r;
}

ReadOptions skipping() {
  ReadOptions o;
  o.on_error = OnError::skip;
  return o;
}

/// The InputError message raised by reading `path` under OnError::fail ("" when none).
std::string error_of(const std::string& path, const ReadOptions& options = {}) {
  try {
    read_all(path, options);
  } catch (const InputError& e) {
    return e.what();
  }
  return "";
}

/// The single reject reason of a one-line file holding `line`.
std::string reject_reason(const TempDir& dir, const std::string& line) {
  const auto path = dir.write("one.jsonl", line + "\n");
  const auto r = read_all(path, skipping());
  REQUIRE(r.articles.empty());
  REQUIRE(r.rejects.size() == 1);
  CHECK(r.rejects[0].line == 1);
  CHECK(r.rejects[0].raw == line);
  return r.rejects[0].reason;
}

std::string json(std::string_view s) {
  std::string out;
  append_json_string(out, s);
  return out;
}

std::string csv(std::string_view s) {
  std::string out;
  append_csv_field(out, s);
  return out;
}

std::string score(double v) {
  std::string out;
  append_score(out, v);
  return out;
}

}  // namespace

// ---------------------------------------------------------------------------------------------
// Timestamps

TEST_CASE("io: parse_timestamp accepts dates, times and offsets") {
  // Hand-computed: 2026-03-04 is day 20516 after 1970-01-01 (56 years, 14 leap days, + 62 days).
  CHECK(parse_timestamp("2026-03-04") == std::optional<std::int64_t>(20516LL * 86400));
  CHECK(parse_timestamp("2026-03-04") == std::optional<std::int64_t>(1772582400));
  CHECK(parse_timestamp("2026-03-04T09:15:00Z") == std::optional<std::int64_t>(1772582400 + 9 * 3600 + 15 * 60));
  CHECK(parse_timestamp("2026-03-04T09:15:00Z") == std::optional<std::int64_t>(1772615700));
  CHECK(parse_timestamp("2026-03-04 09:15:00Z") == std::optional<std::int64_t>(1772615700));
  CHECK(parse_timestamp("2026-03-04t09:15:00z") == std::optional<std::int64_t>(1772615700));
  CHECK(parse_timestamp("2026-03-04T09:15:00") == std::optional<std::int64_t>(1772615700));  // no zone: UTC
  CHECK(parse_timestamp("2026-03-04T09:15") == std::optional<std::int64_t>(1772615700));     // no seconds
  CHECK(parse_timestamp("  2026-03-04T09:15:00Z\t") == std::optional<std::int64_t>(1772615700));
  // Offsets: local 09:15 at +02:00 is 07:15Z; at -05:30 it is 14:45Z.
  CHECK(parse_timestamp("2026-03-04 09:15:00+02:00") == std::optional<std::int64_t>(1772615700 - 7200));
  CHECK(parse_timestamp("2026-03-04T09:15:00+0200") == std::optional<std::int64_t>(1772608500));
  CHECK(parse_timestamp("2026-03-04T09:15:00+02") == std::optional<std::int64_t>(1772608500));
  CHECK(parse_timestamp("2026-03-04T09:15:00-0530") == std::optional<std::int64_t>(1772615700 + 19800));
  CHECK(parse_timestamp("2026-03-04T09:15:00-05:30") == std::optional<std::int64_t>(1772635500));
  // An offset that moves the instant to the previous day (and year).
  CHECK(parse_timestamp("2026-01-01T00:30:00+02:00") == std::optional<std::int64_t>(1767220200));
  CHECK(format_date(*parse_timestamp("2026-01-01T00:30:00+02:00")) == "2025-12-31");
  // Fractional seconds are accepted and dropped.
  CHECK(parse_timestamp("2026-03-04T09:15:00.123Z") == std::optional<std::int64_t>(1772615700));
  CHECK(parse_timestamp("2026-03-04T09:15:00,5+02:00") == std::optional<std::int64_t>(1772608500));
  CHECK(parse_timestamp("2026-03-04T09:15:00.999999999") == std::optional<std::int64_t>(1772615700));
  // The epoch and just before it.
  CHECK(parse_timestamp("1970-01-01T00:00:00Z") == std::optional<std::int64_t>(0));
  CHECK(parse_timestamp("1969-12-31T23:59:59Z") == std::optional<std::int64_t>(-1));
}

TEST_CASE("io: parse_timestamp checks leap days") {
  CHECK(parse_timestamp("2024-02-29") == std::optional<std::int64_t>(1709164800));
  CHECK(parse_timestamp("2000-02-29T23:59:59Z") == std::optional<std::int64_t>(951868799));  // 400-year rule
  CHECK_FALSE(parse_timestamp("2023-02-29").has_value());
  CHECK_FALSE(parse_timestamp("1900-02-29").has_value());  // 100-year rule
  CHECK_FALSE(parse_timestamp("2024-02-30").has_value());
  CHECK_FALSE(parse_timestamp("2024-04-31").has_value());
  CHECK(parse_timestamp("2024-12-31").has_value());
}

TEST_CASE("io: parse_timestamp rejects garbage") {
  for (const char* bad : {"",
                          "   ",
                          "yesterday",
                          "2026",
                          "2026-03",
                          "2026-3-4",
                          "26-03-04",
                          "2026/03/04",
                          "2026-13-01",
                          "2026-00-10",
                          "2026-01-00",
                          "2026-03-04T",
                          "2026-03-04T9:15",
                          "2026-03-04T25:00",
                          "2026-03-04T24:01",
                          "2026-03-04T09:60",
                          "2026-03-04T09:15:00.",
                          "2026-03-04T09:15:00Zjunk",
                          "2026-03-04T09:15:00+2",
                          "2026-03-04T09:15:00+24:00",
                          "2026-03-04T09:15:00+02:60",
                          "2026-03-04T09:15:00 +02:00",
                          "2026-03-04x",
                          "March 4, 2026",
                          "1772615700"}) {
    CAPTURE(bad);
    CHECK_FALSE(parse_timestamp(bad).has_value());
  }
}

TEST_CASE("io: format_date matches a day-counting loop and round-trips through parse_timestamp") {
  auto leap = [](int y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; };
  auto month_len = [&](int y, int m) {
    static const int len[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    return len[m - 1] + (m == 2 && leap(y) ? 1 : 0);
  };
  auto date = [](int y, int m, int d) {
    char buf[48];
    std::snprintf(buf, sizeof buf, "%04d-%02d-%02d", y, m, d);
    return std::string(buf);
  };
  std::uint64_t lcg = 12345;  // a fixed pseudo-random second within each day
  auto next_second = [&] {
    lcg = lcg * 6364136223846793005ULL + 1442695040888963407ULL;
    return static_cast<std::int64_t>((lcg >> 33) % 86400);
  };
  // Forward from 1970-01-01 to the end of 2199.
  int y = 1970, m = 1, d = 1;
  std::int64_t checked = 0;
  for (std::int64_t day = 0; y < 2200; ++day) {
    const std::string expect = date(y, m, d);
    const std::int64_t second = next_second();
    if (format_date(day * 86400 + second) != expect || format_date(day * 86400) != expect ||
        parse_timestamp(expect) != std::optional<std::int64_t>(day * 86400)) {
      FAIL("day " << day << " expected " << expect << " got " << format_date(day * 86400 + second));
    }
    ++checked;
    if (++d > month_len(y, m)) {
      d = 1;
      if (++m > 12) m = 1, ++y;
    }
  }
  CHECK(checked == 84006);  // 230 years, 56 leap days (2100 is not one)
  // Backward from 1969-12-31 to 1900-01-01.
  y = 1969, m = 12, d = 31;
  for (std::int64_t day = -1; y >= 1900; --day) {
    const std::string expect = date(y, m, d);
    const std::int64_t second = next_second();
    if (format_date(day * 86400 + second) != expect ||
        parse_timestamp(expect) != std::optional<std::int64_t>(day * 86400)) {
      FAIL("day " << day << " expected " << expect << " got " << format_date(day * 86400 + second));
    }
    if (--d < 1) {
      if (--m < 1) m = 12, --y;
      d = month_len(y, m);
    }
  }
}

// ---------------------------------------------------------------------------------------------
// JSONL reader

TEST_CASE("io: jsonl reader maps fields, with default and custom names") {
  TempDir dir;
  SUBCASE("default names") {
    const auto path = dir.write(
        "a.jsonl",
        R"({"id":"a1","text":"Body one.","title":"Title one","source":"Outlet","url":"http://x/1","lang":"en","published":"2026-03-04T09:15:00Z"})"
        "\n"
        R"({"text":"Body two.","id":"a2"})"
        "\n");
    const auto r = read_all(path);
    REQUIRE(r.articles.size() == 2);
    CHECK(r.rejects.empty());
    const Article& a = r.articles[0];
    CHECK(a.id == "a1");
    CHECK(a.text == "Body one.");
    CHECK(a.title == "Title one");
    CHECK(a.source == "Outlet");
    CHECK(a.url == "http://x/1");
    CHECK(a.lang == "en");
    CHECK(a.published == std::optional<std::int64_t>(1772615700));
    CHECK(a.line == 1);
    CHECK(a.raw.empty());  // not kept unless asked
    const Article& b = r.articles[1];
    CHECK(b.id == "a2");
    CHECK(b.text == "Body two.");
    CHECK(b.title.empty());
    CHECK(b.source.empty());
    CHECK_FALSE(b.published.has_value());
    CHECK(b.line == 2);
  }
  SUBCASE("custom names; the default names are then ordinary unknown fields") {
    const auto path = dir.write(
        "b.jsonl",
        R"({"doc_id":"x","body":"The body \"quoted\" \u00e9\n2nd line","headline":"Head","outlet":"Paper","link":"u","language":"de","date":"2024-02-29","id":{"ignored":true},"text":7})"
        "\n");
    ReadOptions o;
    o.fields.id = "doc_id";
    o.fields.text = "body";
    o.fields.title = "headline";
    o.fields.source = "outlet";
    o.fields.url = "link";
    o.fields.lang = "language";
    o.fields.time = "date";
    const auto r = read_all(path, o);
    REQUIRE(r.articles.size() == 1);
    const Article& a = r.articles[0];
    CHECK(a.id == "x");
    CHECK(a.text == "The body \"quoted\" \xC3\xA9\n2nd line");
    CHECK(a.title == "Head");
    CHECK(a.source == "Paper");
    CHECK(a.url == "u");
    CHECK(a.lang == "de");
    CHECK(a.published == std::optional<std::int64_t>(1709164800));
    // With the default names the same record has no usable text.
    CHECK(reject_reason(dir, R"({"doc_id":"x","body":"b"})").find("missing field") == 0);
  }
}

TEST_CASE("io: jsonl reader keeps numeric ids as written") {
  TempDir dir;
  const auto path = dir.write("n.jsonl",
                              "{\"id\": 12345, \"text\": \"a\"}\n"
                              "{\"id\": 1.5e3 , \"text\": \"b\"}\n"
                              "{\"id\":-7,\"text\":\"c\"}\n"
                              "{\"text\":\"d\",\"id\":0.25}\n");
  const auto r = read_all(path);
  REQUIRE(r.articles.size() == 4);
  CHECK(r.articles[0].id == "12345");
  CHECK(r.articles[1].id == "1.5e3");
  CHECK(r.articles[2].id == "-7");
  CHECK(r.articles[3].id == "0.25");
}

TEST_CASE("io: jsonl reader rejects bad ids and missing fields with exact messages") {
  TempDir dir;
  CHECK(reject_reason(dir, R"({"id":{"a":1},"text":"t"})") == R"(field "id" is an object, expected string or number)");
  CHECK(reject_reason(dir, R"({"id":[1,2],"text":"t"})") == R"(field "id" is an array, expected string or number)");
  CHECK(reject_reason(dir, R"({"id":true,"text":"t"})") == R"(field "id" is a boolean, expected string or number)");
  CHECK(reject_reason(dir, R"({"id":null,"text":"t"})") == R"(field "id" is null, expected string or number)");
  CHECK(reject_reason(dir, R"({"id":"","text":"t"})") == R"(field "id" is empty)");
  CHECK(reject_reason(dir, R"({"id":"a"})") == R"(missing field "text")");
  CHECK(reject_reason(dir, R"({"id":"a","text":null})") == R"(missing field "text")");
  CHECK(reject_reason(dir, R"({"text":"t"})") == R"(missing field "id")");
  CHECK(reject_reason(dir, R"({"id":"a","text":5})") == R"(field "text" is a number, expected string)");
  CHECK(reject_reason(dir, R"({"id":"a","text":"t","title":["x"]})") ==
        R"(field "title" is an array, expected string)");
  CHECK(reject_reason(dir, R"([1,2,3])") == "record is an array, expected a JSON object");
  CHECK(reject_reason(dir, R"("just a string")") == "record is a string, expected a JSON object");
  // Custom names appear in the messages.
  ReadOptions o = skipping();
  o.fields.id = "doc_id";
  o.fields.text = "body";
  const auto path = dir.write("c.jsonl", "{\"doc_id\":false,\"body\":\"b\"}\n{\"doc_id\":\"d\"}\n");
  const auto r = read_all(path, o);
  REQUIRE(r.rejects.size() == 2);
  CHECK(r.rejects[0].reason == R"(field "doc_id" is a boolean, expected string or number)");
  CHECK(r.rejects[1].reason == R"(missing field "body")");
}

TEST_CASE("io: jsonl reader fails with path:line: reason") {
  TempDir dir;
  const auto path = dir.write("f.jsonl",
                              "{\"id\":\"a\",\"text\":\"x\"}\n"
                              "\n"
                              "{\"id\":{},\"text\":\"y\"}\n"
                              "{\"id\":\"c\",\"text\":\"z\"}\n");
  try {
    read_all(path);
    FAIL("no InputError");
  } catch (const InputError& e) {
    CHECK(std::string(e.what()) == path + ":3: field \"id\" is an object, expected string or number");
    CHECK(e.reject().file == path);
    CHECK(e.reject().line == 3);
    CHECK(e.reject().raw == "{\"id\":{},\"text\":\"y\"}");
  }
}

TEST_CASE("io: jsonl reader names the line of invalid JSON") {
  TempDir dir;
  for (const std::string bad :
       {R"({"id":"a","text":"x")", R"({"id":"a" "text":"x"})", R"({"id":"a","text":"x"} extra)",
        R"({"id":"a","text":"x"}{"id":"b","text":"y"})", R"(not json at all)", R"({"id":"a","text":"unterminated})",
        R"({"id":"a",,"text":"x"})", R"({"id":"a","text":tru})"}) {
    CAPTURE(bad);
    const auto path = dir.write("bad.jsonl", "{\"id\":\"ok\",\"text\":\"fine\"}\n" + bad + "\n");
    const std::string msg = error_of(path);
    CHECK(msg.rfind(path + ":2: ", 0) == 0);
    // The same file under skip: the good record is kept, the bad line is rejected verbatim.
    const auto r = read_all(path, skipping());
    REQUIRE(r.articles.size() == 1);
    CHECK(r.articles[0].id == "ok");
    REQUIRE(r.rejects.size() == 1);
    CHECK(r.rejects[0].line == 2);
    CHECK(r.rejects[0].raw == bad);
    CHECK(r.rejects[0].file == path);
  }
  const auto path = dir.write("bad2.jsonl", "{\"id\":\"a\",\"text\":\"x\"\n");
  CHECK(error_of(path).rfind(path + ":1: invalid JSON", 0) == 0);
}

TEST_CASE("io: jsonl reader under skip collects rejects in order and keeps going") {
  TempDir dir;
  const std::vector<std::string> lines = {R"({"id":"1","text":"one"})",   R"({"id":[],"text":"bad"})",
                                          R"({"id":"3","text":"three"})", R"(garbage \ line)",
                                          R"({"id":"5","text":"five"})",  R"({"id":"6"})",
                                          R"({"id":"7","text":"seven"})"};
  std::string content;
  for (const auto& l : lines) content += l + "\n";
  const auto path = dir.write("s.jsonl", content);
  const auto r = read_all(path, skipping());
  REQUIRE(r.articles.size() == 4);
  CHECK(r.articles[0].id == "1");
  CHECK(r.articles[1].id == "3");
  CHECK(r.articles[2].id == "5");
  CHECK(r.articles[3].id == "7");
  CHECK(r.articles[3].line == 7);
  REQUIRE(r.rejects.size() == 3);
  CHECK(r.rejects[0].line == 2);
  CHECK(r.rejects[0].raw == lines[1]);
  CHECK(r.rejects[0].reason == R"(field "id" is an array, expected string or number)");
  CHECK(r.rejects[1].line == 4);
  CHECK(r.rejects[1].raw == lines[3]);
  CHECK(r.rejects[1].reason.rfind("invalid JSON", 0) == 0);
  CHECK(r.rejects[2].line == 6);
  CHECK(r.rejects[2].raw == lines[5]);
  CHECK(r.rejects[2].reason == R"(missing field "text")");
}

TEST_CASE("io: jsonl reader line handling: blank lines, CRLF, BOM, last line") {
  TempDir dir;
  SUBCASE("blank lines are not records but still count as lines") {
    const auto path =
        dir.write("b.jsonl", "\n   \n{\"id\":\"a\",\"text\":\"x\"}\n\t\r\n\n{\"id\":\"b\",\"text\":\"y\"}\n\n");
    const auto r = read_all(path, skipping());
    CHECK(r.rejects.empty());
    REQUIRE(r.articles.size() == 2);
    CHECK(r.articles[0].line == 3);
    CHECK(r.articles[1].line == 6);
  }
  SUBCASE("an empty file has no records") {
    const auto path = dir.write("e.jsonl", "");
    const auto r = read_all(path);
    CHECK(r.articles.empty());
    CHECK(r.rejects.empty());
  }
  SUBCASE("CRLF line endings") {
    ReadOptions o;
    o.keep_raw = true;
    const auto path = dir.write("crlf.jsonl", "{\"id\":\"a\",\"text\":\"x\"}\r\n{\"id\":\"b\",\"text\":\"y\"}\r\n");
    const auto r = read_all(path, o);
    REQUIRE(r.articles.size() == 2);
    CHECK(r.articles[0].text == "x");
    CHECK(r.articles[1].id == "b");
    CHECK(r.articles[1].raw == "{\"id\":\"b\",\"text\":\"y\"}");
  }
  SUBCASE("a UTF-8 BOM on the first line") {
    const auto path =
        dir.write("bom.jsonl", "\xEF\xBB\xBF{\"id\":\"a\",\"text\":\"x\"}\n{\"id\":\"b\",\"text\":\"y\"}\n");
    const auto r = read_all(path);
    REQUIRE(r.articles.size() == 2);
    CHECK(r.articles[0].id == "a");
  }
  SUBCASE("a UTF-8 BOM on a later line (files concatenated), not kept in the raw record") {
    ReadOptions o;
    o.keep_raw = true;
    const auto path =
        dir.write("bom2.jsonl", "{\"id\":\"a\",\"text\":\"x\"}\n\xEF\xBB\xBF{\"id\":\"b\",\"text\":\"y\"}\r\n");
    const auto r = read_all(path, o);
    REQUIRE(r.articles.size() == 2);
    CHECK(r.articles[1].id == "b");
    CHECK(r.articles[1].raw == "{\"id\":\"b\",\"text\":\"y\"}");
  }
  SUBCASE("a last line without newline is read") {
    const auto path = dir.write("nonl.jsonl", "{\"id\":\"a\",\"text\":\"x\"}\n{\"id\":\"b\",\"text\":\"y\"}");
    const auto r = read_all(path);
    REQUIRE(r.articles.size() == 2);
    CHECK(r.articles[1].id == "b");
    CHECK(r.articles[1].line == 2);
  }
  SUBCASE("a truncated last line is rejected") {
    const auto path = dir.write("trunc.jsonl", "{\"id\":\"a\",\"text\":\"x\"}\n{\"id\":\"b\",\"text\":\"y");
    const auto r = read_all(path, skipping());
    REQUIRE(r.articles.size() == 1);
    REQUIRE(r.rejects.size() == 1);
    CHECK(r.rejects[0].line == 2);
    CHECK(r.rejects[0].raw == "{\"id\":\"b\",\"text\":\"y");
    CHECK(r.rejects[0].reason.rfind("invalid JSON", 0) == 0);
    CHECK(error_of(path).rfind(path + ":2: invalid JSON", 0) == 0);
  }
}

TEST_CASE("io: jsonl reader keep_raw keeps the exact line") {
  TempDir dir;
  const std::string l1 = R"(  {"id" : "a",  "text":"x \u00e9 \"q\"", "extra": [1, {"n": null}]}   )";
  const std::string l2 = R"({"id":2,"text":"y"})";
  const auto path = dir.write("raw.jsonl", l1 + "\n" + l2 + "\n");
  ReadOptions o;
  o.keep_raw = true;
  const auto r = read_all(path, o);
  REQUIRE(r.articles.size() == 2);
  CHECK(r.articles[0].raw == l1);
  CHECK(r.articles[1].raw == l2);
  CHECK(r.articles[0].text == "x \xC3\xA9 \"q\"");
}

TEST_CASE("io: jsonl reader gives the same articles for any batch size") {
  TempDir dir;
  std::string content;
  for (int i = 0; i < 200; ++i) {
    if (i % 17 == 3) content += "\n";  // blank lines here and there
    if (i % 23 == 5) {
      content += "{\"id\":\"bad" + std::to_string(i) + "\"}\n";  // rejected: no text
      continue;
    }
    content += "{\"id\":\"r" + std::to_string(i) + "\",\"text\":\"" +
               std::string(static_cast<std::size_t>(i % 37), 'x') + " body " + std::to_string(i) +
               "\",\"published\":" + std::to_string(1700000000 + i) + "}\n";
  }
  const auto path = dir.write("many.jsonl", content);
  ReadOptions big = skipping();
  ReadOptions tiny = skipping();
  tiny.batch_bytes = 64;
  tiny.keep_raw = big.keep_raw = true;
  const auto a = read_all(path, big);
  const auto b = read_all(path, tiny);
  CHECK(a.batches == 1);
  CHECK(b.batches > 20);
  REQUIRE(a.articles.size() == b.articles.size());
  CHECK(a.articles.size() > 180);
  for (std::size_t i = 0; i < a.articles.size(); ++i) {
    CAPTURE(i);
    CHECK(a.articles[i].id == b.articles[i].id);
    CHECK(a.articles[i].text == b.articles[i].text);
    CHECK(a.articles[i].line == b.articles[i].line);
    CHECK(a.articles[i].raw == b.articles[i].raw);
    CHECK(a.articles[i].published == b.articles[i].published);
  }
  REQUIRE(a.rejects.size() == b.rejects.size());
  CHECK(a.rejects.size() == 9);
  for (std::size_t i = 0; i < a.rejects.size(); ++i) {
    CHECK(a.rejects[i].line == b.rejects[i].line);
    CHECK(a.rejects[i].raw == b.rejects[i].raw);
  }
  // bytes_read counts the whole input.
  auto reader = open_reader(path, tiny);
  std::vector<Article> out;
  std::vector<Reject> rej;
  while (reader->next_batch(out, rej)) {
  }
  CHECK(reader->bytes_read() == content.size());
  CHECK(reader->name() == path);
}

TEST_CASE("io: jsonl reader rejects records over max_article_bytes and reads on") {
  TempDir dir;
  const std::string long_line = "{\"id\":\"long\",\"text\":\"" + std::string(300, 'y') + "\"}";
  SUBCASE("small file: the long line sits in one read buffer") {
    const auto path =
        dir.write("m.jsonl", "{\"id\":\"a\",\"text\":\"x\"}\n" + long_line + "\n{\"id\":\"c\",\"text\":\"z\"}\n");
    ReadOptions o = skipping();
    o.max_article_bytes = 100;
    const auto r = read_all(path, o);
    REQUIRE(r.articles.size() == 2);
    CHECK(r.articles[0].id == "a");
    CHECK(r.articles[1].id == "c");
    CHECK(r.articles[1].line == 3);
    REQUIRE(r.rejects.size() == 1);
    CHECK(r.rejects[0].line == 2);
    CHECK(r.rejects[0].reason == "record is over --max-article-bytes (100 bytes)");
    CHECK(r.rejects[0].raw.rfind("{\"id\":\"long\"", 0) == 0);
    o.on_error = OnError::fail;
    CHECK(error_of(path, o) == path + ":2: record is over --max-article-bytes (100 bytes)");
  }
  SUBCASE("a line longer than the read buffer, last without newline") {
    const std::string huge = "{\"id\":\"huge\",\"text\":\"" + std::string((std::size_t{3} << 20), 'h') + "\"}";
    const auto path =
        dir.write("h.jsonl", "{\"id\":\"a\",\"text\":\"x\"}\n" + huge + "\n{\"id\":\"c\",\"text\":\"z\"}\n" + huge);
    ReadOptions o = skipping();
    o.max_article_bytes = std::size_t{1} << 20;
    const auto r = read_all(path, o);
    REQUIRE(r.articles.size() == 2);
    CHECK(r.articles[1].id == "c");
    REQUIRE(r.rejects.size() == 2);
    CHECK(r.rejects[0].line == 2);
    CHECK(r.rejects[1].line == 4);
    CHECK(r.rejects[1].reason == "record is over --max-article-bytes (1048576 bytes)");
    // The default limit (8 MiB) lets the same 3 MiB records through.
    const auto all = read_all(path);
    CHECK(all.articles.size() == 4);
  }
  SUBCASE("a record exactly at the limit is accepted") {
    const auto path = dir.write("x.jsonl", long_line + "\n");
    ReadOptions o;
    o.max_article_bytes = long_line.size();
    CHECK(read_all(path, o).articles.size() == 1);
    o.max_article_bytes = long_line.size() - 1;
    CHECK(error_of(path, o) ==
          path + ":1: record is over --max-article-bytes (" + std::to_string(long_line.size() - 1) + " bytes)");
  }
}

TEST_CASE("io: jsonl reader parses published") {
  TempDir dir;
  const auto path = dir.write("p.jsonl",
                              "{\"id\":\"a\",\"text\":\"x\",\"published\":\"2026-03-04T09:15:00+02:00\"}\n"
                              "{\"id\":\"b\",\"text\":\"x\",\"published\":1772615700}\n"
                              "{\"id\":\"c\",\"text\":\"x\",\"published\":\"2024-02-29\"}\n"
                              "{\"id\":\"d\",\"text\":\"x\",\"published\":null}\n"
                              "{\"id\":\"e\",\"text\":\"x\",\"published\":\"\"}\n"
                              "{\"id\":\"f\",\"text\":\"x\",\"published\":\"yesterday\"}\n"
                              "{\"id\":\"g\",\"text\":\"x\",\"published\":\"2023-02-29\"}\n"
                              "{\"id\":\"h\",\"text\":\"x\",\"published\":{\"y\":2026}}\n");
  const auto r = read_all(path, skipping());
  REQUIRE(r.articles.size() == 5);
  CHECK(r.articles[0].published == std::optional<std::int64_t>(1772608500));
  CHECK(r.articles[1].published == std::optional<std::int64_t>(1772615700));  // a number is Unix seconds
  CHECK(r.articles[2].published == std::optional<std::int64_t>(1709164800));
  CHECK_FALSE(r.articles[3].published.has_value());
  CHECK_FALSE(r.articles[4].published.has_value());
  REQUIRE(r.rejects.size() == 3);
  CHECK(r.rejects[0].line == 6);
  CHECK(r.rejects[0].reason == R"(field "published" is not an ISO 8601 date or time: "yesterday")");
  CHECK(r.rejects[1].line == 7);
  CHECK(r.rejects[1].reason == R"(field "published" is not an ISO 8601 date or time: "2023-02-29")");
  CHECK(r.rejects[2].line == 8);
  CHECK(r.rejects[2].reason == R"(field "published" is an object, expected string)");
  // A custom time field is named in the message.
  ReadOptions o = skipping();
  o.fields.time = "date";
  const auto p2 = dir.write("p2.jsonl", "{\"id\":\"a\",\"text\":\"x\",\"date\":\"soon\",\"published\":\"also bad\"}\n");
  const auto r2 = read_all(p2, o);
  REQUIRE(r2.rejects.size() == 1);
  CHECK(r2.rejects[0].reason == R"(field "date" is not an ISO 8601 date or time: "soon")");
}

TEST_CASE("io: jsonl reader ignores unknown fields of any type") {
  TempDir dir;
  const auto path = dir.write(
      "u.jsonl",
      R"({"meta":{"a":[1,2,{"b":null}]},"id":"a","tags":["x","y"],"score":1.5e10,"ok":true,"nothing":null,"text":"body"})"
      "\n");
  const auto r = read_all(path);
  REQUIRE(r.articles.size() == 1);
  CHECK(r.articles[0].id == "a");
  CHECK(r.articles[0].text == "body");
}

TEST_CASE("io: jsonl reader validates what it skips: unknown fields must be valid JSON") {
  // On Demand parsing checks only the values it reads; a record kept by `dedup --emit unique`
  // must be valid JSON as a whole.
  TempDir dir;
  const std::string good = R"({"id":"a","text":"x",)";
  CHECK(reject_reason(dir, good + R"("z":{"a" 1}})") ==
        "invalid JSON: The JSON document has an improper structure: missing or superfluous commas, braces, missing "
        "keys, etc.");
  CHECK(reject_reason(dir, good + R"("z":[1,2,,]})").rfind("invalid JSON: ", 0) == 0);
  CHECK(reject_reason(dir, good + R"("z":tru})") ==
        "invalid JSON: Problem while parsing an atom starting with the letter 't'");
  CHECK(reject_reason(dir, good + R"("z":nul})") ==
        "invalid JSON: Problem while parsing an atom starting with the letter 'n'");
  CHECK(reject_reason(dir, good + R"("z":01})") == "invalid JSON: Problem while parsing a number");
  CHECK(reject_reason(dir, good + R"("z":1.})") == "invalid JSON: Problem while parsing a number");
  CHECK(reject_reason(dir, good + R"("z":-})") == "invalid JSON: Problem while parsing a number");
  CHECK(reject_reason(dir, good + R"("z":"\q"})").rfind("invalid JSON: ", 0) == 0);
  CHECK(reject_reason(dir, good + R"("z":{"k":[true,{"m":fals}]}})").rfind("invalid JSON: ", 0) == 0);
  CHECK(reject_reason(dir, R"({"id":"a","text":nulx})") ==
        "invalid JSON: Problem while parsing an atom starting with the letter 'n'");
  CHECK(reject_reason(dir, R"({"id":"a","text":"x","title":nil})") ==
        "invalid JSON: Problem while parsing an atom starting with the letter 'n'");
  CHECK(reject_reason(dir, R"({"id":01,"text":"x"})") == "invalid JSON: Problem while parsing a number");
  // Valid values of every kind still pass, numbers beyond a double's range included.
  const auto path =
      dir.write("ok.jsonl", good + R"("a":1e400,"b":-0.5E+3,"c":[],"d":{},"e":[null,true,false,"\u00e9\n"],"f":0})"
                                   "\n");
  CHECK(read_all(path).articles.size() == 1);
}

TEST_CASE("io: jsonl reader refuses nesting deeper than 1024 levels") {
  TempDir dir;
  auto nested = [](std::size_t levels) {  // a record whose containers nest `levels` deep
    return R"({"id":"a","text":"x","z":)" + std::string(levels - 1, '[') + std::string(levels - 1, ']') + "}";
  };
  const auto ok = dir.write("ok.jsonl", nested(1024) + "\n");
  CHECK(read_all(ok).articles.size() == 1);
  CHECK(reject_reason(dir, nested(1025)) == "record is nested deeper than 1024 levels");
  // A megabyte of '[' is refused without exhausting the stack.
  CHECK(reject_reason(dir, nested(1 << 20)) == "record is nested deeper than 1024 levels");
  CHECK(
      reject_reason(dir, R"({"id":"a","text":"x","z":)" + std::string(1 << 20, '{') + "}").rfind("invalid JSON: ", 0) ==
      0);
}

TEST_CASE("io: jsonl reader names NUL bytes and invalid UTF-8 by column") {
  TempDir dir;
  CHECK(reject_reason(dir, std::string("{\"id\":\"a\",\"text\":\"x\0y\"}", 23)) == "NUL byte at column 20");
  CHECK(reject_reason(dir, std::string(4, '\0')) == "NUL byte at column 1");
  CHECK(reject_reason(dir, "{\"id\":\"b\xFF\",\"text\":\"x\"}") == "invalid UTF-8 at column 9");
  CHECK(reject_reason(dir, "{\"id\":\"a\",\"text\":\"caf\xE9 au lait\"}") == "invalid UTF-8 at column 22");
  CHECK(reject_reason(dir, "{\"id\":\"a\",\"text\":\"x\",\"z\":\"\xED\xA0\x80\"}") ==
        "invalid UTF-8 at column 27");  // a surrogate
  // Escaped, a NUL is a character like any other.
  const auto path = dir.write("esc.jsonl", R"({"id":"a\u0000b","text":"x\u0000y"})"
                                           "\n");
  const auto r = read_all(path);
  REQUIRE(r.articles.size() == 1);
  CHECK(r.articles[0].id == std::string("a\0b", 3));
  CHECK(r.articles[0].text == std::string("x\0y", 3));
}

TEST_CASE("io: jsonl reader refuses a known field given twice") {
  TempDir dir;
  CHECK(reject_reason(dir, R"({"id":"a","text":"x","id":"b"})") == R"(field "id" appears twice)");
  CHECK(reject_reason(dir, R"({"id":"a","text":"x","text":null})") == R"(field "text" appears twice)");
  CHECK(reject_reason(dir, R"({"id":"a","text":"x","published":null,"published":"2026-01-01"})") ==
        R"(field "published" appears twice)");
  // Unknown fields may repeat (they are not read).
  const auto path = dir.write("u.jsonl", R"({"id":"a","text":"x","tag":1,"tag":2})"
                                         "\n");
  CHECK(read_all(path).articles.size() == 1);
}

TEST_CASE("io: jsonl reader keeps numeric ids as written, refuses published out of range") {
  TempDir dir;
  const auto path = dir.write("n.jsonl",
                              "{\"id\":1e400,\"text\":\"x\"}\n"
                              "{\"id\":123456789012345678901234567890,\"text\":\"x\"}\n"
                              "{\"id\":-0,\"text\":\"x\"}\n"
                              "{\"id\":\"z\",\"text\":\"x\",\"published\":253402300799}\n"
                              "{\"id\":\"y\",\"text\":\"x\",\"published\":-62167219199.5}\n");
  const auto r = read_all(path);
  REQUIRE(r.articles.size() == 5);
  CHECK(r.articles[0].id == "1e400");
  CHECK(r.articles[1].id == "123456789012345678901234567890");
  CHECK(r.articles[2].id == "-0");
  CHECK(r.articles[3].published == std::optional<std::int64_t>(253402300799));
  CHECK(r.articles[4].published == std::optional<std::int64_t>(-62167219199));  // seconds, truncated
  for (const std::string bad : {"253402300800", "-62167219201", "1e300", "-1e400", "9223372036854775808"}) {
    CAPTURE(bad);
    CHECK(reject_reason(dir, R"({"id":"a","text":"x","published":)" + bad + "}") ==
          R"(field "published" is out of range (years 0000 to 9999))");
  }
  CHECK(reject_reason(dir, R"({"id":"a","text":"x","published":1e})") ==
        "invalid JSON: Problem while parsing a number");
}

TEST_CASE("io: a reject reason stays on one line") {
  const Reject r{"f.jsonl", 3, "duplicate id \"a\nb\tc\x01\" (first seen at line 1)", "raw\tline"};
  CHECK(r.reason == R"(duplicate id "a\nb\tc\x01" (first seen at line 1))");
  CHECK(r.raw == "raw\tline");  // the record stays verbatim
  CHECK(std::string(InputError(r).what()) == R"(f.jsonl:3: duplicate id "a\nb\tc\x01" (first seen at line 1))");
  TempDir dir;
  // A quoted value is JSON-escaped and cut to 64 bytes.
  CHECK(reject_reason(dir, R"({"id":"a","text":"x","published":"20\t26\n01"})") ==
        R"(field "published" is not an ISO 8601 date or time: "20\t26\n01")");
  CHECK(reject_reason(dir, R"({"id":"a","text":"x","published":")" + std::string(100, '9') + "\"}") ==
        R"(field "published" is not an ISO 8601 date or time: ")" + std::string(64, '9') + "\"");
}

TEST_CASE("io: open_reader errors") {
  TempDir dir;
  CHECK_THROWS_AS(open_reader((dir.path / "missing.jsonl").string(), {}), std::runtime_error);
}

// ---------------------------------------------------------------------------------------------
// .txt folder reader

TEST_CASE("io: txt folder reader") {
  TempDir dir;
  const fs::path folder = dir.path / "docs";
  fs::create_directory(folder);
  auto put = [&](const std::string& name, const std::string& bytes) { dir.write("docs/" + name, bytes); };
  put("b-second.txt", "\n  \nSecond title\nLine one.\nLine two.\n");
  put("a-first.txt", "First title\r\nBody of the first.\r\n");
  put("c-latin1.txt",
      "Price\nIt costs \xA3"
      "5 today.\n");  // Latin-1 pound sign
  put("d-binary.txt", std::string("Bin\nsome\0bytes\n", 16));
  put("e-notes.md", "not read\n");
  put("f-data.json", "{\"id\":\"x\",\"text\":\"y\"}\n");
  put("g-title-only.txt", "Only a title");
  put("h-utf8.txt",
      "\xEF\xBB\xBFSch\xC3\xB6n\nGr\xC3\xBC\xC3\x9F"
      "e\n");
  fs::create_directory(folder / "sub.txt");  // a directory, not a file

  SUBCASE("skip") {
    const auto r = read_all(folder.string(), skipping());
    REQUIRE(r.articles.size() == 5);
    CHECK(r.articles[0].id == "a-first");
    CHECK(r.articles[0].title == "First title");
    CHECK(r.articles[0].text == "Body of the first.\n");
    CHECK(r.articles[0].line == 1);
    CHECK(r.articles[1].id == "b-second");
    CHECK(r.articles[1].title == "Second title");
    CHECK(r.articles[1].text == "Line one.\nLine two.\n");
    CHECK(r.articles[2].id == "c-latin1");
    CHECK(r.articles[2].title == "Price");
    CHECK(r.articles[2].text ==
          "It costs \xC2\xA3"
          "5 today.\n");
    CHECK(r.articles[3].id == "g-title-only");
    CHECK(r.articles[3].title == "Only a title");
    CHECK(r.articles[3].text.empty());
    CHECK(r.articles[4].id == "h-utf8");
    CHECK(r.articles[4].title == "Sch\xC3\xB6n");  // BOM dropped, UTF-8 kept as is
    CHECK(r.articles[4].text ==
          "Gr\xC3\xBC\xC3\x9F"
          "e\n");
    REQUIRE(r.rejects.size() == 1);
    CHECK(r.rejects[0].line == 4);  // the fourth .txt file by name
    CHECK(r.rejects[0].reason == "d-binary.txt is a binary file (NUL byte)");
    CHECK(r.rejects[0].raw == "d-binary.txt");
    CHECK(r.rejects[0].file == folder.string());
  }
  SUBCASE("fail") {
    CHECK(error_of(folder.string()) == folder.string() + ":4: d-binary.txt is a binary file (NUL byte)");
  }
  SUBCASE("tiny batches give the same articles") {
    ReadOptions o = skipping();
    o.batch_bytes = 1;
    const auto r = read_all(folder.string(), o);
    CHECK(r.batches >= 5);
    REQUIRE(r.articles.size() == 5);
    CHECK(r.articles[4].id == "h-utf8");
  }
  SUBCASE("keep_raw holds a JSON record of the article") {
    ReadOptions o = skipping();
    o.keep_raw = true;
    const auto r = read_all(folder.string(), o);
    REQUIRE(r.articles.size() == 5);
    CHECK(r.articles[0].raw == R"({"id":"a-first","title":"First title","text":"Body of the first.\n"})");
  }
}

// ---------------------------------------------------------------------------------------------
// Writers

TEST_CASE("io: append_json_string escapes") {
  CHECK(json("") == R"("")");
  CHECK(json("plain") == R"("plain")");
  CHECK(json("say \"hi\"") == R"("say \"hi\"")");
  CHECK(json("a\\b") == R"("a\\b")");
  CHECK(json("l1\nl2\r\t") == R"("l1\nl2\r\t")");
  CHECK(json(std::string("\x01\x1f\x00", 3)) == R"("\u0001\u001f\u0000")");
  CHECK(json("\x08\x0c") == R"("\u0008\u000c")");
  CHECK(json("/ \x7f") == "\"/ \x7f\"");
  CHECK(json("caf\xC3\xA9 \xE2\x82\xAC \xF0\x9F\x98\x80") == "\"caf\xC3\xA9 \xE2\x82\xAC \xF0\x9F\x98\x80\"");
  // Invalid UTF-8: each bad byte becomes U+FFFD, valid sequences around it are kept.
  CHECK(json("a\xFF"
             "b") ==
        "\"a\xEF\xBF\xBD"
        "b\"");
  CHECK(json("\x80") == "\"\xEF\xBF\xBD\"");
  CHECK(json("x\xC3") == "\"x\xEF\xBF\xBD\"");                                // truncated at the end
  CHECK(json("\xC0\xAF") == "\"\xEF\xBF\xBD\xEF\xBF\xBD\"");                  // overlong '/'
  CHECK(json("\xED\xA0\x80") == "\"\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD\"");  // surrogate
  CHECK(json("\xC3\xA9\xFE\"") == "\"\xC3\xA9\xEF\xBF\xBD\\\"\"");            // escape after repair
}

TEST_CASE("io: append_csv_field quotes per RFC 4180") {
  CHECK(csv("plain") == "plain");
  CHECK(csv("") == "");
  CHECK(csv("a,b") == "\"a,b\"");
  CHECK(csv("say \"hi\"") == "\"say \"\"hi\"\"\"");
  CHECK(csv("two\nlines") == "\"two\nlines\"");
  CHECK(csv("cr\r") == "\"cr\r\"");
  CHECK(csv("semi;colon and spaces") == "semi;colon and spaces");
  std::string out = "x,";
  append_csv_field(out, "y,z");
  CHECK(out == "x,\"y,z\"");  // appends
}

TEST_CASE("io: append_score formats in [0, 1] with at most 4 decimals") {
  CHECK(score(0.93) == "0.93");
  CHECK(score(1.0) == "1");
  CHECK(score(0.0) == "0");
  CHECK(score(0.5) == "0.5");
  CHECK(score(0.123456) == "0.1235");
  CHECK(score(0.12344) == "0.1234");
  CHECK(score(0.99996) == "1");
  CHECK(score(0.00004) == "0");
  CHECK(score(0.0001) == "0.0001");
  CHECK(score(static_cast<double>(0.7f)) == "0.7");  // float scores print short
  CHECK(score(std::numeric_limits<double>::quiet_NaN()) == "0");
  CHECK(score(-0.5) == "0");
  CHECK(score(-0.0) == "0");
  CHECK(score(1.5) == "1");
  CHECK(score(std::numeric_limits<double>::infinity()) == "1");
}

TEST_CASE("io: AtomicOutput writes devices and pipes in place, never replacing them") {
  {
    AtomicOutput out("/dev/null");
    out.write("nothing\n");
    out.commit();
  }
  struct stat st {};
  REQUIRE(::stat("/dev/null", &st) == 0);
  CHECK(S_ISCHR(st.st_mode));
  TempDir dir;
  const std::string fifo = (dir.path / "pipe").string();
  REQUIRE(::mkfifo(fifo.c_str(), 0600) == 0);
  std::string got;
  std::thread reader([&] { got = slurp(fifo); });
  {
    AtomicOutput out(fifo);
    out.write("through the pipe\n");
    out.commit();
  }
  reader.join();
  CHECK(got == "through the pipe\n");
  REQUIRE(::stat(fifo.c_str(), &st) == 0);
  CHECK(S_ISFIFO(st.st_mode));
  CHECK_THROWS_AS(AtomicOutput(dir.path.string()), std::runtime_error);  // a folder
  // /dev/fd/N and /proc/self/fd/N of a regular file: written at the descriptor's own offset,
  // which the process's later writes continue from; the file is not replaced.
  const std::string file = dir.write("held.txt", "");
  FILE* held = std::fopen(file.c_str(), "wb");
  REQUIRE(held);
  std::fputs("before\n", held);
  std::fflush(held);
  for (const std::string prefix : {"/dev/fd/", "/proc/self/fd/"}) {
    AtomicOutput out(prefix + std::to_string(::fileno(held)));
    out.write(prefix + "\n");
    out.commit();
  }
  std::fputs("after\n", held);
  std::fclose(held);
  CHECK(slurp(file) == "before\n/dev/fd/\n/proc/self/fd/\nafter\n");
  CHECK_THROWS_AS(AtomicOutput("/dev/fd/999999"), std::runtime_error);  // not open
  const auto names = [&] {
    std::vector<std::string> v;
    for (const auto& e : fs::directory_iterator(dir.path)) v.push_back(e.path().filename().string());
    std::sort(v.begin(), v.end());
    return v;
  }();
  CHECK(names == std::vector<std::string>{"held.txt", "pipe"});
}

TEST_CASE("io: AtomicOutput renames into place only on commit") {
  TempDir dir;
  const fs::path target = dir.path / "out.jsonl";
  auto entries = [&] {
    std::vector<std::string> names;
    for (const auto& e : fs::directory_iterator(dir.path)) names.push_back(e.path().filename().string());
    return names;
  };
  {
    AtomicOutput out(target.string());
    CHECK(out.path() == target.string());
    out.write("first\n");
    CHECK_FALSE(fs::exists(target));  // nothing in place before commit
    out.commit();
  }
  CHECK(slurp(target) == "first\n");
  CHECK(entries() == std::vector<std::string>{"out.jsonl"});
  {
    AtomicOutput out(target.string());
    out.write("partial");
    CHECK(slurp(target) == "first\n");
    // The temporary is unnamed (O_TMPFILE) or "out.jsonl.tmp-PID" beside the target.
    for (const auto& name : entries()) CHECK((name == "out.jsonl" || name.rfind("out.jsonl.tmp-", 0) == 0));
    // destroyed without commit
  }
  CHECK(slurp(target) == "first\n");
  CHECK(entries() == std::vector<std::string>{"out.jsonl"});
  {
    AtomicOutput out(target.string());
    out.write("second\n");
    out.write("");
    out.write("more\n");
    out.commit();
    out.commit();  // a second commit does nothing
  }
  CHECK(slurp(target) == "second\nmore\n");
  CHECK(entries() == std::vector<std::string>{"out.jsonl"});
  // An output in a missing folder fails up front.
  CHECK_THROWS_AS(AtomicOutput((dir.path / "no" / "such" / "dir.jsonl").string()), std::runtime_error);
}

TEST_CASE("io: each record's offset and length give its verbatim line, across batches, BOM and CRLF") {
  TempDir dir;
  // Lines of varied length, a BOM before the first and in the middle (files joined with cat),
  // CRLF endings, blank lines and a rejected record between them; batches of ~1 KB so records
  // span many reads of the buffer.
  std::string bytes = "\xEF\xBB\xBF";
  std::vector<std::string> expected;
  for (int i = 0; i < 300; ++i) {
    std::string rec =
        "{\"id\":\"r" + std::to_string(i) + "\",\"text\":\"" + std::string(1 + (i * 37) % 200, 'x') + "\"}";
    if (i == 150) bytes += "\xEF\xBB\xBF";
    bytes += rec + (i % 3 == 0 ? "\r\n" : "\n");
    expected.push_back(rec);
    if (i % 50 == 7) bytes += "\n{\"id\":bad}\n";
  }
  const std::string path = dir.write("in.jsonl", bytes);
  ReadOptions o = skipping();
  o.batch_bytes = 1024;
  o.keep_raw = true;
  const auto r = read_all(path, o);
  REQUIRE(r.articles.size() == expected.size());
  for (std::size_t i = 0; i < expected.size(); ++i) {
    CAPTURE(i);
    const auto& a = r.articles[i];
    CHECK(a.raw == expected[i]);
    CHECK(bytes.substr(a.offset, a.length) == expected[i]);
  }
}

TEST_CASE("io: SourceFile copies byte ranges, and refuses a file that changed after it was opened") {
  using samestory::SourceFile;
  TempDir dir;
  const std::string path = dir.write("in.jsonl", "first line\nsecond line\n");
  CHECK_FALSE(SourceFile::open("-").has_value());
  CHECK_FALSE(SourceFile::open(dir.path.string()).has_value());
  CHECK_FALSE(SourceFile::open((dir.path / "missing").string()).has_value());
  {
    auto f = SourceFile::open(path);
    REQUIRE(f.has_value());
    std::string out = "x";
    f->copy(11, 6, out);
    f->copy(0, 5, out);
    CHECK(out == "xsecondfirst");
    CHECK_THROWS_WITH_AS(f->copy(20, 10, out),
                         (path + ": the input changed while samestory ran: its records cannot be copied").c_str(),
                         std::runtime_error);
  }
  {
    // Replaced by another file of the same size (written beside it, renamed over it).
    auto f = SourceFile::open(path);
    REQUIRE(f.has_value());
    fs::rename(dir.write("in2.jsonl", "FIRST line\nsecond line\n"), path);
    std::string out;
    CHECK_THROWS_WITH_AS(f->copy(0, 5, out),
                         (path + ": the input changed while samestory ran: its records cannot be copied").c_str(),
                         std::runtime_error);
  }
  {
    // Appended to after it was opened.
    auto f = SourceFile::open(path);
    REQUIRE(f.has_value());
    std::ofstream(path, std::ios::app) << "third\n";
    std::string out;
    CHECK_THROWS_AS(f->copy(0, 5, out), std::runtime_error);
  }
  {
    // Same size and bytes, modification time moved.
    auto f = SourceFile::open(path);
    REQUIRE(f.has_value());
    const timespec times[2] = {{0, UTIME_OMIT}, {1000000000, 0}};
    REQUIRE(::utimensat(AT_FDCWD, path.c_str(), times, 0) == 0);
    std::string out;
    CHECK_THROWS_AS(f->copy(0, 5, out), std::runtime_error);
  }
}

TEST_CASE("io: a following jsonl reader answers what a pipe holds without waiting for more") {
  int fds[2];
  REQUIRE(::pipe(fds) == 0);
  ReadOptions o;
  o.follow = true;
  auto reader = open_reader("/dev/fd/" + std::to_string(fds[0]), o);
  auto put = [&](const std::string& s) {
    REQUIRE(::write(fds[1], s.data(), s.size()) == static_cast<ssize_t>(s.size()));
  };
  std::vector<Article> out;
  std::vector<Reject> rej;
  put("{\"id\":\"a\",\"text\":\"one\"}\n{\"id\":\"b\",\"text\":\"two\"}\n");
  REQUIRE(reader->next_batch(out, rej));  // the writer is still open: a plain reader would block here
  CHECK(out.size() == 2);
  put("{\"id\":\"c\",\"text\":\"three\"}\n\n{\"id\":\"d\",");
  put("\"text\":\"four\"}\n");
  out.clear();
  REQUIRE(reader->next_batch(out, rej));
  REQUIRE(out.size() == 2);  // the blank line is no record; the line written in two pieces is whole
  CHECK(out[0].id == "c");
  CHECK(out[1].id == "d");
  CHECK(out[1].line == 5);
  put("{\"id\":\"e\",\"text\":\"five\"}");  // the last line needs no newline
  ::close(fds[1]);
  out.clear();
  REQUIRE(reader->next_batch(out, rej));
  REQUIRE(out.size() == 1);
  CHECK(out[0].id == "e");
  out.clear();
  CHECK_FALSE(reader->next_batch(out, rej));
  CHECK(rej.empty());
  reader.reset();
  ::close(fds[0]);
}
