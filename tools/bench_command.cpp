#include "bench_command.hpp"

#include <sys/resource.h>
#include <tbb/enumerable_thread_specific.h>
#include <tbb/parallel_for.h>
#include <tbb/task_arena.h>
#include <xxhash.h>

#include <chrono>
#include <cstdio>
#include <string>
#include <string_view>
#include <vector>

#include "flags.hpp"
#include "io/reader.hpp"
#include "io/writer.hpp"
#include "pipeline/pipeline.hpp"
#include "report.hpp"

namespace samestory::cli {
namespace {

using Clock = std::chrono::steady_clock;

double since(Clock::time_point t) {
  return std::chrono::duration<double>(Clock::now() - t).count();
}

/// User + system CPU seconds of the process so far (less sensitive than wall time to other
/// processes sharing the cores).
double cpu_seconds() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  return static_cast<double>(u.ru_utime.tv_sec + u.ru_stime.tv_sec) +
         static_cast<double>(u.ru_utime.tv_usec + u.ru_stime.tv_usec) * 1e-6;
}

long peak_rss_kb() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  return u.ru_maxrss;
}

/// The limit pass's tokeniser: words are runs of ASCII letters and digits and of non-ASCII
/// bytes; ASCII is lower-cased; each word is hashed with XXH3. Returns the number of tokens
/// and folds the hashes into `sum` (so that the work cannot be optimised away).
std::uint64_t hash_tokens(std::string_view s, std::uint64_t& sum) {
  char buf[256];
  std::uint64_t count = 0;
  std::size_t i = 0;
  const std::size_t n = s.size();
  auto word = [](unsigned char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c >= 0x80;
  };
  while (i < n) {
    while (i < n && !word(static_cast<unsigned char>(s[i]))) ++i;
    if (i == n) break;
    std::size_t len = 0;
    const std::size_t b = i;
    while (i < n && word(static_cast<unsigned char>(s[i]))) {
      const char c = s[i++];
      if (len < sizeof buf) buf[len++] = (c >= 'A' && c <= 'Z') ? static_cast<char>(c + 32) : c;
    }
    sum += i - b <= sizeof buf ? XXH3_64bits(buf, len) : XXH3_64bits(s.data() + b, i - b);
    ++count;
  }
  return count;
}

struct LimitResult {
  std::uint64_t docs = 0, bytes = 0, tokens = 0, checksum = 0;
  double seconds = 0, cpu = 0;
};

LimitResult limit_pass(const std::string& input, const ReadOptions& read) {
  LimitResult r;
  const auto start = Clock::now();
  const double cpu0 = cpu_seconds();
  auto reader = open_reader(input, read);
  std::vector<Article> batch;
  std::vector<Reject> rejects;
  while (true) {
    batch.clear();
    rejects.clear();
    if (!reader->next_batch(batch, rejects)) break;
    std::vector<std::uint64_t> tokens(batch.size()), sums(batch.size());
    tbb::parallel_for(std::size_t{0}, batch.size(), [&](std::size_t i) {
      tokens[i] = hash_tokens(batch[i].title, sums[i]) + hash_tokens(batch[i].text, sums[i]);
    });
    for (std::size_t i = 0; i < batch.size(); ++i) r.tokens += tokens[i], r.checksum += sums[i];
    r.docs += batch.size();
  }
  r.bytes = reader->bytes_read();
  r.seconds = since(start);
  r.cpu = cpu_seconds() - cpu0;
  return r;
}

}  // namespace

struct BenchCommand::Impl {
  CLI::App* cmd = nullptr;
  RunFlags flags;
  bool skip_limit = false;
};

BenchCommand::BenchCommand(CLI::App& app) : impl_(std::make_unique<Impl>()) {
  auto* cmd = app.add_subcommand(
      "bench", "End-to-end benchmark: the limit pass (read + parse + tokenise + XXH3) and the full cluster run");
  add_run_flags(*cmd, impl_->flags, true);
  cmd->add_flag("--no-limit", impl_->skip_limit, "Skip the limit pass");
  impl_->cmd = cmd;
}

BenchCommand::~BenchCommand() = default;

bool BenchCommand::selected() const {
  return impl_->cmd->parsed();
}

int BenchCommand::run() {
  RunFlags& f = impl_->flags;
  f.quiet = true;
  apply_run_flags(f, true);
  f.pipe.progress = nullptr;
  if (f.input == "-") throw UsageError("bench reads its input twice: give a file, not stdin");
  const unsigned threads =
      f.pipe.threads ? f.pipe.threads : static_cast<unsigned>(tbb::this_task_arena::max_concurrency());
  tbb::task_arena arena(static_cast<int>(threads));

  LimitResult lim;
  if (!impl_->skip_limit) {
    arena.execute([&] { lim = limit_pass(f.input, f.read); });
  }
  const long limit_rss = peak_rss_kb();

  const auto start = Clock::now();
  const double cpu0 = cpu_seconds();
  AtomicOutput out(f.output);
  auto reader = open_reader(f.input, f.read);
  PipelineResult result = run_pipeline(*reader, f.pipe);
  const double pipeline_seconds = since(start);
  const auto write_start = Clock::now();
  cli::write_records(out, result, f.format == "csv" ? cli::Format::csv : cli::Format::jsonl, true);
  out.commit();
  const double write_seconds = since(write_start);
  const double total = since(start);
  const double cpu = cpu_seconds() - cpu0;
  const long rss = peak_rss_kb();

  const auto& st = result.stats;
  const double mb = static_cast<double>(st.input_bytes) / 1e6;
  std::printf("input            %s: %llu articles, %.1f MB, %u threads\n", f.input.c_str(),
              static_cast<unsigned long long>(st.read), mb, threads);
  if (!impl_->skip_limit)
    std::printf("limit pass       %.3f s  %.0f docs/s  %.1f MB/s  (CPU %.3f s, %llu tokens, peak RSS %ld KB)\n",
                lim.seconds, static_cast<double>(lim.docs) / lim.seconds,
                static_cast<double>(lim.bytes) / 1e6 / lim.seconds, lim.cpu,
                static_cast<unsigned long long>(lim.tokens), limit_rss);
  std::printf("end to end       %.3f s  %.0f docs/s  %.1f MB/s  (CPU %.3f s, peak RSS %ld KB, %.0f bytes/article)\n",
              total, static_cast<double>(st.read) / total, mb / total, cpu, rss,
              st.read ? static_cast<double>(rss) * 1024.0 / static_cast<double>(st.read) : 0.0);
  for (std::size_t i = 0; i < st.seconds.size(); ++i)
    std::printf("  %-14s %8.3f s  %5.1f%%  (CPU %.3f s)\n", st.seconds[i].first.c_str(), st.seconds[i].second,
                100.0 * st.seconds[i].second / total, i < st.cpu_seconds.size() ? st.cpu_seconds[i].second : 0.0);
  std::printf("  %-14s %8.3f s  %5.1f%%\n", "write", write_seconds, 100.0 * write_seconds / total);
  std::printf(
      "  %-14s %8.3f s\n", "(other)", pipeline_seconds + write_seconds - [&] {
        double sum = write_seconds;
        for (const auto& p : st.seconds) sum += p.second;
        return sum;
      }());
  if (!impl_->skip_limit)
    std::printf("ratio            end to end / limit pass = %.2f (wall), %.2f (CPU)\n", total / lim.seconds,
                cpu / lim.cpu);
  return 0;
}

}  // namespace samestory::cli
