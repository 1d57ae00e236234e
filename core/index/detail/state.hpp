#pragma once
// The index's state (internal: shared by index.cpp and format.cpp).

#include <algorithm>
#include <array>
#include <cstdint>
#include <cstdlib>
#include <limits>
#include <memory>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "cluster/dup_groups.hpp"
#include "detail/grow_array.hpp"
#include "index/detail/flat_map.hpp"
#include "index/detail/id_map.hpp"
#include "index/index.hpp"

namespace samestory::index::detail {

inline constexpr std::uint32_t kNone = std::numeric_limits<std::uint32_t>::max();
inline constexpr std::int64_t kNoTime = std::numeric_limits<std::int64_t>::min();

/// A story doc term: key = field << 62 | low 62 bits of the term hash; weight is the
/// L2-normalised TF-IDF weight when the doc was added (normalised over all its terms).
struct Term {
  std::uint64_t key;
  std::uint32_t count;
  float weight;
};

/// The index's part of a doc's story candidates, as story_links found it (query() keeps it
/// with its prepared batch for the add() of the same batch, QueryMemo): the salient keys looked
/// up (t's body and entity terms, in t's order), how many index docs each one's lists hold, and
/// the index docs ranked by shared terms, as (shared, doc), once the dead were dropped and the
/// cap applied. While the index is unchanged the same keys find the same lists, and a batch's
/// new docs are other docs than the index's, so an add() whose doc has these salient keys
/// counts only its batch's lists and adds these; unless a batch list takes a key past the
/// bucket limit that the index's lists alone kept under it, or a ranked doc has died since (a
/// batch article joining two groups retires one's doc), and then it counts everything.
struct StorySeed {
  bool valid = false;
  std::vector<std::uint64_t> keys;
  std::vector<std::uint32_t> in_index;                          // per key
  std::vector<std::pair<std::uint32_t, std::uint32_t>> ranked;  // (shared terms, doc)
};

/// One LSH band: a sorted (key, slot) array with a directory on the keys' top bits, plus the
/// entries added since the last flush in a hash map of per-key lists. Lookups cost a directory
/// read and a short search; flushes (merging the lists into the array) happen when the lists
/// hold an eighth of the array, so their cost is amortised and rare.
struct BandTable {
  static constexpr std::size_t kPendingMin = 4096;
  std::vector<std::uint64_t> keys;
  std::vector<std::uint32_t> slots;
  std::vector<std::uint32_t> dir;  // 2^dir_bits + 1 offsets into keys, by top bits of the key
  unsigned dir_bits = 0;
  FlatMap<std::pair<std::uint32_t, std::uint32_t>> pending;      // key -> (first, last) entry + 1
  std::vector<std::pair<std::uint32_t, std::uint32_t>> entries;  // (slot, next entry + 1)

  void insert(std::uint64_t key, std::uint32_t slot);
  /// Merges the pending lists into the sorted array (and its directory).
  void flush();
  /// The pending (key, slot) entries sorted by key then slot.
  std::vector<std::pair<std::uint64_t, std::uint32_t>> sorted_pending() const;
  /// Rebuilds the directory after `keys` changed.
  void index_keys();
  /// Builds dir (offsets into sorted `keys` by their top dir_bits bits) for `keys`; dir_bits
  /// grows with the key count (about 16 keys per entry, at most 2^24 entries).
  static void directory(const std::vector<std::uint64_t>& keys, std::vector<std::uint32_t>& dir, unsigned& dir_bits);
  /// Hints for a lookup of `key` (no effect on results): the directory entry, then (once that
  /// is likely loaded) the start of the key's range. Issued for all bands before any lookup,
  /// so that their cache misses overlap instead of following one another.
  void prefetch_dir(std::uint64_t key) const noexcept {
    if (dir_bits) prefetch(dir.data() + (key >> (64 - dir_bits)));
  }
  void prefetch_keys(std::uint64_t key) const noexcept {
    if (!dir_bits) return;
    const auto lo = dir[static_cast<std::size_t>(key >> (64 - dir_bits))];
    if (lo >= keys.size()) return;
    prefetch(keys.data() + lo);
    if (lo + 8 < keys.size()) prefetch(keys.data() + lo + 8);
    prefetch(slots.data() + lo);
  }
  /// Calls f(slot) for every entry of `key`, in slot order.
  template <class F>
  void collect(std::uint64_t key, F&& f) const {
    auto lo = keys.begin(), hi = keys.end();
    if (dir_bits) {
      const auto h = static_cast<std::size_t>(key >> (64 - dir_bits));
      lo = keys.begin() + dir[h];
      hi = keys.begin() + dir[h + 1];
    }
    auto [a, b] = std::equal_range(lo, hi, key);
    for (auto it = a; it != b; ++it) f(slots[static_cast<std::size_t>(it - keys.begin())]);
    if (const auto* p = pending.find(key))
      for (std::uint32_t e = p->first; e != 0; e = entries[e - 1].second) f(entries[e - 1].first);
  }
  /// f(key, slot) for every entry, the pending ones merged in, ascending by (key, slot).
  template <class F>
  void for_each_sorted(F&& f) const {
    const auto add = sorted_pending();
    std::size_t i = 0, j = 0;
    while (i < keys.size() || j < add.size()) {
      if (j == add.size() || (i < keys.size() && std::pair(keys[i], slots[i]) < add[j])) {
        f(keys[i], slots[i]);
        ++i;
      } else {
        f(add[j].first, add[j].second);
        ++j;
      }
    }
  }
  std::size_t memory_bytes() const;
};

struct State {
  static constexpr std::uint8_t kAlive = 1, kInclude = 2, kDup = 4;

