// libFuzzer target: the normaliser, the tokeniser and the article analysis on arbitrary bytes.
//
// Beyond "no crash, no sanitizer report", aborts when a property fails: normalize_line gives
// valid UTF-8 without control characters, leading or trailing or doubled spaces, and is
// idempotent; tokens are non-empty, in order, inside the line; analyze gives token and entity
// ranges that fit, and, as does its general path (detail::analyze_general), the output of the
// plain reference (tests/text_reference.hpp).

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "../text_reference.hpp"
#include "io/detail/readers.hpp"
#include "text/normalize.hpp"
#include "text/tokenize.hpp"

namespace {

using namespace samestory;

void require(bool ok, const char* what) {
  if (!ok) {
    std::fprintf(stderr, "fuzz_text: property failed: %s\n", what);
    std::abort();
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);

  const std::string line = text::normalize_line(input);
  require(detail::is_valid_utf8(line), "normalize_line gives valid UTF-8");
  for (unsigned char c : line) require(c >= 0x20 && c != 0x7F, "no control characters");
  require(line.empty() || (line.front() != ' ' && line.back() != ' '), "trimmed");
  require(line.find("  ") == std::string::npos, "spaces collapsed");
  require(text::normalize_line(line) == line, "normalize_line is idempotent");

  std::vector<text::Token> tokens;
  text::tokenize(line, tokens);
  const char* at = line.data();
  for (const auto& t : tokens) {
    require(!t.text.empty(), "a token is not empty");
    require(t.text.data() >= at && t.text.data() + t.text.size() <= line.data() + line.size(), "tokens in order, inside");
    at = t.text.data() + t.text.size();
    std::string folded;
    text::append_casefold(folded, t.text);
    require(!folded.empty(), "a token folds to something");
  }

  // The bytes as an article: the first line is the title, the rest the body.
  const std::size_t nl = input.find('\n');
  const std::string_view title = input.substr(0, nl);
  const std::string_view body = nl == std::string_view::npos ? std::string_view() : input.substr(nl + 1);
  text::AnalyzedText a;
  text::analyze(title, body, {}, a);
  std::uint32_t prev_end = 0, prev_entity = 0;
  for (const auto& l : a.lines) {
    require(l.begin == prev_end && l.begin < l.end && l.end <= a.tokens.size(), "line token ranges tile the tokens");
    prev_end = l.end;
    require(l.entity_begin >= prev_entity && l.entity_begin <= l.entity_end && l.entity_end <= a.entities.size(),
            "line entity ranges in order");
    prev_entity = l.entity_end;
  }
  require(prev_end == a.tokens.size(), "every token in a line");

  // The one-pass path for ASCII lines and the general path give what the plain reference gives.
  text::AnalyzedText g;
  text::detail::analyze_general(title, body, {}, g);
  const text::AnalyzedText ref = test::reference_analyze(title, body);
  for (const text::AnalyzedText* x : {&a, &g}) {
    require(x->tokens == ref.tokens && x->title_tokens == ref.title_tokens && x->entities == ref.entities,
            "analyze equals the reference (tokens, title, entities)");
    require(x->lines.size() == ref.lines.size(), "analyze equals the reference (lines)");
    for (std::size_t l = 0; l < x->lines.size(); ++l)
      require(x->lines[l].begin == ref.lines[l].begin && x->lines[l].end == ref.lines[l].end &&
                  x->lines[l].hash == ref.lines[l].hash && x->lines[l].entity_begin == ref.lines[l].entity_begin &&
                  x->lines[l].entity_end == ref.lines[l].entity_end,
              "analyze equals the reference (line fields)");
  }
  return 0;
}
