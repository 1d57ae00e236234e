#pragma once
// Flags shared by the commands that read articles (`cluster`, `dedup`, `quality`, `index`).

#include <CLI/CLI.hpp>
#include <stdexcept>
#include <string>
#include <vector>

#include "io/reader.hpp"
#include "pipeline/pipeline.hpp"

namespace samestory::cli {

/// A usage error found after parsing (conflicting flags): exit code 2.
class UsageError : public std::runtime_error {
  using std::runtime_error::runtime_error;
};

/// Flags shared by the article-reading commands.
struct RunFlags {
  std::string input = "-";
  std::string output = "-";
  std::string format = "jsonl";
  std::string stats_path, rejects_path, summary_path;
  std::string on_error = "fail";
  std::string verify = "estimate";
  std::string minhash = "classic";
  std::string emit = "assignments";
  unsigned bands = 0, rows = 0;
  std::vector<double> story_weights;
  bool quiet = false;
  ReadOptions read;
  PipelineOptions pipe;
};

/// Registers the input, pipeline and output flags on `cmd` (story flags when `stories`).
void add_run_flags(CLI::App& cmd, RunFlags& f, bool stories);

/// Turns the parsed flags into read and pipeline options: error policy, verification, LSH
/// banding, story weights, and progress on stderr when it is a terminal and not --quiet.
/// Throws UsageError for flags that conflict.
void apply_run_flags(RunFlags& f, bool stories);

}  // namespace samestory::cli
