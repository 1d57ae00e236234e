#pragma once
// `samestory index create|add|query|expire|stats DIR ...`: the persistent feed index.

#include <CLI/CLI.hpp>
#include <memory>

namespace samestory::cli {

/// Registers the `index` subcommand and its five subcommands on `app`.
class IndexCommand {
 public:
  explicit IndexCommand(CLI::App& app);
  ~IndexCommand();
  /// True when `index` was given on the command line.
  bool selected() const;
  /// Runs the chosen subcommand; returns the exit code. Throws like the other commands
  /// (UsageError, InputError, std::invalid_argument, std::runtime_error).
  int run();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace samestory::cli
