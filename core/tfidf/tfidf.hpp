#pragma once
// TF-IDF: sublinear term frequency, smoothed inverse document frequency, L2-normalised
// Eigen sparse vectors. Terms are 64-bit hashes; the model maps them to dense indices.

#include <Eigen/SparseCore>
#include <cstdint>
#include <span>
#include <utility>
#include <vector>

namespace samestory::tfidf {

using SparseVector = Eigen::SparseVector<float, Eigen::ColMajor, std::int32_t>;

/// Distinct terms of one document with their counts, sorted by term.
using TermCounts = std::vector<std::pair<std::uint64_t, std::uint32_t>>;

/// Sorts `terms` and run-length encodes them into `out` (replacing its contents).
void count_terms(std::vector<std::uint64_t>& terms, TermCounts& out);

/// Document frequencies and idf weights learnt from a corpus: idf(t) = ln((1 + N) / (1 + df)) + 1.
class IdfModel {
 public:
  /// Learns from documents (each a TermCounts); terms in fewer than min_df documents are
  /// dropped. The result does not depend on thread count.
  static IdfModel fit(std::span<const TermCounts> docs, std::uint32_t min_df = 1);

  /// w(t) = (1 + ln tf) * idf(t) for known terms, L2-normalised. Unknown terms are ignored.
  SparseVector transform(const TermCounts& doc) const;

  /// idf of a term, or 0 when unknown.
  double idf(std::uint64_t term) const;
  /// Index of a term, or -1 when unknown.
  std::int32_t index(std::uint64_t term) const;
  std::size_t vocabulary_size() const noexcept { return terms_.size(); }
  std::size_t documents() const noexcept { return docs_; }

 private:
  /// Open-addressing table term -> index (one probe per known term, usually), built by fit.
  std::int32_t lookup(std::uint64_t term) const;
  void build_table();

  std::vector<std::uint64_t> terms_;  // sorted; position = vector index
  std::vector<float> idf_;
  std::vector<std::int32_t> table_;  // slots of indices into terms_, -1 = empty; size a power of two
  std::uint64_t mask_ = 0;
  std::size_t docs_ = 0;
};

/// Cosine of two L2-normalised vectors (their dot product); 0 when either is empty. Bit for bit
/// Eigen's sparse dot (products summed in float in index order), without its branches.
double cosine(const SparseVector& a, const SparseVector& b);

}  // namespace samestory::tfidf
