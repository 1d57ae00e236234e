#include "index_command.hpp"

#include <sys/resource.h>
#include <sys/stat.h>

#include <chrono>
#include <cstdio>
#include <ctime>
#include <optional>
#include <unordered_set>

#include "flags.hpp"
#include "index/index.hpp"
#include "io/writer.hpp"

namespace samestory::cli {

namespace {

std::string answer_json(const index::Answer& a) {
  std::string out = "{\"id\":";
  append_json_string(out, a.id);
  out += a.dup ? ",\"status\":\"dup\",\"dup_group\":" : ",\"status\":\"new\",\"dup_group\":";
  append_json_string(out, a.dup_group);
  out += ",\"dup_score\":";
  append_score(out, a.dup_score);
  out += ",\"story\":";
  append_json_string(out, a.story);
  out += ",\"story_score\":";
  append_score(out, a.story_score);
  out += "}\n";
  return out;
}

std::string stats_json(const index::IndexStats& s, std::uint64_t file_bytes, const index::JournalInfo& j,
                       std::uint64_t journal_bytes) {
  std::string o = "{\n";
  auto num = [&](const char* k, std::uint64_t v, bool comma = true) {
    o += "  \"" + std::string(k) + "\": " + std::to_string(v) + (comma ? ",\n" : "\n");
  };
  num("articles", s.articles);
  num("slots", s.slots);
  num("reclaimable_slots", s.reclaimable_slots);
  num("retired_story_docs", s.retired_docs);
  num("dup_groups", s.dup_groups);
  num("dup_groups_with_reposts", s.dup_groups_multi);
  num("stories", s.stories);
  num("stories_with_several_groups", s.stories_multi);
  num("story_docs", s.story_docs);
  num("boilerplate_lines", s.boilerplate_lines);
  num("tracked_short_lines", s.tracked_lines);
  num("df_terms", s.df_terms);
  num("lsh_bands", s.bands.bands);
  num("lsh_rows", s.bands.rows);
  num("memory_bytes", s.memory_bytes);
  num("file_bytes", file_bytes);
  num("journal_bytes", journal_bytes);
  num("journal_batches", j.batches);
  num("journal_articles", j.articles, false);
  o += "}\n";
  return o;
}

std::uint64_t file_size(const std::string& path) {
  struct stat st {};
  return ::stat(path.c_str(), &st) == 0 ? static_cast<std::uint64_t>(st.st_size) : 0;
}

/// Says on stderr what load() ignored of the journal (nothing is lost: see docs/format.md).
void report_journal(const std::string& dir, const index::JournalInfo& j, bool quiet) {
  if (quiet) return;
  const auto path = index::journal_file(dir);
  if (j.torn_bytes > 0)
    std::fprintf(stderr, "samestory: %s: ignored the last %llu bytes, an append that did not complete\n", path.c_str(),
                 static_cast<unsigned long long>(j.torn_bytes));
  if (j.stale) std::fprintf(stderr, "samestory: %s: ignored, written for an earlier index file\n", path.c_str());
}

/// Makes the batches an `index add` inserts durable: appended to the journal while its cost
/// (journal_cost) stays within journal_limit, else (and with --no-journal) by rewriting the
/// index file whole, which takes the journal in.
class Durability {
 public:
  Durability(std::string dir, const index::Index& idx, const index::JournalInfo& journal, bool no_journal)
      : dir_(std::move(dir)),
        no_journal_(no_journal),
        journaled_(index::journal_cost(journal.articles, journal.batches)) {
    limit_ = index::journal_limit(idx.stats().articles);
    rewrite_ = no_journal_ || journaled_ >= limit_;
  }
  /// Before add(): keeps a copy of the batch for the journal while it fits.
  void adding(const std::vector<Article>& batch, std::int64_t now) {
    if (rewrite_ || batch.empty()) return;
    pending_cost_ += index::journal_cost(batch.size(), 1);
    rewrite_ = journaled_ + pending_cost_ > limit_;
    if (rewrite_)
      pending_.clear();
    else
      pending_.push_back({now, batch});
  }
  /// After add(): writes what was added since the last commit.
  void commit(const index::Index& idx) {
    if (rewrite_) {
      index::save(idx, dir_);
      ++rewrites_;
      journaled_ = 0;
      limit_ = index::journal_limit(idx.stats().articles);
      rewrite_ = no_journal_;
    } else if (!pending_.empty()) {
      index::append_journal(dir_, pending_);
      ++appends_;
      journaled_ += pending_cost_;
    }
    pending_.clear();
    pending_cost_ = 0;
  }
  std::uint64_t appends() const noexcept { return appends_; }
  std::uint64_t rewrites() const noexcept { return rewrites_; }

