#include "flags.hpp"

#include <unistd.h>

#include <cstdio>

namespace samestory::cli {

void add_run_flags(CLI::App& cmd, RunFlags& f, bool stories) {
  cmd.add_option("input", f.input, "JSONL file, - for stdin, or a folder of .txt files")->capture_default_str();
  cmd.add_option("-o,--output", f.output, "Output file (default: stdout); written to a temporary file and renamed");
  cmd.add_option("--threads", f.pipe.threads, "Worker threads (0 = all cores)")->capture_default_str();
  cmd.add_option("--dup-threshold", f.pipe.dup_threshold, "Jaccard similarity of word shingles for a near-duplicate")
      ->check(CLI::Range(0.01, 1.0))
      ->capture_default_str();
  if (stories)
    cmd.add_option("--story-threshold", f.pipe.story.threshold, "Average-link similarity at which stories merge")
        ->check(CLI::Range(0.001, 1.0))
        ->capture_default_str();
  if (stories) {
    cmd.add_option("--story-weights", f.story_weights, "Weights of the title, body, entity and bigram cosines")
        ->expected(4)
        ->check(CLI::Range(0.0, 100.0));
    cmd.add_option("--time-gate-days", f.pipe.story.time_gate_days,
                   "Dated articles further apart than this many days are less similar")
        ->check(CLI::Range(0.0, 1e6))
        ->capture_default_str();
    cmd.add_option("--time-factor", f.pipe.story.time_factor, "Similarity multiplier beyond the time gate")
        ->check(CLI::Range(0.0, 1.0))
        ->capture_default_str();
    cmd.add_option("--story-terms", f.pipe.story.max_terms,
                   "Per field, the highest-weighted TF-IDF terms an article keeps for stories (0 = all)")
        ->capture_default_str();
    cmd.add_option("--story-max-bucket", f.pipe.story.max_bucket,
                   "Articles sharing one salient term beyond which the term is chained, not paired all with all")
        ->check(CLI::Range(2u, 1u << 30))
        ->capture_default_str();
    cmd.add_option("--story-neighbors", f.pipe.story.max_candidates_per_doc,
                   "Story candidates per article: the pairs sharing most salient terms (0 = all)")
        ->capture_default_str();
    cmd.add_option("--cluster-gate-factor", f.pipe.story.cluster_gate_factor,
                   "Average-link multiplier for two dated clusters more than a week apart (1 = off)")
        ->check(CLI::Range(0.0, 1.0))
        ->capture_default_str();
    cmd.add_option("--conflict-factor", f.pipe.story.conflict_factor,
                   "Average-link multiplier for two large clusters that each have a defining entity the other lacks "
                   "(1 = off)")
        ->check(CLI::Range(0.0, 1.0))
        ->capture_default_str();
    cmd.add_option("--lead-conflict-share", f.pipe.story.lead_conflict_hi,
                   "The conflict gate also holds for two large clusters that each have a name in this share of "
                   "their leads (title and first two lines) and in at most 30% of the other's (above 1 = off)")
        ->check(CLI::Range(0.0, 2.0))
        ->capture_default_str();
    cmd.add_option("--figure-conflict-size", f.pipe.story.figure_conflict_size,
                   "The conflict gate also holds for two clusters of this many articles or more that each have "
                   "a decimal figure in half their articles and in none of the other's (0 = off)")
        ->capture_default_str();
    cmd.add_option("--number-weight", f.pipe.story.number_weight,
                   "Weight of the numbers cosine beside the --story-weights (0 = off)")
        ->check(CLI::Range(0.0, 100.0))
        ->capture_default_str();
    cmd.add_option("--evidence-share", f.pipe.story.evidence_share,
                   "Time gates are lifted between two clusters when this share of one's rare defining entities "
                   "occurs in the other (above 1 = never)")
        ->check(CLI::Range(0.0, 2.0))
        ->capture_default_str();
    cmd.add_option("--evidence-veto-mass", f.pipe.story.evidence_veto_mass,
                   "The lift is vetoed when each cluster's docs name, on average, this many rare entities of its "
                   "own (0 = any one)")
        ->check(CLI::Range(0.0, 100.0))
        ->capture_default_str();
    cmd.add_option("--big-story-size", f.pipe.story.big_min_size,
                   "Two clusters holding this many dup groups together whose average link misses the threshold are "
                   "compared whole, from summed vectors (0 = never)")
        ->capture_default_str();
  }
  cmd.add_option("--num-perm", f.pipe.minhash.num_perm, "MinHash signature length")
      ->check(CLI::Range(1, 4096))
      ->capture_default_str();
  cmd.add_option("--shingle", f.pipe.minhash.shingle, "Words per shingle")
      ->check(CLI::Range(1, 64))
      ->capture_default_str();
  cmd.add_option("--seed", f.pipe.minhash.seed, "Master seed of every hash permutation")->capture_default_str();
  cmd.add_option("--minhash", f.minhash,
                 "MinHash scheme: classic (k hash functions) or oph (one permutation, densified; faster)")
      ->check(CLI::IsMember({"classic", "oph"}))
      ->capture_default_str();
  cmd.add_option("--bands", f.bands, "LSH bands (default: optimal for the threshold; needs --rows)");
  cmd.add_option("--rows", f.rows, "LSH rows per band (needs --bands)");
  cmd.add_option("--verify", f.verify, "Candidate verification: estimate (MinHash) or exact (shingle sets)")
      ->check(CLI::IsMember({"estimate", "exact"}))
      ->capture_default_str();
  cmd.add_option("--boilerplate-min-docs", f.pipe.boilerplate_min_docs,
                 "Short lines seen in this many articles are boilerplate")
      ->check(CLI::Range(2u, 1u << 30))
      ->capture_default_str();
  cmd.add_option("--format", f.format, "Output format")->check(CLI::IsMember({"jsonl", "csv"}))->capture_default_str();
  cmd.add_option("--stats", f.stats_path, "Write run statistics (JSON) to this file");
  cmd.add_option("--id-field", f.read.fields.id, "Input field holding the id")->capture_default_str();
  cmd.add_option("--text-field", f.read.fields.text, "Input field holding the body text")->capture_default_str();
  cmd.add_option("--title-field", f.read.fields.title, "Input field holding the headline")->capture_default_str();
  cmd.add_option("--source-field", f.read.fields.source, "Input field holding the outlet")->capture_default_str();
  cmd.add_option("--time-field", f.read.fields.time, "Input field holding the publication time")->capture_default_str();
  cmd.add_option("--on-error", f.on_error, "Bad records: fail (exit 1) or skip (record them in --rejects)")
      ->check(CLI::IsMember({"fail", "skip"}))
      ->capture_default_str();
  cmd.add_option("--rejects", f.rejects_path, "With --on-error skip: write rejected records here with the reason");
  cmd.add_option("--max-article-bytes", f.read.max_article_bytes, "Larger records are rejected")
      ->check(CLI::Range(std::size_t{1}, std::size_t{1} << 34))
      ->capture_default_str();
  cmd.add_option("--summary", f.summary_path, "Write a readable story summary to this file (- for stdout)");
  cmd.add_flag("-q,--quiet", f.quiet, "No progress on stderr");
}

void apply_run_flags(RunFlags& f, bool stories) {
  if ((f.bands == 0) != (f.rows == 0)) throw UsageError("--bands and --rows go together");
  if (f.bands) {
    if (std::uint64_t{f.bands} * f.rows > f.pipe.minhash.num_perm)
      throw UsageError("--bands x --rows (" + std::to_string(f.bands * f.rows) + ") exceeds --num-perm (" +
                       std::to_string(f.pipe.minhash.num_perm) + ")");
    f.pipe.bands = lsh::BandParams{f.bands, f.rows};
  }
  f.pipe.minhash.scheme = sketch::parse_scheme(f.minhash);
  f.read.on_error = f.on_error == "skip" ? OnError::skip : OnError::fail;
  f.pipe.on_error = f.read.on_error;
  f.pipe.verify = f.verify == "exact" ? Verify::exact : Verify::estimate;
  f.pipe.stories = stories;
  if (!f.story_weights.empty()) {
    double total = 0;
    for (std::size_t i = 0; i < f.story_weights.size(); ++i) total += f.pipe.story.weights[i] = f.story_weights[i];
    if (!(total > 0)) throw UsageError("--story-weights must not all be 0");
  }
  if (!f.quiet && isatty(STDERR_FILENO)) {
    f.pipe.progress = [](std::string_view stage, std::uint64_t done) {
      std::fprintf(stderr, "\r\033[K%.*s: %llu articles", static_cast<int>(stage.size()), stage.data(),
                   static_cast<unsigned long long>(done));
      std::fflush(stderr);
    };
  }
}

}  // namespace samestory::cli
