#pragma once
// Brute-force references of the clustering stages, shared by tests/test_cluster.cpp and
// bench/bench_cluster.cpp: BFS components, dense cosines, and a naive O(n^3) average-link
// agglomeration with every gate of cluster_stories recounted from the members.

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <map>
#include <queue>
#include <span>
#include <vector>

#include "cluster/stories.hpp"
#include "lsh/lsh.hpp"

namespace samestory::test {

using cluster::content_similarity;
using cluster::kFigures;
using cluster::kLead;
using cluster::kNumbers;
using cluster::kStoryExtras;
using cluster::kStoryFields;
using cluster::story_similarity;
using cluster::StoryDoc;
using cluster::StoryOptions;
using tfidf::SparseVector;

// Connected components by BFS; label = smallest member.
inline std::vector<std::uint32_t> bfs_components(std::size_t n, const std::vector<lsh::Pair>& edges) {
  std::vector<std::vector<std::uint32_t>> adj(n);
  for (const auto& [a, b] : edges) adj[a].push_back(b), adj[b].push_back(a);
  std::vector<std::uint32_t> label(n, UINT32_MAX);
  for (std::uint32_t s = 0; s < n; ++s) {
    if (label[s] != UINT32_MAX) continue;
    std::queue<std::uint32_t> q;
    q.push(s);
    label[s] = s;
    while (!q.empty()) {
      const auto x = q.front();
      q.pop();
      for (auto y : adj[x])
        if (label[y] == UINT32_MAX) label[y] = s, q.push(y);
    }
  }
  return label;
}

// Partition as "smallest member of my group" per item, from any group labelling.
template <class Label>
std::vector<std::uint32_t> canonical_partition(const std::vector<Label>& labels) {
  std::map<Label, std::uint32_t> first;
  std::vector<std::uint32_t> out(labels.size());
  for (std::uint32_t i = 0; i < labels.size(); ++i) {
    auto it = first.emplace(labels[i], i).first;
    out[i] = it->second;
  }
  return out;
}

inline std::vector<double> dense(const SparseVector& v) {
  std::vector<double> out(static_cast<std::size_t>(v.size()), 0.0);
  for (SparseVector::InnerIterator it(v); it; ++it) out[static_cast<std::size_t>(it.index())] = it.value();
  return out;
}

inline double dense_cos(const SparseVector& a, const SparseVector& b) {
  const auto x = dense(a), y = dense(b);
  double s = 0;
  for (std::size_t i = 0; i < x.size(); ++i) s += x[i] * y[i];
  return s;
}

// Brute-force content similarity: weighted mean over fields both docs have, the numbers
// (number_weight) among them.
inline double brute_content(const StoryDoc& a, const StoryDoc& b, const StoryOptions& o) {
  double s = 0, w = 0;
  for (std::size_t f = 0; f < kStoryFields; ++f)
    if (o.weights[f] > 0 && a.fields[f].nonZeros() > 0 && b.fields[f].nonZeros() > 0)
      s += o.weights[f] * dense_cos(a.fields[f], b.fields[f]), w += o.weights[f];
  const SparseVector &na = a.extras[kNumbers], &nb = b.extras[kNumbers];
  if (o.number_weight > 0 && na.nonZeros() > 0 && nb.nonZeros() > 0)
    s += o.number_weight * dense_cos(na, nb), w += o.number_weight;
  return w > 0 ? s / w : 0;
}

// Salient terms shared by two docs when every body/entity term is salient.
inline std::size_t shared_terms(const StoryDoc& a, const StoryDoc& b) {
  std::size_t shared = 0;
  for (std::size_t f : {std::size_t{samestory::cluster::kBody}, std::size_t{samestory::cluster::kEntity}}) {
    const auto x = dense(a.fields[f]), y = dense(b.fields[f]);
    for (std::size_t i = 0; i < x.size(); ++i) shared += x[i] != 0 && y[i] != 0;
  }
  return shared;
}

// The similarity the whole comparison of large clusters sums: the weighted mean of the field
// cosines over every weighted field (a missing field counts 0, unlike brute_content).
inline double brute_whole(const StoryDoc& a, const StoryDoc& b, const StoryOptions& o) {
  double s = 0, w = 0;
  for (std::size_t f = 0; f < kStoryFields; ++f) {
    if (o.weights[f] <= 0) continue;
    w += o.weights[f];
    if (a.fields[f].nonZeros() > 0 && b.fields[f].nonZeros() > 0)
      s += o.weights[f] * dense_cos(a.fields[f], b.fields[f]);
  }
  return w > 0 ? s / w : 0;
}

// Naive average-link agglomeration over the full matrix (uncompared pairs = 0): merge the
// pair of clusters with the highest mean pairwise similarity while it is >= threshold.
// Returns per doc the smallest member of its cluster.
inline std::vector<std::uint32_t> naive_average_link(std::span<const StoryDoc> docs, const StoryOptions& o) {
  const std::size_t n = docs.size();
  // Content similarity of each compared pair (0 when not compared or when its time-gated
  // similarity is below min_edge) and whether the pair is dated beyond the time gate.
  std::vector<std::vector<double>> sim(n, std::vector<double>(n, 0.0));
  std::vector<std::vector<bool>> far(n, std::vector<bool>(n, false));
  for (std::size_t i = 0; i < n; ++i)
    for (std::size_t j = i + 1; j < n; ++j) {
      if (shared_terms(docs[i], docs[j]) < o.min_shared) continue;
      const double gated = story_similarity(docs[i], docs[j], o), content = content_similarity(docs[i], docs[j], o);
      if (gated < o.min_edge) continue;
      sim[i][j] = sim[j][i] = content;
      far[i][j] = far[j][i] =
          docs[i].published && docs[j].published &&
          std::abs(static_cast<double>(*docs[i].published - *docs[j].published)) > o.time_gate_days * 86400.0;
    }
  // Entity document frequencies over the whole corpus.
  std::map<std::int32_t, std::size_t> entity_df;
  for (const auto& d : docs)
    for (SparseVector::InnerIterator it(d.fields[samestory::cluster::kEntity]); it; ++it) ++entity_df[it.index()];
  // brute_whole of every pair (the whole comparison of large clusters uses all pairs).
  std::vector<std::vector<double>> whole_sim(n, std::vector<double>(n, 0.0));
  if (o.big_min_size > 0)
    for (std::size_t i = 0; i < n; ++i)
      for (std::size_t j = 0; j < n; ++j) whole_sim[i][j] = brute_whole(docs[i], docs[j], o);
  std::vector<std::vector<std::uint32_t>> clusters(n);
  for (std::uint32_t i = 0; i < n; ++i) clusters[i] = {i};
  // The score of clusters a and b: the gated average link, or the whole comparison at `share`
  // (0: none) when that is higher.
  auto score = [&](std::size_t a, std::size_t b, double share) {
    double sum = 0, far_sum = 0;
    for (auto x : clusters[a])
      for (auto y : clusters[b]) sum += sim[x][y], far_sum += far[x][y] ? sim[x][y] : 0.0;
    auto dates_of = [&](const std::vector<std::uint32_t>& c) {
      std::vector<std::int64_t> d;
      for (auto x : c)
        if (docs[x].published) d.push_back(*docs[x].published);
      std::sort(d.begin(), d.end());
      return d;
    };
    const auto da = dates_of(clusters[a]), db = dates_of(clusters[b]);
    const bool date_gate =
        da.size() >= o.cluster_gate_min_dated && db.size() >= o.cluster_gate_min_dated &&
        std::abs(static_cast<double>(da[da.size() / 2] - db[db.size() / 2])) > o.cluster_gate_days * 86400.0;
    const bool pair_gate = far_sum > 0;
    // Shared evidence lifts both gates, recounted from the members: evidence of x is an
    // entity in >= evidence_hi of x's docs (x has >= evidence_min_size docs) found in at most
    // evidence_rare * (|a| + |b|) + 3 docs of the corpus; x's evidence is covered by y when
    // >= evidence_min_found and >= evidence_share of it occurs in y's docs. Vetoed when each
    // has rare entities in >= 2 and >= evidence_veto_hi of its docs absent from the other, named
    // >= evidence_veto_mass times per doc.
    auto lifted = [&] {
      if (o.evidence_share > 1 || (o.time_factor >= 1 && o.cluster_gate_factor >= 1)) return false;
      const double rare = o.evidence_rare * static_cast<double>(clusters[a].size() + clusters[b].size()) + 3;
      auto entity_docs = [&](const std::vector<std::uint32_t>& c) {
        std::map<std::int32_t, std::size_t> count;
        for (auto x : c)
          for (SparseVector::InnerIterator it(docs[x].fields[samestory::cluster::kEntity]); it; ++it)
            ++count[it.index()];
        return count;
      };
      auto covered = [&](const std::vector<std::uint32_t>& x, const std::vector<std::uint32_t>& y) {
        if (x.size() < o.evidence_min_size) return false;
        const auto cx = entity_docs(x), cy = entity_docs(y);
        std::size_t total = 0, found = 0;
        for (const auto& [t, k] : cx)
          if (static_cast<double>(k) >= o.evidence_hi * static_cast<double>(x.size()) &&
              static_cast<double>(entity_df.at(t)) <= rare)
            ++total, found += cy.count(t);
        return found >= o.evidence_min_found &&
               static_cast<double>(found) >= o.evidence_share * static_cast<double>(total);
      };
      // x's own entities must be named evidence_veto_mass times per doc of x (their doc counts
      // summed, over |x|).
      auto own = [&](const std::vector<std::uint32_t>& x, const std::vector<std::uint32_t>& y) {
        const auto cx = entity_docs(x), cy = entity_docs(y);
        std::size_t named = 0;
        for (const auto& [t, k] : cx)
          if (k >= 2 && static_cast<double>(k) >= o.evidence_veto_hi * static_cast<double>(x.size()) &&
              static_cast<double>(entity_df.at(t)) <= rare && !cy.count(t))
            named += k;
        return named > 0 && static_cast<double>(named) >= o.evidence_veto_mass * static_cast<double>(x.size());
      };
      return (covered(clusters[a], clusters[b]) || covered(clusters[b], clusters[a])) &&
             !(own(clusters[a], clusters[b]) && own(clusters[b], clusters[a]));
    };
    const bool lift = (pair_gate || date_gate) && lifted();
    const double content_sum = sum;
    if (pair_gate && !lift) sum -= (1 - o.time_factor) * far_sum;
    double avg = sum / static_cast<double>(clusters[a].size() * clusters[b].size());
    if (date_gate && !lift) avg *= o.cluster_gate_factor;
    // The conflict gates, recounted from the members: two clusters of min_size docs or more,
    // each with a term (of the vectors `of` gives) in >= hi of its docs that is in <= lo of the
    // other's docs: on entities, lead names and figures, each with its sizes and shares.
    auto gate = [&](auto of, std::size_t min_size, double hi, double lo) {
      if (clusters[a].size() < min_size || clusters[b].size() < min_size) return false;
      auto term_docs = [&](const std::vector<std::uint32_t>& c) {
        std::map<std::int32_t, double> count;
        for (auto d : c)
          for (SparseVector::InnerIterator it(of(docs[d])); it; ++it) count[static_cast<std::int32_t>(it.index())] += 1;
        return count;
      };
      auto one = [&](const std::vector<std::uint32_t>& p, const std::vector<std::uint32_t>& q) {
        const auto cp = term_docs(p), cq = term_docs(q);
        for (const auto& [t, k] : cp) {
          if (k < hi * static_cast<double>(p.size())) continue;
          if ((cq.count(t) ? cq.at(t) : 0.0) <= lo * static_cast<double>(q.size())) return true;
        }
        return false;
      };
      return one(clusters[a], clusters[b]) && one(clusters[b], clusters[a]);
    };
    const bool entity_conflict =
        gate([](const StoryDoc& d) -> const SparseVector& { return d.fields[samestory::cluster::kEntity]; },
             o.conflict_min_size, o.conflict_hi, o.conflict_lo);
    const bool lead_conflict =
        o.lead_conflict_hi <= 1 && gate([](const StoryDoc& d) -> const SparseVector& { return d.extras[kLead]; },
                                        o.conflict_min_size, o.lead_conflict_hi, o.lead_conflict_lo);
    const bool figure_conflict =
        o.figure_conflict_size > 0 && gate([](const StoryDoc& d) -> const SparseVector& { return d.extras[kFigures]; },
                                           o.figure_conflict_size, o.figure_conflict_hi, 0.0);
    const bool conflict = o.conflict_factor < 1 && (entity_conflict || lead_conflict || figure_conflict);
    if (conflict) avg *= o.conflict_factor;
    // The whole comparison of large clusters (share > 0; only when the average link misses
    // the threshold), recounted from all pairs: two linked clusters of big_min_size docs
    // together, with a sparse (compared) content link of big_link per doc of the smaller,
    // whose mean pairwise brute_whole reaches big_min_mean score threshold x ratio / share,
    // the ratio being that mean over the geometric mean of each one's own (a single doc: the
    // other's alone); time-gated without the lift, and conflict-gated.
    const double sa = static_cast<double>(clusters[a].size()), sb = static_cast<double>(clusters[b].size());
    if (share > 0 && avg < o.threshold && o.big_min_size > 0 && sa + sb >= o.big_min_size && content_sum > 0 &&
        content_sum >= o.big_link * std::min(sa, sb)) {
      double cross = 0;
      for (auto x : clusters[a])
        for (auto y : clusters[b]) cross += whole_sim[x][y];
      auto own = [&](const std::vector<std::uint32_t>& c) {
        if (c.size() < 2) return -1.0;
        double in = 0;
        for (auto x : c)
          for (auto y : c)
            if (x != y) in += whole_sim[x][y];
        return in / (static_cast<double>(c.size()) * static_cast<double>(c.size() - 1));
      };
      const double mean = cross / (sa * sb), ma = own(clusters[a]), mb = own(clusters[b]);
      const double cohesion = ma < 0 ? mb : mb < 0 ? ma : std::sqrt(std::max(ma, 0.0) * std::max(mb, 0.0));
      if (mean >= o.big_min_mean && cohesion > 0) {
        double whole = o.threshold * mean / (share * cohesion);
        if (pair_gate) whole *= (content_sum - (1 - o.time_factor) * far_sum) / content_sum;
        if (date_gate) whole *= o.cluster_gate_factor;
        if (conflict) whole *= o.conflict_factor;
        avg = std::max(avg, whole);
      }
    }
    return avg;
  };
  while (true) {
    double best = -1;
    std::size_t ba = 0, bb = 0;
    for (std::size_t a = 0; a < clusters.size(); ++a)
      for (std::size_t b = a + 1; b < clusters.size(); ++b) {
        // Also compared whole: at big_cohesion, or big_single when one side is a single doc.
        const bool pieces = clusters[a].size() > 1 && clusters[b].size() > 1;
        const double avg = score(a, b, pieces ? o.big_cohesion : o.big_single);
        if (avg > best) best = avg, ba = a, bb = b;
      }
    if (best < o.threshold) break;
    clusters[ba].insert(clusters[ba].end(), clusters[bb].begin(), clusters[bb].end());
    clusters.erase(clusters.begin() + static_cast<std::ptrdiff_t>(bb));
  }
  std::vector<std::uint32_t> label(n);
  for (const auto& c : clusters) {
    const auto lo = *std::min_element(c.begin(), c.end());
    for (auto x : c) label[x] = lo;
  }
  return label;
}

// The naive reference run in story_order (cluster_stories' tie-break order), labels mapped
// back to input indices: equal to cluster_stories even when similarities tie.
inline std::vector<std::uint32_t> naive_in_story_order(std::span<const StoryDoc> docs, const StoryOptions& o) {
  const auto order = samestory::cluster::story_order(docs);
  std::vector<StoryDoc> ordered;
  for (auto i : order) ordered.push_back(docs[i]);
  const auto label = naive_average_link(ordered, o);
  std::vector<std::uint32_t> lead(docs.size());
  for (std::size_t k = 0; k < order.size(); ++k) lead[order[k]] = order[label[k]];
  return canonical_partition(lead);
}

}  // namespace samestory::test
