#include "tfidf/tfidf.hpp"

#include <tbb/parallel_sort.h>

#include <algorithm>
#include <cmath>

namespace samestory::tfidf {

void count_terms(std::vector<std::uint64_t>& terms, TermCounts& out) {
  std::sort(terms.begin(), terms.end());
  out.clear();
  for (std::size_t i = 0; i < terms.size();) {
    std::size_t j = i + 1;
    while (j < terms.size() && terms[j] == terms[i]) ++j;
    out.emplace_back(terms[i], static_cast<std::uint32_t>(j - i));
    i = j;
  }
}

IdfModel IdfModel::fit(std::span<const TermCounts> docs, std::uint32_t min_df) {
  std::size_t total = 0;
  for (const auto& d : docs) total += d.size();
  std::vector<std::uint64_t> all;
  all.reserve(total);
  for (const auto& d : docs)
    for (const auto& [term, count] : d) all.push_back(term);
  tbb::parallel_sort(all.begin(), all.end());
  IdfModel m;
  m.docs_ = docs.size();
  const double n = static_cast<double>(docs.size());
  for (std::size_t i = 0; i < all.size();) {
    std::size_t j = i + 1;
    while (j < all.size() && all[j] == all[i]) ++j;
    const std::size_t df = j - i;
    if (df >= min_df) {
      m.terms_.push_back(all[i]);
      m.idf_.push_back(static_cast<float>(std::log((1.0 + n) / (1.0 + static_cast<double>(df))) + 1.0));
    }
    i = j;
  }
  return m;
}

std::int32_t IdfModel::index(std::uint64_t term) const {
  auto it = std::lower_bound(terms_.begin(), terms_.end(), term);
  if (it == terms_.end() || *it != term) return -1;
  return static_cast<std::int32_t>(it - terms_.begin());
}

double IdfModel::idf(std::uint64_t term) const {
  const auto i = index(term);
  return i < 0 ? 0.0 : idf_[static_cast<std::size_t>(i)];
}

SparseVector IdfModel::transform(const TermCounts& doc) const {
  SparseVector v(static_cast<std::int32_t>(terms_.size()));
  std::vector<std::pair<std::int32_t, float>> entries;
  entries.reserve(doc.size());
  double norm2 = 0;
  // doc is sorted by term: gallop forward through the vocabulary from the previous match.
  auto from = terms_.begin();
  for (const auto& [term, count] : doc) {
    std::size_t step = 1;
    auto hi = from;
    while (hi != terms_.end() && *hi < term) {
      from = hi + 1;
      hi = static_cast<std::size_t>(terms_.end() - hi) > step ? hi + static_cast<std::ptrdiff_t>(step) : terms_.end();
      step *= 2;
    }
    from = std::lower_bound(from, hi, term);
    if (from == terms_.end() || *from != term) continue;
    const auto i = static_cast<std::int32_t>(from - terms_.begin());
    const float w = static_cast<float>((1.0 + std::log(static_cast<double>(count))) * idf_[static_cast<std::size_t>(i)]);
    entries.emplace_back(i, w);
    norm2 += static_cast<double>(w) * w;
  }
  if (entries.empty()) return v;
  const auto inv = static_cast<float>(1.0 / std::sqrt(norm2));
  v.reserve(static_cast<Eigen::Index>(entries.size()));
  for (const auto& [i, w] : entries) v.insertBack(i) = w * inv;
  return v;
}

double cosine(const SparseVector& a, const SparseVector& b) {
  if (a.nonZeros() == 0 || b.nonZeros() == 0) return 0.0;
  return static_cast<double>(a.dot(b));
}

}  // namespace samestory::tfidf
