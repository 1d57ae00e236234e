// libFuzzer target: bytes as an index journal through index::parse_journal (what load() replays).
//
// As in fuzz_index, the checksums (the header's, and each record's header and payload checksums
// as far as the mutated lengths allow) are recomputed before parsing, so that the parsing of the
// records is what gets fuzzed, and the journal is taken as written for its own base identity.
// Properties: parse_journal either throws std::runtime_error or accounts for every byte (parsed
// records plus an ignored torn tail) and counts the articles it returns.

#include <xxhash.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <stdexcept>
#include <string>

#include "../le_bytes.hpp"
#include "index/index.hpp"

namespace {

using samestory::test::get64;
using samestory::test::put64;

void fix_checksums(std::string& b) {
  if (b.size() < 32) return;
  put64(b, 24, XXH3_64bits(b.data(), 24));
  for (std::size_t pos = 32; b.size() - pos >= 32;) {
    const std::uint64_t len = get64(b, pos + 8);
    const std::size_t have = b.size() - pos - 32;
    const std::size_t n = len < have ? static_cast<std::size_t>(len) : have;
    put64(b, pos + 16, XXH3_64bits(b.data() + pos + 32, n));
    put64(b, pos + 24, XXH3_64bits(b.data() + pos, 24));
    if (len >= have) break;
    pos += 32 + n;
  }
}

void require(bool ok, const char* what) {
  if (!ok) {
    std::fprintf(stderr, "fuzz_journal: property failed: %s\n", what);
    std::abort();
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string bytes(reinterpret_cast<const char*>(data), size);
  fix_checksums(bytes);
  const std::uint64_t base = bytes.size() >= 24 ? get64(bytes, 16) : 0;
  samestory::index::JournalInfo info;
  try {
    const auto batches = samestory::index::parse_journal(bytes, base, info);
    std::uint64_t articles = 0;
    for (const auto& b : batches) articles += b.articles.size();
    require(articles == info.articles, "the articles returned are the articles counted");
    require(batches.size() == info.batches, "the batches returned are the batches counted");
    require(info.bytes + info.torn_bytes == bytes.size(), "every byte is parsed or ignored as a torn tail");
  } catch (const std::runtime_error&) {
  }
  return 0;
}
