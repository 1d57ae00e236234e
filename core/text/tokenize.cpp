#include "text/tokenize.hpp"

#include <utf8proc.h>
#include <xxhash.h>

#include <algorithm>
#include <array>
#include <span>
#include <string>

#include "text/normalize.hpp"

namespace samestory::text {
namespace {

constexpr std::uint64_t kLineSeed = 0x6c696e6573656564ULL;    // "lineseed"
constexpr std::uint64_t kEntitySeed = 0x656e746974696573ULL;  // "entities"

enum Kind { kOther, kLetter, kDigit, kMark };

Kind classify(utf8proc_int32_t cp, bool& upper) {
  upper = false;
  if (cp < 0x80) {
    if (cp >= 'a' && cp <= 'z') return kLetter;
    if (cp >= 'A' && cp <= 'Z') return upper = true, kLetter;
    if (cp >= '0' && cp <= '9') return kDigit;
    return kOther;
  }
  switch (utf8proc_category(cp)) {
    case UTF8PROC_CATEGORY_LU:
    case UTF8PROC_CATEGORY_LT:
      upper = true;
      return kLetter;
    case UTF8PROC_CATEGORY_LL:
    case UTF8PROC_CATEGORY_LM:
    case UTF8PROC_CATEGORY_LO:
      return kLetter;
    case UTF8PROC_CATEGORY_ND:
    case UTF8PROC_CATEGORY_NL:
    case UTF8PROC_CATEGORY_NO:
      return kDigit;
    case UTF8PROC_CATEGORY_MN:
    case UTF8PROC_CATEGORY_MC:
    case UTF8PROC_CATEGORY_ME:
      return kMark;
    default:
      return kOther;
  }
}

struct Decoded {
  utf8proc_int32_t cp;
  std::size_t len;
};

Decoded decode(std::string_view s, std::size_t i) {
  const auto c = static_cast<unsigned char>(s[i]);
  if (c < 0x80) return {c, 1};
  utf8proc_int32_t cp;
  auto n = utf8proc_iterate(reinterpret_cast<const utf8proc_uint8_t*>(s.data() + i),
                            static_cast<utf8proc_ssize_t>(s.size() - i), &cp);
  if (n <= 0) return {-1, 1};
  return {cp, static_cast<std::size_t>(n)};
}

// English stop words: function words plus reporting verbs that every news story uses.
constexpr std::string_view kStopwords[] = {
    "a",      "about",   "above",     "after",    "again",      "against",   "all",     "also",       "am",
    "an",     "and",     "any",       "are",      "as",         "at",        "be",      "because",    "been",
    "before", "being",   "below",     "between",  "both",       "but",       "by",      "can",        "could",
    "did",    "do",      "does",      "doing",    "down",       "during",    "each",    "even",       "few",
    "for",    "from",    "further",   "had",      "has",        "have",      "having",  "he",         "her",
    "here",   "hers",    "herself",   "him",      "himself",    "his",       "how",     "however",    "i",
    "if",     "in",      "into",      "is",       "it",         "it's",      "its",     "itself",     "just",
    "last",   "least",   "less",      "like",     "many",       "may",       "me",      "might",      "more",
    "most",   "much",    "must",      "my",       "myself",     "new",       "no",      "nor",        "not",
    "now",    "of",      "off",       "on",       "once",       "one",       "only",    "or",         "other",
    "our",    "ours",    "ourselves", "out",      "over",       "own",       "per",     "said",       "same",
    "say",    "says",    "she",       "should",   "since",      "so",        "some",    "still",      "such",
    "than",   "that",    "that's",    "the",      "their",      "theirs",    "them",    "themselves", "then",
    "there",  "there's", "these",     "they",     "this",       "those",     "though",  "through",    "to",
    "told",   "too",     "under",     "until",    "up",         "upon",      "us",      "very",       "was",
    "we",     "were",    "what",      "when",     "where",      "whether",   "which",   "while",      "who",
    "whom",   "whose",   "why",       "will",     "with",       "within",    "without", "would",      "yet",
    "you",    "your",    "yours",     "yourself", "yourselves", "according", "across",  "along",      "already",
    "among",  "around",  "away",      "became",   "become",     "becomes",   "cannot",  "could",      "every",
    "first",  "get",     "got",       "made",     "make",       "another",   "s",       "t",          "mr",
    "mrs",    "ms",      "year",      "years",    "week",       "two",       "three"};

/// The stop words' hashes in an open-addressing table of 1024 slots (0 = empty; no stop word
/// hashes to 0): one probe for most tokens.
struct StopwordTable {
  static constexpr std::size_t kSlots = 1024;
  std::array<std::uint64_t, kSlots> slot{};
  static std::size_t home(std::uint64_t h) { return static_cast<std::size_t>((h * 0x9E3779B97F4A7C15ULL) >> 54); }
  StopwordTable() {
    for (auto w : kStopwords) {
      const std::uint64_t h = token_hash(w);
      std::size_t s = home(h);
      while (slot[s] != 0 && slot[s] != h) s = (s + 1) & (kSlots - 1);
      slot[s] = h;
    }
  }
  bool contains(std::uint64_t h) const {
    for (std::size_t s = home(h);; s = (s + 1) & (kSlots - 1)) {
      if (slot[s] == h) return h != 0;
      if (slot[s] == 0) return false;
    }
  }
};

const StopwordTable& stopwords() {
  static const StopwordTable table;
  return table;
}

}  // namespace

void tokenize(std::string_view line, std::vector<Token>& out) {
  std::size_t i = 0;
  bool sentence_start = true;
  while (i < line.size()) {
    if (line[i] == ' ') {  // the common separator, as classify would have it
      ++i;
      continue;
    }
    bool upper;
    Decoded d = decode(line, i);
    Kind k = classify(d.cp, upper);
    if (k == kOther || k == kMark) {
      const char c = line[i];
      if (c == '.' || c == '!' || c == '?' || c == ':') sentence_start = true;
      i += d.len;
      continue;
    }
    const std::size_t begin = i;
    const bool cap = upper;
    bool digit = false;
    Kind prev = k;
    while (i < line.size()) {
      if (static_cast<unsigned char>(line[i] - 'a') < 26u) {  // lower-case ASCII letter, as classify would have it
        prev = kLetter;
        ++i;
        continue;
      }
      d = decode(line, i);
      k = classify(d.cp, upper);
      if (k == kDigit) digit = true;
      if (k != kOther) {
        prev = k;
        i += d.len;
        continue;
      }
      // Joiners: apostrophe between letters, '.' or ',' between digits.
      const char c = line[i];
      if (i + 1 < line.size()) {
        bool up2;
        const Decoded next = decode(line, i + 1);
        const Kind nk = classify(next.cp, up2);
        if (c == '\'' && prev == kLetter && nk == kLetter) {
          i += 1;
          continue;
        }
        if ((c == '.' || c == ',') && prev == kDigit && nk == kDigit) {
          i += 1;
          continue;
        }
      }
      break;
    }
    out.push_back({line.substr(begin, i - begin), cap, sentence_start, digit});
    sentence_start = false;
  }
}

std::uint64_t token_hash(std::string_view folded) {
  return XXH3_64bits(folded.data(), folded.size());
}

bool is_stopword(std::uint64_t h) {
  return stopwords().contains(h);
}

void AnalyzedText::clear() {
  tokens.clear();
  lines.clear();
  title_tokens.clear();
  entities.clear();
}

std::size_t AnalyzedText::memory_bytes() const {
  return tokens.capacity() * sizeof(std::uint64_t) + lines.capacity() * sizeof(Line) +
         title_tokens.capacity() * sizeof(std::uint64_t) + entities.capacity() * sizeof(std::uint64_t);
}

namespace {

/// A word of the article as entity detection sees it; its casefolded text is
/// `arena[off, off + len)` of the article's Scratch.
struct Word {
  std::uint32_t off, len;
  std::uint64_t hash;
  bool cap, start, digit;
};

/// Buffers reused from article to article (one set per thread): analysis allocates nothing
/// once they have grown.
struct Scratch {
  std::string norm, folded, run;
  std::vector<Token> toks;
  std::vector<Word> title_words, body_words;
  std::vector<std::pair<std::uint32_t, std::uint32_t>> title_lines, body_lines;  // word ranges
  std::vector<std::uint64_t> proper;
};

/// Appends the entity terms of one line. A capitalised word counts as a name only when it is
/// not the first word of a sentence, or when the article also writes it capitalised in
/// mid-sentence (`proper`): "Police said ..." alone is not an entity, "Sorrel Police" is. In
/// headlines (`headline`), capitals only count for words the body capitalises mid-sentence.
void add_entities(std::span<const Word> w, const std::string& arena, const std::vector<std::uint64_t>& proper,
                  bool headline, std::string& run, std::vector<std::uint64_t>& out) {
  auto folded = [&](std::size_t k) { return std::string_view(arena.data() + w[k].off, w[k].len); };
  auto hash_of = [](std::string_view t) { return XXH3_64bits_withSeed(t.data(), t.size(), kEntitySeed); };
  auto is_proper = [&](std::size_t k) { return std::binary_search(proper.begin(), proper.end(), w[k].hash); };
  auto is_name = [&](std::size_t k) {
    if (!w[k].cap || w[k].digit) return false;
    if (headline || w[k].start) return is_proper(k);
    return true;
  };
  auto flush = [&](std::size_t b, std::size_t e) {
    if (b >= e) return;
    if (e - b > 1) {
      run.clear();
      for (std::size_t k = b; k < e; ++k) {
        if (k > b) run.push_back(' ');
        run += folded(k);
      }
      out.push_back(hash_of(run));
    }
    for (std::size_t k = b; k < e; ++k)
      if (!is_stopword(w[k].hash) && !w[k].digit) out.push_back(hash_of(folded(k)));
  };
  std::size_t i = 0;
  while (i < w.size()) {
    if (w[i].digit) {
      run.assign("#").append(folded(i));
      out.push_back(hash_of(run));
      if (i + 1 < w.size() && !w[i + 1].cap && !w[i + 1].digit && !is_stopword(w[i + 1].hash)) {
        run.push_back(' ');
        run += folded(i + 1);
        out.push_back(hash_of(run));
      }
      ++i;
      continue;
    }
    // A run: capitalised words, continuing while the next word is capitalised mid-sentence.
    std::size_t b = i, e = i;
    while (e < w.size() && w[e].cap && !w[e].digit && (e == b || !w[e].start)) ++e;
    if (e == b) {
      ++i;
      continue;
    }
    // A sentence-initial word opens the run only if it is a name itself ("The Hague" is kept
    // as "Hague"; "Police said" gives nothing).
    while (b < e && !is_name(b) && (w[b].start || headline)) ++b;
    if (headline) {
      // Headline case: keep only the words that are names on their own.
      for (std::size_t k = b; k < e; ++k)
        if (is_name(k)) flush(k, k + 1);
    } else if (b < e && e < w.size() && w[e].digit && !w[e].start) {
      flush(b, e + 1);  // "March 3", "Flight 370": the number joins the run (and counts alone below)
    } else {
      flush(b, e);
    }
    i = std::max(e, i + 1);
  }
}

}  // namespace

void analyze(std::string_view title, std::string_view body, const TextOptions& options, AnalyzedText& out) {
  out.clear();
  thread_local Scratch sc;
  sc.folded.clear();
  sc.title_words.clear();
  sc.body_words.clear();
  sc.title_lines.clear();
  sc.body_lines.clear();
  // Normalises and tokenises one line, appending its words to `words`; returns how many.
  auto process = [&](std::string_view raw_line, std::vector<Word>& words) {
    normalize_line(raw_line, sc.norm);
    sc.toks.clear();
    tokenize(sc.norm, sc.toks);
    for (const Token& t : sc.toks) {
      const auto off = static_cast<std::uint32_t>(sc.folded.size());
      append_casefold(sc.folded, t.text);
      const auto len = static_cast<std::uint32_t>(sc.folded.size()) - off;
      words.push_back({off, len, token_hash(std::string_view(sc.folded.data() + off, len)), t.capitalized,
                       t.sentence_start, t.has_digit});
    }
    return sc.toks.size();
  };
  auto for_lines = [](std::string_view text, auto&& fn) {
    std::size_t b = 0;
    while (b < text.size()) {
      std::size_t e = text.find('\n', b);
      if (e == std::string_view::npos) e = text.size();
      fn(text.substr(b, e - b));
      b = e + 1;
    }
  };
  for_lines(title, [&](std::string_view l) {
    const auto from = static_cast<std::uint32_t>(sc.title_words.size());
    process(l, sc.title_words);
    sc.title_lines.emplace_back(from, static_cast<std::uint32_t>(sc.title_words.size()));
  });
  for (const auto& wd : sc.title_words) out.title_tokens.push_back(wd.hash);
  for_lines(body, [&](std::string_view l) {
    const auto from = static_cast<std::uint32_t>(sc.body_words.size());
    if (process(l, sc.body_words) == 0) return;
    const auto to = static_cast<std::uint32_t>(sc.body_words.size());
    const auto begin = static_cast<std::uint32_t>(out.tokens.size());
    for (std::uint32_t k = from; k < to; ++k) out.tokens.push_back(sc.body_words[k].hash);
    const auto n = static_cast<std::uint32_t>(out.tokens.size()) - begin;
    const std::uint64_t h =
        n <= options.boilerplate_max_tokens
            ? XXH3_64bits_withSeed(out.tokens.data() + begin, n * sizeof(std::uint64_t), kLineSeed) | 1
            : 0;
    out.lines.push_back({begin, static_cast<std::uint32_t>(out.tokens.size()), h});
    sc.body_lines.emplace_back(from, to);
  });
  // Words the body writes capitalised in mid-sentence are names wherever they stand.
  sc.proper.clear();
  for (const auto& wd : sc.body_words)
    if (wd.cap && !wd.start && !wd.digit) sc.proper.push_back(wd.hash);
  std::sort(sc.proper.begin(), sc.proper.end());
  sc.proper.erase(std::unique(sc.proper.begin(), sc.proper.end()), sc.proper.end());
  auto words = [](const std::vector<Word>& all, std::pair<std::uint32_t, std::uint32_t> r) {
    return std::span<const Word>(all.data() + r.first, r.second - r.first);
  };
  for (const auto& r : sc.title_lines)
    add_entities(words(sc.title_words, r), sc.folded, sc.proper, true, sc.run, out.entities);
  for (std::size_t k = 0; k < sc.body_lines.size(); ++k) {  // sc.body_lines[k] is out.lines[k]
    out.lines[k].entity_begin = static_cast<std::uint32_t>(out.entities.size());
    add_entities(words(sc.body_words, sc.body_lines[k]), sc.folded, sc.proper, false, sc.run, out.entities);
    out.lines[k].entity_end = static_cast<std::uint32_t>(out.entities.size());
  }
}

}  // namespace samestory::text
