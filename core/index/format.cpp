// The index file: fixed little-endian header, section table, checksummed sections
// (docs/format.md documents every byte).

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <tbb/parallel_for.h>
#include <tbb/parallel_invoke.h>
#include <unistd.h>
#include <xxhash.h>

#include <algorithm>
#include <bit>
#include <cerrno>
#include <cstddef>
#include <cstring>
#include <exception>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <type_traits>

#include "detail/huge_pages.hpp"
#include "index/detail/journal.hpp"
#include "index/detail/state.hpp"
#include "index/index.hpp"
#include "io/writer.hpp"

namespace samestory::index {

static_assert(std::endian::native == std::endian::little, "the index format is little-endian; add byte swapping");

using detail::kNone;
using detail::kNoTime;
using detail::State;
using detail::Term;

namespace {

constexpr unsigned char kMagic[8] = {'S', 'S', 'I', 'D', 'X', 0, 0, 1};
// 2: 32-bit MinHash family and its scheme, hashed bigram df, 200-byte header.
// 3: the lines and df maps in table order (FlatMap::mix of the key) instead of key order.
// 4: the layout of 3; a journal beside the file (journal.ssj) is part of the index, so builds
//    that would ignore it (readers of 2 and 3 only) refuse the file instead of losing its adds.
constexpr std::uint32_t kVersion = 4;
constexpr std::uint32_t kOldestVersion = 2;  // read too (the map orders differ)
constexpr std::uint32_t kTypeFeedIndex = 1;
constexpr std::size_t kHeaderBytes = 200;  // including the header checksum
constexpr std::size_t kSectionEntry = 32;

enum Section : std::uint32_t {
  kIds = 1,
  kSlots,
  kSignatures,
  kDocs,
  kTerms,
  kStories,
  kLines,
  kDf,
  kLsh,
  kPostings,
  kSections = 10
};
static_assert(detail::kIdentityBytes == kHeaderBytes + kSections * kSectionEntry + 8,
              "a file's identity covers its header and section table");
const char* section_name(std::uint32_t id) {
  static const char* names[] = {"?",       "ids",   "slots", "signatures", "docs",    "terms",
                                "stories", "lines", "df",    "lsh",        "postings"};
  return id >= 1 && id <= kSections ? names[id] : "?";
}

class Writer {
 public:
  std::string b;
  template <class T>
  void put(T v) {
    char raw[sizeof(T)];
    std::memcpy(raw, &v, sizeof(T));
    b.append(raw, sizeof(T));
  }
  template <class T>
  void put_array(const T& v) {
    b.append(reinterpret_cast<const char*>(v.data()), v.size() * sizeof(typename T::value_type));
  }
  void put_string(const std::string& s) {
    put(static_cast<std::uint32_t>(s.size()));
    b += s;
  }
  void pad8() { b.append((8 - b.size() % 8) % 8, '\0'); }
};

/// Bounds-checked reader over one section: never trusts a length.
class Reader {
 public:
  Reader(std::string_view bytes, std::uint32_t section) : b_(bytes), section_(section) {}
  void need(std::size_t n) const {
    if (n > b_.size() - pos_) truncated(std::to_string(n));
  }
  template <class T>
  T get() {
    need(sizeof(T));
    T v;
    std::memcpy(&v, b_.data() + pos_, sizeof(T));
    pos_ += sizeof(T);
    return v;
  }
  template <class V>
  void get_array(V& v, std::uint64_t n) {
    using T = typename V::value_type;
    // A count from the file: its size in bytes may not even fit in 64 bits.
    if (n > (b_.size() - pos_) / sizeof(T))
      truncated(n > UINT64_MAX / sizeof(T) ? "more than 2^64" : std::to_string(n * sizeof(T)));
    const char* p = b_.data() + pos_;
    if (n * sizeof(T) >= samestory::detail::kHugePageMin) {
      if (v.capacity() < n) v.reserve(static_cast<std::size_t>(n));
      samestory::detail::populate_pages(v.data(), static_cast<std::size_t>(n) * sizeof(T));
    }
    if (reinterpret_cast<std::uintptr_t>(p) % alignof(T) == 0) {
      // A copy straight from the (mapped) bytes: no zero fill first, capacity kept.
      v.assign(reinterpret_cast<const T*>(p), reinterpret_cast<const T*>(p) + n);
    } else {
      v.resize(static_cast<std::size_t>(n));
      if (!v.empty()) std::memcpy(v.data(), p, v.size() * sizeof(T));  // data() may be null
    }
    pos_ += v.size() * sizeof(T);
  }
  std::string get_string() {
    const auto n = get<std::uint32_t>();
    need(n);
    std::string s(b_.data() + pos_, n);
    pos_ += n;
    return s;
  }
  /// Skips the zero padding to the next 8-byte boundary of the section.
  void pad8() {
    const std::size_t n = (8 - pos_ % 8) % 8;
    need(n);
    for (std::size_t i = 0; i < n; ++i)
      if (b_[pos_ + i] != 0) bad("non-zero padding at offset " + std::to_string(pos_ + i));
    pos_ += n;
  }
  std::size_t pos() const noexcept { return pos_; }
  [[noreturn]] void bad(const std::string& what) const {
    throw std::runtime_error("section " + std::to_string(section_) + " (" + section_name(section_) + "): " + what);
  }
  void done() const {
    if (pos_ != b_.size()) bad(std::to_string(b_.size() - pos_) + " unexpected trailing bytes");
  }

