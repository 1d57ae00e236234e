#pragma once
// Transparent huge pages for the large arrays of a run. At a million articles the story stage
// reads gigabytes of rows and counters at random; with 4 KB pages nearly every access also
// misses the TLB (a page walk), with 2 MB pages the working set's translations fit in it. A
// hint only: where the kernel does not offer them (or not on Linux) nothing changes.

#include <cstddef>
#include <iterator>
#include <vector>

namespace samestory::detail {

/// Arrays smaller than this are left alone.
inline constexpr std::size_t kHugePageMin = std::size_t{8} << 20;

/// madvise(MADV_HUGEPAGE) on the 2 MB-aligned part of [p, p + bytes) when bytes >= kHugePageMin.
/// Call it before the memory is first touched: pages already faulted in stay small.
void advise_huge_pages(void* p, std::size_t bytes) noexcept;

/// Faults [p, p + bytes) in at once (madvise MADV_POPULATE_WRITE) when bytes >= kHugePageMin:
/// memory about to be written whole costs fewer page-fault traps. A hint, like the above.
void populate_pages(void* p, std::size_t bytes) noexcept;

/// v.resize(n) (value-initialised), its storage advised first when it is allocated here.
template <class T>
void resize_huge(std::vector<T>& v, std::size_t n) {
  if (n > v.capacity()) {
    std::vector<T> fresh;
    fresh.reserve(n);
    advise_huge_pages(fresh.data(), n * sizeof(T));
    fresh.insert(fresh.end(), std::make_move_iterator(v.begin()), std::make_move_iterator(v.end()));
    v.swap(fresh);
  }
  v.resize(n);
}

/// v.resize(n) for scratch whose values are all overwritten after it: when n outgrows v's room
/// the old values are dropped (not copied) and room for n + n / 8 is allocated, advised first,
/// so that a run of sizes that differ by a few percent allocates (and faults in) once.
template <class T>
void resize_scratch(std::vector<T>& v, std::size_t n) {
  if (n > v.capacity()) {
    std::vector<T>().swap(v);
    v.reserve(n + n / 8);
    advise_huge_pages(v.data(), v.capacity() * sizeof(T));
  }
  v.resize(n);
}

}  // namespace samestory::detail
