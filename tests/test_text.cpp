// Tests of core/text: normalisation, case folding, tokens, analysis, entities, boilerplate.

#include <doctest/doctest.h>

#include <algorithm>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "random.hpp"
#include "text/boilerplate.hpp"
#include "text/normalize.hpp"
#include "text/tokenize.hpp"
#include "text_reference.hpp"

using samestory::text::analyze;
using samestory::text::AnalyzedText;
using samestory::text::append_casefold;
using samestory::text::BoilerplateModel;
using samestory::text::is_stopword;
using samestory::text::normalize_line;
using samestory::text::TextOptions;
using samestory::text::Token;
using samestory::text::token_hash;
using samestory::text::tokenize;

namespace {

std::string fold(std::string_view s) {
  std::string out;
  append_casefold(out, s);
  return out;
}

std::vector<Token> toks(std::string_view line) {
  std::vector<Token> out;
  tokenize(line, out);
  return out;
}

std::vector<std::string> words(std::string_view line) {
  std::vector<std::string> out;
  for (const auto& t : toks(line)) out.emplace_back(t.text);
  return out;
}

std::uint64_t h(std::string_view folded) {
  return token_hash(folded);
}

AnalyzedText analyzed(std::string_view title, std::string_view body, TextOptions options = {}) {
  AnalyzedText a;
  analyze(title, body, options, a);
  return a;
}

std::vector<std::uint64_t> sorted_entities(std::string_view body) {
  auto e = analyzed("", body).entities;
  std::sort(e.begin(), e.end());
  return e;
}

bool has(const std::vector<std::uint64_t>& v, std::uint64_t x) {
  return std::find(v.begin(), v.end(), x) != v.end();
}

/// The one entity term of a text that yields exactly one.
std::uint64_t single_entity(std::string_view body) {
  const auto e = analyzed("", body).entities;
  REQUIRE(e.size() == 1);
  return e[0];
}

}  // namespace

// ---------------------------------------------------------------------------------------------
// normalize_line

TEST_CASE("text: normalize_line applies NFKC") {
  CHECK(normalize_line("\xEF\xAC\x81nance") == "finance");                 // U+FB01 ligature fi
  CHECK(normalize_line("\xEF\xBC\xA1\xEF\xBC\xA2\xEF\xBC\xA3") == "ABC");  // full-width ABC
  CHECK(normalize_line("\xEF\xBC\x91\xEF\xBC\x92") == "12");               // full-width digits
  CHECK(normalize_line("e\xCC\x81"
                       "cole") ==
        "\xC3\xA9"
        "cole");                                          // e + combining acute composes
  CHECK(normalize_line("x\xC2\xB2") == "x2");             // superscript two
  CHECK(normalize_line("Caf\xC3\xA9") == "Caf\xC3\xA9");  // case is kept
}

TEST_CASE("text: normalize_line's fast path equals the utf8proc path") {
  // Random lines over ASCII (controls and white space included), the fast path's code points,
  // and ones it must hand to utf8proc (accents, a ligature, a combining mark, U+00B4, U+2033,
  // a soft hyphen, NBSP, invalid and truncated sequences).
  const std::vector<std::string> pieces = {"a",
                                           "Z",
                                           "7",
                                           " ",
                                           "  ",
                                           "\t",
                                           "\r",
                                           "\x01",
                                           "\x7f",
                                           "`",
                                           "'",
                                           ".",
                                           "-",
                                           "\"",
                                           "\xE2\x80\x98",
                                           "\xE2\x80\x99",
                                           "\xE2\x80\x9C",
                                           "\xE2\x80\x9D",
                                           "\xE2\x80\x93",
                                           "\xE2\x80\x94",
                                           "\xC2\xA9",
                                           "\xC2\xAE",
                                           "\xC2\xB0",
                                           "\xC2\xA3",
                                           "\xE2\x82\xAC",
                                           "\xC3\xA9",
                                           "\xEF\xAC\x81",
                                           "\xCC\x81",
                                           "\xC2\xB4",
                                           "\xE2\x80\xB3",
                                           "\xC2\xAD",
                                           "\xC2\xA0",
                                           "\xE2\x80",
                                           "\xC2",
                                           "\x80",
                                           "\xFF",
                                           "\xE2\x80\x8B"};
  samestory::test::SplitMix64 rng{4242};
  for (int t = 0; t < 20000; ++t) {
    std::string line;
    const std::size_t len = rng.below(24);
    const bool simple = rng.below(2) == 0;  // half the lines use only fast-path pieces
    for (std::size_t k = 0; k < len; ++k) line += pieces[rng.below(simple ? 25 : pieces.size())];
    CHECK(normalize_line(line) == samestory::text::detail::normalize_line_unicode(line));
  }
}

