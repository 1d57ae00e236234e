// libFuzzer target: bytes as an index file through Index::deserialize (the index loader).
//
// Random bytes never carry valid XXH3 checksums, so the fuzzer would not get past the header:
// before loading, the checksums of docs/format.md (header, each section inside the file, the
// section table) are recomputed over the mutated bytes, and the loader's own parsing of every
// section is what gets fuzzed. The checksum checks themselves are covered by the unit tests.
// Properties: the loader either throws std::exception (runtime_error / invalid_argument) or
// gives an index whose serialize() loads back to the same bytes (save -> load -> save).

#include <xxhash.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <exception>
#include <string>

#include "../le_bytes.hpp"
#include "index/index.hpp"

namespace {

using samestory::index::Index;

constexpr std::size_t kHeader = 200, kSections = 10, kEntry = 32, kTable = kSections * kEntry;

using samestory::test::get64;
using samestory::test::put64;

/// Recomputes every checksum that the layout in `b` allows (little-endian host).
void fix_checksums(std::string& b) {
  if (b.size() < kHeader) return;
  put64(b, kHeader - 8, XXH3_64bits(b.data(), kHeader - 8));
  if (b.size() < kHeader + kTable + 8) return;
  for (std::size_t e = 0; e < kSections; ++e) {
    const std::size_t at = kHeader + e * kEntry;
    const std::uint64_t offset = get64(b, at + 8), length = get64(b, at + 16);
    if (offset <= b.size() && length <= b.size() - offset) put64(b, at + 24, XXH3_64bits(b.data() + offset, length));
  }
  put64(b, kHeader + kTable, XXH3_64bits(b.data() + kHeader, kTable));
}

void require(bool ok, const char* what) {
  if (!ok) {
    std::fprintf(stderr, "fuzz_index: property failed: %s\n", what);
    std::abort();
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string bytes(reinterpret_cast<const char*>(data), size);
  fix_checksums(bytes);
  std::string saved;
  try {
    const Index index = Index::deserialize(bytes);
    (void)index.stats();
    saved = index.serialize();
  } catch (const std::exception&) {
    return 0;  // refused with a message: what a bad file should get
  }
  std::string again;
  try {
    again = Index::deserialize(saved).serialize();
  } catch (const std::exception& e) {
    std::fprintf(stderr, "fuzz_index: a saved index does not load: %s\n", e.what());
    std::abort();
  }
  require(again == saved, "save -> load -> save is byte-identical");
  return 0;
}
