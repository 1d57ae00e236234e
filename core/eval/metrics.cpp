#include "eval/metrics.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstddef>
#include <cstdio>
#include <limits>
#include <map>
#include <stdexcept>
#include <string_view>
#include <tuple>

namespace samestory::eval {
namespace {

using Entry = std::pair<std::string, std::string>;
using u64 = std::uint64_t;

// Pointers to the entries, sorted by id; throws on a duplicate id (reporting the smallest
// duplicated id, so the message does not depend on input order).
std::vector<const Entry*> sorted_by_id(const Labels& labels, const char* which) {
  std::vector<const Entry*> s;
  s.reserve(labels.size());
  for (const auto& e : labels) s.push_back(&e);
  std::sort(s.begin(), s.end(), [](const Entry* x, const Entry* y) { return x->first < y->first; });
  for (std::size_t i = 1; i < s.size(); ++i)
    if (s[i - 1]->first == s[i]->first)
      throw std::invalid_argument("duplicate id \"" + s[i]->first + "\" in " + which);
  return s;
}

// Sorted distinct strings.
std::vector<std::string> distinct(std::vector<std::string> v) {
  std::sort(v.begin(), v.end());
  v.erase(std::unique(v.begin(), v.end()), v.end());
  return v;
}

std::size_t index_of(const std::vector<std::string>& sorted, const std::string& s) {
  return static_cast<std::size_t>(std::lower_bound(sorted.begin(), sorted.end(), s) - sorted.begin());
}

u64 choose2(u64 n) { return n < 2 ? 0 : n * (n - 1) / 2; }
double ratio_or_one(u64 num, u64 den) { return den == 0 ? 1.0 : static_cast<double>(num) / static_cast<double>(den); }
double harmonic(double p, double r) { return p + r == 0.0 ? 0.0 : 2.0 * p * r / (p + r); }

// One non-zero cell of the contingency table: gold cluster g, predicted cluster p, n items.
struct Cell {
  std::size_t g, p;
  u64 n;
};

// Shannon entropy (nats) of a partition with the given cluster sizes summing to n.
double entropy(const std::vector<u64>& sizes, double n) {
  double s = 0.0;
  for (u64 a : sizes) s += static_cast<double>(a) * std::log(static_cast<double>(a));
  return std::max(0.0, std::log(n) - s / n);
}

// Exact expected mutual information under the hypergeometric (permutation) model, as sklearn's
// expected_mutual_information. Terms depend only on the cluster sizes, so sum over distinct
// (a, b) size pairs weighted by their multiplicities.
double expected_mutual_information(const std::vector<u64>& a_sizes, const std::vector<u64>& b_sizes, u64 n) {
  if (a_sizes.size() == 1 || b_sizes.size() == 1) return 0.0;  // a zero-entropy labelling
  std::map<u64, u64> a_mult, b_mult;
  for (u64 a : a_sizes) ++a_mult[a];
  for (u64 b : b_sizes) ++b_mult[b];
  std::vector<double> log_fact(n + 1);  // log_fact[k] = ln k!
  for (u64 k = 0; k <= n; ++k) log_fact[k] = std::lgamma(static_cast<double>(k) + 1.0);
  const double N = static_cast<double>(n);
  double emi = 0.0;
  for (const auto& [a, ma] : a_mult) {
    for (const auto& [b, mb] : b_mult) {
      const double A = static_cast<double>(a), B = static_cast<double>(b);
      // P(n_ij = k) = C(a,k) C(n-a, b-k) / C(n,b), in log space.
      const double fixed = log_fact[a] + log_fact[b] + log_fact[n - a] + log_fact[n - b] - log_fact[n];
      const u64 start = std::max<u64>(1, a + b > n ? a + b - n : 0);
      const u64 end = std::min(a, b);
      double sum = 0.0;
      for (u64 k = start; k <= end; ++k) {
        const double K = static_cast<double>(k);
        const double log_p = fixed - log_fact[k] - log_fact[a - k] - log_fact[b - k] - log_fact[n - a - b + k];
        sum += K / N * std::log(N * K / (A * B)) * std::exp(log_p);
      }
      emi += static_cast<double>(ma) * static_cast<double>(mb) * sum;
    }
  }
  return emi;
}

// Error entries for clusters spread over several parts, worst first, at most 10.
std::vector<ClusterError> worst(std::vector<ClusterError> all) {
  std::erase_if(all, [](const ClusterError& e) { return e.parts.size() < 2; });
  const auto outside = [](const ClusterError& e) { return e.size - e.parts.front().second; };
  std::sort(all.begin(), all.end(), [&](const ClusterError& x, const ClusterError& y) {
    const u64 ox = outside(x), oy = outside(y);
    return std::tie(oy, y.size, x.label) < std::tie(ox, x.size, y.label);
  });
  if (all.size() > 10) all.resize(10);
  return all;
}

// Groups cells by `key` (cells must already be sorted by it) into one ClusterError per cluster.
template <class Key, class Other>
std::vector<ClusterError> errors(const std::vector<Cell>& cells, const std::vector<std::string>& names,
                                 const std::vector<std::string>& other_names, Key key, Other other) {
  std::vector<ClusterError> out;
  for (std::size_t i = 0; i < cells.size();) {
    ClusterError e{names[key(cells[i])], 0, {}};
    std::size_t j = i;
    for (; j < cells.size() && key(cells[j]) == key(cells[i]); ++j) {
      e.size += cells[j].n;
      e.parts.emplace_back(other_names[other(cells[j])], cells[j].n);
    }
    std::sort(e.parts.begin(), e.parts.end(), [](const auto& x, const auto& y) {
      return x.second != y.second ? x.second > y.second : x.first < y.first;
    });
    out.push_back(std::move(e));
    i = j;
  }
  return worst(std::move(out));
}

// ---- JSON ----

std::string json_number(double x) {
  if (!std::isfinite(x)) return "null";
  char buf[64];
  const auto res = std::to_chars(buf, buf + sizeof buf, x, std::chars_format::fixed, 6);
  std::string s(buf, res.ptr);
  if (s.find('.') != std::string::npos) {
    while (s.back() == '0') s.pop_back();
    if (s.back() == '.') s.pop_back();
  }
  return s == "-0" ? "0" : s;
}

std::string json_string(std::string_view s) {
  std::string out = "\"";
  for (const char ch : s) {
    const auto c = static_cast<unsigned char>(ch);
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      case '\b': out += "\\b"; break;
      case '\f': out += "\\f"; break;
      default:
        if (c < 0x20) {
          char esc[8];
          std::snprintf(esc, sizeof esc, "\\u%04x", static_cast<unsigned>(c));
          out += esc;
        } else {
          out += ch;
        }
    }
  }
  return out + "\"";
}

void json_errors(std::string& out, const char* name, const std::vector<ClusterError>& errs, bool last) {
  out += "  \"" + std::string(name) + "\": [";
  for (std::size_t i = 0; i < errs.size(); ++i) {
    const auto& e = errs[i];
    out += i ? ",\n" : "\n";
    out += "    {\n      \"label\": " + json_string(e.label) + ",\n      \"size\": " + std::to_string(e.size) +
           ",\n      \"parts\": [\n";
    for (std::size_t k = 0; k < e.parts.size(); ++k)
      out += "        {\"label\": " + json_string(e.parts[k].first) +
             ", \"count\": " + std::to_string(e.parts[k].second) + (k + 1 < e.parts.size() ? "},\n" : "}\n");
    out += "      ]\n    }";
  }
  out += errs.empty() ? "]" : "\n  ]";
  out += last ? "\n" : ",\n";
}

}  // namespace