  IndexParams params;
  lsh::BandParams bands;
  std::unique_ptr<sketch::MinHasher> hasher;
  std::vector<std::uint64_t> band_seeds;

  // Per slot (article ever added, in input order). The arrays of plain values are GrowArrays:
  // past a few megabytes they grow by remapping their pages rather than by a copy (the
  // signatures and story terms are half a gigabyte each at a million articles).
  template <class T>
  using Array = samestory::detail::GrowArray<T>;
  std::vector<std::string> ids;
  IdMap by_id;                              // live articles only
  Array<std::int64_t> published, inserted;  // kNoTime: undated
  Array<std::uint64_t> length;              // text bytes (canonical rule)
  Array<std::uint32_t> sigs;                // slots x num_perm
  Array<std::uint8_t> flags;
  Array<std::uint32_t> parent;     // union-find, parent[x] <= x
  Array<std::uint32_t> canon;      // at roots: the group's canonical slot
  Array<std::uint32_t> group_doc;  // at roots: the group's story doc

  // Story docs (one per dup group representative).
  Array<std::uint32_t> doc_story, doc_slot, doc_refs;
  Array<std::int64_t> doc_published;
  Array<std::uint8_t> doc_alive, doc_mask;
  Array<float> doc_score;
  Array<std::uint64_t> doc_begin{0};  // docs + 1 offsets into terms
  Array<Term> terms;

  // Stories.
  std::vector<std::string> story_name;
  std::vector<std::uint32_t> story_size;  // live docs

  // Streaming statistics.
  FlatMap<std::uint32_t> lines;  // short line -> articles seen with it
  FlatMap<std::uint32_t> df;     // title/body/entity term key -> story docs with it
  // Bigram document frequencies, hashed into 2^kBigramDfBits counters (most bigrams occur in
  // one doc: an exact map grew by ~250 entries per article). calloc'd: untouched pages cost nothing.
  static constexpr std::uint32_t kBigramDfBits = 22;
  struct FreeDeleter {
    void operator()(std::uint32_t* p) const noexcept { std::free(p); }
  };
  std::unique_ptr<std::uint32_t[], FreeDeleter> bigram_df;
  std::uint64_t df_docs = 0;

  // Lookup structures (stored in the file since the LSH tables and postings sections).
  std::vector<BandTable> tables;
  // Salient (body, entity) term -> story docs holding it, in doc order: the lists of the last
  // load as arrays (sorted keys with a directory on their top bits, list bounds, docs), the
  // docs added since in a map.
  std::vector<std::uint64_t> post_keys;
  std::vector<std::uint32_t> post_dir;  // 2^post_dir_bits + 1 offsets into post_keys
  unsigned post_dir_bits = 0;
  std::vector<std::uint64_t> post_begin{0};
  std::vector<std::uint32_t> post_docs;
  ShardedFlatMap<std::vector<std::uint32_t>> postings;