TEST_CASE("text: normalize_line folds typographic quotes and dashes") {
  CHECK(normalize_line("don\xE2\x80\x99t") == "don't");                   // ’
  CHECK(normalize_line("\xE2\x80\x98quoted\xE2\x80\x99") == "'quoted'");  // ‘ ’
  CHECK(normalize_line("\xE2\x80\x9Csaid\xE2\x80\x9D") == "\"said\"");    // “ ”
  CHECK(normalize_line("\xC2\xAB"
                       "French\xC2\xBB") == "\"French\"");  // « »
  CHECK(normalize_line("1990\xE2\x80\x93"
                       "2000") == "1990-2000");                  // –
  CHECK(normalize_line("wait\xE2\x80\x94what") == "wait-what");  // —
  CHECK(normalize_line("minus \xE2\x88\x92"
                       "5") == "minus -5");  // U+2212
  CHECK(normalize_line("`tick`") == "'tick'");
}

TEST_CASE("text: normalize_line collapses white space, trims and drops control characters") {
  CHECK(normalize_line("  a \t\t b  ") == "a b");
  CHECK(normalize_line("a\xC2\xA0\xC2\xA0"
                       "b") == "a b");  // NBSP
  CHECK(normalize_line("\xC2\xA0 a\xE2\x80\x83"
                       "b \xE3\x80\x80") == "a b");  // em space, ideographic space
  CHECK(normalize_line("a\r\nb") == "a b");
  CHECK(normalize_line("a\x01"
                       "b\x7f"
                       "c") == "abc");
  CHECK(normalize_line("caf\xC3\xA9\x02 ok") == "caf\xC3\xA9 ok");  // non-ASCII path too
  CHECK(normalize_line("soft\xC2\xADhyphen") == "softhyphen");      // format character
  CHECK(normalize_line("zero\xE2\x80\x8Bwidth") == "zero width");   // zero-width space is a space
  CHECK(normalize_line("") == "");
  CHECK(normalize_line(" \t \xC2\xA0 ") == "");
}

TEST_CASE("text: normalize_line replaces invalid UTF-8 with U+FFFD") {
  CHECK(normalize_line("a\xFF"
                       "b") ==
        "a\xEF\xBF\xBD"
        "b");
  CHECK(normalize_line("\xC3") == "\xEF\xBF\xBD");
  CHECK(normalize_line("\xE2\x80\x9C"
                       "ok\xE2\x80\x9D \x80") == "\"ok\" \xEF\xBF\xBD");
}

TEST_CASE("text: normalize_line drops control and format characters before composing") {
  // Found by tests/fuzz/fuzz_text: dropped after NFKC, a control byte or a soft hyphen between
  // a letter and a combining accent left them uncomposed, and a second pass composed them.
  const std::string composed = "caf\xC3\xA9";  // U+00E9
  CHECK(normalize_line("cafe\x10\xCC\x81") == composed);
  CHECK(normalize_line("cafe\xC2\xAD\xCC\x81") == composed);  // soft hyphen
  CHECK(normalize_line(std::string("cafe\0\0\xCC\x81", 8)) == composed);
  CHECK(normalize_line("cafe\xCC\x81") == composed);  // plain NFC composition
  static constexpr char kNuls[] =
      "Stra\xC3\x9F"
      "e e\xCC\x81te\x10\0\0\xCC\x81 soft\xC2\xADhy";
  for (const std::string& s : {std::string(kNuls, sizeof kNuls - 1), std::string("a \xC2\xA8 b\xE2\x80\x8D\xCC\x88"),
                               std::string("\xCC\x81\x01\xCC\x81")}) {
    CAPTURE(s);
    CHECK(normalize_line(normalize_line(s)) == normalize_line(s));
  }
}

