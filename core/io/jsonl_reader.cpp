#include <poll.h>
#include <simdjson.h>
#include <tbb/enumerable_thread_specific.h>
#include <tbb/parallel_for.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <map>
#include <string_view>

#include "io/detail/readers.hpp"
#include "io/writer.hpp"

namespace samestory::detail {
namespace {

namespace od = simdjson::ondemand;

const char* type_name(od::json_type t) {
  switch (t) {
    case od::json_type::array:
      return "an array";
    case od::json_type::object:
      return "an object";
    case od::json_type::number:
      return "a number";
    case od::json_type::string:
      return "a string";
    case od::json_type::boolean:
      return "a boolean";
    case od::json_type::null:
      return "null";
  }
  return "unknown";
}

std::string field_error(std::string_view field, std::string_view what) {
  std::string s = "field \"";
  s.append(field).append("\" ").append(what);
  return s;
}

/// Containers (objects and arrays) may nest this deep, the record itself counting as 1: as
/// simdjson's DOM parser, and a bound on the recursion of validate_value().
constexpr std::size_t kMaxDepth = 1024;

/// Earliest and latest `published` accepted: 0000-01-01T00:00:00Z and 9999-12-31T23:59:59Z,
/// the range of a four-digit ISO 8601 year.
constexpr std::int64_t kMinTime = -62167219200, kMaxTime = 253402300799;

std::string invalid_json(simdjson::error_code e) {
  return std::string("invalid JSON: ") + simdjson::error_message(e);
}

/// True when `tok` (a raw token, maybe followed by white space) follows the JSON number grammar.
/// simdjson's On Demand API checks a number only when it is parsed, and parsing to a double
/// refuses valid numbers out of its range (1e400), so ids and unknown fields are checked here.
bool is_json_number(std::string_view tok) {
  while (!tok.empty() && (tok.back() == ' ' || tok.back() == '\t' || tok.back() == '\r' || tok.back() == '\n'))
    tok.remove_suffix(1);
  std::size_t i = 0;
  const std::size_t n = tok.size();
  auto digits = [&] {
    const std::size_t from = i;
    while (i < n && tok[i] >= '0' && tok[i] <= '9') ++i;
    return i > from;
  };
  if (i < n && tok[i] == '-') ++i;
  if (i < n && tok[i] == '0') {
    ++i;
  } else if (!digits()) {
    return false;
  }
  if (i < n && tok[i] == '.' && (++i, !digits())) return false;
  if (i < n && (tok[i] == 'e' || tok[i] == 'E')) {
    ++i;
    if (i < n && (tok[i] == '+' || tok[i] == '-')) ++i;
    if (!digits()) return false;
  }
  return i == n;
}

/// Checks a `null` literal (the type test only looks at its first letter).
simdjson::error_code check_null(od::value v) {
  bool is_null = false;
  return v.is_null().get(is_null) == simdjson::SUCCESS && is_null ? simdjson::SUCCESS : simdjson::N_ATOM_ERROR;
}

/// Consumes a value whole, so that it is validated: On Demand only checks what is read, and a
/// skipped value may hold "tru", "01", a bad escape or a missing ':'. `depth` is the nesting
/// depth of the container holding `v`.
simdjson::error_code validate_value(od::value v, std::size_t depth) {
  od::json_type t;
  if (auto e = v.type().get(t)) return e;
  switch (t) {
    case od::json_type::object: {
      if (depth + 1 > kMaxDepth) return simdjson::DEPTH_ERROR;
      od::object obj;
      if (auto e = v.get_object().get(obj)) return e;
      for (auto field : obj) {
        std::string_view key;
        if (auto e = field.unescaped_key().get(key)) return e;
        od::value x;
        if (auto e = field.value().get(x)) return e;
        if (auto e = validate_value(x, depth + 1)) return e;
      }
      return simdjson::SUCCESS;
    }
    case od::json_type::array: {
      if (depth + 1 > kMaxDepth) return simdjson::DEPTH_ERROR;
      od::array arr;
      if (auto e = v.get_array().get(arr)) return e;
      for (auto element : arr) {
        od::value x;
        if (auto e = element.get(x)) return e;
        if (auto e = validate_value(x, depth + 1)) return e;
      }
      return simdjson::SUCCESS;
    }
    case od::json_type::string: {
      std::string_view s;
      return v.get_string().get(s);
    }
    case od::json_type::number:
      return is_json_number(v.raw_json_token()) ? simdjson::SUCCESS : simdjson::NUMBER_ERROR;
    case od::json_type::boolean: {
      bool b;
      if (v.get_bool().get(b) == simdjson::SUCCESS) return simdjson::SUCCESS;
      return v.raw_json_token().substr(0, 1) == "t" ? simdjson::T_ATOM_ERROR : simdjson::F_ATOM_ERROR;
    }
    case od::json_type::null:
      return check_null(v);
  }
  return simdjson::INCORRECT_TYPE;
}

/// The reason for a validation error of validate_value().
std::string validation_error(simdjson::error_code e) {
  if (e == simdjson::DEPTH_ERROR) return "record is nested deeper than " + std::to_string(kMaxDepth) + " levels";
  return invalid_json(e);
}

/// `s` as a JSON string literal cut to at most `max` bytes: for quoting input in a reason.
std::string quote_input(std::string_view s, std::size_t max = 64) {
  std::string out;
  append_json_string(out, s.substr(0, max));
  return out;
}

/// Reads one string-or-null field. Returns an error reason, or "" on success.
std::string read_string(od::value v, std::string_view name, std::string& out) {
  od::json_type t;
  if (auto e = v.type().get(t)) return invalid_json(e);
  if (t == od::json_type::null) {
    if (auto e = check_null(v)) return invalid_json(e);
    return {};
  }
  if (t != od::json_type::string) return field_error(name, std::string("is ") + type_name(t) + ", expected string");
  std::string_view s;
  if (v.get_string().get(s)) return field_error(name, "is not a valid string");
  out.assign(s);
  return {};
}

struct Parsed {
  bool ok = false;
  bool blank = false;
  std::string reason;
};

Parsed parse_line(od::parser& parser, const char* data, std::size_t len, std::size_t capacity, const FieldMap& f,
                  Article& a) {
  Parsed r;
  auto fail = [&](std::string reason) {
    r.reason = std::move(reason);
    return r;
  };
  std::size_t b = 0;
  while (b < len && (data[b] == ' ' || data[b] == '\t' || data[b] == '\r')) ++b;
  if (b == len) {
    r.blank = true;
    return r;
  }
  // A raw NUL is never JSON (inside a string it must be escaped): binary data, or the zeros a
  // crash leaves at the end of a file. simdjson would call it "improper structure".
  if (const void* nul = std::memchr(data, '\0', len))
    return fail("NUL byte at column " + std::to_string(static_cast<const char*>(nul) - data + 1));
  od::document doc;
  if (auto e = parser.iterate(data, len, capacity).get(doc)) {
    if (e == simdjson::UTF8_ERROR) {
      const std::size_t at = first_invalid_utf8(std::string_view(data, len));
      if (at != std::string_view::npos) return fail("invalid UTF-8 at column " + std::to_string(at + 1));
    }
    return fail(invalid_json(e));
  }
  od::object obj;
  od::json_type top;
  if (auto e = doc.type().get(top)) return fail(invalid_json(e));
  if (top != od::json_type::object)
    return fail(std::string("record is ") + type_name(top) + ", expected a JSON object");
  if (auto e = doc.get_object().get(obj)) return fail(invalid_json(e));
  bool have_id = false, have_text = false;
  std::string published;
  bool have_published_number = false;
  double published_number = 0;
  // Known fields seen, to refuse a second one: which of two "id"s is meant is anyone's guess.
  enum : unsigned { kId = 1, kText = 2, kTitle = 4, kSource = 8, kUrl = 16, kLang = 32, kTime = 64 };
  const std::pair<const std::string*, unsigned> known[] = {{&f.id, kId},         {&f.text, kText}, {&f.title, kTitle},
                                                           {&f.source, kSource}, {&f.url, kUrl},   {&f.lang, kLang},
                                                           {&f.time, kTime}};
  unsigned seen = 0;
  auto first_time = [&](unsigned bit) {
    const bool fresh = !(seen & bit);
    seen |= bit;
    return fresh;
  };
  for (auto field : obj) {
    std::string_view key;
    if (auto e = field.unescaped_key().get(key)) return fail(invalid_json(e));
    od::value v;
    if (auto e = field.value().get(v)) return fail(invalid_json(e));
    std::string err;
    unsigned bit = 0;
    for (const auto& [name, flag] : known) {
      if (key == *name) {
        bit = flag;
        break;
      }
    }
    if (bit && !first_time(bit)) return fail(field_error(key, "appears twice"));
    if (bit == kId) {
      od::json_type t;
      if (auto e = v.type().get(t)) return fail(invalid_json(e));
      if (t == od::json_type::string) {
        std::string_view s;
        if (v.get_string().get(s)) return fail(field_error(f.id, "is not a valid string"));
        a.id.assign(s);
      } else if (t == od::json_type::number) {
        std::string_view tok = v.raw_json_token();
        while (!tok.empty() && (tok.back() == ' ' || tok.back() == '\t' || tok.back() == '\r' || tok.back() == '\n'))
          tok.remove_suffix(1);
        if (!is_json_number(tok)) return fail(invalid_json(simdjson::NUMBER_ERROR));
        a.id.assign(tok);  // kept as written: 12, 12.0 and 1.2e1 are three ids
      } else {
        return fail(field_error(f.id, std::string("is ") + type_name(t) + ", expected string or number"));
      }
      if (a.id.empty()) return fail(field_error(f.id, "is empty"));
      have_id = true;
    } else if (bit == kText) {
      od::json_type t;
      if (auto e = v.type().get(t)) return fail(invalid_json(e));
      err = read_string(v, f.text, a.text);
      have_text = err.empty() && t != od::json_type::null;  // null counts as absent
    } else if (bit == kTitle) {
      err = read_string(v, f.title, a.title);
    } else if (bit == kSource) {
      err = read_string(v, f.source, a.source);
    } else if (bit == kUrl) {
      err = read_string(v, f.url, a.url);
    } else if (bit == kLang) {
      err = read_string(v, f.lang, a.lang);
    } else if (bit == kTime) {
      od::json_type t;
      if (auto e = v.type().get(t)) return fail(invalid_json(e));
      if (t == od::json_type::number) {
        std::string_view tok = v.raw_json_token();
        if (!is_json_number(tok)) return fail(invalid_json(simdjson::NUMBER_ERROR));
        // Seconds outside years 0000-9999 (1e400 is a valid JSON number that no double holds)
        // are refused: casting them to int64 would be undefined, and differences overflow.
        if (v.get_double().get(published_number) || !(published_number >= static_cast<double>(kMinTime)) ||
            !(published_number <= static_cast<double>(kMaxTime)))
          return fail(field_error(f.time, "is out of range (years 0000 to 9999)"));
        have_published_number = true;
      } else {
        err = read_string(v, f.time, published);
      }
    } else if (auto e = validate_value(v, 1)) {
      // Unknown fields are not used, but must be valid JSON: `dedup --emit unique` writes them.
      return fail(validation_error(e));
    }
    if (!err.empty()) return fail(std::move(err));
  }
  const char* trailing = nullptr;
  if (doc.current_location().get(trailing) == simdjson::SUCCESS)
    return fail("invalid JSON: trailing content after the record");
  if (!have_id) return fail("missing field \"" + f.id + "\"");
  if (!have_text) return fail("missing field \"" + f.text + "\"");
  if (have_published_number) {
    a.published = static_cast<std::int64_t>(published_number);  // Unix seconds
  } else if (!published.empty()) {
    a.published = parse_timestamp(published);
    if (!a.published) return fail(field_error(f.time, "is not an ISO 8601 date or time: " + quote_input(published)));
  }
  r.ok = true;
  return r;
}

class JsonlReader final : public ArticleReader {
 public:
  JsonlReader(const std::string& path, const ReadOptions& opt) : opt_(opt) {
    if (path == "-") {
      file_ = stdin;
      name_ = "<stdin>";
    } else {
      if (std::filesystem::is_directory(path)) throw std::runtime_error(path + ": is a directory");
      file_ = std::fopen(path.c_str(), "rb");
      if (!file_) throw std::runtime_error(path + ": cannot open: " + std::strerror(errno));
      owned_ = true;
      name_ = path;
    }
  }
  ~JsonlReader() override {
    if (owned_) std::fclose(file_);
  }

