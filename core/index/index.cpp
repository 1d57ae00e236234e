#include "index/index.hpp"

#include <tbb/parallel_for.h>
#include <xxhash.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <functional>
#include <limits>
#include <numeric>
#include <stdexcept>
#include <tuple>
#include <unordered_set>
#include <utility>

#include "cluster/dup_groups.hpp"
#include "cluster/story_terms.hpp"
#include "index/detail/state.hpp"
#include "text/kept.hpp"

namespace samestory::index {

using detail::kNone;
using detail::kNoTime;
using detail::State;
using detail::Term;

namespace {

std::uint64_t term_key(std::size_t field, std::uint64_t hash) noexcept {
  return (std::uint64_t{field} << 62) | (hash & ((std::uint64_t{1} << 62) - 1));
}
std::size_t key_field(std::uint64_t key) noexcept {
  return static_cast<std::size_t>(key >> 62);
}

double idf(double docs, double df) {
  return std::log((1.0 + docs) / (1.0 + df)) + 1.0;
}

}  // namespace

namespace detail {

void BandTable::insert(std::uint64_t key, std::uint32_t slot) {
  // Slots only grow, so the new entry goes at the end of its key's list.
  entries.emplace_back(slot, 0u);
  const auto e = static_cast<std::uint32_t>(entries.size());
  auto& list = pending[key];
  if (list.first == 0)
    list.first = e;
  else
    entries[list.second - 1].second = e;
  list.second = e;
  if (entries.size() >= std::max(kPendingMin, keys.size() / 8)) flush();
}

std::vector<std::pair<std::uint64_t, std::uint32_t>> BandTable::sorted_pending() const {
  std::vector<std::pair<std::uint64_t, std::uint32_t>> out;
  out.reserve(entries.size());
  pending.for_each([&](std::uint64_t key, const std::pair<std::uint32_t, std::uint32_t>& list) {
    for (std::uint32_t e = list.first; e != 0; e = entries[e - 1].second) out.emplace_back(key, entries[e - 1].first);
  });
  lsh::sort_keyed(out);
  return out;
}

void BandTable::flush() {
  const auto add = sorted_pending();
  // Merged from the back in place (no second copy of the table; the loader reserves headroom):
  // for equal keys the existing entries come first, as their slots are lower.
  const std::size_t n = keys.size(), m = add.size();
  if (keys.capacity() < n + m) {
    keys.reserve(n + m + (n + m) / 8);
    slots.reserve(keys.capacity());
  }
  keys.resize(n + m);
  slots.resize(n + m);
  for (std::size_t i = n, j = m, k = n + m; j > 0;) {
    --k;
    if (i > 0 && keys[i - 1] > add[j - 1].first) {
      --i;
      keys[k] = keys[i];
      slots[k] = slots[i];
    } else {
      --j;
      keys[k] = add[j].first;
      slots[k] = add[j].second;
    }
  }
  pending.clear();
  entries.clear();
  // The directory moves by the entries added below each of its cells, unless it needs more bits.
  unsigned bits = 0;
  while (bits < 24 && (std::size_t{16} << bits) < keys.size()) ++bits;
  if (bits != dir_bits || bits == 0) {
    index_keys();
    return;
  }
  std::size_t j = 0;
  for (std::size_t h = 0; h + 1 < dir.size(); ++h) {
    while (j < m && (add[j].first >> (64 - bits)) < h) ++j;
    dir[h] += static_cast<std::uint32_t>(j);
  }
  dir.back() = static_cast<std::uint32_t>(keys.size());
}

void BandTable::index_keys() {
  directory(keys, dir, dir_bits);
}

void BandTable::directory(const std::vector<std::uint64_t>& keys, std::vector<std::uint32_t>& dir, unsigned& dir_bits) {
  dir_bits = 0;
  while (dir_bits < 24 && (std::size_t{16} << dir_bits) < keys.size()) ++dir_bits;
  if (dir_bits == 0) {
    dir.clear();
    return;
  }
  dir.assign((std::size_t{1} << dir_bits) + 1, 0);
  std::size_t i = 0;
  for (std::size_t h = 0; h < (std::size_t{1} << dir_bits); ++h) {
    dir[h] = static_cast<std::uint32_t>(i);
    while (i < keys.size() && (keys[i] >> (64 - dir_bits)) == h) ++i;
  }
  dir.back() = static_cast<std::uint32_t>(keys.size());
}

std::size_t BandTable::memory_bytes() const {
  return keys.capacity() * 8 + slots.capacity() * 4 + dir.capacity() * 4 + pending.memory_bytes() +
         entries.capacity() * 8;
}

std::uint64_t State::band_key(const std::uint32_t* sig, std::uint32_t b) const {
  return XXH3_64bits_withSeed(sig + std::size_t{b} * bands.rows, bands.rows * sizeof(std::uint32_t), band_seeds[b]);
}

std::uint32_t State::find(std::uint32_t x) const {
  while (parent[x] != x) x = parent[x];
  return x;
}

std::uint32_t State::find_mut(std::uint32_t x) {
  while (parent[x] != x) {
    parent[x] = parent[parent[x]];
    x = parent[x];
  }
  return x;
}

cluster::CanonicalKey State::key_of(std::uint32_t s) const {
  cluster::CanonicalKey k;
  if (published[s] != kNoTime) k.published = published[s];
  k.length = length[s];
  return k;
}

bool State::precedes(std::uint32_t a, std::uint32_t b) const {
  return cluster::precedes(key_of(a), a, key_of(b), b);
}

void State::retire_doc(std::uint32_t d) {
  if (d == kNone) return;
  if (--doc_refs[d] > 0) return;
  doc_alive[d] = 0;
  --story_size[doc_story[d]];
  if (const auto* i = sum_of_story.find(doc_story[d])) sum_doc(sums[*i], d, -1);
}

std::array<double, cluster::kStoryFields> State::sum_scales() const {
  double total = 0;
  for (const double w : params.story.weights) total += w > 0 ? w : 0.0;
  std::array<double, cluster::kStoryFields> scale{};
  for (std::size_t f = 0; f < scale.size(); ++f)
    if (params.story.weights[f] > 0) scale[f] = std::sqrt(params.story.weights[f] / total) * 16777216.0;
  return scale;
}

namespace {

/// A term's weight in a story sum's fixed point (scale: State::sum_scales()).
std::int64_t fixed_weight(const Term& t, const std::array<double, cluster::kStoryFields>& scale) {
  return static_cast<std::int64_t>(std::llround(static_cast<double>(t.weight) * scale[key_field(t.key)]));
}

}  // namespace

void State::sum_doc(StorySum& s, std::uint32_t d, int sign) {
  const auto scale = sum_scales();
  for (auto i = doc_begin[d]; i < doc_begin[d + 1]; ++i) {
    const std::int64_t v = fixed_weight(terms[i], scale);
    if (v == 0) continue;
    std::int64_t& cell = s.sum[terms[i].key];
    // |S + sign x|^2 = |S|^2 + 2 sign S.x + |x|^2, exactly.
    s.norm2 += 2 * sign * static_cast<Wide>(cell) * v + static_cast<Wide>(v) * v;
    s.self2 += sign * static_cast<Wide>(v) * v;
    cell += sign * v;
  }
  if (doc_published[d] != kNoTime) {
    s.date_sum += sign * static_cast<Wide>(doc_published[d]);
    s.dated = static_cast<std::uint32_t>(static_cast<std::int64_t>(s.dated) + sign);
  }
}

State::StorySum& State::sum_for(std::uint32_t story, bool& created) {
  created = false;
  if (const auto* i = sum_of_story.find(story)) return sums[*i];
  created = true;
  sum_of_story[story] = static_cast<std::uint32_t>(sums.size());
  return sums.emplace_back();
}

void State::sum_add(std::uint32_t story, std::uint32_t d) {
  if (params.story.big_min_size == 0 || story_size[story] + 1 < params.story.big_min_size) return;
  bool created = false;
  StorySum& s = sum_for(story, created);
  if (!created) {
    sum_doc(s, d, 1);
    return;
  }
  for (std::uint32_t x = 0; x < doc_story.size(); ++x)  // d included
    if (doc_alive[x] && doc_story[x] == story) sum_doc(s, x, 1);
}

void State::rebuild_sums() {
  sums.clear();
  sum_of_story.clear();
  if (params.story.big_min_size == 0) return;
  bool created = false;
  for (std::uint32_t x = 0; x < doc_story.size(); ++x)
    if (doc_alive[x] && story_size[doc_story[x]] + 1 >= params.story.big_min_size)
      sum_doc(sum_for(doc_story[x], created), x, 1);
}

std::pair<double, double> State::whole_score(std::uint32_t story, double link_sum, const Term* t, const Term* t_end,
                                             std::int64_t pub) const {
  const cluster::StoryOptions& o = params.story;
  const auto* i = sum_of_story.find(story);
  const double n = story_size[story];
  if (!i || n + 1 < o.big_min_size || n < 2 || !(link_sum > 0) || link_sum < o.big_link) return {0, 0};
  const StorySum& s = sums[*i];
  const auto scale = sum_scales();
  Wide cross = 0;
  for (; t != t_end; ++t)
    if (const std::int64_t v = fixed_weight(*t, scale))
      if (const auto* c = s.sum.find(t->key)) cross += static_cast<Wide>(*c) * v;
  constexpr double unit = 16777216.0 * 16777216.0;
  const double mean = static_cast<double>(cross) / unit / n;
  const double cohesion = static_cast<double>(s.norm2 - s.self2) / unit / (n * (n - 1));
  if (mean < o.big_min_mean || !(cohesion > 0)) return {0, 0};
  double rank = o.threshold * mean / (o.big_single * cohesion);
  if (pub != kNoTime && s.dated > 0) {
    const double centre = static_cast<double>(s.date_sum) / s.dated;
    if (std::abs(static_cast<double>(pub) - centre) > o.time_gate_days * 86400.0) rank *= o.time_factor;
  }
  return {rank, mean};
}

void State::unite(std::uint32_t a, std::uint32_t b) {
  a = find_mut(a);
  b = find_mut(b);
  if (a == b) return;
  if (b < a) std::swap(a, b);
  // a survives as root. The canonical is the better of the two; the group keeps the story
  // doc of the canonical's side (or the only one), the other doc loses one reference.
  const bool a_wins = precedes(canon[a], canon[b]);
  std::uint32_t keep = a_wins ? group_doc[a] : group_doc[b];
  std::uint32_t drop = a_wins ? group_doc[b] : group_doc[a];
  if (keep == kNone) std::swap(keep, drop);
  if (drop != kNone && drop != keep)
    retire_doc(drop);
  else if (drop != kNone && drop == keep)
    --doc_refs[keep];
  parent[b] = a;
  canon[a] = a_wins ? canon[a] : canon[b];
  group_doc[a] = keep;
  group_doc[b] = kNone;
}

void State::bucket_members(const std::uint64_t* keys, std::vector<std::uint32_t>& members,
                           std::vector<std::uint32_t>& bounds) const {
  members.clear();
  bounds.assign(std::size_t{bands.bands} + 1, 0);
  for (std::uint32_t b = 0; b < bands.bands; ++b) tables[b].prefetch_dir(keys[b]);
  for (std::uint32_t b = 0; b < bands.bands; ++b) tables[b].prefetch_keys(keys[b]);
  for (std::uint32_t b = 0; b < bands.bands; ++b) {
    tables[b].collect(keys[b], [&](std::uint32_t s) {
      if ((flags[s] & (kAlive | kInclude)) == (kAlive | kInclude)) members.push_back(s);
    });
    bounds[b + 1] = static_cast<std::uint32_t>(members.size());
  }
}

void State::dup_candidates(const std::uint64_t* keys, std::vector<std::uint32_t>& members,
                           std::vector<std::uint32_t>& bounds, std::vector<std::uint32_t>& out) const {
  bucket_members(keys, members, bounds);
  out.clear();
  for (std::uint32_t b = 0; b < bands.bands; ++b) {
    const std::uint32_t lo = bounds[b], hi = bounds[b + 1];
    if (lo == hi) continue;
    // As lsh::bucket_pairs: a bucket of up to max_bucket docs (the new one included) pairs
    // all; a larger one pairs the new doc with the bucket's first and previous docs.
    if (hi - lo + 1 <= params.max_bucket) {
      out.insert(out.end(), members.begin() + lo, members.begin() + hi);
    } else {
      out.push_back(members[lo]);
      out.push_back(members[hi - 1]);
    }
  }
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
}

double State::similarity(const Term* ia, const Term* const a_end, unsigned mask_a, std::int64_t pub_a, const Term* b,
                         const Term* const b_end, unsigned mask_b, std::int64_t pub_b) const {
  std::array<double, cluster::kStoryFields> dot{};
  // A merge join on the sorted keys; each side steps on its own comparison (no branch to
  // mispredict there), matches add up in key order as before.
  while (ia != a_end && b != b_end) {
    const std::uint64_t ka = ia->key, kb = b->key;
    if (ka == kb) dot[key_field(ka)] += static_cast<double>(ia->weight) * b->weight;
    ia += ka <= kb;
    b += kb <= ka;
  }
  const unsigned both = mask_a & mask_b;
  double sum = 0, wsum = 0;
  for (std::size_t f = 0; f < cluster::kStoryFields; ++f) {
    if (!(both >> f & 1u) || params.story.weights[f] <= 0) continue;
    sum += params.story.weights[f] * dot[f];
    wsum += params.story.weights[f];
  }
  double s = wsum > 0 ? sum / wsum : 0.0;
  if (pub_a != kNoTime && pub_b != kNoTime) {
    const double days = std::abs(static_cast<double>(pub_a - pub_b)) / 86400.0;
    if (days > params.story.time_gate_days) s *= params.story.time_factor;
  }
  return s;
}

double State::doc_similarity(const std::vector<Term>& a, unsigned mask_a, std::int64_t pub_a, std::uint32_t d) const {
  return similarity(a.data(), a.data() + a.size(), mask_a, pub_a, terms.data() + doc_begin[d],
                    terms.data() + doc_begin[d + 1], doc_mask[d], doc_published[d]);
}

namespace {

/// Shared-term counting for best_story: one counter per doc, in bytes when every count fits
/// (a doc is counted at most once per term, and a story doc holds at most story_terms terms),
/// else in 16 bits. Half the footprint of the 16-bit array: it is read at random, one doc per
/// posting entry (1.6 MB of 16-bit counters at 1M articles).
template <class C>
void count_shared(std::vector<C>& count, std::size_t docs,
                  const std::vector<std::pair<const std::uint32_t*, std::size_t>>& lists, std::size_t total,
                  std::vector<std::uint32_t>& touched) {
  if (count.size() < docs) count.resize(docs + docs / 2 + 64, 0);
  touched.resize(total);
  C* const c = count.data();
  std::uint32_t* const out = touched.data();
  std::size_t n = 0;
  for (const auto& [list, len] : lists)
    for (std::size_t i = 0; i < len; ++i) {
      const std::uint32_t d = list[i];
      out[n] = d;  // kept (n advances) only the first time d is seen
      n += c[d]++ == 0;
    }
  touched.resize(n);
}

/// The touched docs sharing at least min_shared terms, as (count, doc) in touched order; every
/// counter reset. Without a branch per doc: most touched docs share one term, unpredictably.
template <class C>
void rank_shared(std::vector<C>& count, const std::vector<std::uint32_t>& touched, std::uint32_t min_shared,
                 std::vector<std::pair<std::uint32_t, std::uint32_t>>& ranked) {
  ranked.resize(touched.size());
  C* const c = count.data();
  auto* const out = ranked.data();
  std::size_t r = 0;
  for (const auto d : touched) {
    const std::uint32_t shared = c[d];
    c[d] = 0;
    out[r] = {shared, d};
    r += shared >= min_shared;
  }
  ranked.resize(r);
}

}  // namespace

bool State::story_links(const std::vector<Term>& t, unsigned mask, std::int64_t pub, const BatchDocs* batch,
                        std::uint32_t before, std::vector<std::pair<std::uint32_t, double>>& links,
                        std::uint64_t& compared, const StorySeed* seed, StorySeed* keep) const {
  // Count shared salient terms per doc in a dense per-thread array (a hash map here cost more
  // than the similarities), then keep, as the batch run does, the max_candidates_per_doc docs
  // sharing the most terms (ties: the older doc). Each lookup is a chain of dependent cache
  // misses (directory, keys, list bounds, list): they are taken one stage at a time for all
  // the terms, so that a stage's misses overlap. A batch's earlier new docs come from its own
  // sorted (key, doc) pairs: they count as the docs added since the last load would.
  thread_local std::vector<std::uint8_t> count8;
  thread_local std::vector<std::uint16_t> count16;
  thread_local std::vector<std::uint32_t> touched, batch_ids;
  thread_local std::vector<std::pair<const std::uint32_t*, std::size_t>> lists;
  thread_local std::vector<const Term*> salient;
  thread_local std::vector<std::size_t> found;
  thread_local std::vector<std::pair<std::uint32_t, std::uint32_t>> batch_runs;  // (first pair, count)
  salient.clear();
  for (const auto& term : t) {
    const auto f = key_field(term.key);
    if (f == cluster::kBody || f == cluster::kEntity) salient.push_back(&term);
  }
  batch_runs.assign(salient.size(), {0, 0});
  std::size_t batch_total = 0;
  if (batch && before > 0)
    for (std::size_t i = 0; i < salient.size(); ++i) {
      const auto& bp = batch->postings;
      const std::uint64_t key = salient[i]->key;
      auto it = std::lower_bound(bp.begin(), bp.end(), std::pair<std::uint64_t, std::uint32_t>{key, 0});
      std::uint32_t n = 0;
      for (auto jt = it; jt != bp.end() && jt->first == key && jt->second < before; ++jt) ++n;
      batch_runs[i] = {static_cast<std::uint32_t>(it - bp.begin()), n};
      batch_total += n;
    }
  const std::size_t max_bucket = params.story.max_bucket;
  bool seeded = seed && seed->valid && seed->keys.size() == salient.size();
  for (std::size_t i = 0; seeded && i < salient.size(); ++i)
    seeded = seed->keys[i] == salient[i]->key &&
             (seed->in_index[i] > max_bucket || seed->in_index[i] + batch_runs[i].second <= max_bucket);
  // Nor when one of its ranked docs has died since (a batch article joining two groups retires
  // one's doc): the ranking's cap may then have dropped a doc that now ranks.
  for (std::size_t i = 0; seeded && i < seed->ranked.size(); ++i) seeded = doc_alive[seed->ranked[i].second];
  if (!seeded) {
    for (const Term* term : salient) {
      prefetch_postings_dir(term->key);
      postings.prefetch(term->key);
    }
    for (const Term* term : salient) prefetch_postings_keys(term->key);
    found.resize(salient.size());
    for (std::size_t i = 0; i < salient.size(); ++i) {
      found[i] = loaded_list(salient[i]->key);
      if (found[i] != kNoList) prefetch(post_begin.data() + found[i]);
    }
  }
  if (keep) {
    keep->keys.clear();
    keep->in_index.clear();
  }
  batch_ids.resize(batch_total);  // no reallocation below: lists point into it
  lists.clear();
  std::size_t total = 0, used = 0;
  for (std::size_t i = 0; i < salient.size(); ++i) {
    const std::uint32_t* base = nullptr;
    std::size_t n_base = 0, in_index = 0;
    const std::vector<std::uint32_t>* added = nullptr;
    if (seeded) {
      in_index = seed->in_index[i];  // its lists are counted in seed->ranked
    } else {
      if (found[i] != kNoList) {
        base = post_docs.data() + post_begin[found[i]];
        n_base = static_cast<std::size_t>(post_begin[found[i] + 1] - post_begin[found[i]]);
      }
      added = postings.find(salient[i]->key);
      in_index = n_base + (added ? added->size() : 0);
    }
    if (keep) {
      keep->keys.push_back(salient[i]->key);
      keep->in_index.push_back(static_cast<std::uint32_t>(std::min<std::size_t>(in_index, UINT32_MAX)));
    }
    const auto [run, n_batch] = batch_runs[i];
    if (in_index + n_batch > max_bucket) continue;
    if (n_base) {
      prefetch_range(base, n_base);
      lists.emplace_back(base, n_base);
      total += n_base;
    }
    if (added && !added->empty()) {
      prefetch_range(added->data(), added->size());
      lists.emplace_back(added->data(), added->size());
      total += added->size();
    }
    if (n_batch) {
      std::uint32_t* ids_out = batch_ids.data() + used;
      for (std::uint32_t j = 0; j < n_batch; ++j) ids_out[j] = batch->first_doc + batch->postings[run + j].second;
      lists.emplace_back(ids_out, n_batch);
      used += n_batch;
      total += n_batch;
    }
  }
  const std::size_t n_docs = doc_story.size() + (batch ? before : 0);
  const bool bytes = params.story_terms <= 255;
  if (bytes)
    count_shared(count8, n_docs, lists, total, touched);
  else
    count_shared(count16, n_docs, lists, total, touched);
  thread_local std::vector<std::pair<std::uint32_t, std::uint32_t>> ranked;  // (shared terms, doc)
  if (bytes)
    rank_shared(count8, touched, params.story.min_shared, ranked);
  else
    rank_shared(count16, touched, params.story.min_shared, ranked);
  const std::size_t m = doc_story.size();  // batch docs (>= m) are live
  std::erase_if(ranked, [&](const auto& r) { return r.second < m && !doc_alive[r.second]; });
  // The index's docs and the batch's are distinct docs: the seed's ranking joins the batch's.
  // (Its cap loses nothing: a doc it dropped had `cap` index docs ranked above it.)
  if (seeded) ranked.insert(ranked.end(), seed->ranked.begin(), seed->ranked.end());
  const auto by_shared = [](const auto& x, const auto& y) {
    return x.first != y.first ? x.first > y.first : x.second < y.second;
  };
  const std::size_t cap = params.story.max_candidates_per_doc;
  if (cap > 0 && ranked.size() > cap) {
    std::partial_sort(ranked.begin(), ranked.begin() + static_cast<std::ptrdiff_t>(cap), ranked.end(), by_shared);
    ranked.resize(cap);
  }
  if (keep) {
    keep->ranked.assign(ranked.begin(), ranked.end());
    keep->valid = true;
  }
  thread_local std::vector<std::uint32_t> docs;
  docs.clear();
  for (const auto& [c, d] : ranked) docs.push_back(d);
  std::sort(docs.begin(), docs.end());  // fixed order: sums do not depend on hash order
  compared += docs.size();
  // The candidates' terms and fields are cold: hint them all before comparing.
  for (auto d : docs) {
    if (d >= m) continue;
    prefetch(doc_begin.data() + d);
    prefetch(doc_mask.data() + d);
    prefetch(doc_published.data() + d);
    prefetch(doc_story.data() + d);
  }
  for (auto d : docs)
    if (d < m) prefetch_range(terms.data() + doc_begin[d], doc_begin[d + 1] - doc_begin[d]);
  links.clear();
  for (auto d : docs) {
    double s;
    if (d < m) {
      s = doc_similarity(t, mask, pub, d);
    } else {
      const std::uint32_t q = d - batch->first_doc;
      const auto& bt = (*batch->terms)[q];
      s = similarity(t.data(), t.data() + t.size(), mask, pub, bt.data(), bt.data() + bt.size(), (*batch->masks)[q],
                     (*batch->published)[q]);
    }
    if (s < params.story.min_edge) continue;
    links.emplace_back(d, s);
  }
  return seeded;
}

std::pair<std::uint32_t, double> State::best_story(const std::vector<Term>& t, unsigned mask, std::int64_t pub,
                                                   std::uint64_t& compared, const StorySeed* seed, StorySeed* keep,
                                                   bool* seeded) const {
  thread_local std::vector<std::pair<std::uint32_t, double>> links;
  const bool used = story_links(t, mask, pub, nullptr, 0, links, compared, seed, keep);
  if (seeded) *seeded = used;
  return pick_story(
      links, [&](std::uint32_t d) { return doc_story[d]; }, t, pub);
}

std::vector<Term> top_terms(const Term* all, std::size_t n, std::uint32_t keep) {
  std::vector<Term> out;
  if (n <= keep) {
    out.assign(all, all + n);
  } else {
    // Every term weighing more than the keep-th largest weight, then the terms of exactly that
    // weight with the smallest keys: the selection runs on a copy of the weights alone (plain
    // float compares; a partial_sort of the terms was most of weigh's own time).
    thread_local std::vector<float> w;
    w.resize(n);
    for (std::size_t i = 0; i < n; ++i) w[i] = all[i].weight;
    std::nth_element(w.begin(), w.begin() + (keep - 1), w.end(), std::greater<float>());
    const float cut = w[keep - 1];
    thread_local std::vector<std::uint32_t> ties;
    ties.clear();
    out.reserve(keep);
    for (std::size_t i = 0; i < n; ++i) {
      if (all[i].weight > cut)
        out.push_back(all[i]);
      else if (all[i].weight == cut)
        ties.push_back(static_cast<std::uint32_t>(i));
    }
    const std::size_t need = keep - out.size();  // ties.size() >= need >= 1
    if (ties.size() > need) {                    // the need smallest keys first
      std::nth_element(ties.begin(), ties.begin() + static_cast<std::ptrdiff_t>(need - 1), ties.end(),
                       [&](std::uint32_t x, std::uint32_t y) { return all[x].key < all[y].key; });
      ties.resize(need);
    }
    for (const auto i : ties) out.push_back(all[i]);
  }
  std::sort(out.begin(), out.end(), [](const Term& x, const Term& y) { return x.key < y.key; });
  return out;
}

}  // namespace detail

struct Prepared {
  std::string id;
  std::int64_t published = kNoTime, inserted = 0;
  std::uint64_t length = 0;
  std::vector<std::uint32_t> sig;
  bool include = false;
  std::array<tfidf::TermCounts, cluster::kStoryFields> counts;
  std::vector<Term> stored;  ///< already weighted (merge)
  unsigned stored_mask = 0;
  bool has_stored = false;
  // What State::insert needs from the index as it stood before the batch (State::look_up; add()
  // fills it in the same parallel pass as the analysis, insert() when it is missing): the id's
  // hash, the band keys, each band's bucket members (band b's: members[bounds[b] ..
  // bounds[b + 1])) and the MinHash verdict for each member the bucket rule can pair it with.
  bool looked_up = false;
  std::uint64_t id_hash = 0;
  std::vector<std::uint64_t> keys;
  std::vector<std::uint32_t> members, bounds, checked;  // checked: ascending slots
  std::vector<std::uint8_t> passed;                     // per checked slot
  // Per story term (fields in order, as weigh() takes them): the document-frequency counter it
  // counts in (its key, or its bigram bucket tagged with the bigram field) and that counter's
  // part (State::insert counts the batch's terms in kDfParts parts).
  std::vector<std::uint64_t> df_ids;
  std::vector<std::uint8_t> df_parts;
  // The index's part of its story candidates, when query() weighed it (detail::StorySeed):
  // valid only while the index is as query() saw it, which QueryMemo guarantees.
  detail::StorySeed seed;
  // The story terms query() weighed (weighed_docs > 0: the document count it weighed them
  // with). The counts change only as docs are counted, one at a time, so an add() whose first
  // new doc this is, with the same document count, takes them instead of weighing again
  // (insert_sequential).
  std::vector<Term> weighed;
  unsigned weighed_mask = 0;
  double weighed_docs = 0;
  // And the story query() found for them (best_story: the story or kNone, the score, the
  // candidates compared).
  std::uint32_t found_story = 0;
  double found_score = 0;
  std::uint64_t found_compared = 0;
};

namespace detail {

/// What query() keeps for an add() of the same batch (the feed's usual pattern: ask, then
/// insert): the text analysis, signing and story terms, the band keys, bucket members and
/// MinHash verdicts (State::look_up), and the story candidates in the index (Prepared::seed)
/// are then found once. Kept for batches of up to kMaxArticles while the index is unchanged
/// (every change drops it), and used only when the batch's ids, titles, texts and dates are the
/// same in the same order (per article, XXH3-128 of them).
struct QueryMemo {
  static constexpr std::size_t kMaxArticles = 1024;
  std::vector<XXH128_hash_t> prints;
  std::vector<Prepared> prepared;                 // as prepare_batch gave them (inserted = 0)
  std::vector<std::vector<std::uint64_t>> lines;  // per article, its distinct short lines
};

}  // namespace detail

namespace {

/// The memo key of an article: what its preparation reads.
XXH128_hash_t print_of(const Article& a) {
  struct {
    XXH128_hash_t id, title, text;
    std::int64_t dated, published;
  } parts{XXH3_128bits(a.id.data(), a.id.size()), XXH3_128bits(a.title.data(), a.title.size()),
          XXH3_128bits(a.text.data(), a.text.size()), a.published.has_value(), a.published.value_or(0)};
  static_assert(sizeof parts == 64, "no padding");
  return XXH3_128bits(&parts, sizeof parts);
}

std::vector<XXH128_hash_t> prints_of(const std::vector<Article>& batch) {
  std::vector<XXH128_hash_t> out(batch.size());
  tbb::parallel_for(std::size_t{0}, batch.size(), [&](std::size_t i) { out[i] = print_of(batch[i]); });
  return out;
}

bool same_prints(const std::vector<XXH128_hash_t>& a, const std::vector<XXH128_hash_t>& b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(),
                                            [](const auto& x, const auto& y) { return XXH128_isEqual(x, y) != 0; });
}

}  // namespace

