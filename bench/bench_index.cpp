// The feed index under a feed's load (issue 6): build or load an index of N articles, then time
// query and add per article, in batches of 1 and of 100, against it. A plain timed driver, not
// Google Benchmark: the figures wanted are latency percentiles over many single calls.
//
//   samestory gen --articles 1010000 -o /tmp/g.jsonl
//   bench_index /tmp/g.jsonl --articles 1000000 --dir /tmp/ix1m [--reuse] [--feed 2000]
//
// The first N records of the corpus go into the index (in batches of --build-batch), the next
// --feed records are answered one at a time (query, then add of the same article: the two
// answers must agree), the --feed after those added one at a time without a query first, the
// --feed after those in batches of 100 (query, then add). --feed-from FILE takes the feed from
// FILE instead (then --reuse does not read the indexed articles at all); --answers FILE writes
// every feed answer and a hash of the final state, to compare two builds with cmp; --series FILE
// writes each batch of 100's times (TSV: batch, then wall, process CPU and calling thread's CPU
// per article of query and of add), to see which calls make the p99.
// Latency per article = call time / batch size. Prints a report (Markdown) on stdout.
#include <sys/resource.h>
#include <sys/stat.h>
#include <tbb/global_control.h>
#include <xxhash.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "cluster/story_terms.hpp"
#include "index/index.hpp"
#include "io/reader.hpp"
#include "text/kept.hpp"

using namespace samestory;

namespace {

using Clock = std::chrono::steady_clock;
double since(Clock::time_point t) {
  return std::chrono::duration<double>(Clock::now() - t).count();
}

/// CPU seconds of the whole process (all threads): unlike wall time, not inflated by other
/// processes taking the cores.
double cpu_now() {
  timespec ts{};
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) * 1e-9;
}

/// CPU seconds of the calling thread alone. It works (or waits spinning) through a whole call,
/// its share of the parallel parts and every sequential part: on two free cores a call's wall
/// time is about this; on busy ones, where other threads take less of the parallel work, it
/// can only be more.
double thread_cpu_now() {
  timespec ts{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) * 1e-9;
}

struct Args {
  std::string corpus, dir = "/tmp/samestory-bench-index", answers, feed_from, series;
  std::uint64_t articles = 100000, feed = 2000, build_batch = 10000;
  bool reuse = false, single = true, load_only = false;
  std::size_t threads = 0;  // 0: TBB's default (all cores)
};

[[noreturn]] void usage(const char* why) {
  std::fprintf(stderr,
               "bench_index: %s\nusage: bench_index CORPUS.jsonl [--articles N] [--dir DIR] [--reuse] [--feed M] "
               "[--build-batch B] [--threads T] [--answers FILE] [--feed-from FILE] [--series FILE] [--load-only] "
               "[--no-single]\n",
               why);
  std::exit(2);
}

Args parse(int argc, char** argv) {
  Args a;
  for (int i = 1; i < argc; ++i) {
    const std::string s = argv[i];
    auto val = [&]() -> std::string {
      if (i + 1 >= argc) usage(("missing value for " + s).c_str());
      return argv[++i];
    };
    if (s == "--articles")
      a.articles = std::stoull(val());
    else if (s == "--dir")
      a.dir = val();
    else if (s == "--feed")
      a.feed = std::stoull(val());
    else if (s == "--build-batch")
      a.build_batch = std::stoull(val());
    else if (s == "--feed-from")
      a.feed_from = val();
    else if (s == "--answers")
      a.answers = val();
    else if (s == "--series")
      a.series = val();
    else if (s == "--threads")
      a.threads = std::stoull(val());
    else if (s == "--reuse")
      a.reuse = true;
    else if (s == "--load-only")
      a.load_only = true;
    else if (s == "--no-single")
      a.single = false;
    else if (!s.empty() && s[0] == '-')
      usage(("unknown option " + s).c_str());
    else
      a.corpus = s;
  }
  if (a.corpus.empty()) usage("no corpus");
  if (a.build_batch == 0 || a.feed == 0) usage("--build-batch and --feed must be positive");
  return a;
}

