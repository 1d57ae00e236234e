#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <stdexcept>
#include <string_view>
#include <utility>

#include "io/writer.hpp"

namespace samestory {
namespace {

std::string folder_of(const std::string& path) {
  auto dir = std::filesystem::path(path).parent_path();
  return dir.empty() ? std::string(".") : dir.string();
}

/// The descriptor a path names: 2 for /dev/stderr, N for /dev/fd/N and /proc/self/fd/N; else -1.
int descriptor_of(const std::string& path) {
  if (path == "/dev/stderr") return 2;
  for (const char* prefix : {"/dev/fd/", "/proc/self/fd/"}) {
    const std::string_view p(prefix);
    if (path.size() <= p.size() || path.compare(0, p.size(), p) != 0 || path.size() - p.size() > 9) continue;
    int fd = 0;
    for (std::size_t i = p.size(); i < path.size(); ++i) {
      if (path[i] < '0' || path[i] > '9') return -1;
      fd = fd * 10 + (path[i] - '0');
    }
    return fd;
  }
  return -1;
}

}  // namespace

AtomicOutput::AtomicOutput(std::string path) : path_(std::move(path)) {
  if (path_.empty() || path_ == "-" || path_ == "/dev/stdout") {
    file_ = stdout;
    to_stdout_ = true;
    return;
  }
  // Written in place, never renamed over: a descriptor of this process (/dev/stderr, /dev/fd/N,
  // /proc/self/fd/N) and a target that exists and is not a regular file (/dev/null, a FIFO). A
  // rename would replace the device, or the /dev symlink itself, with a file.
  if (const int held = descriptor_of(path_); held >= 0) {
    // Through a duplicate of the descriptor itself, so that its file offset is shared: opening
    // /proc/self/fd/N anew would write over what the process writes to N afterwards.
    const int fd = ::fcntl(held, F_DUPFD_CLOEXEC, 0);
    file_ = fd >= 0 ? ::fdopen(fd, "wb") : nullptr;
    if (!file_) {
      const int e = errno;
      if (fd >= 0) ::close(fd);
      throw std::runtime_error(path_ + ": cannot write: " + std::strerror(e));
    }
    direct_ = true;
    return;
  }
  struct stat st {};
  const bool exists = ::stat(path_.c_str(), &st) == 0;
  if (exists && S_ISDIR(st.st_mode)) throw std::runtime_error(path_ + ": is a directory");
  if (exists && !S_ISREG(st.st_mode)) {
    file_ = std::fopen(path_.c_str(), "wb");
    if (!file_) throw std::runtime_error(path_ + ": cannot write: " + std::strerror(errno));
    direct_ = true;
    return;
  }
  int fd = -1;
#ifdef O_TMPFILE
  // An unnamed file in the target's folder (so the rename at commit stays on one file system).
  // Naming it later goes through /proc/self/fd: without /proc, use a named temporary.
  if (::access("/proc/self/fd", X_OK) == 0) {
    fd = ::open(folder_of(path_).c_str(), O_TMPFILE | O_WRONLY | O_CLOEXEC, 0666);
    unnamed_ = fd >= 0;
  }
#endif
  if (fd < 0) {
    tmp_ = path_ + ".tmp-" + std::to_string(::getpid());
    fd = ::open(tmp_.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0666);
    if (fd < 0) throw std::runtime_error(path_ + ": cannot write: " + std::strerror(errno));
  }
  file_ = ::fdopen(fd, "wb");
  if (!file_) {
    const int e = errno;
    ::close(fd);
    if (!tmp_.empty()) std::remove(tmp_.c_str());
    throw std::runtime_error(path_ + ": cannot write: " + std::strerror(e));
  }
}

AtomicOutput::~AtomicOutput() {
  if (to_stdout_) {
    if (file_) std::fflush(file_);
    return;
  }
  if (direct_) {
    if (file_) std::fclose(file_);
    return;
  }
  if (!committed_) {
    if (file_) std::fclose(file_);  // an unnamed temporary vanishes with its last descriptor
    if (!tmp_.empty()) std::remove(tmp_.c_str());
  }
}

void AtomicOutput::write(std::string_view bytes) {
  if (bytes.empty()) return;
  if (std::fwrite(bytes.data(), 1, bytes.size(), file_) != bytes.size())
    throw std::runtime_error((to_stdout_ ? std::string("<stdout>") : path_) + ": write error: " + std::strerror(errno));
}

void AtomicOutput::flush() {
  if (std::fflush(file_) != 0)
    throw std::runtime_error((to_stdout_ ? std::string("<stdout>") : path_) + ": write error: " + std::strerror(errno));
}

void AtomicOutput::commit() {
  if (committed_) return;
  if (to_stdout_) {
    if (std::fflush(file_) != 0)
      throw std::runtime_error(std::string("<stdout>: write error: ") + std::strerror(errno));
    committed_ = true;
    return;
  }
  if (direct_) {
    const bool closed = std::fclose(file_) == 0;
    file_ = nullptr;
    if (!closed) throw std::runtime_error(path_ + ": write error: " + std::strerror(errno));
    committed_ = true;
    return;
  }
  bool ok = std::fflush(file_) == 0 && ::fsync(::fileno(file_)) == 0;
  int err = errno;
  if (ok && unnamed_) {
    // Give the unnamed file a temporary name (linkat cannot replace), then rename it over path_.
    const std::string fd_path = "/proc/self/fd/" + std::to_string(::fileno(file_));
    tmp_ = path_ + ".tmp-" + std::to_string(::getpid());
    auto link = [&] { return ::linkat(AT_FDCWD, fd_path.c_str(), AT_FDCWD, tmp_.c_str(), AT_SYMLINK_FOLLOW) == 0; };
    ok = link();
    if (!ok && errno == EEXIST) {
      std::remove(tmp_.c_str());  // left by an earlier run with the same pid
      ok = link();
    }
    err = errno;
    if (!ok) tmp_.clear();
  }
  const bool closed = std::fclose(file_) == 0;
  file_ = nullptr;
  if (!ok || !closed) {
    if (!tmp_.empty()) std::remove(tmp_.c_str());
    throw std::runtime_error(path_ + ": write error: " + std::strerror(err));
  }
  if (std::rename(tmp_.c_str(), path_.c_str()) != 0) {
    const int e = errno;
    std::remove(tmp_.c_str());
    throw std::runtime_error(path_ + ": cannot rename into place: " + std::strerror(e));
  }
  committed_ = true;
  // Make the rename durable.
  if (int fd = ::open(folder_of(path_).c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC); fd >= 0) {
    ::fsync(fd);
    ::close(fd);
  }
}

std::optional<SourceFile::Identity> SourceFile::identity(const std::string& path) {
  struct stat st {};
  if (path == "-" || ::stat(path.c_str(), &st) != 0 || !S_ISREG(st.st_mode)) return std::nullopt;
  return Identity{static_cast<std::uint64_t>(st.st_dev), static_cast<std::uint64_t>(st.st_ino),
                  static_cast<std::uint64_t>(st.st_size),
                  static_cast<std::int64_t>(st.st_mtim.tv_sec) * 1000000000 + st.st_mtim.tv_nsec};
}

std::optional<SourceFile> SourceFile::open(const std::string& path) {
  const auto id = identity(path);
  if (!id) return std::nullopt;
  return SourceFile(path, *id);
}

SourceFile::SourceFile(SourceFile&& o) noexcept
    : path_(std::move(o.path_)), id_(o.id_), file_(std::exchange(o.file_, nullptr)) {}

SourceFile& SourceFile::operator=(SourceFile&& o) noexcept {
  if (this != &o) {
    if (file_) std::fclose(file_);
    path_ = std::move(o.path_);
    id_ = o.id_;
    file_ = std::exchange(o.file_, nullptr);
  }
  return *this;
}

SourceFile::~SourceFile() {
  if (file_) std::fclose(file_);
}

void SourceFile::copy(std::uint64_t offset, std::uint64_t length, std::string& out) {
  const auto changed = [&] {
    return std::runtime_error(path_ + ": the input changed while samestory ran: its records cannot be copied");
  };
  if (!file_) {
    if (identity(path_) != id_) throw changed();
    file_ = std::fopen(path_.c_str(), "rb");
    if (!file_) throw std::runtime_error(path_ + ": cannot open: " + std::strerror(errno));
  }
  if (offset > id_.size || length > id_.size - offset) throw changed();
  const std::size_t at = out.size();
  out.resize(at + length);
  if (::fseeko(file_, static_cast<off_t>(offset), SEEK_SET) != 0 ||
      std::fread(out.data() + at, 1, length, file_) != length) {
    out.resize(at);
    throw std::runtime_error(path_ + ": read error while copying records: " + std::strerror(errno));
  }
}

}  // namespace samestory
