#include <algorithm>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "io/detail/readers.hpp"
#include "io/writer.hpp"

namespace samestory::detail {
namespace fs = std::filesystem;

bool is_valid_utf8(std::string_view s) {
  return first_invalid_utf8(s) == std::string_view::npos;
}

std::size_t first_invalid_utf8(std::string_view s) {
  std::size_t i = 0;
  const auto* p = reinterpret_cast<const unsigned char*>(s.data());
  while (i < s.size()) {
    const unsigned char c = p[i];
    if (c < 0x80) {
      ++i;
      continue;
    }
    std::size_t n;
    std::uint32_t cp;
    if ((c & 0xE0) == 0xC0)
      n = 1, cp = c & 0x1F;
    else if ((c & 0xF0) == 0xE0)
      n = 2, cp = c & 0x0F;
    else if ((c & 0xF8) == 0xF0)
      n = 3, cp = c & 0x07;
    else
      return i;
    for (std::size_t k = 1; k <= n; ++k) {
      if (i + k >= s.size() || (p[i + k] & 0xC0) != 0x80) return i;
      cp = (cp << 6) | (p[i + k] & 0x3F);
    }
    if ((n == 1 && cp < 0x80) || (n == 2 && cp < 0x800) || (n == 3 && cp < 0x10000) || cp > 0x10FFFF ||
        (cp >= 0xD800 && cp <= 0xDFFF))
      return i;
    i += n + 1;
  }
  return std::string_view::npos;
}

std::string cp1252_to_utf8(std::string_view bytes) {
  // 0x80-0x9F in Windows-1252; undefined slots map to U+FFFD.
  static constexpr char16_t kHigh[32] = {0x20AC, 0xFFFD, 0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021,
                                         0x02C6, 0x2030, 0x0160, 0x2039, 0x0152, 0xFFFD, 0x017D, 0xFFFD,
                                         0xFFFD, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022, 0x2013, 0x2014,
                                         0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0xFFFD, 0x017E, 0x0178};
  std::string out;
  out.reserve(bytes.size() + bytes.size() / 8);
  for (unsigned char c : bytes) {
    std::uint32_t cp = c;
    if (c >= 0x80 && c < 0xA0) cp = kHigh[c - 0x80];
    if (cp < 0x80) {
      out.push_back(static_cast<char>(cp));
    } else if (cp < 0x800) {
      out.push_back(static_cast<char>(0xC0 | (cp >> 6)));
      out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
    } else {
      out.push_back(static_cast<char>(0xE0 | (cp >> 12)));
      out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
      out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
    }
  }
  return out;
}

namespace {

class TxtFolderReader final : public ArticleReader {
 public:
  TxtFolderReader(const std::string& dir, const ReadOptions& opt) : opt_(opt), name_(dir) {
    std::error_code ec;
    for (const auto& e : fs::directory_iterator(dir, ec)) {
      if (e.path().extension() == ".txt" && e.is_regular_file()) files_.push_back(e.path());
    }
    if (ec) throw std::runtime_error(dir + ": cannot list: " + ec.message());
    std::sort(files_.begin(), files_.end());
  }

  std::uint64_t bytes_read() const override { return bytes_; }
  const std::string& name() const override { return name_; }

  bool next_batch(std::vector<Article>& out, std::vector<Reject>& rejects) override {
    if (next_ >= files_.size()) return false;
    std::size_t batch = 0;
    while (next_ < files_.size() && batch < opt_.batch_bytes) {
      const fs::path& path = files_[next_++];
      const std::uint64_t number = next_;
      std::string reason;
      Article a;
      a.line = number;
      read_one(path, a, reason);
      batch += a.text.size() + 1;
      if (reason.empty()) {
        out.push_back(std::move(a));
        continue;
      }
      Reject r{name_, number, reason, path.filename().string()};
      if (opt_.on_error == OnError::fail) throw InputError(r);
      rejects.push_back(std::move(r));
    }
    return true;
  }

 private:
  void read_one(const fs::path& path, Article& a, std::string& reason) {
    std::error_code ec;
    const auto size = fs::file_size(path, ec);
    if (ec) {
      reason = "cannot read " + path.filename().string() + ": " + ec.message();
      return;
    }
    if (size > opt_.max_article_bytes) {
      reason = path.filename().string() + " is over --max-article-bytes (" + std::to_string(opt_.max_article_bytes) +
               " bytes)";
      return;
    }
    std::ifstream in(path, std::ios::binary);
    std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    if (!in.good() && !in.eof()) {
      reason = "cannot read " + path.filename().string();
      return;
    }
    bytes_ += bytes.size();
    if (bytes.find('\0') != std::string::npos) {
      reason = path.filename().string() + " is a binary file (NUL byte)";
      return;
    }
    if (bytes.size() >= 3 && std::memcmp(bytes.data(), "\xEF\xBB\xBF", 3) == 0) bytes.erase(0, 3);
    if (!is_valid_utf8(bytes)) bytes = cp1252_to_utf8(bytes);
    bytes.erase(std::remove(bytes.begin(), bytes.end(), '\r'), bytes.end());
    a.id = path.stem().string();
    std::size_t pos = 0;
    while (pos < bytes.size()) {  // title = first non-empty line
      std::size_t nl = bytes.find('\n', pos);
      if (nl == std::string::npos) nl = bytes.size();
      std::string_view line(bytes.data() + pos, nl - pos);
      pos = nl + 1;
      if (line.find_first_not_of(" \t") != std::string_view::npos) {
        a.title.assign(line);
        break;
      }
    }
    if (pos < bytes.size()) a.text.assign(bytes, pos, std::string::npos);
    if (opt_.keep_raw) a.raw = article_to_json(a);
  }

  ReadOptions opt_;
  std::string name_;
  std::vector<fs::path> files_;
  std::size_t next_ = 0;
  std::uint64_t bytes_ = 0;
};

}  // namespace

std::unique_ptr<ArticleReader> make_txt_folder_reader(const std::string& path, const ReadOptions& options) {
  return std::make_unique<TxtFolderReader>(path, options);
}

}  // namespace samestory::detail

namespace samestory {
std::unique_ptr<ArticleReader> open_reader(const std::string& path, const ReadOptions& options) {
  if (path != "-" && std::filesystem::is_directory(path)) return detail::make_txt_folder_reader(path, options);
  return detail::make_jsonl_reader(path, options);
}
}  // namespace samestory
