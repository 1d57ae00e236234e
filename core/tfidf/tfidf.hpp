#pragma once
// TF-IDF: sublinear term frequency, smoothed inverse document frequency, L2-normalised
// Eigen sparse vectors. Terms are 64-bit hashes; the model maps them to dense indices.

#include <Eigen/SparseCore>
#include <compare>
#include <cstddef>
#include <cstdint>
#include <span>
#include <type_traits>
#include <utility>
#include <vector>

namespace samestory::tfidf {

using SparseVector = Eigen::SparseVector<float, Eigen::ColMajor, std::int32_t>;

/// Many vectors stored flat, one row each (compressed row-major: one index and one value
/// array for all rows, no allocation per vector).
using SparseRows = Eigen::SparseMatrix<float, Eigen::RowMajor, std::int32_t>;

/// One row of a SparseRows, as raw arrays.
struct Row {
  const std::int32_t* index = nullptr;
  const float* value = nullptr;
  std::size_t size = 0;
};
inline Row row(const SparseRows& m, Eigen::Index r) {
  const auto b = m.outerIndexPtr()[r], e = m.outerIndexPtr()[r + 1];
  return {m.innerIndexPtr() + b, m.valuePtr() + b, static_cast<std::size_t>(e - b)};
}
inline Row row(const SparseVector& v) {
  return {v.innerIndexPtr(), v.valuePtr(), static_cast<std::size_t>(v.nonZeros())};
}

/// m.resizeNonZeros(nnz), its index and value arrays advised for huge pages before anything
/// is written to them (m's entries are left unset).
void resize_entries(SparseRows& m, std::int64_t nnz);

/// The vectors as rows of `cols` columns (each vector's size must not exceed it).
SparseRows to_rows(std::span<const SparseVector> vectors, Eigen::Index cols);
/// Row r as a vector of size m.cols().
SparseVector to_vector(const SparseRows& m, Eigen::Index r);

/// One term of a document and its count: 12 bytes (a std::pair of the two takes 16), as the
/// term counts of every story doc are held at once before TF-IDF. The term is kept as two 32-bit
/// halves, so the struct is 4-aligned without packing and no reference to a misaligned 64-bit
/// member can exist. Ordered as the pair (term, count) is, and decomposed as it is
/// (`const auto& [term, count] = tc`, by value).
class TermCount {
 public:
  constexpr TermCount() = default;
  constexpr TermCount(std::uint64_t term, std::uint32_t n)
      : lo_(static_cast<std::uint32_t>(term)), hi_(static_cast<std::uint32_t>(term >> 32)), count(n) {}
  template <class A, class B>
  constexpr TermCount(const std::pair<A, B>& p) : TermCount(p.first, p.second) {}  // NOLINT: implicit, as pair's
  constexpr std::uint64_t term() const { return static_cast<std::uint64_t>(hi_) << 32 | lo_; }
  template <std::size_t I>
  constexpr auto get() const {
    if constexpr (I == 0)
      return term();
    else
      return count;
  }
  friend constexpr bool operator==(const TermCount&, const TermCount&) = default;
  friend constexpr auto operator<=>(const TermCount& a, const TermCount& b) {
    return a.term() != b.term() ? a.term() <=> b.term() : a.count <=> b.count;
  }

 private:
  std::uint32_t lo_ = 0, hi_ = 0;

 public:
  std::uint32_t count = 0;
};
static_assert(sizeof(TermCount) == 12);
}  // namespace samestory::tfidf

template <>
struct std::tuple_size<samestory::tfidf::TermCount> : std::integral_constant<std::size_t, 2> {};
template <>
struct std::tuple_element<0, samestory::tfidf::TermCount> {
  using type = std::uint64_t;
};
template <>
struct std::tuple_element<1, samestory::tfidf::TermCount> {
  using type = std::uint32_t;
};

namespace samestory::tfidf {

/// Distinct terms of one document with their counts, sorted by term.
using TermCounts = std::vector<TermCount>;

/// Sorts `terms` and run-length encodes them into `out` (replacing its contents; a fresh `out`
/// gets no spare capacity).
void count_terms(std::vector<std::uint64_t>& terms, TermCounts& out);

/// Document frequencies and idf weights learnt from a corpus: idf(t) = ln((1 + N) / (1 + df)) + 1.
class IdfModel {
 public:
  /// Learns from documents (each a TermCounts); terms in fewer than min_df documents are
  /// dropped. The result does not depend on thread count.
  static IdfModel fit(std::span<const TermCounts> docs, std::uint32_t min_df = 1);

  /// w(t) = (1 + ln tf) * idf(t) for known terms, L2-normalised. Unknown terms are ignored.
  SparseVector transform(const TermCounts& doc) const;
  /// transform of every document, one row each (rows in parallel; the same values). With
  /// max_terms > 0, each row keeps only its max_terms highest weights (ties by index), and is
  /// L2-normalised over those.
  SparseRows transform_rows(std::span<const TermCounts> docs, std::size_t max_terms = 0) const;

  /// idf of a term, or 0 when unknown.
  double idf(std::uint64_t term) const;
  /// Index of a term, or -1 when unknown.
  std::int32_t index(std::uint64_t term) const;
  std::size_t vocabulary_size() const noexcept { return terms_.size(); }
  std::size_t documents() const noexcept { return docs_; }