namespace detail {

void State::look_up(Prepared& p) const {
  const std::uint32_t k = params.minhash.num_perm, nb = bands.bands;
  p.looked_up = true;
  p.id_hash = IdMap::hash(p.id);
  p.df_ids.clear();
  p.df_parts.clear();
  if (!p.has_stored) {
    constexpr std::uint64_t kBigramMask = (std::uint64_t{1} << kBigramDfBits) - 1;
    for (std::size_t f = 0; f < cluster::kStoryFields; ++f)
      for (const auto& [term, count] : p.counts[f]) {
        const std::uint64_t key = term_key(f, term);
        const std::uint64_t id =
            f == cluster::kBigram ? (std::uint64_t{cluster::kBigram} << 62) | (key & kBigramMask) : key;
        p.df_ids.push_back(id);
        // Not the top bits of FlatMap::mix (the home cell of a part's map): another multiplier.
        p.df_parts.push_back(static_cast<std::uint8_t>((id * 0xC2B2AE3D27D4EB4FULL) >> 61));
      }
  }
  if (!p.include) {
    p.keys.clear(), p.members.clear(), p.bounds.clear(), p.checked.clear(), p.passed.clear();
    return;
  }
  p.keys.resize(nb);
  for (std::uint32_t b = 0; b < nb; ++b) p.keys[b] = band_key(p.sig.data(), b);
  dup_candidates(p.keys.data(), p.members, p.bounds, p.checked);
  const auto& c = p.checked;
  p.passed.resize(c.size());
  for (std::size_t j = 0; j < c.size(); ++j)
    p.passed[j] = !(sketch::estimate_jaccard(p.sig, std::span<const std::uint32_t>(sigs.data() + std::size_t{c[j]} * k,
                                                                                   k)) < params.dup_threshold - 1e-12);
}

}  // namespace detail

