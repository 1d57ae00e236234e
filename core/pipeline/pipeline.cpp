#include "pipeline/pipeline.hpp"

#include <tbb/enumerable_thread_specific.h>
#include <tbb/parallel_for.h>
#include <tbb/task_arena.h>

#if defined(__unix__) || defined(__APPLE__)
#include <sys/resource.h>
#endif

#if defined(__GLIBC__)
#include <malloc.h>
#endif

#include <algorithm>
#include <chrono>
#include <limits>
#include <stdexcept>
#include <unordered_map>

#include "cluster/dup_groups.hpp"
#include "cluster/story_terms.hpp"
#include "detail/huge_pages.hpp"
#include "sketch/deferred.hpp"
#include "text/boilerplate.hpp"
#include "text/kept.hpp"
#include "tfidf/tfidf.hpp"

namespace samestory {
namespace {

using Clock = std::chrono::steady_clock;

/// User + system CPU seconds of the process so far (0 where getrusage is missing).
double process_cpu_seconds() {
#if defined(__unix__) || defined(__APPLE__)
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  return static_cast<double>(u.ru_utime.tv_sec + u.ru_stime.tv_sec) +
         static_cast<double>(u.ru_utime.tv_usec + u.ru_stime.tv_usec) * 1e-6;
#else
  return 0;
#endif
}

/// Wall and CPU seconds of each stage.
class StageTimer {
 public:
  explicit StageTimer(PipelineStats& s) : stats_(s), start_(Clock::now()), cpu_(process_cpu_seconds()) {}
  void lap(const char* stage) {
    const auto now = Clock::now();
    const double cpu = process_cpu_seconds();
    stats_.seconds.emplace_back(stage, std::chrono::duration<double>(now - start_).count());
    stats_.cpu_seconds.emplace_back(stage, cpu - cpu_);
    start_ = now;
    cpu_ = cpu;
  }

