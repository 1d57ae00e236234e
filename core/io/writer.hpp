#pragma once
// Output helpers: JSON/CSV escaping, score formatting and crash-safe output files.

#include <cstdint>
#include <cstdio>
#include <optional>
#include <string>
#include <string_view>

#include "io/article.hpp"

namespace samestory {

/// Appends `s` as a JSON string literal (with quotes) to `out`. Invalid UTF-8 bytes are
/// replaced by U+FFFD so the output is always valid JSON.
void append_json_string(std::string& out, std::string_view s);

/// Appends `s` as one CSV field (RFC 4180: quoted when it holds a comma, quote or newline).
void append_csv_field(std::string& out, std::string_view s);

/// Appends a score in [0, 1] rounded to 4 decimals in its shortest form ("0.93", "1", "0").
void append_score(std::string& out, double score);

/// A JSON object with the article's fields (used to re-emit records read from .txt folders).
std::string article_to_json(const Article& a);

/// A regular input file whose records are copied to an output after the run (`dedup --emit
/// unique` writes the canonical records verbatim without holding every record in memory).
/// Its identity (device, inode, size, modification time) is taken when it is opened, before it
/// is read; copy() checks it once more on first use, so records are never copied from a file
/// that changed in between.
class SourceFile {
 public:
  /// nullopt when `path` is not a regular file (stdin "-", a folder, a pipe or device).
  static std::optional<SourceFile> open(const std::string& path);
  SourceFile(SourceFile&&) noexcept;
  SourceFile& operator=(SourceFile&&) noexcept;
  ~SourceFile();

  /// Appends bytes [offset, offset + length) of the file to `out`. Throws std::runtime_error
  /// ("PATH: the input changed while samestory ran ...") when the file is not the one opened,
  /// and on read errors.
  void copy(std::uint64_t offset, std::uint64_t length, std::string& out);
  const std::string& path() const noexcept { return path_; }

 private:
  struct Identity {
    std::uint64_t device = 0, inode = 0, size = 0;
    std::int64_t mtime_ns = 0;
    bool operator==(const Identity&) const = default;
  };
  SourceFile(std::string path, Identity id) : path_(std::move(path)), id_(id) {}
  static std::optional<Identity> identity(const std::string& path);

  std::string path_;
  Identity id_;
  std::FILE* file_ = nullptr;  ///< opened (and the identity checked) by the first copy()
};

/// An output destination written crash-safely: data goes to a temporary file beside `path`
/// which `commit()` flushes, fsyncs and renames over `path`. Destroying it uncommitted removes
/// the temporary, so a failed run never leaves a partial file in place of the old one.
/// Where the file system allows (Linux O_TMPFILE, with /proc mounted) the temporary has no name
/// until commit(), so even a process killed by SIGKILL leaves nothing behind; elsewhere it is
/// "PATH.tmp-PID", which only a killed process can leave behind.
/// The path "-" (or "", or "/dev/stdout") writes straight to stdout; a descriptor of the process
/// (/dev/stderr, /dev/fd/N, /proc/self/fd/N) is written through that descriptor, and a path that
/// exists but is not a regular file (/dev/null, a FIFO) in place: none of these is replaced.
class AtomicOutput {
 public:
  explicit AtomicOutput(std::string path);
  ~AtomicOutput();
  AtomicOutput(const AtomicOutput&) = delete;
  AtomicOutput& operator=(const AtomicOutput&) = delete;

  /// Writes bytes; throws std::runtime_error on a write error.
  void write(std::string_view bytes);
  /// Pushes what was written so far to stdout or a device written in place (a temporary file
  /// stays unnamed until commit). Throws std::runtime_error on a write error.
  void flush();
  /// Flushes, syncs and renames into place. Throws std::runtime_error on failure.
  void commit();
  const std::string& path() const noexcept { return path_; }

 private:
  std::string path_, tmp_;  ///< tmp_: the temporary's name; empty for stdout or while unnamed
  std::FILE* file_ = nullptr;
  bool to_stdout_ = false;
  bool unnamed_ = false;  ///< an O_TMPFILE temporary, named at commit
  bool direct_ = false;   ///< a device or pipe, written in place
  bool committed_ = false;
};

}  // namespace samestory