// ---------------------------------------------------------------------------------------------
// append_casefold

TEST_CASE("text: append_casefold") {
  CHECK(fold("Hello WORLD 42") == "hello world 42");
  CHECK(fold("STRASSE") == "strasse");
  CHECK(fold("Stra\xC3\x9F"
             "e") == "strasse");  // ß folds to ss
  CHECK(fold("\xC3\x89"
             "COLE") ==
        "\xC3\xA9"
        "cole");  // ÉCOLE -> école
  CHECK(fold("\xCE\xA3\xCE\x9F\xCE\xA6\xCE\x9F\xCE\xA3") == "\xCF\x83\xCE\xBF\xCF\x86\xCE\xBF\xCF\x83");  // ΣΟΦΟΣ
  CHECK(fold("\xD0\x9C\xD0\x9E\xD0\xA1\xD0\x9A\xD0\x92\xD0\x90") ==
        "\xD0\xBC\xD0\xBE\xD1\x81\xD0\xBA\xD0\xB2\xD0\xB0");  // МОСКВА
  std::string out = "x";
  append_casefold(out, "AB");
  CHECK(out == "xab");  // appends
  CHECK(h(fold("Stra\xC3\x9F"
               "e")) == h(fold("STRASSE")));
}

// ---------------------------------------------------------------------------------------------
// tokenize

TEST_CASE("text: tokenize splits words") {
  CHECK(words("Hello, world! How are you?") == std::vector<std::string>{"Hello", "world", "How", "are", "you"});
  CHECK(words("don't stop") == std::vector<std::string>{"don't", "stop"});
  CHECK(words("the teachers' union") == std::vector<std::string>{"the", "teachers", "union"});
  CHECK(words("'quoted'") == std::vector<std::string>{"quoted"});
  CHECK(words("it rose 3.5 percent to 1,000 units") ==
        std::vector<std::string>{"it", "rose", "3.5", "percent", "to", "1,000", "units"});
  CHECK(words("1, 2. 3") == std::vector<std::string>{"1", "2", "3"});
  CHECK(words("end.") == std::vector<std::string>{"end"});
  CHECK(words("well-known e-mail") == std::vector<std::string>{"well", "known", "e", "mail"});
  CHECK(words("COVID19 F-16") == std::vector<std::string>{"COVID19", "F", "16"});
  CHECK(words("caf\xC3\xA9 na\xC3\xAFve \xD0\x9C\xD0\xBE\xD1\x81\xD0\xBA\xD0\xB2\xD0\xB0") ==
        std::vector<std::string>{"caf\xC3\xA9", "na\xC3\xAFve", "\xD0\x9C\xD0\xBE\xD1\x81\xD0\xBA\xD0\xB2\xD0\xB0"});
  CHECK(words("").empty());
  CHECK(words(" ... !!! ").empty());
}