 private:
  std::string dir_;
  bool no_journal_, rewrite_ = false;
  std::uint64_t journaled_, limit_ = 0, pending_cost_ = 0, appends_ = 0, rewrites_ = 0;
  std::vector<index::JournalBatch> pending_;
};

long peak_rss_kb() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  return u.ru_maxrss;
}

}  // namespace

struct IndexCommand::Impl {
  CLI::App* index = nullptr;
  CLI::App *create = nullptr, *add = nullptr, *query = nullptr, *expire = nullptr, *stats_cmd = nullptr;
  std::string dir;
  RunFlags create_flags, add_flags, query_flags;
  std::string before, stats_out = "-";
  bool quiet = false, no_journal = false, follow = false;

  /// Refuses the `cluster` story options that the index does not keep: its story stage has no
  /// conflict gates, numbers field, evidence lift or per-field term cap, and compares large
  /// stories whole at the default size, which it does not store. Accepting them would ignore them.
  static void refuse_cluster_only(CLI::App& cmd, const char* what) {
    for (const char* opt :
         {"--story-terms", "--cluster-gate-factor", "--conflict-factor", "--lead-conflict-share",
          "--figure-conflict-size", "--number-weight", "--evidence-share", "--evidence-veto-mass", "--big-story-size"})
      if (cmd.count(opt) > 0)
        throw UsageError(std::string(what) + ": " + opt +
                         " is a `cluster` option the index does not have (docs/cli.md, \"index\")");
  }

  /// The parameters given explicitly on an add/query command line, over the index's own.
  std::optional<index::IndexParams> requested(CLI::App& cmd, RunFlags& f, const index::IndexParams& have) {
    bool any = false;
    for (const char* opt : {"--dup-threshold", "--num-perm", "--shingle", "--seed", "--minhash", "--bands",
                            "--story-threshold", "--boilerplate-min-docs", "--story-weights", "--time-gate-days",
                            "--time-factor", "--story-neighbors", "--story-max-bucket"})
      any = any || cmd.count(opt) > 0;
    if (!any) return std::nullopt;
    index::IndexParams r = have;
    auto p = index::params_from(f.pipe);
    if (cmd.count("--dup-threshold")) r.dup_threshold = p.dup_threshold;
    if (cmd.count("--num-perm")) r.minhash.num_perm = p.minhash.num_perm;
    if (cmd.count("--shingle")) r.minhash.shingle = p.minhash.shingle;
    if (cmd.count("--seed")) r.minhash.seed = p.minhash.seed;
    if (cmd.count("--minhash")) r.minhash.scheme = p.minhash.scheme;
    if (cmd.count("--bands")) r.bands = p.bands;
    if (cmd.count("--story-threshold")) r.story.threshold = p.story.threshold;
    if (cmd.count("--boilerplate-min-docs")) r.boilerplate_min_docs = p.boilerplate_min_docs;
    if (cmd.count("--story-weights")) r.story.weights = p.story.weights;
    if (cmd.count("--time-gate-days")) r.story.time_gate_days = p.story.time_gate_days;
    if (cmd.count("--time-factor")) r.story.time_factor = p.story.time_factor;
    if (cmd.count("--story-neighbors")) r.story.max_candidates_per_doc = p.story.max_candidates_per_doc;
    if (cmd.count("--story-max-bucket")) r.story.max_bucket = p.story.max_bucket;
    return r;
  }

  int run_create() {
    auto& f = create_flags;
    refuse_cluster_only(*create, "index create");
    apply_run_flags(f, true);
    if (f.input != "-") throw UsageError("index create takes no INPUT (got \"" + f.input + "\")");
    if (f.pipe.verify == Verify::exact)
      throw UsageError("index: --verify exact is not supported (the index keeps signatures)");
    index::Index idx(index::params_from(f.pipe));
    struct stat st {};
    if (::stat(index::index_file(dir).c_str(), &st) == 0)
      throw std::runtime_error(dir + ": an index already exists there");
    if (::stat(dir.c_str(), &st) != 0 && ::mkdir(dir.c_str(), 0777) != 0)
      throw std::runtime_error(dir + ": cannot create the directory");
    index::save(idx, dir);
    if (!f.quiet) {
      const auto b = idx.bands();
      std::fprintf(stderr, "samestory: created %s (num_perm %u, %u bands x %u rows)\n", dir.c_str(),
                   idx.params().minhash.num_perm, b.bands, b.rows);
    }
    return 0;
  }

