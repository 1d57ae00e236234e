#pragma once
// An open-addressing hash map from 64-bit keys (already hashes) to V: linear probing, power of
// two capacity, load <= 0.7 (or a set limit). One cache miss per lookup (key and value share a
// cell) where std::unordered_map took two or three (internal to the index).

#include <algorithm>
#include <array>
#include <cstdint>
#include <utility>
#include <vector>

namespace samestory::index::detail {

/// A cache hint for the line holding `p` (no effect on results). An asm statement on x86-64:
/// GCC dropped some __builtin_prefetch calls of the query path as dead code.
inline void prefetch(const void* p) noexcept {
#if defined(__x86_64__)
  asm volatile("prefetcht0 %0" : : "m"(*static_cast<const char*>(p)));
#else
  __builtin_prefetch(p);
#endif
}

/// Cache hints for every line of `n` values from `p`.
template <class T>
void prefetch_range(const T* p, std::size_t n) noexcept {
  const char* b = reinterpret_cast<const char*>(p);
  const char* const e = reinterpret_cast<const char*>(p + n);
  for (b -= reinterpret_cast<std::uintptr_t>(b) % 64; b < e; b += 64) prefetch(b);
}

template <class V>
class FlatMap {
 public:
  const V* find(std::uint64_t key) const {
    if (key == 0) return has_zero_ ? &zero_ : nullptr;
    if (cells_.empty()) return nullptr;
    for (std::size_t i = slot(key);; i = (i + 1) & mask_) {
      if (cells_[i].key == key) return &cells_[i].value;
      if (cells_[i].key == 0) return nullptr;
    }
  }
  V* find(std::uint64_t key) { return const_cast<V*>(static_cast<const FlatMap&>(*this).find(key)); }

  /// Starts loading the cache lines a find(key) reads first (a hint; no effect on results).
  void prefetch(std::uint64_t key) const noexcept {
    if (cells_.empty()) return;
    detail::prefetch(cells_.data() + slot(key));
  }

  /// The value of `key`, inserted as V{} when absent.
  V& operator[](std::uint64_t key) {
    if (key == 0) {
      if (!has_zero_) has_zero_ = true, ++size_;
      return zero_;
    }
    if ((size_ + 1) * 1000 > cells_.size() * max_load_) grow(cells_.empty() ? 16 : cells_.size() * 2);
    std::size_t i = slot(key);
    for (; cells_[i].key != 0; i = (i + 1) & mask_)
      if (cells_[i].key == key) return cells_[i].value;
    cells_[i].key = key;
    ++size_;
    return cells_[i].value;
  }

  void reserve(std::size_t n) {
    std::size_t cap = 16;
    while (cap * max_load_ < n * 1000) cap *= 2;
    if (cap > cells_.size()) grow(cap);
  }

  /// The most keys per 1000 cells before the table doubles (default 700, kept by clear()).
  /// Maps that grow side by side get different limits, so that they double in different
  /// batches rather than all in one (a stall of the sum of their copies).
  void set_max_load(unsigned permille) noexcept { max_load_ = std::clamp(permille, 100u, 900u); }

  std::size_t size() const noexcept { return size_; }
  bool empty() const noexcept { return size_ == 0; }
  void clear() {
    cells_.clear();
    mask_ = 0;
    shift_ = 64;
    size_ = 0;
    has_zero_ = false;
    zero_ = V{};
  }

  /// f(key, value) for every entry, in table order (sort when order matters).
  template <class F>
  void for_each(F&& f) const {
    if (has_zero_) f(std::uint64_t{0}, zero_);
    for (const auto& c : cells_)
      if (c.key != 0) f(c.key, c.value);
  }
  template <class F>
  void for_each_mut(F&& f) {
    if (has_zero_) f(std::uint64_t{0}, zero_);
    for (auto& c : cells_)
      if (c.key != 0) f(c.key, c.value);
  }

  /// The table order: a key's home cell is the top bits of mix(key), whatever the capacity, so
  /// keys inserted by ascending mix(key) fill the table front to back (a sequential pass where
  /// key order jumps around it: how the index file stores its maps since format 3).
  static std::uint64_t mix(std::uint64_t key) noexcept { return key * 0x9E3779B97F4A7C15ULL; }

  /// Bytes of the table itself (not what V owns).
  std::size_t memory_bytes() const noexcept { return cells_.capacity() * sizeof(Cell); }

 private:
  std::size_t slot(std::uint64_t key) const noexcept { return static_cast<std::size_t>(mix(key) >> shift_); }
  void grow(std::size_t cap) {
    std::vector<Cell> old(cap);
    std::swap(old, cells_);
    mask_ = cap - 1;
    shift_ = 64;
    for (std::size_t c = cap; c > 1; c >>= 1) --shift_;
    for (auto& c : old) {
      if (c.key == 0) continue;
      std::size_t i = slot(c.key);
      while (cells_[i].key != 0) i = (i + 1) & mask_;
      cells_[i].key = c.key;
      cells_[i].value = std::move(c.value);
    }
  }

  // A key and its value side by side: a lookup reads one cache line, where separate key and
  // value arrays took two misses (the df lookups of a feed's weighing stalled on the second).
  struct Cell {
    std::uint64_t key = 0;  // 0 = empty (key 0 lives in zero_)
    V value{};
  };
  std::vector<Cell> cells_;
  std::size_t mask_ = 0, size_ = 0;
  unsigned shift_ = 64;
  unsigned max_load_ = 700;
  bool has_zero_ = false;
  V zero_{};
};

/// The max load of map i of n grown side by side: 0.4 to 0.8, spread evenly.
inline unsigned staggered_load(std::size_t i, std::size_t n) noexcept {
  return static_cast<unsigned>(400 + 400 * i / (n ? n : 1));
}

/// A FlatMap in 64 shards (by the key's low bits) with staggered load limits: each shard
/// doubles at its own time, so no single insert copies the whole map (for a map that only grows
/// between saves, such as the index's posting lists of docs added since the load).
template <class V>
class ShardedFlatMap {
 public:
  static constexpr std::size_t kShards = 64;
  ShardedFlatMap() {
    for (std::size_t i = 0; i < kShards; ++i) shards_[i].set_max_load(staggered_load(i, kShards));
  }
  const V* find(std::uint64_t key) const { return shard(key).find(key); }
  V* find(std::uint64_t key) { return shard(key).find(key); }
  void prefetch(std::uint64_t key) const noexcept { shard(key).prefetch(key); }
  V& operator[](std::uint64_t key) { return shard(key)[key]; }
  std::size_t size() const noexcept {
    std::size_t n = 0;
    for (const auto& m : shards_) n += m.size();
    return n;
  }
  void clear() {
    for (auto& m : shards_) m.clear();
  }
  /// f(key, value) for every entry, shard after shard (sort when order matters).
  template <class F>
  void for_each(F&& f) const {
    for (const auto& m : shards_) m.for_each(f);
  }
  std::size_t memory_bytes() const noexcept {
    std::size_t b = 0;
    for (const auto& m : shards_) b += m.memory_bytes();
    return b;
  }

 private:
  const FlatMap<V>& shard(std::uint64_t key) const noexcept { return shards_[key & (kShards - 1)]; }
  FlatMap<V>& shard(std::uint64_t key) noexcept { return shards_[key & (kShards - 1)]; }
  std::array<FlatMap<V>, kShards> shards_;
};

}  // namespace samestory::index::detail
