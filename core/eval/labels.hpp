#pragma once
// Reading (id, label) files for evaluation.

#include <string>

#include "eval/metrics.hpp"

namespace samestory::eval {

/// Reads a JSONL file of records with an "id" (string or number) and a `label_field` (string
/// or number), e.g. a gold file or `samestory cluster` output. Records without the label field
/// are skipped; a malformed line throws InputError naming file and line.
Labels read_labels(const std::string& path, const std::string& label_field);

}  // namespace samestory::eval