  std::uint64_t bytes_read() const override { return bytes_; }
  const std::string& name() const override { return name_; }

  bool next_batch(std::vector<Article>& out, std::vector<Reject>& rejects) override {
    struct Line {
      std::size_t begin, len;
      std::uint64_t number;
      bool oversized;
      std::uint64_t offset;  // in the input
    };
    std::vector<Line> lines;
    // Fill buf_ with whole lines up to about batch_bytes.
    batch_.clear();
    while (batch_.size() < opt_.batch_bytes && next_line(lines)) {
      // Follow mode: the input paused (no whole line buffered, nothing ready): answer what came.
      if (opt_.follow && (pos_ == end_ || !std::memchr(chunk_.data() + pos_, '\n', end_ - pos_)) && !ready()) break;
    }
    if (lines.empty()) return false;
    batch_.resize(batch_.size() + simdjson::SIMDJSON_PADDING, '\0');
    const std::size_t first = out.size();
    out.resize(first + lines.size());
    std::vector<Parsed> parsed(lines.size());
    tbb::parallel_for(tbb::blocked_range<std::size_t>(0, lines.size(), 64), [&](const auto& range) {
      auto& parser = parsers_.local();
      for (std::size_t i = range.begin(); i < range.end(); ++i) {
        const Line& l = lines[i];
        Article& a = out[first + i];
        a.line = l.number;
        a.offset = l.offset;
        a.length = l.len;
        if (l.oversized) {
          parsed[i].reason =
              "record is over --max-article-bytes (" + std::to_string(opt_.max_article_bytes) + " bytes)";
          continue;
        }
        const char* p = line_data(l.begin);
        parsed[i] = parse_line(parser, p, l.len, capacity_from(l.begin), opt_.fields, a);
        if (parsed[i].ok && opt_.keep_raw) a.raw.assign(p, l.len);
      }
    });
    // Compact in input order; rejects are raised or recorded in line order.
    std::size_t w = first;
    for (std::size_t i = 0; i < lines.size(); ++i) {
      if (parsed[i].ok) {
        if (w != first + i) out[w] = std::move(out[first + i]);
        ++w;
      } else if (!parsed[i].blank) {
        Reject r{name_, lines[i].number, parsed[i].reason,
                 std::string(line_data(lines[i].begin),
                             std::min<std::size_t>(lines[i].len, lines[i].oversized ? 0 : lines[i].len))};
        if (lines[i].oversized) r.raw = oversized_prefix_[lines[i].number];
        if (opt_.on_error == OnError::fail) throw InputError(r);
        rejects.push_back(std::move(r));
      }
    }
    out.resize(w);
    oversized_prefix_.clear();
    return true;
  }

