#pragma once
// A growable array of trivially copyable values that grows without copying once it is large
// (internal).
//
// std::vector grows by allocating twice the room and copying: for the index's signatures and
// story terms (half a gigabyte each at a million articles) that is a copy of a gigabyte, and as
// many fresh pages faulted in, inside one add() call (about a second). GrowArray keeps its
// values in one malloc'd block and grows it with realloc: glibc serves a block this large
// (above its mmap threshold, at most 32 MB) with mmap and grows it with mremap, which moves
// the pages to a larger mapping instead of copying them. Small arrays behave as a vector does.

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <initializer_list>
#include <iterator>
#include <new>
#include <type_traits>
#include <utility>

namespace samestory::detail {

template <class T>
class GrowArray {
  static_assert(std::is_trivially_copyable_v<T> && std::is_trivially_destructible_v<T>,
                "GrowArray moves its values with memcpy and realloc");

 public:
  using value_type = T;
  using size_type = std::size_t;
  using iterator = T*;
  using const_iterator = const T*;

  GrowArray() = default;
  GrowArray(std::initializer_list<T> values) { assign(values.begin(), values.end()); }
  GrowArray(const GrowArray& o) { assign(o.begin(), o.end()); }
  GrowArray(GrowArray&& o) noexcept
      : p_(std::exchange(o.p_, nullptr)), size_(std::exchange(o.size_, 0)), cap_(std::exchange(o.cap_, 0)) {}
  GrowArray& operator=(const GrowArray& o) {
    if (this != &o) assign(o.begin(), o.end());
    return *this;
  }
  GrowArray& operator=(GrowArray&& o) noexcept {
    if (this != &o) {
      std::free(p_);
      p_ = std::exchange(o.p_, nullptr);
      size_ = std::exchange(o.size_, 0);
      cap_ = std::exchange(o.cap_, 0);
    }
    return *this;
  }
  ~GrowArray() { std::free(p_); }

  std::size_t size() const noexcept { return size_; }
  std::size_t capacity() const noexcept { return cap_; }
  bool empty() const noexcept { return size_ == 0; }
  T* data() noexcept { return p_; }
  const T* data() const noexcept { return p_; }
  T* begin() noexcept { return p_; }
  T* end() noexcept { return p_ + size_; }
  const T* begin() const noexcept { return p_; }
  const T* end() const noexcept { return p_ + size_; }
  T& operator[](std::size_t i) noexcept { return p_[i]; }
  const T& operator[](std::size_t i) const noexcept { return p_[i]; }
  T& back() noexcept { return p_[size_ - 1]; }
  const T& back() const noexcept { return p_[size_ - 1]; }

  /// Room for n values (a realloc: the values stay).
  void reserve(std::size_t n) {
    if (n <= cap_) return;
    if (n > SIZE_MAX / sizeof(T)) throw std::bad_alloc();
    void* p = std::realloc(p_, n * sizeof(T));
    if (!p) throw std::bad_alloc();
    p_ = static_cast<T*>(p);
    cap_ = n;
  }
  void shrink_to_fit() {
    if (size_ == cap_) return;
    if (size_ == 0) {
      std::free(std::exchange(p_, nullptr));
      cap_ = 0;
      return;
    }
    if (void* p = std::realloc(p_, size_ * sizeof(T))) p_ = static_cast<T*>(p), cap_ = size_;
  }
  /// n values; new ones value-initialised (zero).
  void resize(std::size_t n) {
    grow_for(n);
    if (n > size_) std::memset(static_cast<void*>(p_ + size_), 0, (n - size_) * sizeof(T));
    size_ = n;
  }
  void clear() noexcept { size_ = 0; }
  void push_back(const T& v) {
    if (size_ == cap_) {
      const T copy = v;  // v may live in this array
      grow_for(size_ + 1);
      p_[size_++] = copy;
      return;
    }
    p_[size_++] = v;
  }
  template <class... A>
  T& emplace_back(A&&... a) {
    push_back(T{std::forward<A>(a)...});
    return back();
  }
  template <class It>
  void assign(It first, It last) {
    size_ = 0;
    insert(end(), first, last);
  }
  /// Inserts [first, last) (not from this array) before pos.
  template <class It>
  T* insert(const T* pos, It first, It last) {
    const auto at = static_cast<std::size_t>(pos - p_);
    const auto n = static_cast<std::size_t>(std::distance(first, last));
    grow_for(size_ + n);
    if (at < size_) std::memmove(static_cast<void*>(p_ + at + n), p_ + at, (size_ - at) * sizeof(T));
    std::copy(first, last, p_ + at);
    size_ += n;
    return p_ + at;
  }
  void swap(GrowArray& o) noexcept {
    std::swap(p_, o.p_);
    std::swap(size_, o.size_);
    std::swap(cap_, o.cap_);
  }

 private:
  /// Room for n values, doubling as a vector does.
  void grow_for(std::size_t n) {
    if (n > cap_) reserve(std::max({n, cap_ * 2, std::size_t{16}}));
  }

  T* p_ = nullptr;
  std::size_t size_ = 0, cap_ = 0;
};

}  // namespace samestory::detail