namespace {

/// Distinct short-line hashes of an article.
std::vector<std::uint64_t> short_lines(const text::AnalyzedText& t) {
  std::vector<std::uint64_t> h;
  for (const auto& l : t.lines)
    if (l.hash != 0) h.push_back(l.hash);
  std::sort(h.begin(), h.end());
  h.erase(std::unique(h.begin(), h.end()), h.end());
  return h;
}

/// The signature, shingle flag and story term counts of an analysed article, its lines marked
/// boilerplate by `line_docs(hash)` (the articles a short line has been seen in).
template <class LineDocs>
void prepare_terms(const text::AnalyzedText& t, const detail::State& s, LineDocs line_docs, Prepared& p) {
  thread_local std::vector<std::uint64_t> tokens, shingles;
  thread_local std::vector<std::uint8_t> bp;
  bp.assign(t.lines.size(), 0);
  for (std::size_t l = 0; l < t.lines.size(); ++l)
    bp[l] = t.lines[l].hash != 0 && line_docs(t.lines[l].hash) >= s.params.boilerplate_min_docs;
  text::kept_tokens(t, bp, tokens, nullptr);
  shingles.clear();
  s.hasher->shingles(tokens, shingles);
  p.include = !shingles.empty();
  p.sig.resize(s.params.minhash.num_perm);
  s.hasher->sign(shingles, p.sig);
  p.counts = cluster::story_terms(t, bp);
}

/// Analyses and prepares a batch in one parallel pass per article (its analysis still in cache
/// when it is prepared; two passes over the batch took twice the one-article cost), deciding
/// boilerplate on the line counts before the batch (`before(hash)`); `also(p)` runs on each
/// prepared article in that pass. Then `count(lines)` counts the batch's short lines (each
/// article's distinct ones, `lines[i]`, in input order; left in `lines` for the caller) and
/// returns, sorted, those whose count crossed boilerplate_min_docs with the batch; the articles
/// holding one are prepared again with `after(hash)` (rare: a line becoming boilerplate in this
/// batch). The same result as counting first and preparing with the new counts.
template <class Before, class Count, class After, class Also>
std::vector<Prepared> prepare_batch(std::vector<Article>& batch, const detail::State& s, Before before, Count count,
                                    After after, Also also, std::int64_t now,
                                    std::vector<std::vector<std::uint64_t>>& lines) {
  const std::size_t n = batch.size();
  std::vector<Prepared> out(n);
  std::vector<text::AnalyzedText> analyzed(n);
  lines.assign(n, {});
  tbb::parallel_for(tbb::blocked_range<std::size_t>(0, n, 1), [&](const auto& r) {
    for (std::size_t i = r.begin(); i < r.end(); ++i) {
      const Article& a = batch[i];
      text::analyze(a.title, a.text, s.params.text, analyzed[i]);
      lines[i] = short_lines(analyzed[i]);
      Prepared& p = out[i];
      prepare_terms(analyzed[i], s, before, p);
      p.published = a.published ? *a.published : kNoTime;
      p.inserted = now;
      p.length = a.text.size();
      p.id = std::move(batch[i].id);
      also(p);
    }
  });
  const std::vector<std::uint64_t> crossed = count(lines);
  if (!crossed.empty())
    tbb::parallel_for(std::size_t{0}, n, [&](std::size_t i) {
      for (const auto h : lines[i])
        if (std::binary_search(crossed.begin(), crossed.end(), h)) {
          prepare_terms(analyzed[i], s, after, out[i]);
          out[i].looked_up = false;
          also(out[i]);
          return;
        }
    });
  return out;
}

/// A doc counts a bigram counter (one of 2^kBigramDfBits buckets) once, however many of its
/// bigrams fall in it, as it counts a term once: after start(n) for a doc of n bigrams,
/// first(key) is true for the first of its bigrams in each bucket. A small per-thread set,
/// emptied by a new stamp per doc.
class BucketsSeen {
 public:
  static BucketsSeen& mine() {
    thread_local BucketsSeen seen;
    return seen;
  }
  void start(std::size_t n) {
    bits_ = 6;
    while ((std::size_t{1} << bits_) < 2 * n) ++bits_;
    if (slots_.size() < (std::size_t{1} << bits_)) slots_.assign(std::size_t{1} << bits_, Slot{});
    if (++stamp_ == 0) {  // wrapped: no slot may keep a current stamp
      for (auto& slot : slots_) slot.stamp = 0;
      stamp_ = 1;
    }
  }
  bool first(std::uint64_t key) {
    const auto bucket = static_cast<std::uint32_t>(key & ((std::uint64_t{1} << State::kBigramDfBits) - 1));
    const std::size_t mask = (std::size_t{1} << bits_) - 1;
    for (std::size_t i = (bucket * 0x9E3779B1u) >> (32 - bits_);; i = (i + 1) & mask) {
      Slot& slot = slots_[i];
      if (slot.stamp != stamp_) {
        slot = {bucket, stamp_};
        return true;
      }
      if (slot.bucket == bucket) return false;
    }
  }

