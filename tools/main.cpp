// samestory: the command-line tool. The only code in the project that prints or exits.

#include <sys/resource.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <optional>
#include <set>
#include <string>

#include "bench_command.hpp"
#include "eval/labels.hpp"
#include "eval/metrics.hpp"
#include "eval/reference.hpp"
#include "flags.hpp"
#include "gen/generator.hpp"
#include "index_command.hpp"
#include "io/reader.hpp"
#include "io/writer.hpp"
#include "pipeline/pipeline.hpp"
#include "report.hpp"

namespace {

using namespace samestory;
using cli::add_run_flags;
using cli::RunFlags;

long peak_rss_kb() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  return u.ru_maxrss;
}

int run(RunFlags& f, bool stories, bool dedup) {
  const auto start = std::chrono::steady_clock::now();
  cli::apply_run_flags(f, stories);
  const bool to_stdout = f.output.empty() || f.output == "-";
  if (f.summary_path == "-" && to_stdout)
    throw cli::UsageError("--summary - needs -o: the records already go to stdout");
  if (!f.rejects_path.empty() && f.on_error != "skip") throw cli::UsageError("--rejects needs --on-error skip");
  const bool unique = dedup && f.emit == "unique";
  if (unique && f.format != "jsonl")
    throw cli::UsageError("--emit unique writes the input records: use --format jsonl");
  // --emit unique writes the canonical records verbatim: copied from the input file at the end
  // when it is a regular file (its identity taken now, checked then), else kept as they are read.
  // Records are also kept for --rejects (a duplicate id is found after reading), only until the
  // duplicate check.
  std::optional<SourceFile> input_file = unique ? SourceFile::open(f.input) : std::nullopt;
  f.read.keep_raw = (unique && !input_file) || !f.rejects_path.empty();
  f.pipe.keep_records = unique && !input_file;
  const bool show_progress = static_cast<bool>(f.pipe.progress);
  // Open every output first: a bad path fails before the work, and nothing is renamed into
  // place unless the whole run succeeds.
  AtomicOutput out(f.output);
  std::optional<AtomicOutput> stats, rejects, summary;
  if (!f.stats_path.empty()) stats.emplace(f.stats_path);
  if (!f.rejects_path.empty()) rejects.emplace(f.rejects_path);
  if (!f.summary_path.empty()) summary.emplace(f.summary_path);

  auto reader = open_reader(f.input, f.read);
  PipelineResult result = run_pipeline(*reader, f.pipe);
  if (show_progress) std::fputs("\r\033[K", stderr);

  if (unique)
    cli::write_unique(out, result, input_file);
  else
    cli::write_records(out, result, f.format == "csv" ? cli::Format::csv : cli::Format::jsonl, stories);
  if (rejects) rejects->write(cli::format_rejects(result));
  if (summary) summary->write(cli::format_summary(result, 20));
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  if (stats) stats->write(cli::format_stats(result, seconds, peak_rss_kb()));
  out.commit();
  if (rejects) rejects->commit();
  if (summary) summary->commit();
  if (stats) stats->commit();
  if (!f.quiet && result.stats.rejected > 0)
    std::fprintf(stderr, "samestory: %llu record(s) rejected%s\n",
                 static_cast<unsigned long long>(result.stats.rejected),
                 rejects ? (" (see " + f.rejects_path + ")").c_str() : "");
  return 0;
}

/// Reads one id per line (blank lines ignored).
std::set<std::string> read_ids(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw std::runtime_error(path + ": cannot open");
  std::set<std::string> ids;
  for (std::string line; std::getline(in, line);) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (!line.empty()) ids.insert(line);
  }
  return ids;
}

int run_eval(const std::string& gold_path, const std::string& pred_path, const std::string& level,
             const std::string& only_path, const std::string& output) {
  const std::string field = level == "dup" ? "dup_group" : "story";
  auto gold = eval::read_labels(gold_path, field);
  if (!only_path.empty()) {
    const auto only = read_ids(only_path);
    std::erase_if(gold, [&](const auto& p) { return !only.count(p.first); });
  }
  if (gold.empty()) throw InputError(Reject{gold_path, 0, "no record has a \"" + field + "\" label", ""});
  const auto pred = eval::read_labels(pred_path, field);
  const auto report = eval::evaluate(gold, pred);
  AtomicOutput out(output);
  out.write(eval::to_json(report) + "\n");
  out.commit();
  return 0;
}