/// Reads up to `n` articles from the reader (buffering the rest of its last batch).
struct Source {
  std::unique_ptr<ArticleReader> reader;
  std::vector<Article> buf;
  std::size_t pos = 0;
  std::vector<Article> take(std::uint64_t n) {
    std::vector<Article> out;
    std::vector<Reject> rej;
    while (out.size() < n) {
      if (pos == buf.size()) {
        buf.clear();
        pos = 0;
        if (!reader->next_batch(buf, rej)) break;
        if (!rej.empty()) throw std::runtime_error("corpus has rejected records: " + rej.front().reason);
      }
      out.push_back(std::move(buf[pos++]));
    }
    return out;
  }
};

long rss_kb() {
  std::ifstream in("/proc/self/statm");
  long pages = 0, resident = 0;
  in >> pages >> resident;
  return resident * (sysconf(_SC_PAGESIZE) / 1024);
}

double pct(std::vector<double> v, double p) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  const auto i =
      static_cast<std::size_t>(std::min<double>(static_cast<double>(v.size() - 1), p * static_cast<double>(v.size())));
  return v[i];
}

void row(const char* what, const std::vector<double>& us) {
  std::printf("| %s | %zu | %.1f | %.1f | %.1f | %.1f |\n", what, us.size(), pct(us, 0.5), pct(us, 0.99),
              *std::max_element(us.begin(), us.end()), [&] {
                double s = 0;
                for (double x : us) s += x;
                return s / static_cast<double>(us.size());
              }());
}

/// Writes every answer of the feed (all fields, scores as exact as printf can) to --answers, so
/// that two builds can be compared with cmp: an optimisation must not change any of them.
struct AnswerLog {
  std::FILE* f = nullptr;
  void write(const char* call, const std::vector<index::Answer>& as) {
    if (!f) return;
    for (const auto& a : as)
      std::fprintf(f, "%s\t%s\t%d\t%s\t%.9g\t%s\t%.9g\t%d\n", call, a.id.c_str(), a.dup ? 1 : 0, a.dup_group.c_str(),
                   static_cast<double>(a.dup_score), a.story.c_str(), static_cast<double>(a.story_score),
                   a.new_story ? 1 : 0);
  }
};

bool same(const index::Answer& q, const index::Answer& a) {
  return q.id == a.id && q.dup == a.dup && q.dup_group == a.dup_group && q.story == a.story;
}

/// Section sizes from the file's section table (docs/format.md).
std::vector<std::pair<std::string, std::uint64_t>> file_sections(const std::string& path) {
  static const char* names[] = {"ids",     "slots", "signatures", "docs", "terms",
                                "stories", "lines", "df",         "lsh",  "postings"};
  constexpr std::size_t kHeader = 200, kSections = 10;
  std::ifstream in(path, std::ios::binary);
  std::vector<char> table(kHeader + kSections * 32);
  in.read(table.data(), static_cast<std::streamsize>(table.size()));
  std::vector<std::pair<std::string, std::uint64_t>> out;
  for (std::size_t i = 0; i < kSections; ++i) {
    std::uint64_t len;
    std::memcpy(&len, table.data() + kHeader + i * 32 + 16, 8);
    out.emplace_back(names[i], len);
  }
  return out;
}

}  // namespace

/// The 1-minute load average (other processes competing for the cores), for the report.
double loadavg() {
  double l = 0;
  std::ifstream("/proc/loadavg") >> l;
  return l;
}

