#include "text/tokenize.hpp"

#include <utf8proc.h>
#include <xxhash.h>

#include <algorithm>
#include <array>
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
    "a", "about", "above", "after", "again", "against", "all", "also", "am", "an", "and", "any", "are", "as", "at",
    "be", "because", "been", "before", "being", "below", "between", "both", "but", "by", "can", "could", "did",
    "do", "does", "doing", "down", "during", "each", "even", "few", "for", "from", "further", "had", "has",
    "have", "having", "he", "her", "here", "hers", "herself", "him", "himself", "his", "how", "however", "i",
    "if", "in", "into", "is", "it", "it's", "its", "itself", "just", "last", "least", "less", "like", "many",
    "may", "me", "might", "more", "most", "much", "must", "my", "myself", "new", "no", "nor", "not", "now", "of",
    "off", "on", "once", "one", "only", "or", "other", "our", "ours", "ourselves", "out", "over", "own", "per",
    "said", "same", "say", "says", "she", "should", "since", "so", "some", "still", "such", "than", "that",
    "that's", "the", "their", "theirs", "them", "themselves", "then", "there", "there's", "these", "they",
    "this", "those", "though", "through", "to", "told", "too", "under", "until", "up", "upon", "us", "very",
    "was", "we", "were", "what", "when", "where", "whether", "which", "while", "who", "whom", "whose", "why",
    "will", "with", "within", "without", "would", "yet", "you", "your", "yours", "yourself", "yourselves",
    "according", "across", "along", "already", "among", "around", "away", "became", "become", "becomes",
    "cannot", "could", "every", "first", "get", "got", "made", "make", "another", "s", "t", "mr", "mrs", "ms",
    "year", "years", "week", "two", "three"};

const std::vector<std::uint64_t>& stopword_hashes() {
  static const std::vector<std::uint64_t> hashes = [] {
    std::vector<std::uint64_t> h;
    for (auto w : kStopwords) h.push_back(token_hash(w));
    std::sort(h.begin(), h.end());
    h.erase(std::unique(h.begin(), h.end()), h.end());
    return h;
  }();
  return hashes;
}

}  // namespace

void tokenize(std::string_view line, std::vector<Token>& out) {
  std::size_t i = 0;
  bool sentence_start = true;
  while (i < line.size()) {
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

std::uint64_t token_hash(std::string_view folded) { return XXH3_64bits(folded.data(), folded.size()); }

bool is_stopword(std::uint64_t h) {
  const auto& s = stopword_hashes();
  return std::binary_search(s.begin(), s.end(), h);
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

/// Scans one line's tokens for entity terms and appends their hashes.
void add_entities(const std::vector<Token>& toks, const std::vector<std::uint64_t>& hashes,
                  const std::vector<std::string>& folded, std::vector<std::uint64_t>& out) {
  std::string run;
  auto flush = [&](std::size_t b, std::size_t e) {
    if (b >= e) return;
    if (e - b > 1) {
      run.clear();
      for (std::size_t k = b; k < e; ++k) {
        if (k > b) run.push_back(' ');
        run += folded[k];
      }
      out.push_back(XXH3_64bits_withSeed(run.data(), run.size(), kEntitySeed));
    }
    for (std::size_t k = b; k < e; ++k)
      if (!is_stopword(hashes[k]) && !toks[k].has_digit)
        out.push_back(XXH3_64bits_withSeed(folded[k].data(), folded[k].size(), kEntitySeed));
  };
  std::size_t i = 0;
  while (i < toks.size()) {
    const Token& t = toks[i];
    if (t.has_digit) {
      const std::string num = "#" + folded[i];
      out.push_back(XXH3_64bits_withSeed(num.data(), num.size(), kEntitySeed));
      if (i + 1 < toks.size() && !toks[i + 1].capitalized && !toks[i + 1].has_digit && !is_stopword(hashes[i + 1])) {
        const std::string unit = num + " " + folded[i + 1];
        out.push_back(XXH3_64bits_withSeed(unit.data(), unit.size(), kEntitySeed));
      }
      ++i;
      continue;
    }
    if (!t.capitalized) {
      ++i;
      continue;
    }
    std::size_t b = i, e = i;
    while (e < toks.size() && toks[e].capitalized && !toks[e].has_digit && (e == b || !toks[e].sentence_start)) ++e;
    if (e < toks.size() && toks[e].has_digit && !toks[e].sentence_start) {
      // "March 3", "Flight 370": the number joins the run (and is also counted alone below).
      flush(b + ((toks[b].sentence_start && is_stopword(hashes[b])) ? 1 : 0), e + 1);
      i = e;
      continue;
    }
    if (toks[b].sentence_start && is_stopword(hashes[b])) ++b;
    flush(b, e);
    i = e;
  }
}

}  // namespace

void analyze(std::string_view title, std::string_view body, const TextOptions& options, AnalyzedText& out) {
  out.clear();
  std::vector<Token> toks;
  std::vector<std::uint64_t> hashes;
  std::vector<std::string> folded;
  auto process = [&](std::string_view raw_line) {
    const std::string line = normalize_line(raw_line);
    toks.clear();
    tokenize(line, toks);
    hashes.resize(toks.size());
    folded.resize(toks.size());
    for (std::size_t k = 0; k < toks.size(); ++k) {
      folded[k].clear();
      append_casefold(folded[k], toks[k].text);
      hashes[k] = token_hash(folded[k]);
    }
    add_entities(toks, hashes, folded, out.entities);
  };
  if (!title.empty()) {
    std::size_t b = 0;
    while (b <= title.size()) {  // a title with newlines is analysed line by line
      std::size_t e = title.find('\n', b);
      if (e == std::string_view::npos) e = title.size();
      process(title.substr(b, e - b));
      out.title_tokens.insert(out.title_tokens.end(), hashes.begin(), hashes.end());
      b = e + 1;
    }
  }
  std::size_t b = 0;
  while (b < body.size()) {
    std::size_t e = body.find('\n', b);
    if (e == std::string_view::npos) e = body.size();
    const auto entity_begin = static_cast<std::uint32_t>(out.entities.size());
    process(body.substr(b, e - b));
    if (!hashes.empty()) {
      const auto begin = static_cast<std::uint32_t>(out.tokens.size());
      out.tokens.insert(out.tokens.end(), hashes.begin(), hashes.end());
      const std::uint64_t h = hashes.size() <= options.boilerplate_max_tokens
                                  ? XXH3_64bits_withSeed(hashes.data(), hashes.size() * sizeof(std::uint64_t), kLineSeed) | 1
                                  : 0;
      out.lines.push_back({begin, static_cast<std::uint32_t>(out.tokens.size()), h, entity_begin,
                           static_cast<std::uint32_t>(out.entities.size())});
    }
    b = e + 1;
  }
}

}  // namespace samestory::text