/// `samestory quality`: runs the pipeline with exact verification, then compares the dup LSH
/// candidates with every pair at or above the dup threshold (an exact prefix-filtering join) and,
/// unless dup_only, the story candidates with every pair of canonicals above the story threshold
/// (O(n^2), so refused over max_docs canonicals).
int run_quality(RunFlags& f, std::uint64_t max_docs, bool dup_only) {
  cli::apply_run_flags(f, true);
  f.pipe.verify = Verify::exact;
  if (dup_only) f.pipe.stories = false;
  std::vector<std::vector<std::uint64_t>> sets;
  std::vector<lsh::Pair> dup_cand;
  std::vector<cluster::StoryDoc> docs;
  f.pipe.inspect_dup_candidates = [&](std::span<const std::vector<std::uint64_t>> s, std::span<const lsh::Pair> c) {
    sets.assign(s.begin(), s.end());
    dup_cand.assign(c.begin(), c.end());
  };
  f.pipe.inspect_story_docs = [&](const cluster::StoryCorpus& d, std::span<const std::uint32_t>) {
    if (d.size() > max_docs)
      throw cli::UsageError(std::to_string(d.size()) + " story docs (dup-group canonicals): over --max-docs " +
                            std::to_string(max_docs) + " for the O(n^2) story reference; --dup-only skips it");
    // In story_order, as cluster_stories sees them, so the candidates are the ones it compares.
    for (auto i : cluster::story_order(d)) docs.push_back(d.doc(i));
  };
  AtomicOutput out(f.output);
  auto reader = open_reader(f.input, f.read);
  const auto result = run_pipeline(*reader, f.pipe);
  const double t = f.pipe.dup_threshold;
  // Articles with nothing to shingle are never near-duplicates (each is its own dup group).
  const auto dup_truth = eval::jaccard_join(sets, t);
  const auto dup = eval::candidate_quality(dup_truth, dup_cand, t, sets.size());
  std::optional<eval::CandidateQuality> story;
  if (!dup_only) {
    lsh::CandidateStats ignored;
    const auto story_cand = cluster::story_candidates(docs, f.pipe.story, ignored);
    const auto& so = f.pipe.story;
    const auto story_truth = eval::all_pairs_above(docs.size(), so.threshold, [&](std::size_t i, std::size_t j) {
      return cluster::story_similarity(docs[i], docs[j], so);
    });
    story = eval::candidate_quality(story_truth, story_cand, so.threshold, docs.size());
  }
  out.write(cli::format_quality(result, dup, story ? &*story : nullptr));
  out.commit();
  return 0;
}

