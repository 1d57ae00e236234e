#pragma once
// The code points that normalize_line's byte loop passes through, shared by that loop
// (normalize.cpp) and the one-pass line analysis (analyze.cpp), so that both take the same lines.

#include <cstddef>
#include <cstdint>

namespace samestory::text::detail {

/// A code point that NFKC leaves alone, that never composes with its neighbours, and that is
/// neither white space nor dropped: on a line of ASCII and these, normalisation is a byte loop.
/// (Typographic quotes and dashes, which are then folded, and common symbols.)
inline bool is_stable_cp(std::int32_t cp) {
  switch (cp) {
    case 0x2018:
    case 0x2019:
    case 0x201C:
    case 0x201D:
    case 0x2013:
    case 0x2014:
    case 0x00A9:
    case 0x00AE:
    case 0x00B0:
    case 0x00A3:
    case 0x20AC:
      return true;
    default:
      return false;
  }
}

/// Decodes the UTF-8 sequence at s[i] (a lead byte >= 0x80, i < n) when it is a well-formed 2-
/// or 3-byte sequence of a stable code point; returns its length, or 0.
inline std::size_t stable_at(const char* s, std::size_t n, std::size_t i, std::int32_t& cp) {
  const auto b = [&](std::size_t k) { return static_cast<unsigned char>(s[k]); };
  const unsigned char c = b(i);
  if (c >= 0xC2 && c <= 0xDF && i + 1 < n && (b(i + 1) & 0xC0) == 0x80) {
    cp = ((c & 0x1F) << 6) | (b(i + 1) & 0x3F);
    return is_stable_cp(cp) ? 2 : 0;
  }
  if (c >= 0xE0 && c <= 0xEF && i + 2 < n && (b(i + 1) & 0xC0) == 0x80 && (b(i + 2) & 0xC0) == 0x80) {
    cp = ((c & 0x0F) << 12) | ((b(i + 1) & 0x3F) << 6) | (b(i + 2) & 0x3F);
    return cp >= 0x800 && is_stable_cp(cp) ? 3 : 0;
  }
  return 0;
}

}  // namespace samestory::text::detail