 private:
  struct Slot {
    std::uint32_t bucket = 0, stamp = 0;
  };
  std::vector<Slot> slots_;
  unsigned bits_ = 6;
  std::uint32_t stamp_ = 0;
};

/// How many keys ahead of its lookup a df cache hint is issued: enough to overlap the misses,
/// few enough that the hinted lines are still in L1 when looked up (a long article has a
/// thousand terms or more; hinting them all first overflowed the miss buffers and L1).
constexpr std::size_t kDfAhead = 16;

/// Weighted, truncated story terms of a doc; `df(i, key)` is the document frequency among `docs`
/// of its i-th term (fields in order, each field's terms in count order). `pre(key)` is a cache
/// hint for df, issued kDfAhead keys ahead.
template <class Df, class Pre>
std::vector<Term> weigh(const std::array<tfidf::TermCounts, cluster::kStoryFields>& counts, double docs, Df df, Pre pre,
                        std::uint32_t keep, unsigned& mask) {
  // Every term is weighed (each field is L2-normalised over all its terms) in a per-thread
  // scratch array; only the `keep` kept terms are returned.
  thread_local std::vector<Term> scratch;
  thread_local std::vector<std::uint32_t> dfs;
  std::array<std::size_t, cluster::kStoryFields + 1> bound{};
  for (std::size_t f = 0; f < cluster::kStoryFields; ++f) bound[f + 1] = bound[f] + counts[f].size();
  const std::size_t n = bound[cluster::kStoryFields];
  scratch.resize(n);
  dfs.resize(n);
  Term* const all = scratch.data();
  for (std::size_t f = 0; f < cluster::kStoryFields; ++f) {
    Term* out = all + bound[f];
    for (const auto& [term, count] : counts[f]) *out++ = {term_key(f, term), count, 0.0f};
  }
  mask = 0;
  std::uint32_t* const df_at = dfs.data();
  for (std::size_t i = 0; i < std::min(kDfAhead, n); ++i) pre(all[i].key);
  for (std::size_t i = 0; i < n; ++i) {
    if (i + kDfAhead < n) pre(all[i + kDfAhead].key);
    df_at[i] = df(i, all[i].key);
  }
  // Two logarithms per term were a fifth of this function's time on long articles: counts and
  // document frequencies are mostly small, so both are memoised (the same expressions, the
  // same values): log(count) in a fixed table, idf(df) per call, for values below kMemo.
  constexpr std::uint32_t kMemo = 1024;
  static const std::vector<double> log_count_table = [] {
    std::vector<double> v(kMemo);
    for (std::uint32_t c = 1; c < kMemo; ++c) v[c] = std::log(static_cast<double>(c));
    return v;
  }();
  thread_local std::vector<double> idf_memo(kMemo);
  thread_local std::vector<std::uint64_t> idf_call(kMemo, 0);
  thread_local std::uint64_t call = 0;
  const std::uint64_t this_call = ++call;
  const double* const log_count = log_count_table.data();
  double* const memo = idf_memo.data();
  std::uint64_t* const memo_call = idf_call.data();
  for (std::size_t f = 0; f < cluster::kStoryFields; ++f) {
    const std::size_t from = bound[f], to = bound[f + 1];
    if (from == to) continue;
    double norm2 = 0;
    for (std::size_t i = from; i < to; ++i) {
      const std::uint32_t c = all[i].count, d = df_at[i];
      const double lc = c < kMemo ? log_count[c] : std::log(static_cast<double>(c));
      double idf_d;
      if (d >= kMemo) {
        idf_d = idf(docs, static_cast<double>(d));
      } else {
        if (memo_call[d] != this_call) memo_call[d] = this_call, memo[d] = idf(docs, static_cast<double>(d));
        idf_d = memo[d];
      }
      const double w = (1.0 + lc) * idf_d;
      all[i].weight = static_cast<float>(w);
      norm2 += w * w;
    }
    mask |= 1u << f;
    const double inv = 1.0 / std::sqrt(norm2);
    for (std::size_t i = from; i < to; ++i) all[i].weight = static_cast<float>(all[i].weight * inv);
  }
  return detail::top_terms(all, n, keep);
}

}  // namespace

IndexParams params_from(const PipelineOptions& o) {
  IndexParams p;
  p.minhash = o.minhash;
  p.text = o.text;
  p.boilerplate_min_docs = o.boilerplate_min_docs;
  p.dup_threshold = o.dup_threshold;
  if (o.bands) p.bands = *o.bands;
  p.lsh_fp_weight = o.lsh_fp_weight;
  p.lsh_fn_weight = o.lsh_fn_weight;
  p.max_bucket = o.max_bucket;
  p.story = o.story;
  return p;
}

Index::Index(const IndexParams& params) : s_(std::make_unique<State>()) {
  auto& s = *s_;
  s.params = params;
  if (!(params.dup_threshold > 0 && params.dup_threshold <= 1))
    throw std::invalid_argument("dup threshold must be in (0, 1]");
  if (params.boilerplate_min_docs < 2) throw std::invalid_argument("boilerplate min docs must be at least 2");
  cluster::check_story_options(params.story);
  if (params.story_terms < 1 || params.story_terms > 4096)
    throw std::invalid_argument("story terms must be in 1..4096");
  if (params.max_bucket < 2) throw std::invalid_argument("max bucket must be at least 2");
  s.hasher = std::make_unique<sketch::MinHasher>(params.minhash);
  const std::uint32_t k = params.minhash.num_perm;
  s.bands = params.bands.bands
                ? params.bands
                : lsh::optimal_bands(params.dup_threshold, k, params.lsh_fp_weight, params.lsh_fn_weight);
  if (s.bands.bands == 0 || s.bands.rows == 0 || std::uint64_t{s.bands.bands} * s.bands.rows > k)
    throw std::invalid_argument("bands x rows must be positive and at most num_perm");
  s.params.bands = s.bands;
  s.init_tables();
}

Index::Index() : s_(std::make_unique<State>()) {}
Index::~Index() = default;
Index::Index(Index&&) noexcept = default;
Index& Index::operator=(Index&&) noexcept = default;

const IndexParams& Index::params() const noexcept {
  return s_->params;
}
lsh::BandParams Index::bands() const noexcept {
  return s_->bands;
}
bool Index::contains(std::string_view id) const {
  return s_->by_id.find(id, s_->ids) != detail::IdMap::kEmpty;
}