 private:
  PipelineStats& stats_;
  Clock::time_point start_;
  double cpu_;
};

/// Returns the free pages of the heap to the system (glibc keeps freed small blocks).
void trim_heap() {
#if defined(__GLIBC__)
  malloc_trim(0);
#endif
}

/// Feeds batches of articles to the pipeline: a reader, or a vector in memory.
using BatchFn = std::function<bool(std::vector<Article>&, std::vector<Reject>&)>;

/// Per line of `t`: 1 when the model says it is boilerplate, into `flags` (its capacity reused).
void boilerplate_flags(const text::AnalyzedText& t, const text::BoilerplateModel& bp,
                       std::vector<std::uint8_t>& flags) {
  flags.resize(t.lines.size());
  for (std::size_t i = 0; i < t.lines.size(); ++i) flags[i] = bp.is_boilerplate(t.lines[i]) ? 1 : 0;
}

PipelineResult run_impl(const BatchFn& next_batch, const std::function<std::uint64_t()>& bytes,
                        const std::string& input_name, const PipelineOptions& o) {
  if (!(o.dup_threshold > 0 && o.dup_threshold <= 1)) throw std::invalid_argument("dup threshold must be in (0, 1]");
  if (o.boilerplate_min_docs < 2) throw std::invalid_argument("boilerplate min docs must be at least 2");
  if (o.stories) cluster::check_story_options(o.story);  // before the stages that precede them
  const sketch::MinHasher hasher(o.minhash);
  const std::uint32_t k = o.minhash.num_perm;
  PipelineResult res;
  PipelineStats& st = res.stats;
  StageTimer timer(st);
  auto progress = [&](std::string_view stage, std::uint64_t done) {
    if (o.progress) o.progress(stage, done);
  };

  // 1. Read and analyse, batch by batch; the text is dropped once analysed. The analysed text
  // of every article is kept when a later stage needs it (the story terms, the shingle sets of
  // exact verification); otherwise each signature is started at once (DeferredSigner: all but
  // the shingles its possibly-boilerplate short lines touch) and only what it still needs is kept.
  const bool keep_text = o.stories || o.verify == Verify::exact;
  text::TextOptions text_options = o.text;
  text_options.entities = o.stories;  // entities are story terms only
  const sketch::DeferredSigner deferred(hasher);
  const std::size_t fw = hasher.filled_words();
  std::vector<text::AnalyzedText> analyzed;  // keep_text
  std::vector<sketch::DeferredRest> rests;   // !keep_text
  std::vector<std::uint32_t> sigs;
  std::vector<std::uint64_t> filled;  // oph: the filled bins of each signature being built
  struct SignScratch {
    text::AnalyzedText text;
    std::vector<sketch::TokenLine> lines;
    sketch::DeferredRest rest;
    sketch::DeferredScratch sign;
  };
  tbb::enumerable_thread_specific<SignScratch> sign_scratch;
  auto start_signature = [&](std::size_t i, const text::AnalyzedText& t, sketch::DeferredRest& rest, SignScratch& sc) {
    sc.lines.clear();
    for (const auto& l : t.lines) sc.lines.push_back({l.begin, l.end, l.hash});
    deferred.begin(t.tokens, sc.lines, std::span<std::uint32_t>(sigs.data() + i * k, k),
                   std::span<std::uint64_t>(filled.data() + i * fw, fw), rest, sc.sign);
  };
  std::vector<cluster::CanonicalKey> keys;
  std::unordered_map<std::string, std::uint64_t> seen_ids;
  std::vector<Article> batch;
  std::vector<Reject> batch_rejects;
  while (true) {
    batch.clear();
    batch_rejects.clear();
    if (!next_batch(batch, batch_rejects)) break;
    const std::size_t first = res.articles.size();
    std::vector<std::uint8_t> keep(batch.size(), 1);
    // Rejects from the reader and duplicate ids, merged in line order.
    std::size_t r = 0;
    std::vector<Reject> ordered;
    for (std::size_t i = 0; i < batch.size(); ++i) {
      while (r < batch_rejects.size() && batch_rejects[r].line < batch[i].line)
        ordered.push_back(std::move(batch_rejects[r++]));
      auto [it, fresh] = seen_ids.emplace(batch[i].id, batch[i].line);
      if (!fresh) {
        keep[i] = 0;
        Reject rj{input_name, batch[i].line,
                  "duplicate id \"" + batch[i].id + "\" (first seen at line " + std::to_string(it->second) + ")",
                  batch[i].raw};
        if (o.on_error == OnError::fail) throw InputError(rj);
        ordered.push_back(std::move(rj));
      }
    }
    while (r < batch_rejects.size()) ordered.push_back(std::move(batch_rejects[r++]));
    for (auto& rj : ordered) res.rejects.push_back(std::move(rj));
    std::size_t n_keep = 0;
    for (std::size_t i = 0; i < batch.size(); ++i) {
      if (!keep[i]) continue;
      if (n_keep != i) batch[n_keep] = std::move(batch[i]);
      ++n_keep;
    }
    batch.resize(n_keep);
    const std::size_t total = first + batch.size();
    if (total > std::numeric_limits<std::uint32_t>::max() - 1)
      throw std::invalid_argument("more than 2^32 - 2 articles");
    if (keep_text) {
      analyzed.resize(total);
    } else {
      rests.resize(total);
      if (sigs.capacity() < total * k) {
        // Grown by doubling, each new array advised for huge pages before it is first written.
        std::vector<std::uint32_t> grown;
        grown.reserve(std::max(total * k, 2 * sigs.capacity()));
        detail::advise_huge_pages(grown.data(), grown.capacity() * sizeof(std::uint32_t));
        grown.assign(sigs.begin(), sigs.end());
        sigs.swap(grown);
      }
      sigs.resize(total * k);
      filled.resize(total * fw);
    }
    res.articles.resize(total);
    keys.resize(total);
    tbb::parallel_for(std::size_t{0}, batch.size(), [&](std::size_t i) {
      Article& a = batch[i];
      SignScratch& sc = sign_scratch.local();
      text::AnalyzedText& t = keep_text ? analyzed[first + i] : sc.text;
      text::analyze(a.title, a.text, text_options, t);
      if (keep_text) {
        // Kept until the story stage: no growth slack.
        t.tokens.shrink_to_fit();
        t.lines.shrink_to_fit();
        t.title_tokens.shrink_to_fit();
        t.entities.shrink_to_fit();
        t.entity_kinds.shrink_to_fit();
      } else {
        sketch::DeferredRest& rest = rests[first + i];
        start_signature(first + i, t, rest, sc);
        rest.tokens.shrink_to_fit();
        rest.pieces.shrink_to_fit();
      }
      ArticleOutcome& out = res.articles[first + i];
      out.id = std::move(a.id);
      out.title = std::move(a.title);
      out.source = std::move(a.source);
      if (o.keep_records) out.raw = std::move(a.raw);
      out.offset = a.offset;
      out.length = a.length;
      out.published = a.published;
      keys[first + i] = {a.published, a.text.size()};
    });
    progress("read", res.articles.size());
  }
  std::vector<Article>().swap(batch);
  const std::size_t n = res.articles.size();
  st.accepted = n;
  st.rejected = res.rejects.size();
  st.read = st.accepted + st.rejected;
  st.input_bytes = bytes();
  timer.lap("read+analyse");

  // 2. Boilerplate lines: the short lines of the analysed text, or the pieces of the started
  // signatures with a hash (the same lines).
  text::BoilerplateModel bp(o.boilerplate_min_docs);
  if (keep_text) {
    for (const auto& t : analyzed) bp.add(t);
  } else {
    std::vector<std::uint64_t> hashes;
    for (const auto& r : rests) {
      hashes.clear();
      for (const auto& p : r.pieces) hashes.push_back(p.hash);
      bp.add(hashes);
    }
  }
  bp.finalize();
  st.boilerplate_lines = bp.size();
  for (const auto& t : analyzed)
    for (const auto& l : t.lines) st.boilerplate_dropped += bp.is_boilerplate(l);
  for (const auto& r : rests)
    for (const auto& p : r.pieces) st.boilerplate_dropped += bp.is_boilerplate(p.hash);
  timer.lap("boilerplate");

  // 3. Signatures, in parallel, in one flat array (started here from the analysed text when it
  // was kept): the shingles around the short lines, boilerplate dropped.
  if (keep_text) {
    detail::resize_huge(sigs, n * k);
    filled.resize(n * fw);
  }
  std::vector<std::uint8_t> include(n, 0);
  std::vector<std::vector<std::uint64_t>> sets(o.verify == Verify::exact ? n : 0);
  tbb::parallel_for(tbb::blocked_range<std::size_t>(0, n, 16), [&](const auto& range) {
    SignScratch& sc = sign_scratch.local();
    std::vector<std::uint64_t> tokens, shingles;
    std::vector<std::uint8_t> flags;
    for (std::size_t i = range.begin(); i < range.end(); ++i) {
      if (keep_text) start_signature(i, analyzed[i], sc.rest, sc);
      sketch::DeferredRest& rest = keep_text ? sc.rest : rests[i];
      include[i] = deferred.finish(
          rest, [&](std::uint64_t line) { return bp.is_boilerplate(line); },
          std::span<std::uint32_t>(sigs.data() + i * k, k), std::span<std::uint64_t>(filled.data() + i * fw, fw),
          sc.sign);
      if (!keep_text) rest = sketch::DeferredRest{};
      if (o.verify == Verify::exact) {
        boilerplate_flags(analyzed[i], bp, flags);
        text::kept_tokens(analyzed[i], flags, tokens, nullptr);
        shingles.clear();
        hasher.shingles(tokens, shingles);
        std::sort(shingles.begin(), shingles.end());
        shingles.erase(std::unique(shingles.begin(), shingles.end()), shingles.end());
        sets[i] = shingles;
      }
    }
  });
  std::vector<sketch::DeferredRest>().swap(rests);
  std::vector<std::uint64_t>().swap(filled);
  for (auto x : include) st.empty_articles += !x;
  progress("sketch", n);
  timer.lap("minhash");

  // 4. LSH candidates, verification, dup groups.
  st.bands = o.bands ? *o.bands : lsh::optimal_bands(o.dup_threshold, k, o.lsh_fp_weight, o.lsh_fn_weight);
  const auto cand = lsh::candidate_pairs(sigs, k, include, st.bands, o.minhash.seed, o.max_bucket, st.dup_candidates);
  timer.lap("lsh");
  if (o.inspect_dup_candidates) o.inspect_dup_candidates(sets, cand);
  auto similarity = [&](std::uint32_t i, std::uint32_t j) {
    if (o.verify == Verify::exact) return sketch::exact_jaccard(sets[i], sets[j]);
    return sketch::estimate_jaccard(std::span<const std::uint32_t>(sigs.data() + std::size_t{i} * k, k),
                                    std::span<const std::uint32_t>(sigs.data() + std::size_t{j} * k, k));
  };
  const auto edges = cluster::verify_pairs(
      cand, [&](std::uint32_t i, std::uint32_t j) { return similarity(i, j) >= o.dup_threshold - 1e-12; });
  st.verified_edges = edges.size();
  const auto canonical = cluster::dup_groups(edges, keys);
  std::vector<std::uint32_t> canon_list;
  std::vector<std::uint32_t> group_size(n, 0);
  for (std::uint32_t i = 0; i < n; ++i) {
    res.articles[i].canonical = canonical[i];
    ++group_size[canonical[i]];
    if (canonical[i] == i) canon_list.push_back(i);
  }
  tbb::parallel_for(std::size_t{0}, n, [&](std::size_t i) {
    const auto c = canonical[i];
    res.articles[i].dup_score = c == i ? 1.0f : static_cast<float>(similarity(static_cast<std::uint32_t>(i), c));
  });
  st.dup_groups = canon_list.size();
  for (auto c : canon_list) st.dup_groups_multi += group_size[c] > 1;
  progress("dedup", n);
  timer.lap("verify+groups");
  std::vector<std::uint32_t>().swap(sigs);
  std::vector<std::vector<std::uint64_t>>().swap(sets);
  // Only the canonicals' text features are needed from here on.
  if (keep_text)
    tbb::parallel_for(std::size_t{0}, n, [&](std::size_t i) {
      if (canonical[i] != i) analyzed[i] = text::AnalyzedText{};
    });

  // 5. Stories over the canonicals.
  const std::size_t m = canon_list.size();
  std::vector<std::uint32_t> story_lead(m);
  std::vector<float> story_score(m, 1.0f);
  if (o.stories && m > 0) {
    // The extras the options read (StoryExtra): numbers when weighted, lead names and figures
    // when their conflict gates are on.
    const auto& so = o.story;
    const bool gates = so.conflict_factor < 1;
    const std::array<bool, cluster::kStoryExtras> wanted{so.number_weight > 0, gates && so.lead_conflict_hi <= 1,
                                                         gates && so.figure_conflict_size > 0};
    const bool any_extra = wanted[0] || wanted[1] || wanted[2];
    // Each field's term counts in blocks of tfidf::kBlockDocs canonicals (one array a block,
    // filled by one task), as fit_rows takes them.
    const std::size_t blocks = (m + tfidf::kBlockDocs - 1) / tfidf::kBlockDocs;
    std::array<std::vector<tfidf::CountBlock>, cluster::kStoryFields> counts;
    std::array<std::vector<tfidf::CountBlock>, cluster::kStoryExtras> extra;
    for (auto& f : counts) f.resize(blocks);
    for (std::size_t x = 0; x < cluster::kStoryExtras; ++x) extra[x].resize(wanted[x] ? blocks : 0);
    // A block is collected in per-thread blocks (their capacity reused) and copied out at its
    // exact size.
    struct TermScratch {
      std::vector<std::uint8_t> flags;
      std::array<tfidf::TermCounts, cluster::kStoryFields> terms;
      std::array<tfidf::TermCounts, cluster::kStoryExtras> extras;
      std::array<tfidf::CountBlock, cluster::kStoryFields> block;
      std::array<tfidf::CountBlock, cluster::kStoryExtras> extra_block;
    };
    tbb::enumerable_thread_specific<TermScratch> term_scratch;
    tbb::parallel_for(std::size_t{0}, blocks, [&](std::size_t b) {
      TermScratch& sc = term_scratch.local();
      for (auto& f : sc.block) f.clear();
      for (auto& x : sc.extra_block) x.clear();
      for (std::size_t c = b * tfidf::kBlockDocs; c < std::min(m, (b + 1) * tfidf::kBlockDocs); ++c) {
        text::AnalyzedText& t = analyzed[canon_list[c]];
        boilerplate_flags(t, bp, sc.flags);
        cluster::story_terms(t, sc.flags, sc.terms);
        for (std::size_t f = 0; f < cluster::kStoryFields; ++f) sc.block[f].add(sc.terms[f]);
        if (any_extra) {
          cluster::story_extra_terms(t, sc.flags, sc.extras);
          for (std::size_t x = 0; x < cluster::kStoryExtras; ++x)
            if (wanted[x]) sc.extra_block[x].add(sc.extras[x]);
        }
        t = text::AnalyzedText{};  // each article's text features go as soon as they are counted
      }
      for (std::size_t f = 0; f < cluster::kStoryFields; ++f) counts[f][b] = sc.block[f];
      for (std::size_t x = 0; x < cluster::kStoryExtras; ++x)
        if (wanted[x]) extra[x][b] = sc.extra_block[x];
    });
    std::vector<text::AnalyzedText>().swap(analyzed);
    cluster::StoryCorpus docs;
    // Each field's counts are freed once its rows are built. They are large blocks of the heap,
    // which glibc may keep: they are given back, so that the next field's sort buffers and rows
    // (fresh mappings) do not come on top of them in the peak.
    for (std::size_t f = 0; f < cluster::kStoryFields; ++f) {
      docs.fields[f] = tfidf::fit_rows(counts[f], f == cluster::kBigram ? 2 : 1, o.story.max_terms);
      std::vector<tfidf::CountBlock>().swap(counts[f]);
      trim_heap();
    }
    for (std::size_t x = 0; x < cluster::kStoryExtras; ++x) {
      if (!wanted[x]) continue;
      docs.extras[x] = tfidf::fit_rows(extra[x], 1, x == cluster::kNumbers ? so.max_terms : 0);
      std::vector<tfidf::CountBlock>().swap(extra[x]);
      trim_heap();
    }
    docs.published.resize(m);
    docs.keys.resize(m);
    for (std::size_t c = 0; c < m; ++c) {
      docs.published[c] = keys[canon_list[c]].published;
      docs.keys[c] = keys[canon_list[c]];
    }
    timer.lap("tfidf");
    if (o.inspect_story_docs) o.inspect_story_docs(docs, canon_list);
    auto sr = cluster::cluster_stories(std::move(docs), o.story);
    st.story = sr.stats;
    story_lead = std::move(sr.lead);
    story_score = std::move(sr.score);
    timer.lap("stories");
  } else {
    for (std::size_t c = 0; c < m; ++c) story_lead[c] = static_cast<std::uint32_t>(c);
  }
  std::vector<std::uint32_t> canon_pos(n, 0);
  for (std::size_t c = 0; c < m; ++c) canon_pos[canon_list[c]] = static_cast<std::uint32_t>(c);
  std::vector<std::uint32_t> story_members(m, 0);
  for (std::size_t c = 0; c < m; ++c) ++story_members[story_lead[c]];
  for (std::size_t c = 0; c < m; ++c) {
    if (story_lead[c] != c) continue;
    ++st.stories;
    st.stories_multi += story_members[c] > 1;
  }
  for (std::uint32_t i = 0; i < n; ++i) {
    const auto c = canon_pos[canonical[i]];
    res.articles[i].story = canon_list[story_lead[c]];
    res.articles[i].story_score = story_score[c];
  }
  st.threads = static_cast<unsigned>(tbb::this_task_arena::max_concurrency());
  progress("done", n);
  return res;
}

template <class F>
PipelineResult in_arena(unsigned threads, F&& f) {
  if (threads == 0) return f();
  tbb::task_arena arena(static_cast<int>(threads));
  return arena.execute(std::forward<F>(f));
}

}  // namespace

PipelineResult run_pipeline(ArticleReader& reader, const PipelineOptions& options) {
  return in_arena(options.threads, [&] {
    return run_impl([&](std::vector<Article>& out, std::vector<Reject>& rej) { return reader.next_batch(out, rej); },
                    [&] { return reader.bytes_read(); }, reader.name(), options);
  });
}

PipelineResult run_pipeline(std::vector<Article> articles, const PipelineOptions& options) {
  bool given = false;
  std::uint64_t bytes = 0;
  for (std::size_t i = 0; i < articles.size(); ++i) {
    if (articles[i].line == 0) articles[i].line = i + 1;
    bytes += articles[i].text.size() + articles[i].title.size();
  }
  return in_arena(options.threads, [&] {
    return run_impl(
        [&](std::vector<Article>& out, std::vector<Reject>&) {
          if (given) return false;
          given = true;
          out = std::move(articles);
          return true;
        },
        [&] { return bytes; }, "<memory>", options);
  });
}

}  // namespace samestory
