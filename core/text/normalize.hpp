#pragma once
// Unicode normalisation of article text.

#include <string>
#include <string_view>

namespace samestory::text {

/// NFKC-normalises one line (utf8proc), folds typographic quotes to ' and ", dashes to -,
/// collapses runs of white space to one space and trims. Case is kept (tokens are casefolded
/// separately, so entity detection can still see capitals). Invalid UTF-8 bytes become U+FFFD.
std::string normalize_line(std::string_view line);

/// Appends the Unicode case folding of `token` to `out` (ASCII fast path).
void append_casefold(std::string& out, std::string_view token);

}  // namespace samestory::text
