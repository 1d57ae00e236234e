#include "io/writer.hpp"

#include <charconv>
#include <cmath>

#include "io/detail/readers.hpp"

namespace samestory {

void append_json_string(std::string& out, std::string_view s) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string fixed;
  if (!detail::is_valid_utf8(s)) {
    // Replace each invalid byte by U+FFFD, keep valid sequences.
    for (std::size_t i = 0; i < s.size();) {
      std::size_t n = 1;
      const auto c = static_cast<unsigned char>(s[i]);
      if (c >= 0xF0)
        n = 4;
      else if (c >= 0xE0)
        n = 3;
      else if (c >= 0xC0)
        n = 2;
      if (c >= 0x80 && i + n <= s.size() && detail::is_valid_utf8(s.substr(i, n))) {
        fixed.append(s.substr(i, n));
        i += n;
      } else if (c >= 0x80) {
        fixed.append("\xEF\xBF\xBD");
        ++i;
      } else {
        fixed.push_back(s[i++]);
      }
    }
    s = fixed;
  }
  out.push_back('"');
  for (char ch : s) {
    const auto c = static_cast<unsigned char>(ch);
    switch (ch) {
      case '"':
        out.append("\\\"");
        break;
      case '\\':
        out.append("\\\\");
        break;
      case '\n':
        out.append("\\n");
        break;
      case '\r':
        out.append("\\r");
        break;
      case '\t':
        out.append("\\t");
        break;
      default:
        if (c < 0x20) {
          out.append("\\u00");
          out.push_back(kHex[c >> 4]);
          out.push_back(kHex[c & 15]);
        } else {
          out.push_back(ch);
        }
    }
  }
  out.push_back('"');
}

void append_csv_field(std::string& out, std::string_view s) {
  if (s.find_first_of(",\"\r\n") == std::string_view::npos) {
    out.append(s);
    return;
  }
  out.push_back('"');
  for (char c : s) {
    if (c == '"') out.push_back('"');
    out.push_back(c);
  }
  out.push_back('"');
}

void append_score(std::string& out, double score) {
  if (!(score > 0)) score = 0;  // also maps NaN to 0
  if (score > 1) score = 1;
  const double rounded = std::round(score * 10000.0) / 10000.0;
  char buf[32];
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, rounded, std::chars_format::fixed);  // never "1e-04"
  out.append(buf, ec == std::errc() ? end : buf);
}

std::string article_to_json(const Article& a) {
  std::string s = "{\"id\":";
  append_json_string(s, a.id);
  if (!a.title.empty()) {
    s += ",\"title\":";
    append_json_string(s, a.title);
  }
  s += ",\"text\":";
  append_json_string(s, a.text);
  if (!a.source.empty()) {
    s += ",\"source\":";
    append_json_string(s, a.source);
  }
  if (!a.url.empty()) {
    s += ",\"url\":";
    append_json_string(s, a.url);
  }
  s += '}';
  return s;
}

}  // namespace samestory