/// `samestory gen`: streams the generator's articles and gold lines to their outputs.
int run_gen(const gen::GenOptions& opts, const std::string& out_path, const std::string& gold_path) {
  try {
    gen::validate(opts);
  } catch (const std::invalid_argument& e) {
    throw cli::UsageError(e.what());
  }
  if ((out_path.empty() || out_path == "-") && gold_path == "-")
    throw cli::UsageError("--gold - needs -o: the corpus already goes to stdout");
  AtomicOutput out(out_path);
  std::optional<AtomicOutput> gold;
  if (!gold_path.empty()) gold.emplace(gold_path);
  gen::Generator g(opts);
  std::string article, label, buf, gold_buf;
  while (g.next(article, label)) {
    buf += article;
    buf += '\n';
    if (gold) gold_buf += label, gold_buf += '\n';
    if (buf.size() >= (std::size_t{4} << 20)) {
      out.write(buf);
      buf.clear();
      if (gold) gold->write(gold_buf);
      gold_buf.clear();
    }
  }
  out.write(buf);
  if (gold) gold->write(gold_buf);
  out.commit();
  if (gold) gold->commit();
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"samestory: near-duplicate and story clustering for news articles"};
  app.require_subcommand(1);
  app.set_version_flag("--version", "samestory 0.1.0");

  RunFlags cluster_flags, dedup_flags;
  auto* cluster = app.add_subcommand("cluster", "Group articles into dup groups and stories (one record per article)");
  add_run_flags(*cluster, cluster_flags, true);
  auto* dedup = app.add_subcommand("dedup", "Dup groups only: assignments, or the unique (canonical) records");
  add_run_flags(*dedup, dedup_flags, false);
  dedup->add_option("--emit", dedup_flags.emit, "assignments: one record per article; unique: canonical input records")
      ->check(CLI::IsMember({"assignments", "unique"}))
      ->capture_default_str();

  std::string gold, pred, level = "story", eval_out = "-", only;
  auto* ev = app.add_subcommand("eval", "Score a clustering against gold labels (JSON metrics)");
  ev->add_option("--gold", gold, "Gold JSONL: {\"id\", \"story\" and/or \"dup_group\"}")->required();
  ev->add_option("--pred", pred, "Predicted JSONL (e.g. samestory cluster output)")->required();
  ev->add_option("--level", level, "Which label to score")
      ->check(CLI::IsMember({"story", "dup"}))
      ->capture_default_str();
  ev->add_option("--only", only, "Score only the gold ids listed in this file (one per line), e.g. a test split");
  ev->add_option("-o,--output", eval_out, "Output file (default: stdout)");

  RunFlags quality_flags;
  std::uint64_t quality_max_docs = 20000;
  bool quality_dup_only = false;
  auto* quality = app.add_subcommand(
      "quality", "Candidate recall and precision of the dup LSH and the story candidates against exact all pairs");
  add_run_flags(*quality, quality_flags, true);
  quality->add_flag("--dup-only", quality_dup_only, "Dup candidates only: no story stage and no story reference");
  quality
      ->add_option("--max-docs", quality_max_docs,
                   "Refuse more story docs than this (the exact story reference is O(n^2))")
      ->capture_default_str();

  cli::IndexCommand index_cmd(app);
  cli::BenchCommand bench_cmd(app);

  gen::GenOptions gen_opts;
  std::string gen_out, gen_gold;
  auto* gen_cmd = app.add_subcommand("gen", "Write a deterministic synthetic news corpus (JSONL) and its gold labels");
  gen_cmd->add_option("--articles", gen_opts.articles, "Articles to write")->required();
  gen_cmd->add_option("--seed", gen_opts.seed, "Seed: the same seed gives the same bytes")->capture_default_str();
  gen_cmd->add_option("-o,--output", gen_out, "Corpus JSONL (default: stdout)");
  gen_cmd->add_option("--gold", gen_gold, "Write gold labels {id, story, dup_group} here");
  gen_cmd->add_option("--dup-fraction", gen_opts.dup_fraction, "Share of articles that are re-posts")
      ->capture_default_str();
  gen_cmd->add_option("--story-fraction", gen_opts.story_fraction, "Share of originals reporting a multi-outlet event")
      ->capture_default_str();
  gen_cmd->add_option("--outlets", gen_opts.outlets, "Number of outlets")->capture_default_str();
  gen_cmd->add_option("--days", gen_opts.days, "Days the publication times spread over")->capture_default_str();
  gen_cmd->add_option("--mean-words", gen_opts.mean_words, "Mean article length in words")->capture_default_str();
  gen_cmd
      ->add_option("--big-event-reports", gen_opts.big_event_reports,
                   "Per block of 1,000 articles, one event reported by this many outlets (0: none)")
      ->capture_default_str();
  gen_cmd
      ->add_option("--sibling-fraction", gen_opts.sibling_fraction, "Share of events reusing an earlier event's actors")
      ->capture_default_str();
  gen_cmd
      ->add_option(
          "--big-siblings", gen_opts.big_siblings,
          "Per block, this many more big events reusing the big event's actors (siblings: another date and place)")
      ->check(CLI::Range(0, 3))
      ->capture_default_str();

  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForVersion& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    std::cerr << "samestory: " << e.what() << "\nRun with --help for usage.\n";
    return 2;
  }
  try {
    if (*cluster) return run(cluster_flags, true, false);
    if (*dedup) return run(dedup_flags, false, true);
    if (*ev) return run_eval(gold, pred, level, only, eval_out);
    if (*quality) return run_quality(quality_flags, quality_max_docs, quality_dup_only);
    if (*gen_cmd) return run_gen(gen_opts, gen_out, gen_gold);
    if (index_cmd.selected()) return index_cmd.run();
    if (bench_cmd.selected()) return bench_cmd.run();
  } catch (const cli::UsageError& e) {
    std::cerr << "samestory: " << e.what() << "\n";
    return 2;
  } catch (const std::invalid_argument& e) {
    std::cerr << "samestory: " << e.what() << "\n";
    return 2;
  } catch (const InputError& e) {
    std::cerr << "samestory: " << e.what() << "\n";
    return 1;
  } catch (const std::exception& e) {
    std::cerr << "samestory: " << e.what() << "\n";
    return 1;
  }
  return 2;
}
