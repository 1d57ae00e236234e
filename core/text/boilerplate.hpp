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
  /// The same, given the hashes of the article's short lines (AnalyzedText::Line::hash != 0).
  void add(std::span<const std::uint64_t> short_line_hashes);
  /// Counts the lines; call once after every article was added.
  void finalize();
  /// True when the line is boilerplate (after finalize()).
  bool is_boilerplate(const AnalyzedText::Line& line) const { return is_boilerplate(line.hash); }
  /// The same, given the line's hash (0, a line too long to be boilerplate, never is).
  bool is_boilerplate(std::uint64_t line_hash) const;
  /// Distinct boilerplate lines found.
  std::size_t size() const noexcept { return boilerplate_.size(); }

 private:
  void distinct_from(std::size_t from);  // one entry per distinct line among seen_[from...]

  std::uint32_t min_docs_;
  std::vector<std::uint64_t> seen_;         // one entry per (article, distinct short line)
  std::vector<std::uint64_t> boilerplate_;  // sorted
};

}  // namespace samestory::text
