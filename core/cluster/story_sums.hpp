#pragma once
// Per-cluster summed story vectors for the story stage's cluster-level comparison of large
// clusters (docs/architecture.md, Cluster stage; docs/accuracy.md, large stories).
//
// Each doc is seen as one vector: its fields side by side, field f scaled by sqrt(w_f / W)
// (W: the sum of the positive weights), so the dot product of two docs is the weighted mean of
// their field cosines over all weighted fields. A cluster's sum S_A then gives, exactly,
//   cross(A, B)  = S_A . S_B                      the summed similarity of all pairs of A x B,
//   internal(A)  = |S_A|^2 - sum_x |x|^2          the summed similarity of A's ordered pairs x != y.
// Sums exist only for the clusters asked about (built from the members the first time) and
// follow their merges; singletons are read from the rows. Everything is computed in merge and
// call order, sequentially: the same calls give the same bits.

#include <array>
#include <cstdint>
#include <memory>
#include <span>
#include <vector>

#include "cluster/stories.hpp"

namespace samestory::cluster {

class StorySums {
 public:
  /// docs must outlive this object; weights as in StoryOptions.
  StorySums(const StoryCorpus& docs, const std::array<double, kStoryFields>& weights);
  ~StorySums();
  StorySums(const StorySums&) = delete;
  StorySums& operator=(const StorySums&) = delete;

  /// Cluster b was merged into cluster a (both are cluster ids: the doc index of a live root).
  void merge(std::uint32_t a, std::uint32_t b);
  /// S_a . S_b: the summed weighted content similarity of all pairs of a x b.
  double cross(std::uint32_t a, std::uint32_t b);
  /// |S_a|^2 - sum over a's docs of |x|^2: the summed similarity of a's ordered pairs of distinct docs.
  double internal(std::uint32_t a);

 private:
  struct Map;
  Map& sum_of(std::uint32_t c);  // built from the members when missing
  void add_doc(Map& m, std::uint32_t doc) const;
  double dot_doc(const Map& m, std::uint32_t doc) const;

  const StoryCorpus& docs_;
  std::array<float, kStoryFields> scale_{};  // sqrt(w_f / W), 0 for unweighted fields
  std::vector<double> self_;                 // per cluster: sum over its docs of |x|^2
  std::vector<double> norm2_;                // per cluster with a sum: |S|^2
  std::vector<std::uint32_t> next_, last_;   // members as linked lists (next_ ends at the doc itself)
  std::vector<std::uint32_t> size_;          // per cluster: docs
  std::vector<std::unique_ptr<Map>> sums_;   // per cluster, when asked for
};

}  // namespace samestory::cluster