TEST_CASE("text: tokenize flags") {
  const auto t = toks("The CEO said: Prices fell 3.5 percent. then rose");
  REQUIRE(t.size() == 9);
  // The
  CHECK(t[0].capitalized);
  CHECK(t[0].sentence_start);
  CHECK_FALSE(t[0].has_digit);
  // CEO
  CHECK(t[1].capitalized);
  CHECK_FALSE(t[1].sentence_start);
  // said
  CHECK_FALSE(t[2].capitalized);
  CHECK_FALSE(t[2].sentence_start);
  // Prices (after ':')
  CHECK(t[3].capitalized);
  CHECK(t[3].sentence_start);
  // 3.5
  CHECK(t[5].text == "3.5");
  CHECK(t[5].has_digit);
  CHECK_FALSE(t[5].capitalized);
  CHECK_FALSE(t[5].sentence_start);
  // percent
  CHECK_FALSE(t[6].has_digit);
  // then (after '.', lower case)
  CHECK(t[7].sentence_start);
  CHECK_FALSE(t[7].capitalized);
  CHECK_FALSE(t[8].sentence_start);
  // Non-ASCII capitals, and '!' / '?' start sentences.
  const auto u = toks("Wow! \xC3\x89mile asks? yes");
  REQUIRE(u.size() == 4);
  CHECK(u[1].capitalized);
  CHECK(u[1].sentence_start);
  CHECK_FALSE(u[2].sentence_start);
  CHECK(u[3].sentence_start);
  CHECK(toks("a1b")[0].has_digit);
}

TEST_CASE("text: is_stopword") {
  for (const char* w : {"the", "and", "said", "of", "it's", "would"}) {
    CAPTURE(w);
    CHECK(is_stopword(h(w)));
  }
  for (const char* w : {"tara", "reid", "earthquake", "parliament", "The", "THE"}) {
    CAPTURE(w);
    CHECK_FALSE(is_stopword(h(w)));  // only casefolded hashes are stop words
  }
  CHECK(token_hash("abc") == token_hash("abc"));
  CHECK(token_hash("abc") != token_hash("abd"));
  // The hash table against the full list: every listed word in, random hashes and 0 out.
  for (const char* w : {"a", "about", "yourselves", "according", "three", "mr", "t", "s", "within", "whom"})
    CHECK(is_stopword(h(w)));
  samestory::test::SplitMix64 rng{77};
  for (int i = 0; i < 100000; ++i) CHECK_FALSE(is_stopword(rng.next()));
  CHECK_FALSE(is_stopword(0));
}

// ---------------------------------------------------------------------------------------------
// analyze

