#pragma once
// Article: one input record, and the errors the readers raise about records.

#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>

namespace samestory {

/// One news article as read from the input. Only `id` and `text` are required.
struct Article {
  std::string id;      ///< record id (numbers are kept as their decimal text)
  std::string text;    ///< body text
  std::string title;   ///< headline, may be empty
  std::string source;  ///< outlet, may be empty
  std::string url;
  std::string lang;
  std::optional<std::int64_t> published;  ///< seconds since 1970-01-01T00:00:00Z
  std::uint64_t line = 0;                 ///< 1-based line (JSONL) or file number (folder) it came from
  std::string raw;                        ///< the verbatim record, kept only when the reader is asked to
  /// Where the verbatim record lies in a JSONL input (bytes [offset, offset + length), without
  /// a BOM or the line end): what Article::raw would hold, to be read back from the file.
  std::uint64_t offset = 0, length = 0;
};

/// Parses an ISO 8601 / RFC 3339 timestamp ("2026-03-04", "2026-03-04T09:15:00Z",
/// "2026-03-04 09:15:00+02:00", fractional seconds allowed) to seconds since the epoch (UTC).
/// Returns nullopt when the text is not such a timestamp.
std::optional<std::int64_t> parse_timestamp(std::string_view text);

/// Formats seconds since the epoch as "YYYY-MM-DD".
std::string format_date(std::int64_t seconds);

/// A record that cannot be used, with where it came from. Thrown under `--on-error fail`,
/// collected under `--on-error skip`.
struct Reject {
  /// The reason is kept on one line: control characters in it (say, of an id quoted in it)
  /// are written as escapes ("\n", "\t", "\x01"), so that a rejects file keeps one reject a line.
  Reject(std::string file_, std::uint64_t line_, std::string reason_, std::string raw_ = {});

  std::string file;    ///< input path, or "<stdin>"
  std::uint64_t line;  ///< 1-based line (JSONL) or file number in the folder listing
  std::string reason;  ///< e.g. `field "id" is an object, expected string or number`
  std::string raw;     ///< the verbatim record (line or file name)
};

/// An input or data error: "file:line: reason". Tools map it to exit code 1.
class InputError : public std::runtime_error {
 public:
  explicit InputError(const Reject& r)
      : std::runtime_error(r.file + ":" + std::to_string(r.line) + ": " + r.reason), reject_(r) {}
  const Reject& reject() const noexcept { return reject_; }

 private:
  Reject reject_;
};

}  // namespace samestory
