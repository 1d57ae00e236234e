// Per-article analysis: token hashes, lines and entity terms. Lines of ASCII and the stable
// code points of detail/stable.hpp (almost every line of English news) go through one pass that
// does what normalize_line, tokenize, append_casefold and token_hash do together; other lines
// take those four steps.

#include <algorithm>
#include <array>
#include <cstdint>
#include <cstring>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#define XXH_INLINE_ALL
#include <xxhash.h>

#include "text/detail/stable.hpp"
#include "text/normalize.hpp"
#include "text/tokenize.hpp"

namespace samestory::text {

void AnalyzedText::clear() {
  tokens.clear();
  lines.clear();
  title_tokens.clear();
  entities.clear();
  entity_kinds.clear();
}

std::size_t AnalyzedText::memory_bytes() const {
  return tokens.capacity() * sizeof(std::uint64_t) + lines.capacity() * sizeof(Line) +
         title_tokens.capacity() * sizeof(std::uint64_t) + entities.capacity() * sizeof(std::uint64_t) +
         entity_kinds.capacity() * sizeof(EntityKind);
}

namespace {

constexpr std::uint64_t kLineSeed = 0x6c696e6573656564ULL;    // "lineseed"
constexpr std::uint64_t kEntitySeed = 0x656e746974696573ULL;  // "entities"

/// A growable array of trivially copyable values whose new elements are left uninitialised:
/// the scratch buffers below are written through raw pointers, with no zero-filling.
template <class T>
class PodBuffer {
 public:
  std::size_t size() const noexcept { return n_; }
  T* data() noexcept { return p_.get(); }
  const T* data() const noexcept { return p_.get(); }
  T& operator[](std::size_t i) noexcept { return p_[i]; }
  const T& operator[](std::size_t i) const noexcept { return p_[i]; }
  void clear() noexcept { n_ = 0; }
  /// Makes room for `k` more elements and returns where they go; resize() commits them.
  T* room(std::size_t k) {
    if (cap_ - n_ < k) grow(n_ + k);
    return p_.get() + n_;
  }
  /// Sets the size to `n`, at most what room() made room for.
  void resize(std::size_t n) noexcept { n_ = n; }
  void push_back(const T& v) {
    *room(1) = v;
    ++n_;
  }

 private:
  void grow(std::size_t need) {
    const std::size_t c = std::max(need, cap_ * 2 + 64);
    auto q = std::make_unique_for_overwrite<T[]>(c);
    if (n_ != 0) std::memcpy(q.get(), p_.get(), n_ * sizeof(T));
    p_ = std::move(q);
    cap_ = c;
  }
  std::unique_ptr<T[]> p_;
  std::size_t n_ = 0, cap_ = 0;
};

enum : std::uint8_t { kCap = 1, kStart = 2, kDigit = 4 };

/// Where a word's casefolded text is: `arena[off, off + len)` of the article's Scratch.
struct WordInfo {
  std::uint32_t off, len;
};

/// The words of the title or of the body, as arrays: token hashes (contiguous, as AnalyzedText
/// keeps them), casefolded text, and flags kCap, kStart and kDigit (Token's capitalized,
/// sentence_start, has_digit), one byte a word, so that entity detection can step over eight
/// words at a time.
struct Words {
  PodBuffer<std::uint64_t> hash;
  PodBuffer<WordInfo> info;
  PodBuffer<std::uint8_t> flags;
  std::size_t size() const noexcept { return hash.size(); }
  void clear() noexcept { hash.clear(), info.clear(), flags.clear(); }
  void resize(std::size_t n) noexcept { hash.resize(n), info.resize(n), flags.resize(n); }
  void push_back(std::uint64_t h, WordInfo i, std::uint8_t f) {
    hash.push_back(h), info.push_back(i), flags.push_back(f);
  }
};

/// A set of token hashes for membership tests: open addressing with linear probing, at most
/// half full (0 marks an empty slot; the hash 0 itself is a flag).
class HashSet {
 public:
  /// Empties the set and sizes it for up to `n` keys.
  void reset(std::size_t n) {
    std::size_t bits = 6;
    while ((std::size_t{1} << bits) < 2 * n) ++bits;
    shift_ = 64 - static_cast<int>(bits);
    slot_.assign(std::size_t{1} << bits, 0);
    zero_ = false;
  }
  void insert(std::uint64_t h) {
    if (h == 0) {
      zero_ = true;
      return;
    }
    std::size_t s = home(h);
    while (slot_[s] != 0 && slot_[s] != h) s = (s + 1) & (slot_.size() - 1);
    slot_[s] = h;
  }
  bool contains(std::uint64_t h) const {
    if (h == 0) return zero_;
    for (std::size_t s = home(h);; s = (s + 1) & (slot_.size() - 1)) {
      if (slot_[s] == h) return true;
      if (slot_[s] == 0) return false;
    }
  }

