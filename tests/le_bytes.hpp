#pragma once
// Little-endian u64 fields of a byte string, read and written in place: the tests and fuzz
// targets that edit index and journal files (and recompute their checksums) share these.

#include <cstdint>
#include <cstring>
#include <string>

namespace samestory::test {

inline std::uint64_t get64(const std::string& b, std::size_t at) {
  std::uint64_t v;
  std::memcpy(&v, b.data() + at, 8);
  return v;
}

inline void put64(std::string& b, std::size_t at, std::uint64_t v) {
  std::memcpy(b.data() + at, &v, 8);
}

}  // namespace samestory::test
