// The journal beside an index file: the batches added since the file was written, appended with
// one fsync each instead of rewriting the whole file (docs/format.md, "Journal").

#include "index/detail/journal.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#include <xxhash.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <limits>
#include <stdexcept>

#include "io/writer.hpp"

namespace samestory::index {

namespace {

constexpr unsigned char kMagic[8] = {'S', 'S', 'J', 'N', 'L', 0, 0, 1};
constexpr std::uint32_t kVersion = 1;
constexpr std::uint32_t kBatches = 1;  // the one record kind: add() batches
constexpr std::size_t kHeaderBytes = 32, kRecordHeader = 32;
constexpr std::int64_t kUndated = std::numeric_limits<std::int64_t>::min();

template <class T>
T get(std::string_view b, std::size_t at) {
  T v;
  std::memcpy(&v, b.data() + at, sizeof(T));
  return v;
}
template <class T>
void put(std::string& b, T v) {
  char raw[sizeof(T)];
  std::memcpy(raw, &v, sizeof(T));
  b.append(raw, sizeof(T));
}

std::string at_byte(std::size_t pos) {
  return "record at byte " + std::to_string(pos) + ": ";
}

std::string header(std::uint64_t base) {
  std::string b(reinterpret_cast<const char*>(kMagic), sizeof kMagic);
  put(b, kVersion);
  put(b, std::uint32_t{0});
  put(b, base);
  put(b, XXH3_64bits(b.data(), b.size()));
  return b;
}

/// One record: its header and a payload of every batch.
std::string record(std::span<const JournalBatch> batches) {
  std::string p;
  put(p, static_cast<std::uint64_t>(batches.size()));
  auto str = [&](const std::string& s, const char* what) {
    if (s.size() > std::numeric_limits<std::uint32_t>::max())
      throw std::runtime_error(std::string("journal: an article's ") + what + " is over 4 GB");
    put(p, static_cast<std::uint32_t>(s.size()));
    p += s;
  };
  for (const auto& batch : batches) {
    put(p, batch.now);
    put(p, static_cast<std::uint64_t>(batch.articles.size()));
    for (const auto& a : batch.articles) {
      put(p, a.published.value_or(kUndated));
      str(a.id, "id");
      str(a.title, "title");
      str(a.text, "text");
    }
  }
  std::string r;
  r.reserve(kRecordHeader + p.size());
  put(r, kBatches);
  put(r, std::uint32_t{0});
  put(r, static_cast<std::uint64_t>(p.size()));
  put(r, XXH3_64bits(p.data(), p.size()));
  put(r, XXH3_64bits(r.data(), r.size()));
  return r + p;
}

/// The batches of one record's payload (bounds-checked: never trusts a count or a length).
void decode(std::string_view p, std::size_t record_at, std::vector<JournalBatch>& out, JournalInfo& info) {
  std::size_t pos = 0;
  auto need = [&](std::uint64_t n, const char* what) {
    if (n > p.size() - pos)
      throw std::runtime_error(at_byte(record_at) + what + " at payload offset " + std::to_string(pos) +
                               " runs past the record (" + std::to_string(p.size()) + " bytes)");
  };
  auto u64 = [&](const char* what) {
    need(8, what);
    pos += 8;
    return get<std::uint64_t>(p, pos - 8);
  };
  auto str = [&](const char* what) {
    need(4, what);
    const auto n = get<std::uint32_t>(p, pos);
    pos += 4;
    need(n, what);
    pos += n;
    return std::string(p.substr(pos - n, n));
  };
  // Counts beyond what the bytes left can hold (16 bytes a batch, 20 an article at least) are
  // corrupt, not a reason to reserve.
  auto count = [&](const char* what, std::size_t min_bytes) {
    const auto n = u64(what);
    if (n > (p.size() - pos) / min_bytes)
      throw std::runtime_error(at_byte(record_at) + what + " " + std::to_string(n) + " at payload offset " +
                               std::to_string(pos - 8) + " is more than the record holds");
    return n;
  };
  const auto batches = count("batch count", 16);
  for (std::uint64_t b = 0; b < batches; ++b) {
    JournalBatch batch;
    batch.now = static_cast<std::int64_t>(u64("now"));
    const auto n = count("article count", 20);
    batch.articles.resize(static_cast<std::size_t>(n));
    for (auto& a : batch.articles) {
      const auto published = static_cast<std::int64_t>(u64("published"));
      if (published != kUndated) a.published = published;
      a.id = str("id");
      a.title = str("title");
      a.text = str("text");
    }
    info.articles += n;
    out.push_back(std::move(batch));
  }
  info.batches += batches;
  if (pos != p.size())
    throw std::runtime_error(at_byte(record_at) + std::to_string(p.size() - pos) + " unexpected trailing bytes");
}

bool all_zero(std::string_view b) {
  return std::all_of(b.begin(), b.end(), [](char c) { return c == 0; });
}

/// Walks the records, decoding them into `out`; see parse_journal. Without `out` (to find where
/// to append) only the headers and the last record's payload are checked, and only `bytes`,
/// `torn_bytes`, `records` and `stale` are filled: the payloads before it were checked by the
/// load that preceded the add.
void scan(std::string_view bytes, std::uint64_t base, JournalInfo& info, std::vector<JournalBatch>* out) {
  info = {};
  if (bytes.size() < kHeaderBytes)
    throw std::runtime_error("journal truncated: the header needs " + std::to_string(kHeaderBytes) + " bytes, " +
                             std::to_string(bytes.size()) + " present");
  if (std::memcmp(bytes.data(), kMagic, sizeof kMagic) != 0)
    throw std::runtime_error("not a samestory journal (bad magic)");
  if (const auto v = get<std::uint32_t>(bytes, 8); v != kVersion)
    throw std::runtime_error("journal format version " + std::to_string(v) + ", this build reads " +
                             std::to_string(kVersion));
  if (get<std::uint64_t>(bytes, 24) != XXH3_64bits(bytes.data(), 24))
    throw std::runtime_error("journal header checksum mismatch");
  if (get<std::uint32_t>(bytes, 12) != 0) throw std::runtime_error("journal header: reserved field is not 0");
  if (get<std::uint64_t>(bytes, 16) != base) {
    info.stale = true;  // written for an earlier index file: its batches are in the file now
    return;
  }
  std::size_t pos = kHeaderBytes;
  while (pos < bytes.size()) {
    const auto rest = bytes.substr(pos);
    // A crash while appending leaves the last record incomplete (or, on some file systems, a
    // zero-filled tail): that append never completed. Anything else wrong is corruption.
    if (rest.size() < kRecordHeader || all_zero(rest)) break;
    if (get<std::uint64_t>(rest, 24) != XXH3_64bits(rest.data(), 24))
      throw std::runtime_error(at_byte(pos) + "header checksum mismatch (the " + std::to_string(pos) +
                               " bytes before it are intact)");
    if (const auto kind = get<std::uint32_t>(rest, 0); kind != kBatches || get<std::uint32_t>(rest, 4) != 0)
      throw std::runtime_error(at_byte(pos) + "unknown record kind " + std::to_string(kind));
    const auto len = get<std::uint64_t>(rest, 8);
    if (len > rest.size() - kRecordHeader) break;
    const auto payload = rest.substr(kRecordHeader, static_cast<std::size_t>(len));
    const bool last = payload.size() + kRecordHeader == rest.size();
    if ((out || last) && get<std::uint64_t>(rest, 16) != XXH3_64bits(payload.data(), payload.size())) {
      if (last) break;  // the last record, not all of it written
      throw std::runtime_error(at_byte(pos) + "payload checksum mismatch (the " + std::to_string(pos) +
                               " bytes before it are intact)");
    }
    if (out) decode(payload, pos, *out, info);
    ++info.records;
    pos += kRecordHeader + payload.size();
  }
  info.bytes = pos;
  info.torn_bytes = bytes.size() - pos;
}

/// A journal file's bytes (empty when it does not exist or is empty). Mapped for an append,
/// which holds the writer lock and reads only the record headers and the last payload; read
/// into memory for a load, which holds no lock: a writer cutting off a torn tail while the
/// file is mapped would make the reader's access to those pages fault.
class JournalFile {
 public:
  JournalFile(const std::string& path, bool map) {
    const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
      if (errno == ENOENT) return;
      throw std::runtime_error(path + ": cannot open: " + std::strerror(errno));
    }
    exists_ = true;
    struct stat st {};
    bool ok = ::fstat(fd, &st) == 0;
    const auto n = ok ? static_cast<std::size_t>(st.st_size) : 0;
    if (ok && map && n > 0) {
      p_ = ::mmap(nullptr, n, PROT_READ, MAP_SHARED, fd, 0);
      ok = p_ != MAP_FAILED;
      n_ = ok ? n : 0;
    } else if (ok && !map) {
      char buf[1 << 16];
      for (ssize_t got; (got = ::read(fd, buf, sizeof buf)) != 0;) {
        if (got < 0 && errno == EINTR) continue;
        if (got < 0) {
          ok = false;
          break;
        }
        copy_.append(buf, static_cast<std::size_t>(got));
      }
    }
    const int e = errno;
    ::close(fd);
    if (!ok) throw std::runtime_error(path + ": cannot read: " + std::strerror(e));
  }
  ~JournalFile() {
    if (n_ > 0) ::munmap(p_, n_);
  }
  JournalFile(const JournalFile&) = delete;
  JournalFile& operator=(const JournalFile&) = delete;
  bool exists() const noexcept { return exists_; }
  std::string_view bytes() const noexcept {
    return n_ > 0 ? std::string_view(static_cast<const char*>(p_), n_) : std::string_view(copy_);
  }