TEST_CASE("text: analyze and its general path equal the plain reference") {
  // Random articles over words (capitalised, numbers, stop words), the joiners and the
  // characters the one-pass path reads specially (` and U+2018/U+2019 as ', typographic quotes,
  // dashes, symbols, white space, sentence ends), and ones that send a line to the general path
  // (control characters, accents, a ligature, a combining mark, invalid and truncated bytes).
  const std::vector<std::string> pieces = {
      "the", "The", "Police", "said", "Flight", "370", "3", "5", "people", "A", "mr", "Hague", "x", "Zz",
      "Internationalisation", "aBcDeFgHiJkLmNoPqRsTuVwXyZ0123456789", " ", " ", " ", "  ", "\t", "\r", "\v", "\n",
      "\n\n", ".", ",", "!", "?", ":", ";", "'", "`", "-", "\"", "(", "#", "\xE2\x80\x98", "\xE2\x80\x99",
      "\xE2\x80\x9C", "\xE2\x80\x9D", "\xE2\x80\x93", "\xE2\x80\x94", "\xC2\xA9", "\xC2\xAE", "\xC2\xB0", "\xC2\xA3",
      "\xE2\x82\xAC",
      // Not for the one-pass path:
      "\x01", "\x7f", std::string(1, '\0'), "\xC3\xA9", "\xC3\x89", "\xEF\xAC\x81", "\xCC\x81", "\xC2\xA0", "\xC2\xB4",
      "\xE2\x80", "\xC2", "\x80", "\xFF", "\xE2\x80\x8B", "\xEF\xBC\xA1"};
  constexpr std::size_t kSimple = 48;  // pieces[0, kSimple) keep a line on the one-pass path
  samestory::test::SplitMix64 rng{777};
  auto text = [&](std::size_t len, bool simple) {
    std::string s;
    for (std::size_t k = 0; k < len; ++k) s += pieces[rng.below(simple ? kSimple : pieces.size())];
    return s;
  };
  for (int t = 0; t < 5000; ++t) {
    const bool simple = rng.below(3) != 0;  // two articles in three use only one-pass pieces
    const std::string title = text(rng.below(12), simple);
    const std::string body = text(rng.below(200), simple);
    TextOptions o;
    o.boilerplate_max_tokens = static_cast<std::uint32_t>(rng.below(16));
    AnalyzedText fast, general;
    analyze(title, body, o, fast);
    samestory::text::detail::analyze_general(title, body, o, general);
    const AnalyzedText reference = samestory::test::reference_analyze(title, body, o);
    for (const AnalyzedText* a : {&fast, &general}) {
      CHECK(a->tokens == reference.tokens);
      CHECK(a->title_tokens == reference.title_tokens);
      CHECK(a->entities == reference.entities);
      CHECK(a->entity_kinds == reference.entity_kinds);
      REQUIRE(a->lines.size() == reference.lines.size());
      for (std::size_t l = 0; l < a->lines.size(); ++l) {
        CHECK(a->lines[l].begin == reference.lines[l].begin);
        CHECK(a->lines[l].end == reference.lines[l].end);
        CHECK(a->lines[l].hash == reference.lines[l].hash);
        CHECK(a->lines[l].entity_begin == reference.lines[l].entity_begin);
        CHECK(a->lines[l].entity_end == reference.lines[l].entity_end);
      }
    }
    // Without entities (a run that needs only the signatures): the same tokens and lines, no
    // entity terms.
    o.entities = false;
    AnalyzedText bare;
    analyze(title, body, o, bare);
    CHECK(bare.tokens == reference.tokens);
    CHECK(bare.title_tokens == reference.title_tokens);
    CHECK(bare.entities.empty());
    CHECK(bare.entity_kinds.empty());
    REQUIRE(bare.lines.size() == reference.lines.size());
    for (std::size_t l = 0; l < bare.lines.size(); ++l) {
      CHECK(bare.lines[l].begin == reference.lines[l].begin);
      CHECK(bare.lines[l].end == reference.lines[l].end);
      CHECK(bare.lines[l].hash == reference.lines[l].hash);
      CHECK(bare.lines[l].entity_begin == bare.lines[l].entity_end);
    }
  }
}

TEST_CASE("text: analyze gives title tokens and body lines with token ranges") {
  const auto a =
      analyzed("Big \xE2\x80\x9CNews\xE2\x80\x9D Today", "First line here.\n\n   \nSecond, shorter.\n  Third\n");
  CHECK(a.title_tokens == std::vector<std::uint64_t>{h("big"), h("news"), h("today")});
  CHECK(a.tokens ==
        std::vector<std::uint64_t>{h("first"), h("line"), h("here"), h("second"), h("shorter"), h("third")});
  REQUIRE(a.lines.size() == 3);  // empty lines are not lines
  CHECK(a.lines[0].begin == 0);
  CHECK(a.lines[0].end == 3);
  CHECK(a.lines[1].begin == 3);
  CHECK(a.lines[1].end == 5);
  CHECK(a.lines[2].begin == 5);
  CHECK(a.lines[2].end == 6);
  CHECK(a.memory_bytes() > 0);
  // analyze clears what the output held before.
  AnalyzedText b = a;
  analyze("", "one", {}, b);
  CHECK(b.title_tokens.empty());
  CHECK(b.tokens == std::vector<std::uint64_t>{h("one")});
  CHECK(b.lines.size() == 1);
}

