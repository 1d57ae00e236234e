#pragma once
// Live article ids -> slot (internal to the index): open addressing over 16-byte cells (the
// id's XXH3-64, its slot), linear probing, power-of-two capacity, load <= 0.7. The ids
// themselves stay in the index's `ids` array; a lookup compares the hash, then the id. Built
// at load from a hash per id (computed in parallel) where std::unordered_map allocated a node
// and copied the string for each of a million ids.

#include <xxhash.h>

#include <cstdint>
#include <limits>
#include <string>
#include <string_view>
#include <vector>

#include "index/detail/flat_map.hpp"

namespace samestory::index::detail {

class IdMap {
 public:
  static constexpr std::uint32_t kEmpty = std::numeric_limits<std::uint32_t>::max();
  static std::uint64_t hash(std::string_view id) noexcept { return XXH3_64bits(id.data(), id.size()); }

  /// The slot of `id`, or kEmpty.
  std::uint32_t find(std::string_view id, const std::vector<std::string>& ids) const { return find(hash(id), id, ids); }
  std::uint32_t find(std::uint64_t h, std::string_view id, const std::vector<std::string>& ids) const {
    if (cells_.empty()) return kEmpty;
    for (std::size_t i = home(h);; i = (i + 1) & mask_) {
      const Cell& c = cells_[i];
      if (c.slot == kEmpty) return kEmpty;
      if (c.hash == h && ids[c.slot] == id) return c.slot;
    }
  }
  /// Inserts `ids[slot]` (hash h); false (nothing changed) when that id is already in.
  bool insert(std::uint64_t h, std::uint32_t slot, const std::vector<std::string>& ids) {
    if ((size_ + 1) * 10 > cells_.size() * 7) grow(cells_.empty() ? 16 : cells_.size() * 2);
    std::size_t i = home(h);
    for (; cells_[i].slot != kEmpty; i = (i + 1) & mask_)
      if (cells_[i].hash == h && ids[cells_[i].slot] == ids[slot]) return false;
    cells_[i] = {h, slot};
    ++size_;
    return true;
  }
  /// Removes `id`; returns its slot, or kEmpty when absent. Backward-shift deletion: no tombstones.
  std::uint32_t erase(std::string_view id, const std::vector<std::string>& ids) {
    if (cells_.empty()) return kEmpty;
    const std::uint64_t h = hash(id);
    std::size_t i = home(h);
    for (;; i = (i + 1) & mask_) {
      if (cells_[i].slot == kEmpty) return kEmpty;
      if (cells_[i].hash == h && ids[cells_[i].slot] == id) break;
    }
    const std::uint32_t slot = cells_[i].slot;
    for (std::size_t j = (i + 1) & mask_; cells_[j].slot != kEmpty; j = (j + 1) & mask_) {
      // Move cell j back into the hole at i unless its home lies cyclically in (i, j].
      const std::size_t k = home(cells_[j].hash);
      const bool stays = i <= j ? (i < k && k <= j) : (i < k || k <= j);
      if (stays) continue;
      cells_[i] = cells_[j];
      i = j;
    }
    cells_[i] = {0, kEmpty};
    --size_;
    return slot;
  }
  void reserve(std::size_t n) {
    std::size_t cap = 16;
    while (cap * 7 < n * 10) cap *= 2;
    if (cap > cells_.size()) grow(cap);
  }
  /// slot = f(slot) for every entry (a renumbering that keeps the ids).
  template <class F>
  void remap(F&& f) {
    for (auto& c : cells_)
      if (c.slot != kEmpty) c.slot = f(c.slot);
  }
  std::size_t size() const noexcept { return size_; }
  std::size_t memory_bytes() const noexcept { return cells_.capacity() * sizeof(Cell); }

 private:
  struct Cell {
    std::uint64_t hash = 0;
    std::uint32_t slot = kEmpty;
  };
  std::size_t home(std::uint64_t h) const noexcept { return static_cast<std::size_t>(h >> shift_); }
  void grow(std::size_t cap) {
    std::vector<Cell> old(cap);
    std::swap(old, cells_);
    mask_ = cap - 1;
    shift_ = 64;
    for (std::size_t c = cap; c > 1; c >>= 1) --shift_;
    for (const Cell& c : old) {
      if (c.slot == kEmpty) continue;
      std::size_t i = home(c.hash);
      while (cells_[i].slot != kEmpty) i = (i + 1) & mask_;
      cells_[i] = c;
    }
  }
  std::vector<Cell> cells_;
  std::size_t mask_ = 0, size_ = 0;
  unsigned shift_ = 64;
};

}  // namespace samestory::index::detail