  int run_feed(CLI::App& cmd, RunFlags& f, bool insert) {
    const auto start = std::chrono::steady_clock::now();
    refuse_cluster_only(cmd, insert ? "index add" : "index query");
    apply_run_flags(f, true);
    if (f.pipe.verify == Verify::exact)
      throw UsageError("index: --verify exact is not supported (the index keeps signatures)");
    if (!f.rejects_path.empty() && f.on_error != "skip") throw UsageError("--rejects needs --on-error skip");
    if (f.format != "jsonl") throw UsageError("index " + std::string(insert ? "add" : "query") + " writes JSONL only");
    if (follow && f.output != "-")
      throw UsageError("--follow writes each batch's answers to stdout as it is done: -o is not available");
    f.read.keep_raw = !f.rejects_path.empty();
    f.read.follow = follow;
    AtomicOutput out(f.output);
    std::optional<AtomicOutput> stats, rejects;
    if (!f.stats_path.empty()) stats.emplace(f.stats_path);
    if (!f.rejects_path.empty()) rejects.emplace(f.rejects_path);
    std::optional<index::WriteLock> lock;
    if (insert) lock.emplace(dir);
    index::JournalInfo journal;
    auto idx = index::load(dir, nullptr, &journal);
    report_journal(dir, journal, f.quiet);
    if (auto r = requested(cmd, f, idx.params())) idx.check_params(*r);
    std::optional<Durability> durable;
    if (insert) durable.emplace(dir, idx, journal, no_journal);
    const double t_load = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    auto reader = open_reader(f.input, f.read);
    std::int64_t now = static_cast<std::int64_t>(std::time(nullptr));
    double t_save = 0;
    std::vector<Article> batch;
    std::vector<Reject> rej, all_rejects;
    std::unordered_set<std::string> seen;
    std::uint64_t written = 0, dups = 0, new_stories = 0, candidates = 0, edges = 0;
    std::string records;
    while (true) {
      batch.clear();
      rej.clear();
      if (!reader->next_batch(batch, rej)) break;
      if (follow) {
        // Each batch on its own: its insertion time, and ids seen in earlier batches are either
        // in the index now (add) or may be asked again (query).
        now = static_cast<std::int64_t>(std::time(nullptr));
        seen.clear();
      }
      const std::size_t rejected_before = all_rejects.size();
      std::vector<Article> keep;
      std::size_t r = 0;
      for (auto& a : batch) {
        while (r < rej.size() && rej[r].line < a.line) all_rejects.push_back(std::move(rej[r++]));
        std::string why;
        if (idx.contains(a.id))
          why = "id \"" + a.id + "\" is already in the index";
        else if (!seen.insert(a.id).second)
          why = "duplicate id \"" + a.id + "\"";
        if (!why.empty()) {
          Reject rj{reader->name(), a.line, why, a.raw};
          if (f.read.on_error == OnError::fail) throw InputError(rj);
          all_rejects.push_back(std::move(rj));
          continue;
        }
        keep.push_back(std::move(a));
      }
      while (r < rej.size()) all_rejects.push_back(std::move(rej[r++]));
      if (durable) durable->adding(keep, now);
      const auto answers = insert ? idx.add(std::move(keep), now) : idx.query(std::move(keep));
      const auto work = idx.last_work();
      candidates += work.candidates;
      edges += work.verified_edges;
      for (const auto& a : answers) {
        records += answer_json(a);
        dups += a.dup;
        new_stories += a.new_story;
      }
      written += answers.size();
      if (follow) {
        // Durable first, then answered: an answer read means the batch is in the index.
        if (durable && !answers.empty()) commit(*durable, idx, t_save);
        if (!f.quiet)
          for (std::size_t k = rejected_before; k < all_rejects.size(); ++k)
            std::fprintf(stderr, "samestory: %s:%llu: %s (skipped)\n", all_rejects[k].file.c_str(),
                         static_cast<unsigned long long>(all_rejects[k].line), all_rejects[k].reason.c_str());
        out.write(records);
        out.flush();
        records.clear();
      } else if (f.pipe.progress) {
        f.pipe.progress(insert ? "add" : "query", written);
      }
    }
    if (f.pipe.progress && !follow) std::fputs("\r\033[K", stderr);
    if (durable && !follow) commit(*durable, idx, t_save);
    out.write(records);
    if (rejects) {
      std::string s;
      for (const auto& rj : all_rejects)
        s += rj.file + ":" + std::to_string(rj.line) + "\t" + rj.reason + "\t" + rj.raw + "\n";
      rejects->write(s);
    }
    if (stats) {
      const auto st = idx.stats();
      const double total = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
      char secs[160];
      std::snprintf(secs, sizeof secs, "{\"load\": %.6f, \"save\": %.6f, \"total\": %.6f}", t_load, t_save, total);
      std::string o = "{\n";
      auto num = [&](const char* k, std::uint64_t v) {
        o += "  \"" + std::string(k) + "\": " + std::to_string(v) + ",\n";
      };
      num("records_read", written + all_rejects.size());
      num("records_written", written);
      num("records_rejected", all_rejects.size());
      num("dups", dups);
      num("new_stories", new_stories);
      num("candidate_pairs", candidates);
      num("verified_edges", edges);
      num("index_articles", st.articles);
      num("index_dup_groups", st.dup_groups);
      num("index_stories", st.stories);
      num("peak_rss_kb", static_cast<std::uint64_t>(peak_rss_kb()));
      num("journal_articles_replayed", journal.articles);
      if (durable) {
        num("journal_appends", durable->appends());
        num("index_rewrites", durable->rewrites());
      }
      o += "  \"seconds\": " + std::string(secs) + "\n}\n";
      stats->write(o);
    }
    out.commit();
    if (rejects) rejects->commit();
    if (stats) stats->commit();
    if (!f.quiet && !all_rejects.empty())
      std::fprintf(stderr, "samestory: %zu record(s) rejected%s\n", all_rejects.size(),
                   rejects ? (" (see " + f.rejects_path + ")").c_str() : "");
    return 0;
  }