TEST_CASE("text: analyze hashes only short lines as boilerplate candidates") {
  TextOptions o;
  o.boilerplate_max_tokens = 4;
  const auto a = analyzed("", "one two three four\none two three four five\nRelated Articles", o);
  REQUIRE(a.lines.size() == 3);
  CHECK(a.lines[0].hash != 0);  // exactly at the limit
  CHECK(a.lines[1].hash == 0);  // over it
  CHECK(a.lines[2].hash != 0);
  CHECK(a.lines[0].hash != a.lines[2].hash);
  // The default limit is 12 tokens.
  const auto d = analyzed("", "a b c d e f g h i j k l\na b c d e f g h i j k l m");
  REQUIRE(d.lines.size() == 2);
  CHECK(d.lines[0].hash != 0);
  CHECK(d.lines[1].hash == 0);
}

TEST_CASE("text: analyze gives equal line hashes to the same line written differently") {
  const auto a = analyzed("", "Don\xE2\x80\x99t miss \xE2\x80\x9Cthis\xE2\x80\x9D \xE2\x80\x93 SUBSCRIBE");
  const auto b = analyzed("", "  don't\tmiss   \"this\" - subscribe  ");
  const auto c = analyzed("", "Don't miss that - subscribe");
  REQUIRE(a.lines.size() == 1);
  REQUIRE(b.lines.size() == 1);
  REQUIRE(c.lines.size() == 1);
  CHECK(a.lines[0].hash != 0);
  CHECK(a.lines[0].hash == b.lines[0].hash);
  CHECK(a.tokens == b.tokens);
  CHECK(a.lines[0].hash != c.lines[0].hash);
  // Same words over two lines are two different lines.
  const auto d = analyzed("", "Don't miss\nthis - subscribe");
  REQUIRE(d.lines.size() == 2);
  CHECK(d.lines[0].hash != a.lines[0].hash);
}

// ---------------------------------------------------------------------------------------------
// entities

TEST_CASE("text: entities of a capitalised run are the run and its words") {
  const std::uint64_t tara = single_entity("he met Tara today");
  const std::uint64_t reid = single_entity("he met Reid today");
  CHECK(tara != reid);
  const auto e = sorted_entities("yesterday Tara Reid arrived late");
  REQUIRE(e.size() == 3);
  CHECK(has(e, tara));
  CHECK(has(e, reid));
  // The third term is the run itself, which depends on word order.
  std::uint64_t run = 0;
  for (auto x : e)
    if (x != tara && x != reid) run = x;
  CHECK(run != 0);
  const auto swapped = sorted_entities("yesterday Reid Tara arrived late");
  REQUIRE(swapped.size() == 3);
  CHECK_FALSE(has(swapped, run));
  // Case does not change the terms.
  CHECK(sorted_entities("so TARA REID arrived") == e);
  // At a sentence start a capitalised word is a name only if the article also writes it
  // capitalised mid-sentence.
  CHECK(sorted_entities("Tara Reid arrived late") == std::vector<std::uint64_t>{reid});
  auto twice = sorted_entities("Tara Reid arrived late. Later Tara left");
  twice.erase(std::unique(twice.begin(), twice.end()), twice.end());
  CHECK(twice == e);
  CHECK(analyzed("", "Police said it rained").entities.empty());
}

TEST_CASE("text: entities drop a sentence-initial stop word and lower-case words") {
  const std::uint64_t pentagon = single_entity("officials at Pentagon agreed");
  CHECK(analyzed("", "The Pentagon agreed").entities == std::vector<std::uint64_t>{pentagon});
  CHECK(analyzed("", "the officials agreed quietly").entities.empty());
  CHECK(analyzed("", "The officials agreed").entities.empty());
  // A capitalised stop word mid-sentence stays in the run: "Bank of The West" style names.
  const auto mid = sorted_entities("they saw The Pentagon");
  CHECK(mid.size() == 2);  // the run "the pentagon" and "pentagon"; "the" alone is a stop word
  CHECK(has(mid, pentagon));
}