Report evaluate(const Labels& gold, const Labels& pred) {
  const auto g_sorted = sorted_by_id(gold, "gold");
  const auto p_sorted = sorted_by_id(pred, "prediction");
  if (g_sorted.empty()) throw std::invalid_argument("gold labelling is empty");

  Report r;
  r.items = g_sorted.size();

  // Match ids (both lists sorted): for each gold item, its predicted entry or nullptr.
  std::vector<const Entry*> matched(g_sorted.size(), nullptr);
  for (std::size_t i = 0, j = 0; i < g_sorted.size() || j < p_sorted.size();) {
    if (j == p_sorted.size() || (i < g_sorted.size() && g_sorted[i]->first < p_sorted[j]->first)) {
      ++r.missing_in_pred, ++i;
    } else if (i == g_sorted.size() || p_sorted[j]->first < g_sorted[i]->first) {
      ++r.extra_in_pred, ++j;
    } else {
      matched[i++] = p_sorted[j++];
    }
  }

  // Cluster indices: sorted distinct labels; each missing item gets its own extra pred cluster.
  std::vector<std::string> g_names, p_names;
  for (std::size_t i = 0; i < g_sorted.size(); ++i) {
    g_names.push_back(g_sorted[i]->second);
    if (matched[i]) p_names.push_back(matched[i]->second);
  }
  g_names = distinct(std::move(g_names));
  const std::vector<std::string> p_labels = distinct(std::move(p_names));
  p_names = p_labels;
  std::vector<std::pair<std::size_t, std::size_t>> keys;  // (gold cluster, predicted cluster) per item
  keys.reserve(g_sorted.size());
  for (std::size_t i = 0; i < g_sorted.size(); ++i) {
    std::size_t p = p_names.size();
    if (matched[i])
      p = index_of(p_labels, matched[i]->second);
    else
      p_names.push_back("<missing:" + g_sorted[i]->first + ">");
    keys.emplace_back(index_of(g_names, g_sorted[i]->second), p);
  }

  // Contingency table (non-zero cells sorted by (g, p)) and marginals.
  std::sort(keys.begin(), keys.end());
  std::vector<Cell> cells;
  for (const auto& [g, p] : keys) {
    if (!cells.empty() && cells.back().g == g && cells.back().p == p)
      ++cells.back().n;
    else
      cells.push_back({g, p, 1});
  }
  std::vector<u64> a(g_names.size(), 0), b(p_names.size(), 0);
  for (const Cell& c : cells) a[c.g] += c.n, b[c.p] += c.n;
  r.gold_clusters = a.size();
  r.pred_clusters = b.size();
  const u64 n = r.items;
  const double N = static_cast<double>(n);
  const bool identical = cells.size() == a.size() && cells.size() == b.size();

  // Pairwise.
  u64 sum_a = 0, sum_b = 0, sum_ab = 0;
  for (u64 x : a) sum_a += choose2(x);
  for (u64 x : b) sum_b += choose2(x);
  for (const Cell& c : cells) sum_ab += choose2(c.n);
  r.pairwise.true_pairs = sum_a;
  r.pairwise.predicted_pairs = sum_b;
  r.pairwise.correct_pairs = sum_ab;
  r.pairwise.precision = ratio_or_one(sum_ab, sum_b);
  r.pairwise.recall = ratio_or_one(sum_ab, sum_a);
  r.pairwise.f1 = harmonic(r.pairwise.precision, r.pairwise.recall);

  // B-cubed: the n items of a cell each contribute n/|pred| and n/|gold|.
  double bp = 0.0, br = 0.0;
  for (const Cell& c : cells) {
    const double sq = static_cast<double>(c.n) * static_cast<double>(c.n);
    bp += sq / static_cast<double>(b[c.p]);
    br += sq / static_cast<double>(a[c.g]);
  }
  r.bcubed = {bp / N, br / N, harmonic(bp / N, br / N)};

  // ARI (Hubert-Arabie).
  const double total = static_cast<double>(choose2(n));
  const double expected = total == 0.0 ? 0.0 : static_cast<double>(sum_a) * static_cast<double>(sum_b) / total;
  const double max_index = (static_cast<double>(sum_a) + static_cast<double>(sum_b)) / 2.0;
  if (identical)
    r.ari = 1.0;
  else if (max_index == expected)
    r.ari = 0.0;
  else
    r.ari = (static_cast<double>(sum_ab) - expected) / (max_index - expected);

  // AMI / NMI (sklearn, arithmetic mean of the entropies).
  if (identical) {
    r.ami = r.nmi = 1.0;
  } else {
    double mi = 0.0;
    for (const Cell& c : cells) {
      const double nij = static_cast<double>(c.n);
      mi += nij / N * std::log(N * nij / (static_cast<double>(a[c.g]) * static_cast<double>(b[c.p])));
    }
    mi = std::max(mi, 0.0);
    const double normalizer = (entropy(a, N) + entropy(b, N)) / 2.0;
    const double emi = expected_mutual_information(a, b, n);
    constexpr double eps = std::numeric_limits<double>::epsilon();
    double denom = normalizer - emi;
    denom = denom < 0 ? std::min(denom, -eps) : std::max(denom, eps);
    r.ami = (mi - emi) / denom;
    r.nmi = mi == 0.0 ? 0.0 : mi / normalizer;
  }

  // Error listings.
  r.largest_splits = errors(
      cells, g_names, p_names, [](const Cell& c) { return c.g; }, [](const Cell& c) { return c.p; });
  std::vector<Cell> by_pred = cells;
  std::sort(by_pred.begin(), by_pred.end(),
            [](const Cell& x, const Cell& y) { return std::tie(x.p, x.g) < std::tie(y.p, y.g); });
  r.largest_merges = errors(
      by_pred, p_names, g_names, [](const Cell& c) { return c.p; }, [](const Cell& c) { return c.g; });
  return r;
}

