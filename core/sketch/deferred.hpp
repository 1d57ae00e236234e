#pragma once
// Signatures whose boilerplate lines are decided later: most of the signing happens as each
// article is read, and the article's tokens need not be kept until the boilerplate lines of the
// whole corpus are known.

#include <cstdint>
#include <span>
#include <vector>

#include "sketch/minhash.hpp"

namespace samestory::sketch {

/// A line of an article's token sequence: tokens [begin, end), and for a line that may later be
/// dropped (a short line that may turn out to be boilerplate) a non-zero `hash` naming it.
struct TokenLine {
  std::uint32_t begin = 0, end = 0;
  std::uint64_t hash = 0;  ///< 0: never dropped
};

/// What a deferred signature still needs once its fixed windows are signed: the droppable lines
/// (their hashes and tokens) and, of each run of never-dropped lines between them, the first and
/// last shingle - 1 tokens (the whole run when it is that short). A few hundred bytes per
/// article where its tokens take kilobytes.
struct DeferredRest {
  struct Piece {
    std::uint64_t hash;  ///< a droppable line's hash; 0 for a piece of a run
    std::uint32_t end;   ///< end of the piece's tokens in `tokens` (it begins where the previous one ends)
    bool gap_before;     ///< a run's tail: the run's middle (already signed) lies between it and its head
  };
  std::vector<std::uint64_t> tokens;
  std::vector<Piece> pieces;
  std::uint64_t fixed_tokens = 0;  ///< tokens of the never-dropped lines

  /// Heap bytes held.
  std::size_t memory_bytes() const noexcept {
    return tokens.capacity() * sizeof(std::uint64_t) + pieces.capacity() * sizeof(Piece);
  }
};

/// Buffers a DeferredSigner reuses between calls (one per thread).
struct DeferredScratch {
  std::vector<std::uint64_t> segment, shingles;
  std::vector<std::uint8_t> keep;
};

/// Builds signatures in two steps. begin() signs every shingle that lies inside a run of
/// never-dropped lines, which no later choice of dropped lines can remove, and keeps in a
/// DeferredRest what the rest needs; finish(), given which droppable lines are dropped, signs
/// the shingles that touch a kept droppable line or span the place of a dropped one. The result
/// equals MinHasher::sign of the shingles of the kept lines' tokens, concatenated in order, for
/// every choice (tested against it): a MinHash value is a minimum over a set of shingles, and
/// the two steps cover that set (a shingle signed twice changes nothing).
class DeferredSigner {
 public:
  explicit DeferredSigner(const MinHasher& hasher) : h_(hasher) {}

  /// Starts the signature of `tokens`, cut into `lines` (in order, consecutive ranges), into
  /// `sig` and `filled` (sizes as MinHasher::start). `rest` is overwritten.
  void begin(std::span<const std::uint64_t> tokens, std::span<const TokenLine> lines, std::span<std::uint32_t> sig,
             std::span<std::uint64_t> filled, DeferredRest& rest, DeferredScratch& scratch) const;

  /// Completes it: `dropped(hash)` says whether the droppable line of that hash is dropped.
  /// Returns false when no token is left (the signature is then all 0xFFFFFFFF).
  template <class Dropped>
  bool finish(const DeferredRest& rest, Dropped dropped, std::span<std::uint32_t> sig, std::span<std::uint64_t> filled,
              DeferredScratch& scratch) const {
    scratch.keep.clear();
    for (const auto& p : rest.pieces) scratch.keep.push_back(p.hash == 0 || !dropped(p.hash));
    return finish_kept(rest, sig, filled, scratch);
  }

 private:
  bool finish_kept(const DeferredRest& rest, std::span<std::uint32_t> sig, std::span<std::uint64_t> filled,
                   DeferredScratch& scratch) const;

  const MinHasher& h_;
};

}  // namespace samestory::sketch
