#pragma once
// Stories: average-link clustering of dup-group canonicals over TF-IDF similarities.

#include <array>
#include <cstdint>
#include <optional>
#include <span>
#include <vector>

#include "cluster/dup_groups.hpp"
#include "lsh/lsh.hpp"
#include "tfidf/tfidf.hpp"

namespace samestory::cluster {

/// The vector fields a story similarity combines.
enum StoryField : std::size_t { kTitle = 0, kBody = 1, kEntity = 2, kBigram = 3, kStoryFields = 4 };

/// What the batch story stage reads of a doc besides its fields (the feed index has none of it):
/// its numbers, a fifth similarity field weighted by StoryOptions::number_weight (ages, tolls,
/// amounts, scores, route numbers: shared specific figures are event evidence); the names of its
/// lead and its figures, read by the conflict gates (by index only: which terms, not their weights).
enum StoryExtra : std::size_t { kNumbers = 0, kLead = 1, kFigures = 2, kStoryExtras = 3 };

/// One story candidate (a dup group's canonical article).
struct StoryDoc {
  std::array<tfidf::SparseVector, kStoryFields> fields;  ///< L2-normalised TF-IDF vectors
  std::array<tfidf::SparseVector, kStoryExtras> extras;  ///< TF-IDF vectors too (empty: none)
  std::optional<std::int64_t> published;                 ///< seconds since the epoch
  CanonicalKey key;                                      ///< decides the story's lead
};

/// Story docs stored flat, as the pipeline builds them: per field one row per doc (Eigen
/// sparse, row-major), plus each doc's date and canonical key. Every field has size() rows.
struct StoryCorpus {
  std::array<tfidf::SparseRows, kStoryFields> fields;  ///< L2-normalised TF-IDF rows
  std::array<tfidf::SparseRows, kStoryExtras> extras;  ///< size() rows each, or none (0 rows: no doc has it)
  std::vector<std::optional<std::int64_t>> published;  ///< seconds since the epoch
  std::vector<CanonicalKey> keys;                      ///< decide the story's lead
  /// Per doc, its row in `fields` and `extras` (a permutation of 0 .. size() - 1); empty: doc
  /// i is row i. cluster_stories lays the rows out in the order its similarities read them and
  /// finds them through this; story_order, story_candidates and cluster_stories refuse one
  /// that does not give each doc its own row (std::invalid_argument).
  std::vector<std::uint32_t> row_of;
  std::size_t size() const noexcept { return keys.size(); }
  /// The row of doc i in `fields` and `extras`.
  Eigen::Index row(std::size_t i) const noexcept { return static_cast<Eigen::Index>(row_of.empty() ? i : row_of[i]); }
  /// The doc of each row (row_of inverted): work that may visit the docs in any order reads
  /// the rows in sequence through it.
  std::vector<std::uint32_t> docs_by_row() const;
  /// Doc i as a StoryDoc (a copy).
  StoryDoc doc(std::size_t i) const;
  /// The docs, flat (field f has as many columns as the longest field f vector).
  static StoryCorpus from_docs(std::span<const StoryDoc> docs);
};

struct StoryOptions {
  double threshold = 0.16;  ///< average-link similarity at which two clusters merge (docs/accuracy.md)
  std::array<double, kStoryFields> weights{0.05, 0.25, 0.50, 0.20};  ///< title, body, entity, bigram
  double time_gate_days = 14;                 ///< dated pairs further apart than this are penalised...
  double time_factor = 0.6;                   ///< ...by multiplying their similarity by this
  double cluster_gate_days = 7;               ///< clusters whose median dates are further apart...
  double cluster_gate_factor = 0.5;           ///< ...have their average link multiplied by this,
  std::uint32_t cluster_gate_min_dated = 2;   ///< ...when both have at least this many dated docs
  double conflict_hi = 0.8;                   ///< an entity in this share of a cluster's docs defines it; two clusters
  double conflict_lo = 0;                     ///< conflict when each has one in at most this share of the other's docs:
  double conflict_factor = 0;                 ///< their average link is multiplied by this (1 = off)
  std::uint32_t conflict_min_size = 8;        ///< ...when both have at least this many docs
  double lead_conflict_hi = 0.6;              ///< the same on lead names: in this share of one's leads (> 1 = off),
  double lead_conflict_lo = 0.3;              ///< in at most this share of the other's (sizes: conflict_min_size)
  std::uint32_t figure_conflict_size = 4;     ///< and on figures: two clusters this large (0 = off)...
  double figure_conflict_hi = 0.5;            ///< ...each with a figure in this share of its docs, none of the other's
  double number_weight = 0.1;                 ///< weight of the numbers cosine beside `weights` (0 = off)
  double evidence_share = 0.3;                ///< time gates are lifted between two clusters when this share of one's
                                              ///< evidence occurs in the other (> 1 = never; docs/accuracy.md):
  double evidence_hi = 0.4;                   ///< evidence is a rare entity in this share of a cluster's docs,
  std::uint32_t evidence_min_size = 3;        ///< of a cluster of at least this many docs,
  std::uint32_t evidence_min_found = 3;       ///< and at least this many of its evidence entities must occur;
  double evidence_rare = 2;                   ///< rare: in at most this × (docs of the two clusters) + 3 docs
  double evidence_veto_hi = 0.6;              ///< not lifted when each has rare entities in >= 2 and this share of
                                              ///< its docs that the other lacks (two strikes, two pay offers),
  double evidence_veto_mass = 1;              ///< named on average this many times per doc (each entity counts its
                                              ///< share of the cluster's docs; 0 = any one such entity vetoes)
  std::uint32_t big_min_size = 18;            ///< two linked clusters missing the threshold with this many docs
                                              ///< together are compared whole (0 = never; docs/accuracy.md):
  double big_cohesion = 0.8;                  ///< they merge when their mean pairwise similarity reaches this share
                                              ///< of the geometric mean of their own (each one's pairs' mean),
  double big_single = 0.6;                    ///< (this share when one of them is a single doc)
  double big_min_mean = 0.08;                 ///< and this absolute value,
  double big_link = 0.1;                      ///< when their sparse link sums this much per doc of the smaller
  std::uint32_t max_terms = 0;                ///< per field, the highest-weighted terms a doc keeps (0 = all)
  std::uint32_t salient_terms = 48;           ///< body + entity terms per doc indexed for candidates
  std::uint32_t min_shared = 2;               ///< salient terms two docs must share to be compared
  std::uint32_t max_candidates_per_doc = 18;  ///< per doc, the pairs sharing most salient terms (0 = all)
  std::uint32_t max_bucket = 500;             ///< docs per salient term before the term is chained
  double min_edge = 0.02;                     ///< similarities below this are treated as 0
};

/// What the story stage did.
struct StoryStats {
  lsh::CandidateStats candidates;
  std::uint64_t edges = 0;   ///< candidate pairs with similarity >= min_edge
  std::uint64_t merges = 0;  ///< average-link merges performed
};

struct StoryResult {
  std::vector<std::uint32_t> lead;  ///< per doc: index of its story's lead doc
  std::vector<float> score;         ///< per doc: mean content similarity to the story's other docs (1 if alone)
  StoryStats stats;
};

/// Combined similarity of two docs: the weighted mean of field cosines (and of the numbers'
/// cosine, weighted number_weight) over the fields both docs have, times time_factor when both
/// are dated more than time_gate_days apart.
double story_similarity(const StoryDoc& a, const StoryDoc& b, const StoryOptions& options);

/// Content part of story_similarity (no time gate).
double content_similarity(const StoryDoc& a, const StoryDoc& b, const StoryOptions& options);

/// The pairs cluster_stories compares: docs sharing at least min_shared of their salient_terms
/// highest-weighted body and entity terms. Sorted, distinct, i < j; stats are accumulated.
std::vector<lsh::Pair> story_candidates(std::span<const StoryDoc> docs, const StoryOptions& options,
                                        lsh::CandidateStats& stats);
std::vector<lsh::Pair> story_candidates(const StoryCorpus& docs, const StoryOptions& options,
                                        lsh::CandidateStats& stats);

/// The order cluster_stories works in: doc indices sorted by a hash of each doc's field
/// vectors, date and canonical key (ties, i.e. identical docs, by index). Every tie-break of
/// the story stage follows this order, so the stories do not depend on the input order.
std::vector<std::uint32_t> story_order(std::span<const StoryDoc> docs);
std::vector<std::uint32_t> story_order(const StoryCorpus& docs);

/// Throws std::invalid_argument unless the threshold is positive and time_factor,
/// cluster_gate_factor and conflict_factor are in [0, 1] (the gates only ever lower a link).
void check_story_options(const StoryOptions& options);

/// Clusters docs into stories. Candidates are pairs sharing at least min_shared of their
/// salient_terms highest-weighted body and entity terms (found by sorting (term, doc) keys,
/// as an LSH bucket index would); clusters merge by average link, counting uncompared pairs
/// as similarity 0, so A~B and B~C do not glue A to a distant C. Two clusters that each hold
/// dated coverage centred more than cluster_gate_days apart are scaled by cluster_gate_factor
/// (three meetings of the same envoys weeks apart are three stories). Two clusters of
/// conflict_min_size docs or more that each have a defining entity (in conflict_hi of its docs)
/// found in at most conflict_lo of the other's docs are scaled by conflict_factor (two fights
/// of one champion against two challengers); so are two such clusters that each have a lead name
/// (extras kLead) in lead_conflict_hi of their docs found in at most lead_conflict_lo of the
/// other's, and two clusters of figure_conflict_size docs or more that each have a figure (extras
/// kFigures) in figure_conflict_hi of their docs found in none of the other's. Both time gates (the pairwise one and
/// the cluster date gate) are lifted between two clusters that share their evidence: evidence_min_found or more, and
/// evidence_share or more, of the rare entities in evidence_hi of one cluster's docs (a cluster of evidence_min_size
/// docs or more) occur in the other — the trial months later names the same suspect, victim and place — unless each
/// cluster has rare entities of its own, each in two or more and evidence_veto_hi of its docs, that the other lacks,
/// and together named evidence_veto_mass times per doc on average (a place of its own in every doc: two events; one
/// official quoted in four of six reports of a shooting, absent from the trial: not). Two linked
/// clusters whose average link misses the threshold but that hold big_min_size docs together are
/// also compared whole: their mean pairwise similarity over all pairs (exact, from summed vectors;
/// the weighted field cosines, a missing field counting 0) at big_cohesion or more of the geometric
/// mean of each one's own (big_single when one is a single doc: the cluster's own), and at least
/// big_min_mean, merges them, with the time gates unlifted and the conflict gates (a story of
/// hundreds of reports, each compared with a few dozen of them, stays one story). Deterministic.
/// Throws std::invalid_argument for options check_story_options refuses.
StoryResult cluster_stories(std::span<const StoryDoc> docs, const StoryOptions& options);

/// The same, consuming `docs` (left empty): each field is freed as it is copied into the
/// working order, so the stage holds about one set of vectors instead of two. Throws
/// std::invalid_argument when an extra has rows, but not one per doc.
StoryResult cluster_stories(StoryCorpus&& docs, const StoryOptions& options);

}  // namespace samestory::cluster
