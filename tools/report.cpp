#include "report.hpp"

#include <algorithm>
#include <cstdio>
#include <map>
#include <set>

#include "io/writer.hpp"

namespace samestory::cli {

namespace {

/// Appends to a buffer and hands it to `out` every megabyte or so.
class Chunked {
 public:
  explicit Chunked(AtomicOutput& out) : out_(out) { buf_.reserve(kChunk + 4096); }
  std::string& buf() { return buf_; }
  void maybe_flush() {
    if (buf_.size() >= kChunk) flush();
  }
  void flush() {
    out_.write(buf_);
    buf_.clear();
  }

 private:
  static constexpr std::size_t kChunk = std::size_t{1} << 20;
  AtomicOutput& out_;
  std::string buf_;
};

}  // namespace

void write_records(AtomicOutput& dest, const PipelineResult& r, Format format, bool stories) {
  Chunked chunks(dest);
  std::string& out = chunks.buf();
  if (format == Format::csv)
    out += stories ? "id,dup_group,story,canonical,dup_score,story_score\n" : "id,dup_group,canonical,dup_score\n";
  for (std::size_t i = 0; i < r.articles.size(); ++i) {
    const auto& a = r.articles[i];
    const auto& group = r.articles[a.canonical].id;
    const auto& story = r.articles[a.story].id;
    const bool canonical = a.canonical == i;
    if (format == Format::csv) {
      append_csv_field(out, a.id);
      out += ',';
      append_csv_field(out, group);
      if (stories) {
        out += ',';
        append_csv_field(out, story);
      }
      out += canonical ? ",true," : ",false,";
      append_score(out, a.dup_score);
      if (stories) {
        out += ',';
        append_score(out, a.story_score);
      }
    } else {
      out += "{\"id\":";
      append_json_string(out, a.id);
      out += ",\"dup_group\":";
      append_json_string(out, group);
      if (stories) {
        out += ",\"story\":";
        append_json_string(out, story);
      }
      out += canonical ? ",\"canonical\":true,\"dup_score\":" : ",\"canonical\":false,\"dup_score\":";
      append_score(out, a.dup_score);
      if (stories) {
        out += ",\"story_score\":";
        append_score(out, a.story_score);
      }
      out += '}';
    }
    out += '\n';
    chunks.maybe_flush();
  }
  chunks.flush();
}

void write_unique(AtomicOutput& dest, const PipelineResult& r, std::optional<SourceFile>& input) {
  Chunked chunks(dest);
  std::string& out = chunks.buf();
  for (std::size_t i = 0; i < r.articles.size(); ++i) {
    const auto& a = r.articles[i];
    if (a.canonical != i) continue;
    if (input)
      input->copy(a.offset, a.length, out);
    else
      out += a.raw;
    out += '\n';
    chunks.maybe_flush();
  }
  chunks.flush();
}

std::string format_summary(const PipelineResult& r, std::size_t max_stories) {
  const auto& s = r.stats;
  std::map<std::uint32_t, std::vector<std::uint32_t>> stories;  // lead -> members in input order
  for (std::uint32_t i = 0; i < r.articles.size(); ++i) stories[r.articles[i].story].push_back(i);
  std::vector<std::pair<std::uint32_t, const std::vector<std::uint32_t>*>> order;
  for (const auto& [lead, m] : stories) order.emplace_back(lead, &m);
  std::stable_sort(order.begin(), order.end(),
                   [](const auto& a, const auto& b) { return a.second->size() > b.second->size(); });
  char buf[256];
  std::string out;
  std::snprintf(buf, sizeof buf,
                "%llu articles read, %llu clustered, %llu rejected\n"
                "%llu dup groups (%llu with re-posts), %llu stories (%llu with several dup groups)\n",
                (unsigned long long)s.read, (unsigned long long)s.accepted, (unsigned long long)s.rejected,
                (unsigned long long)s.dup_groups, (unsigned long long)s.dup_groups_multi, (unsigned long long)s.stories,
                (unsigned long long)s.stories_multi);
  out += buf;
  std::size_t shown = 0;
  for (const auto& [lead, members] : order) {
    if (shown == max_stories || members->size() < 2) break;
    ++shown;
    std::set<std::string> outlets;
    std::size_t groups = 0;
    for (auto i : *members) {
      if (!r.articles[i].source.empty()) outlets.insert(r.articles[i].source);
      groups += r.articles[i].canonical == i;
    }
    const auto& la = r.articles[lead];
    std::snprintf(buf, sizeof buf, "\nStory %s: %zu articles, %zu dup groups, %zu outlets\n", la.id.c_str(),
                  members->size(), groups, outlets.size());
    out += buf;
    out += "  \"" + (la.title.empty() ? std::string("(no title)") : la.title) + "\"\n";
    // A timeline: dated articles by time, then the undated, each in input order.
    std::vector<std::uint32_t> timeline = *members;
    std::stable_sort(timeline.begin(), timeline.end(), [&](std::uint32_t x, std::uint32_t y) {
      const auto& px = r.articles[x].published;
      const auto& py = r.articles[y].published;
      if (px.has_value() != py.has_value()) return px.has_value();
      return px && *px < *py;
    });
    for (auto i : timeline) {
      const auto& a = r.articles[i];
      std::string line = "    " + a.id;
      line += a.published ? "  " + format_date(*a.published) : "  ----------";
      line += "  " + (a.source.empty() ? std::string("-") : a.source);
      if (a.canonical != i) line += "  [re-post of " + r.articles[a.canonical].id + "]";
      line += "  " + a.title;
      out += line + "\n";
    }
  }
  if (shown == 0) out += "\nNo story has more than one article.\n";
  return out;
}

std::string format_stats(const PipelineResult& r, double total_seconds, long peak_rss_kb) {
  const auto& s = r.stats;
  std::string o = "{\n";
  auto num = [&](const char* k, std::uint64_t v, bool comma = true) {
    o += "  \"" + std::string(k) + "\": " + std::to_string(v) + (comma ? ",\n" : "\n");
  };
  auto real = [](double v) {
    char b[32];
    std::snprintf(b, sizeof b, "%.6f", v);
    return std::string(b);
  };
  num("records_read", s.read);
  num("records_written", s.accepted);
  num("records_rejected", s.rejected);
  num("input_bytes", s.input_bytes);
  num("boilerplate_lines", s.boilerplate_lines);
  num("boilerplate_lines_dropped", s.boilerplate_dropped);
  num("empty_articles", s.empty_articles);
  num("lsh_bands", s.bands.bands);
  num("lsh_rows", s.bands.rows);
  num("candidate_pairs", s.dup_candidates.candidate_pairs);
  num("largest_bucket", s.dup_candidates.largest_bucket);
  num("hot_buckets", s.dup_candidates.hot_buckets);
  num("verified_edges", s.verified_edges);
  num("dup_groups", s.dup_groups);
  num("dup_groups_with_reposts", s.dup_groups_multi);
  num("story_candidate_pairs", s.story.candidates.candidate_pairs);
  num("story_largest_bucket", s.story.candidates.largest_bucket);
  num("story_edges", s.story.edges);
  num("story_merges", s.story.merges);
  num("stories", s.stories);
  num("stories_with_several_groups", s.stories_multi);
  num("threads", s.threads);
  num("peak_rss_kb", static_cast<std::uint64_t>(peak_rss_kb));
  auto stages = [&](const char* name, const std::vector<std::pair<std::string, double>>& v, const char* last) {
    o += std::string("  \"") + name + "\": {";
    for (std::size_t i = 0; i < v.size(); ++i) o += (i ? ", \"" : "\"") + v[i].first + "\": " + real(v[i].second);
    o += last;
  };
  stages("seconds", s.seconds,
         (std::string(s.seconds.empty() ? "" : ", ") + "\"total\": " + real(total_seconds) + "},\n").c_str());
  stages("cpu_seconds", s.cpu_seconds, "}\n}\n");
  return o;
}

std::string format_quality(const PipelineResult& r, const eval::CandidateQuality& dup,
                           const eval::CandidateQuality* story) {
  auto block = [](const char* name, const char* measure, const eval::CandidateQuality& q) {
    char b[512];
    std::snprintf(b, sizeof b,
                  "  \"%s\": {\"similarity\": \"%s\", \"threshold\": %.4g, \"items\": %llu, \"exact_pairs\": %llu, "
                  "\"candidates\": %llu, \"found\": %llu, \"recall\": %.6f, \"precision\": %.6f}",
                  name, measure, q.threshold, (unsigned long long)q.items, (unsigned long long)q.exact_pairs,
                  (unsigned long long)q.candidates, (unsigned long long)q.found, q.recall, q.precision);
    return std::string(b);
  };
  return "{\n  \"records\": " + std::to_string(r.stats.accepted) +
         ",\n  \"lsh_bands\": " + std::to_string(r.stats.bands.bands) +
         ",\n  \"lsh_rows\": " + std::to_string(r.stats.bands.rows) + ",\n" +
         block("dup", "exact Jaccard of word shingles", dup) + ",\n" +
         (story ? block("story", "story similarity among dup-group canonicals", *story)
                : std::string("  \"story\": null")) +
         "\n}\n";
}

std::string format_rejects(const PipelineResult& r) {
  std::string out;
  for (const auto& rj : r.rejects) {
    out += rj.file + ":" + std::to_string(rj.line) + "\t" + rj.reason + "\t" + rj.raw + "\n";
  }
  return out;
}

}  // namespace samestory::cli