TEST_CASE("text: entities of dates and numbers with units") {
  const std::uint64_t march = single_entity("in March they left");
  const std::uint64_t three = single_entity("he counted 3");
  const std::uint64_t paris = single_entity("to Paris");
  // "March 3": the run with its number, the word, the number alone.
  const auto e = sorted_entities("they met on March 3 in Paris");
  REQUIRE(e.size() == 4);
  CHECK(has(e, march));
  CHECK(has(e, three));
  CHECK(has(e, paris));
  // "12 people": the number and the number with its unit.
  const std::uint64_t twelve = single_entity("he counted 12");
  const auto p = sorted_entities("12 people died");
  REQUIRE(p.size() == 2);
  CHECK(has(p, twelve));
  const auto c = sorted_entities("12 cars burned");
  REQUIRE(c.size() == 2);
  CHECK(has(c, twelve));
  CHECK(p != c);
  CHECK(analyzed("", "12 of them").entities == std::vector<std::uint64_t>{twelve});  // no stop-word unit
  // Numbers with separators are one term.
  CHECK(single_entity("about 1,000") != single_entity("about 1000"));
  // Title words are entities when the body writes them capitalised mid-sentence.
  CHECK(analyzed("Paris Talks", "they flew to Paris today").entities == std::vector<std::uint64_t>{paris, paris});
  CHECK(analyzed("Paris", "nothing here").entities.empty());
}

TEST_CASE("text: entity kinds tell names, numbers, figures and other digit terms apart") {
  using samestory::text::EntityKind;
  auto kinds = [](std::string_view body) { return analyzed("", body).entity_kinds; };
  using K = std::vector<EntityKind>;
  using samestory::text::kEntityFigure;
  using samestory::text::kEntityName;
  using samestory::text::kEntityNumber;
  using samestory::text::kEntityOther;
  CHECK(kinds("he counted 12") == K{kEntityNumber});
  CHECK(kinds("12 people died") == K{kEntityNumber, kEntityOther});  // the number, then with its unit
  CHECK(kinds("about 1,200 of them") == K{kEntityNumber});
  CHECK(kinds("a 4.4 quake") == K{kEntityFigure, kEntityOther});
  CHECK(kinds("it cost 2.5 of them") == K{kEntityFigure});
  CHECK(kinds("back in 2009 and 1998") == K{kEntityOther, kEntityOther});  // years date, not count
  CHECK(kinds("in 2100 and 1899 and 209") == K{kEntityNumber, kEntityNumber, kEntityNumber});
  CHECK(kinds("the 19th of them") == K{kEntityOther});
  CHECK(kinds("they met on March 3 in Paris") ==
        K{kEntityName, kEntityName, kEntityNumber, kEntityName});  // "march 3", march, #3, paris
  const auto a = analyzed("", "they met Angela Merkel");
  REQUIRE(a.entities.size() == 3);
  CHECK(a.entity_kinds == K{kEntityName, kEntityName, kEntityName});
}

TEST_CASE("text: analyze gives each body line the range of its entity terms") {
  const std::uint64_t paris = single_entity("to Paris");
  const auto a =
      analyzed("Paris", "he flew to Paris\nnothing to see\n\nmore from Related Articles\nthey met on March 3");
  REQUIRE(a.lines.size() == 4);
  CHECK(a.entities.size() == 1 + 1 + 3 + 3);
  CHECK(a.entities[0] == paris);  // the title's terms come first, outside every line
  CHECK(a.lines[0].entity_begin == 1);
  CHECK(a.lines[0].entity_end == 2);
  CHECK(a.entities[1] == paris);
  CHECK(a.lines[1].entity_begin == 2);
  CHECK(a.lines[1].entity_end == 2);  // no entities
  CHECK(a.lines[2].entity_begin == 2);
  CHECK(a.lines[2].entity_end == 5);
  CHECK(a.lines[3].entity_begin == 5);
  CHECK(a.lines[3].entity_end == 8);
  auto range = [&](const AnalyzedText::Line& l) {
    std::vector<std::uint64_t> v(a.entities.begin() + l.entity_begin, a.entities.begin() + l.entity_end);
    std::sort(v.begin(), v.end());
    return v;
  };
  CHECK(range(a.lines[2]) == sorted_entities("more from Related Articles"));
  CHECK(range(a.lines[3]) == sorted_entities("they met on March 3"));
}

