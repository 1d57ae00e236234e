#include "io/article.hpp"

#include <algorithm>
#include <array>
#include <cstdio>

namespace samestory {
namespace {

// Howard Hinnant's days_from_civil: days since 1970-01-01 of a proleptic Gregorian date.
std::int64_t days_from_civil(std::int64_t y, unsigned m, unsigned d) {
  y -= m <= 2;
  const std::int64_t era = (y >= 0 ? y : y - 399) / 400;
  const auto yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<std::int64_t>(doe) - 719468;
}

struct Cursor {
  std::string_view s;
  std::size_t i = 0;
  bool digits(std::size_t n, int& out) {
    if (i + n > s.size()) return false;
    int v = 0;
    for (std::size_t k = 0; k < n; ++k) {
      const char c = s[i + k];
      if (c < '0' || c > '9') return false;
      v = v * 10 + (c - '0');
    }
    out = v;
    i += n;
    return true;
  }
  bool eat(char c) {
    if (i < s.size() && s[i] == c) {
      ++i;
      return true;
    }
    return false;
  }
  bool done() const { return i == s.size(); }
};

bool valid_day(int y, int m, int d) {
  static constexpr std::array<int, 12> len{31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  if (m < 1 || m > 12 || d < 1) return false;
  const bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
  return d <= len[m - 1] + (m == 2 && leap ? 1 : 0);
}

}  // namespace

std::optional<std::int64_t> parse_timestamp(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) text.remove_suffix(1);
  Cursor c{text};
  int y = 0, mo = 0, d = 0;
  if (!c.digits(4, y) || !c.eat('-') || !c.digits(2, mo) || !c.eat('-') || !c.digits(2, d)) return std::nullopt;
  if (!valid_day(y, mo, d)) return std::nullopt;
  std::int64_t secs = days_from_civil(y, static_cast<unsigned>(mo), static_cast<unsigned>(d)) * 86400;
  if (c.done()) return secs;
  if (!c.eat('T') && !c.eat('t') && !c.eat(' ')) return std::nullopt;
  int h = 0, mi = 0, se = 0;
  if (!c.digits(2, h) || !c.eat(':') || !c.digits(2, mi)) return std::nullopt;
  if (c.eat(':')) {
    if (!c.digits(2, se)) return std::nullopt;
    if (c.eat('.') || c.eat(',')) {
      std::size_t n = 0;
      while (c.i < text.size() && text[c.i] >= '0' && text[c.i] <= '9') ++c.i, ++n;
      if (n == 0) return std::nullopt;
    }
  }
  if (h > 24 || mi > 59 || se > 60 || (h == 24 && (mi != 0 || se != 0))) return std::nullopt;
  secs += h * 3600 + mi * 60 + se;
  if (c.done()) return secs;  // no zone: taken as UTC
  if (c.eat('Z') || c.eat('z')) return c.done() ? std::optional<std::int64_t>(secs) : std::nullopt;
  const char sign = c.i < text.size() ? text[c.i] : '\0';
  if (sign != '+' && sign != '-') return std::nullopt;
  ++c.i;
  int oh = 0, om = 0;
  if (!c.digits(2, oh)) return std::nullopt;
  c.eat(':');
  if (!c.done() && !c.digits(2, om)) return std::nullopt;
  if (!c.done() || oh > 23 || om > 59) return std::nullopt;
  const std::int64_t offset = oh * 3600 + om * 60;
  return sign == '+' ? secs - offset : secs + offset;
}

Reject::Reject(std::string file_, std::uint64_t line_, std::string reason_, std::string raw_)
    : file(std::move(file_)), line(line_), reason(std::move(reason_)), raw(std::move(raw_)) {
  auto is_control = [](char c) { return static_cast<unsigned char>(c) < 0x20 || c == 0x7F; };
  if (std::none_of(reason.begin(), reason.end(), is_control)) return;
  std::string escaped;
  for (char c : reason) {
    if (!is_control(c)) {
      escaped.push_back(c);
      continue;
    }
    static constexpr char kHex[] = "0123456789abcdef";
    const auto u = static_cast<unsigned char>(c);
    escaped += c == '\n'   ? "\\n"
               : c == '\t' ? "\\t"
               : c == '\r' ? "\\r"
                           : std::string{'\\', 'x', kHex[u >> 4], kHex[u & 15]};
  }
  reason = std::move(escaped);
}

std::string format_date(std::int64_t seconds) {
  std::int64_t z = (seconds >= 0 ? seconds : seconds - 86399) / 86400 + 719468;
  const std::int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const auto doe = static_cast<unsigned>(z - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  const unsigned d = doy - (153 * mp + 2) / 5 + 1;
  const unsigned m = mp < 10 ? mp + 3 : mp - 9;
  const std::int64_t y = static_cast<std::int64_t>(yoe) + era * 400 + (m <= 2);
  char buf[32];
  std::snprintf(buf, sizeof buf, "%04lld-%02u-%02u", static_cast<long long>(y), m, d);
  return buf;
}

}  // namespace samestory