  // The whole comparison of large stories (the batch run's big_* options; docs/architecture.md):
  // per story of big_min_size - 1 live docs or more, the sum of its docs' vectors (the fields
  // side by side, field f scaled by sqrt(w_f / W)) in fixed point, 2^-24 per unit of weight, so
  // that a sum is exact and the same for any order of additions and removals: never saved,
  // rebuilt on load and after compaction with the same bits.
  __extension__ typedef __int128 Wide;
  struct StorySum {
    FlatMap<std::int64_t> sum;  // term key -> summed fixed-point weights
    Wide norm2 = 0, self2 = 0;  // |S|^2, and the sum over its docs of |x|^2
    Wide date_sum = 0;          // the dated docs' times, summed
    std::uint32_t dated = 0;
  };
  FlatMap<std::uint32_t> sum_of_story;  // story -> its index in sums
  std::vector<StorySum> sums;
  /// Per field, sqrt(w_f / W) * 2^24 (0 for an unweighted field).
  std::array<double, cluster::kStoryFields> sum_scales() const;
  /// Adds (sign 1) or removes (sign -1) doc d's vector to or from s.
  void sum_doc(StorySum& s, std::uint32_t d, int sign);
  /// The sum of `story`, an empty one made (created = true) when it has none.
  StorySum& sum_for(std::uint32_t story, bool& created);
  /// Story `story` gained doc d (d already counted in story_size): its sum follows, built from
  /// its live docs when the story reaches big_min_size - 1 docs.
  void sum_add(std::uint32_t story, std::uint32_t d);
  /// Every sum from the live docs (after load and compaction).
  void rebuild_sums();
  /// The whole comparison of a doc (terms t, date pub) with a story its links sum link_sum to
  /// (pick_story asks when no story's average link reaches the threshold): {rank, the doc's
  /// mean similarity to the story's docs} when the story has a sum and the links reach big_link;
  /// rank = threshold x mean / (big_single x the story's cohesion, the mean similarity of its
  /// pairs), times time_factor when the doc is dated more than time_gate_days from the story's
  /// mean date; it counts when it reaches the threshold and mean reaches big_min_mean. Else {0, 0}.
  std::pair<double, double> whole_score(std::uint32_t story, double link_sum, const Term* t, const Term* t_end,
                                        std::int64_t pub) const;

  mutable IndexStats last;
  /// add() and merge() through insert_sequential (the reference; tests compare the two).
  bool sequential_insert = false;
  /// The prepared articles of the last query(), for an add() of the very same batch right after
  /// it (index.cpp, QueryMemo): valid while the index is unchanged, so every change drops it.
  mutable std::shared_ptr<struct QueryMemo> memo;

  /// Hints for loaded_postings(key) (no effect on results), as BandTable::prefetch_*.
  void prefetch_postings_dir(std::uint64_t key) const noexcept {
    if (post_dir_bits) prefetch(post_dir.data() + (key >> (64 - post_dir_bits)));
  }
  void prefetch_postings_keys(std::uint64_t key) const noexcept {
    if (!post_dir_bits) return;
    const auto lo = post_dir[static_cast<std::size_t>(key >> (64 - post_dir_bits))];
    if (lo >= post_keys.size()) return;
    prefetch(post_keys.data() + lo);
    if (lo + 8 < post_keys.size()) prefetch(post_keys.data() + lo + 8);
  }
  /// Hint for df_of(key).
  void prefetch_df(std::uint64_t key) const noexcept {
    if (key >> 62 == cluster::kBigram)
      prefetch(bigram_df.get() + (key & ((std::uint64_t{1} << kBigramDfBits) - 1)));
    else
      df.prefetch(key);
  }
  static constexpr std::size_t kNoList = std::numeric_limits<std::size_t>::max();
  /// The index of `key`'s loaded posting list in post_keys (kNoList when none).
  std::size_t loaded_list(std::uint64_t key) const {
    auto lo = post_keys.begin(), hi = post_keys.end();
    if (post_dir_bits) {
      const auto h = static_cast<std::size_t>(key >> (64 - post_dir_bits));
      lo = post_keys.begin() + post_dir[h];
      hi = post_keys.begin() + post_dir[h + 1];
    }
    const auto it = std::lower_bound(lo, hi, key);
    if (it == hi || *it != key) return kNoList;
    return static_cast<std::size_t>(it - post_keys.begin());
  }
  /// The loaded posting list of `key` (nullptr, 0 when none).
  std::pair<const std::uint32_t*, std::size_t> loaded_postings(std::uint64_t key) const {
    const std::size_t l = loaded_list(key);
    if (l == kNoList) return {nullptr, 0};
    return {post_docs.data() + post_begin[l], static_cast<std::size_t>(post_begin[l + 1] - post_begin[l])};
  }