std::string to_json(const Report& r) {
  const auto u = [](u64 v) { return std::to_string(v); };
  std::string out = "{\n";
  out += "  \"items\": " + u(r.items) + ",\n";
  out += "  \"missing_in_pred\": " + u(r.missing_in_pred) + ",\n";
  out += "  \"extra_in_pred\": " + u(r.extra_in_pred) + ",\n";
  out += "  \"gold_clusters\": " + u(r.gold_clusters) + ",\n";
  out += "  \"pred_clusters\": " + u(r.pred_clusters) + ",\n";
  out += "  \"pairwise\": {\n";
  out += "    \"precision\": " + json_number(r.pairwise.precision) + ",\n";
  out += "    \"recall\": " + json_number(r.pairwise.recall) + ",\n";
  out += "    \"f1\": " + json_number(r.pairwise.f1) + ",\n";
  out += "    \"true_pairs\": " + u(r.pairwise.true_pairs) + ",\n";
  out += "    \"predicted_pairs\": " + u(r.pairwise.predicted_pairs) + ",\n";
  out += "    \"correct_pairs\": " + u(r.pairwise.correct_pairs) + "\n  },\n";
  out += "  \"bcubed\": {\n";
  out += "    \"precision\": " + json_number(r.bcubed.precision) + ",\n";
  out += "    \"recall\": " + json_number(r.bcubed.recall) + ",\n";
  out += "    \"f1\": " + json_number(r.bcubed.f1) + "\n  },\n";
  out += "  \"ari\": " + json_number(r.ari) + ",\n";
  out += "  \"ami\": " + json_number(r.ami) + ",\n";
  out += "  \"nmi\": " + json_number(r.nmi) + ",\n";
  json_errors(out, "largest_splits", r.largest_splits, false);
  json_errors(out, "largest_merges", r.largest_merges, true);
  return out + "}";
}

}  // namespace samestory::eval
