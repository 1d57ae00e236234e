#include "tfidf/tfidf.hpp"

#include <tbb/enumerable_thread_specific.h>
#include <tbb/parallel_for.h>

#include <algorithm>
#include <array>

#include "detail/huge_pages.hpp"
#if defined(__SSE2__)
#include <emmintrin.h>
#endif
#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#define SAMESTORY_HAVE_AVX2_COSINE 1
#include <immintrin.h>
#else
#define SAMESTORY_HAVE_AVX2_COSINE 0
#endif
#include <cmath>
#include <limits>
#include <stdexcept>
#include <string>
#include <utility>

namespace samestory::tfidf {

namespace {

/// Sorts term hashes: one bucketing pass on the top bits (hashes spread evenly, about two per
/// bucket), then each bucket by insertion (std::sort when a bucket is large).
void sort_hashes(std::vector<std::uint64_t>& v) {
  const std::size_t n = v.size();
  if (n < 64) {
    std::sort(v.begin(), v.end());
    return;
  }
  unsigned bits = 1;
  while ((std::size_t{1} << (bits + 1)) <= n / 2 && bits < 16) ++bits;
  const std::size_t buckets = std::size_t{1} << bits;
  const unsigned shift = 64 - bits;
  thread_local std::vector<std::uint32_t> start;
  thread_local std::vector<std::uint64_t> tmp;
  start.assign(buckets + 1, 0);
  for (auto x : v) ++start[(x >> shift) + 1];
  for (std::size_t b = 0; b < buckets; ++b) start[b + 1] += start[b];
  tmp.resize(n);
  for (auto x : v) tmp[start[x >> shift]++] = x;  // start[b] ends as the end of bucket b
  std::size_t from = 0;
  for (std::size_t b = 0; b < buckets; ++b) {
    const std::size_t to = start[b];
    if (to - from > 32) {
      std::sort(tmp.begin() + static_cast<std::ptrdiff_t>(from), tmp.begin() + static_cast<std::ptrdiff_t>(to));
    } else {
      for (std::size_t i = from + 1; i < to; ++i) {
        const std::uint64_t x = tmp[i];
        std::size_t k = i;
        for (; k > from && tmp[k - 1] > x; --k) tmp[k] = tmp[k - 1];
        tmp[k] = x;
      }
    }
    from = to;
  }
  v.swap(tmp);
}

}  // namespace

void count_terms(std::vector<std::uint64_t>& terms, TermCounts& out) {
  sort_hashes(terms);
  out.clear();
  // Sized exactly: callers keep these for the whole corpus.
  std::size_t distinct = 0;
  for (std::size_t i = 0; i < terms.size(); ++i) distinct += i == 0 || terms[i] != terms[i - 1];
  out.reserve(distinct);
  for (std::size_t i = 0; i < terms.size();) {
    std::size_t j = i + 1;
    while (j < terms.size() && terms[j] == terms[i]) ++j;
    out.emplace_back(terms[i], static_cast<std::uint32_t>(j - i));
    i = j;
  }
}

namespace {

/// A row's raw weights out[first..] (sorted by index): its max_terms highest (ties by index)
/// when max_terms > 0, then L2-normalised.
void finish_row(std::vector<std::pair<std::int32_t, float>>& out, std::size_t first, std::size_t max_terms) {
  if (out.size() == first) return;
  if (max_terms > 0 && out.size() - first > max_terms) {
    const auto b = out.begin() + static_cast<std::ptrdiff_t>(first);
    std::nth_element(b, b + static_cast<std::ptrdiff_t>(max_terms), out.end(), [](const auto& x, const auto& y) {
      return x.second != y.second ? x.second > y.second : x.first < y.first;
    });
    out.resize(first + max_terms);
    std::sort(b, out.end());
  }
  double norm2 = 0;
  for (std::size_t k = first; k < out.size(); ++k) norm2 += static_cast<double>(out[k].second) * out[k].second;
  const auto inv = static_cast<float>(1.0 / std::sqrt(norm2));
  for (std::size_t k = first; k < out.size(); ++k) out[k].second *= inv;
}

/// ln of small counts, computed once (the same values as std::log: most terms occur once or twice).
const std::array<double, 256> kLogSmall = [] {
  std::array<double, 256> t{};
  for (std::size_t c = 1; c < t.size(); ++c) t[c] = std::log(static_cast<double>(c));
  return t;
}();

/// The weight of a term seen `count` times with the given idf.
inline float weight(std::uint32_t count, float idf) {
  const double ln = count < kLogSmall.size() ? kLogSmall[count] : std::log(static_cast<double>(count));
  return static_cast<float>((1.0 + ln) * idf);
}

/// idf of a term in df of n documents.
inline float idf_of(std::size_t df, double n) {
  return static_cast<float>(std::log((1.0 + n) / (1.0 + static_cast<double>(df))) + 1.0);
}

}  // namespace

IdfModel IdfModel::fit(std::span<const TermCounts> docs, std::uint32_t min_df) {
  // All term occurrences, sorted: written straight into buckets by their top bits (terms are
  // hashes, so the buckets are even), then the buckets sorted in parallel.
  constexpr unsigned kBits = 11;
  constexpr std::size_t kBuckets = std::size_t{1} << kBits;
  std::vector<std::size_t> start(kBuckets + 1, 0);
  for (const auto& d : docs)
    for (const auto& [term, count] : d) ++start[(term >> (64 - kBits)) + 1];
  for (std::size_t b = 0; b < kBuckets; ++b) start[b + 1] += start[b];
  std::vector<std::uint64_t> all(start[kBuckets]);
  {
    std::vector<std::size_t> at(start.begin(), start.end() - 1);
    for (const auto& d : docs)
      for (const auto& [term, count] : d) all[at[term >> (64 - kBits)]++] = term;
  }
  tbb::parallel_for(std::size_t{0}, kBuckets, [&](std::size_t b) {
    std::sort(all.begin() + static_cast<std::ptrdiff_t>(start[b]),
              all.begin() + static_cast<std::ptrdiff_t>(start[b + 1]));
  });
  IdfModel m;
  m.docs_ = docs.size();
  const double n = static_cast<double>(docs.size());
  for (std::size_t i = 0; i < all.size();) {
    std::size_t j = i + 1;
    while (j < all.size() && all[j] == all[i]) ++j;
    const std::size_t df = j - i;
    if (df >= min_df) {
      m.terms_.push_back(all[i]);
      m.idf_.push_back(idf_of(df, n));
    }
    i = j;
  }
  m.build_table();
  return m;
}

namespace {
// Terms are already hashes; the multiply spreads any structure in the low bits.
inline std::uint64_t slot_of(std::uint64_t term) {
  return (term * 0x9E3779B97F4A7C15ULL) >> 20;
}
}  // namespace

void IdfModel::build_table() {
  std::size_t size = 16;
  while (size < terms_.size() * 2) size *= 2;
  table_.assign(size, -1);
  mask_ = size - 1;
  for (std::size_t i = 0; i < terms_.size(); ++i) {
    std::uint64_t s = slot_of(terms_[i]) & mask_;
    while (table_[s] >= 0) s = (s + 1) & mask_;
    table_[s] = static_cast<std::int32_t>(i);
  }
}

std::int32_t IdfModel::lookup(std::uint64_t term) const {
  if (table_.empty()) return -1;
  for (std::uint64_t s = slot_of(term) & mask_;; s = (s + 1) & mask_) {
    const std::int32_t i = table_[s];
    if (i < 0) return -1;
    if (terms_[static_cast<std::size_t>(i)] == term) return i;
  }
}

std::int32_t IdfModel::index(std::uint64_t term) const {
  return lookup(term);
}

double IdfModel::idf(std::uint64_t term) const {
  const auto i = index(term);
  return i < 0 ? 0.0 : idf_[static_cast<std::size_t>(i)];
}

void IdfModel::transform_into(const TermCounts& doc, std::vector<std::pair<std::int32_t, float>>& out,
                              std::size_t max_terms) const {
  const std::size_t first = out.size();
  // The lookups miss the cache once the vocabulary is large: read every term's home slot
  // first (prefetched), then its vocabulary entry (prefetched), so the misses overlap. A term
  // whose home slot holds another term takes the full probe.
  thread_local std::vector<std::int32_t> home;
  home.assign(doc.size(), -1);
  if (!table_.empty()) {
    for (const auto& [term, count] : doc) __builtin_prefetch(&table_[slot_of(term) & mask_]);
    for (std::size_t k = 0; k < doc.size(); ++k) {
      const std::int32_t c = table_[slot_of(doc[k].term()) & mask_];
      home[k] = c;
      if (c >= 0) {
        __builtin_prefetch(&terms_[static_cast<std::size_t>(c)]);
        __builtin_prefetch(&idf_[static_cast<std::size_t>(c)]);
      }
    }
  }
  // doc is sorted by term and indices follow term order, so the entries come out sorted.
  for (std::size_t k = 0; k < doc.size(); ++k) {
    const auto& [term, count] = doc[k];
    const std::int32_t c = home[k];
    const std::int32_t i = c < 0 ? -1 : terms_[static_cast<std::size_t>(c)] == term ? c : lookup(term);
    if (i < 0) continue;
    out.emplace_back(i, weight(count, idf_[static_cast<std::size_t>(i)]));
  }
  finish_row(out, first, max_terms);
}

SparseVector IdfModel::transform(const TermCounts& doc) const {
  SparseVector v(static_cast<std::int32_t>(terms_.size()));
  thread_local std::vector<std::pair<std::int32_t, float>> entries;
  entries.clear();
  transform_into(doc, entries);
  v.reserve(static_cast<Eigen::Index>(entries.size()));
  for (const auto& [i, w] : entries) v.insertBack(i) = w;
  return v;
}

namespace {

/// Builds rows from per-chunk entry lists: rows [c * chunk, ...) of chunk c, with their sizes.
template <class Fill>
SparseRows build_rows(std::size_t n, Eigen::Index cols, Fill fill) {
  constexpr std::size_t kChunk = 1024;
  const std::size_t chunks = (n + kChunk - 1) / kChunk;
  std::vector<std::vector<std::pair<std::int32_t, float>>> entries(chunks);
  std::vector<std::int32_t> sizes(n);
  tbb::parallel_for(std::size_t{0}, chunks, [&](std::size_t c) {
    auto& e = entries[c];
    for (std::size_t r = c * kChunk; r < std::min(n, (c + 1) * kChunk); ++r) {
      const std::size_t before = e.size();
      fill(r, e);
      sizes[r] = static_cast<std::int32_t>(e.size() - before);
    }
  });
  SparseRows m(static_cast<Eigen::Index>(n), cols);
  std::int64_t nnz = 0;
  for (std::size_t r = 0; r < n; ++r) {
    m.outerIndexPtr()[r] = static_cast<std::int32_t>(nnz);
    nnz += sizes[r];
    if (nnz > std::numeric_limits<std::int32_t>::max())
      throw std::length_error("over 2^31 TF-IDF entries in one field");
  }
  m.outerIndexPtr()[n] = static_cast<std::int32_t>(nnz);
  resize_entries(m, nnz);
  tbb::parallel_for(std::size_t{0}, chunks, [&](std::size_t c) {
    auto& e = entries[c];
    const std::size_t at = static_cast<std::size_t>(m.outerIndexPtr()[c * kChunk]);
    for (std::size_t k = 0; k < e.size(); ++k) {
      m.innerIndexPtr()[at + k] = e[k].first;
      m.valuePtr()[at + k] = e[k].second;
    }
    std::vector<std::pair<std::int32_t, float>>().swap(e);
  });
  return m;
}

}  // namespace

SparseRows IdfModel::transform_rows(std::span<const TermCounts> docs, std::size_t max_terms) const {
  return build_rows(docs.size(), static_cast<Eigen::Index>(terms_.size()),
                    [&](std::size_t r, auto& out) { transform_into(docs[r], out, max_terms); });
}

SparseRows fit_rows(std::span<CountBlock> blocks, std::uint32_t min_df, std::size_t max_terms) {
  const std::size_t chunks = blocks.size();
  for (std::size_t c = 0; c + 1 < chunks; ++c)
    if (blocks[c].docs() != kBlockDocs)
      throw std::invalid_argument("fit_rows: a block before the last holds " + std::to_string(blocks[c].docs()) +
                                  " documents, not kBlockDocs (" + std::to_string(kBlockDocs) + ")");
  const std::size_t n = chunks == 0 ? 0 : (chunks - 1) * kBlockDocs + blocks.back().docs();
  // Each term occurrence's hash is overwritten with its vector index (kDropped: its term is
  // dropped) once its slice is counted; idf per index.
  constexpr std::uint64_t kDropped = ~std::uint64_t{0};
  std::vector<float> idf;
  // Occurrences are taken group by group, a group being the terms whose top kGroupBits bits are
  // g, so one group's records are in memory at a time; docs are sorted by term, so each doc's
  // terms of group g follow those of group g - 1 (cursor[d] marks where they start). A group is
  // sorted by a parallel radix sort: into kParts partitions on the next kPartBits bits (each
  // block of docs writing its records to its own slots of each partition), then each partition
  // by a counting sort on the bits after those, with an insertion sort of the few records that
  // share a bucket (terms are hashes, so they spread evenly).
  constexpr unsigned kGroupBits = 3, kPartBits = 8;
  constexpr std::size_t kParts = std::size_t{1} << kPartBits;
  struct Record {
    std::uint64_t term;
    std::size_t slot;  // where the occurrence's index goes in index_at
  };
  auto part_of = [](std::uint64_t term) {
    return static_cast<std::size_t>(term >> (64 - kGroupBits - kPartBits) & (kParts - 1));
  };
  std::vector<std::uint32_t> cursor(n, 0), until(n, 0), kept_terms(n, 0);
  std::vector<std::size_t> slot(chunks * kParts), part_begin(kParts + 1), kept(kParts + 1);
  std::vector<Record> group, sorted;
  std::vector<std::uint64_t> index_at;  // per slot of the group, the index of its term
  tbb::enumerable_thread_specific<std::vector<std::size_t>> bucket_scratch;
  const double docs_n = static_cast<double>(n);
  // Each pass below reads one slice of every doc's counts, doc after doc: about an eighth of
  // each doc, so the slices lie apart and the next docs' slices are hinted a few docs ahead.
  constexpr std::size_t kAhead = 4;
  auto prefetch_slice = [&](const CountBlock& block, std::size_t k, std::size_t d) {
    if (k + kAhead >= block.docs()) return;
    const auto doc = block.doc(k + kAhead);
    const std::size_t at = cursor[d + kAhead];
    if (at >= doc.size()) return;
    __builtin_prefetch(doc.data() + at);
    __builtin_prefetch(doc.data() + std::min<std::size_t>(at + 6, doc.size() - 1));  // the next line
  };
  for (std::uint64_t g = 0; g < (std::uint64_t{1} << kGroupBits); ++g) {
    // This group's terms of each doc, [cursor[d], until[d]), counted per block and partition.
    tbb::parallel_for(std::size_t{0}, chunks, [&](std::size_t c) {
      std::size_t* count = slot.data() + c * kParts;
      std::fill(count, count + kParts, 0);
      for (std::size_t k = 0, d = c * kBlockDocs; k < blocks[c].docs(); ++k, ++d) {
        prefetch_slice(blocks[c], k, d);
        const auto doc = blocks[c].doc(k);
        std::uint32_t i = cursor[d];
        for (; i < doc.size() && doc[i].term() >> (64 - kGroupBits) == g; ++i) ++count[part_of(doc[i].term())];
        until[d] = i;
      }
    });
    // Partition p holds block 0's records, then block 1's, ...: slot[c][p] becomes where block
    // c's records of partition p start.
    std::size_t size = 0;
    for (std::size_t p = 0; p < kParts; ++p) {
      part_begin[p] = size;
      for (std::size_t c = 0; c < chunks; ++c) size += std::exchange(slot[c * kParts + p], size);
    }
    part_begin[kParts] = size;
    detail::resize_scratch(group, size);
    detail::resize_scratch(sorted, size);
    detail::resize_scratch(index_at, size);
    // Each block walks its docs' records in order, giving each the next slot of its partition;
    // the walk is replayed below to read the indices back in the same order.
    auto walk = [&](std::size_t c, auto&& visit) {
      std::array<std::size_t, kParts> at;
      std::copy(slot.begin() + static_cast<std::ptrdiff_t>(c * kParts),
                slot.begin() + static_cast<std::ptrdiff_t>((c + 1) * kParts), at.begin());
      for (std::size_t k = 0, d = c * kBlockDocs; k < blocks[c].docs(); ++k, ++d) {
        prefetch_slice(blocks[c], k, d);
        const auto doc = blocks[c].doc(k);
        for (std::uint32_t i = cursor[d]; i < until[d]; ++i) visit(d, doc[i], at[part_of(doc[i].term())]++);
      }
    };
    tbb::parallel_for(std::size_t{0}, chunks, [&](std::size_t c) {
      walk(c, [&](std::size_t, const auto& term_count, std::size_t at) { group[at] = {term_count.term(), at}; });
    });
    // Each partition sorted into `sorted`, and its kept terms counted: indices follow term
    // order, so a partition's first index is the number of kept terms before it.
    tbb::parallel_for(std::size_t{0}, kParts, [&](std::size_t p) {
      const std::size_t lo = part_begin[p], hi = part_begin[p + 1];
      unsigned bits = 1;
      while (bits < 20 && (std::size_t{1} << bits) < hi - lo) ++bits;
      const unsigned shift = 64 - kGroupBits - kPartBits - bits;
      const std::size_t mask = (std::size_t{1} << bits) - 1;
      auto& start = bucket_scratch.local();
      start.assign(mask + 2, 0);
      for (std::size_t i = lo; i < hi; ++i) ++start[(group[i].term >> shift & mask) + 1];
      for (std::size_t b = 0; b <= mask; ++b) start[b + 1] += start[b];
      for (std::size_t i = lo; i < hi; ++i) sorted[lo + start[group[i].term >> shift & mask]++] = group[i];
      // start[b] is now the end of bucket b: sort each bucket by insertion.
      for (std::size_t b = 0, from = lo; b <= mask; from = lo + start[b++]) {
        const std::size_t to = lo + start[b];
        for (std::size_t i = from + 1; i < to; ++i)
          for (std::size_t k = i; k > from && sorted[k - 1].term > sorted[k].term; --k)
            std::swap(sorted[k - 1], sorted[k]);
      }
      std::size_t terms = 0;
      for (std::size_t i = lo; i < hi;) {
        std::size_t j = i + 1;
        while (j < hi && sorted[j].term == sorted[i].term) ++j;
        terms += j - i >= min_df;
        i = j;
      }
      kept[p + 1] = terms;
    });
    kept[0] = idf.size();
    for (std::size_t p = 0; p < kParts; ++p) kept[p + 1] += kept[p];
    if (kept[kParts] > static_cast<std::size_t>(std::numeric_limits<std::int32_t>::max()))
      throw std::length_error("over 2^31 distinct TF-IDF terms in one field");
    detail::resize_huge(idf, kept[kParts]);
    tbb::parallel_for(std::size_t{0}, kParts, [&](std::size_t p) {
      std::size_t next = kept[p];
      const std::size_t hi = part_begin[p + 1];
      for (std::size_t i = part_begin[p]; i < hi;) {
        std::size_t j = i + 1;
        while (j < hi && sorted[j].term == sorted[i].term) ++j;
        std::uint64_t index = kDropped;
        if (j - i >= min_df) {
          index = next++;
          idf[index] = idf_of(j - i, docs_n);
        }
        for (std::size_t k = i; k < j; ++k) index_at[sorted[k].slot] = index;  // within the partition
        i = j;
      }
    });
    // The indices written over the terms doc by doc, in order (not at random across the corpus).
    tbb::parallel_for(std::size_t{0}, chunks, [&](std::size_t c) {
      walk(c, [&](std::size_t d, auto& term_count, std::size_t at) {
        term_count = {index_at[at], term_count.count};
        kept_terms[d] += index_at[at] != kDropped;
      });
      for (std::size_t k = 0, d = c * kBlockDocs; k < blocks[c].docs(); ++k, ++d) cursor[d] = until[d];
    });
  }
  std::vector<Record>().swap(group);
  std::vector<Record>().swap(sorted);
  std::vector<std::uint64_t>().swap(index_at);
  // Every row's size is known now (its kept terms, at most max_terms), so the rows are written
  // straight into the matrix: no second copy of the field.
  SparseRows m(static_cast<Eigen::Index>(n), static_cast<Eigen::Index>(idf.size()));
  std::int64_t nnz = 0;
  for (std::size_t d = 0; d < n; ++d) {
    m.outerIndexPtr()[d] = static_cast<std::int32_t>(nnz);
    nnz += static_cast<std::int64_t>(max_terms > 0 ? std::min<std::size_t>(kept_terms[d], max_terms) : kept_terms[d]);
    if (nnz > std::numeric_limits<std::int32_t>::max())
      throw std::length_error("over 2^31 TF-IDF entries in one field");
  }
  m.outerIndexPtr()[n] = static_cast<std::int32_t>(nnz);
  resize_entries(m, nnz);
  tbb::enumerable_thread_specific<std::vector<std::pair<std::int32_t, float>>> rows;
  tbb::parallel_for(std::size_t{0}, chunks, [&](std::size_t c) {
    auto& out = rows.local();
    for (std::size_t k = 0, d = c * kBlockDocs; k < blocks[c].docs(); ++k, ++d) {
      const auto doc = blocks[c].doc(k);
      for (const auto& [index, count] : doc)
        if (index != kDropped) __builtin_prefetch(&idf[index]);
      out.clear();
      for (const auto& [index, count] : doc)
        if (index != kDropped) out.emplace_back(static_cast<std::int32_t>(index), weight(count, idf[index]));
      finish_row(out, 0, max_terms);
      const auto at = static_cast<std::size_t>(m.outerIndexPtr()[d]);
      for (std::size_t e = 0; e < out.size(); ++e) {
        m.innerIndexPtr()[at + e] = out[e].first;
        m.valuePtr()[at + e] = out[e].second;
      }
    }
  });
  return m;
}

std::vector<CountBlock> to_blocks(std::span<const TermCounts> docs) {
  std::vector<CountBlock> blocks((docs.size() + kBlockDocs - 1) / kBlockDocs);
  for (std::size_t d = 0; d < docs.size(); ++d) blocks[d / kBlockDocs].add(docs[d]);
  return blocks;
}

SparseRows fit_rows(std::span<const TermCounts> docs, std::uint32_t min_df, std::size_t max_terms) {
  auto blocks = to_blocks(docs);
  return fit_rows(blocks, min_df, max_terms);
}

void resize_entries(SparseRows& m, std::int64_t nnz) {
  m.resizeNonZeros(static_cast<Eigen::Index>(nnz));
  detail::advise_huge_pages(m.innerIndexPtr(), static_cast<std::size_t>(nnz) * sizeof(std::int32_t));
  detail::advise_huge_pages(m.valuePtr(), static_cast<std::size_t>(nnz) * sizeof(float));
}

SparseRows to_rows(std::span<const SparseVector> vectors, Eigen::Index cols) {
  for (const auto& v : vectors)
    if (v.size() > cols) throw std::invalid_argument("vector longer than the rows");
  return build_rows(vectors.size(), cols, [&](std::size_t r, auto& out) {
    for (SparseVector::InnerIterator it(vectors[r]); it; ++it) out.emplace_back(it.index(), it.value());
  });
}

SparseVector to_vector(const SparseRows& m, Eigen::Index r) {
  const Row x = row(m, r);
  SparseVector v(m.cols());
  v.reserve(static_cast<Eigen::Index>(x.size));
  for (std::size_t k = 0; k < x.size; ++k) v.insertBack(x.index[k]) = x.value[k];
  return v;
}

double cosine(const SparseVector& a, const SparseVector& b) {
  return cosine(row(a), row(b));
}

namespace {

/// The scalar merge join from positions i of a and j of b on, added to res: the tail of every
/// cosine path (branch-free; weights are positive, so adding +0.0f for a non-match changes nothing).
inline float merge_rest(Row a, Row b, std::size_t i, std::size_t j, float res) {
  while (i < a.size && j < b.size) {
    const std::int32_t x = a.index[i], y = b.index[j];
    const float p = a.value[i] * b.value[j];
    res += x == y ? p : 0.0f;
    i += x <= y;
    j += y <= x;
  }
  return res;
}

double cosine_portable(Row a, Row b) {
  const std::size_t na = a.size, nb = b.size;
  if (na == 0 || nb == 0) return 0.0;
  const std::int32_t* ia = a.index;
  const std::int32_t* ib = b.index;
  const float* va = a.value;
  const float* vb = b.value;
  // Merge join. Weights are positive, so adding +0.0f for a non-match leaves the float sum
  // exactly as Eigen's (res += a_i * b_i over matching indices, in index order).
  float res = 0.0f;
  std::size_t i = 0, j = 0;
#if defined(__SSE2__)
  // Blocks of four indices against four (SSE2, in every x86-64): matches come out in index
  // order, each once, so the sum is the same as the scalar merge's.
  while (i + 4 <= na && j + 4 <= nb) {
    const __m128i block = _mm_loadu_si128(reinterpret_cast<const __m128i*>(ib + j));
    for (std::size_t k = 0; k < 4; ++k) {
      const int m = _mm_movemask_ps(_mm_castsi128_ps(_mm_cmpeq_epi32(_mm_set1_epi32(ia[i + k]), block)));
      if (m) res += va[i + k] * vb[j + static_cast<std::size_t>(__builtin_ctz(static_cast<unsigned>(m)))];
    }
    const std::int32_t amax = ia[i + 3], bmax = ib[j + 3];
    i += amax <= bmax ? 4 : 0;
    j += bmax <= amax ? 4 : 0;
  }
#endif
  return static_cast<double>(merge_rest(a, b, i, j, res));
}

#if SAMESTORY_HAVE_AVX2_COSINE
/// Per 8-bit mask, the lanes that are set, in order, then the others: a permutation that packs
/// the set lanes of a vector to its front.
struct PackLanes {
  alignas(32) std::int32_t order[256][8];
};
constexpr PackLanes make_pack_lanes() {
  PackLanes t{};
  for (unsigned m = 0; m < 256; ++m) {
    int at = 0;
    for (int l = 0; l < 8; ++l)
      if (m >> l & 1) t.order[m][at++] = l;
    for (int l = 0; l < 8; ++l)
      if (!(m >> l & 1)) t.order[m][at++] = l;
  }
  return t;
}
constexpr PackLanes kPackLanes = make_pack_lanes();

/// The merge join on blocks of eight indices against eight: each of a's lanes is compared with
/// b's block in eight rotations, taking b's value where they match. Blocks advance as in the
/// merge (the one with the smaller last index, or both), so every match is found once and the
/// blocks' matches come in index order; they are added one by one in that order, so the sum is
/// the portable one's bit for bit (no FMA: this function is compiled for AVX2 alone).
__attribute__((target("avx2"))) double cosine_avx2(Row a, Row b) {
  const std::size_t na = a.size, nb = b.size;
  if (na == 0 || nb == 0) return 0.0;
  const std::int32_t* ia = a.index;
  const std::int32_t* ib = b.index;
  const float* va = a.value;
  const float* vb = b.value;
  float res = 0.0f;
  std::size_t i = 0, j = 0;
  const __m256i rotate = _mm256_setr_epi32(1, 2, 3, 4, 5, 6, 7, 0);
  constexpr std::size_t kFound = 256;
  alignas(32) float found[kFound];  // matched products not yet added, in index order
  std::size_t n_found = 0;
  while (i + 8 <= na && j + 8 <= nb) {
    const __m256i x = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(ia + i));
    __m256i y = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(ib + j));
    __m256 yv = _mm256_loadu_ps(vb + j);
    __m256 other = _mm256_setzero_ps();  // per lane of x: b's value at the same index, or 0
    __m256i any = _mm256_setzero_si256();
    for (int r = 0; r < 8; ++r) {
      const __m256i eq = _mm256_cmpeq_epi32(x, y);
      other = _mm256_blendv_ps(other, yv, _mm256_castsi256_ps(eq));
      any = _mm256_or_si256(any, eq);
      y = _mm256_permutevar8x32_epi32(y, rotate);
      yv = _mm256_permutevar8x32_ps(yv, rotate);
    }
    // The matching lanes' products packed to the front (a permutation chosen by the match
    // mask) and appended to `found`: no branch on the matches, which a merge of two similar
    // documents would mispredict block after block. They are summed in order below.
    const unsigned m = static_cast<unsigned>(_mm256_movemask_ps(_mm256_castsi256_ps(any)));
    const __m256 p = _mm256_mul_ps(_mm256_loadu_ps(va + i), other);
    _mm256_storeu_ps(found + n_found, _mm256_permutevar8x32_ps(
                                          p, _mm256_load_si256(reinterpret_cast<const __m256i*>(kPackLanes.order[m]))));
    n_found += static_cast<std::size_t>(__builtin_popcount(m));
    if (n_found > kFound - 8) {
      for (std::size_t k = 0; k < n_found; ++k) res += found[k];
      n_found = 0;
    }
    // Advanced without a branch: which block moves on is as unpredictable as the data.
    const std::int32_t amax = ia[i + 7], bmax = ib[j + 7];
    const auto diff = static_cast<std::int64_t>(amax) - bmax;  // no overflow in 64 bits
    i += static_cast<std::size_t>((diff - 1) >> 63) & 8;       // amax <= bmax
    j += static_cast<std::size_t>((-diff - 1) >> 63) & 8;      // bmax <= amax
  }
  for (std::size_t k = 0; k < n_found; ++k) res += found[k];
  return static_cast<double>(merge_rest(a, b, i, j, res));
}
#endif