namespace detail {

void State::init_tables() {
  tables.assign(bands.bands, BandTable{});
  // The tables fill side by side: their pending maps would double in the same batch.
  for (std::uint32_t b = 0; b < bands.bands; ++b) tables[b].pending.set_max_load(staggered_load(b, bands.bands));
  band_seeds.resize(bands.bands);
  for (std::uint32_t b = 0; b < bands.bands; ++b)
    band_seeds[b] = sketch::derive_seed(params.minhash.seed, 0x10000u + b);
  bigram_df.reset(static_cast<std::uint32_t*>(std::calloc(std::size_t{1} << kBigramDfBits, sizeof(std::uint32_t))));
  if (!bigram_df) throw std::bad_alloc();
}

std::uint32_t State::df_of(std::uint64_t key) const {
  if (key_field(key) == cluster::kBigram) return bigram_df[key & ((std::uint64_t{1} << kBigramDfBits) - 1)];
  const auto* v = df.find(key);
  return v ? *v : 0u;
}

void State::count_df(std::uint64_t key) {
  if (key_field(key) == cluster::kBigram)
    ++bigram_df[key & ((std::uint64_t{1} << kBigramDfBits) - 1)];
  else
    ++df[key];
}

std::uint32_t State::new_doc(std::vector<Term> t, unsigned mask, std::uint32_t slot, std::uint32_t story, float score) {
  const auto d = static_cast<std::uint32_t>(doc_story.size());
  doc_story.push_back(story);
  doc_slot.push_back(slot);
  doc_published.push_back(published[slot]);
  doc_alive.push_back(1);
  doc_mask.push_back(static_cast<std::uint8_t>(mask));
  doc_score.push_back(score);
  doc_refs.push_back(1);
  for (const auto& term : t) {
    const auto f = key_field(term.key);
    if (f == cluster::kBody || f == cluster::kEntity) postings[term.key].push_back(d);
  }
  terms.insert(terms.end(), t.begin(), t.end());
  doc_begin.push_back(terms.size());
  ++story_size[story];
  sum_add(story, d);
  return d;
}

namespace {

/// The slots compact() keeps: live articles, and removed ones a live story doc holds the terms of.
std::vector<std::uint8_t> kept_slots(const State& s) {
  std::vector<std::uint8_t> keep(s.ids.size(), 0);
  for (std::size_t x = 0; x < s.ids.size(); ++x) keep[x] = s.flags[x] & State::kAlive;
  for (std::size_t d = 0; d < s.doc_slot.size(); ++d)
    if (s.doc_alive[d]) keep[s.doc_slot[d]] = 1;
  return keep;
}

/// v[new] = v[old] for the kept entries, in order; the result holds an eighth more room.
template <class V>
void keep_only(V& v, const std::vector<std::uint8_t>& keep, std::size_t kept) {
  V out;
  out.reserve(kept + kept / 8 + 64);
  for (std::size_t i = 0; i < keep.size(); ++i)
    if (keep[i]) out.push_back(std::move(v[i]));
  v = std::move(out);
}

}  // namespace

std::pair<std::uint64_t, std::uint64_t> State::garbage() const {
  std::uint64_t slots = 0, docs = 0;
  for (const auto k : kept_slots(*this)) slots += k == 0;
  for (const auto a : doc_alive) docs += a == 0;
  return {slots, docs};
}

void State::compact() {
  const std::uint32_t k = params.minhash.num_perm;
  const std::size_t n = ids.size(), m = doc_story.size(), ns = story_name.size();
  // Every live article's root and its group's canonical are live (remove() re-derives the
  // groups that lost a member), so a kept slot never points at a dropped one.
  std::vector<std::uint8_t> keep = kept_slots(*this);
  std::vector<std::uint32_t> root(n, kNone);
  for (std::uint32_t x = 0; x < n; ++x)
    if (flags[x] & kAlive) {
      root[x] = find_mut(x);
      if (!keep[root[x]] || !keep[canon[root[x]]])
        throw std::logic_error("index compact: a live group has a dead root");
    }
  std::vector<std::uint32_t> slot_map(n, kNone), doc_map(m, kNone), story_map(ns, kNone);
  std::uint32_t kept = 0, kept_docs = 0, kept_stories = 0;
  for (std::size_t x = 0; x < n; ++x)
    if (keep[x]) slot_map[x] = kept++;
  std::vector<std::uint8_t> keep_doc(m, 0), keep_story(ns, 0);
  for (std::size_t d = 0; d < m; ++d)
    if (doc_alive[d]) keep_doc[d] = 1, keep_story[doc_story[d]] = 1;
  for (std::size_t d = 0; d < m; ++d)
    if (keep_doc[d]) doc_map[d] = kept_docs++;
  for (std::size_t i = 0; i < ns; ++i)
    if (keep_story[i]) story_map[i] = kept_stories++;
  if (kept == n && kept_docs == m && kept_stories == ns) return;

  // Group links: roots keep their canonical and story doc, other members point at their root.
  for (std::uint32_t x = 0; x < n; ++x) {
    if (!keep[x]) continue;
    if (!(flags[x] & kAlive)) {  // a dead slot kept for its story doc: a group of its own
      ids[x].clear();
      ids[x].shrink_to_fit();
      parent[x] = slot_map[x], canon[x] = slot_map[x], group_doc[x] = kNone;
    } else if (root[x] == x) {
      parent[x] = slot_map[x];
      canon[x] = slot_map[canon[x]];
      group_doc[x] = group_doc[x] == kNone ? kNone : doc_map[group_doc[x]];
    } else {
      parent[x] = slot_map[root[x]], canon[x] = slot_map[x], group_doc[x] = kNone;
    }
  }
  {
    decltype(sigs) s2;
    s2.reserve((std::size_t{kept} + kept / 8 + 64) * k);
    for (std::size_t x = 0; x < n; ++x)
      if (keep[x])
        s2.insert(s2.end(), sigs.begin() + static_cast<std::ptrdiff_t>(x * k),
                  sigs.begin() + static_cast<std::ptrdiff_t>((x + 1) * k));
    sigs = std::move(s2);
  }
  keep_only(ids, keep, kept);
  keep_only(published, keep, kept);
  keep_only(inserted, keep, kept);
  keep_only(length, keep, kept);
  keep_only(flags, keep, kept);
  keep_only(parent, keep, kept);
  keep_only(canon, keep, kept);
  keep_only(group_doc, keep, kept);
  by_id.remap([&](std::uint32_t x) { return slot_map[x]; });

  // Story docs and their terms.
  {
    decltype(terms) t2;
    decltype(doc_begin) b2{0};
    t2.reserve(terms.size());
    b2.reserve(std::size_t{kept_docs} + kept_docs / 8 + 65);
    for (std::size_t d = 0; d < m; ++d) {
      if (!keep_doc[d]) continue;
      t2.insert(t2.end(), terms.begin() + static_cast<std::ptrdiff_t>(doc_begin[d]),
                terms.begin() + static_cast<std::ptrdiff_t>(doc_begin[d + 1]));
      b2.push_back(t2.size());
    }
    t2.shrink_to_fit();
    terms = std::move(t2);
    doc_begin = std::move(b2);
  }
  for (std::size_t d = 0; d < m; ++d)
    if (keep_doc[d]) doc_story[d] = story_map[doc_story[d]], doc_slot[d] = slot_map[doc_slot[d]];
  keep_only(doc_story, keep_doc, kept_docs);
  keep_only(doc_slot, keep_doc, kept_docs);
  keep_only(doc_refs, keep_doc, kept_docs);
  keep_only(doc_published, keep_doc, kept_docs);
  keep_only(doc_alive, keep_doc, kept_docs);
  keep_only(doc_mask, keep_doc, kept_docs);
  keep_only(doc_score, keep_doc, kept_docs);
  keep_only(story_name, keep_story, kept_stories);
  keep_only(story_size, keep_story, kept_stories);

  // LSH tables: the entries of live articles with shingles, renumbered (the order is kept).
  tbb::parallel_for(std::uint32_t{0}, bands.bands, [&](std::uint32_t b) {
    BandTable& tb = tables[b];
    std::vector<std::uint64_t> k2;
    std::vector<std::uint32_t> s2;
    tb.for_each_sorted([&](std::uint64_t key, std::uint32_t x) {
      if (keep[x] && (flags[slot_map[x]] & (kAlive | kInclude)) == (kAlive | kInclude))
        k2.push_back(key), s2.push_back(slot_map[x]);
    });
    tb.keys = std::move(k2);
    tb.slots = std::move(s2);
    tb.pending.clear();
    tb.entries.clear();
    tb.entries.shrink_to_fit();
    tb.index_keys();
  });
  // Postings: the live docs of every list, renumbered, all in the loaded arrays.
  {
    std::vector<std::uint64_t> keys, begin{0};
    std::vector<std::uint32_t> docs;
    for_each_posting([&](std::uint64_t key, const std::vector<std::uint32_t>& list) {
      for (const auto d : list)
        if (d < m && keep_doc[d]) docs.push_back(doc_map[d]);
      if (docs.size() == begin.back()) return;
      keys.push_back(key);
      begin.push_back(docs.size());
    });
    post_keys = std::move(keys);
    post_begin = std::move(begin);
    post_docs = std::move(docs);
    postings.clear();
    BandTable::directory(post_keys, post_dir, post_dir_bits);
  }
  rebuild_sums();  // renumbered stories; the sums are exact, so the same values
}

void State::append_slot(const Prepared& p, std::uint64_t id_hash) {
  const auto x = static_cast<std::uint32_t>(ids.size());
  ids.push_back(p.id);
  by_id.insert(id_hash, x, ids);
  published.push_back(p.published);
  inserted.push_back(p.inserted);
  length.push_back(p.length);
  sigs.insert(sigs.end(), p.sig.begin(), p.sig.end());
  flags.push_back(static_cast<std::uint8_t>(kAlive | (p.include ? kInclude : 0)));
  parent.push_back(x);
  canon.push_back(x);
  group_doc.push_back(kNone);
}

std::vector<Answer> State::insert_sequential(std::vector<Prepared>& batch, bool update_df) {
  const std::uint32_t k = params.minhash.num_perm;
  const std::size_t first = ids.size();
  if (first + batch.size() >= kNone) throw std::invalid_argument("index full: 2^32 - 1 articles");
  std::vector<std::uint64_t> keys(bands.bands);
  std::vector<std::uint32_t> cand;
  last = {};
  // 1. Dup groups, article by article in input order.
  for (std::size_t i = 0; i < batch.size(); ++i) {
    Prepared& p = batch[i];
    const auto x = static_cast<std::uint32_t>(ids.size());
    append_slot(p, detail::IdMap::hash(p.id));
    if (!p.include) continue;
    const std::uint32_t* sig = sigs.data() + std::size_t{x} * k;
    // The first article meets the index as look_up() saw it (nothing of this call is in the
    // tables yet): its candidates and verdicts stand.
    const bool looked = i == 0 && p.looked_up;
    if (looked) {
      keys = p.keys;
      cand = p.checked;
    } else {
      for (std::uint32_t b = 0; b < bands.bands; ++b) keys[b] = band_key(sig, b);
      thread_local std::vector<std::uint32_t> members, bounds;
      dup_candidates(keys.data(), members, bounds, cand);
    }
    last.candidates += cand.size();
    for (std::size_t j = 0; j < cand.size(); ++j) {
      const std::uint32_t c = cand[j];
      if (looked ? !p.passed[j]
                 : sketch::estimate_jaccard(std::span<const std::uint32_t>(sig, k),
                                            std::span<const std::uint32_t>(sigs.data() + std::size_t{c} * k, k)) <
                       params.dup_threshold - 1e-12)
        continue;
      ++last.verified_edges;
      flags[x] |= kDup;
      unite(x, c);
    }
    for (std::uint32_t b = 0; b < bands.bands; ++b) tables[b].insert(keys[b], x);
  }
  // 2. Story docs for groups made only of this batch's articles: the canonical's terms.
  const std::size_t stories_before = story_name.size(), docs_before = doc_story.size();
  for (std::size_t i = 0; i < batch.size(); ++i) {
    const auto x = static_cast<std::uint32_t>(first + i);
    const auto r = find_mut(x);
    if (group_doc[r] != kNone) continue;
    const std::uint32_t c = canon[r];
    Prepared& p = batch[c - first];
    std::vector<Term> t;
    unsigned mask = 0;
    // query() weighed this doc with the counts it gets here when no doc was counted between (the
    // document count tells): then its terms are taken as they are.
    bool same = false;
    if (p.has_stored) {
      t = p.stored;
      mask = p.stored_mask;
    } else {
      if (update_df) {
        ++df_docs;
        // Cache hints kDfAhead keys ahead: the misses overlap.
        thread_local std::vector<std::uint64_t> df_keys;
        df_keys.clear();
        for (std::size_t f = 0; f < cluster::kStoryFields; ++f)
          for (const auto& [term, count] : p.counts[f]) df_keys.push_back(term_key(f, term));
        same = p.weighed_docs == static_cast<double>(df_docs);
        auto& seen = BucketsSeen::mine();
        seen.start(p.counts[cluster::kBigram].size());
        for (std::size_t j = 0; j < std::min(kDfAhead, df_keys.size()); ++j) prefetch_df(df_keys[j]);
        for (std::size_t j = 0; j < df_keys.size(); ++j) {
          if (j + kDfAhead < df_keys.size()) prefetch_df(df_keys[j + kDfAhead]);
          if (key_field(df_keys[j]) != cluster::kBigram || seen.first(df_keys[j])) count_df(df_keys[j]);
        }
      }
      if (same) {
        t = std::move(p.weighed);
        mask = p.weighed_mask;
        ++last.weighed_in_query;
      } else {
        t = weigh(
            p.counts, static_cast<double>(df_docs), [&](std::size_t, std::uint64_t key) { return df_of(key); },
            [](std::uint64_t) {},  // count_df above has just touched every key
            params.story_terms, mask);
      }
    }
    // The seed is of the index before this call: good until the first new doc changes it.
    bool seeded = false;
    std::pair<std::uint32_t, double> found;
    if (same && batch.size() == 1) {
      // Its query()'s terms, and the index as that query() saw it (an article joining a group
      // takes the group's doc, so this one joined none): the story it found stands.
      found = {p.found_story, p.found_score};
      last.story_candidates += p.found_compared;
      seeded = true;
    } else {
      found = best_story(t, mask, published[c], last.story_candidates,
                         doc_story.size() == docs_before ? &p.seed : nullptr, nullptr, &seeded);
    }
    const auto [best, score] = found;
    last.story_from_query += seeded;
    std::uint32_t story = best;
    if (story == kNone) {
      story = static_cast<std::uint32_t>(story_name.size());
      story_name.push_back(ids[c]);
      story_size.push_back(0);
    }
    group_doc[r] = new_doc(std::move(t), mask, c, story, best == kNone ? 1.0f : static_cast<float>(score));
  }
  // 3. Answers.
  std::vector<Answer> out(batch.size());
  for (std::size_t i = 0; i < batch.size(); ++i)
    out[i] = answer_for(static_cast<std::uint32_t>(first + i), stories_before);
  return out;
}

Answer State::answer_for(std::uint32_t x, std::size_t stories_before) {
  const std::uint32_t k = params.minhash.num_perm;
  const auto r = find_mut(x);
  const auto c = canon[r];
  const auto d = group_doc[r];
  Answer a;
  a.id = ids[x];
  a.dup = flags[x] & kDup;
  a.dup_group = ids[c];
  a.dup_score = c == x ? 1.0f
                       : static_cast<float>(sketch::estimate_jaccard(
                             std::span<const std::uint32_t>(sigs.data() + std::size_t{x} * k, k),
                             std::span<const std::uint32_t>(sigs.data() + std::size_t{c} * k, k)));
  a.story = story_name[doc_story[d]];
  a.story_score = doc_score[d];
  a.new_story = doc_story[d] >= stories_before;
  return a;
}

std::vector<Answer> State::insert(std::vector<Prepared>& batch, bool update_df) {
  const std::uint32_t nb = bands.bands;
  const std::size_t first = ids.size(), n = batch.size();
  if (first + n >= kNone) throw std::invalid_argument("index full: 2^32 - 1 articles");
  last = {};
  const auto slot_of = [&](std::size_t i) { return static_cast<std::uint32_t>(first + i); };
  const double threshold = params.dup_threshold - 1e-12;

  // 1. In parallel, against the index as it stands (unless add() did it with the analysis): band
  //    keys, bucket members and verdicts (look_up).
  if (std::any_of(batch.begin(), batch.end(), [](const Prepared& p) { return !p.looked_up; }))
    tbb::parallel_for(tbb::blocked_range<std::size_t>(0, n, 1), [&](const auto& r) {
      for (std::size_t i = r.begin(); i < r.end(); ++i)
        if (!batch[i].looked_up) look_up(batch[i]);
    });
  // The batch's own buckets: per band, its articles with shingles sorted by (key, article), so
  // an article's earlier batch mates in a bucket are the entries before it in its key's run.
  std::vector<std::vector<std::pair<std::uint64_t, std::uint32_t>>> by_band(nb);
  std::vector<std::uint32_t> run_at(n * nb), pos_at(n * nb);
  for (std::uint32_t b = 0; b < nb; ++b) {  // small: not worth waking another thread
    auto& v = by_band[b];
    for (std::size_t i = 0; i < n; ++i)
      if (batch[i].include) v.emplace_back(batch[i].keys[b], static_cast<std::uint32_t>(i));
    std::sort(v.begin(), v.end());
    for (std::size_t j = 0, run = 0; j < v.size(); ++j) {
      if (v[j].first != v[run].first) run = j;
      run_at[std::size_t{v[j].second} * nb + b] = static_cast<std::uint32_t>(run);
      pos_at[std::size_t{v[j].second} * nb + b] = static_cast<std::uint32_t>(j);
    }
  }

  // 2. Dup groups, in input order: a bucket holds the index's members, then the batch's
  //    earlier articles (as the band tables would after their inserts).
  std::vector<std::uint32_t> cand;
  for (std::size_t i = 0; i < n; ++i) {
    Prepared& p = batch[i];
    const auto x = slot_of(i);
    append_slot(p, p.id_hash);
    if (!p.include) continue;
    cand.clear();
    for (std::uint32_t b = 0; b < nb; ++b) {
      const std::uint32_t lo = p.bounds[b], hi = p.bounds[b + 1];
      const auto& v = by_band[b];
      const std::uint32_t run = run_at[i * nb + b], pos = pos_at[i * nb + b];
      const std::size_t in_index = hi - lo, in_batch = pos - run;
      if (in_index + in_batch == 0) continue;
      // As lsh::bucket_pairs: a bucket of up to max_bucket docs (the new one included) pairs
      // all; a larger one pairs the new doc with the bucket's first and previous docs.
      if (in_index + in_batch + 1 <= params.max_bucket) {
        cand.insert(cand.end(), p.members.begin() + lo, p.members.begin() + hi);
        for (std::uint32_t j = run; j < pos; ++j) cand.push_back(slot_of(v[j].second));
      } else {
        cand.push_back(in_index ? p.members[lo] : slot_of(v[run].second));
        cand.push_back(in_batch ? slot_of(v[pos - 1].second) : p.members[hi - 1]);
      }
    }
    std::sort(cand.begin(), cand.end());
    cand.erase(std::unique(cand.begin(), cand.end()), cand.end());
    last.candidates += cand.size();
    for (auto c : cand) {
      bool pass;
      if (c < first) {
        const auto it = std::lower_bound(p.checked.begin(), p.checked.end(), c);
        pass = p.passed[static_cast<std::size_t>(it - p.checked.begin())];
      } else {
        pass = !(sketch::estimate_jaccard(p.sig, batch[c - first].sig) < threshold);
      }
      if (!pass) continue;
      ++last.verified_edges;
      flags[x] |= kDup;
      unite(x, c);
    }
  }

  // 3. The groups made only of this batch's articles get a story doc each (numbered from m0 in
  //    input order of their first article), from their canonical's terms.
  const auto m0 = static_cast<std::uint32_t>(doc_story.size());
  std::vector<std::uint32_t> nd_canon;
  for (std::size_t i = 0; i < n; ++i) {
    const auto r = find_mut(slot_of(i));
    if (group_doc[r] != kNone) continue;
    group_doc[r] = m0 + static_cast<std::uint32_t>(nd_canon.size());
    nd_canon.push_back(canon[r]);
  }
  const std::size_t nd = nd_canon.size();

  // 4. Their document frequencies: each new doc counts its terms, then is weighed with the
  //    counts so far (the index's, plus the batch's docs up to and including it). A term's
  //    index count is looked up once per batch; the terms are split into 8 parts by a hash,
  //    each part (in parallel) walking the docs in order with a small map of its terms.
  std::vector<std::size_t> df_begin(nd + 1, 0);
  std::vector<double> docs_at(nd);
  std::uint64_t docs_now = df_docs;
  for (std::size_t q = 0; q < nd; ++q) {
    const Prepared& p = batch[nd_canon[q] - first];
    std::size_t terms_q = 0;
    if (!p.has_stored) {
      for (const auto& f : p.counts) terms_q += f.size();
      if (update_df) ++docs_now;
    }
    docs_at[q] = static_cast<double>(docs_now);
    df_begin[q + 1] = df_begin[q] + terms_q;
  }
  const std::size_t n_terms = df_begin[nd];
  constexpr std::uint64_t kBigramMask = (std::uint64_t{1} << kBigramDfBits) - 1;
  std::vector<std::uint64_t> df_ids(n_terms);  // the counter a term counts in: its key, or its bigram bucket
  std::vector<std::uint8_t> df_part(n_terms);
  std::vector<std::uint32_t> dfv(n_terms);
  for (std::size_t q = 0; q < nd; ++q) {
    const Prepared& p = batch[nd_canon[q] - first];
    if (p.has_stored) continue;
    std::copy(p.df_ids.begin(), p.df_ids.end(), df_ids.begin() + static_cast<std::ptrdiff_t>(df_begin[q]));
    std::copy(p.df_parts.begin(), p.df_parts.end(), df_part.begin() + static_cast<std::ptrdiff_t>(df_begin[q]));
  }
  struct DfEntry {
    std::uint64_t id;
    std::uint32_t total;
    std::uint32_t last_doc;  // + 1: a doc counts an id once (two of its bigrams may share a bucket)
  };
  std::vector<std::vector<DfEntry>> df_new(kDfParts);  // per part, the terms the index lacks
  std::vector<std::uint32_t> df_entry(n_terms);        // a position's entry in its part
  // Each part's positions in order (a counting sort), and where each doc's end falls in them.
  std::vector<std::uint32_t> part_pos(n_terms), part_doc_end((kDfParts) * (nd + 1), 0);
  {
    std::array<std::size_t, kDfParts + 1> start{};
    for (std::size_t j = 0; j < n_terms; ++j) ++start[df_part[j] + 1u];
    for (unsigned p = 0; p < kDfParts; ++p) start[p + 1] += start[p];
    std::array<std::size_t, kDfParts> at{};
    for (unsigned p = 0; p < kDfParts; ++p) at[p] = start[p];
    for (std::size_t q = 0, j = 0; q < nd; ++q) {
      for (; j < df_begin[q + 1]; ++j) part_pos[at[df_part[j]]++] = static_cast<std::uint32_t>(j);
      for (unsigned p = 0; p < kDfParts; ++p) part_doc_end[p * (nd + 1) + q + 1] = static_cast<std::uint32_t>(at[p]);
    }
    for (unsigned p = 0; p < kDfParts; ++p) part_doc_end[p * (nd + 1)] = static_cast<std::uint32_t>(start[p]);
  }
  // One parallel region for the counting parts and the band tables' inserts (each band's in
  // input order), which touch nothing in common.
  tbb::parallel_for(0u, kDfParts + nb, [&](unsigned part) {
    if (part >= kDfParts) {
      const std::uint32_t b = part - kDfParts;
      for (std::size_t i = 0; i < n; ++i)
        if (batch[i].include) tables[b].insert(batch[i].keys[b], slot_of(i));
      return;
    }
    const std::uint32_t* const ends = part_doc_end.data() + std::size_t{part} * (nd + 1);
    // (1) The part's distinct terms (a small map: no cache miss on the index), each position's
    //     count so far: the batch's docs up to and including its own.
    FlatMap<std::uint32_t> local;  // id -> entry + 1
    std::vector<DfEntry> entries;
    local.reserve(ends[nd] - ends[0]);
    for (std::size_t q = 0; q < nd; ++q) {
      for (std::uint32_t a = ends[q]; a < ends[q + 1]; ++a) {
        const std::uint32_t j = part_pos[a];
        std::uint32_t& e = local[df_ids[j]];
        if (e == 0) {
          entries.push_back({df_ids[j], 0u, 0u});
          e = static_cast<std::uint32_t>(entries.size());
        }
        DfEntry& entry = entries[e - 1];
        if (update_df && entry.last_doc != q + 1) ++entry.total, entry.last_doc = static_cast<std::uint32_t>(q + 1);
        df_entry[j] = e - 1;
      }
      for (std::uint32_t a = ends[q]; a < ends[q + 1]; ++a) dfv[part_pos[a]] = entries[df_entry[part_pos[a]]].total;
    }
    // (2) Each distinct term's counter read and advanced once (cache hints kDfAhead terms
    //     ahead); no other part touches it. Terms the index lacks are inserted after.
    std::vector<std::uint32_t> base(entries.size());
    const auto counter = [&](std::uint64_t id) -> std::uint32_t* {
      return id >> 62 == cluster::kBigram ? bigram_df.get() + (id & kBigramMask) : df.find(id);
    };
    const auto hint = [&](std::uint64_t id) {
      if (id >> 62 == cluster::kBigram)
        prefetch(bigram_df.get() + (id & kBigramMask));
      else
        df.prefetch(id);
    };
    for (std::size_t e = 0; e < std::min(kDfAhead, entries.size()); ++e) hint(entries[e].id);
    for (std::size_t e = 0; e < entries.size(); ++e) {
      if (e + kDfAhead < entries.size()) hint(entries[e + kDfAhead].id);
      if (std::uint32_t* cell = counter(entries[e].id)) {
        base[e] = *cell;
        *cell += entries[e].total;
      } else if (entries[e].total) {
        df_new[part].push_back(entries[e]);
      }
    }
    for (std::uint32_t a = ends[0]; a < ends[nd]; ++a) dfv[part_pos[a]] += base[df_entry[part_pos[a]]];
  });
  for (const auto& part : df_new)
    for (const auto& e : part) df[e.id] += e.total;
  df_docs = docs_now;

  // 5. Weights, kept terms, story candidates and similarities of each new doc, in parallel:
  //    the candidates include the batch's earlier new docs.
  BatchDocs bd;
  std::vector<std::vector<Term>> nd_terms(nd);
  std::vector<std::uint8_t> nd_mask(nd);
  std::vector<std::int64_t> nd_pub(nd);
  tbb::parallel_for(std::size_t{0}, nd, [&](std::size_t q) {
    const Prepared& p = batch[nd_canon[q] - first];
    nd_pub[q] = p.published;
    if (p.has_stored) {
      nd_terms[q] = p.stored;
      nd_mask[q] = static_cast<std::uint8_t>(p.stored_mask);
      return;
    }
    unsigned mask = 0;
    const std::uint32_t* const dv = dfv.data() + df_begin[q];
    nd_terms[q] = weigh(
        p.counts, docs_at[q], [&](std::size_t j, std::uint64_t) { return dv[j]; }, [](std::uint64_t) {},
        params.story_terms, mask);
    nd_mask[q] = static_cast<std::uint8_t>(mask);
  });
  bd.first_doc = m0;
  bd.terms = &nd_terms;
  bd.masks = &nd_mask;
  bd.published = &nd_pub;
  for (std::size_t q = 0; q < nd; ++q)
    for (const auto& term : nd_terms[q]) {
      const auto f = key_field(term.key);
      if (f == cluster::kBody || f == cluster::kEntity)
        bd.postings.emplace_back(term.key, static_cast<std::uint32_t>(q));
    }
  std::sort(bd.postings.begin(), bd.postings.end());
  std::vector<std::vector<std::pair<std::uint32_t, double>>> links(nd);
  std::vector<std::uint64_t> compared(nd, 0);
  std::vector<std::uint8_t> seeded(nd, 0);
  tbb::parallel_for(std::size_t{0}, nd, [&](std::size_t q) {
    seeded[q] = story_links(nd_terms[q], nd_mask[q], nd_pub[q], &bd, static_cast<std::uint32_t>(q), links[q],
                            compared[q], &batch[nd_canon[q] - first].seed);
  });
  for (const auto u : seeded) last.story_from_query += u;

  // 6. In order: each new doc joins the story with the best average link (over the stories as
  //    the batch's earlier docs left them) or founds one.
  const std::size_t stories_before = story_name.size();
  for (std::size_t q = 0; q < nd; ++q) {
    last.story_candidates += compared[q];
    const auto [best, score] = pick_story(
        links[q], [&](std::uint32_t d) { return doc_story[d]; }, nd_terms[q], nd_pub[q]);
    const std::uint32_t c = nd_canon[q];
    std::uint32_t story = best;
    if (story == kNone) {
      story = static_cast<std::uint32_t>(story_name.size());
      story_name.push_back(ids[c]);
      story_size.push_back(0);
    }
    new_doc(std::move(nd_terms[q]), nd_mask[q], c, story, best == kNone ? 1.0f : static_cast<float>(score));
  }
  // 7. Answers.
  std::vector<Answer> out(n);
  for (std::size_t i = 0; i < n; ++i) out[i] = answer_for(slot_of(i), stories_before);
  return out;
}

}  // namespace detail

