#pragma once
// A persistent, incremental index for feeds: new articles are answered against everything
// seen before (re-post of which canonical? which running story?) without re-clustering.

#include <array>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "cluster/stories.hpp"
#include "io/article.hpp"
#include "lsh/lsh.hpp"
#include "pipeline/pipeline.hpp"
#include "sketch/minhash.hpp"
#include "text/tokenize.hpp"

namespace samestory::index {

/// Everything that decides what the index answers; fixed when the index is created, saved in
/// its header and compared by check_compatible(). Validated by the Index constructor.
struct IndexParams {
  sketch::MinHashParams minhash;
  text::TextOptions text;
  std::uint32_t boilerplate_min_docs = 5;               ///< short lines in this many articles are boilerplate
  double dup_threshold = 0.5;                           ///< MinHash Jaccard estimate for a dup edge
  lsh::BandParams bands;                                ///< {0, 0}: optimal for dup_threshold (as `cluster`)
  double lsh_fp_weight = 0.005, lsh_fn_weight = 0.995;  ///< as PipelineOptions
  std::uint32_t max_bucket = 256;                       ///< LSH bucket size beyond which a doc is only paired
                                                        ///< with the bucket's first and last docs
  cluster::StoryOptions story;
  std::uint32_t story_terms = 40;  ///< terms kept per story doc (top by TF-IDF weight)
};

/// The index parameters of a batch configuration: an index created with them answers as
/// `cluster` with the same options would group dups.
IndexParams params_from(const PipelineOptions& options);

/// The answer for one article of an add() or query() batch.
struct Answer {
  std::string id;
  bool dup = false;        ///< matched an article added before it (earlier batch or earlier in this one)
  std::string dup_group;   ///< id of its dup group's canonical (itself when it is the canonical)
  float dup_score = 1;     ///< MinHash Jaccard estimate with the canonical (1 for the canonical)
  std::string story;       ///< story id: the id of the article that founded the story
  float story_score = 1;   ///< mean similarity of its group to the story's other groups (1 if alone)
  bool new_story = false;  ///< its story was founded by this batch
};

/// Counts and sizes (stats()), and the work the last add()/query() did.
struct IndexStats {
  std::uint64_t articles = 0;  ///< live articles
  std::uint64_t slots = 0;     ///< slots held: live articles, and removed ones not yet compacted away
  std::uint64_t reclaimable_slots = 0, retired_docs = 0;  ///< what compact() would reclaim now
  std::uint64_t dup_groups = 0, dup_groups_multi = 0;
  std::uint64_t stories = 0, stories_multi = 0;
  std::uint64_t story_docs = 0;         ///< live story docs (one per dup group representative)
  std::uint64_t boilerplate_lines = 0;  ///< distinct short lines that are boilerplate now
  std::uint64_t tracked_lines = 0;      ///< distinct short lines counted
  std::uint64_t df_terms = 0;           ///< title, body and entity terms with a document frequency (bigrams are hashed)
  lsh::BandParams bands;
  std::uint64_t memory_bytes = 0;  ///< heap bytes held (approximate)
  // Work of the last add() or query():
  std::uint64_t candidates = 0, verified_edges = 0, story_candidates = 0;
  /// add(): articles whose preparation (analysis, LSH look-up) came from the query() of the same
  /// batch just before it
  std::uint64_t from_query = 0;
  /// add(): new story docs whose story candidates in the index came from that query() (the
  /// lookups and counting of its salient terms; the similarities are weighed again, unless
  /// the story itself came from it: see weighed_in_query)
  std::uint64_t story_from_query = 0;
  /// add() of articles one at a time (a batch of one): new story docs whose weighed story terms
  /// came from that query() (it weighed them with the document frequencies the add counts),
  /// and with them, for a batch of one, the story it found
  std::uint64_t weighed_in_query = 0;
};

/// One article ready for the index: its signature and the term counts of its story fields.
struct Prepared;
namespace detail {
struct State;
struct Access;
}  // namespace detail

/// The index. Batch-first: add() and query() take a batch of articles and answer each.
/// Dup groups equal those of a one-batch `samestory cluster` run over the same articles in the
/// same order when the boilerplate lines are learnt the same (docs/architecture.md, "Index").
/// Not thread-safe for concurrent calls; each call runs its per-article work in parallel.
class Index {
 public:
  /// Throws std::invalid_argument for out-of-range parameters.
  explicit Index(const IndexParams& params);
  ~Index();
  Index(Index&&) noexcept;
  Index& operator=(Index&&) noexcept;

