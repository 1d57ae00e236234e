#include "text/boilerplate.hpp"

#include <algorithm>
#include <stdexcept>

namespace samestory::text {

BoilerplateModel::BoilerplateModel(std::uint32_t min_docs) : min_docs_(min_docs) {
  if (min_docs < 2) throw std::invalid_argument("boilerplate min_docs must be at least 2");
}

void BoilerplateModel::add(const AnalyzedText& article) {
  const std::size_t from = seen_.size();
  for (const auto& l : article.lines)
    if (l.hash != 0) seen_.push_back(l.hash);
  distinct_from(from);
}

void BoilerplateModel::add(std::span<const std::uint64_t> short_line_hashes) {
  const std::size_t from = seen_.size();
  for (const auto h : short_line_hashes)
    if (h != 0) seen_.push_back(h);
  distinct_from(from);
}

void BoilerplateModel::distinct_from(std::size_t from) {
  std::sort(seen_.begin() + static_cast<std::ptrdiff_t>(from), seen_.end());
  seen_.erase(std::unique(seen_.begin() + static_cast<std::ptrdiff_t>(from), seen_.end()), seen_.end());
}

void BoilerplateModel::finalize() {
  std::sort(seen_.begin(), seen_.end());
  boilerplate_.clear();
  for (std::size_t i = 0; i < seen_.size();) {
    std::size_t j = i;
    while (j < seen_.size() && seen_[j] == seen_[i]) ++j;
    if (j - i >= min_docs_) boilerplate_.push_back(seen_[i]);
    i = j;
  }
  seen_.clear();
  seen_.shrink_to_fit();
}

bool BoilerplateModel::is_boilerplate(std::uint64_t line_hash) const {
  return line_hash != 0 && std::binary_search(boilerplate_.begin(), boilerplate_.end(), line_hash);
}

}  // namespace samestory::text