std::vector<Answer> Index::add(std::vector<Article> batch, std::int64_t now) {
  auto& s = *s_;
  {
    std::unordered_set<std::string_view> seen;
    for (const auto& a : batch) {
      if (s.by_id.find(a.id, s.ids) != detail::IdMap::kEmpty)
        throw std::invalid_argument("id \"" + a.id + "\" is already in the index");
      if (!seen.insert(a.id).second) throw std::invalid_argument("id \"" + a.id + "\" appears twice in the batch");
    }
  }
  // Boilerplate: the batch's short lines count (each once per article) before any is decided,
  // as the batch run counts the whole corpus first.
  const auto line_docs = [&](std::uint64_t h) {
    const auto* v = s.lines.find(h);
    return v ? *v : 0u;
  };
  // Counts the batch's short lines; returns, sorted, those that became boilerplate with it.
  const auto count_lines = [&](const std::vector<std::vector<std::uint64_t>>& lines) {
    std::vector<std::uint64_t> crossed;
    for (const auto& l : lines)
      for (auto h : l)
        if (++s.lines[h] == s.params.boilerplate_min_docs) crossed.push_back(h);
    std::sort(crossed.begin(), crossed.end());
    return crossed;
  };
  const bool one = batch.size() == 1 || s.sequential_insert;
  std::vector<Prepared> prepared;
  const auto memo = std::move(s.memo);  // this call changes the index: no later add may use it
  const bool reused = memo && same_prints(memo->prints, prints_of(batch));
  if (reused) {
    // query() prepared and looked up this very batch against the index as it is (with the
    // lines that cross now already counted as boilerplate): that is reused.
    prepared = std::move(memo->prepared);
    for (auto& p : prepared) p.inserted = now;
    count_lines(memo->lines);
  } else {
    std::vector<std::vector<std::uint64_t>> batch_lines;
    prepared = prepare_batch(
        batch, s, line_docs, count_lines, line_docs,
        [&](Prepared& p) {
          if (!one) s.look_up(p);  // what insert() needs from the index, while p is in cache
        },
        now, batch_lines);
  }
  // One article has no batch mates to share the work with: the parallel phases would only wake
  // the other threads.
  auto answers = one ? s.insert_sequential(prepared, true) : s.insert(prepared, true);
  s.last.from_query = reused ? answers.size() : 0;
  return answers;
}