 private:
  [[noreturn]] void truncated(const std::string& needed) const {
    throw std::runtime_error("section " + std::to_string(section_) + " (" + section_name(section_) +
                             ") is truncated: needs " + needed + " bytes at offset " + std::to_string(pos_) + ", has " +
                             std::to_string(b_.size() - pos_));
  }
  std::string_view b_;
  std::size_t pos_ = 0;
  std::uint32_t section_;
};

/// Capacity for n elements and an eighth more.
static_assert(sizeof(Term) == 16 && offsetof(Term, key) == 0 && offsetof(Term, count) == 8 &&
                  offsetof(Term, weight) == 12 && std::is_trivially_copyable_v<Term>,
              "Term is the terms section's record");

std::size_t headroom(std::uint64_t n) {
  return static_cast<std::size_t>(n + n / 8 + 64);
}

}  // namespace

namespace {

/// The index file in pieces: the header with the section table, then each section (to be
/// padded to 8 bytes), and the file's size.
struct FileParts {
  std::string head;
  std::vector<std::pair<std::uint32_t, std::string>> sections;
  std::vector<std::uint64_t> at;  // each section's offset in the file
  std::uint64_t size = 0;
};

FileParts file_parts(const State& s) {
  const auto& p = s.params;
  const std::uint64_t n = s.ids.size(), m = s.doc_story.size();
  // The sections are built side by side (each its own bytes; the LSH tables in parallel too).
  std::vector<std::pair<std::uint32_t, std::string>> sections(kSections);
  const auto done = [&](std::uint32_t id, Writer& w) { sections[id - 1] = {id, std::move(w.b)}; };
  auto ids_section = [&] {
    Writer w;
    w.put(n);
    for (const auto& id : s.ids) w.put_string(id);
    done(kIds, w);
  };
  auto slots_section = [&] {
    Writer w;
    w.b.reserve(n * 40);
    for (std::size_t x = 0; x < n; ++x) {
      w.put(s.published[x]);
      w.put(s.inserted[x]);
      w.put(s.length[x]);
      w.put(s.parent[x]);
      w.put(s.canon[x]);
      w.put(s.group_doc[x]);
      w.put(static_cast<std::uint32_t>(s.flags[x]));
    }
    done(kSlots, w);
  };
  auto signatures_section = [&] {
    Writer w;
    w.put_array(s.sigs);
    done(kSignatures, w);
  };
  auto docs_section = [&] {
    Writer w;
    for (std::size_t d = 0; d < m; ++d) {
      w.put(s.doc_story[d]);
      w.put(s.doc_slot[d]);
      w.put(s.doc_published[d]);
      w.put(s.doc_score[d]);
      w.put(s.doc_refs[d]);
      w.put(static_cast<std::uint32_t>(s.doc_begin[d + 1] - s.doc_begin[d]));
      w.put(static_cast<std::uint8_t>(s.doc_alive[d]));
      w.put(static_cast<std::uint8_t>(s.doc_mask[d]));
      w.put(std::uint16_t{0});
    }
    done(kDocs, w);
  };
  auto terms_section = [&] {
    Writer w;
    w.b.reserve(s.terms.size() * 16);
    for (const auto& t : s.terms) {
      w.put(t.key);
      w.put(t.count);
      w.put(t.weight);
    }
    done(kTerms, w);
  };
  auto stories_section = [&] {
    Writer w;
    w.put(static_cast<std::uint64_t>(s.story_name.size()));
    for (std::size_t i = 0; i < s.story_name.size(); ++i) {
      w.put(s.story_size[i]);
      w.put_string(s.story_name[i]);
    }
    done(kStories, w);
  };
  auto sorted_map = [](const detail::FlatMap<std::uint32_t>& mp, Writer& w) {
    std::vector<std::pair<std::uint64_t, std::uint32_t>> v;
    v.reserve(mp.size());
    mp.for_each([&](std::uint64_t k, std::uint32_t c) { v.emplace_back(k, c); });
    using Map = detail::FlatMap<std::uint32_t>;
    std::sort(v.begin(), v.end(), [](const auto& x, const auto& y) { return Map::mix(x.first) < Map::mix(y.first); });
    w.put(static_cast<std::uint64_t>(v.size()));
    for (const auto& [k, c] : v) {
      w.put(k);
      w.put(c);
    }
  };
  auto lines_section = [&] {
    Writer w;
    sorted_map(s.lines, w);
    done(kLines, w);
  };
  auto df_section = [&] {
    Writer w;
    w.put(s.df_docs);
    sorted_map(s.df, w);
    // Bigram counters: the non-zero ones, by bucket.
    const std::uint32_t buckets = std::uint32_t{1} << State::kBigramDfBits;
    std::uint64_t nonzero = 0;
    for (std::uint32_t i = 0; i < buckets; ++i) nonzero += s.bigram_df[i] != 0;
    const bool dense = nonzero * 8 >= std::uint64_t{buckets} * 4;
    w.put(State::kBigramDfBits);
    w.put(std::uint32_t{dense ? 1u : 0u});
    w.put(nonzero);
    if (dense) {
      w.b.append(reinterpret_cast<const char*>(s.bigram_df.get()), std::size_t{buckets} * 4);
    } else {
      for (std::uint32_t i = 0; i < buckets; ++i)
        if (s.bigram_df[i]) {
          w.put(i);
          w.put(s.bigram_df[i]);
        }
    }
    done(kDf, w);
  };
  const auto included = [&](std::uint32_t x) {
    return (s.flags[x] & (State::kAlive | State::kInclude)) == (State::kAlive | State::kInclude);
  };
  auto lsh_section = [&] {
    // LSH tables: each band's (key, slot) entries of live articles with shingles, the pending
    // ones merged in, ascending by (key, slot).
    std::vector<std::string> parts(s.bands.bands);
    tbb::parallel_for(std::uint32_t{0}, s.bands.bands, [&](std::uint32_t b) {
      std::vector<std::uint64_t> keys;
      std::vector<std::uint32_t> slots;
      keys.reserve(s.tables[b].keys.size() + s.tables[b].entries.size());
      slots.reserve(keys.capacity());
      s.tables[b].for_each_sorted([&](std::uint64_t key, std::uint32_t x) {
        if (included(x)) keys.push_back(key), slots.push_back(x);
      });
      Writer w;
      w.put(static_cast<std::uint64_t>(keys.size()));
      w.put_array(keys);
      w.put_array(slots);
      w.pad8();
      parts[b] = std::move(w.b);
    });
    Writer w;
    w.put(s.bands.bands);
    w.put(std::uint32_t{0});
    for (const auto& part : parts) w.b += part;
    done(kLsh, w);
  };
  auto postings_section = [&] {
    // Postings: every salient term's live story docs, loaded lists and those added since merged.
    std::vector<std::uint64_t> keys, begin{0};
    std::vector<std::uint32_t> docs;
    s.for_each_posting([&](std::uint64_t key, const std::vector<std::uint32_t>& list) {
      for (const auto d : list)
        if (s.doc_alive[d]) docs.push_back(d);
      if (docs.size() == begin.back()) return;
      keys.push_back(key);
      begin.push_back(docs.size());
    });
    Writer w;
    w.put(static_cast<std::uint64_t>(keys.size()));
    w.put(static_cast<std::uint64_t>(docs.size()));
    w.put_array(keys);
    w.put_array(begin);
    w.put_array(docs);
    w.pad8();
    done(kPostings, w);
  };

  tbb::parallel_invoke(ids_section, slots_section, signatures_section, docs_section, terms_section, stories_section,
                       lines_section, df_section, lsh_section, postings_section);
  std::vector<std::uint64_t> sums(sections.size());
  tbb::parallel_for(std::size_t{0}, sections.size(), [&](std::size_t i) {
    sums[i] = XXH3_64bits(sections[i].second.data(), sections[i].second.size());
  });
  Writer h;
  h.b.append(reinterpret_cast<const char*>(kMagic), 8);
  h.put(kVersion);
  h.put(kTypeFeedIndex);
  h.put(p.minhash.num_perm);
  h.put(s.bands.bands);
  h.put(s.bands.rows);
  h.put(p.minhash.shingle);
  h.put(detail::seed_hash(p.minhash.seed));
  h.put(p.minhash.seed);
  h.put(p.dup_threshold);
  h.put(p.story.threshold);
  h.put(p.boilerplate_min_docs);
  h.put(p.text.boilerplate_max_tokens);
  h.put(p.max_bucket);
  h.put(p.story_terms);
  for (double w : p.story.weights) h.put(w);
  h.put(p.story.time_gate_days);
  h.put(p.story.time_factor);
  h.put(p.story.min_shared);
  h.put(p.story.max_bucket);
  h.put(p.story.min_edge);
  std::uint64_t live = 0;
  for (auto f : s.flags) live += f & State::kAlive;
  h.put(n);
  h.put(live);
  h.put(m);
  h.put(static_cast<std::uint64_t>(s.story_name.size()));
  h.put(static_cast<std::uint32_t>(sections.size()));
  h.put(p.story.max_candidates_per_doc);
  h.put(static_cast<std::uint32_t>(p.minhash.scheme));
  h.put(std::uint32_t{0});  // reserved
  h.put(XXH3_64bits(h.b.data(), h.b.size()));
  if (h.b.size() != kHeaderBytes) throw std::logic_error("index header size");
  // Section table, then the sections, each starting on an 8-byte boundary.
  std::uint64_t offset = kHeaderBytes + sections.size() * kSectionEntry + 8;
  const std::size_t table_at = h.b.size();
  std::vector<std::uint64_t> at(sections.size());
  for (std::size_t i = 0; i < sections.size(); ++i) {
    const auto& [id, bytes] = sections[i];
    h.put(id);
    h.put(std::uint32_t{0});
    h.put(offset);
    h.put(static_cast<std::uint64_t>(bytes.size()));
    h.put(sums[i]);
    at[i] = offset;
    offset += (bytes.size() + 7) / 8 * 8;
  }
  h.put(XXH3_64bits(h.b.data() + table_at, h.b.size() - table_at));
  return {std::move(h.b), std::move(sections), std::move(at), offset};
}

}  // namespace

std::string Index::serialize() const {
  FileParts parts = file_parts(*s_);
  // The sections copied in at their offsets side by side (the padding is the zeros of resize).
  std::string out = std::move(parts.head);
  out.resize(parts.size);
  tbb::parallel_for(std::size_t{0}, parts.sections.size(), [&](std::size_t i) {
    auto& bytes = parts.sections[i].second;
    std::memcpy(out.data() + parts.at[i], bytes.data(), bytes.size());
    std::string().swap(bytes);
  });
  return out;
}

Index Index::deserialize(std::string_view bytes, const IndexParams* requested) {
  if (bytes.size() < 8 || std::memcmp(bytes.data(), kMagic, 8) != 0)
    throw std::runtime_error("not a samestory index (bad magic)");
  if (bytes.size() < kHeaderBytes)
    throw std::runtime_error("index truncated: " + std::to_string(bytes.size()) + " bytes, the header alone is " +
                             std::to_string(kHeaderBytes));
  Reader h(bytes.substr(0, kHeaderBytes), 0);
  h.get<std::uint64_t>();  // magic
  const auto version = h.get<std::uint32_t>();
  if (version == 1)
    throw std::runtime_error(
        "index format version 1 not supported (this build reads versions 2 to 4): its MinHash "
        "signatures use the 64-bit hash family replaced in version 2; rebuild the index with "
        "`samestory index create` and `index add`");
  if (version < kOldestVersion || version > kVersion)
    throw std::runtime_error("index format version " + std::to_string(version) +
                             " not supported (this build reads versions " + std::to_string(kOldestVersion) + " to " +
                             std::to_string(kVersion) + ")");
  if (XXH3_64bits(bytes.data(), kHeaderBytes - 8) != [&] {
        std::uint64_t v;
        std::memcpy(&v, bytes.data() + kHeaderBytes - 8, 8);
        return v;
      }())
    throw std::runtime_error("index header checksum mismatch: the file is corrupted");
  const auto type = h.get<std::uint32_t>();
  if (type != kTypeFeedIndex)
    throw std::runtime_error("index type " + std::to_string(type) + " not supported (expected 1, feed index)");
  IndexParams p;
  p.minhash.num_perm = h.get<std::uint32_t>();
  p.bands.bands = h.get<std::uint32_t>();
  p.bands.rows = h.get<std::uint32_t>();
  p.minhash.shingle = h.get<std::uint32_t>();
  const auto shash = h.get<std::uint64_t>();
  p.minhash.seed = h.get<std::uint64_t>();
  if (shash != detail::seed_hash(p.minhash.seed))
    throw std::runtime_error("index header: seed hash does not match the seed");
  p.dup_threshold = h.get<double>();
  p.story.threshold = h.get<double>();
  p.boilerplate_min_docs = h.get<std::uint32_t>();
  p.text.boilerplate_max_tokens = h.get<std::uint32_t>();
  p.max_bucket = h.get<std::uint32_t>();
  p.story_terms = h.get<std::uint32_t>();
  for (double& w : p.story.weights) w = h.get<double>();
  p.story.time_gate_days = h.get<double>();
  p.story.time_factor = h.get<double>();
  p.story.min_shared = h.get<std::uint32_t>();
  p.story.max_bucket = h.get<std::uint32_t>();
  p.story.min_edge = h.get<double>();
  const auto n = h.get<std::uint64_t>();
  const auto live = h.get<std::uint64_t>();
  const auto m = h.get<std::uint64_t>();
  const auto n_stories = h.get<std::uint64_t>();
  const auto n_sections = h.get<std::uint32_t>();
  p.story.max_candidates_per_doc = h.get<std::uint32_t>();
  const auto scheme = h.get<std::uint32_t>();
  h.get<std::uint32_t>();  // reserved
  (void)live;
  if (scheme > static_cast<std::uint32_t>(sketch::MinHashScheme::oph))
    throw std::runtime_error("index header: unknown MinHash scheme " + std::to_string(scheme));
  p.minhash.scheme = static_cast<sketch::MinHashScheme>(scheme);
  if (p.minhash.num_perm < 1 || p.minhash.num_perm > 4096)
    throw std::runtime_error("index header: num_perm out of range");
  if (n >= kNone || m >= kNone || n_stories >= kNone) throw std::runtime_error("index header: counts out of range");
  if (requested) {
    IndexParams r = *requested;
    detail::compare_params(p, r, "requested");
  }
  Index idx;
  try {
    idx = Index(p);
  } catch (const std::invalid_argument& e) {
    throw std::runtime_error(std::string("index header: ") + e.what());
  }
  State& s = *idx.s_;
  if (s.bands.bands != p.bands.bands || s.bands.rows != p.bands.rows)
    throw std::runtime_error("index header: bad banding");
  // Section table.
  if (n_sections != kSections)
    throw std::runtime_error("index header: " + std::to_string(n_sections) + " sections, expected " +
                             std::to_string(kSections));
  const std::size_t table_bytes = n_sections * kSectionEntry + 8;
  if (bytes.size() - kHeaderBytes < table_bytes)
    throw std::runtime_error("index truncated: the section table is incomplete");
  const std::string_view table = bytes.substr(kHeaderBytes, table_bytes);
  std::uint64_t table_sum;
  std::memcpy(&table_sum, table.data() + table_bytes - 8, 8);
  if (XXH3_64bits(table.data(), table_bytes - 8) != table_sum)
    throw std::runtime_error("index section table checksum mismatch: the file is corrupted");
  std::array<std::string_view, kSections + 1> sec;
  Reader t(table, 0);
  for (std::uint32_t i = 0; i < n_sections; ++i) {
    const auto id = t.get<std::uint32_t>();
    t.get<std::uint32_t>();
    const auto off = t.get<std::uint64_t>();
    const auto len = t.get<std::uint64_t>();
    const auto sum = t.get<std::uint64_t>();
    if (id != i + 1)
      throw std::runtime_error("index section table: entry " + std::to_string(i) + " has id " + std::to_string(id));
    if (off > bytes.size() || len > bytes.size() - off)
      throw std::runtime_error("index truncated: section " + std::to_string(id) + " (" + section_name(id) +
                               ") ends at byte " + std::to_string(off + len) + ", the file has " +
                               std::to_string(bytes.size()) + " bytes");
    sec[id] = bytes.substr(off, len);
    if (XXH3_64bits(sec[id].data(), sec[id].size()) != sum)
      throw std::runtime_error("section " + std::to_string(id) + " (" + section_name(id) +
                               ") checksum mismatch: the file is corrupted");
  }
  {
    // The padding after the last section belongs to the file too: a shorter file is truncated.
    std::uint64_t end = 0;
    Reader t2(table, 0);
    for (std::uint32_t i = 0; i < n_sections; ++i) {
      t2.get<std::uint64_t>();
      const auto off = t2.get<std::uint64_t>();
      const auto len = t2.get<std::uint64_t>();
      t2.get<std::uint64_t>();
      end = std::max<std::uint64_t>(end, off + (len + 7) / 8 * 8);
    }
    if (bytes.size() < end)
      throw std::runtime_error("index truncated: the file has " + std::to_string(bytes.size()) +
                               " bytes, its sections and padding end at byte " + std::to_string(end));
    if (bytes.size() > end)
      throw std::runtime_error("index has " + std::to_string(bytes.size() - end) + " unexpected trailing bytes");
  }
  const std::uint32_t k = p.minhash.num_perm;
  // The sections are parsed in parallel, each into its own arrays; the first error in section
  // order is the one reported (as if they were parsed one after the other).
  std::array<std::exception_ptr, kSections + 1> errors;
  auto task = [&](std::uint32_t id, auto&& f) {
    return [&errors, id, &f] {
      try {
        f();
      } catch (...) {
        errors[id] = std::current_exception();
      }
    };
  };
  auto rethrow = [&] {
    for (const auto& e : errors)
      if (e) std::rethrow_exception(e);
  };
  auto parse_ids = [&] {
    Reader r(sec[kIds], kIds);
    if (r.get<std::uint64_t>() != n) r.bad("article count differs from the header");
    // Room for an eighth more before the first add reallocates (and copies) the big arrays: a
    // feed's first add after load otherwise paid for copying every signature. Bounded by the
    // bytes present (n is not trusted yet); untouched pages cost no memory.
    s.ids.reserve(headroom(std::min<std::uint64_t>(n, sec[kIds].size() / 4)));
    for (std::uint64_t x = 0; x < n; ++x) s.ids.push_back(r.get_string());
    r.done();
  };
  auto parse_slots = [&] {
    Reader r(sec[kSlots], kSlots);
    r.need(n * 40);
    for (auto* v : {&s.parent, &s.canon, &s.group_doc}) v->reserve(headroom(n));
    for (auto* v : {&s.published, &s.inserted}) v->reserve(headroom(n));
    s.length.reserve(headroom(n));
    s.flags.reserve(headroom(n));
    s.published.resize(n);
    s.inserted.resize(n);
    s.length.resize(n);
    s.parent.resize(n);
    s.canon.resize(n);
    s.group_doc.resize(n);
    s.flags.resize(n);
    for (std::size_t x = 0; x < n; ++x) {
      s.published[x] = r.get<std::int64_t>();
      s.inserted[x] = r.get<std::int64_t>();
      s.length[x] = r.get<std::uint64_t>();
      s.parent[x] = r.get<std::uint32_t>();
      s.canon[x] = r.get<std::uint32_t>();
      s.group_doc[x] = r.get<std::uint32_t>();
      const auto f = r.get<std::uint32_t>();
      if (f > 7) r.bad("bad flags at article " + std::to_string(x));
      s.flags[x] = static_cast<std::uint8_t>(f);
      if (s.parent[x] > x || s.canon[x] >= n || (s.group_doc[x] != kNone && s.group_doc[x] >= m))
        r.bad("bad group links at article " + std::to_string(x));
    }
    r.done();
  };
  auto parse_sigs = [&] {
    Reader r(sec[kSignatures], kSignatures);
    s.sigs.reserve(headroom(std::min<std::uint64_t>(n, sec[kSignatures].size() / 4 / k)) * k);
    r.get_array(s.sigs, n * k);
    r.done();
  };
  auto parse_docs = [&] {
    std::vector<std::uint32_t> nterms;
    Reader r(sec[kDocs], kDocs);
    r.need(m * 32);
    for (auto* v : {&s.doc_story, &s.doc_slot, &s.doc_refs}) v->reserve(headroom(m));
    s.doc_published.reserve(headroom(m));
    s.doc_alive.reserve(headroom(m));
    s.doc_mask.reserve(headroom(m));
    s.doc_score.reserve(headroom(m));
    s.doc_begin.reserve(headroom(m) + 1);
    nterms.resize(m);  // after the check: m comes from the header
    for (std::size_t d = 0; d < m; ++d) {
      s.doc_story.push_back(r.get<std::uint32_t>());
      s.doc_slot.push_back(r.get<std::uint32_t>());
      s.doc_published.push_back(r.get<std::int64_t>());
      s.doc_score.push_back(r.get<float>());
      s.doc_refs.push_back(r.get<std::uint32_t>());
      nterms[d] = r.get<std::uint32_t>();
      s.doc_alive.push_back(r.get<std::uint8_t>());
      s.doc_mask.push_back(r.get<std::uint8_t>());
      r.get<std::uint16_t>();
      if (s.doc_story[d] >= n_stories || s.doc_slot[d] >= n || s.doc_alive[d] > 1 || s.doc_mask[d] > 15)
        r.bad("bad story doc " + std::to_string(d));
      s.doc_begin.push_back(s.doc_begin.back() + nterms[d]);
    }
    r.done();
    // Terms (section 5) need the docs' term counts: parsed by the same task.
    Reader rt(sec[kTerms], kTerms);
    const std::uint64_t total = s.doc_begin.back();
    if (total != sec[kTerms].size() / 16 || sec[kTerms].size() % 16) rt.bad("term count differs from the docs");
    s.terms.reserve(headroom(total));
    rt.get_array(s.terms, total);  // Term is the 16-byte record of the file (static_assert above)
    rt.done();
    // Weights are L2-normalised: in [0, 1] (the story sums' fixed point relies on it).
    for (std::size_t d = 0; d < m; ++d)
      for (auto i = s.doc_begin[d]; i < s.doc_begin[d + 1]; ++i) {
        if (i > s.doc_begin[d] && !(s.terms[i - 1].key < s.terms[i].key))
          rt.bad("terms of doc " + std::to_string(d) + " are not sorted");
        if (!(s.terms[i].weight >= 0.0f && s.terms[i].weight <= 1.0f))
          rt.bad("terms of doc " + std::to_string(d) + ": weight out of [0, 1]");
      }
  };
  auto parse_stories = [&] {
    Reader r(sec[kStories], kStories);
    if (r.get<std::uint64_t>() != n_stories) r.bad("story count differs from the header");
    for (std::uint64_t i = 0; i < n_stories; ++i) {
      s.story_size.push_back(r.get<std::uint32_t>());
      s.story_name.push_back(r.get_string());
    }
    r.done();
  };
  auto read_map = [version](Reader& r, detail::FlatMap<std::uint32_t>& mp) {
    // Version 3 stores the entries in table order (ascending mix(key)): inserting them in that
    // order walks the table front to back. Version 2 stored them by key.
    using Map = detail::FlatMap<std::uint32_t>;
    const auto order = [version](std::uint64_t key) { return version >= 3 ? Map::mix(key) : key; };
    const auto count = r.get<std::uint64_t>();
    r.need(static_cast<std::size_t>(std::min<std::uint64_t>(count, SIZE_MAX / 32) * 12));
    mp.reserve(headroom(count));
    std::uint64_t prev = 0;
    for (std::uint64_t i = 0; i < count; ++i) {
      const auto key = r.get<std::uint64_t>();
      if (i > 0 && order(key) <= prev) r.bad("keys not sorted at entry " + std::to_string(i));
      mp[key] = r.get<std::uint32_t>();
      prev = order(key);
    }
  };
  auto parse_lines = [&] {
    Reader r(sec[kLines], kLines);
    read_map(r, s.lines);
    r.done();
  };
  auto parse_df = [&] {
    Reader r(sec[kDf], kDf);
    s.df_docs = r.get<std::uint64_t>();
    read_map(r, s.df);
    bool bigram = false;
    s.df.for_each([&](std::uint64_t key, std::uint32_t) { bigram = bigram || key >> 62 == cluster::kBigram; });
    if (bigram) r.bad("a bigram in the term map");
    const auto bits = r.get<std::uint32_t>();
    if (bits != State::kBigramDfBits)
      r.bad("bigram counters of 2^" + std::to_string(bits) + ", expected 2^" + std::to_string(State::kBigramDfBits));
    const auto encoding = r.get<std::uint32_t>();
    const auto nonzero = r.get<std::uint64_t>();
    const std::uint64_t buckets = std::uint64_t{1} << bits;
    if (encoding > 1) r.bad("bigram counter encoding " + std::to_string(encoding) + ", expected 0 or 1");
    if (nonzero > buckets) r.bad("more non-zero bigram counters than buckets");
    if (encoding == 1) {
      r.need(static_cast<std::size_t>(buckets * 4));
      std::vector<std::uint32_t> all;
      r.get_array(all, buckets);
      std::uint64_t nz = 0;
      for (auto c : all) nz += c != 0;
      if (nz != nonzero) r.bad("non-zero bigram counters differ from the count");
      std::copy(all.begin(), all.end(), s.bigram_df.get());
    }
    r.need(static_cast<std::size_t>(encoding == 1 ? 0 : nonzero * 8));
    std::uint64_t prev = 0;
    for (std::uint64_t i = 0; encoding == 0 && i < nonzero; ++i) {
      const auto bucket = r.get<std::uint32_t>();
      const auto count = r.get<std::uint32_t>();
      if (bucket >= (std::uint64_t{1} << bits) || (i > 0 && bucket <= prev) || count == 0)
        r.bad("bad bigram counter " + std::to_string(i));
      s.bigram_df[bucket] = count;
      prev = bucket;
    }
    r.done();
  };
  tbb::parallel_invoke(task(kIds, parse_ids), task(kSlots, parse_slots), task(kSignatures, parse_sigs),
                       task(kDocs, parse_docs), task(kStories, parse_stories), task(kLines, parse_lines),
                       task(kDf, parse_df));
  rethrow();
  // Then the id map, the LSH tables and the postings (they check against the sections above).
  auto build_ids = [&] {
    for (std::uint32_t x = 0; x < n; ++x)
      if ((s.flags[x] & State::kAlive) && s.parent[x] == x && s.group_doc[x] == kNone)
        throw std::runtime_error("section 2 (slots): dup group of article " + std::to_string(x) + " has no story doc");
    // The id hashes in parallel, then one pass of inserts (each a probe of a flat table).
    std::vector<std::uint64_t> hashes(n);
    tbb::parallel_for(tbb::blocked_range<std::size_t>(0, n, 4096), [&](const auto& r) {
      for (std::size_t x = r.begin(); x < r.end(); ++x) hashes[x] = detail::IdMap::hash(s.ids[x]);
    });
    s.by_id.reserve(headroom(n));
    for (std::uint32_t x = 0; x < n; ++x)
      if (s.flags[x] & State::kAlive)
        if (!s.by_id.insert(hashes[x], x, s.ids))
          throw std::runtime_error("index: id \"" + s.ids[x] + "\" is stored twice");
  };
  auto parse_lsh = [&] {
    // LSH tables: per band, the entries of exactly the live articles with shingles (each once,
    // ascending by (key, slot)). The keys are not recomputed from the signatures: the section
    // checksum stands for them.
    Reader r(sec[kLsh], kLsh);
    if (r.get<std::uint32_t>() != s.bands.bands) r.bad("band count differs from the header");
    if (r.get<std::uint32_t>() != 0) r.bad("reserved field is not 0");
    std::uint64_t included = 0;
    for (std::uint32_t x = 0; x < n; ++x)
      included += (s.flags[x] & (State::kAlive | State::kInclude)) == (State::kAlive | State::kInclude);
    const std::uint64_t part = 8 + included * 12 + (included % 2) * 4;
    r.need(static_cast<std::size_t>(std::min<std::uint64_t>(part, SIZE_MAX / 64) * s.bands.bands));
    const std::size_t start = r.pos();
    std::vector<std::exception_ptr> band_errors(s.bands.bands);
    tbb::parallel_for(std::uint32_t{0}, s.bands.bands, [&](std::uint32_t b) {
      try {
        Reader rb(sec[kLsh].substr(start + b * part, part), kLsh);
        const auto count = rb.get<std::uint64_t>();
        if (count != included)
          rb.bad("band " + std::to_string(b) + " holds " + std::to_string(count) + " entries, expected " +
                 std::to_string(included) + " (live articles with shingles)");
        auto& tb = s.tables[b];
        tb.keys.reserve(headroom(count));
        tb.slots.reserve(headroom(count));
        rb.get_array(tb.keys, count);
        rb.get_array(tb.slots, count);
        rb.pad8();
        rb.done();
        for (std::size_t i = 0; i < count; ++i) {
          const auto x = tb.slots[i];
          if (x >= n || (s.flags[x] & (State::kAlive | State::kInclude)) != (State::kAlive | State::kInclude))
            rb.bad("band " + std::to_string(b) + " entry " + std::to_string(i) + ": slot " + std::to_string(x) +
                   " is not a live article with shingles");
          if (i > 0 && !(std::pair(tb.keys[i - 1], tb.slots[i - 1]) < std::pair(tb.keys[i], x)))
            rb.bad("band " + std::to_string(b) + " entries not sorted at entry " + std::to_string(i));
        }
        tb.index_keys();
      } catch (...) {
        band_errors[b] = std::current_exception();
      }
    });
    for (const auto& e : band_errors)
      if (e) std::rethrow_exception(e);
    if (sec[kLsh].size() != start + part * s.bands.bands)
      r.bad(std::to_string(sec[kLsh].size() - start - part * s.bands.bands) + " unexpected trailing bytes");
  };
  auto parse_postings = [&] {
    // Postings: one list per salient (body, entity) term of the live story docs, keys strictly
    // ascending, each list non-empty and strictly ascending, as many entries as those docs have
    // salient terms.
    Reader r(sec[kPostings], kPostings);
    const auto lists = r.get<std::uint64_t>();
    const auto total = r.get<std::uint64_t>();
    r.get_array(s.post_keys, lists);
    r.get_array(s.post_begin, lists + 1);
    s.post_docs.reserve(headroom(std::min<std::uint64_t>(total, sec[kPostings].size() / 4)));
    r.get_array(s.post_docs, total);
    r.pad8();
    r.done();
    std::uint64_t salient = 0;
    for (std::uint32_t d = 0; d < m; ++d) {
      if (!s.doc_alive[d]) continue;
      for (auto i = s.doc_begin[d]; i < s.doc_begin[d + 1]; ++i) {
        const auto f = s.terms[i].key >> 62;
        salient += f == cluster::kBody || f == cluster::kEntity;
      }
    }
    if (salient != total)
      r.bad(std::to_string(total) + " entries, the live story docs have " + std::to_string(salient) +
            " body and entity terms");
    if (s.post_begin[0] != 0 || s.post_begin[lists] != total) r.bad("list bounds do not span the entries");
    for (std::uint64_t l = 0; l < lists; ++l) {
      const auto key = s.post_keys[l], f = key >> 62;
      if (f != cluster::kBody && f != cluster::kEntity)
        r.bad("list " + std::to_string(l) + ": not a body or entity term");
      if (l > 0 && !(s.post_keys[l - 1] < key)) r.bad("keys not sorted at list " + std::to_string(l));
      if (!(s.post_begin[l] < s.post_begin[l + 1]) || s.post_begin[l + 1] > total)
        r.bad("bad bounds of list " + std::to_string(l));
      for (auto i = s.post_begin[l]; i < s.post_begin[l + 1]; ++i) {
        const auto d = s.post_docs[i];
        if (d >= m || !s.doc_alive[d] || (i > s.post_begin[l] && !(s.post_docs[i - 1] < d)))
          r.bad("list " + std::to_string(l) + ": bad doc at entry " + std::to_string(i - s.post_begin[l]));
      }
    }
    detail::BandTable::directory(s.post_keys, s.post_dir, s.post_dir_bits);
  };
  // The id map's errors come first (slot 0), then the sections'.
  tbb::parallel_invoke(task(0, build_ids), task(kLsh, parse_lsh), task(kPostings, parse_postings));
  rethrow();
  s.rebuild_sums();  // not stored: rebuilt from the docs, exactly as the adds left them
  return idx;
}

std::string index_file(const std::string& dir) {
  return dir + "/index.ssi";
}

void save(const Index& index, const std::string& dir) {
  // Written piece by piece: the file's bytes are never in memory twice.
  FileParts parts = file_parts(detail::Access::state(index));
  AtomicOutput out(index_file(dir));
  out.write(parts.head);
  for (auto& [id, bytes] : parts.sections) {
    out.write(bytes);
    out.write(std::string_view("\0\0\0\0\0\0\0", (8 - bytes.size() % 8) % 8));
    std::string().swap(bytes);
  }
  out.commit();
  detail::remove_journal(dir);  // after the rename: until then the journal completes the old file
}

Index load(const std::string& dir, const IndexParams* requested, JournalInfo* journal) {
  struct stat st {};
  if (::stat(dir.c_str(), &st) != 0 || !S_ISDIR(st.st_mode))
    throw std::runtime_error(dir + ": no such index directory");
  const std::string path = index_file(dir);
  // Mapped, not read: no zero-filled 1 GB buffer and no copy of the file (saves rename a new
  // file into place, so the mapped one is never truncated under us).
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) throw std::runtime_error(path + ": cannot open: " + std::strerror(errno));
  struct Mapping {
    int fd;
    void* p = MAP_FAILED;
    std::size_t n = 0;
    ~Mapping() {
      if (p != MAP_FAILED) ::munmap(p, n);
      ::close(fd);
    }
  } map{fd};
  std::string copy;
  std::string_view bytes;
  if (::fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && st.st_size > 0) {
    map.n = static_cast<std::size_t>(st.st_size);
    map.p = ::mmap(nullptr, map.n, PROT_READ, MAP_PRIVATE, fd, 0);
    if (map.p == MAP_FAILED) throw std::runtime_error(path + ": cannot map: " + std::strerror(errno));
    ::madvise(map.p, map.n, MADV_SEQUENTIAL);
    bytes = std::string_view(static_cast<const char*>(map.p), map.n);
  } else {  // empty, or not a regular file: read what there is
    char buf[65536];
    for (;;) {
      const auto got = ::read(fd, buf, sizeof buf);
      if (got < 0) throw std::runtime_error(path + ": read error: " + std::strerror(errno));
      if (got == 0) break;
      copy.append(buf, static_cast<std::size_t>(got));
    }
    bytes = copy;
  }
  Index idx;
  try {
    idx = Index::deserialize(bytes, requested);
  } catch (const std::invalid_argument&) {
    throw;
  } catch (const std::exception& e) {
    throw std::runtime_error(path + ": " + e.what());
  }
  JournalInfo info;
  detail::replay_journal(dir, detail::file_identity(bytes), idx, info);
  if (journal) *journal = info;
  return idx;
}

}  // namespace samestory::index