  /// f(key, docs, n) for every salient term with a posting list, ascending by key: the loaded
  /// list then the docs added since (retired docs included; the caller filters).
  template <class F>
  void for_each_posting(F&& f) const {
    std::vector<std::uint64_t> all(post_keys);
    postings.for_each([&](std::uint64_t key, const std::vector<std::uint32_t>&) { all.push_back(key); });
    std::sort(all.begin(), all.end());
    all.erase(std::unique(all.begin(), all.end()), all.end());
    std::vector<std::uint32_t> docs;
    for (const auto key : all) {
      const auto [base, n_base] = loaded_postings(key);
      docs.assign(base, base + n_base);
      if (const auto* added = postings.find(key)) docs.insert(docs.end(), added->begin(), added->end());
      f(key, docs);
    }
  }

  /// Removed articles and retired story docs that compact() would reclaim (slots, docs).
  std::pair<std::uint64_t, std::uint64_t> garbage() const;
  /// Drops removed articles, retired story docs and stories without live docs, renumbering
  /// slots, docs and stories in their order (answers unchanged). A removed article whose
  /// terms a live story doc still holds (doc_slot) stays as a dead slot with an empty id.
  void compact();

  void init_tables();
  std::uint32_t df_of(std::uint64_t key) const;
  void count_df(std::uint64_t key);
  std::uint64_t band_key(const std::uint32_t* sig, std::uint32_t b) const;
  std::uint32_t find(std::uint32_t x) const;
  std::uint32_t find_mut(std::uint32_t x);
  cluster::CanonicalKey key_of(std::uint32_t s) const;
  bool precedes(std::uint32_t a, std::uint32_t b) const;
  void unite(std::uint32_t a, std::uint32_t b);
  void retire_doc(std::uint32_t d);
  /// The live articles with shingles in each band's bucket of `keys` (one key per band), in
  /// slot order: band b's are members[bounds[b] .. bounds[b + 1]).
  void bucket_members(const std::uint64_t* keys, std::vector<std::uint32_t>& members,
                      std::vector<std::uint32_t>& bounds) const;
  /// The slots those buckets pair a new doc with (lsh::bucket_pairs' rule), ascending, from
  /// bucket_members(keys, members, bounds).
  void dup_candidates(const std::uint64_t* keys, std::vector<std::uint32_t>& members,
                      std::vector<std::uint32_t>& bounds, std::vector<std::uint32_t>& out) const;
  /// Fills p's lookups against the index as it stands (see Prepared).
  void look_up(Prepared& p) const;
  /// The story similarity of terms a (fields `mask_a`, date `pub_a`) and b.
  double similarity(const Term* a, const Term* a_end, unsigned mask_a, std::int64_t pub_a, const Term* b,
                    const Term* b_end, unsigned mask_b, std::int64_t pub_b) const;
  double doc_similarity(const std::vector<Term>& a, unsigned mask_a, std::int64_t pub_a, std::uint32_t d) const;
  /// The story docs of an add() batch that best_story sees besides the index's: the batch's new
  /// docs (numbered from `first_doc` in creation order), their terms, fields and dates, and
  /// their salient (body, entity) terms as (key, new doc) pairs sorted by key then doc.
  struct BatchDocs {
    std::uint32_t first_doc = 0;
    const std::vector<std::vector<Term>>* terms = nullptr;
    const std::vector<std::uint8_t>* masks = nullptr;
    const std::vector<std::int64_t>* published = nullptr;
    std::vector<std::pair<std::uint64_t, std::uint32_t>> postings;
  };
  /// The candidate story docs of a doc with terms t and their similarities (those reaching
  /// min_edge, by doc number): the index's docs and, with `batch`, the batch's new docs
  /// numbered below `before` (created before this one). `keep` (without a batch) receives what
  /// was found in the index; `seed`, so kept against this very index, spares the index's
  /// lookups and counting when its salient keys are t's (StorySeed).
  /// Returns whether the seed served.
  bool story_links(const std::vector<Term>& t, unsigned mask, std::int64_t pub, const BatchDocs* batch,
                   std::uint32_t before, std::vector<std::pair<std::uint32_t, double>>& links, std::uint64_t& compared,
                   const StorySeed* seed = nullptr, StorySeed* keep = nullptr) const;
  /// The story with the best average link over `links` (story_of(doc) gives a doc's story),
  /// if it reaches the story threshold; kNone otherwise.
  template <class StoryOf>
  std::pair<std::uint32_t, double> pick_story(const std::vector<std::pair<std::uint32_t, double>>& links,
                                              StoryOf story_of, const std::vector<Term>& t, std::int64_t pub) const {
    thread_local std::vector<std::pair<std::uint32_t, double>> per_story;
    per_story.clear();
    for (const auto& [d, s] : links) per_story.emplace_back(story_of(d), s);
    std::sort(per_story.begin(), per_story.end(), [](const auto& x, const auto& y) { return x.first < y.first; });
    // Per story, the sum of the doc's links to it (per_story becomes one entry per story).
    std::size_t stories = 0;
    for (std::size_t i = 0; i < per_story.size();) {
      std::size_t j = i;
      double sum = 0;
      while (j < per_story.size() && per_story[j].first == per_story[i].first) sum += per_story[j++].second;
      per_story[stories++] = {per_story[i].first, sum};
      i = j;
    }
    per_story.resize(stories);
    // The best average link reaching the threshold; when none does, the best whole comparison.
    std::uint32_t best = std::numeric_limits<std::uint32_t>::max();
    double best_rank = 0, best_score = 0;
    for (const auto& [st, sum] : per_story) {
      const double avg = story_size[st] ? sum / story_size[st] : 0.0;
      if (avg >= params.story.threshold && avg > best_rank) best = st, best_rank = avg, best_score = avg;
    }
    if (best != std::numeric_limits<std::uint32_t>::max()) return {best, best_score};
    for (const auto& [st, sum] : per_story) {
      const auto [rank, mean] = whole_score(st, sum, t.data(), t.data() + t.size(), pub);
      if (rank >= params.story.threshold && rank > best_rank) best = st, best_rank = rank, best_score = mean;
    }
    return {best, best_score};
  }
  /// pick_story over story_links (seed and keep as there; `seeded`, when given, is set to
  /// whether the seed served).
  std::pair<std::uint32_t, double> best_story(const std::vector<Term>& t, unsigned mask, std::int64_t pub,
                                              std::uint64_t& compared, const StorySeed* seed = nullptr,
                                              StorySeed* keep = nullptr, bool* seeded = nullptr) const;
  std::uint32_t new_doc(std::vector<Term> t, unsigned mask, std::uint32_t slot, std::uint32_t story, float score);
  /// A new slot (the next one) for prepared article p: its id (hash id_hash), dates, length,
  /// signature and flags, a group of its own without a story doc.
  void append_slot(const Prepared& p, std::uint64_t id_hash);
  /// add() after the analysis: the per-article work (band keys, bucket lookups, verification,
  /// document frequencies, weights, story candidates and similarities) runs in parallel over
  /// the batch against the index as it stood before it, plus what the batch's earlier articles
  /// add; what depends on the order (unions, story choice, the new docs) runs in input order.
  /// Answers and state equal insert_sequential's (tested).
  std::vector<Answer> insert(std::vector<Prepared>& batch, bool update_df);
  /// The parts insert() counts a batch's document frequencies in (by a hash of the counter).
  static constexpr unsigned kDfParts = 8;
  /// The same, one article at a time against the index as each left it (the reference; add()
  /// of a single article takes it).
  std::vector<Answer> insert_sequential(std::vector<Prepared>& batch, bool update_df);
  /// The answer for the article in slot x once its batch is in (new_story: its story was founded
  /// after the first stories_before).
  Answer answer_for(std::uint32_t x, std::size_t stories_before);
  std::size_t memory_bytes() const;
  std::vector<std::pair<std::string, std::uint64_t>> memory_breakdown() const;
};

/// An index's state, for tests.
struct Access {
  static State& state(Index& index) { return *index.s_; }
  static const State& state(const Index& index) { return *index.s_; }
};

/// The `keep` terms of all[0..n) first by (weight descending, key ascending), as a partial_sort
/// in that order would choose them, sorted by key (all of them when n <= keep).
std::vector<Term> top_terms(const Term* all, std::size_t n, std::uint32_t keep);

/// Throws std::invalid_argument "NAME X in index, Y <other>" for the first differing parameter.
void compare_params(const IndexParams& index, const IndexParams& other, const char* other_name);

/// XXH3-64 of the seed's 8 little-endian bytes (saved in the header).
std::uint64_t seed_hash(std::uint64_t seed) noexcept;

}  // namespace samestory::index::detail
