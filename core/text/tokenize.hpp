#pragma once
// Tokenisation and per-article text analysis: token hashes, lines, entities.

#include <cstdint>
#include <string_view>
#include <vector>

namespace samestory::text {

/// A word of a normalised line.
struct Token {
  std::string_view text;  ///< the word as written (case kept)
  bool capitalized;       ///< starts with an upper-case letter
  bool sentence_start;    ///< first word of the line or after . ! ? :
  bool has_digit;
};

/// Splits a normalised line into words: runs of letters, digits and combining marks. An
/// apostrophe between letters, and '.' or ',' between digits, stay inside the word.
void tokenize(std::string_view line, std::vector<Token>& out);

/// XXH3-64 of a casefolded word: the token identity used by every later stage.
std::uint64_t token_hash(std::string_view folded);

/// True for the hash of an English stop word ("the", "and", "said", ...).
bool is_stopword(std::uint64_t token_hash);

/// Options of the analysis.
struct TextOptions {
  std::uint32_t boilerplate_max_tokens = 12;  ///< longer lines are never boilerplate
  bool entities = true;  ///< find the entity terms (false: none, for a run that needs only tokens and lines)
};

/// What an entity term is (AnalyzedText::entity_kinds): the story stage reads an article's numbers
/// and figures, and the names of its lead, apart from its other entity terms.
enum EntityKind : std::uint8_t {
  kEntityName = 0,    ///< a capitalised run or one of its words ("March 3" and "Flight 370" included)
  kEntityNumber = 1,  ///< a number alone ("#12", "#1,200"): digits, with . or , between them; not a year
  kEntityFigure = 2,  ///< a number alone with a decimal point ("#4.4", "#2.5"): a magnitude, an amount
  kEntityOther = 3,   ///< a year 1900-2099 alone, a word with digits ("#19th", "#mp3"), a number and
                      ///< the word after it ("#12 people")
};

/// What the later stages need of one article's text; the text itself can be dropped after.
struct AnalyzedText {
  struct Line {
    std::uint32_t begin, end;                        ///< token range in `tokens`
    std::uint64_t hash;                              ///< line identity if short enough to be boilerplate, else 0
    std::uint32_t entity_begin = 0, entity_end = 0;  ///< range of this line's terms in `entities`
  };
  std::vector<std::uint64_t> tokens;        ///< casefolded token hashes of the body, in order
  std::vector<Line> lines;                  ///< body lines that have at least one token
  std::vector<std::uint64_t> title_tokens;  ///< casefolded token hashes of the title
  std::vector<std::uint64_t> entities;      ///< entity term hashes (capitalised spans, numbers):
                                            ///< the title's first, then each body line's
  std::vector<EntityKind> entity_kinds;     ///< per entity term, what it is

  void clear();
  /// Heap bytes held.
  std::size_t memory_bytes() const;
};

/// Normalises and analyses one article (title and body). Entities are capitalised word runs
/// (a sentence-initial stop word is dropped from a run; a trailing number joins it, as in
/// "March 3" or "Flight 370"), each word of a multi-word run, and numbers, alone and with
/// the unit word that follows them ("12 people").
void analyze(std::string_view title, std::string_view body, const TextOptions& options, AnalyzedText& out);

namespace detail {
/// analyze without its one-pass path for ASCII lines (every line through normalize_line,
/// tokenize and append_casefold): the reference that path is tested against.
void analyze_general(std::string_view title, std::string_view body, const TextOptions& options, AnalyzedText& out);
}  // namespace detail

}  // namespace samestory::text