// ---------------------------------------------------------------------------------------------
// BoilerplateModel

namespace {

/// Articles: `n_common` with the line "Related Articles", `n_rare` with "Leave a Reply", each with
/// a unique long body line; the first also repeats "Only Here" three times.
std::vector<AnalyzedText> corpus(int n_common, int n_rare) {
  std::vector<AnalyzedText> out;
  for (int i = 0; i < std::max(n_common, n_rare); ++i) {
    std::string body = "Unique body line number " + std::to_string(i) + " with words about the event\n";
    if (i < n_common) body += "Related Articles\n";
    if (i < n_rare) body += "Leave a Reply\n";
    if (i == 0) body += "Only Here\nOnly Here\nOnly Here\n";
    out.push_back(analyzed("Title " + std::to_string(i), body));
  }
  return out;
}

const AnalyzedText::Line& line_of(const AnalyzedText& a, std::string_view text) {
  const auto one = analyzed("", text);
  REQUIRE(one.lines.size() == 1);
  for (const auto& l : a.lines)
    if (l.hash == one.lines[0].hash) return l;
  FAIL("line not found: " << text);
  return a.lines[0];
}

}  // namespace

TEST_CASE("text: BoilerplateModel finds lines seen in at least min_docs articles") {
  const auto docs = corpus(3, 2);
  BoilerplateModel m(3);
  for (const auto& d : docs) m.add(d);
  m.finalize();
  CHECK(m.size() == 1);
  CHECK(m.is_boilerplate(line_of(docs[0], "Related Articles")));
  CHECK(m.is_boilerplate(line_of(docs[2], "related   articles")));
  CHECK_FALSE(m.is_boilerplate(line_of(docs[0], "Leave a Reply")));  // in 2 < 3 articles
  // Repeated three times inside one article, still one article.
  CHECK_FALSE(m.is_boilerplate(line_of(docs[0], "Only Here")));
  // Long lines are never boilerplate (hash 0).
  CHECK_FALSE(m.is_boilerplate(docs[0].lines[0]));
  // With min_docs 2 the rarer line qualifies too.
  BoilerplateModel m2(2);
  for (const auto& d : docs) m2.add(d);
  m2.finalize();
  CHECK(m2.size() == 2);
  CHECK(m2.is_boilerplate(line_of(docs[1], "Leave a Reply")));
  CHECK_FALSE(m2.is_boilerplate(line_of(docs[0], "Only Here")));
}

TEST_CASE("text: BoilerplateModel rejects min_docs below 2") {
  CHECK_THROWS_AS(BoilerplateModel(1), std::invalid_argument);
  CHECK_THROWS_AS(BoilerplateModel(0), std::invalid_argument);
  CHECK_NOTHROW(BoilerplateModel(2));
}

TEST_CASE("text: BoilerplateModel does not depend on the order articles are added") {
  const auto docs = corpus(4, 3);  // 4 articles
  std::vector<std::size_t> order = {0, 1, 2, 3};
  std::vector<std::vector<bool>> reference;
  std::size_t reference_size = 0;
  int permutations = 0;
  do {
    BoilerplateModel m(3);
    for (auto i : order) m.add(docs[i]);
    m.finalize();
    std::vector<std::vector<bool>> flags;
    for (const auto& d : docs) {
      std::vector<bool> f;
      for (const auto& l : d.lines) f.push_back(m.is_boilerplate(l));
      flags.push_back(f);
    }
    if (permutations == 0) {
      reference = flags;
      reference_size = m.size();
    }
    CHECK(flags == reference);
    CHECK(m.size() == reference_size);
    ++permutations;
  } while (std::next_permutation(order.begin(), order.end()));
  CHECK(permutations == 24);
  CHECK(reference_size == 2);  // "Related Articles" (4 articles) and "Leave a Reply" (3)
}
