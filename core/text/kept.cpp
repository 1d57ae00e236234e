#include "text/kept.hpp"

namespace samestory::text {

void kept_tokens(const AnalyzedText& t, std::span<const std::uint8_t> boilerplate, std::vector<std::uint64_t>& out,
                 std::vector<std::pair<std::uint32_t, std::uint32_t>>* spans) {
  out.clear();
  for (std::size_t i = 0; i < t.lines.size(); ++i) {
    const auto& l = t.lines[i];
    if (boilerplate[i]) continue;
    if (spans) spans->emplace_back(static_cast<std::uint32_t>(out.size()), static_cast<std::uint32_t>(out.size() + l.end - l.begin));
    out.insert(out.end(), t.tokens.begin() + l.begin, t.tokens.begin() + l.end);
  }
}

}  // namespace samestory::text