  static void commit(Durability& durable, const index::Index& idx, double& seconds) {
    const auto t = std::chrono::steady_clock::now();
    durable.commit(idx);
    seconds += std::chrono::duration<double>(std::chrono::steady_clock::now() - t).count();
  }

  int run_expire() {
    const auto t = parse_timestamp(before);
    if (!t) throw UsageError("--before: \"" + before + "\" is not an ISO 8601 date");
    index::WriteLock lock(dir);
    index::JournalInfo journal;
    auto idx = index::load(dir, nullptr, &journal);
    report_journal(dir, journal, quiet);
    const auto before_bytes = file_size(index::index_file(dir)) + file_size(index::journal_file(dir));
    const auto n = idx.expire(*t);
    idx.compact();          // the file is rewritten whole anyway: drop everything removed so far
    index::save(idx, dir);  // and takes in the journal
    if (!quiet)
      std::fprintf(stderr, "samestory: expired %zu article(s) from %s (%llu bytes, %llu before)\n", n, dir.c_str(),
                   static_cast<unsigned long long>(file_size(index::index_file(dir))),
                   static_cast<unsigned long long>(before_bytes));
    return 0;
  }

  int run_stats() {
    index::JournalInfo journal;
    auto idx = index::load(dir, nullptr, &journal);
    report_journal(dir, journal, false);
    AtomicOutput out(stats_out);
    out.write(stats_json(idx.stats(), file_size(index::index_file(dir)), journal, file_size(index::journal_file(dir))));
    out.commit();
    return 0;
  }
};

IndexCommand::IndexCommand(CLI::App& app) : impl_(std::make_unique<Impl>()) {
  auto& m = *impl_;
  m.index = app.add_subcommand("index", "Persistent feed index: answer new articles against everything seen before");
  m.index->require_subcommand(1);
  m.create = m.index->add_subcommand("create", "Create an empty index in DIR with the given parameters");
  m.create->add_option("dir", m.dir, "Index directory")->required();
  add_run_flags(*m.create, m.create_flags, true);
  m.add = m.index->add_subcommand("add", "Add articles; one record per article: status, dup_group, story");
  m.add->add_option("dir", m.dir, "Index directory")->required();
  add_run_flags(*m.add, m.add_flags, true);
  m.add->add_flag("--no-journal", m.no_journal,
                  "Rewrite the index file whole (taking in its journal) instead of appending to the journal");
  m.query = m.index->add_subcommand("query", "Answer articles like add, without inserting them");
  m.query->add_option("dir", m.dir, "Index directory")->required();
  add_run_flags(*m.query, m.query_flags, true);
  for (auto* cmd : {m.add, m.query})
    cmd->add_flag("--follow", m.follow,
                  "Answer each batch as soon as the input pauses (a pipe fed over time), on stdout, flushed; "
                  "add makes each batch durable first");
  m.expire = m.index->add_subcommand("expire", "Remove articles published (else inserted) before a date");
  m.expire->add_option("dir", m.dir, "Index directory")->required();
  m.expire->add_option("--before", m.before, "ISO 8601 date or time")->required();
  m.expire->add_flag("-q,--quiet", m.quiet, "No message on stderr");
  m.stats_cmd = m.index->add_subcommand("stats", "Counts and sizes of an index (JSON)");
  m.stats_cmd->add_option("dir", m.dir, "Index directory")->required();
  m.stats_cmd->add_option("-o,--output", m.stats_out, "Output file (default: stdout)");
}

IndexCommand::~IndexCommand() = default;

bool IndexCommand::selected() const {
  return static_cast<bool>(*impl_->index);
}

int IndexCommand::run() {
  auto& m = *impl_;
  if (*m.create) return m.run_create();
  if (*m.add) return m.run_feed(*m.add, m.add_flags, true);
  if (*m.query) return m.run_feed(*m.query, m.query_flags, false);
  if (*m.expire) return m.run_expire();
  if (*m.stats_cmd) return m.run_stats();
  return 2;
}

}  // namespace samestory::cli
