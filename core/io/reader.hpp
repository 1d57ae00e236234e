#pragma once
// Input readers: JSONL (one article per line, simdjson) and folders of .txt files.

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "io/article.hpp"

namespace samestory {

/// Input field names (`--id-field` ...). Only `id` and `text` are required in a record.
struct FieldMap {
  std::string id = "id";
  std::string text = "text";
  std::string title = "title";
  std::string source = "source";
  std::string url = "url";
  std::string time = "published";
  std::string lang = "lang";
};

/// What to do with a record that cannot be used.
enum class OnError { fail, skip };

struct ReadOptions {
  FieldMap fields;
  OnError on_error = OnError::fail;
  bool keep_raw = false;                                 ///< keep each record verbatim in Article::raw
  std::size_t batch_bytes = std::size_t{8} << 20;        ///< target input bytes per batch
  std::size_t max_article_bytes = std::size_t{8} << 20;  ///< larger records are rejected
  /// JSONL: a batch ends as soon as no more input is ready (a pipe fed over time), instead of
  /// waiting for batch_bytes; next_batch blocks only while it has no line at all.
  bool follow = false;
};

/// A stream of article batches. Records come out in input order.
class ArticleReader {
 public:
  virtual ~ArticleReader() = default;
  /// Appends the next batch to `out` and rejected records to `rejects`; returns false once the
  /// input is exhausted and nothing was appended. Throws InputError under OnError::fail and
  /// std::runtime_error when the input cannot be read at all.
  virtual bool next_batch(std::vector<Article>& out, std::vector<Reject>& rejects) = 0;
  /// Input bytes consumed so far.
  virtual std::uint64_t bytes_read() const = 0;
  /// The input's name in messages: its path, or "<stdin>".
  virtual const std::string& name() const = 0;
};

/// Opens `path`: "-" reads JSONL from stdin, a directory reads its `*.txt` files (sorted by name;
/// id = file name without extension, title = first non-empty line, text = the rest), anything
/// else is read as JSONL. Throws std::runtime_error when the path cannot be opened.
std::unique_ptr<ArticleReader> open_reader(const std::string& path, const ReadOptions& options);

}  // namespace samestory
