#pragma once
// The batch run: read -> analyse -> sketch -> LSH -> verify -> dup groups -> stories.

#include <cstdint>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "cluster/stories.hpp"
#include "io/reader.hpp"
#include "lsh/lsh.hpp"
#include "sketch/minhash.hpp"
#include "text/tokenize.hpp"

namespace samestory {

/// How a candidate dup pair is verified before it becomes an edge.
enum class Verify {
  estimate,  ///< MinHash estimate of Jaccard >= dup_threshold (no extra memory)
  exact,     ///< exact Jaccard of the shingle sets >= dup_threshold (keeps the sets in memory)
};

struct PipelineOptions {
  text::TextOptions text;
  std::uint32_t boilerplate_min_docs = 5;  ///< short lines in this many articles are boilerplate
  sketch::MinHashParams minhash;
  double dup_threshold = 0.5;            ///< Jaccard of word shingles for a dup edge
  std::optional<lsh::BandParams> bands;  ///< default: optimal for dup_threshold
  double lsh_fp_weight = 0.005,
         lsh_fn_weight = 0.995;    ///< band optimisation weights: recall first, as every candidate is verified
  std::uint32_t max_bucket = 256;  ///< LSH buckets larger than this are chained
  Verify verify = Verify::estimate;
  bool keep_records = false;         ///< keep Article::raw in the outcomes (for re-emitting records)
  OnError on_error = OnError::fail;  ///< duplicate ids: raise, or reject the later record
  bool stories = true;               ///< false: dup groups only (each group its own story)
  cluster::StoryOptions story;
  unsigned threads = 0;  ///< 0: all hardware threads
  /// Called after LSH with the dup candidates and, under Verify::exact, every article's sorted
  /// shingle set (empty otherwise): for quality tools.
  std::function<void(std::span<const std::vector<std::uint64_t>>, std::span<const lsh::Pair>)> inspect_dup_candidates;
  /// Called with the story stage's input (one doc per dup-group canonical, and the article
  /// index of each) just before stories are clustered: for quality tools.
  std::function<void(const cluster::StoryCorpus&, std::span<const std::uint32_t>)> inspect_story_docs;
  /// Called between stages and batches (stage name, items done); must not throw.
  std::function<void(std::string_view stage, std::uint64_t done)> progress;
};

/// What the run did, for --stats.
struct PipelineStats {
  std::uint64_t read = 0, accepted = 0, rejected = 0, input_bytes = 0;
  std::uint64_t boilerplate_lines = 0;    ///< distinct boilerplate lines
  std::uint64_t boilerplate_dropped = 0;  ///< boilerplate line occurrences dropped
  std::uint64_t empty_articles = 0;       ///< no tokens left to shingle
  lsh::BandParams bands;
  lsh::CandidateStats dup_candidates;
  std::uint64_t verified_edges = 0;
  std::uint64_t dup_groups = 0, dup_groups_multi = 0;
  cluster::StoryStats story;
  std::uint64_t stories = 0, stories_multi = 0;
  unsigned threads = 0;
  std::vector<std::pair<std::string, double>> seconds;      ///< per stage, in run order
  std::vector<std::pair<std::string, double>> cpu_seconds;  ///< per stage: the process's user + system CPU
};

/// One accepted article, in input order, with what the run decided for it.
struct ArticleOutcome {
  std::string id, title, source;
  std::string raw;                       ///< the verbatim record, when PipelineOptions::keep_records
  std::uint64_t offset = 0, length = 0;  ///< where the verbatim record lies in its input (Article::offset)
  std::optional<std::int64_t> published;
  std::uint32_t canonical = 0;  ///< index of its dup group's canonical article
  std::uint32_t story = 0;      ///< index of its story's lead article
  float dup_score = 1, story_score = 1;
};

struct PipelineResult {
  std::vector<ArticleOutcome> articles;
  std::vector<Reject> rejects;
  PipelineStats stats;
};

/// Runs the whole pipeline over a reader. Throws InputError (under OnError::fail),
/// std::invalid_argument for bad options and std::runtime_error for I/O failures.
PipelineResult run_pipeline(ArticleReader& reader, const PipelineOptions& options);

/// Same, over articles already in memory (they are consumed).
PipelineResult run_pipeline(std::vector<Article> articles, const PipelineOptions& options);

}  // namespace samestory