 private:
  const char* line_data(std::size_t begin) const { return batch_.data() + begin; }
  std::size_t capacity_from(std::size_t begin) const { return batch_.size() - begin; }

  /// Refills `chunk_` from the file; returns false at end of file.
  bool refill() {
    if (eof_) return false;
    if (pos_ > 0) {
      chunk_base_ += pos_;
      chunk_.erase(chunk_.begin(), chunk_.begin() + static_cast<std::ptrdiff_t>(pos_));
      end_ -= pos_;
      pos_ = 0;
    }
    // Reads grow from 64 KiB to 1 MiB: a small input costs no 1 MiB buffer (the fuzzer reads
    // thousands of them a second).
    const std::size_t want = read_size_;
    read_size_ = std::min<std::size_t>(read_size_ * 2, std::size_t{1} << 20);
    chunk_.resize(end_ + want);
    std::size_t n = 0;
    if (opt_.follow) {
      // What is there now (a blocking read returns as soon as anything is), not a full buffer.
      ssize_t got;
      do got = ::read(::fileno(file_), chunk_.data() + end_, want);
      while (got < 0 && errno == EINTR);
      if (got < 0) throw std::runtime_error(name_ + ": read error: " + std::strerror(errno));
      n = static_cast<std::size_t>(got);
      eof_ = n == 0;
    } else {
      n = std::fread(chunk_.data() + end_, 1, want, file_);
      if (n == 0) {
        if (std::ferror(file_)) throw std::runtime_error(name_ + ": read error: " + std::strerror(errno));
        eof_ = true;
      }
    }
    end_ += n;
    bytes_ += n;
    return n > 0;
  }

