#pragma once
// Boilerplate lines: short lines that recur verbatim across many articles.

#include <cstdint>
#include <span>
#include <vector>

#include "text/tokenize.hpp"

namespace samestory::text {

/// Learns which short lines recur across at least `min_docs` articles ("Related Articles",
/// "Leave a Reply", a copyright footer). Built by sorting, so the result does not depend on
/// the order articles are added in.
class BoilerplateModel {
 public:
  /// Lines of at most TextOptions::boilerplate_max_tokens tokens seen in >= min_docs articles
  /// are boilerplate. Throws std::invalid_argument if min_docs < 2.
  explicit BoilerplateModel(std::uint32_t min_docs = 5);

  /// Records the short lines of one article (each line counted once per article).
  void add(const AnalyzedText& article);
  /// Counts the lines; call once after every article was added.
  void finalize();
  /// True when the line is boilerplate (after finalize()).
  bool is_boilerplate(const AnalyzedText::Line& line) const;
  /// Distinct boilerplate lines found.
  std::size_t size() const noexcept { return boilerplate_.size(); }

 private:
  std::uint32_t min_docs_;
  std::vector<std::uint64_t> seen_;         // one entry per (article, distinct short line)
  std::vector<std::uint64_t> boilerplate_;  // sorted
};

}  // namespace samestory::text
