#pragma once
#include <memory>
#include <string>
#include <string_view>

#include "io/reader.hpp"

namespace samestory::detail {
std::unique_ptr<ArticleReader> make_jsonl_reader(const std::string& path, const ReadOptions& options);
std::unique_ptr<ArticleReader> make_txt_folder_reader(const std::string& path, const ReadOptions& options);
/// Converts Latin-1 / Windows-1252 bytes to UTF-8 (used when a file is not valid UTF-8).
std::string cp1252_to_utf8(std::string_view bytes);
/// True when `bytes` is valid UTF-8.
bool is_valid_utf8(std::string_view bytes);
/// Offset of the first byte that is not part of a valid UTF-8 sequence, or npos.
std::size_t first_invalid_utf8(std::string_view bytes);
}  // namespace samestory::detail
