#pragma once
// Unicode normalisation of article text.

#include <string>
#include <string_view>

namespace samestory::text {

/// NFKC-normalises one line (utf8proc), folds typographic quotes to ' and ", dashes to -,
/// collapses runs of white space to one space and trims. Case is kept (tokens are casefolded
/// separately, so entity detection can still see capitals). Invalid UTF-8 bytes become U+FFFD.
std::string normalize_line(std::string_view line);
/// The same into `out` (its contents replaced; its capacity reused).
void normalize_line(std::string_view line, std::string& out);

namespace detail {
/// normalize_line without its fast path (every line through utf8proc): the reference the
/// fast path (ASCII, typographic quotes and dashes, a few symbols) is tested against.
std::string normalize_line_unicode(std::string_view line);
}  // namespace detail

/// Appends the Unicode case folding of `token` to `out` (ASCII fast path).
void append_casefold(std::string& out, std::string_view token);

}  // namespace samestory::text
