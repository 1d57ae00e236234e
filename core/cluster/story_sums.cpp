#include "cluster/story_sums.hpp"

#include <array>
#include <bit>
#include <cmath>
#include <utility>

namespace samestory::cluster {

/// A sparse vector as an open-addressing table from (field << 32 | term) to its summed value.
/// Linear probing, at most half full; the slots are visited in order, so the same inserts give
/// the same table and the same sums.
struct StorySums::Map {
  static constexpr std::uint32_t kEmpty = ~std::uint32_t{0};
  struct Entry {
    std::uint64_t key;
    double value;
  };
  std::vector<Entry> entries;        // in insertion order: what a dot product scans
  std::vector<std::uint32_t> index;  // open addressing over entries (linear probing, at most half full)
  int shift = 64;

  Map() { rehash(16); }
  std::size_t used() const { return entries.size(); }
  std::size_t slot(std::uint64_t key) const { return static_cast<std::size_t>((key * 0x9E3779B97F4A7C15ull) >> shift); }
  void rehash(std::size_t capacity) {
    index.assign(capacity, kEmpty);
    shift = 64 - std::countr_zero(capacity);
    const std::size_t mask = capacity - 1;
    for (std::uint32_t i = 0; i < entries.size(); ++i) {
      std::size_t s = slot(entries[i].key);
      while (index[s] != kEmpty) s = (s + 1) & mask;
      index[s] = i;
    }
  }
  void add(std::uint64_t key, double value) {
    const std::size_t mask = index.size() - 1;
    std::size_t s = slot(key);
    for (; index[s] != kEmpty; s = (s + 1) & mask)
      if (entries[index[s]].key == key) {
        entries[index[s]].value += value;
        return;
      }
    index[s] = static_cast<std::uint32_t>(entries.size());
    entries.push_back({key, value});
    if (2 * entries.size() > index.size()) rehash(2 * index.size());
  }
  double get(std::uint64_t key, std::size_t s) const {  // s: slot(key)
    const std::size_t mask = index.size() - 1;
    for (; index[s] != kEmpty; s = (s + 1) & mask)
      if (entries[index[s]].key == key) return entries[index[s]].value;
    return 0.0;
  }
  double get(std::uint64_t key) const { return get(key, slot(key)); }
  /// The dot product with `other`, over this table's entries in order. The other table is read
  /// at random: each batch of lookups is prefetched before it is probed.
  double dot(const Map& other) const {
    constexpr std::size_t kBatch = 16;
    std::array<std::size_t, kBatch> at{};
    double acc = 0;
    for (std::size_t b = 0; b < entries.size(); b += kBatch) {
      const std::size_t m = std::min(kBatch, entries.size() - b);
      for (std::size_t i = 0; i < m; ++i) {
        at[i] = other.slot(entries[b + i].key);
        __builtin_prefetch(&other.index[at[i]]);
      }
      for (std::size_t i = 0; i < m; ++i) acc += entries[b + i].value * other.get(entries[b + i].key, at[i]);
    }
    return acc;
  }
  double norm2() const {
    double acc = 0;
    for (const Entry& e : entries) acc += e.value * e.value;
    return acc;
  }
};

StorySums::StorySums(const StoryCorpus& docs, const std::array<double, kStoryFields>& weights) : docs_(docs) {
  double total = 0;
  for (double w : weights)
    if (w > 0) total += w;
  for (std::size_t f = 0; f < kStoryFields; ++f)
    if (weights[f] > 0) scale_[f] = static_cast<float>(std::sqrt(weights[f] / total));
  const std::size_t n = docs.size();
  self_.resize(n);
  norm2_.resize(n);
  next_.resize(n);
  last_.resize(n);
  size_.assign(n, 1);
  sums_.resize(n);
  const std::vector<std::uint32_t> doc_at = docs.docs_by_row();  // rows read in sequence
  for (std::size_t row = 0; row < n; ++row) {
    const std::uint32_t i = doc_at[row];
    double s = 0;
    for (std::size_t f = 0; f < kStoryFields; ++f) {
      const tfidf::Row x = tfidf::row(docs.fields[f], static_cast<Eigen::Index>(row));
      for (std::size_t k = 0; k < x.size; ++k) {
        const double v = static_cast<double>(scale_[f] * x.value[k]);
        s += v * v;
      }
    }
    self_[i] = norm2_[i] = s;
    next_[i] = last_[i] = i;
  }
}

StorySums::~StorySums() = default;

void StorySums::add_doc(Map& m, std::uint32_t doc) const {
  for (std::size_t f = 0; f < kStoryFields; ++f) {
    if (scale_[f] == 0) continue;
    const tfidf::Row x = tfidf::row(docs_.fields[f], docs_.row(doc));
    for (std::size_t k = 0; k < x.size; ++k)
      m.add(std::uint64_t{f} << 32 | static_cast<std::uint32_t>(x.index[k]),
            static_cast<double>(scale_[f] * x.value[k]));
  }
}

double StorySums::dot_doc(const Map& m, std::uint32_t doc) const {
  double acc = 0;
  for (std::size_t f = 0; f < kStoryFields; ++f) {
    if (scale_[f] == 0) continue;
    const tfidf::Row x = tfidf::row(docs_.fields[f], docs_.row(doc));
    for (std::size_t k = 0; k < x.size; ++k)
      acc += static_cast<double>(scale_[f] * x.value[k]) *
             m.get(std::uint64_t{f} << 32 | static_cast<std::uint32_t>(x.index[k]));
  }
  return acc;
}

StorySums::Map& StorySums::sum_of(std::uint32_t c) {
  if (!sums_[c]) {
    sums_[c] = std::make_unique<Map>();
    for (std::uint32_t x = c;; x = next_[x]) {
      add_doc(*sums_[c], x);
      if (next_[x] == x) break;
    }
    norm2_[c] = size_[c] == 1 ? self_[c] : sums_[c]->norm2();
  }
  return *sums_[c];
}

double StorySums::cross(std::uint32_t a, std::uint32_t b) {
  if (size_[a] == 1 && !sums_[a]) return dot_doc(sum_of(b), a);
  if (size_[b] == 1 && !sums_[b]) return dot_doc(sum_of(a), b);
  const Map &x = sum_of(a), &y = sum_of(b);
  return x.used() <= y.used() ? x.dot(y) : y.dot(x);
}

double StorySums::internal(std::uint32_t a) {
  if (size_[a] == 1) return 0.0;
  sum_of(a);
  return norm2_[a] - self_[a];
}

void StorySums::merge(std::uint32_t a, std::uint32_t b) {
  if (sums_[a] || sums_[b]) {
    // cross() builds the sum of a side that has none unless it is a single doc (whose |S|^2 is
    // its own): first, so that both norms are current.
    const double d = cross(a, b);
    norm2_[a] = norm2_[a] + norm2_[b] + 2 * d;
    // The larger table takes in the other side (its table, or its one doc) and becomes a's.
    const bool keep_a = sums_[a] && (!sums_[b] || sums_[a]->used() >= sums_[b]->used());
    const std::uint32_t other = keep_a ? b : a;
    std::unique_ptr<Map> into = std::move(sums_[keep_a ? a : b]);
    if (sums_[other]) {
      for (const Map::Entry& e : sums_[other]->entries) into->add(e.key, e.value);
      sums_[other].reset();
    } else {
      add_doc(*into, other);
    }
    sums_[a] = std::move(into);
  }
  self_[a] += self_[b];
  size_[a] += size_[b];
  next_[last_[a]] = b;
  last_[a] = last_[b];
}

}  // namespace samestory::cluster
