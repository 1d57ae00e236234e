#pragma once
// `samestory bench INPUT`: the end-to-end benchmark. Runs the limit pass (read + parse +
// tokenise + XXH3 of each token, nothing else) and then the full `cluster` pipeline with its
// output formatted and written, on the same input, and prints docs/s, MB/s, per-stage seconds,
// peak RSS and the ratio end-to-end / limit pass.

#include <CLI/CLI.hpp>
#include <memory>

namespace samestory::cli {

class BenchCommand {
 public:
  explicit BenchCommand(CLI::App& app);
  ~BenchCommand();
  /// True when `bench` was given on the command line.
  bool selected() const;
  /// Runs the benchmark and prints its report on stdout; returns the exit code.
  int run();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace samestory::cli
