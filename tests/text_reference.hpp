#pragma once
// A plain reference for text::analyze: the analysis as it was written before its fast paths
// (every line through normalize_line, tokenize, append_casefold and token_hash; entities found
// word by word), built on the public text API only. analyze must give exactly this.

#include <xxhash.h>

#include <algorithm>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "text/normalize.hpp"
#include "text/tokenize.hpp"

namespace samestory::test {

inline text::AnalyzedText reference_analyze(std::string_view title, std::string_view body,
                                            const text::TextOptions& options = {}) {
  constexpr std::uint64_t kLineSeed = 0x6c696e6573656564ULL;    // "lineseed"
  constexpr std::uint64_t kEntitySeed = 0x656e746974696573ULL;  // "entities"
  struct Word {
    std::string folded;
    std::uint64_t hash;
    bool cap, start, digit;
  };
  using Line = std::vector<Word>;
  auto words_of = [](std::string_view raw) {
    const std::string line = text::normalize_line(raw);  // the tokens point into it
    std::vector<text::Token> toks;
    text::tokenize(line, toks);
    Line out;
    for (const auto& t : toks) {
      std::string f;
      text::append_casefold(f, t.text);
      const std::uint64_t h = text::token_hash(f);
      out.push_back({std::move(f), h, t.capitalized, t.sentence_start, t.has_digit});
    }
    return out;
  };
  auto lines_of = [&](std::string_view s) {
    std::vector<Line> out;
    std::size_t b = 0;
    while (b < s.size()) {
      std::size_t e = s.find('\n', b);
      if (e == std::string_view::npos) e = s.size();
      out.push_back(words_of(s.substr(b, e - b)));
      b = e + 1;
    }
    return out;
  };
  const std::vector<Line> title_lines = lines_of(title);
  std::vector<Line> body_lines = lines_of(body);
  std::erase_if(body_lines, [](const Line& l) { return l.empty(); });

  text::AnalyzedText out;
  for (const auto& l : title_lines)
    for (const auto& w : l) out.title_tokens.push_back(w.hash);
  for (const auto& l : body_lines) {
    const auto begin = static_cast<std::uint32_t>(out.tokens.size());
    for (const auto& w : l) out.tokens.push_back(w.hash);
    const auto n = static_cast<std::uint32_t>(l.size());
    const std::uint64_t h =
        n <= options.boilerplate_max_tokens
            ? XXH3_64bits_withSeed(out.tokens.data() + begin, n * sizeof(std::uint64_t), kLineSeed) | 1
            : 0;
    out.lines.push_back({begin, static_cast<std::uint32_t>(out.tokens.size()), h});
  }
  std::vector<std::uint64_t> proper;
  for (const auto& l : body_lines)
    for (const auto& w : l)
      if (w.cap && !w.start && !w.digit) proper.push_back(w.hash);
  std::sort(proper.begin(), proper.end());

  auto hash_of = [&](std::string_view t) { return XXH3_64bits_withSeed(t.data(), t.size(), kEntitySeed); };
  auto add_entities = [&](const Line& w, bool headline) {
    auto& o = out.entities;
    auto& kinds = out.entity_kinds;
    // A word with digits alone: a year 1900-2099 or a word with letters is "other", digits with a
    // decimal point a figure, other digits (commas allowed) a number.
    auto kind_of = [](const std::string& f) {
      if (f.find_first_not_of("0123456789.,") != std::string::npos) return text::kEntityOther;
      if (f.find('.') != std::string::npos) return text::kEntityFigure;
      if (f.size() == 4 && (f.rfind("19", 0) == 0 || f.rfind("20", 0) == 0)) return text::kEntityOther;
      return text::kEntityNumber;
    };
    auto is_name = [&](std::size_t k) {
      if (!w[k].cap || w[k].digit) return false;
      if (headline || w[k].start) return std::binary_search(proper.begin(), proper.end(), w[k].hash);
      return true;
    };
    auto flush = [&](std::size_t b, std::size_t e) {
      if (b >= e) return;
      if (e - b > 1) {
        std::string run;
        for (std::size_t k = b; k < e; ++k) run += (k > b ? " " : "") + w[k].folded;
        o.push_back(hash_of(run));
        kinds.push_back(text::kEntityName);
      }
      for (std::size_t k = b; k < e; ++k)
        if (!text::is_stopword(w[k].hash) && !w[k].digit) {
          o.push_back(hash_of(w[k].folded));
          kinds.push_back(text::kEntityName);
        }
    };
    std::size_t i = 0;
    while (i < w.size()) {
      if (w[i].digit) {
        o.push_back(hash_of("#" + w[i].folded));
        kinds.push_back(kind_of(w[i].folded));
        if (i + 1 < w.size() && !w[i + 1].cap && !w[i + 1].digit && !text::is_stopword(w[i + 1].hash)) {
          o.push_back(hash_of("#" + w[i].folded + " " + w[i + 1].folded));
          kinds.push_back(text::kEntityOther);
        }
        ++i;
        continue;
      }
      std::size_t b = i, e = i;
      while (e < w.size() && w[e].cap && !w[e].digit && (e == b || !w[e].start)) ++e;
      if (e == b) {
        ++i;
        continue;
      }
      while (b < e && !is_name(b) && (w[b].start || headline)) ++b;
      if (headline) {
        for (std::size_t k = b; k < e; ++k)
          if (is_name(k)) flush(k, k + 1);
      } else if (b < e && e < w.size() && w[e].digit && !w[e].start) {
        flush(b, e + 1);
      } else {
        flush(b, e);
      }
      i = std::max(e, i + 1);
    }
  };
  for (const auto& l : title_lines) add_entities(l, true);
  for (std::size_t k = 0; k < body_lines.size(); ++k) {
    out.lines[k].entity_begin = static_cast<std::uint32_t>(out.entities.size());
    add_entities(body_lines[k], false);
    out.lines[k].entity_end = static_cast<std::uint32_t>(out.entities.size());
  }
  return out;
}

}  // namespace samestory::test
