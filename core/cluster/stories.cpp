#include "cluster/stories.hpp"

#include <tbb/enumerable_thread_specific.h>
#include <tbb/parallel_for.h>
#include <tbb/parallel_sort.h>
#include <xxhash.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <iterator>
#include <limits>
#include <queue>
#include <stdexcept>
#include <string>
#include <tuple>
#include <unordered_map>

#include "cluster/story_sums.hpp"
#include "detail/huge_pages.hpp"

namespace samestory::cluster {

StoryDoc StoryCorpus::doc(std::size_t i) const {
  StoryDoc d;
  for (std::size_t f = 0; f < kStoryFields; ++f) d.fields[f] = tfidf::to_vector(fields[f], row(i));
  for (std::size_t x = 0; x < kStoryExtras; ++x)
    if (extras[x].rows() > 0) d.extras[x] = tfidf::to_vector(extras[x], row(i));
  d.published = published[i];
  d.key = keys[i];
  return d;
}

std::vector<std::uint32_t> StoryCorpus::docs_by_row() const {
  std::vector<std::uint32_t> doc(size());
  for (std::size_t i = 0; i < doc.size(); ++i) doc[static_cast<std::size_t>(row(i))] = static_cast<std::uint32_t>(i);
  return doc;
}

StoryCorpus StoryCorpus::from_docs(std::span<const StoryDoc> docs) {
  StoryCorpus c;
  auto rows = [&](auto vector_of) {
    std::vector<tfidf::SparseVector> v(docs.size());
    Eigen::Index cols = 0;
    std::int64_t nnz = 0;
    for (std::size_t i = 0; i < docs.size(); ++i) {
      v[i] = vector_of(docs[i]);
      cols = std::max(cols, v[i].size());
      nnz += v[i].nonZeros();
    }
    return std::pair(tfidf::to_rows(v, cols), nnz);
  };
  for (std::size_t f = 0; f < kStoryFields; ++f)
    c.fields[f] = rows([&](const StoryDoc& d) { return d.fields[f]; }).first;
  for (std::size_t x = 0; x < kStoryExtras; ++x) {
    auto [m, nnz] = rows([&](const StoryDoc& d) { return d.extras[x]; });
    if (nnz > 0) c.extras[x] = std::move(m);  // else none: 0 rows
  }
  for (const auto& d : docs) {
    c.published.push_back(d.published);
    c.keys.push_back(d.key);
  }
  return c;
}

namespace {

/// The similarity's fields: the four story fields and the numbers (StoryExtra kNumbers).
constexpr std::size_t kSimFields = kStoryFields + 1;

double weight_of(const StoryOptions& o, std::size_t f) {
  return f < kStoryFields ? o.weights[f] : o.number_weight;
}

/// content_similarity from the field cosines: the weighted mean over the fields both docs have
/// (has_a[f], has_b[f]), cos(f) computed only for those.
template <class Cos>
double combine(const StoryOptions& o, const std::array<bool, kSimFields>& has_a,
               const std::array<bool, kSimFields>& has_b, Cos cos) {
  double sum = 0, wsum = 0;
  for (std::size_t f = 0; f < kSimFields; ++f) {
    const double w = weight_of(o, f);
    if (w <= 0 || !has_a[f] || !has_b[f]) continue;
    sum += w * cos(f);
    wsum += w;
  }
  return wsum > 0 ? sum / wsum : 0.0;
}

const tfidf::SparseVector& sim_vector(const StoryDoc& d, std::size_t f) {
  return f < kStoryFields ? d.fields[f] : d.extras[kNumbers];
}

std::array<bool, kSimFields> present(const StoryDoc& d) {
  std::array<bool, kSimFields> has{};
  for (std::size_t f = 0; f < kSimFields; ++f) has[f] = sim_vector(d, f).nonZeros() > 0;
  return has;
}

/// Row i of similarity field f (empty when the corpus has no numbers).
tfidf::Row sim_row(const StoryCorpus& c, std::size_t f, std::size_t i) {
  if (f < kStoryFields) return tfidf::row(c.fields[f], c.row(i));
  const tfidf::SparseRows& m = c.extras[kNumbers];
  return m.rows() > 0 ? tfidf::row(m, c.row(i)) : tfidf::Row{};
}

/// Columns of similarity field f (its terms; 0 when the corpus has no numbers).
std::size_t sim_cols(const StoryCorpus& c, std::size_t f) {
  return static_cast<std::size_t>(f < kStoryFields ? c.fields[f].cols() : c.extras[kNumbers].cols());
}

std::array<tfidf::Row, kSimFields> rows_of(const StoryCorpus& c, std::size_t i) {
  std::array<tfidf::Row, kSimFields> r;
  for (std::size_t f = 0; f < kSimFields; ++f) r[f] = sim_row(c, f, i);
  return r;
}

std::array<bool, kSimFields> present(const std::array<tfidf::Row, kSimFields>& r) {
  std::array<bool, kSimFields> has{};
  for (std::size_t f = 0; f < kSimFields; ++f) has[f] = r[f].size > 0;
  return has;
}

bool far_apart(const std::optional<std::int64_t>& a, const std::optional<std::int64_t>& b, const StoryOptions& o) {
  return a && b && std::abs(static_cast<double>(*a - *b)) / 86400.0 > o.time_gate_days;
}

}  // namespace

double content_similarity(const StoryDoc& a, const StoryDoc& b, const StoryOptions& o) {
  return combine(o, present(a), present(b),
                 [&](std::size_t f) { return tfidf::cosine(sim_vector(a, f), sim_vector(b, f)); });
}

double story_similarity(const StoryDoc& a, const StoryDoc& b, const StoryOptions& o) {
  double s = content_similarity(a, b, o);
  if (far_apart(a.published, b.published, o)) s *= o.time_factor;
  return s;
}

namespace {

using Keyed = std::vector<std::pair<std::uint64_t, std::uint32_t>>;

/// Throws std::invalid_argument unless docs.row_of is empty or gives each doc its own row.
void check_rows(const StoryCorpus& docs) {
  if (docs.row_of.empty()) return;
  const std::size_t n = docs.size();
  std::vector<bool> taken(n, false);
  bool ok = docs.row_of.size() == n;
  for (std::size_t i = 0; ok && i < n; ++i) {
    const std::uint32_t r = docs.row_of[i];
    ok = r < n && !taken[r];
    if (ok) taken[r] = true;
  }
  if (!ok) throw std::invalid_argument("story row_of must give each doc its own row below size(), or be empty");
}

/// (salient term key, doc) entries: each doc's top body and entity terms by weight.
Keyed salient_keys(const StoryCorpus& docs, const StoryOptions& o) {
  const std::size_t n = docs.size();
  std::vector<std::uint32_t> count(n);
  std::vector<std::uint64_t> chosen;
  detail::resize_huge(chosen, n * std::size_t{o.salient_terms});
  const std::vector<std::uint32_t> doc_at = docs.docs_by_row();
  tbb::parallel_for(tbb::blocked_range<std::size_t>(0, n, 64), [&](const auto& r) {
    std::vector<std::pair<float, std::uint64_t>> terms;
    for (std::size_t row = r.begin(); row < r.end(); ++row) {
      const std::size_t i = doc_at[row];
      terms.clear();
      for (std::size_t f : {std::size_t{kBody}, std::size_t{kEntity}}) {
        const tfidf::Row x = tfidf::row(docs.fields[f], static_cast<Eigen::Index>(row));
        for (std::size_t k = 0; k < x.size; ++k)
          terms.emplace_back(x.value[k], (std::uint64_t{f} << 32) | static_cast<std::uint32_t>(x.index[k]));
      }
      const std::size_t k = std::min<std::size_t>(o.salient_terms, terms.size());
      // The k highest (ties by field and index); their order does not matter, as the entries
      // are sorted by key below.
      if (k < terms.size())
        std::nth_element(
            terms.begin(), terms.begin() + static_cast<std::ptrdiff_t>(k), terms.end(),
            [](const auto& x, const auto& y) { return x.first != y.first ? x.first > y.first : x.second < y.second; });
      count[i] = static_cast<std::uint32_t>(k);
      for (std::size_t t = 0; t < k; ++t) chosen[i * o.salient_terms + t] = terms[t].second;
    }
  });
  std::size_t total = 0;
  for (auto c : count) total += c;
  Keyed all;
  all.reserve(total);
  detail::advise_huge_pages(all.data(), total * sizeof(Keyed::value_type));
  for (std::size_t i = 0; i < n; ++i)
    for (std::size_t t = 0; t < count[i]; ++t)
      all.emplace_back(chosen[i * o.salient_terms + t], static_cast<std::uint32_t>(i));
  return all;
}

}  // namespace

std::vector<lsh::Pair> story_candidates(std::span<const StoryDoc> docs, const StoryOptions& o,
                                        lsh::CandidateStats& stats) {
  return story_candidates(StoryCorpus::from_docs(docs), o, stats);
}

std::vector<lsh::Pair> story_candidates(const StoryCorpus& docs, const StoryOptions& o, lsh::CandidateStats& stats) {
  check_rows(docs);
  Keyed keyed = salient_keys(docs, o);
  tbb::parallel_sort(keyed.begin(), keyed.end());  // (key, doc) pairs are distinct: any order of sort agrees
  stats.entries += keyed.size();
  const std::size_t n = docs.size();
  const std::size_t ne = keyed.size();
  if (ne >= std::numeric_limits<std::uint32_t>::max()) throw std::invalid_argument("too many salient-term entries");
  // Buckets (docs sharing a key, in doc order) as [bucket_begin, bucket_end) per entry. A
  // bucket of up to max_bucket docs pairs all its docs; a larger ("hot") one pairs each doc
  // with the first and with the previous doc (as lsh::bucket_pairs does).
  std::vector<std::uint32_t> bucket_begin, bucket_end;
  detail::resize_huge(bucket_begin, ne);
  detail::resize_huge(bucket_end, ne);
  for (std::size_t i = 0; i < ne;) {
    std::size_t j = i + 1;
    while (j < ne && keyed[j].first == keyed[i].first) ++j;
    const std::size_t size = j - i;
    if (size >= 2) {
      ++stats.buckets;
      stats.largest_bucket = std::max<std::uint64_t>(stats.largest_bucket, size);
      if (size <= o.max_bucket) {
        stats.raw_pairs += size * (size - 1) / 2;
      } else {
        ++stats.hot_buckets;
        stats.raw_pairs += 2 * (size - 1) - 1;
      }
    }
    for (std::size_t x = i; x < j; ++x) {
      bucket_begin[x] = static_cast<std::uint32_t>(i);
      bucket_end[x] = static_cast<std::uint32_t>(j);
    }
    i = j;
  }
  // Each doc's entries (positions in keyed), by a counting sort on the doc.
  std::vector<std::uint32_t> doc_start(n + 1, 0), doc_entry;
  detail::resize_huge(doc_entry, ne);
  for (const auto& [key, d] : keyed) ++doc_start[d + 1];
  for (std::size_t d = 0; d < n; ++d) doc_start[d + 1] += doc_start[d];
  {
    std::vector<std::uint32_t> at(doc_start.begin(), doc_start.end() - 1);
    for (std::size_t p = 0; p < ne; ++p) doc_entry[at[keyed[p].second]++] = static_cast<std::uint32_t>(p);
  }
  // The doc of each entry, apart from its key, so the bucket scans below read 4 bytes per entry.
  std::vector<std::uint32_t> entry_doc;
  detail::resize_huge(entry_doc, ne);
  for (std::size_t p = 0; p < ne; ++p) entry_doc[p] = keyed[p].second;
  Keyed().swap(keyed);
  // Per doc d, its partners counted in a dense per-thread array (no list of raw pairs is
  // built); docs are cut into fixed chunks, so the concatenation does not depend on the thread
  // count. Uncapped: the partners j > d sharing at least min_shared salient terms, in (d, j)
  // order. Capped: a pair is kept when it is among the `cap` pairs sharing the most salient
  // terms of either of its docs (ties by the other doc's index), so each doc counts its
  // partners on both sides and keeps its own top `cap`; the union, sorted and de-duplicated, is
  // the result.
  const std::uint32_t cap = o.max_candidates_per_doc;
  constexpr std::size_t kChunk = 512;
  const std::size_t chunks = (n + kChunk - 1) / kChunk;
  std::vector<std::vector<lsh::Pair>> per_chunk(chunks);
  // A pair shares at most salient_terms terms, so a byte per doc counts them (a smaller array
  // stays in cache) unless more than 255 terms are salient.
  const bool narrow = o.salient_terms <= 255;
  struct Scratch {
    std::vector<std::uint8_t> count8;
    std::vector<std::uint32_t> count32, touched;
    std::vector<std::pair<std::uint32_t, std::uint32_t>> best;  // (shared, other)
  };
  tbb::enumerable_thread_specific<Scratch> scratch;
  tbb::parallel_for(std::size_t{0}, chunks, [&](std::size_t ch) {
    Scratch& s = scratch.local();
    if (narrow && s.count8.size() != n) s.count8.assign(n, 0);
    if (!narrow && s.count32.size() != n) s.count32.assign(n, 0);
    auto& out = per_chunk[ch];
    for (std::size_t d = ch * kChunk; d < std::min(n, (ch + 1) * kChunk); ++d) {
      // Each partner is written to `touched` and the end moved on only at its first count: no
      // branch on whether a doc was seen (the docs of a bucket are as good as random). The
      // buckets bound how many can be written.
      std::size_t bound = 0;
      for (std::uint32_t k = doc_start[d]; k < doc_start[d + 1]; ++k) {
        const std::uint32_t p = doc_entry[k], b = bucket_begin[p], e = bucket_end[p];
        bound += e - b <= o.max_bucket || p == b ? e - b : 3;
      }
      if (s.touched.size() < bound) s.touched.resize(bound);
      std::uint32_t* const touched = s.touched.data();
      std::size_t n_touched = 0;
      auto count_all = [&](auto& count) {
        auto add = [&](std::uint32_t j) {
          touched[n_touched] = j;
          n_touched += count[j]++ == 0;
        };
        for (std::uint32_t k = doc_start[d]; k < doc_start[d + 1]; ++k) {
          const std::uint32_t p = doc_entry[k], b = bucket_begin[p], e = bucket_end[p];
          if (e - b <= o.max_bucket || p == b) {
            if (cap > 0)
              for (std::uint32_t q = b; q < p; ++q) add(entry_doc[q]);
            for (std::uint32_t q = p + 1; q < e; ++q) add(entry_doc[q]);
          } else {
            // The chain: (first, p), (p - 1, p) unless p - 1 is the first, (p, p + 1); uncapped
            // counts only the pair whose other doc comes later.
            if (cap > 0) {
              add(entry_doc[b]);
              if (p - 1 > b) add(entry_doc[p - 1]);
            }
            if (p + 1 < e) add(entry_doc[p + 1]);
          }
        }
      };
      auto take = [&](std::uint32_t j) {  // j's count, reset for the next doc
        std::uint32_t c;
        if (narrow) {
          c = s.count8[j];
          s.count8[j] = 0;
        } else {
          c = s.count32[j];
          s.count32[j] = 0;
        }
        return c;
      };
      if (narrow) {
        count_all(s.count8);
      } else {
        count_all(s.count32);
      }
      if (cap == 0) {
        std::sort(touched, touched + n_touched);
        for (std::size_t t = 0; t < n_touched; ++t)
          if (take(touched[t]) >= o.min_shared) out.emplace_back(static_cast<std::uint32_t>(d), touched[t]);
        continue;
      }
      // The partners sharing min_shared terms, kept the same way (most are below it).
      if (s.best.size() < n_touched) s.best.resize(n_touched);
      std::size_t n_best = 0;
      for (std::size_t t = 0; t < n_touched; ++t) {
        const std::uint32_t c = take(touched[t]);
        s.best[n_best] = {c, touched[t]};
        n_best += c >= o.min_shared;
      }
      const auto best_end = s.best.begin() + static_cast<std::ptrdiff_t>(n_best);
      const std::size_t keep = std::min<std::size_t>(cap, n_best);
      std::partial_sort(
          s.best.begin(), s.best.begin() + static_cast<std::ptrdiff_t>(keep), best_end,
          [](const auto& x, const auto& y) { return x.first != y.first ? x.first > y.first : x.second < y.second; });
      for (std::size_t t = 0; t < keep; ++t) {
        const auto j = s.best[t].second, i = static_cast<std::uint32_t>(d);
        out.emplace_back(std::min(i, j), std::max(i, j));
      }
    }
  });
  std::vector<std::uint32_t>().swap(entry_doc);
  std::vector<std::uint32_t>().swap(bucket_begin);
  std::vector<std::uint32_t>().swap(bucket_end);
  std::vector<std::uint32_t>().swap(doc_entry);
  std::size_t pairs = 0;
  for (const auto& c : per_chunk) pairs += c.size();
  std::vector<lsh::Pair> cand;
  cand.reserve(pairs);
  detail::advise_huge_pages(cand.data(), pairs * sizeof(lsh::Pair));
  for (auto& c : per_chunk) {
    cand.insert(cand.end(), c.begin(), c.end());
    std::vector<lsh::Pair>().swap(c);
  }
  if (cap > 0) {
    tbb::parallel_sort(cand.begin(), cand.end());
    cand.erase(std::unique(cand.begin(), cand.end()), cand.end());
  }
  stats.candidate_pairs += cand.size();
  return cand;
}

namespace {

/// A hash of everything the story stage sees of a doc (field and extra vectors, date, canonical
/// key): the order cluster_stories works in, so that the input order does not matter.
std::uint64_t content_hash(const StoryCorpus& c, std::size_t i, std::vector<std::uint64_t>& buf) {
  buf.clear();
  auto add = [&](const tfidf::SparseRows& m, std::size_t tag) {
    const tfidf::Row x = tfidf::row(m, c.row(i));
    for (std::size_t k = 0; k < x.size; ++k) {
      std::uint32_t bits;
      std::memcpy(&bits, &x.value[k], sizeof bits);
      buf.push_back((std::uint64_t{static_cast<std::uint32_t>(x.index[k])} << 32) | bits);
    }
    buf.push_back(~std::uint64_t{0} - tag);
  };
  for (std::size_t f = 0; f < kStoryFields; ++f) add(c.fields[f], f);
  for (std::size_t x = 0; x < kStoryExtras; ++x)
    if (c.extras[x].rows() > 0) add(c.extras[x], kStoryFields + x);
  buf.push_back(c.published[i] ? static_cast<std::uint64_t>(*c.published[i]) : ~std::uint64_t{0});
  buf.push_back(c.keys[i].length);
  return XXH3_64bits(buf.data(), buf.size() * sizeof(std::uint64_t));
}

/// Rows of m in the order `order` (row k of the result is row order[k] of m).
tfidf::SparseRows permute_rows(const tfidf::SparseRows& m, std::span<const std::uint32_t> order) {
  const std::size_t n = order.size();
  tfidf::SparseRows out(static_cast<Eigen::Index>(n), m.cols());
  std::int64_t nnz = 0;
  for (std::size_t k = 0; k < n; ++k) {
    out.outerIndexPtr()[k] = static_cast<std::int32_t>(nnz);
    nnz += tfidf::row(m, order[k]).size;
  }
  out.outerIndexPtr()[n] = static_cast<std::int32_t>(nnz);
  tfidf::resize_entries(out, nnz);
  tbb::parallel_for(tbb::blocked_range<std::size_t>(0, n, 1024), [&](const auto& r) {
    for (std::size_t k = r.begin(); k < r.end(); ++k) {
      const tfidf::Row x = tfidf::row(m, order[k]);
      const auto at = static_cast<std::size_t>(out.outerIndexPtr()[k]);
      std::copy(x.index, x.index + x.size, out.innerIndexPtr() + at);
      std::copy(x.value, x.value + x.size, out.valuePtr() + at);
    }
  });
  return out;
}

/// Lays the rows of every field and extra out in a breadth-first order of the candidate graph
/// (from each unvisited doc in doc order, neighbours in pair order), setting docs.row_of: a
/// doc's partners then lie near it and near each other's, so the similarities, which read the
/// partners' rows of each doc in turn, find more of them in cache than in the content order
/// (docs at random). Only where rows are stored changes; every doc keeps its index. Returns
/// the doc of each row.
std::vector<std::uint32_t> lay_out_rows(StoryCorpus& docs, std::span<const lsh::Pair> cand) {
  const std::size_t n = docs.size();
  std::vector<std::uint32_t> order;
  order.reserve(n);
  {
    std::vector<std::uint32_t> begin(n + 1, 0), next;
    for (const auto& [a, b] : cand) ++begin[a + 1], ++begin[b + 1];
    for (std::size_t i = 0; i < n; ++i) begin[i + 1] += begin[i];
    detail::resize_huge(next, begin[n]);
    std::vector<std::uint32_t> at(begin.begin(), begin.end() - 1);
    for (const auto& [a, b] : cand) next[at[a]++] = b, next[at[b]++] = a;
    std::vector<std::uint8_t> seen(n, 0);
    for (std::size_t s = 0; s < n; ++s) {
      if (seen[s]) continue;
      seen[s] = 1;
      order.push_back(static_cast<std::uint32_t>(s));
      for (std::size_t head = order.size() - 1; head < order.size(); ++head)  // the queue: order's tail
        for (std::uint32_t e = begin[order[head]]; e < begin[order[head] + 1]; ++e)
          if (!seen[next[e]]) {
            seen[next[e]] = 1;
            order.push_back(next[e]);
          }
    }
  }
  std::vector<std::uint32_t> rows(n);
  for (std::size_t p = 0; p < n; ++p) rows[p] = static_cast<std::uint32_t>(docs.row(order[p]));
  for (auto& m : docs.fields) m = permute_rows(m, rows);
  for (auto& m : docs.extras)
    if (m.rows() > 0) m = permute_rows(m, rows);
  docs.row_of.resize(n);
  for (std::size_t p = 0; p < n; ++p) docs.row_of[order[p]] = static_cast<std::uint32_t>(p);
  return order;
}

/// Per candidate pair, its content similarity and whether it is dated beyond the time gate.
void candidate_similarities(const StoryCorpus& docs, std::span<const lsh::Pair> cand, const StoryOptions& o,
                            std::vector<double>& sim, std::vector<std::uint8_t>& far) {
  detail::resize_huge(sim, cand.size());
  detail::resize_huge(far, cand.size());
  // The rows of a pair's second doc are mostly not in cache (pairs are sorted by first doc): they
  // are hinted whole, 12 pairs ahead (3 ahead, at 1M docs, took 7 % more story time).
  constexpr std::size_t kAhead = 12;
  auto hint = [&](std::uint32_t d) {
    for (std::size_t f = 0; f < kSimFields; ++f) {
      const tfidf::Row x = sim_row(docs, f, d);
      for (std::size_t b = 0; b < x.size; b += 16) {
        __builtin_prefetch(x.index + b);
        __builtin_prefetch(x.value + b);
      }
    }
  };
  // Each first doc's rows are spread over dense arrays (per thread) and its partners' rows
  // looked up in them: the same cosines, bit for bit, without merging the two rows.
  tbb::enumerable_thread_specific<std::array<tfidf::ScatteredRow, kSimFields>> scattered([&] {
    std::array<tfidf::ScatteredRow, kSimFields> s;
    for (std::size_t f = 0; f < kSimFields; ++f)
      s[f] = tfidf::ScatteredRow(static_cast<Eigen::Index>(sim_cols(docs, f)));
    return s;
  });
  // Pairs are taken in the row order of their first doc (each doc's pairs together, as sorted),
  // so that, rows being laid out by lay_out_rows, consecutive docs' partners are near in memory.
  const std::size_t n = docs.size();
  std::vector<std::uint32_t> seq;
  detail::resize_huge(seq, cand.size());
  {
    std::vector<std::uint32_t> at(n + 1, 0);
    for (const auto& pr : cand) ++at[static_cast<std::size_t>(docs.row(pr.first)) + 1];
    for (std::size_t r = 0; r < n; ++r) at[r + 1] += at[r];
    for (std::size_t k = 0; k < cand.size(); ++k)
      seq[at[static_cast<std::size_t>(docs.row(cand[k].first))]++] = static_cast<std::uint32_t>(k);
  }
  tbb::parallel_for(tbb::blocked_range<std::size_t>(0, cand.size(), 256), [&](const auto& r) {
    auto& spread = scattered.local();
    std::uint32_t spread_doc = ~std::uint32_t{0};
    std::array<bool, kSimFields> has_i{};
    for (std::size_t t = r.begin(); t < std::min(r.end(), r.begin() + kAhead); ++t) hint(cand[seq[t]].second);
    for (std::size_t t = r.begin(); t < r.end(); ++t) {
      if (t + kAhead < r.end()) hint(cand[seq[t + kAhead]].second);
      const std::size_t k = seq[t];
      const auto [i, j] = cand[k];
      if (i != spread_doc) {
        const auto ri = rows_of(docs, i);
        for (std::size_t f = 0; f < kSimFields; ++f) spread[f].set(ri[f]);
        has_i = present(ri);
        spread_doc = i;
      }
      const auto rj = rows_of(docs, j);
      sim[k] = combine(o, has_i, present(rj), [&](std::size_t f) { return spread[f].dot(rj[f]); });
      far[k] = far_apart(docs.published[i], docs.published[j], o);
    }
    for (auto& s : spread) s.clear();
  });
}

/// A cluster's entity document counts, sorted by entity.
using EntityCounts = std::vector<std::pair<std::uint32_t, std::uint32_t>>;

std::uint32_t count_in(const EntityCounts& c, std::uint32_t t) {
  const auto it = std::lower_bound(c.begin(), c.end(), t, [](const auto& e, std::uint32_t x) { return e.first < x; });
  return it != c.end() && it->first == t ? it->second : 0;
}

/// The sum of two sorted count lists, into out (cleared first).
void merge_counts(const EntityCounts& a, const EntityCounts& b, EntityCounts& out) {
  out.clear();
  out.reserve(a.size() + b.size());
  std::size_t i = 0, j = 0;
  while (i < a.size() || j < b.size()) {
    if (j == b.size() || (i < a.size() && a[i].first < b[j].first)) {
      out.push_back(a[i++]);
    } else if (i == a.size() || b[j].first < a[i].first) {
      out.push_back(b[j++]);
    } else {
      out.emplace_back(a[i].first, a[i].second + b[j].second);
      ++i, ++j;
    }
  }
}

/// cluster_stories on docs already in content order (their rows anywhere: row_of); orig[i] is
/// doc i's input index (the last tie-break of the story lead). Lays the rows out anew.
StoryResult cluster_ordered(StoryCorpus& docs, const StoryOptions& o, std::span<const std::uint32_t> orig) {
  const std::size_t n = docs.size();
  StoryResult res;
  res.lead.resize(n);
  res.score.assign(n, 1.0f);

  // 1. Candidates: pairs sharing >= min_shared salient terms; the rows laid out along them.
  const std::vector<lsh::Pair> cand = story_candidates(docs, o, res.stats.candidates);
  const std::vector<std::uint32_t> doc_at = lay_out_rows(docs, cand);

  // 2. Similarities, in parallel, kept in candidate order: the content similarity, and
  // whether the pair is dated further apart than the time gate (its similarity then counts
  // time_factor times, unless the two clusters it links share their evidence, see below).
  std::vector<double> sim;
  std::vector<std::uint8_t> far;
  candidate_similarities(docs, cand, o, sim, far);

  // 3. Average-link agglomeration over the sparse graph (missing pairs count as 0). Each
  // live cluster keeps the summed similarity to each neighbouring cluster (a list sorted by
  // neighbour); the heap holds candidate merges ordered by average link, ties by ids, with
  // stale entries skipped. A link holds the summed content similarity and the part of it from
  // pairs beyond the time gate; an edge is kept when its time-gated similarity
  // (story_similarity) reaches min_edge.
  struct Link {
    double sum = 0, far = 0;
  };
  using Links = std::vector<std::pair<std::uint32_t, Link>>;
  std::vector<Links> adj(n);
  {
    std::vector<std::uint32_t> degree(n, 0);
    auto kept = [&](std::size_t k) { return (far[k] ? sim[k] * o.time_factor : sim[k]) >= o.min_edge; };
    for (std::size_t k = 0; k < cand.size(); ++k)
      if (kept(k)) ++degree[cand[k].first], ++degree[cand[k].second];
    for (std::size_t i = 0; i < n; ++i) adj[i].reserve(degree[i]);
    // Pairs come sorted by (first, second), so each list is filled in neighbour order: first
    // the docs before it (as second of their pairs), then the docs after it.
    for (std::size_t k = 0; k < cand.size(); ++k) {
      if (!kept(k)) continue;
      ++res.stats.edges;
      const Link l{sim[k], far[k] ? sim[k] : 0.0};
      adj[cand[k].first].emplace_back(cand[k].second, l);
      adj[cand[k].second].emplace_back(cand[k].first, l);
    }
  }
  std::vector<double>().swap(sim);
  std::vector<std::uint8_t>().swap(far);
  auto find_link = [](Links& l, std::uint32_t c) {
    return std::lower_bound(l.begin(), l.end(), c, [](const auto& e, std::uint32_t x) { return e.first < x; });
  };
  std::vector<std::uint32_t> size(n, 1), version(n, 0);
  std::vector<std::uint32_t> parent(n);
  for (std::uint32_t i = 0; i < n; ++i) parent[i] = i;
  using Entry = std::tuple<double, std::uint32_t, std::uint32_t, std::uint32_t, std::uint32_t>;  // avg, a, b, va, vb
  auto worse = [](const Entry& x, const Entry& y) {
    if (std::get<0>(x) != std::get<0>(y)) return std::get<0>(x) < std::get<0>(y);
    return std::tie(std::get<1>(x), std::get<2>(x)) > std::tie(std::get<1>(y), std::get<2>(y));
  };
  std::priority_queue<Entry, std::vector<Entry>, decltype(worse)> heap(worse);
  // Publication dates of each cluster's dated docs, sorted: two clusters that each carry their
  // own coverage (min_dated docs or more) centred on dates far apart are two events, so their
  // average link is scaled by cluster_gate_factor. A lone follow-up article is not gated.
  std::vector<std::vector<std::int64_t>> dates(n);
  for (std::uint32_t i = 0; i < n; ++i)
    if (docs.published[i]) dates[i].push_back(*docs.published[i]);
  auto median = [&](std::uint32_t c) { return dates[c][dates[c].size() / 2]; };
  // Entity document counts per cluster and each cluster's defining entities (in at least
  // conflict_hi of its docs): two clusters of conflict_min_size docs or more that each have a
  // defining entity the other hardly mentions (in at most conflict_lo of its docs) are two
  // events of one kind (Klitschko stops Rahman; Klitschko stops Thompson), so their average
  // link is scaled by conflict_factor.
  const bool conflicts = o.conflict_factor < 1;
  // Shared evidence lifts both time gates: coverage of one event weeks or years apart (the
  // shooting, the arrest, the trial) names the same suspect, victim and place, while two
  // meetings of the same envoys each bring their own place, people and figures. A cluster's
  // evidence is its entities in evidence_hi of its docs (a cluster of evidence_min_size docs
  // or more) that are rare (in at most evidence_rare × the two clusters' docs + 3 docs of the
  // corpus, so that an outlet's or a city's name is not evidence in a large corpus). The gates
  // are lifted when evidence_min_found and evidence_share of one cluster's evidence occur in
  // the other, unless each cluster has rare entities of its own (in 2+ and evidence_veto_hi of
  // its docs, named evidence_veto_mass times per doc) that the other lacks: two strikes by one
  // union over two pay offers.
  const bool evidence = o.evidence_share <= 1 && (o.time_factor < 1 || o.cluster_gate_factor < 1);
  // The conflict gates, each on one kind of term: the entities above; the names of the clusters'
  // leads (the title and first body lines, which name who the report is about; earlier events
  // come up further down): two clusters of conflict_min_size docs or more that each have a name
  // in lead_conflict_hi of their leads found in at most lead_conflict_lo of the other's (the
  // Chargers' Jackson arrested; weeks later the Chargers' Williams, whose reports recall
  // Jackson); and their figures (decimal numbers): two clusters of figure_conflict_size docs or
  // more that each have a figure in figure_conflict_hi of their docs absent from all of the
  // other's (a magnitude 5.6 quake on an island, and the magnitude 5.9 one there three years
  // before). The entity counts also serve the evidence lift.
  struct Gate {
    bool on = false;  // gates merges (its counts may be kept for the evidence alone)
    std::uint32_t min_size = 0;
    double hi = 0, lo = 0;
    const tfidf::SparseRows* terms = nullptr;
    std::vector<EntityCounts> count;                   // per cluster: (term, docs naming it)
    std::vector<std::vector<std::uint32_t>> defining;  // per cluster of min_size docs or more
  };
  std::array<Gate, 3> gates;
  gates[0].on = conflicts;
  gates[0].min_size = o.conflict_min_size, gates[0].hi = o.conflict_hi, gates[0].lo = o.conflict_lo;
  gates[0].terms = &docs.fields[kEntity];
  gates[1].on = conflicts && o.lead_conflict_hi <= 1 && docs.extras[kLead].rows() > 0;
  gates[1].min_size = o.conflict_min_size, gates[1].hi = o.lead_conflict_hi, gates[1].lo = o.lead_conflict_lo;
  gates[1].terms = &docs.extras[kLead];
  gates[2].on = conflicts && o.figure_conflict_size > 0 && docs.extras[kFigures].rows() > 0;
  gates[2].min_size = o.figure_conflict_size, gates[2].hi = o.figure_conflict_hi, gates[2].lo = 0;
  gates[2].terms = &docs.extras[kFigures];
  const tfidf::SparseRows& entities = docs.fields[kEntity];
  std::vector<EntityCounts>& ent = gates[0].count;  // counted for the gate or the evidence
  std::vector<std::uint32_t> entity_df(evidence ? static_cast<std::size_t>(entities.cols()) : 0, 0);
  if (evidence)
    for (std::int64_t k = 0; k < entities.nonZeros(); ++k)
      ++entity_df[static_cast<std::size_t>(entities.innerIndexPtr()[k])];
  auto shared_evidence = [&](std::uint32_t a, std::uint32_t b) {
    const double rare = o.evidence_rare * (size[a] + size[b]) + 3;
    auto covered = [&](std::uint32_t x, std::uint32_t y) {  // x's evidence is found in y
      if (size[x] < o.evidence_min_size) return false;
      std::uint32_t total = 0, found = 0;
      for (const auto& [t, k] : ent[x]) {
        if (k < o.evidence_hi * size[x] || entity_df[t] > rare) continue;
        ++total;
        found += count_in(ent[y], t) > 0 ? 1 : 0;
      }
      return found >= o.evidence_min_found && found >= o.evidence_share * total;
    };
    // x has rare entities of its own (in 2+ and evidence_veto_hi of its docs, absent from y), named
    // evidence_veto_mass times per doc of x on average (a sum of counts: no order, no rounding): a
    // place of its own in every doc is another event; an official quoted in four of six reports
    // of a shooting, absent from the trial's coverage, is not.
    auto own = [&](std::uint32_t x, std::uint32_t y) {
      std::uint64_t named = 0;
      for (const auto& [t, k] : ent[x])
        if (k >= 2 && k >= o.evidence_veto_hi * size[x] && entity_df[t] <= rare && count_in(ent[y], t) == 0) named += k;
      return named > 0 && static_cast<double>(named) >= o.evidence_veto_mass * size[x];
    };
    return (covered(a, b) || covered(b, a)) && !(own(a, b) && own(b, a));
  };
  auto refresh_gate = [&](Gate& gate, std::uint32_t c) {
    gate.defining[c].clear();
    if (size[c] < gate.min_size) return;  // not gated yet
    for (const auto& [t, k] : gate.count[c])
      if (k >= gate.hi * size[c]) gate.defining[c].push_back(t);
  };
  for (std::size_t g = 0; g < gates.size(); ++g) {
    Gate& gate = gates[g];
    if (!gate.on && !(g == 0 && evidence)) continue;
    gate.count.resize(n);
    if (gate.on) gate.defining.resize(n);
    for (std::size_t row = 0; row < n; ++row) {
      const std::uint32_t i = doc_at[row];
      const tfidf::Row x = tfidf::row(*gate.terms, static_cast<Eigen::Index>(row));
      gate.count[i].reserve(x.size);
      for (std::size_t k = 0; k < x.size; ++k) gate.count[i].emplace_back(static_cast<std::uint32_t>(x.index[k]), 1);
      if (gate.on) refresh_gate(gate, i);
    }
  }
  auto gate_conflict = [&](const Gate& gate, std::uint32_t a, std::uint32_t b) {
    if (!gate.on || size[a] < gate.min_size || size[b] < gate.min_size) return false;
    auto one = [&](std::uint32_t x, std::uint32_t y) {
      for (auto t : gate.defining[x])
        if (count_in(gate.count[y], t) <= gate.lo * size[y]) return true;
      return false;
    };
    return one(a, b) && one(b, a);
  };
  // Large clusters are also compared whole: a doc is compared with its 18-36 nearest
  // candidates only, so the sparse average link between two parts of a story of hundreds of
  // reports falls below the threshold however alike they are. When the average link of two
  // linked clusters misses the threshold, they hold big_min_size docs or more together and their
  // sparse link is not negligible (big_link per doc of the smaller), their mean pairwise
  // similarity over all their pairs is computed exactly from summed vectors (StorySums) and
  // compared with their own cohesion (the geometric mean of each one's mean pairwise
  // similarity; a single doc has none, the other's alone counts): two parts of one event are as
  // alike to each other as each is to itself, two events are not, even with the same actors. A
  // single doc's similarity to a cluster varies with the doc (a short report, one naming fewer
  // of the actors) more than a cluster's average does, so it needs big_single of the cohesion,
  // two clusters big_cohesion. The ratio is put on the average link's scale (the threshold at
  // that share) and gated: both time gates as they are (never lifted; the pairwise one as the
  // share of the sparse link it scales), and the conflict gate.
  const bool big = o.big_min_size > 0;
  std::optional<StorySums> sums;
  if (big) sums.emplace(docs, o.weights);
  struct LinkGates {
    bool pair = false, date = false, conflict = false;
  };
  auto gates_of = [&](std::uint32_t a, std::uint32_t b, const Link& l) {
    LinkGates g;
    g.pair = l.far > 0 && o.time_factor < 1;
    g.date = o.cluster_gate_factor < 1 && dates[a].size() >= o.cluster_gate_min_dated &&
             dates[b].size() >= o.cluster_gate_min_dated &&
             std::abs(static_cast<double>(median(a) - median(b))) > o.cluster_gate_days * 86400.0;
    g.conflict = gate_conflict(gates[0], a, b) || gate_conflict(gates[1], a, b) || gate_conflict(gates[2], a, b);
    return g;
  };
  auto whole_eligible = [&](std::uint32_t a, std::uint32_t b, const Link& l) {
    return big && size[a] + size[b] >= o.big_min_size && l.sum > 0 && l.sum >= o.big_link * std::min(size[a], size[b]);
  };
  auto whole_score = [&](std::uint32_t a, std::uint32_t b, const Link& l, const LinkGates& g, double share) {
    if (!whole_eligible(a, b, l)) return 0.0;
    const double mean = sums->cross(a, b) / (static_cast<double>(size[a]) * size[b]);
    if (mean < o.big_min_mean) return 0.0;
    auto own = [&](std::uint32_t c) {  // mean similarity of c's pairs; -1 for a single doc
      return size[c] > 1 ? sums->internal(c) / (static_cast<double>(size[c]) * (size[c] - 1)) : -1.0;
    };
    const double ma = own(a), mb = own(b);
    const double cohesion = ma < 0 ? mb : mb < 0 ? ma : std::sqrt(std::max(ma, 0.0) * std::max(mb, 0.0));
    if (!(cohesion > 0)) return 0.0;
    double w = o.threshold * mean / (share * cohesion);
    if (g.pair) w *= (l.sum - (1 - o.time_factor) * l.far) / l.sum;
    if (g.date) w *= o.cluster_gate_factor;
    if (g.conflict) w *= o.conflict_factor;
    return w;
  };
  // The gates only lower a link (similarities are never negative, the factors are in [0, 1]),
  // so a link whose ungated average misses the threshold can reach the heap only through
  // whole_score: most links, whose gates need not be worked out.
  auto push = [&](std::uint32_t a, std::uint32_t b, const Link& l) {
    if (a > b) std::swap(a, b);
    const double pairs = static_cast<double>(size[a]) * size[b];
    const bool reaches = l.sum / pairs >= o.threshold;  // ungated
    if (!reaches && !whole_eligible(a, b, l)) return;
    const LinkGates g = gates_of(a, b, l);
    // Lifting cannot bring a link below the threshold ungated up to it: such links skip the
    // evidence count (they are not pushed either way).
    const bool lifted = evidence && (g.pair || g.date) && reaches && shared_evidence(a, b);
    const double sum = g.pair && !lifted ? l.sum - (1 - o.time_factor) * l.far : l.sum;
    double avg = sum / pairs;
    if (g.date && !lifted) avg *= o.cluster_gate_factor;
    if (g.conflict) avg *= o.conflict_factor;
    if (big && avg < o.threshold)
      avg = std::max(avg, whole_score(a, b, l, g, size[a] > 1 && size[b] > 1 ? o.big_cohesion : o.big_single));
    if (avg >= o.threshold) heap.emplace(avg, a, b, version[a], version[b]);
  };
  for (std::uint32_t a = 0; a < n; ++a)
    for (const auto& [b, l] : adj[a])
      if (a < b) push(a, b, l);
  Links merged;
  std::vector<std::int64_t> merged_dates;
  EntityCounts merged_counts;
  while (!heap.empty()) {
    const auto [avg, a, b, va, vb] = heap.top();
    heap.pop();
    if (parent[a] != a || parent[b] != b || version[a] != va || version[b] != vb) continue;  // stale
    // Merge b into a (a < b): a's link to c becomes sum(a, c) + sum(b, c).
    ++res.stats.merges;
    if (big) sums->merge(a, b);
    parent[b] = a;
    size[a] += size[b];
    // Merged into scratch lists that then swap with a's, so their buffers are reused.
    merged_dates.clear();
    std::merge(dates[a].begin(), dates[a].end(), dates[b].begin(), dates[b].end(), std::back_inserter(merged_dates));
    dates[a].swap(merged_dates);
    std::vector<std::int64_t>().swap(dates[b]);
    for (Gate& gate : gates) {
      if (gate.count.empty()) continue;
      merge_counts(gate.count[a], gate.count[b], merged_counts);
      gate.count[a].swap(merged_counts);
      EntityCounts().swap(gate.count[b]);
      if (!gate.on) continue;
      std::vector<std::uint32_t>().swap(gate.defining[b]);
      refresh_gate(gate, a);
    }
    ++version[a];
    ++version[b];
    // a's new list: the union of both lists without a and b, links to common neighbours summed.
    const Links &la = adj[a], &lb = adj[b];
    merged.clear();
    for (std::size_t i = 0, j = 0; i < la.size() || j < lb.size();) {
      if (i < la.size() && (la[i].first == a || la[i].first == b)) {
        ++i;
      } else if (j < lb.size() && (lb[j].first == a || lb[j].first == b)) {
        ++j;
      } else if (j == lb.size() || (i < la.size() && la[i].first < lb[j].first)) {
        merged.push_back(la[i++]);
      } else if (i == la.size() || lb[j].first < la[i].first) {
        merged.push_back(lb[j++]);
      } else {
        merged.emplace_back(la[i].first,
                            Link{la[i].second.sum + lb[j].second.sum, la[i].second.far + lb[j].second.far});
        ++i, ++j;
      }
    }
    // b's neighbours drop b and hold the new link to a (a's other neighbours already do): in one
    // pass over each list, b's entry is dropped where a's is there, else it becomes a's, the
    // entries between moved up by one (a < b). The lists lie at random in memory: the ones a few
    // neighbours ahead are prefetched.
    constexpr std::size_t kAhead = 4;
    auto now = merged.cbegin();  // merged holds every neighbour of b but a, in order
    for (std::size_t k = 0; k < lb.size(); ++k) {
      if (k + 2 * kAhead < lb.size()) __builtin_prefetch(&adj[lb[k + 2 * kAhead].first]);
      if (k + kAhead < lb.size()) __builtin_prefetch(adj[lb[k + kAhead].first].data());
      const std::uint32_t c = lb[k].first;
      if (c == a) continue;
      while (now->first < c) ++now;
      Links& lc = adj[c];
      const auto ia = find_link(lc, a), ib = find_link(lc, b);
      if (ia->first == a) {
        ia->second = now->second;
        lc.erase(ib);
      } else {
        std::move_backward(ia, ib, std::next(ib));
        *ia = {a, now->second};
      }
    }
    adj[a].swap(merged);
    Links().swap(adj[b]);
    for (const auto& [c, l] : adj[a]) push(a, c, l);
  }
  // 4. Members, leads and scores.
  auto root = [&](std::uint32_t x) {
    while (parent[x] != x) x = parent[x];
    return x;
  };
  std::vector<std::uint32_t> lead(n);
  for (std::uint32_t i = 0; i < n; ++i) lead[i] = i;
  std::vector<std::uint32_t> roots(n);
  for (std::uint32_t i = 0; i < n; ++i) {
    roots[i] = root(i);
    const std::uint32_t r = roots[i];
    if (precedes(docs.keys[i], orig[i], docs.keys[lead[r]], orig[lead[r]])) lead[r] = i;
  }
  // Mean content similarity of a doc to the rest of its story. content_similarity(i, j)
  // averages over the fields *both* docs have, so members are grouped by which (weighted)
  // fields they have: with S[M][f] the sum of field f over the members of mask M,
  // sum_{j in M, j != i} cos_f(i, j) = v . S[M][f] - [M == mask(i)] |v|^2, and those pairs all
  // share the weight total of mask(i) & M. Summed in input order for determinism.
  constexpr unsigned kMasks = 1u << kSimFields;
  auto field_mask = [&](std::uint32_t i) {
    unsigned mask = 0;
    for (std::size_t f = 0; f < kSimFields; ++f)
      if (weight_of(o, f) > 0 && sim_row(docs, f, i).size > 0) mask |= 1u << f;
    return mask;
  };
  std::vector<std::vector<std::uint32_t>> members(n);
  for (std::uint32_t i = 0; i < n; ++i) members[roots[i]].push_back(i);
  // S[M][f] in a dense array per field (per thread): each index's values added in member order
  // (as Eigen's sparse += would, one member after the other), then v . S looked up entry by
  // entry in v's index order (as Eigen's sparse dot sums them; an index S lacks adds +0), and
  // the entries cleared again. The field sums of each member are kept per mask, then combined
  // mask by mask in increasing order, as a loop over the masks per member would.
  auto squared_norm = [](tfidf::Row v) {  // Eigen's squaredNorm: the squares summed in order
    float acc = 0.0f;
    for (std::size_t k = 0; k < v.size; ++k) acc += v.value[k] * v.value[k];
    return acc;
  };
  struct MemberScratch {
    std::array<std::vector<float>, kSimFields> dense;
    std::vector<double> total, s, wsum;
  };
  tbb::enumerable_thread_specific<MemberScratch> scratch;
  tbb::parallel_for(std::size_t{0}, n, [&](std::size_t r) {
    const auto& m = members[r];
    if (m.size() < 2) return;
    MemberScratch& sc = scratch.local();
    std::vector<unsigned> masks(m.size());
    std::array<bool, kMasks> seen{};
    for (std::size_t k = 0; k < m.size(); ++k) seen[masks[k] = field_mask(m[k])] = true;
    sc.total.assign(m.size(), 0.0);
    for (unsigned mj = 0; mj < kMasks; ++mj) {
      if (!seen[mj]) continue;
      sc.s.assign(m.size(), 0.0);
      sc.wsum.assign(m.size(), 0.0);
      for (std::size_t f = 0; f < kSimFields; ++f) {
        if (!(mj >> f & 1u)) continue;
        std::vector<float>& sum = sc.dense[f];
        if (sum.size() != sim_cols(docs, f)) sum.assign(sim_cols(docs, f), 0.0f);
        for (std::size_t k = 0; k < m.size(); ++k) {
          if (masks[k] != mj) continue;
          const tfidf::Row v = sim_row(docs, f, m[k]);
          for (std::size_t e = 0; e < v.size; ++e) sum[static_cast<std::size_t>(v.index[e])] += v.value[e];
        }
        for (std::size_t k = 0; k < m.size(); ++k) {
          if (!(masks[k] >> f & 1u)) continue;  // f is in mj: both have it
          const tfidf::Row v = sim_row(docs, f, m[k]);
          float acc = 0.0f;
          for (std::size_t e = 0; e < v.size; ++e) acc += v.value[e] * sum[static_cast<std::size_t>(v.index[e])];
          double dot = static_cast<double>(acc);
          if (mj == masks[k]) dot -= static_cast<double>(squared_norm(v));
          sc.s[k] += weight_of(o, f) * dot;
          sc.wsum[k] += weight_of(o, f);
        }
        for (std::size_t k = 0; k < m.size(); ++k) {
          if (masks[k] != mj) continue;
          const tfidf::Row v = sim_row(docs, f, m[k]);
          for (std::size_t e = 0; e < v.size; ++e) sum[static_cast<std::size_t>(v.index[e])] = 0.0f;
        }
      }
      for (std::size_t k = 0; k < m.size(); ++k)
        if (masks[k] & mj) sc.total[k] += sc.s[k] / sc.wsum[k];
    }
    for (std::size_t k = 0; k < m.size(); ++k)
      res.score[m[k]] = static_cast<float>(std::clamp(sc.total[k] / static_cast<double>(m.size() - 1), 0.0, 1.0));
  });
  for (std::uint32_t i = 0; i < n; ++i) res.lead[i] = lead[roots[i]];
  return res;
}

}  // namespace

std::vector<std::uint32_t> story_order(std::span<const StoryDoc> docs) {
  return story_order(StoryCorpus::from_docs(docs));
}

std::vector<std::uint32_t> story_order(const StoryCorpus& docs) {
  check_rows(docs);
  std::vector<std::pair<std::uint64_t, std::uint32_t>> keyed(docs.size());
  tbb::enumerable_thread_specific<std::vector<std::uint64_t>> bufs;
  tbb::parallel_for(tbb::blocked_range<std::size_t>(0, docs.size(), 256), [&](const auto& r) {
    auto& buf = bufs.local();
    for (std::size_t i = r.begin(); i < r.end(); ++i)
      keyed[i] = {content_hash(docs, i, buf), static_cast<std::uint32_t>(i)};
  });
  std::sort(keyed.begin(), keyed.end());
  std::vector<std::uint32_t> order(docs.size());
  for (std::size_t k = 0; k < keyed.size(); ++k) order[k] = keyed[k].second;
  return order;
}

StoryResult cluster_stories(std::span<const StoryDoc> docs, const StoryOptions& o) {
  return cluster_stories(StoryCorpus::from_docs(docs), o);
}

void check_story_options(const StoryOptions& o) {
  if (!(o.threshold > 0)) throw std::invalid_argument("story threshold must be positive");
  auto factor = [](double f, const char* name) {
    if (!(f >= 0 && f <= 1)) throw std::invalid_argument(std::string(name) + " must be in [0, 1]");
  };
  factor(o.time_factor, "story time factor");
  factor(o.cluster_gate_factor, "story cluster gate factor");
  factor(o.conflict_factor, "story conflict factor");
}

StoryResult cluster_stories(StoryCorpus&& docs, const StoryOptions& o) {
  check_story_options(o);
  // Work in content order, so that candidate, merge and score tie-breaks follow the content,
  // not the input order: a shuffled corpus gives the same stories. Only the small per-doc
  // arrays are copied into that order; the rows stay where they are (row_of says where) until
  // the candidates are known, then each field is copied into the order the similarities read
  // them (lay_out_rows) and its original freed at once, so the stage holds about one set.
  const std::size_t n = docs.size();
  for (const auto& m : docs.fields)
    if (static_cast<std::size_t>(m.rows()) != n) throw std::invalid_argument("story fields must have a row per doc");
  for (const auto& m : docs.extras)
    if (m.rows() != 0 && static_cast<std::size_t>(m.rows()) != n)
      throw std::invalid_argument("story extras must have a row per doc, or none");
  const std::vector<std::uint32_t> orig = story_order(docs);
  StoryCorpus ordered;
  ordered.fields = std::move(docs.fields);
  ordered.extras = std::move(docs.extras);
  ordered.published.resize(n);
  ordered.keys.resize(n);
  ordered.row_of.resize(n);
  for (std::size_t k = 0; k < n; ++k) {
    ordered.published[k] = docs.published[orig[k]];
    ordered.keys[k] = docs.keys[orig[k]];
    ordered.row_of[k] = static_cast<std::uint32_t>(docs.row(orig[k]));
  }
  docs = StoryCorpus{};
  StoryResult r = cluster_ordered(ordered, o, orig);
  StoryResult res;
  res.stats = r.stats;
  res.lead.resize(n);
  res.score.resize(n);
  for (std::size_t k = 0; k < n; ++k) {
    res.lead[orig[k]] = orig[r.lead[k]];
    res.score[orig[k]] = r.score[k];
  }
  return res;
}

}  // namespace samestory::cluster