  /// Adds a batch: returns one answer per article, in order. `now` (seconds since the epoch)
  /// is recorded as the insertion time (expire() uses it for undated articles). Throws
  /// std::invalid_argument for an id already in the index or twice in the batch (nothing added).
  std::vector<Answer> add(std::vector<Article> batch, std::int64_t now);

  /// The answers add() would give for articles not related to one another, without inserting:
  /// each article is answered against the index as it stands (boilerplate counts include the
  /// whole batch, as in add()). Articles of one query batch do not see each other.
  /// A batch of up to 1024 articles is kept prepared (analysed, signed, story terms, LSH
  /// buckets and MinHash verdicts) until the index changes: an add() of the same batch (same
  /// ids, titles, texts and dates, in the same order) right after skips that work, with the
  /// same result (last_work().from_query).
  std::vector<Answer> query(std::vector<Article> batch) const;

  /// Removes articles by id (unknown ids are ignored); returns how many were removed. Dup
  /// groups that lose a member are re-derived from their remaining members' signatures.
  /// Compacts (see compact()) when the removed articles and retired story docs waiting to be
  /// reclaimed reach an eighth of all slots and docs, so a rolling index stays bounded
  /// (`auto_compact` false: never; the tests compare compacted and uncompacted answers).
  std::size_t remove(std::span<const std::string> ids, bool auto_compact = true);

  /// Removes articles published before `older_than` (seconds since the epoch), or inserted
  /// before it when undated. Returns how many were removed. Compacts as remove() does.
  std::size_t expire(std::int64_t older_than, bool auto_compact = true);

  /// Reclaims the memory (and file bytes) of removed articles, retired story docs and stories
  /// left without docs: the arrays and tables are rebuilt without them, slots, docs and stories
  /// renumbered in their order. Every answer (add, query, get) is unchanged. A removed article
  /// whose terms a live story doc still holds keeps a slot (its id emptied). Returns the slots
  /// reclaimed.
  std::size_t compact();

  /// Throws std::invalid_argument naming the first parameter that differs, e.g.
  /// "num_perm 128 in index, 256 in other".
  void check_compatible(const Index& other) const;
  /// Throws std::invalid_argument when `requested` differs from the index's parameters in
  /// anything that matters, e.g. "num_perm 128 in index, 256 requested".
  void check_params(const IndexParams& requested) const;

  /// Adds every live article of `other` (built apart with compatible parameters) after this
  /// index's articles, as if its batches had been added here. Throws std::invalid_argument
  /// when incompatible or when an id is in both.
  void merge(const Index& other);

  /// The current answer for an article in the index (its group's canonical and story now),
  /// or nullopt when the id is not in it. `dup` says whether its group has other members.
  std::optional<Answer> get(std::string_view id) const;

  /// True when an article with this id is in the index.
  bool contains(std::string_view id) const;

  IndexStats stats() const;
  /// Only the work counters of the last add()/query() (candidates, verified_edges,
  /// story_candidates; the rest zero): O(1), where stats() walks every slot.
  IndexStats last_work() const;
  /// Heap bytes held (approximate), by structure: ids, signatures, LSH tables, story docs ...
  std::vector<std::pair<std::string, std::uint64_t>> memory_breakdown() const;
  const IndexParams& params() const noexcept;
  /// The LSH banding in use (resolved from the parameters).
  lsh::BandParams bands() const noexcept;