  /// Follow mode: true when more input can be read without waiting (or the input has ended).
  bool ready() const {
    if (eof_) return false;
    pollfd p{::fileno(file_), POLLIN, 0};
    return ::poll(&p, 1, 0) > 0;
  }

  /// Finds the next line and appends it to the batch; returns false at end of input. A line
  /// longer than max_article_bytes is consumed without being buffered and marked oversized.
  template <class L>
  bool next_line(std::vector<L>& lines) {
    std::size_t scanned = 0;  // bytes after pos_ known to hold no newline
    bool oversized = false;
    for (;;) {
      const std::size_t from = pos_ + scanned;
      const void* nl = from < end_ ? std::memchr(chunk_.data() + from, '\n', end_ - from) : nullptr;
      if (nl) {
        const std::size_t stop = static_cast<std::size_t>(static_cast<const char*>(nl) - chunk_.data());
        take_line(lines, stop, oversized);
        pos_ = stop + 1;
        return true;
      }
      scanned = end_ - pos_;
      if (!oversized && scanned > opt_.max_article_bytes) {
        // Keep a prefix for the rejects file and stop buffering the rest of this line.
        oversized = true;
        oversized_prefix_[line_no_ + 1].assign(chunk_.data() + pos_, std::min<std::size_t>(scanned, 4096));
      }
      if (oversized) {
        pos_ = end_;
        scanned = 0;
      }
      if (!refill()) {
        if (pos_ == end_ && !oversized) return false;
        take_line(lines, end_, oversized);
        pos_ = end_;
        return true;
      }
    }
  }

