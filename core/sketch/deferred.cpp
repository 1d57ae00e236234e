#include "sketch/deferred.hpp"

namespace samestory::sketch {

void DeferredSigner::begin(std::span<const std::uint64_t> tokens, std::span<const TokenLine> lines,
                           std::span<std::uint32_t> sig, std::span<std::uint64_t> filled, DeferredRest& rest,
                           DeferredScratch& scratch) const {
  h_.start(sig, filled);
  rest.tokens.clear();
  rest.pieces.clear();
  rest.fixed_tokens = 0;
  const std::size_t edge = h_.params().shingle - 1;  // a shingle reaches this far past a run's ends
  auto piece = [&](std::span<const std::uint64_t> t, std::uint64_t hash, bool gap_before) {
    rest.tokens.insert(rest.tokens.end(), t.begin(), t.end());
    rest.pieces.push_back({hash, static_cast<std::uint32_t>(rest.tokens.size()), gap_before});
  };
  for (std::size_t i = 0; i < lines.size();) {
    if (lines[i].hash != 0) {
      piece(tokens.subspan(lines[i].begin, lines[i].end - lines[i].begin), lines[i].hash, false);
      ++i;
      continue;
    }
    // A run of never-dropped lines: its own shingles are in every kept sequence, whatever is
    // dropped around it. Its lines' tokens, concatenated (they are usually contiguous already).
    std::size_t j = i + 1;
    bool contiguous = true;
    for (; j < lines.size() && lines[j].hash == 0; ++j) contiguous = contiguous && lines[j].begin == lines[j - 1].end;
    std::span<const std::uint64_t> run;
    if (contiguous) {
      run = tokens.subspan(lines[i].begin, lines[j - 1].end - lines[i].begin);
    } else {
      scratch.segment.clear();
      for (std::size_t k = i; k < j; ++k)
        scratch.segment.insert(scratch.segment.end(), tokens.begin() + lines[k].begin, tokens.begin() + lines[k].end);
      run = scratch.segment;
    }
    rest.fixed_tokens += run.size();
    if (run.size() >= h_.params().shingle) {
      scratch.shingles.clear();
      h_.shingles(run, scratch.shingles);
      h_.update(scratch.shingles, sig, filled);
    }
    if (run.size() > 2 * edge) {
      piece(run.first(edge), 0, false);
      piece(run.last(edge), 0, true);
    } else {
      piece(run, 0, false);
    }
    i = j;
  }
}

bool DeferredSigner::finish_kept(const DeferredRest& rest, std::span<std::uint32_t> sig,
                                 std::span<std::uint64_t> filled, DeferredScratch& scratch) const {
  const auto& keep = scratch.keep;
  std::uint64_t total = rest.fixed_tokens;
  for (std::size_t k = 0; k < rest.pieces.size(); ++k) {
    const std::uint32_t begin = k == 0 ? 0 : rest.pieces[k - 1].end;
    if (rest.pieces[k].hash != 0 && keep[k]) total += rest.pieces[k].end - begin;
  }
  const std::size_t w = h_.params().shingle;
  // A segment of consecutive kept tokens ends at a run's hidden middle: its shingles are those
  // of the kept sequence that do not reach into that middle (those lie inside the run, signed
  // by begin()). A kept sequence shorter than one shingle is one shingle (MinHasher::shingles):
  // it has no run longer than a shingle, hence no hidden middle, and is one segment.
  auto flush = [&] {
    if (scratch.segment.size() >= w || total < w) {
      scratch.shingles.clear();
      h_.shingles(scratch.segment, scratch.shingles);
      h_.update(scratch.shingles, sig, filled);
    }
    scratch.segment.clear();
  };
  scratch.segment.clear();
  for (std::size_t k = 0; k < rest.pieces.size(); ++k) {
    if (!keep[k]) continue;
    if (rest.pieces[k].gap_before) flush();
    const std::uint32_t begin = k == 0 ? 0 : rest.pieces[k - 1].end;
    scratch.segment.insert(scratch.segment.end(), rest.tokens.begin() + begin,
                           rest.tokens.begin() + rest.pieces[k].end);
  }
  flush();
  h_.finish(sig, filled);
  return total > 0;
}

}  // namespace samestory::sketch
