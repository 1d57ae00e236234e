#pragma once
// Tokens that survive boilerplate removal: what signatures and story terms are built from.

#include <cstdint>
#include <span>
#include <utility>
#include <vector>

#include "text/tokenize.hpp"

namespace samestory::text {

/// Body tokens of `t` with its boilerplate lines (boilerplate[l] != 0 for line l) removed, into
/// `out`; when `spans` is given, appends the [begin, end) range in `out` of each kept line.
void kept_tokens(const AnalyzedText& t, std::span<const std::uint8_t> boilerplate, std::vector<std::uint64_t>& out,
                 std::vector<std::pair<std::uint32_t, std::uint32_t>>* spans);

}  // namespace samestory::text