 private:
  /// Open-addressing table term -> index (one probe per known term, usually), built by fit.
  std::int32_t lookup(std::uint64_t term) const;
  /// transform's entries (index, weight), L2-normalised, appended to `out` (the top max_terms
  /// of them when max_terms > 0).
  void transform_into(const TermCounts& doc, std::vector<std::pair<std::int32_t, float>>& out,
                      std::size_t max_terms = 0) const;
  void build_table();

  std::vector<std::uint64_t> terms_;  // sorted; position = vector index
  std::vector<float> idf_;
  std::vector<std::int32_t> table_;  // slots of indices into terms_, -1 = empty; size a power of two
  std::uint64_t mask_ = 0;
  std::size_t docs_ = 0;
};

/// Documents per CountBlock: every block of a corpus but its last holds this many.
inline constexpr std::size_t kBlockDocs = 1024;

/// The term counts (each doc's sorted by term) of up to kBlockDocs consecutive documents in one
/// array, doc after doc. The story stage holds those of every article at once: one allocation a
/// block instead of one a document, and a pass over the docs reads memory in order.
class CountBlock {
 public:
  /// Appends a document's counts.
  void add(std::span<const TermCount> doc) {
    counts_.insert(counts_.end(), doc.begin(), doc.end());
    ends_.push_back(counts_.size());
  }
  std::size_t docs() const noexcept { return ends_.size(); }
  /// Document k's counts.
  std::span<TermCount> doc(std::size_t k) noexcept {
    return {counts_.data() + (k == 0 ? 0 : ends_[k - 1]), counts_.data() + ends_[k]};
  }
  std::span<const TermCount> doc(std::size_t k) const noexcept {
    return {counts_.data() + (k == 0 ? 0 : ends_[k - 1]), counts_.data() + ends_[k]};
  }
  /// Removes every document (the arrays keep their capacity).
  void clear() noexcept {
    counts_.clear();
    ends_.clear();
  }

 private:
  std::vector<std::size_t> ends_;  ///< per doc, the end of its counts in counts_
  std::vector<TermCount> counts_;
};

/// The counts of one TermCounts per document, copied into blocks of kBlockDocs documents.
std::vector<CountBlock> to_blocks(std::span<const TermCounts> docs);

/// IdfModel::fit(docs, min_df).transform_rows(docs, max_terms), without keeping the model: term
/// occurrences are sorted a slice of the term space at a time, and each occurrence's hash in
/// `blocks` is overwritten with its vector index as its term is counted, so no term is looked
/// up afterwards and no table of the vocabulary is built (less memory and time for large
/// corpora). Document d is document d % kBlockDocs of block d / kBlockDocs: every block but the
/// last must hold kBlockDocs documents (std::invalid_argument otherwise). `blocks` is left
/// holding indices, not terms.
SparseRows fit_rows(std::span<CountBlock> blocks, std::uint32_t min_df = 1, std::size_t max_terms = 0);
/// The same over one TermCounts per document (copied by to_blocks; `docs` is not changed).
SparseRows fit_rows(std::span<const TermCounts> docs, std::uint32_t min_df = 1, std::size_t max_terms = 0);

/// Cosine of two L2-normalised vectors (their dot product); 0 when either is empty. Bit for bit
/// Eigen's sparse dot (products summed in float in index order), without its branches.
double cosine(const SparseVector& a, const SparseVector& b);
/// The same over raw rows: an AVX2 merge join when the CPU has it (chosen at run time), else the
/// portable one; both give the same bits.
double cosine(Row a, Row b);

/// Which cosine code runs: `best` is the run-time choice; `avx2` throws std::invalid_argument
/// where the CPU lacks it. For tests and benchmarks.
enum class CosinePath { best, portable, avx2 };
double cosine(Row a, Row b, CosinePath path);

/// One row spread over a dense array of its matrix's columns, for the cosines of one doc with
/// many (the story stage compares each doc with its candidates in turn): dot(b) reads b's
/// entries once each and looks a's weight up by index, instead of merging the two rows; a
/// bitmap of a's indices (hashed into 2^16 bits, in L1 cache) keeps the lookups of b's other
/// terms out of the array. Bit for bit cosine(a, b): the matched products are added in b's
/// index order, which is the merge's. The array holds `cols` floats (4 bytes a column), zero
/// outside the row that is set.
class ScatteredRow {
 public:
  explicit ScatteredRow(Eigen::Index cols = 0);
  /// Columns the array covers; a row with a larger index is compared by the merge instead.
  Eigen::Index cols() const noexcept { return static_cast<Eigen::Index>(dense_.size() - 1); }
  /// Spreads `a` (its indices below cols(); a copy is kept), clearing the row set before.
  void set(Row a);
  /// Clears the row set (the array is all zero again).
  void clear() { set(Row{}); }
  /// cosine(a, b) for the row a that is set.
  double dot(Row b) const;

 private:
  static constexpr std::uint32_t kBits = 1u << 16;
  static constexpr std::size_t kBitWords = kBits / 64;
  std::vector<float> dense_;         ///< cols + 1: the last is a zero no row writes
  std::vector<std::uint64_t> bits_;  ///< bit x % kBits set for each index x of the row
  std::vector<std::int32_t> index_;  ///< the row set (cleared from the arrays by the next set)
  std::vector<float> value_;
};

}  // namespace samestory::tfidf
