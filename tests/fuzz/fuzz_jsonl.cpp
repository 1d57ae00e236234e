// libFuzzer target: bytes as a JSONL file through the reader, under both --on-error modes.
//
// The reader takes paths, so the bytes go to a memfd read back through /proc/self/fd/N: the
// reader is exercised exactly as the CLI uses it. Beyond "no crash, no sanitizer report", it
// checks the properties docs/errors.md promises, and aborts when one fails:
//  - skip: every non-blank line is either an article or a reject (the accounting invariant),
//    in line order; every accepted record is valid JSON (RFC 8259, checked by a small grammar
//    checker here, independent of simdjson) with a non-empty, valid UTF-8 id; every reason is
//    one line;
//  - small batches give the same articles and rejects as one big batch;
//  - fail: the run throws at the first reject of the skip run, or reads the same articles.

#include <sys/mman.h>
#include <tbb/global_control.h>
#include <unistd.h>

#include <cctype>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <string_view>
#include <vector>

#include "io/detail/readers.hpp"
#include "io/reader.hpp"

namespace {

using namespace samestory;

struct ReadAll {
  std::vector<Article> articles;
  std::vector<Reject> rejects;
};

ReadAll read_all(const std::string& path, const ReadOptions& o) {
  ReadAll r;
  auto reader = open_reader(path, o);
  while (reader->next_batch(r.articles, r.rejects)) {
  }
  return r;
}

void require(bool ok, const char* what) {
  if (!ok) {
    std::fprintf(stderr, "fuzz_jsonl: property failed: %s\n", what);
    std::abort();
  }
}

/// Lines the reader counts as records: not empty once a BOM, spaces, tabs and CRs are set aside.
std::size_t records_in(std::string_view s) {
  std::size_t n = 0;
  while (!s.empty()) {
    std::size_t nl = s.find('\n');
    std::string_view line = s.substr(0, nl);
    s.remove_prefix(nl == std::string_view::npos ? s.size() : nl + 1);
    if (line.substr(0, 3) == "\xEF\xBB\xBF") line.remove_prefix(3);
    if (line.find_first_not_of(" \t\r") != std::string_view::npos) ++n;
  }
  return n;
}

/// RFC 8259 grammar, written independently of the reader: the oracle for "accepted records are
/// valid JSON" (which `dedup --emit unique` relies on when it writes them verbatim).
struct JsonChecker {
  std::string_view s;
  std::size_t i = 0;
  int depth = 0;