bool avx2_cosine() noexcept {
#if SAMESTORY_HAVE_AVX2_COSINE
  __builtin_cpu_init();
  return __builtin_cpu_supports("avx2");
#else
  return false;
#endif
}

}  // namespace

double cosine(Row a, Row b) {
#if SAMESTORY_HAVE_AVX2_COSINE
  static const bool avx2 = avx2_cosine();
  if (avx2) return cosine_avx2(a, b);
#endif
  return cosine_portable(a, b);
}

ScatteredRow::ScatteredRow(Eigen::Index cols)
    : dense_(static_cast<std::size_t>(std::max<Eigen::Index>(cols, 0)) + 1, 0.0f), bits_(kBitWords, 0) {}

void ScatteredRow::set(Row a) {
  for (const auto i : index_) {
    const auto x = static_cast<std::uint32_t>(i);
    dense_[x] = 0.0f;
    bits_[x % kBits / 64] = 0;
  }
  index_.clear();
  value_.clear();
  if (a.size > 0 && (a.index[0] < 0 || a.index[a.size - 1] >= cols()))
    throw std::invalid_argument("ScatteredRow::set: a row index outside the array's columns");
  index_.assign(a.index, a.index + a.size);
  value_.assign(a.value, a.value + a.size);
  for (std::size_t e = 0; e < a.size; ++e) {
    const auto x = static_cast<std::uint32_t>(a.index[e]);
    dense_[x] = a.value[e];
    bits_[x % kBits / 64] |= std::uint64_t{1} << (x % 64);
  }
}