int main(int argc, char** argv) try {
  const Args args = parse(argc, argv);
  std::optional<tbb::global_control> limit;
  if (args.threads) limit.emplace(tbb::global_control::max_allowed_parallelism, args.threads);
  ReadOptions ro;
  Source src;
  src.reader = open_reader(args.corpus, ro);
  const std::string file = index::index_file(args.dir);
  struct stat st {};
  const bool have = ::stat(file.c_str(), &st) == 0;
  std::printf("# bench_index: %s, %llu articles, index %s\n\n", args.corpus.c_str(),
              static_cast<unsigned long long>(args.articles), args.dir.c_str());
  if (!(args.reuse && have)) {
    ::mkdir(args.dir.c_str(), 0777);
    index::Index idx{index::IndexParams{}};
    const auto t0 = Clock::now();
    std::uint64_t added = 0;
    while (added < args.articles) {
      auto batch = src.take(std::min(args.build_batch, args.articles - added));
      if (batch.empty()) break;
      added += batch.size();
      idx.add(std::move(batch), 1767225600);
      std::fprintf(stderr, "\rbuild: %llu", static_cast<unsigned long long>(added));
    }
    const double t_build = since(t0);
    std::fprintf(stderr, "\n");
    if (added < args.articles) throw std::runtime_error("corpus has only " + std::to_string(added) + " articles");
    const auto t1 = Clock::now();
    index::save(idx, args.dir);
    const double t_save = since(t1);
    std::printf("build: %.1f s (%.0f articles/s, batches of %llu, includes reading the corpus); save: %.3f s\n",
                t_build, static_cast<double>(added) / t_build, static_cast<unsigned long long>(args.build_batch),
                t_save);
  } else if (args.load_only) {
    const auto t = Clock::now();
    const index::Index idx = index::load(args.dir);
    std::printf("load: %.3f s (%llu articles; load average %.2f)\n", since(t),
                static_cast<unsigned long long>(idx.stats().articles), loadavg());
    return 0;
  } else {
    if (args.feed_from.empty())
      for (std::uint64_t skipped = 0; skipped < args.articles;)  // skip the indexed articles
        skipped += src.take(std::min<std::uint64_t>(args.articles - skipped, 10000)).size();
    std::printf("build: reused the index in %s\n", args.dir.c_str());
  }
  if (!args.feed_from.empty()) {  // the feed from its own file (the corpus may hold only the indexed articles)
    src.reader = open_reader(args.feed_from, ro);
    src.buf.clear();
    src.pos = 0;
    std::printf("feed: from %s\n", args.feed_from.c_str());
  }
  const long rss0 = rss_kb();
  auto t2 = Clock::now();
  index::Index idx = index::load(args.dir);
  const double t_load = since(t2);
  const long rss1 = rss_kb();
  const auto stats = idx.stats();
  if (stats.articles != args.articles)
    throw std::runtime_error("the index holds " + std::to_string(stats.articles) + " articles, not " +
                             std::to_string(args.articles) + " (remove --reuse)");
  {
    t2 = Clock::now();
    const std::string bytes = idx.serialize();
    const double t_ser = since(t2);
    std::printf("load: %.3f s (load average %.2f); serialize (in memory, no I/O): %.3f s\n\n", t_load, loadavg(),
                t_ser);
  }
  const double n = static_cast<double>(stats.articles);
  std::printf("## Size (%llu articles, %llu dup groups, %llu stories, %llu story docs)\n\n",
              static_cast<unsigned long long>(stats.articles), static_cast<unsigned long long>(stats.dup_groups),
              static_cast<unsigned long long>(stats.stories), static_cast<unsigned long long>(stats.story_docs));
  std::printf("| on disk: section | bytes/article |\n|---|---:|\n");
  for (const auto& [name, bytes] : file_sections(file))
    std::printf("| %s | %.1f |\n", name.c_str(), static_cast<double>(bytes) / n);
  const double file_bytes = ::stat(file.c_str(), &st) == 0 ? static_cast<double>(st.st_size) : 0.0;
  std::printf("| **file** (%.1f MB) | **%.1f** |\n\n", file_bytes / 1e6, file_bytes / n);
  std::printf("| in memory: structure | bytes/article |\n|---|---:|\n");
  for (const auto& [name, bytes] : idx.memory_breakdown())
    std::printf("| %s | %.1f |\n", name.c_str(), static_cast<double>(bytes) / n);
  std::printf("| **total** (%.1f MB; RSS grew %.1f MB on load) | **%.1f** |\n\n",
              static_cast<double>(stats.memory_bytes) / 1e6, static_cast<double>(rss1 - rss0) / 1e3,
              static_cast<double>(stats.memory_bytes) / n);

  const sketch::MinHasher hasher(idx.params().minhash);
  AnswerLog log;
  if (!args.answers.empty() && !(log.f = std::fopen(args.answers.c_str(), "w")))
    throw std::runtime_error("cannot write " + args.answers);
  // Feed, one article per call.
  std::fprintf(stderr, "feed\n");
  std::vector<double> q1, a1, qa1, cq1, ca1, cqa1, prep, n_terms;
  struct Single {
    double cpu, floor, bytes, terms, candidates, story_candidates;
  };
  std::vector<Single> singles;  // per article of the batch-of-1 feed: what the slow ones have in common
  std::uint64_t disagree = 0, dups = 0, new_stories = 0;
  // Articles whose add() reused the query()'s preparation, of those added right after a query.
  std::uint64_t from_query = 0, queried_then_added = 0, story_from_query = 0, weighed_in_query = 0;
  const auto tally_reuse = [&](const index::IndexStats& work) {
    from_query += work.from_query;
    story_from_query += work.story_from_query;
    weighed_in_query += work.weighed_in_query;
  };
  {
    auto feed = args.single ? src.take(args.feed) : std::vector<Article>{};
    // The floor: what every call does before touching the index (one thread), measured in a
    // pass of its own. Measured just before the query of the same article, it warmed that
    // query's analysis (the batch-of-1 query then looked ~15% cheaper than it is).
    for (auto& art : feed) {
      {
        const double c0 = cpu_now();
        text::AnalyzedText t;
        text::analyze(art.title, art.text, idx.params().text, t);
        std::vector<std::uint8_t> bp(t.lines.size(), 0);
        std::vector<std::uint64_t> tokens, shingles;
        text::kept_tokens(t, bp, tokens, nullptr);
        hasher.shingles(tokens, shingles);
        std::vector<std::uint32_t> sig(idx.params().minhash.num_perm);
        hasher.sign(shingles, sig);
        const auto terms = cluster::story_terms(t, bp);
        prep.push_back((cpu_now() - c0) * 1e6);
        std::size_t term_count = 0;
        for (const auto& f : terms) term_count += f.size();
        n_terms.push_back(static_cast<double>(term_count));
      }
    }
    for (std::size_t i = 0; i < feed.size(); ++i) {
      const Article& art = feed[i];
      std::vector<Article> one{art};
      double c = cpu_now();
      auto t = Clock::now();
      const auto q = idx.query(one);
      const double tq = since(t) * 1e6;
      cq1.push_back((cpu_now() - c) * 1e6);
      c = cpu_now();
      t = Clock::now();
      const auto a = idx.add(std::move(one), 1767225600);
      const double ta = since(t) * 1e6;
      log.write("q1", q);
      log.write("a1", a);
      ca1.push_back((cpu_now() - c) * 1e6);
      cqa1.push_back(cq1.back() + ca1.back());
      const auto work = idx.last_work();
      tally_reuse(work);
      ++queried_then_added;
      singles.push_back({cqa1.back(), prep[i], static_cast<double>(art.title.size() + art.text.size()), n_terms[i],
                         static_cast<double>(work.candidates), static_cast<double>(work.story_candidates)});
      q1.push_back(tq);
      a1.push_back(ta);
      qa1.push_back(tq + ta);
      disagree += !same(q[0], a[0]);
      dups += a[0].dup;
      new_stories += a[0].new_story;
    }
  }
  // Feed, one article per call, add alone: the add above runs right after the query of the same
  // article and finds the index's cache lines warm; a feed that only adds pays the misses itself.
  std::vector<double> a1cold, ca1cold;
  if (args.single) {
    for (auto& art : src.take(args.feed)) {
      std::vector<Article> one{std::move(art)};
      const double c = cpu_now();
      const auto t = Clock::now();
      const auto a = idx.add(std::move(one), 1767225600);
      a1cold.push_back(since(t) * 1e6);
      ca1cold.push_back((cpu_now() - c) * 1e6);
      log.write("a1cold", a);
      dups += a[0].dup;
      new_stories += a[0].new_story;
    }
  }
  // Feed, 100 articles per call.
  std::vector<double> q100, a100, qa100, cq100, ca100, cqa100, tq100, ta100, tqa100;
  std::unique_ptr<std::FILE, int (*)(std::FILE*)> series(nullptr, &std::fclose);
  if (!args.series.empty()) {
    series.reset(std::fopen(args.series.c_str(), "w"));
    if (!series) throw std::runtime_error("cannot write " + args.series);
    std::fprintf(series.get(), "batch\tquery_wall\tquery_cpu\tquery_thread\tadd_wall\tadd_cpu\tadd_thread\n");
  }
  {
    auto feed = src.take(args.feed);
    for (std::size_t i = 0; i + 100 <= feed.size(); i += 100) {
      std::vector<Article> batch(feed.begin() + static_cast<std::ptrdiff_t>(i),
                                 feed.begin() + static_cast<std::ptrdiff_t>(i + 100));
      double c = cpu_now(), th = thread_cpu_now();
      auto t = Clock::now();
      const auto q = idx.query(batch);
      const double tq = since(t) * 1e6 / 100;
      cq100.push_back((cpu_now() - c) * 1e6 / 100);
      tq100.push_back((thread_cpu_now() - th) * 1e6 / 100);
      c = cpu_now(), th = thread_cpu_now();
      t = Clock::now();
      const auto a = idx.add(std::move(batch), 1767225600);
      const double ta = since(t) * 1e6 / 100;
      tally_reuse(idx.last_work());
      queried_then_added += 100;
      ca100.push_back((cpu_now() - c) * 1e6 / 100);
      ta100.push_back((thread_cpu_now() - th) * 1e6 / 100);
      cqa100.push_back(cq100.back() + ca100.back());
      tqa100.push_back(tq100.back() + ta100.back());
      q100.push_back(tq);
      a100.push_back(ta);
      qa100.push_back(tq + ta);
      log.write("q100", q);
      log.write("a100", a);
      if (series)
        std::fprintf(series.get(), "%zu\t%.1f\t%.1f\t%.1f\t%.1f\t%.1f\t%.1f\n", i / 100, tq, cq100.back(), tq100.back(),
                     ta, ca100.back(), ta100.back());
      for (const auto& x : a) dups += x.dup, new_stories += x.new_story;
    }
  }
  std::printf("## Feed latency per article (µs), into the index above\n\n");
  std::printf("| call | samples | p50 | p99 | max | mean |\n|---|---:|---:|---:|---:|---:|\n");
  if (!q1.empty()) {
    row("query, batch of 1", q1);
    row("add, batch of 1", a1);
    row("query + add, batch of 1", qa1);
  }
  if (!q100.empty()) {
    row("query, batch of 100 (÷100)", q100);
    row("add, batch of 100 (÷100)", a100);
    row("query + add, batch of 100 (÷100)", qa100);
  }
  if (!a1cold.empty()) {
    row("add alone (no query before it), batch of 1", a1cold);
  }
  std::printf("\nCPU time per article (µs, all threads of the process; not inflated by other load):\n\n");
  std::printf("| call | samples | p50 | p99 | max | mean |\n|---|---:|---:|---:|---:|---:|\n");
  if (!q1.empty()) {
    row("floor: analyse + shingle + sign + story terms, one thread", prep);
    row("query, batch of 1", cq1);
    row("add, batch of 1", ca1);
    row("query + add, batch of 1", cqa1);
  }
  if (!q100.empty()) {
    row("query, batch of 100 (÷100)", cq100);
    row("add, batch of 100 (÷100)", ca100);
    row("query + add, batch of 100 (÷100)", cqa100);
  }
  if (!ca1cold.empty()) {
    row("add alone (no query before it), batch of 1", ca1cold);
  }
  if (!q100.empty()) {
    std::printf(
        "\nCPU time of the calling thread alone per article (µs; about the wall time on two free cores, more "
        "when they are busy):\n\n");
    std::printf("| call | samples | p50 | p99 | max | mean |\n|---|---:|---:|---:|---:|---:|\n");
    row("query, batch of 100 (÷100)", tq100);
    row("add, batch of 100 (÷100)", ta100);
    row("query + add, batch of 100 (÷100)", tqa100);
  }
  if (singles.size() >= 100) {
    // The slowest 1% of the batch-of-1 articles (CPU of query + add) next to the median ones:
    // is their cost the floor (analysis of a long text) or the index's own work?
    std::sort(singles.begin(), singles.end(), [](const Single& x, const Single& y) { return x.cpu < y.cpu; });
    const std::size_t k = singles.size() / 100;
    auto mean = [&](std::size_t from, std::size_t to) {
      Single m{};
      for (std::size_t i = from; i < to; ++i) {
        m.cpu += singles[i].cpu, m.floor += singles[i].floor, m.bytes += singles[i].bytes, m.terms += singles[i].terms;
        m.candidates += singles[i].candidates, m.story_candidates += singles[i].story_candidates;
      }
      const double count = static_cast<double>(to - from);
      return Single{m.cpu / count,   m.floor / count,      m.bytes / count,
                    m.terms / count, m.candidates / count, m.story_candidates / count};
    };
    const std::size_t mid = singles.size() / 2;
    const Single slow = mean(singles.size() - k, singles.size()), median = mean(mid - k / 2, mid - k / 2 + k);
    std::printf("\nBatch of 1, the slowest 1%% (%zu articles) vs as many around the median (means; CPU µs):\n\n", k);
    std::printf(
        "| articles | query + add | floor | rest (query + add − floor) | text bytes | story terms (all fields) "
        "| dup candidates (add) | story candidates (add) |\n|---|---:|---:|---:|---:|---:|---:|---:|\n");
    for (const auto& [name, m] : {std::pair{"slowest 1%", slow}, std::pair{"median", median}})
      std::printf("| %s | %.1f | %.1f | %.1f | %.0f | %.0f | %.1f | %.1f |\n", name, m.cpu, m.floor, m.cpu - m.floor,
                  m.bytes, m.terms, m.candidates, m.story_candidates);
  }
  std::printf("\nfeed: %llu dups, %llu new stories; query and add answers disagree for %llu of %zu single articles\n",
              static_cast<unsigned long long>(dups), static_cast<unsigned long long>(new_stories),
              static_cast<unsigned long long>(disagree), q1.size());
  std::printf(
      "add after query: the query's preparation reused for %llu of %llu articles, its story candidates in "
      "the index for %llu new story docs, its weighed terms for %llu\n",
      static_cast<unsigned long long>(from_query), static_cast<unsigned long long>(queried_then_added),
      static_cast<unsigned long long>(story_from_query), static_cast<unsigned long long>(weighed_in_query));
  if (log.f) {
    // The whole state after the feed (serialize is deterministic): equal when every add
    // stored the same terms, weights, groups and stories.
    const std::string bytes = idx.serialize();
    std::fprintf(log.f, "state\t%016llx\t%zu\n",
                 static_cast<unsigned long long>(XXH3_64bits(bytes.data(), bytes.size())), bytes.size());
    std::fclose(log.f);
  }
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  std::printf("peak RSS %.1f MB\n", static_cast<double>(u.ru_maxrss) / 1e3);
  return disagree ? 1 : 0;
} catch (const std::exception& e) {
  std::fprintf(stderr, "bench_index: %s\n", e.what());
  return 1;
}
