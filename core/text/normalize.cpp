#include "text/normalize.hpp"

#include <utf8proc.h>

#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <memory>

#include "text/detail/stable.hpp"

namespace samestory::text {
namespace {

bool all_ascii(std::string_view s) {
  for (char c : s)
    if (static_cast<unsigned char>(c) >= 0x80) return false;
  return true;
}

struct FreeDeleter {
  void operator()(void* p) const { std::free(p); }
};

/// Runs utf8proc_map with `options`; invalid UTF-8 is repaired first.
std::string map_utf8(std::string_view s, int options) {
  utf8proc_uint8_t* dst = nullptr;
  auto n = utf8proc_map(reinterpret_cast<const utf8proc_uint8_t*>(s.data()), static_cast<utf8proc_ssize_t>(s.size()),
                        &dst, static_cast<utf8proc_option_t>(options));
  std::unique_ptr<utf8proc_uint8_t, FreeDeleter> hold(dst);
  if (n >= 0) return std::string(reinterpret_cast<const char*>(dst), static_cast<std::size_t>(n));
  // Invalid UTF-8: decode leniently, replacing each bad byte with U+FFFD, then map again.
  std::string fixed;
  for (std::size_t i = 0; i < s.size();) {
    utf8proc_int32_t cp;
    auto len = utf8proc_iterate(reinterpret_cast<const utf8proc_uint8_t*>(s.data() + i),
                                static_cast<utf8proc_ssize_t>(s.size() - i), &cp);
    if (len <= 0) {
      fixed.append("\xEF\xBF\xBD");
      ++i;
    } else {
      fixed.append(s.substr(i, static_cast<std::size_t>(len)));
      i += static_cast<std::size_t>(len);
    }
  }
  return map_utf8(fixed, options);
}

/// The ASCII replacement of a typographic quote or dash, or 0.
char fold_punct(utf8proc_int32_t cp) {
  switch (cp) {
    case 0x2018:
    case 0x2019:
    case 0x201A:
    case 0x201B:
    case 0x2032:
    case 0x00B4:
    case 0x02BC:
      return '\'';
    case 0x201C:
    case 0x201D:
    case 0x201E:
    case 0x201F:
    case 0x2033:
    case 0x00AB:
    case 0x00BB:
    case 0x2039:
    case 0x203A:
      return '"';
    case 0x2010:
    case 0x2011:
    case 0x2012:
    case 0x2013:
    case 0x2014:
    case 0x2015:
    case 0x2212:
    case 0xFE58:
    case 0xFE63:
    case 0xFF0D:
      return '-';
    default:
      return 0;
  }
}

bool is_space_cp(utf8proc_int32_t cp) {
  if (cp == ' ' || cp == '\t' || cp == '\r' || cp == '\n' || cp == '\v' || cp == '\f') return true;
  if (cp < 0x80) return false;
  const auto cat = utf8proc_category(cp);
  return cat == UTF8PROC_CATEGORY_ZS || cat == UTF8PROC_CATEGORY_ZL || cat == UTF8PROC_CATEGORY_ZP || cp == 0x200B ||
         cp == 0xFEFF || cp == 0x0085;
}

/// Control and format characters (soft hyphen, zero-width joiners), which normalisation drops.
bool is_dropped_cp(utf8proc_int32_t cp) {
  return cp < 0x20 || cp == 0x7F || (cp >= 0x80 && cp < 0xA0) || utf8proc_category(cp) == UTF8PROC_CATEGORY_CF;
}

/// The fast path: `line` holds only ASCII and stable code points. Returns false (out
/// untouched) as soon as it meets anything else.
bool normalize_simple(std::string_view line, std::string& out) {
  for (std::size_t i = 0; i < line.size();) {
    if (i + 8 <= line.size()) {  // eight ASCII bytes at a time
      std::uint64_t w;
      std::memcpy(&w, line.data() + i, 8);
      if ((w & 0x8080808080808080ULL) == 0) {
        i += 8;
        continue;
      }
    }
    const auto c = static_cast<unsigned char>(line[i]);
    if (c < 0x80) {
      ++i;
      continue;
    }
    utf8proc_int32_t cp = 0;
    const std::size_t n = detail::stable_at(line.data(), line.size(), i, cp);
    if (n == 0) return false;
    i += n;
  }
  out.reserve(line.size());
  bool pending_space = false;
  for (std::size_t i = 0; i < line.size();) {
    const char c = line[i];
    if (static_cast<unsigned char>(c) >= 0x80) {
      utf8proc_int32_t cp = 0;
      const std::size_t n = detail::stable_at(line.data(), line.size(), i, cp);
      if (pending_space) out.push_back(' '), pending_space = false;
      if (char f = fold_punct(cp))
        out.push_back(f);
      else
        out.append(line, i, n);
      i += n;
      continue;
    }
    ++i;
    if (c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\v' || c == '\f') {
      if (!out.empty()) pending_space = true;
      continue;
    }
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7F) continue;  // control characters
    if (pending_space) out.push_back(' '), pending_space = false;
    if (c == '`') {
      out.push_back('\'');
      continue;
    }
    // A run of plain printable ASCII (no space, '`' or DEL) is copied at once.
    std::size_t e = i;
    while (e < line.size() && line[e] > ' ' && line[e] < 0x7F && line[e] != '`') ++e;
    out.append(line.data() + i - 1, e - i + 1);
    i = e;
  }
  return true;
}

}  // namespace