  bool at(char c) const { return i < s.size() && s[i] == c; }
  void ws() {
    while (i < s.size() && (s[i] == ' ' || s[i] == '\t' || s[i] == '\n' || s[i] == '\r')) ++i;
  }
  bool word(std::string_view w) {
    if (s.substr(i, w.size()) != w) return false;
    i += w.size();
    return true;
  }
  bool digits() {
    const std::size_t from = i;
    while (i < s.size() && s[i] >= '0' && s[i] <= '9') ++i;
    return i > from;
  }
  bool number() {
    if (at('-')) ++i;
    if (at('0')) {
      ++i;
    } else if (!digits()) {
      return false;
    }
    if (at('.') && (++i, !digits())) return false;
    if (at('e') || at('E')) {
      ++i;
      if (at('+') || at('-')) ++i;
      if (!digits()) return false;
    }
    return true;
  }
  bool string() {
    if (!at('"')) return false;
    ++i;
    while (i < s.size()) {
      const auto c = static_cast<unsigned char>(s[i]);
      if (c == '"') return ++i, true;
      if (c < 0x20) return false;
      if (c == '\\') {
        if (++i >= s.size()) return false;
        const char e = s[i];
        if (e == 'u') {
          for (int k = 1; k <= 4; ++k)
            if (i + k >= s.size() || !std::isxdigit(static_cast<unsigned char>(s[i + k]))) return false;
          i += 5;
          continue;
        }
        if (e == '\0' || !std::strchr("\"\\/bfnrt", e)) return false;
      }
      ++i;
    }
    return false;
  }
  bool container(char open, char close) {
    if (++depth > 4096) return false;
    ++i;
    ws();
    if (at(close)) return ++i, --depth, true;
    for (;;) {
      ws();
      if (open == '{') {
        if (!string()) return false;
        ws();
        if (!at(':')) return false;
        ++i;
      }
      if (!value()) return false;
      ws();
      if (at(',')) {
        ++i;
        continue;
      }
      if (at(close)) return ++i, --depth, true;
      return false;
    }
  }
  bool value() {
    ws();
    if (at('{')) return container('{', '}');
    if (at('[')) return container('[', ']');
    if (at('"')) return string();
    if (at('t')) return word("true");
    if (at('f')) return word("false");
    if (at('n')) return word("null");
    return number();
  }
};

bool valid_json(std::string_view s) {
  JsonChecker c{s};
  if (!c.value()) return false;
  c.ws();
  return c.i == s.size() && detail::is_valid_utf8(s);
}

int memfd = -1;
std::string path;

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  static tbb::global_control one_thread(tbb::global_control::max_allowed_parallelism, 1);
  memfd = ::memfd_create("fuzz_jsonl", MFD_CLOEXEC);
  if (memfd < 0) std::abort();
  path = "/proc/self/fd/" + std::to_string(memfd);
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (::ftruncate(memfd, 0) != 0 || (size && ::pwrite(memfd, data, size, 0) != static_cast<ssize_t>(size)))
    std::abort();
  const std::string_view input(reinterpret_cast<const char*>(data), size);

  ReadOptions skip;
  skip.on_error = OnError::skip;
  skip.keep_raw = true;
  skip.max_article_bytes = 4096;  // small, so that the fuzzer reaches the oversized paths
  const ReadAll a = read_all(path, skip);
  require(a.articles.size() + a.rejects.size() == records_in(input), "read = accepted + rejected");

  std::uint64_t last = 0;
  for (const auto& art : a.articles) {
    require(art.line > last, "articles in line order");
    last = art.line;
    require(!art.id.empty(), "a non-empty id");
    require(detail::is_valid_utf8(art.id), "a valid UTF-8 id");
    require(valid_json(art.raw), "an accepted record is valid JSON");
  }
  last = 0;
  for (const auto& r : a.rejects) {
    require(r.line > last, "rejects in line order");
    last = r.line;
    require(!r.reason.empty() && r.reason.find('\n') == std::string::npos, "a one-line reason");
  }

  ReadOptions tiny = skip;
  tiny.batch_bytes = 7;
  const ReadAll b = read_all(path, tiny);
  require(b.articles.size() == a.articles.size() && b.rejects.size() == a.rejects.size(), "same counts for any batch size");
  for (std::size_t i = 0; i < a.articles.size(); ++i)
    require(a.articles[i].id == b.articles[i].id && a.articles[i].text == b.articles[i].text &&
                a.articles[i].raw == b.articles[i].raw && a.articles[i].published == b.articles[i].published,
            "same articles for any batch size");
  for (std::size_t i = 0; i < a.rejects.size(); ++i)
    require(a.rejects[i].line == b.rejects[i].line && a.rejects[i].reason == b.rejects[i].reason &&
                a.rejects[i].raw == b.rejects[i].raw,
            "same rejects for any batch size");

  ReadOptions fail = skip;
  fail.on_error = OnError::fail;
  try {
    const ReadAll c = read_all(path, fail);
    require(a.rejects.empty() && c.articles.size() == a.articles.size(), "fail reads what skip accepts");
  } catch (const InputError& e) {
    require(!a.rejects.empty() && e.reject().line == a.rejects[0].line && e.reject().reason == a.rejects[0].reason,
            "fail stops at the first reject");
  }
  return 0;
}