  template <class L>
  void take_line(std::vector<L>& lines, std::size_t stop, bool oversized) {
    ++line_no_;
    std::size_t b = pos_, e = oversized ? pos_ : stop;
    // A UTF-8 BOM: on the first line, or on any line of files concatenated with `cat`.
    if (e - b >= 3 && std::memcmp(chunk_.data() + b, "\xEF\xBB\xBF", 3) == 0) b += 3;
    if (e > b && chunk_[e - 1] == '\r') --e;
    if (!oversized && e - b > opt_.max_article_bytes) {
      // A long line found whole in the read buffer (next_line only catches lines that outgrow it).
      oversized = true;
      oversized_prefix_[line_no_].assign(chunk_.data() + b, std::min<std::size_t>(e - b, 4096));
      e = b;
    }
    const std::size_t at = batch_.size();
    // Lines are copied into batch_ back to back with a newline between them; simdjson reads
    // at most the line's length, and the padding added after the batch keeps every line's
    // capacity valid.
    batch_.insert(batch_.end(), chunk_.data() + b, chunk_.data() + e);
    batch_.push_back('\n');
    lines.push_back({at, e - b, line_no_, oversized, chunk_base_ + b});
  }

  ReadOptions opt_;
  std::FILE* file_ = nullptr;
  bool owned_ = false;
  bool eof_ = false;
  std::string name_;
  std::vector<char> chunk_;
  std::size_t pos_ = 0, end_ = 0;
  std::uint64_t chunk_base_ = 0;  // input offset of chunk_[0]
  std::size_t read_size_ = std::size_t{64} << 10;
  std::vector<char> batch_;
  std::uint64_t line_no_ = 0, bytes_ = 0;
  std::map<std::uint64_t, std::string> oversized_prefix_;
  tbb::enumerable_thread_specific<od::parser> parsers_;
};

}  // namespace

std::unique_ptr<ArticleReader> make_jsonl_reader(const std::string& path, const ReadOptions& options) {
  return std::make_unique<JsonlReader>(path, options);
}

}  // namespace samestory::detail
