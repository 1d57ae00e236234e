#pragma once
// The journal beside an index file (docs/format.md, "Journal"): what load() and save() need of it.

#include <cstdint>
#include <string>
#include <string_view>

#include "index/index.hpp"

namespace samestory::index::detail {

/// Bytes of the index file that its identity covers: header, section table and its checksum.
inline constexpr std::size_t kIdentityBytes = 200 + 10 * 32 + 8;

/// The identity of an index file: XXH3-64 of its first kIdentityBytes (which hold every
/// section's checksum), so any change of content changes it. 0 when the file is shorter.
std::uint64_t file_identity(std::string_view index_bytes);

/// Replays DIR/journal.ssj into `index` (just loaded from the file with identity `base`):
/// each recorded batch through add(), in order. A missing journal is an empty one.
void replay_journal(const std::string& dir, std::uint64_t base, Index& index, JournalInfo& info);

/// Removes DIR/journal.ssj after save() (a missing one is fine) and syncs the directory.
void remove_journal(const std::string& dir);

}  // namespace samestory::index::detail