namespace detail {
std::string normalize_line_unicode(std::string_view line);
}

std::string normalize_line(std::string_view line) {
  std::string out;
  normalize_line(line, out);
  return out;
}

void normalize_line(std::string_view line, std::string& out) {
  out.clear();
  if (normalize_simple(line, out)) return;
  out = detail::normalize_line_unicode(line);
}

std::string detail::normalize_line_unicode(std::string_view line) {
  std::string out;
  out.reserve(line.size());
  bool pending_space = false;
  auto put_space = [&] {
    if (!out.empty()) pending_space = true;
  };
  // White space becomes ' ', control and format characters go (invalid bytes become U+FFFD)
  // *before* NFKC: dropped after it, a soft hyphen or a stray control byte between a letter and
  // a combining accent would leave them apart, and normalising the result again would compose
  // them (normalize_line would not be idempotent; found by tests/fuzz/fuzz_text).
  std::string clean;
  clean.reserve(line.size());
  for (std::size_t i = 0; i < line.size();) {
    utf8proc_int32_t cp;
    const auto len = utf8proc_iterate(reinterpret_cast<const utf8proc_uint8_t*>(line.data() + i),
                                      static_cast<utf8proc_ssize_t>(line.size() - i), &cp);
    if (len <= 0) {
      clean.append("\xEF\xBF\xBD");
      ++i;
      continue;
    }
    const auto n = static_cast<std::size_t>(len);
    if (is_space_cp(cp)) {
      clean.push_back(' ');
    } else if (!is_dropped_cp(cp)) {
      clean.append(line, i, n);
    }
    i += n;
  }
  const std::string nfkc = map_utf8(clean, UTF8PROC_STABLE | UTF8PROC_COMPAT | UTF8PROC_COMPOSE);
  for (std::size_t i = 0; i < nfkc.size();) {
    utf8proc_int32_t cp;
    auto len = utf8proc_iterate(reinterpret_cast<const utf8proc_uint8_t*>(nfkc.data() + i),
                                static_cast<utf8proc_ssize_t>(nfkc.size() - i), &cp);
    if (len <= 0) {  // cannot happen after map_utf8; be safe
      ++i;
      continue;
    }
    const auto n = static_cast<std::size_t>(len);
    if (is_space_cp(cp)) {
      put_space();
    } else if (is_dropped_cp(cp)) {
      // control and format characters (soft hyphen, zero-width joiners) are dropped
    } else {
      if (pending_space) out.push_back(' '), pending_space = false;
      if (char f = fold_punct(cp))
        out.push_back(f);
      else if (cp == '`')
        out.push_back('\'');
      else
        out.append(nfkc, i, n);
    }
    i += n;
  }
  return out;
}

void append_casefold(std::string& out, std::string_view token) {
  if (all_ascii(token)) {
    const std::size_t at = out.size();
    out.resize(at + token.size());
    char* d = out.data() + at;
    for (std::size_t i = 0; i < token.size(); ++i) {
      const char c = token[i];
      d[i] = c >= 'A' && c <= 'Z' ? static_cast<char>(c + 32) : c;
    }
    return;
  }
  out += map_utf8(token, UTF8PROC_STABLE | UTF8PROC_COMPAT | UTF8PROC_COMPOSE | UTF8PROC_CASEFOLD);
}

}  // namespace samestory::text