 private:
  bool exists_ = false;
  void* p_ = nullptr;
  std::size_t n_ = 0;
  std::string copy_;
};

/// scan() of DIR's journal, with the journal's path in front of any error.
void scan_file(const std::string& path, const JournalFile& j, std::uint64_t base, JournalInfo& info,
               std::vector<JournalBatch>* out) {
  try {
    scan(j.bytes(), base, info, out);
  } catch (const std::exception& e) {
    throw std::runtime_error(path + ": " + e.what());
  }
}

void sync_dir(const std::string& dir) {
  const int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd >= 0) {
    ::fsync(fd);
    ::close(fd);
  }
}

}  // namespace

std::string journal_file(const std::string& dir) {
  return dir + "/journal.ssj";
}

std::uint64_t journal_cost(std::uint64_t articles, std::uint64_t batches) {
  return articles + kJournalBatchCost * batches;
}

std::uint64_t journal_limit(std::uint64_t articles) {
  return std::max<std::uint64_t>(4096, articles / 256);
}

std::vector<JournalBatch> parse_journal(std::string_view bytes, std::uint64_t base, JournalInfo& info) {
  std::vector<JournalBatch> out;
  scan(bytes, base, info, &out);
  return out;
}

void append_journal(const std::string& dir, std::span<const JournalBatch> batches) {
  if (batches.empty()) return;
  const std::string index_path = index_file(dir), path = journal_file(dir);
  std::string head;
  {
    const int fd = ::open(index_path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) throw std::runtime_error(index_path + ": cannot open: " + std::strerror(errno));
    head.resize(detail::kIdentityBytes);
    const auto got = ::pread(fd, head.data(), head.size(), 0);
    ::close(fd);
    if (got != static_cast<ssize_t>(head.size())) throw std::runtime_error(index_path + ": index truncated");
  }
  const std::uint64_t base = detail::file_identity(head);
  const std::string rec = record(batches);
  JournalInfo info;
  if (const JournalFile j(path, true); j.exists()) scan_file(path, j, base, info, nullptr);
  if (info.bytes == 0) {
    // No journal, or a stale one: a new journal, written whole and renamed into place.
    AtomicOutput out(path);
    out.write(header(base));
    out.write(rec);
    out.commit();
    return;
  }
  // Appended after the last complete record (cutting off what a crash left after it).
  const int fd = ::open(path.c_str(), O_WRONLY | O_CLOEXEC);
  if (fd < 0) throw std::runtime_error(path + ": cannot write: " + std::strerror(errno));
  auto fail = [&](const char* what) {
    const int e = errno;
    ::close(fd);
    throw std::runtime_error(path + ": " + what + ": " + std::strerror(e));
  };
  if (info.torn_bytes > 0 && ::ftruncate(fd, static_cast<off_t>(info.bytes)) != 0) fail("cannot truncate");
  for (std::size_t done = 0; done < rec.size();) {
    const auto n = ::pwrite(fd, rec.data() + done, rec.size() - done, static_cast<off_t>(info.bytes + done));
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) fail("write error");
    done += static_cast<std::size_t>(n);
  }
  if (::fsync(fd) != 0) fail("cannot sync");
  ::close(fd);
}