double ScatteredRow::dot(Row b) const {
  if (index_.empty() || b.size == 0) return 0.0;
  // Rows are sorted by index: b fits the array when its first and last entries do.
  if (b.index[0] < 0 || b.index[b.size - 1] >= cols())
    return cosine(Row{index_.data(), value_.data(), index_.size()}, b);
  // An index whose bit is clear is not in a: it reads the zero past the columns, which set()
  // never writes, so the loads that reach the array (a large one, for a field with millions of
  // terms) are a's own entries, in cache since set(). A non-match adds +0.0f, which changes
  // nothing (as in merge_rest). An AVX2 gather of eight weights at a time, the matched
  // products packed as in cosine_avx2, was measured no faster (docs/performance.md).
  const float* const dense = dense_.data();
  const std::uint64_t* const bits = bits_.data();
  const auto none = static_cast<std::uint32_t>(dense_.size() - 1);
  float res = 0.0f;
  for (std::size_t j = 0; j < b.size; ++j) {
    const auto x = static_cast<std::uint32_t>(b.index[j]);
    const auto in = static_cast<std::uint32_t>(bits[x % kBits / 64] >> (x % 64) & 1);
    const std::uint32_t pick = 0u - in;  // all ones when the bit is set: no branch
    res += dense[(x & pick) | (none & ~pick)] * b.value[j];
  }
  return static_cast<double>(res);
}

double cosine(Row a, Row b, CosinePath path) {
  switch (path) {
    case CosinePath::portable:
      return cosine_portable(a, b);
    case CosinePath::avx2:
#if SAMESTORY_HAVE_AVX2_COSINE
      if (avx2_cosine()) return cosine_avx2(a, b);
#endif
      throw std::invalid_argument("the AVX2 cosine is not available on this machine");
    case CosinePath::best:
      break;
  }
  return cosine(a, b);
}

}  // namespace samestory::tfidf
