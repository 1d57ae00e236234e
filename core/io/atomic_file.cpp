#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <stdexcept>

#include "io/writer.hpp"

namespace samestory {

AtomicOutput::AtomicOutput(std::string path) : path_(std::move(path)) {
  if (path_.empty() || path_ == "-") {
    file_ = stdout;
    return;
  }
  tmp_ = path_ + ".tmp-" + std::to_string(::getpid());
  file_ = std::fopen(tmp_.c_str(), "wb");
  if (!file_) throw std::runtime_error(path_ + ": cannot write: " + std::strerror(errno));
}

AtomicOutput::~AtomicOutput() {
  if (tmp_.empty()) {
    if (file_) std::fflush(file_);
    return;
  }
  if (!committed_) {
    if (file_) std::fclose(file_);
    std::remove(tmp_.c_str());
  }
}

void AtomicOutput::write(std::string_view bytes) {
  if (bytes.empty()) return;
  if (std::fwrite(bytes.data(), 1, bytes.size(), file_) != bytes.size())
    throw std::runtime_error((tmp_.empty() ? std::string("<stdout>") : path_) + ": write error: " + std::strerror(errno));
}

void AtomicOutput::commit() {
  if (committed_) return;
  if (tmp_.empty()) {
    if (std::fflush(file_) != 0) throw std::runtime_error(std::string("<stdout>: write error: ") + std::strerror(errno));
    committed_ = true;
    return;
  }
  const bool ok = std::fflush(file_) == 0 && ::fsync(::fileno(file_)) == 0;
  const int err = errno;
  const bool closed = std::fclose(file_) == 0;
  file_ = nullptr;
  if (!ok || !closed) {
    std::remove(tmp_.c_str());
    throw std::runtime_error(path_ + ": write error: " + std::strerror(err));
  }
  if (std::rename(tmp_.c_str(), path_.c_str()) != 0) {
    const int e = errno;
    std::remove(tmp_.c_str());
    throw std::runtime_error(path_ + ": cannot rename into place: " + std::strerror(e));
  }
  committed_ = true;
  // Make the rename durable.
  auto dir = std::filesystem::path(path_).parent_path();
  if (dir.empty()) dir = ".";
  if (int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY); fd >= 0) {
    ::fsync(fd);
    ::close(fd);
  }
}

}  // namespace samestory
