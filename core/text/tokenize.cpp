#include "text/tokenize.hpp"

#include <utf8proc.h>
#define XXH_INLINE_ALL
#include <xxhash.h>

#include <algorithm>
#include <array>
#include <stdexcept>

namespace samestory::text {
namespace {

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

/// The stop words' hashes in an open-addressing table of 4096 slots (0 = empty; no stop word
/// hashes to 0), each within kWindow slots of its home: a lookup compares the home slot and the
/// next three, without a branch on the word (stop words are nearly half of the tokens, at random).
struct StopwordTable {
  static constexpr std::size_t kSlots = 4096, kWindow = 4;
  std::array<std::uint64_t, kSlots + kWindow - 1> slot{};
  static std::size_t home(std::uint64_t h) { return static_cast<std::size_t>((h * 0x9E3779B97F4A7C15ULL) >> 52); }
  StopwordTable() {
    for (auto w : kStopwords) {
      const std::uint64_t h = token_hash(w);
      std::size_t s = home(h);
      while (slot[s] != 0 && slot[s] != h) ++s;
      // ~230 words in 4096 slots: far from kWindow (a word list that broke this would fail
      // every test of the analysis at once).
      if (s - home(h) >= kWindow) throw std::logic_error("stop word table: a word lies beyond its probe window");
      slot[s] = h;
    }
  }
  bool contains(std::uint64_t h) const {
    const std::uint64_t* p = slot.data() + home(h);
    return h != 0 && ((p[0] == h) | (p[1] == h) | (p[2] == h) | (p[3] == h));
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

}  // namespace samestory::text