 private:
  std::size_t home(std::uint64_t h) const { return static_cast<std::size_t>((h * 0x9E3779B97F4A7C15ULL) >> shift_); }
  std::vector<std::uint64_t> slot_;
  int shift_ = 58;
  bool zero_ = false;
};

/// Buffers reused from article to article (one set per thread): analysis allocates nothing
/// but its output once they have grown.
struct Scratch {
  PodBuffer<char> arena;  // casefolded words of the article, back to back
  Words title, body;
  std::vector<std::pair<std::uint32_t, std::uint32_t>> title_lines;  // word ranges
  std::vector<AnalyzedText::Line> lines;
  std::vector<std::uint64_t> entities, proper;
  std::vector<EntityKind> kinds;
  HashSet proper_set;
  std::string norm, fold, run;
  std::vector<Token> toks;
};

// Byte classes of the one-pass path, ordered so that the loop tests the common ones first:
// separators, then word characters (kLowerB and above).
enum ByteClass : std::uint8_t {
  kSepB,    // white space and printable ASCII punctuation but . ! ? :
  kEndB,    // . ! ? : (a sentence ends)
  kCtrlB,   // control characters, which normalisation drops: not for this path
  kHighB,   // a byte >= 0x80
  kLowerB,  // a-z
  kUpperB,  // A-Z
  kDigitB,  // 0-9
};

constexpr auto kByteClass = [] {
  std::array<std::uint8_t, 256> t{};
  for (int c = 0; c < 256; ++c) {
    std::uint8_t k = kSepB;
    if (c >= 0x80)
      k = kHighB;
    else if (c >= 'a' && c <= 'z')
      k = kLowerB;
    else if (c >= 'A' && c <= 'Z')
      k = kUpperB;
    else if (c >= '0' && c <= '9')
      k = kDigitB;
    else if (c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\v' || c == '\f')
      k = kSepB;
    else if (c < 0x20 || c == 0x7F)
      k = kCtrlB;
    else if (c == '.' || c == '!' || c == '?' || c == ':')
      k = kEndB;
    t[static_cast<std::size_t>(c)] = k;
  }
  return t;
}();

/// Bytes after a letter/digit run that may join it to the next one: ' ` . , and the lead byte
/// of U+2018/U+2019 (any byte >= 0x80, checked further).
constexpr auto kMayJoin = [] {
  std::array<bool, 256> t{};
  for (int c = 0; c < 256; ++c)
    t[static_cast<std::size_t>(c)] = c == '\'' || c == '`' || c == '.' || c == ',' || c >= 0x80;
  return t;
}();

inline bool is_letter_class(std::uint8_t k) {
  return k == kLowerB || k == kUpperB;
}

/// Length of a typographic apostrophe (U+2018, U+2019, which normalize_line folds to ') at
/// p[j], or 0.
inline std::size_t curly_apostrophe_at(const unsigned char* p, std::size_t n, std::size_t j) {
  return p[j] == 0xE2 && j + 2 < n && p[j + 1] == 0x80 && (p[j + 2] == 0x98 || p[j + 2] == 0x99) ? 3 : 0;
}

/// Copies the run of ASCII letters and digits at p[j, n) to d, lower-cased, and returns its
/// length; ORs kDigit into `flags` when the run holds a digit. Sixteen bytes at a time with SSE2
/// (it may store up to 15 bytes past the run), the last few bytes of a line byte by byte.
inline std::size_t alnum_run(const unsigned char* p, std::size_t j, std::size_t n, char* d, std::uint8_t& flags) {
  std::size_t r = 0;
#if defined(__SSE2__)
  // x in [lo, lo + count) for signed bytes x: (x + 128 - lo) < -128 + count; bytes >= 0x80 are never in.
  const auto in = [](__m128i x, char lo, int count) {
    return _mm_cmplt_epi8(_mm_add_epi8(x, _mm_set1_epi8(static_cast<char>(128 - lo))),
                          _mm_set1_epi8(static_cast<char>(-128 + count)));
  };
  while (n - j - r >= 16) {
    const __m128i c = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p + j + r));
    const __m128i alpha = in(_mm_or_si128(c, _mm_set1_epi8(0x20)), 'a', 26);
    const __m128i digit = in(c, '0', 10);
    // Letters get bit 0x20 (lower case), digits are kept.
    _mm_storeu_si128(reinterpret_cast<__m128i*>(d + r), _mm_or_si128(c, _mm_and_si128(alpha, _mm_set1_epi8(0x20))));
    const auto digits = static_cast<unsigned>(_mm_movemask_epi8(digit));
    const auto alnum = static_cast<unsigned>(_mm_movemask_epi8(alpha)) | digits;
    const auto len = static_cast<unsigned>(__builtin_ctz(~alnum));  // ~alnum has bit 16 set
    if (digits & ((1u << len) - 1)) flags |= kDigit;
    r += len;
    if (len < 16) return r;
  }
#endif
  for (; j + r < n; ++r) {
    const unsigned char c = p[j + r];
    const std::uint8_t k = kByteClass[c];
    if (k == kLowerB) {
      d[r] = static_cast<char>(c);
    } else if (k == kUpperB) {
      d[r] = static_cast<char>(c + 32);
    } else if (k == kDigitB) {
      d[r] = static_cast<char>(c);
      flags |= kDigit;
    } else {
      break;
    }
  }
  return r;
}

/// The one-pass path for one line: appends its words as normalize_line, tokenize,
/// append_casefold and token_hash would give them. Returns false, with some of the line's words
/// maybe appended, when the line holds a byte that is not printable ASCII, white space or part
/// of a stable code point: the caller then drops them and takes the general path.
///
/// Why this equals the general path on the lines it accepts: normalize_line's byte loop turns
/// white space runs into one space (trimmed at the ends), ` and U+2018/U+2019 into ', other
/// quotes and dashes into other ASCII punctuation, and keeps everything else; tokenize sees only
/// ASCII letters and digits as word characters (stable code points are symbols), a separator
/// wherever a white space run stood, and joins ' between letters and . or , between digits. So
/// words are found here on the raw line, reading ` and U+2018/U+2019 as ', and casefolding
/// ASCII is lower-casing.
bool fast_line(std::string_view line, PodBuffer<char>& arena, Words& w) {
  const auto* p = reinterpret_cast<const unsigned char*>(line.data());
  const std::size_t n = line.size();
  const std::size_t base = arena.size();
  char* const out = arena.room(n + 16);          // a line folds to at most its length; alnum_run stores up to 15 more
  std::uint64_t* hash = w.hash.room(n / 2 + 1);  // a word and a separator per word but the last
  WordInfo* info = w.info.room(n / 2 + 1);
  std::uint8_t* word_flags = w.flags.room(n / 2 + 1);
  std::size_t words = 0, o = 0;
  bool start = true;
  for (std::size_t i = 0; i < n;) {
    const std::uint8_t k = kByteClass[p[i]];
    if (k == kSepB) {
      ++i;
      continue;
    }
    if (k >= kLowerB) {
      std::uint8_t flags = static_cast<std::uint8_t>((k == kUpperB ? kCap : 0) | (start ? kStart : 0));
      char* d = out + o;
      std::size_t j = i;
      while (true) {
        const std::size_t r = alnum_run(p, j, n, d, flags);
        d += r, j += r;
        if (j == n) break;
        const unsigned char c = p[j];
        if (!kMayJoin[c]) break;
        // Joiners: an apostrophe between letters, '.' or ',' between digits.
        const bool prev_letter = p[j - 1] >= 'A';  // p[j - 1] is a letter or a digit
        if (c == '.' || c == ',') {
          if (!prev_letter && j + 1 < n && kByteClass[p[j + 1]] == kDigitB) {
            *d++ = static_cast<char>(c), ++j;
            continue;
          }
        } else {
          const std::size_t len = c >= 0x80 ? curly_apostrophe_at(p, n, j) : 1;
          if (len != 0 && prev_letter && j + len < n && is_letter_class(kByteClass[p[j + len]])) {
            *d++ = '\'', j += len;
            continue;
          }
        }
        break;
      }
      const auto len = static_cast<std::size_t>(d - (out + o));
      hash[words] = XXH3_64bits(out + o, len);
      info[words] = {static_cast<std::uint32_t>(base + o), static_cast<std::uint32_t>(len)};
      word_flags[words] = flags;
      ++words;
      o += len;
      i = j;
      start = false;
      continue;
    }
    if (k == kEndB) {
      start = true;
      ++i;
    } else if (k == kCtrlB) {
      return false;
    } else {  // kHighB
      std::int32_t cp = 0;
      const std::size_t len = detail::stable_at(line.data(), n, i, cp);
      if (len == 0) return false;
      i += len;  // a symbol, as the general path's tokenize sees it
    }
  }
  arena.resize(base + o);
  w.hash.resize(w.hash.size() + words);
  w.info.resize(w.info.size() + words);
  w.flags.resize(w.flags.size() + words);
  return true;
}

/// The general path for one line: normalize_line, tokenize, append_casefold, token_hash.
void general_line(std::string_view line, Scratch& sc, Words& w) {
  normalize_line(line, sc.norm);
  sc.toks.clear();
  tokenize(sc.norm, sc.toks);
  for (const Token& t : sc.toks) {
    sc.fold.clear();
    append_casefold(sc.fold, t.text);
    const auto off = static_cast<std::uint32_t>(sc.arena.size());
    if (!sc.fold.empty()) std::memcpy(sc.arena.room(sc.fold.size()), sc.fold.data(), sc.fold.size());
    sc.arena.resize(sc.arena.size() + sc.fold.size());
    w.push_back(token_hash(sc.fold), {off, static_cast<std::uint32_t>(sc.fold.size())},
                static_cast<std::uint8_t>((t.capitalized ? kCap : 0) | (t.sentence_start ? kStart : 0) |
                                          (t.has_digit ? kDigit : 0)));
  }
}

/// Appends the words of one line to `w`, by the one-pass path when it can take the line.
void add_line(std::string_view line, Scratch& sc, Words& w, bool general_only) {
  const std::size_t words = w.size(), bytes = sc.arena.size();
  if (!general_only && fast_line(line, sc.arena, w)) return;
  w.resize(words);
  sc.arena.resize(bytes);
  general_line(line, sc, w);
}

/// The kind of a word with digits standing alone as an entity term: a number (digits, with . or ,
/// between them, as tokenize joins them), a figure (such a number with a decimal point), or other
/// (a year 1900-2099, which dates rather than counts, or a word with letters too: "19th", "mp3").
EntityKind number_kind(std::string_view w) {
  bool point = false;
  for (const char c : w) {
    if (c == '.') {
      point = true;
    } else if ((c < '0' || c > '9') && c != ',') {
      return kEntityOther;
    }
  }
  if (point) return kEntityFigure;
  const bool year = w.size() == 4 && (w.starts_with("19") || w.starts_with("20"));
  return year ? kEntityOther : kEntityNumber;
}

/// Appends the entity terms of words [b, e) of `w` (one line). A capitalised word counts as a
/// name only when it is not the first word of a sentence, or when the article also writes it
/// capitalised in mid-sentence (`proper`): "Police said ..." alone is not an entity, "Sorrel
/// Police" is. In headlines (`headline`), capitals only count for words the body capitalises
/// mid-sentence.
void add_entities(const Words& words, std::size_t first, std::size_t last, const PodBuffer<char>& arena,
                  const HashSet& proper, bool headline, std::string& run, std::vector<std::uint64_t>& out,
                  std::vector<EntityKind>& kinds) {
  const WordInfo* w = words.info.data() + first;
  const std::uint64_t* wh = words.hash.data() + first;
  const std::uint8_t* fl = words.flags.data() + first;
  const std::size_t count = last - first;
  auto cap = [&](std::size_t k) { return (fl[k] & kCap) != 0; };
  auto start = [&](std::size_t k) { return (fl[k] & kStart) != 0; };
  auto digit = [&](std::size_t k) { return (fl[k] & kDigit) != 0; };
  // The first word from k on that is capitalised or a number (count if none): the others
  // start nothing. Eight flag bytes at a time.
  auto next_candidate = [&](std::size_t k) {
    constexpr std::uint64_t kMask = 0x0101010101010101ULL * (kCap | kDigit);
    for (; k + 8 <= count; k += 8) {
      std::uint64_t x;
      std::memcpy(&x, fl + k, 8);
      if (x & kMask) return k + static_cast<std::size_t>(__builtin_ctzll(x & kMask)) / 8;
    }
    while (k < count && !(fl[k] & (kCap | kDigit))) ++k;
    return k;
  };
  auto folded = [&](std::size_t k) { return std::string_view(arena.data() + w[k].off, w[k].len); };
  auto hash_of = [](std::string_view t) { return XXH3_64bits_withSeed(t.data(), t.size(), kEntitySeed); };
  auto is_proper = [&](std::size_t k) { return proper.contains(wh[k]); };
  auto is_name = [&](std::size_t k) {
    if (!cap(k) || digit(k)) return false;
    if (headline || start(k)) return is_proper(k);
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
      kinds.push_back(kEntityName);
    }
    for (std::size_t k = b; k < e; ++k)
      if (!is_stopword(wh[k]) && !digit(k)) {
        out.push_back(hash_of(folded(k)));
        kinds.push_back(kEntityName);
      }
  };
  std::size_t i = 0;
  while ((i = next_candidate(i)) < count) {
    if (digit(i)) {
      run.assign("#").append(folded(i));
      out.push_back(hash_of(run));
      kinds.push_back(number_kind(folded(i)));
      if (i + 1 < count && !cap(i + 1) && !digit(i + 1) && !is_stopword(wh[i + 1])) {
        run.push_back(' ');
        run += folded(i + 1);
        out.push_back(hash_of(run));
        kinds.push_back(kEntityOther);
      }
      ++i;
      continue;
    }
    // A run: capitalised words, continuing while the next word is capitalised mid-sentence.
    std::size_t b = i, e = i;
    while (e < count && cap(e) && !digit(e) && (e == b || !start(e))) ++e;
    if (e == b) {
      ++i;
      continue;
    }
    // A sentence-initial word opens the run only if it is a name itself ("The Hague" is kept
    // as "Hague"; "Police said" gives nothing).
    while (b < e && !is_name(b) && (start(b) || headline)) ++b;
    if (headline) {
      // Headline case: keep only the words that are names on their own.
      for (std::size_t k = b; k < e; ++k)
        if (is_name(k)) flush(k, k + 1);
    } else if (b < e && e < count && digit(e) && !start(e)) {
      flush(b, e + 1);  // "March 3", "Flight 370": the number joins the run (and counts alone below)
    } else {
      flush(b, e);
    }
    i = std::max(e, i + 1);
  }
}