WriteLock::WriteLock(const std::string& dir) {
  fd_ = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd_ < 0) throw std::runtime_error(dir + ": no such index directory");
  if (::flock(fd_, LOCK_EX | LOCK_NB) != 0) {
    const int e = errno;
    ::close(fd_);
    if (e == EWOULDBLOCK)
      throw std::runtime_error(dir +
                               ": another process is writing this index (index add or expire); try again when it ends");
    throw std::runtime_error(dir + ": cannot lock: " + std::strerror(e));
  }
}

WriteLock::~WriteLock() {
  ::close(fd_);  // releases the lock
}

namespace detail {

std::uint64_t file_identity(std::string_view index_bytes) {
  return index_bytes.size() < kIdentityBytes ? 0 : XXH3_64bits(index_bytes.data(), kIdentityBytes);
}

void replay_journal(const std::string& dir, std::uint64_t base, Index& index, JournalInfo& info) {
  info = {};
  const std::string path = journal_file(dir);
  const JournalFile j(path, false);
  if (!j.exists()) return;
  std::vector<JournalBatch> batches;
  scan_file(path, j, base, info, &batches);
  for (std::size_t b = 0; b < batches.size(); ++b) {
    try {
      index.add(std::move(batches[b].articles), batches[b].now);
    } catch (const std::exception& e) {
      throw std::runtime_error(path + ": batch " + std::to_string(b + 1) + " cannot be replayed: " + e.what());
    }
  }
}

void remove_journal(const std::string& dir) {
  const std::string path = journal_file(dir);
  if (::unlink(path.c_str()) != 0) {
    if (errno == ENOENT) return;
    throw std::runtime_error(path + ": cannot remove the journal after saving: " + std::strerror(errno));
  }
  sync_dir(dir);
}

}  // namespace detail

}  // namespace samestory::index