std::vector<Answer> Index::query(std::vector<Article> batch) const {
  const auto& s = *s_;
  const std::uint32_t k = s.params.minhash.num_perm;
  std::unordered_map<std::uint64_t, std::uint32_t> local;  // the batch's short lines
  const auto line_docs = [&](std::uint64_t h) {
    const auto* v = s.lines.find(h);
    return v ? *v : 0u;
  };
  s.memo.reset();
  auto memo = std::make_shared<detail::QueryMemo>();
  if (batch.size() <= detail::QueryMemo::kMaxArticles) memo->prints = prints_of(batch);
  auto prepared = prepare_batch(
      batch, s, line_docs,
      [&](const std::vector<std::vector<std::uint64_t>>& lines) {
        for (const auto& l : lines)
          for (auto h : l) ++local[h];
        std::vector<std::uint64_t> crossed;
        for (const auto& [h, c] : local) {
          const std::uint32_t was = line_docs(h);
          if (was < s.params.boilerplate_min_docs && was + c >= s.params.boilerplate_min_docs) crossed.push_back(h);
        }
        std::sort(crossed.begin(), crossed.end());
        return crossed;
      },
      [&](std::uint64_t h) {
        auto jt = local.find(h);
        return line_docs(h) + (jt == local.end() ? 0u : jt->second);
      },
      // The band keys, bucket members and verdicts, as add() takes them: the answers below come
      // from them, and an add() of the same batch reuses them with the rest (QueryMemo).
      [&](Prepared& p) { s.look_up(p); }, 0, memo->lines);
  std::vector<Answer> out(batch.size());
  std::vector<std::array<std::uint64_t, 3>> work(batch.size());
  const auto virt = static_cast<std::uint32_t>(s.ids.size());  // the slot add() would give
  const bool keep_seeds = !memo->prints.empty();               // the memo will be kept
  // Weighed terms serve only an add() that inserts one article at a time (insert_sequential).
  const bool keep_weighed = keep_seeds && (prepared.size() == 1 || s.sequential_insert);
  tbb::parallel_for(std::size_t{0}, prepared.size(), [&](std::size_t i) {
    const Prepared& p = prepared[i];
    Answer& a = out[i];
    a.id = p.id;
    std::vector<std::uint32_t> roots;
    std::uint64_t n_cand = 0, n_edges = 0, n_story = 0;
    if (p.include) {
      n_cand = p.checked.size();
      for (std::size_t j = 0; j < p.checked.size(); ++j) {
        if (!p.passed[j]) continue;
        ++n_edges;
        roots.push_back(s.find(p.checked[j]));
      }
    }
    std::sort(roots.begin(), roots.end());
    roots.erase(std::unique(roots.begin(), roots.end()), roots.end());
    a.dup = !roots.empty();
    // The canonical: the best of the matched groups' canonicals and the article itself.
    cluster::CanonicalKey pk;
    if (p.published != kNoTime) pk.published = p.published;
    pk.length = p.length;
    std::uint32_t best_root = kNone;
    for (auto r : roots)
      if (best_root == kNone || s.precedes(s.canon[r], s.canon[best_root])) best_root = r;
    const bool self =
        best_root == kNone || cluster::precedes(pk, virt, s.key_of(s.canon[best_root]), s.canon[best_root]);
    if (self) {
      a.dup_group = p.id;
      a.dup_score = 1;
    } else {
      const auto c = s.canon[best_root];
      a.dup_group = s.ids[c];
      a.dup_score = static_cast<float>(
          sketch::estimate_jaccard(p.sig, std::span<const std::uint32_t>(s.sigs.data() + std::size_t{c} * k, k)));
    }
    // The story: the doc the merged group would keep, else a hypothetical new doc.
    std::uint32_t doc = kNone;
    for (auto r : roots) {
      const auto d = s.group_doc[r];
      if (d == kNone) continue;
      if (doc == kNone || s.precedes(s.canon[r], s.doc_slot[doc])) doc = d;
    }
    if (doc != kNone) {
      a.story = s.story_name[s.doc_story[doc]];
      a.story_score = s.doc_score[doc];
    } else {
      unsigned mask = 0;
      const double docs = static_cast<double>(s.df_docs + 1);
      auto t = weigh(
          p.counts, docs,
          [&](std::size_t, std::uint64_t key) {
            return s.df_of(key) + 1u;  // the doc itself (once, bigram counters included)
          },
          [&](std::uint64_t key) { s.prefetch_df(key); }, s.params.story_terms, mask);
      const auto [best, score] =
          s.best_story(t, mask, p.published, n_story, nullptr, keep_seeds ? &prepared[i].seed : nullptr);
      if (keep_weighed) {
        auto& kept = prepared[i];
        kept.weighed = std::move(t);
        kept.weighed_mask = mask;
        kept.weighed_docs = docs;
        kept.found_story = best;
        kept.found_score = score;
        kept.found_compared = n_story;
      }
      if (best == kNone) {
        a.story = p.id;
        a.story_score = 1;
        a.new_story = true;
      } else {
        a.story = s.story_name[best];
        a.story_score = static_cast<float>(score);
      }
    }
    work[i] = {n_cand, n_edges, n_story};
  });
  s.last = {};
  for (const auto& w : work) {  // fixed order
    s.last.candidates += w[0];
    s.last.verified_edges += w[1];
    s.last.story_candidates += w[2];
  }
  if (!memo->prints.empty()) {
    memo->prepared = std::move(prepared);
    s.memo = std::move(memo);
  }
  return out;
}

std::size_t Index::remove(std::span<const std::string> ids, bool auto_compact) {
  auto& s = *s_;
  s.memo.reset();
  const std::uint32_t k = s.params.minhash.num_perm;
  std::unordered_set<std::uint32_t> affected;
  std::size_t removed = 0;
  for (const auto& id : ids) {
    const auto x = s.by_id.erase(id, s.ids);
    if (x == detail::IdMap::kEmpty) continue;
    s.flags[x] = static_cast<std::uint8_t>(s.flags[x] & ~State::kAlive);
    affected.insert(s.find_mut(x));
    ++removed;
  }
  if (!removed) return 0;
  const auto n = static_cast<std::uint32_t>(s.ids.size());
  std::unordered_map<std::uint32_t, std::vector<std::uint32_t>> members;
  for (std::uint32_t x = 0; x < n; ++x) {
    const auto r = s.find_mut(x);
    if (affected.count(r)) members[r].push_back(x);
  }
  std::vector<std::uint32_t> roots(affected.begin(), affected.end());
  std::sort(roots.begin(), roots.end());
  for (auto r : roots) {
    const auto& all = members[r];  // slot order
    const std::uint32_t doc = s.group_doc[r];
    std::vector<std::uint32_t> live;
    for (auto x : all) {
      s.parent[x] = x;
      s.group_doc[x] = kNone;
      s.canon[x] = x;
      if (s.flags[x] & State::kAlive) live.push_back(x);
    }
    if (live.empty()) {
      s.retire_doc(doc);
      continue;
    }
    // Re-derive the groups of the remaining members exactly as the batch run would.
    std::vector<std::uint32_t> sub(live.size() * k);
    std::vector<std::uint8_t> include(live.size());
    std::vector<cluster::CanonicalKey> keys(live.size());
    for (std::size_t i = 0; i < live.size(); ++i) {
      std::copy_n(s.sigs.data() + std::size_t{live[i]} * k, k, sub.data() + i * k);
      include[i] = s.flags[live[i]] & State::kInclude ? 1 : 0;
      keys[i] = s.key_of(live[i]);
    }
    lsh::CandidateStats ignored;
    const auto cand =
        lsh::candidate_pairs(sub, k, include, s.bands, s.params.minhash.seed, s.params.max_bucket, ignored);
    const auto edges = cluster::verify_pairs(cand, [&](std::uint32_t i, std::uint32_t j) {
      return sketch::estimate_jaccard(std::span<const std::uint32_t>(sub.data() + std::size_t{i} * k, k),
                                      std::span<const std::uint32_t>(sub.data() + std::size_t{j} * k, k)) >=
             s.params.dup_threshold - 1e-12;
    });
    cluster::UnionFind uf(live.size());
    for (const auto& [i, j] : edges) uf.unite(i, j);
    const auto canonical = cluster::dup_groups(edges, keys);
    std::uint32_t groups = 0;
    for (std::uint32_t i = 0; i < live.size(); ++i) {
      const auto root = uf.find(i);  // the smallest member: parent[x] <= x holds
      s.parent[live[i]] = live[root];
      if (root == i) {
        s.canon[live[i]] = live[canonical[i]];
        s.group_doc[live[i]] = doc;
        ++groups;
      }
    }
    if (doc != kNone) s.doc_refs[doc] += groups - 1;  // every part keeps the group's story doc
  }
  const auto [slots, docs] = s.garbage();
  if (auto_compact && (slots + docs) * 8 >= s.ids.size() + s.doc_story.size()) s.compact();
  return removed;
}