  /// The index as bytes (docs/format.md). Deterministic: save -> load -> save is identical.
  std::string serialize() const;
  /// Parses bytes written by serialize(). Checks magic, version, then (when given) the
  /// requested parameters, then every checksum and length; throws std::runtime_error with an
  /// exact message (std::invalid_argument for a parameter mismatch).
  static Index deserialize(std::string_view bytes, const IndexParams* requested = nullptr);

  Index();  ///< internal: an uninitialised index (deserialize)

 private:
  friend struct detail::Access;
  std::unique_ptr<detail::State> s_;
};

/// One add() call as a journal keeps it: `now` and the articles' id, title, text and published
/// date (all that add() reads of them).
struct JournalBatch {
  std::int64_t now = 0;
  std::vector<Article> articles;
};

/// What load() found in DIR/journal.ssj (docs/format.md, "Journal").
struct JournalInfo {
  std::uint64_t records = 0;                ///< appends replayed (each holds one or more batches)
  std::uint64_t batches = 0, articles = 0;  ///< add() calls replayed, and their articles
  std::uint64_t bytes = 0;                  ///< journal bytes replayed (0: no journal)
  std::uint64_t torn_bytes = 0;             ///< an incomplete last append (a crash while appending), ignored
  bool stale = false;                       ///< written for an earlier index file (a crash right after save()), ignored
};

/// Saves to DIR/index.ssi crash-safely (temporary file, fsync, rename, fsync of DIR), then
/// removes DIR/journal.ssj: the file holds everything the journal held.
void save(const Index& index, const std::string& dir);
/// Loads DIR/index.ssi (see Index::deserialize), then replays the batches of DIR/journal.ssj
/// through add() (the same answers and state as when they were added). Throws
/// std::runtime_error naming the file, and the journal's byte offset, when unreadable.
Index load(const std::string& dir, const IndexParams* requested = nullptr, JournalInfo* journal = nullptr);

/// Makes batches added to an index loaded from DIR durable without rewriting DIR/index.ssi:
/// appends them, as one record, to DIR/journal.ssj and fsyncs it (a new journal is written
/// whole and renamed into place). `batches` must be the add() calls made since load(), in
/// order. A crash while appending leaves an incomplete record that load() ignores and the
/// next append cuts off. Callers hold a WriteLock. Throws std::runtime_error.
void append_journal(const std::string& dir, std::span<const JournalBatch> batches);

/// What replaying journaled batches costs, counted in articles: each add() call counts as
/// kJournalBatchCost articles more (its fixed work, measured in docs/performance.md, round 9),
/// so a feed of single articles does not make the load slow.
inline constexpr std::uint64_t kJournalBatchCost = 8;
std::uint64_t journal_cost(std::uint64_t articles, std::uint64_t batches);

/// The most a journal may cost (journal_cost) before the index is rewritten whole (save()):
/// max(4096, articles / 256), so that replaying it costs a small share of loading.
std::uint64_t journal_limit(std::uint64_t articles);

/// Parses the bytes of a journal written for the index file whose identity is `base`
/// (docs/format.md) into its batches; fills `info`. Throws std::runtime_error with the byte
/// offset of what is wrong. Used by load(); public for tests and the fuzz target.
std::vector<JournalBatch> parse_journal(std::string_view bytes, std::uint64_t base, JournalInfo& info);

/// The exclusive writer lock of an index directory (flock on DIR), held for the object's
/// lifetime: `index add` and `index expire` take it, so two writers never interleave. Throws
/// std::runtime_error when another process holds it.
class WriteLock {
 public:
  explicit WriteLock(const std::string& dir);
  ~WriteLock();
  WriteLock(const WriteLock&) = delete;
  WriteLock& operator=(const WriteLock&) = delete;

 private:
  int fd_ = -1;
};

/// The paths of the index file and of its journal inside DIR.
std::string index_file(const std::string& dir);
std::string journal_file(const std::string& dir);

}  // namespace samestory::index