template <class F>
void for_lines(std::string_view text, F&& fn) {
  std::size_t b = 0;
  while (b < text.size()) {
    std::size_t e = text.find('\n', b);
    if (e == std::string_view::npos) e = text.size();
    fn(text.substr(b, e - b));
    b = e + 1;
  }
}

void analyze_impl(std::string_view title, std::string_view body, const TextOptions& options, AnalyzedText& out,
                  bool general_only) {
  thread_local Scratch sc;
  sc.arena.clear();
  sc.title.clear();
  sc.body.clear();
  sc.title_lines.clear();
  sc.lines.clear();
  sc.entities.clear();
  sc.kinds.clear();
  for_lines(title, [&](std::string_view l) {
    const auto from = static_cast<std::uint32_t>(sc.title.size());
    add_line(l, sc, sc.title, general_only);
    sc.title_lines.emplace_back(from, static_cast<std::uint32_t>(sc.title.size()));
  });
  for_lines(body, [&](std::string_view l) {
    const auto from = static_cast<std::uint32_t>(sc.body.size());
    add_line(l, sc, sc.body, general_only);
    const auto to = static_cast<std::uint32_t>(sc.body.size());
    if (to == from) return;
    const std::uint64_t h =
        to - from <= options.boilerplate_max_tokens
            ? XXH3_64bits_withSeed(sc.body.hash.data() + from, (to - from) * sizeof(std::uint64_t), kLineSeed) | 1
            : 0;
    sc.lines.push_back({from, to, h});
  });
  // Words the body writes capitalised in mid-sentence are names wherever they stand.
  sc.proper.clear();
  if (options.entities) {
    const std::uint8_t* fl = sc.body.flags.data();
    const std::size_t n = sc.body.size();
    std::size_t k = 0;
    for (; k + 8 <= n; k += 8) {  // eight words at a time: bytes with kCap and neither kStart nor kDigit
      std::uint64_t x;
      std::memcpy(&x, fl + k, 8);
      for (std::uint64_t m = x & ~(x >> 1) & ~(x >> 2) & 0x0101010101010101ULL; m != 0; m &= m - 1)
        sc.proper.push_back(sc.body.hash[k + static_cast<std::size_t>(__builtin_ctzll(m)) / 8]);
    }
    for (; k < n; ++k)
      if ((fl[k] & (kCap | kStart | kDigit)) == kCap) sc.proper.push_back(sc.body.hash[k]);
  }
  if (options.entities) {
    sc.proper_set.reset(sc.proper.size());
    for (const std::uint64_t h : sc.proper) sc.proper_set.insert(h);
    for (const auto& r : sc.title_lines)
      add_entities(sc.title, r.first, r.second, sc.arena, sc.proper_set, true, sc.run, sc.entities, sc.kinds);
    for (auto& l : sc.lines) {
      l.entity_begin = static_cast<std::uint32_t>(sc.entities.size());
      add_entities(sc.body, l.begin, l.end, sc.arena, sc.proper_set, false, sc.run, sc.entities, sc.kinds);
      l.entity_end = static_cast<std::uint32_t>(sc.entities.size());
    }
  }
  // Into the output at their exact sizes (a fresh AnalyzedText gets no growth slack).
  out.tokens.assign(sc.body.hash.data(), sc.body.hash.data() + sc.body.size());
  out.lines.assign(sc.lines.begin(), sc.lines.end());
  out.title_tokens.assign(sc.title.hash.data(), sc.title.hash.data() + sc.title.size());
  out.entities.assign(sc.entities.begin(), sc.entities.end());
  out.entity_kinds.assign(sc.kinds.begin(), sc.kinds.end());
}

}  // namespace

void analyze(std::string_view title, std::string_view body, const TextOptions& options, AnalyzedText& out) {
  analyze_impl(title, body, options, out, false);
}

void detail::analyze_general(std::string_view title, std::string_view body, const TextOptions& options,
                             AnalyzedText& out) {
  analyze_impl(title, body, options, out, true);
}

}  // namespace samestory::text
