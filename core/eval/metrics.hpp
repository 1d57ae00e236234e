// Clustering-quality metrics: score a predicted partition of items against a gold partition.
//
// Conventions (all documented here, pinned in tests/test_eval.cpp):
//  * Scored items are the gold ids. A gold id absent from the prediction counts as its own
//    singleton predicted cluster (named "<missing:ID>" in ClusterError parts); prediction ids
//    absent from gold are ignored. An empty gold labelling is rejected (std::invalid_argument).
//  * A precision/recall whose denominator is 0 (no predicted or no true pairs) is 1.0;
//    an F1 is 0.0 when precision + recall == 0.
//  * Identical partitions (same grouping, whatever the label names) get ARI = AMI = NMI = 1.0
//    exactly. This covers sklearn's special cases (both labellings one cluster -> 1.0) and also
//    both-all-singletons, where sklearn's AMI is 0/0 and numerically arbitrary; here it is 1.0.
//  * ARI is Hubert-Arabie; if the expected index equals the max index it is 1.0 for identical
//    partitions, else 0.0 (in fact that only happens for identical partitions).
//  * AMI/NMI follow sklearn with average_method="arithmetic" (natural log, exact hypergeometric
//    EMI via lgamma; AMI denominator clamped away from 0 by ±DBL_EPSILON; NMI = 0 when MI == 0).
//  * Results depend only on the set of (id, label) pairs, never on input order.
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace samestory::eval {

/// A labelling: (item id, cluster label) pairs in any order; items are matched by id.
using Labels = std::vector<std::pair<std::string, std::string>>;

/// Pair-counting scores over unordered pairs of scored items (0-denominator score = 1.0).
struct PairScores {
  double precision = 1.0, recall = 1.0, f1 = 1.0;
  std::uint64_t true_pairs = 0, predicted_pairs = 0, correct_pairs = 0;
};

/// Item-averaged B-cubed precision, recall and their harmonic mean.
struct BCubed {
  double precision = 1.0, recall = 1.0, f1 = 1.0;
};

/// A cluster whose items are spread over several clusters of the other labelling;
/// parts = (other label, item count), sorted by count desc then label.
struct ClusterError {
  std::string label;
  std::uint64_t size = 0;
  std::vector<std::pair<std::string, std::uint64_t>> parts;
};

/// Everything evaluate() measures; see the file comment for conventions.
struct Report {
  std::uint64_t items = 0;            ///< ids scored (the gold ids)
  std::uint64_t missing_in_pred = 0;  ///< gold ids absent from the prediction (scored as singletons)
  std::uint64_t extra_in_pred = 0;    ///< prediction ids absent from gold (ignored)
  std::uint64_t gold_clusters = 0;    ///< distinct gold labels
  std::uint64_t pred_clusters = 0;    ///< predicted clusters over scored items, missing singletons included
  PairScores pairwise;                ///< pair-counting precision/recall/F1
  BCubed bcubed;                      ///< item-averaged B-cubed
  double ari = 1.0;                   ///< adjusted Rand index (Hubert-Arabie)
  double ami = 1.0;                   ///< adjusted mutual information (arithmetic normalisation)
  double nmi = 1.0;                   ///< normalised mutual information (arithmetic normalisation)
  /// Up to 10 gold clusters split over several predicted clusters, worst first: items outside
  /// the largest part desc, then size desc, then label.
  std::vector<ClusterError> largest_splits;
  /// Up to 10 predicted clusters mixing several gold clusters, same ordering.
  std::vector<ClusterError> largest_merges;
};

/// Scores `pred` against `gold`; throws std::invalid_argument on duplicate ids or empty gold.
Report evaluate(const Labels& gold, const Labels& pred);

/// Pretty (2-space indented), deterministic JSON of every Report field; numbers are rounded to
/// 6 decimals and printed in shortest form ("1", "0.5", "0.318182"); no trailing newline.
std::string to_json(const Report& r);

}  // namespace samestory::eval
