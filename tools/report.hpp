#pragma once
// Output of the CLI: result records, the readable summary and the stats JSON.

#include <optional>
#include <string>

#include "eval/reference.hpp"
#include "io/writer.hpp"
#include "pipeline/pipeline.hpp"

namespace samestory::cli {

enum class Format { jsonl, csv };

/// Writes one record per accepted article in input order, in pieces (the whole output is never
/// held at once). With `stories` false the story fields are left out (the `dedup` assignments).
void write_records(AtomicOutput& out, const PipelineResult& r, Format format, bool stories);

/// Writes the canonical records verbatim, one per line (`dedup --emit unique`): copied from
/// `input` when given (ArticleOutcome::offset and length), else from ArticleOutcome::raw.
void write_unique(AtomicOutput& out, const PipelineResult& r, std::optional<SourceFile>& input);

/// Human-readable story summary: counts, then the largest stories with their articles.
std::string format_summary(const PipelineResult& r, std::size_t max_stories);

/// The --stats JSON object.
std::string format_stats(const PipelineResult& r, double total_seconds, long peak_rss_kb);

/// The `quality` JSON: dup and story candidate recall/precision against exact all pairs (story
/// null when not measured).
std::string format_quality(const PipelineResult& r, const eval::CandidateQuality& dup,
                           const eval::CandidateQuality* story);

/// One line per reject: "file:line<TAB>reason<TAB>record verbatim".
std::string format_rejects(const PipelineResult& r);

}  // namespace samestory::cli
