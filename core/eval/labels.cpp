#include "eval/labels.hpp"

#include <simdjson.h>

#include "io/article.hpp"

namespace samestory::eval {
namespace {
namespace od = simdjson::ondemand;

/// A string or number field as text; empty if missing or null. Throws a reason otherwise.
bool scalar_text(od::object& obj, const std::string& key, std::string& out, std::string& reason) {
  od::value v;
  auto err = obj.find_field_unordered(key).get(v);
  if (err == simdjson::NO_SUCH_FIELD) return false;
  if (err) {
    reason = std::string("invalid JSON: ") + simdjson::error_message(err);
    return false;
  }
  od::json_type t;
  if (v.type().get(t)) {
    reason = "invalid JSON";
    return false;
  }
  if (t == od::json_type::string) {
    std::string_view s;
    if (v.get_string().get(s)) reason = "field \"" + key + "\" is not a valid string";
    out.assign(s);
    return reason.empty();
  }
  if (t == od::json_type::number) {
    std::string_view tok = v.raw_json_token();
    while (!tok.empty() && (tok.back() == ' ' || tok.back() == '\r' || tok.back() == '\n')) tok.remove_suffix(1);
    out.assign(tok);
    return true;
  }
  if (t == od::json_type::null) return false;
  reason = "field \"" + key + "\" must be a string or number";
  return false;
}
}  // namespace

Labels read_labels(const std::string& path, const std::string& label_field) {
  simdjson::padded_string json;
  if (auto e = simdjson::padded_string::load(path).get(json))
    throw std::runtime_error(path + ": cannot read: " + simdjson::error_message(e));
  Labels labels;
  od::parser parser;
  std::string_view all(json.data(), json.size());
  std::uint64_t line_no = 0;
  std::size_t pos = 0;
  while (pos < all.size()) {
    std::size_t nl = all.find('\n', pos);
    if (nl == std::string_view::npos) nl = all.size();
    ++line_no;
    std::string_view line = all.substr(pos, nl - pos);
    const std::size_t begin = pos;
    pos = nl + 1;
    if (line.find_first_not_of(" \t\r") == std::string_view::npos) continue;
    auto fail = [&](const std::string& reason) { throw InputError(Reject{path, line_no, reason, std::string(line)}); };
    od::document doc;
    if (auto e = parser.iterate(json.data() + begin, line.size(), json.size() + simdjson::SIMDJSON_PADDING - begin).get(doc))
      fail(std::string("invalid JSON: ") + simdjson::error_message(e));
    od::object obj;
    if (doc.get_object().get(obj)) fail("record is not a JSON object");
    std::string id, label, reason;
    if (!scalar_text(obj, "id", id, reason)) fail(reason.empty() ? "missing field \"id\"" : reason);
    if (!scalar_text(obj, label_field, label, reason)) {
      if (!reason.empty()) fail(reason);
      continue;
    }
    labels.emplace_back(std::move(id), std::move(label));
  }
  return labels;
}

}  // namespace samestory::eval