std::size_t Index::compact() {
  s_->memo.reset();
  const std::size_t before = s_->ids.size();
  s_->compact();
  return before - s_->ids.size();
}

std::size_t Index::expire(std::int64_t older_than, bool auto_compact) {
  auto& s = *s_;
  std::vector<std::string> ids;
  for (std::size_t x = 0; x < s.ids.size(); ++x) {
    if (!(s.flags[x] & State::kAlive)) continue;
    const std::int64_t t = s.published[x] != kNoTime ? s.published[x] : s.inserted[x];
    if (t < older_than) ids.push_back(s.ids[x]);
  }
  return remove(ids, auto_compact);
}

void Index::check_params(const IndexParams& r) const {
  detail::compare_params(s_->params, r, "requested");
}

void Index::check_compatible(const Index& other) const {
  detail::compare_params(s_->params, other.s_->params, "in other");
}

void Index::merge(const Index& other) {
  check_compatible(other);
  auto& s = *s_;
  s.memo.reset();
  const auto& o = *other.s_;
  const std::uint32_t k = s.params.minhash.num_perm;
  for (std::uint32_t x = 0; x < o.ids.size(); ++x)  // slot order: the first clash is reported
    if ((o.flags[x] & State::kAlive) && s.by_id.find(o.ids[x], s.ids) != detail::IdMap::kEmpty)
      throw std::invalid_argument("id \"" + o.ids[x] + "\" is in both indexes");
  o.lines.for_each([&](std::uint64_t h, std::uint32_t c) { s.lines[h] += c; });
  o.df.for_each([&](std::uint64_t key, std::uint32_t c) { s.df[key] += c; });
  for (std::size_t i = 0; i < (std::size_t{1} << State::kBigramDfBits); ++i) s.bigram_df[i] += o.bigram_df[i];
  s.df_docs += o.df_docs;
  std::vector<Prepared> batch;
  for (std::uint32_t x = 0; x < o.ids.size(); ++x) {
    if (!(o.flags[x] & State::kAlive)) continue;
    Prepared p;
    p.id = o.ids[x];
    p.published = o.published[x];
    p.inserted = o.inserted[x];
    p.length = o.length[x];
    p.sig.assign(o.sigs.begin() + static_cast<std::ptrdiff_t>(std::size_t{x} * k),
                 o.sigs.begin() + static_cast<std::ptrdiff_t>(std::size_t{x + 1} * k));
    p.include = o.flags[x] & State::kInclude;
    const auto d = o.group_doc[o.find(x)];
    p.has_stored = true;
    if (d != kNone) {
      p.stored.assign(o.terms.begin() + static_cast<std::ptrdiff_t>(o.doc_begin[d]),
                      o.terms.begin() + static_cast<std::ptrdiff_t>(o.doc_begin[d + 1]));
      p.stored_mask = o.doc_mask[d];
    }
    batch.push_back(std::move(p));
  }
  if (s.sequential_insert)
    s.insert_sequential(batch, false);
  else
    s.insert(batch, false);
}

std::optional<Answer> Index::get(std::string_view id) const {
  const auto& s = *s_;
  const std::uint32_t x = s.by_id.find(id, s.ids);
  if (x == detail::IdMap::kEmpty) return std::nullopt;
  const std::uint32_t k = s.params.minhash.num_perm;
  const auto r = s.find(x);
  const auto c = s.canon[r];
  const auto d = s.group_doc[r];
  Answer a;
  a.id = s.ids[x];
  a.dup_group = s.ids[c];
  a.dup = c != x || (s.flags[x] & State::kDup);
  a.dup_score = c == x ? 1.0f
                       : static_cast<float>(sketch::estimate_jaccard(
                             std::span<const std::uint32_t>(s.sigs.data() + std::size_t{x} * k, k),
                             std::span<const std::uint32_t>(s.sigs.data() + std::size_t{c} * k, k)));
  if (d != kNone) {
    a.story = s.story_name[s.doc_story[d]];
    a.story_score = s.doc_score[d];
  }
  return a;
}

std::vector<std::pair<std::string, std::uint64_t>> Index::memory_breakdown() const {
  return s_->memory_breakdown();
}

IndexStats Index::last_work() const {
  return s_->last;
}

IndexStats Index::stats() const {
  const auto& s = *s_;
  IndexStats st = s.last;
  st.slots = s.ids.size();
  st.bands = s.bands;
  std::vector<std::uint32_t> size(s.ids.size(), 0);
  for (std::uint32_t x = 0; x < s.ids.size(); ++x) {
    if (!(s.flags[x] & State::kAlive)) continue;
    ++st.articles;
    ++size[s.find(x)];
  }
  for (auto n : size) {
    st.dup_groups += n > 0;
    st.dup_groups_multi += n > 1;
  }
  for (std::uint32_t d = 0; d < s.doc_alive.size(); ++d) st.story_docs += s.doc_alive[d];
  for (auto n : s.story_size) {
    st.stories += n > 0;
    st.stories_multi += n > 1;
  }
  s.lines.for_each([&](std::uint64_t, std::uint32_t c) { st.boilerplate_lines += c >= s.params.boilerplate_min_docs; });
  st.tracked_lines = s.lines.size();
  std::tie(st.reclaimable_slots, st.retired_docs) = s.garbage();
  st.df_terms = s.df.size();
  st.memory_bytes = s.memory_bytes();
  return st;
}

namespace detail {

std::vector<std::pair<std::string, std::uint64_t>> State::memory_breakdown() const {
  std::vector<std::pair<std::string, std::uint64_t>> out;
  auto add = [&](const char* name, std::size_t b) { out.emplace_back(name, static_cast<std::uint64_t>(b)); };
  auto str = [](const std::string& x) { return sizeof(std::string) + (x.size() > 15 ? x.capacity() + 1 : 0); };
  std::size_t b = ids.capacity() * sizeof(std::string);
  for (const auto& id : ids) b += str(id) - sizeof(std::string);
  add("ids", b);
  add("id map", by_id.memory_bytes());
  add("signatures", sigs.capacity() * 4);
  add("per-article fields", published.capacity() * 8 + inserted.capacity() * 8 + length.capacity() * 8 +
                                flags.capacity() + parent.capacity() * 4 + canon.capacity() * 4 +
                                group_doc.capacity() * 4);
  b = 0;
  for (const auto& t : tables) b += t.memory_bytes();
  add("LSH tables", b);
  add("story docs", doc_story.capacity() * 4 + doc_slot.capacity() * 4 + doc_published.capacity() * 8 +
                        doc_alive.capacity() + doc_mask.capacity() + doc_score.capacity() * 4 +
                        doc_refs.capacity() * 4 + doc_begin.capacity() * 8);
  add("story terms", terms.capacity() * sizeof(Term));
  b = postings.memory_bytes() + post_keys.capacity() * 8 + post_dir.capacity() * 4 + post_begin.capacity() * 8 +
      post_docs.capacity() * 4;
  postings.for_each([&](std::uint64_t, const std::vector<std::uint32_t>& v) { b += v.capacity() * 4; });
  add("term postings", b);
  b = story_name.capacity() * sizeof(std::string) + story_size.capacity() * 4;
  for (const auto& x : story_name) b += str(x) - sizeof(std::string);
  add("stories", b);
  add("df", df.memory_bytes());
  add("bigram df (hashed counters)", (std::size_t{4} << kBigramDfBits));
  add("short lines", lines.memory_bytes());
  b = sum_of_story.memory_bytes() + sums.capacity() * sizeof(StorySum);
  for (const auto& x : sums) b += x.sum.memory_bytes();
  add("story sums (stories of 17+ docs)", b);
  return out;
}

std::size_t State::memory_bytes() const {
  std::size_t b = 0;
  for (const auto& [name, bytes] : memory_breakdown()) b += bytes;
  return b;
}

void compare_params(const IndexParams& a, const IndexParams& b, const char* other) {
  auto fail = [&](const std::string& name, const std::string& x, const std::string& y) {
    throw std::invalid_argument(name + " " + x + " in index, " + y + " " + other);
  };
  auto num = [](double v) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%g", v);
    return std::string(buf);
  };
  auto u = [&](const char* name, std::uint64_t x, std::uint64_t y) {
    if (x != y) fail(name, std::to_string(x), std::to_string(y));
  };
  auto d = [&](const char* name, double x, double y) {
    if (x != y) fail(name, num(x), num(y));
  };
  u("num_perm", a.minhash.num_perm, b.minhash.num_perm);
  u("shingle", a.minhash.shingle, b.minhash.shingle);
  if (a.minhash.scheme != b.minhash.scheme)
    fail("minhash", sketch::scheme_name(a.minhash.scheme), sketch::scheme_name(b.minhash.scheme));
  if (a.minhash.seed != b.minhash.seed)
    fail("seed hash", std::to_string(detail::seed_hash(a.minhash.seed)),
         std::to_string(detail::seed_hash(b.minhash.seed)));
  d("dup_threshold", a.dup_threshold, b.dup_threshold);
  if (b.bands.bands != 0) {
    u("bands", a.bands.bands, b.bands.bands);
    u("rows", a.bands.rows, b.bands.rows);
  }
  u("max_bucket", a.max_bucket, b.max_bucket);
  u("boilerplate_min_docs", a.boilerplate_min_docs, b.boilerplate_min_docs);
  u("boilerplate_max_tokens", a.text.boilerplate_max_tokens, b.text.boilerplate_max_tokens);
  d("story_threshold", a.story.threshold, b.story.threshold);
  for (std::size_t f = 0; f < cluster::kStoryFields; ++f) d("story_weight", a.story.weights[f], b.story.weights[f]);
  d("time_gate_days", a.story.time_gate_days, b.story.time_gate_days);
  d("time_factor", a.story.time_factor, b.story.time_factor);
  u("min_shared", a.story.min_shared, b.story.min_shared);
  u("max_candidates_per_doc", a.story.max_candidates_per_doc, b.story.max_candidates_per_doc);
  u("story_max_bucket", a.story.max_bucket, b.story.max_bucket);
  d("min_edge", a.story.min_edge, b.story.min_edge);
  u("story_terms", a.story_terms, b.story_terms);
}

std::uint64_t seed_hash(std::uint64_t seed) noexcept {
  unsigned char b[8];
  for (int i = 0; i < 8; ++i) b[i] = static_cast<unsigned char>(seed >> (8 * i));
  return XXH3_64bits(b, sizeof b);
}

}  // namespace detail

}  // namespace samestory::index
