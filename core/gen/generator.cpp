#include "gen/generator.hpp"

#include <algorithm>
#include <array>
#include <charconv>
#include <cmath>
#include <cstring>
#include <optional>
#include <stdexcept>
#include <string_view>
#include <vector>

#include "gen/lexicon.hpp"
#include "io/writer.hpp"
#include "sketch/minhash.hpp"

namespace samestory::gen {

namespace {

using detail::Lexicon;
using detail::Rng;
using sketch::derive_seed;

constexpr std::uint64_t kBlocksStream = 0xB10C;  // derive_seed(seed, kBlocksStream) seeds the blocks
// Streams inside a block: derive_seed(block seed, kind << 32 | index).
constexpr std::uint64_t kPlanStream = 1, kReportStream = 2, kCopyStream = 3, kTagStream = 4;

constexpr std::uint32_t kEventKeywords = 16;
constexpr std::uint32_t kMaxReports = 8;
constexpr std::size_t kSentenceReserve = 4096;  // bytes one sentence or entity can never exceed

constexpr std::string_view kMonths[] = {"January", "February", "March",     "April",   "May",      "June",
                                        "July",    "August",   "September", "October", "November", "December"};
constexpr std::string_view kWeekdays[] = {"Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"};
constexpr std::string_view kSections[] = {"world",   "politics", "business", "sport",
                                          "science", "local",    "culture",  "health"};
constexpr std::string_view kOrgSuffixes[] = {"Industries", "Holdings", "Group",  "Manufacturing", "Systems",
                                             "Logistics",  "Textiles", "Foods",  "Motors",        "Energy",
                                             "Pharma",     "Bank",     "Mining", "Airlines",      "Telecom"};
constexpr std::string_view kRoles[] = {"a local councillor", "a spokesperson", "the chief executive",
                                       "a senior official",  "the director",   "a resident",
                                       "a witness",          "the mayor",      "a lawyer",
                                       "an analyst",         "the chair",      "a union leader"};
constexpr std::string_view kSurnameEnds[] = {"son",  "sen",  "ova",  "ski",  "ez",   "ani", "ell", "ard",
                                             "ford", "berg", "stad", "ovic", "escu", "ian", "ley", "ton",
                                             "",     "",     "",     "",     "",     "",    "ers", "ino"};

/// Bytes in the block arena; `words` counts space-separated tokens.
struct Ref {
  std::uint32_t off = 0, len = 0, words = 0;
};

struct Sent {
  std::uint32_t off, len;
  std::uint16_t words;
  std::uint8_t flags;
};
constexpr std::uint8_t kParaEnd = 1, kEllipsis = 2;

struct Person {
  Ref full, surname, role;  // role: appositive such as "the Veldorian finance minister" (may be empty)
};

struct Family {  // the actors an event shares with its siblings
  std::uint32_t persons_begin = 0, n_persons = 0;
  std::array<Ref, 2> orgs{};
  std::uint32_t n_orgs = 0;
  std::uint32_t topic = 0;
  std::uint32_t n_events = 0;
  std::array<std::int64_t, 4> times{};
  std::array<std::uint32_t, kEventKeywords / 2> keywords{};
};

struct Event {
  std::uint32_t family = 0;
  std::int64_t time = 0;
  Ref town, region, country, weekday, month_day;
  std::array<Ref, 3> numbers{};
  std::array<Ref, 2> quotes{};
  std::array<std::uint32_t, kEventKeywords> keywords{};
  std::uint32_t first_pos = 0;
};

struct Art {
  std::uint32_t event = 0, root = 0, source = 0, outlet = 0;
  std::int64_t published = 0;
  Ref title;
  std::uint32_t sb = 0, se = 0;  // sentence range in Impl::sents
  std::int32_t byline = -1;
  std::int32_t attribution = -1;  // outlet credited in a re-post, -1 none
  std::uint8_t n_hdr = 0, n_ftr = 0;
  std::array<std::uint8_t, 2> hdr{};
  std::array<std::uint8_t, 3> ftr{};
  bool copy = false, truncated = false, attribution_footer = false;
  bool has_title = true, has_published = true;
  std::uint32_t tag = 0;  // number in the URL
  std::uint32_t pos = 0;  // position in the block's output order
};

/// What a sentence writer needs to know about the article being written.
struct Ctx {
  const Event* ev;
  const Family* fam;
  bool curly;
  std::uint32_t mentioned = 0;    // persons already named in full
  std::uint32_t quotes_used = 0;  // shared quotes already used
};

enum EntityKind : std::uint32_t { kPerson, kPlace, kOrg, kNumber, kDate, kCountry };

char* put(char* p, std::string_view s) {
  std::memcpy(p, s.data(), s.size());
  return p + s.size();
}

char* put_digits(char* p, std::uint64_t v, int width) {
  char buf[24];
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, v);
  (void)ec;
  for (auto n = static_cast<int>(end - buf); n < width; ++n) *p++ = '0';
  return put(p, std::string_view(buf, static_cast<std::size_t>(end - buf)));
}

/// "12,345"
std::string with_commas(std::uint64_t v) {
  std::string s = std::to_string(v), out;
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (i > 0 && (s.size() - i) % 3 == 0) out += ',';
    out += s[i];
  }
  return out;
}

std::uint32_t count_words(const char* p, std::size_t n) {
  std::uint32_t w = n ? 1 : 0;
  for (std::size_t i = 0; i < n; ++i) w += p[i] == ' ';
  return w;
}

}  // namespace

void validate(const GenOptions& o) {
  auto bad = [](const std::string& what) { throw std::invalid_argument(what); };
  if (!(o.dup_fraction >= 0 && o.dup_fraction <= 0.9)) bad("dup_fraction must be in [0, 0.9]");
  if (!(o.story_fraction >= 0 && o.story_fraction <= 1)) bad("story_fraction must be in [0, 1]");
  if (o.outlets < 2 || o.outlets > 10000) bad("outlets must be in [2, 10000]");
  if (o.start < 0 || o.start > 4102444800) bad("start must be in [0, 4102444800] (1970..2100)");
  if (o.days < 1 || o.days > 36500) bad("days must be in [1, 36500]");
  if (!(o.mean_words >= 20 && o.mean_words <= 20000)) bad("mean_words must be in [20, 20000]");
  if (!(o.sibling_fraction >= 0 && o.sibling_fraction <= 1)) bad("sibling_fraction must be in [0, 1]");
  if (o.big_event_reports == 1 || o.big_event_reports > 100000) bad("big_event_reports must be 0 or in [2, 100000]");
  if (o.big_siblings > 3) bad("big_siblings must be in [0, 3]");
  if (!(o.missing_title >= 0 && o.missing_title <= 1)) bad("missing_title must be in [0, 1]");
  if (!(o.missing_published >= 0 && o.missing_published <= 1)) bad("missing_published must be in [0, 1]");
  if (o.vocabulary < 1000 || o.vocabulary > 1000000) bad("vocabulary must be in [1000, 1000000]");
  if (o.block < 10 || o.block > 1000000) bad("block must be in [10, 1000000]");
  // A block's text lives in one arena addressed by 32-bit offsets (and must fit in memory).
  if (o.block * o.mean_words > 5e7) bad("block * mean_words must be at most 50,000,000");
  if (o.id_prefix.size() > 64) bad("id_prefix must be at most 64 bytes");
}

struct Generator::Impl {
  GenOptions o;
  Lexicon lex;
  std::string id_prefix;  // JSON-escaped
  std::uint64_t blocks_seed;
  std::uint64_t produced = 0;

  // The current block: everything below is O(block) and reused from block to block.
  std::uint64_t block_seed = 0;
  std::uint64_t block_first = 0;  // global index of the block's first article
  std::vector<char> arena;
  std::size_t used = 0;
  std::vector<Sent> sents, tmp;
  std::vector<Person> persons;
  std::vector<Family> fams;
  std::vector<Event> events;
  std::vector<Art> arts;
  std::vector<std::uint32_t> order;  // position -> slot
  std::vector<std::uint32_t> sizes;
  std::vector<std::pair<std::uint32_t, std::uint32_t>> copies;  // (root slot, copy slot)

  explicit Impl(const GenOptions& options)
      : o((validate(options), options)), lex(options), blocks_seed(derive_seed(options.seed, kBlocksStream)) {
    std::string q;
    append_json_string(q, o.id_prefix);
    id_prefix = q.substr(1, q.size() - 2);
  }

  // ---------------------------------------------------------------- arena
  char* reserve(std::size_t n) {
    if (used + n > arena.size()) arena.resize(std::max(arena.size() * 2, used + n + (std::size_t{1} << 20)));
    return arena.data() + used;
  }
  Ref commit(const char* begin, const char* end) {
    Ref r;
    r.off = static_cast<std::uint32_t>(begin - arena.data());
    r.len = static_cast<std::uint32_t>(end - begin);
    r.words = count_words(begin, r.len);
    used = r.off + r.len;
    return r;
  }
  Ref store(std::string_view s) {
    char* p = reserve(s.size());
    return commit(p, put(p, s));
  }
  std::string_view view(Ref r) const { return {arena.data() + r.off, r.len}; }
  char* put_ref(char* p, Ref r) const { return put(p, view(r)); }

  // ---------------------------------------------------------------- words
  /// Writes a word; may scribble on the 16 bytes from p (a sentence reserves room for that).
  char* put_word(char* p, std::uint32_t id) const {
    const Lexicon::Slot& s = lex.slots[id];
    std::memcpy(p, s.c, 16);
    return p + s.c[15];
  }

  /// A word from one random value: bits 54..63 choose the kind (function word 44%, topic
  /// word 8%, event keyword 5%, any content word 43%), bits 0..47 which word.
  std::uint32_t draw_word(std::uint64_t u, const Ctx& c) const {
    const auto kind = static_cast<std::uint32_t>(u >> 54);  // 0..1023
    if (kind < 450) return lex.function_pick.sample(u);
    if (kind < 530) return lex.topic_words[c.fam->topic * Lexicon::kTopicWords + (u & (Lexicon::kTopicWords - 1))];
    if (kind < 580) return c.ev->keywords[u & (kEventKeywords - 1)];
    return lex.n_function + lex.content_pick.sample(u);
  }

  /// n words, each followed by a space (about 1 in 21 by ", ": bits 48..53 of the draw).
  char* words(char* p, Rng& r, const Ctx& c, std::uint32_t n) const {
    for (std::uint32_t i = 0; i < n; ++i) {
      const std::uint64_t u = r.next();
      p = put_word(p, draw_word(u, c));
      if (((u >> 48) & 63) < 3 && i + 1 < n && i > 0) *p++ = ',';
      *p++ = ' ';
    }
    return p;
  }

  static char* trim(char* p) {  // drop a trailing ", " or " "
    while (p[-1] == ' ' || p[-1] == ',') --p;
    return p;
  }

  char* open_quote(char* p, bool curly) const { return put(p, curly ? "\xE2\x80\x9C" : "\\\""); }
  char* close_quote(char* p, bool curly) const { return put(p, curly ? "\xE2\x80\x9D" : "\\\""); }

  /// An entity phrase followed by a space.
  char* entity(char* p, Rng& r, Ctx& c, EntityKind kind) const {
    const Event& ev = *c.ev;
    const Family& f = *c.fam;
    switch (kind) {
      case kPerson: {
        const std::uint32_t i = r.below(2) == 0 ? 0 : r.below(f.n_persons);
        const Person& pe = persons[f.persons_begin + i];
        if (!(c.mentioned >> i & 1)) {
          c.mentioned |= 1u << i;
          p = put_ref(p, pe.full);
          if (pe.role.len && r.below(2)) {
            p = put(p, ", ");
            p = put_ref(p, pe.role);
            *p++ = ',';
          }
        } else {
          p = put_ref(p, r.below(5) < 2 ? pe.full : pe.surname);
        }
        break;
      }
      case kPlace:
        p = put(p, "in ");
        p = put_ref(p, ev.town);
        if (r.below(3) == 0) {
          p = put(p, ", ");
          p = put_ref(p, ev.region);
        }
        break;
      case kOrg:
        p = put_ref(p, f.orgs[r.below(f.n_orgs)]);
        break;
      case kNumber:
        p = put_ref(p, ev.numbers[r.below(3)]);
        break;
      case kDate:
        p = put(p, "on ");
        switch (r.below(3)) {
          case 0:
            p = put_ref(p, ev.weekday);
            break;
          case 1:
            p = put_ref(p, ev.month_day);
            break;
          default:
            p = put_ref(p, ev.weekday);
            p = put(p, ", ");
            p = put_ref(p, ev.month_day);
        }
        break;
      case kCountry:
        p = put_ref(p, ev.country);
        break;
    }
    *p++ = ' ';
    return p;
  }

  EntityKind random_entity(Rng& r) const {
    const std::uint32_t x = r.below(100);
    if (x < 34) return kPerson;
    if (x < 52) return kPlace;
    if (x < 70) return kOrg;
    if (x < 86) return kNumber;
    if (x < 95) return kDate;
    return kCountry;
  }

  static void capitalize_first(char* s) {
    if (s[0] == '\\')
      s += 2;  // \"
    else if (static_cast<unsigned char>(s[0]) == 0xE2)
      s += 3;  // curly quote
    if (*s >= 'a' && *s <= 'z') *s = static_cast<char>(*s - 'a' + 'A');
  }

  /// Words with `k` entities at random places.
  char* mixed(char* p, Rng& r, Ctx& c, std::uint32_t n, std::uint32_t k) const {
    for (std::uint32_t j = 0; j < k; ++j) {
      const std::uint32_t a = r.below(n / (k - j) + 1);
      p = words(p, r, c, a);
      p = entity(p, r, c, random_entity(r));
      n -= a;
    }
    return words(p, r, c, n);
  }

  /// One sentence; form 0 is a lead (place, date and main actor), else a random form.
  Sent sentence(Rng& r, Ctx& c, bool lead) {
    char* const begin = reserve(kSentenceReserve);
    char* p = begin;
    const std::uint32_t n = 4 + r.below(12) + r.below(12);
    const std::uint32_t form = lead ? 100 : r.below(100);
    if (form == 100) {
      const std::uint32_t a = r.below(n / 3 + 1);
      p = words(p, r, c, a);
      p = entity(p, r, c, r.below(3) ? kPerson : kOrg);
      p = words(p, r, c, r.below(4));
      p = entity(p, r, c, kPlace);
      p = entity(p, r, c, kDate);
      p = words(p, r, c, n - a);
      if (r.below(2)) p = entity(p, r, c, kNumber), p = words(p, r, c, 1 + r.below(4));
    } else if (form < 62) {  // plain, 0-2 entities
      const std::uint32_t x = r.below(100);
      p = mixed(p, r, c, n, x < 40 ? 0 : x < 85 ? 1 : 2);
    } else if (form < 70) {  // "{Person} said ..."
      p = entity(p, r, c, r.below(3) ? kPerson : kOrg);
      p = put(p, "said ");
      p = mixed(p, r, c, n, r.below(2));
    } else if (form < 80) {  // "..., {Person} said."
      p = mixed(p, r, c, n, r.below(2));
      p = trim(p);
      p = put(p, ", ");
      p = entity(p, r, c, kPerson);
      p = put(p, "said ");
    } else if (form < 95) {  // quote
      p = open_quote(p, c.curly);
      const std::uint32_t q = r.below(2);
      if (!(c.quotes_used >> q & 1) && r.below(10) < 7) {
        c.quotes_used |= 1u << q;
        p = put_ref(p, c.ev->quotes[q]);
      } else {
        p = trim(words(p, r, c, 6 + r.below(14)));
      }
      *p++ = ',';
      p = close_quote(p, c.curly);
      *p++ = ' ';
      if (r.below(2)) {
        p = put(p, "said ");
        p = entity(p, r, c, kPerson);
      } else {
        p = entity(p, r, c, kPerson);
        p = put(p, r.below(3) ? "said " : "told reporters ");
      }
    } else {  // "According to {Org}, ..."
      p = put(p, "according to ");
      p = entity(p, r, c, r.below(2) ? kOrg : kPerson);
      p = trim(p);
      p = put(p, ", ");
      p = mixed(p, r, c, n, r.below(2));
    }
    p = trim(p);
    *p++ = '.';
    capitalize_first(begin);
    const Ref ref = commit(begin, p);
    return {ref.off, ref.len, static_cast<std::uint16_t>(ref.words), 0};
  }

  Ref title(Rng& r, Ctx& c) {
    char* const begin = reserve(kSentenceReserve);
    char* p = begin;
    const std::uint32_t n = 4 + r.below(6);
    const std::uint32_t at = r.below(n + 1);
    for (std::uint32_t i = 0; i <= n; ++i) {
      if (i == at) {
        const std::uint32_t x = r.below(10);
        if (x < 4)
          p = put_ref(p, persons[c.fam->persons_begin + (r.below(2) ? 0 : r.below(c.fam->n_persons))].surname);
        else if (x < 6)
          p = put_ref(p, c.fam->orgs[0]);
        else if (x < 8)
          p = put_ref(p, c.ev->town);
        else
          p = put_ref(p, c.ev->numbers[r.below(3)]);
        *p++ = ' ';
      }
      if (i == n) break;
      const std::uint32_t y = r.below(20);
      std::uint32_t id;
      if (y < 6)
        id = lex.function_pick.sample(r.next());
      else if (y < 12)
        id = c.ev->keywords[r.below(kEventKeywords)];
      else if (y < 15)
        id = lex.topic_words[c.fam->topic * Lexicon::kTopicWords + r.below(Lexicon::kTopicWords)];
      else
        id = lex.n_function + lex.content_pick.sample(r.next());
      p = put_word(p, id);
      *p++ = ' ';
    }
    p = trim(p);
    capitalize_first(begin);
    return commit(begin, p);
  }

  // ---------------------------------------------------------------- planning
  Ref person_name(Rng& r, Ref& surname) {
    std::string s = lex.first_names[r.below(static_cast<std::uint32_t>(lex.first_names.size()))];
    s += ' ';
    const std::size_t at = s.size();
    std::string sur = detail::capitalized(detail::pseudo_word(r, 2 + r.below(2)));
    sur += kSurnameEnds[r.below(static_cast<std::uint32_t>(std::size(kSurnameEnds)))];
    s += sur;
    const Ref full = store(s);
    surname = {full.off + static_cast<std::uint32_t>(at), full.len - static_cast<std::uint32_t>(at), 1};
    return full;
  }

  std::uint32_t new_family(Rng& r) {
    Family f;
    f.persons_begin = static_cast<std::uint32_t>(persons.size());
    f.n_persons = r.range(2, 4);
    for (std::uint32_t i = 0; i < f.n_persons; ++i) {
      Person pe;
      if (r.below(100) < 12) {
        const std::uint32_t k = lex.famous_pick.sample(r.next());
        const std::string& name = lex.famous[k];
        pe.full = store(name);
        const auto sp = static_cast<std::uint32_t>(name.find(' ') + 1);
        pe.surname = {pe.full.off + sp, pe.full.len - sp, 1};
        pe.role = store(lex.famous_roles[k]);
      } else {
        pe.full = person_name(r, pe.surname);
        if (r.below(2)) pe.role = store(kRoles[r.below(static_cast<std::uint32_t>(std::size(kRoles)))]);
      }
      persons.push_back(pe);
    }
    f.n_orgs = r.range(1, 2);
    for (std::uint32_t i = 0; i < f.n_orgs; ++i) {
      if (r.below(10) < 3) {
        f.orgs[i] = store(lex.institutions[lex.institution_pick.sample(r.next())]);
      } else {
        std::string s = detail::capitalized(detail::pseudo_word(r, 2 + r.below(2)));
        s += ' ';
        s += kOrgSuffixes[r.below(static_cast<std::uint32_t>(std::size(kOrgSuffixes)))];
        f.orgs[i] = store(s);
      }
    }
    f.topic = r.below(Lexicon::kTopics);
    for (auto& k : f.keywords) k = keyword(r);
    fams.push_back(f);
    return static_cast<std::uint32_t>(fams.size() - 1);
  }

  std::uint32_t keyword(Rng& r) const {
    const std::uint32_t lo = std::min<std::uint32_t>(150, o.vocabulary / 4);
    const std::uint32_t hi = std::min<std::uint32_t>(30000, o.vocabulary);
    return lex.n_function + lo + r.below(hi - lo);
  }

  void new_event(Rng& r, std::uint32_t fi) {
    Family& f = fams[fi];
    Event ev;
    ev.family = fi;
    const std::uint64_t window = std::uint64_t{o.days} * 86400;
    // Siblings happen on other dates: try to keep them min(10 days, window / 4) apart.
    const auto gap = static_cast<std::int64_t>(std::min<std::uint64_t>(10 * 86400, window / 4));
    for (int attempt = 0; attempt < 16; ++attempt) {
      ev.time = o.start + static_cast<std::int64_t>((r.next() >> 11) % window);
      bool ok = true;
      for (std::uint32_t k = 0; k < f.n_events; ++k) ok = ok && std::abs(ev.time - f.times[k]) >= gap;
      if (ok) break;
    }
    f.times[f.n_events++] = ev.time;
    const std::uint32_t town = lex.town_pick.sample(r.next());
    const std::uint32_t region = lex.town_region[town];
    ev.town = store(lex.towns[town]);
    ev.region = store(lex.regions[region]);
    ev.country = store(lex.countries[lex.region_country[region]]);
    const std::int64_t day = ev.time / 86400;
    const auto civil = detail::civil_from_days(day);
    ev.weekday = store(kWeekdays[static_cast<std::size_t>((day + 4) % 7)]);
    ev.month_day = store(std::string(kMonths[civil.month - 1]) + " " + std::to_string(civil.day));
    for (std::uint32_t i = 0; i < kEventKeywords; ++i)
      ev.keywords[i] = i < kEventKeywords / 2 ? f.keywords[i] : keyword(r);
    // Numbers: a count with its unit, an amount of money, a percentage.
    {
      const std::uint32_t digits = r.range(1, 5);  // log-uniform-ish, integers only
      std::uint32_t lo = 1;
      for (std::uint32_t k = 1; k < digits; ++k) lo *= 10;
      std::string s = with_commas(std::max(2u, r.range(lo, 10 * lo - 1)));
      s += ' ';
      s += lex.word(ev.keywords[r.below(kEventKeywords)]);
      ev.numbers[0] = store(s);
      const std::uint32_t m = r.range(11, 999);
      ev.numbers[1] =
          store("$" + std::to_string(m / 10) + "." + std::to_string(m % 10) + (r.below(3) ? " million" : " billion"));
      ev.numbers[2] = store(std::to_string(r.range(2, 97)) + " percent");
    }
    // Two quotes that every report of the event may carry verbatim.
    Ctx c{&ev, &f, false};
    for (auto& q : ev.quotes) {
      char* const begin = reserve(kSentenceReserve);
      char* p = trim(words(begin, r, c, 8 + r.below(7)));
      capitalize_first(begin);
      q = commit(begin, p);
    }
    events.push_back(ev);
  }

  std::uint32_t draw_size(Rng& r) const {
    static constexpr std::uint32_t kCum[] = {35, 60, 75, 85, 92, 97, 100};  // sizes 2..8
    const std::uint32_t x = r.below(100);
    std::uint32_t s = 2;
    while (x >= kCum[s - 2]) ++s;
    return s;
  }

  void boilerplate(Rng& r, Art& a) const {
    const auto& out = lex.outlets[a.outlet];
    const auto nh = static_cast<std::uint32_t>(out.headers.size());
    a.n_hdr = static_cast<std::uint8_t>(std::min<std::uint32_t>(r.below(3), nh));
    for (std::uint32_t k = 0; k < a.n_hdr; ++k) a.hdr[k] = static_cast<std::uint8_t>((r.below(nh) + k) % nh);
    if (a.n_hdr == 2 && a.hdr[0] == a.hdr[1]) a.n_hdr = 1;
    a.byline = !out.bylines.empty() && r.below(10) < 6
                   ? static_cast<std::int32_t>(r.below(static_cast<std::uint32_t>(out.bylines.size())))
                   : -1;
    const auto nf = static_cast<std::uint32_t>(out.footers.size());
    a.n_ftr = static_cast<std::uint8_t>(std::min<std::uint32_t>(1 + r.below(3), nf));
    const std::uint32_t f0 = r.below(nf);
    for (std::uint32_t k = 0; k < a.n_ftr; ++k) a.ftr[k] = static_cast<std::uint8_t>((f0 + k) % nf);
    a.has_title = !r.chance(o.missing_title);
    a.has_published = !r.chance(o.missing_published);
  }

  void write_report(std::uint32_t slot) {
    Art& a = arts[slot];
    Rng r(derive_seed(block_seed, kReportStream << 32 | slot));
    const Event& ev = events[a.event];
    Ctx c{&ev, &fams[ev.family], lex.outlets[a.outlet].curly};
    boilerplate(r, a);
    a.title = title(r, c);
    const std::uint32_t target = lex.length_table[r.below(static_cast<std::uint32_t>(lex.length_table.size()))];
    a.sb = static_cast<std::uint32_t>(sents.size());
    std::uint32_t total = 0, in_para = 0, para = 1 + r.below(2);
    while (total + 9 < target || sents.size() == a.sb) {
      Sent s = sentence(r, c, sents.size() == a.sb);
      total += s.words;
      if (++in_para == para) s.flags |= kParaEnd, in_para = 0, para = 1 + r.below(4);
      sents.push_back(s);
    }
    a.se = static_cast<std::uint32_t>(sents.size());
    a.tag = static_cast<std::uint32_t>(derive_seed(block_seed, kTagStream << 32 | slot) % 9000000 + 1000000);
  }

  // ---------------------------------------------------------------- edits of re-posts
  /// A typo or a one-word edit in sentence s (copied to new bytes).
  void typo(Rng& r, Sent& s) {
    char* const dst = reserve(std::size_t{s.len} + 32);
    const char* src = arena.data() + s.off;
    // Find a lower-case word of >= 4 letters, from a random start, wrapping around.
    const std::uint32_t start = r.below(s.len);
    std::uint32_t ws = 0, we = 0;
    bool found = false;
    for (std::uint32_t k = 0; k < s.len && !found; ++k) {
      const std::uint32_t i = (start + k) % s.len;
      if ((i == 0 || src[i - 1] == ' ') && src[i] >= 'a' && src[i] <= 'z') {
        std::uint32_t e = i;
        while (e < s.len && src[e] >= 'a' && src[e] <= 'z') ++e;
        if (e - i >= 4 && (e == s.len || src[e] == ' ' || src[e] == ',' || src[e] == '.')) ws = i, we = e, found = true;
      }
    }
    if (!found) return;
    char* p = put(dst, std::string_view(src, ws));
    const std::string_view w(src + ws, we - ws);
    const auto i = 1 + r.below(static_cast<std::uint32_t>(w.size()) - 2);  // 1..len-2
    switch (r.below(4)) {
      case 0:  // swap two letters
        p = put(p, w);
        std::swap(p[-static_cast<std::ptrdiff_t>(w.size()) + i], p[-static_cast<std::ptrdiff_t>(w.size()) + i + 1]);
        break;
      case 1:  // drop a letter
        p = put(p, w.substr(0, i));
        p = put(p, w.substr(i + 1));
        break;
      case 2:  // double a letter
        p = put(p, w.substr(0, i + 1));
        p = put(p, w.substr(i));
        break;
      default:  // an editor's word choice
        p = put_word(p, lex.n_function + lex.content_pick.sample(r.next()));
    }
    p = put(p, std::string_view(src + we, s.len - we));
    const Ref ref = commit(dst, p);
    s.off = ref.off;
    s.len = ref.len;
  }

  void make_copy(std::uint32_t slot, std::uint32_t source) {
    Rng r(derive_seed(block_seed, kCopyStream << 32 | slot));
    Art& a = arts[slot];
    const Art& s = arts[source];
    a.copy = true;
    a.event = s.event;
    a.root = s.root;
    a.source = source;
    const auto& agg = lex.aggregators;
    a.outlet = s.outlet;
    if (!agg.empty() && r.below(100) < 45) a.outlet = agg[r.below(static_cast<std::uint32_t>(agg.size()))];
    for (int k = 0; k < 16 && a.outlet == s.outlet; ++k) a.outlet = lex.reporting[lex.reporting_pick.sample(r.next())];
    for (std::uint32_t k = 0; a.outlet == s.outlet; ++k) a.outlet = lex.reporting[k];  // tiny outlet lists
    // 5 minutes to 2 days after its source, and within 3 days of the original when it can.
    const std::int64_t limit = arts[s.root].published + 3 * 86400 - s.published - 300;
    a.published = s.published + 300 + r.below(static_cast<std::uint32_t>(std::clamp<std::int64_t>(limit, 1, 172500)));
    boilerplate(r, a);
    const bool aggregator = lex.outlets[a.outlet].aggregator;
    if (r.below(100) < (aggregator ? 70u : 30u)) {
      a.attribution = static_cast<std::int32_t>(s.outlet);
      a.attribution_footer = r.below(2);
    }
    const Event& ev = events[a.event];
    Ctx c{&ev, &fams[ev.family], lex.outlets[a.outlet].curly};

    // Title: mostly kept, sometimes tagged or edited.
    const std::uint32_t t = r.below(100);
    if (t < 65) {
      a.title = s.title;
    } else if (t < 85) {
      static constexpr std::string_view kPrefixes[] = {"UPDATE: ", "Breaking: ", "WATCH: ", "Report: "};
      char* const b = reserve(s.title.len + 32);
      char* p = put(b, kPrefixes[r.below(4)]);
      a.title = commit(b, put_ref(p, s.title));
    } else {
      Sent ts{s.title.off, s.title.len, 0, 0};
      typo(r, ts);
      a.title = {ts.off, ts.len, s.title.words};
    }

    tmp.assign(sents.begin() + s.sb, sents.begin() + s.se);
    std::uint32_t total = 0;
    for (const auto& x : tmp) total += x.words;
    a.truncated = s.truncated;
    if (r.below(100) >= 15) {  // 15% are verbatim re-posts (only boilerplate changes)
      std::uint32_t drops = r.below(1 + total / 250), inserts = r.below(1 + total / 300);
      std::uint32_t typos = r.below(1 + total / 60);
      const bool reorder = r.below(100) < 25;
      bool rewrite_lead = r.below(100) < 20;
      const bool truncate = !s.truncated && total >= 100 && r.below(100) < 30;
      if (truncate) drops = std::min(drops, 1u), typos /= 2;
      if (s.copy) drops /= 2, inserts /= 2, typos /= 2, rewrite_lead = false;  // a copy of a copy: lighter edits
      for (std::uint32_t k = 0; k < drops && tmp.size() > 3; ++k) {
        const std::uint32_t i = 1 + r.below(static_cast<std::uint32_t>(tmp.size()) - 1);
        if (tmp[i].flags & kParaEnd) tmp[i - 1].flags |= kParaEnd;
        tmp.erase(tmp.begin() + i);
      }
      if (rewrite_lead) {  // the re-poster rewrote the lead: new first sentence(s)
        const std::uint32_t n = std::min<std::uint32_t>(static_cast<std::uint32_t>(tmp.size()), 1 + r.below(2));
        for (std::uint32_t k = 0; k < n; ++k) {
          const std::uint8_t flags = tmp[k].flags;
          tmp[k] = sentence(r, c, k == 0);
          tmp[k].flags = flags;
        }
      }
      for (std::uint32_t k = 0; k < inserts; ++k) {
        const std::uint32_t i = 1 + r.below(static_cast<std::uint32_t>(tmp.size()));
        tmp.insert(tmp.begin() + i, sentence(r, c, false));
      }
      if (reorder && tmp.size() >= 3) {
        const std::uint32_t i = 1 + r.below(static_cast<std::uint32_t>(tmp.size()) - 2);
        std::swap(tmp[i].off, tmp[i + 1].off);
        std::swap(tmp[i].len, tmp[i + 1].len);
        std::swap(tmp[i].words, tmp[i + 1].words);
      }
      for (std::uint32_t k = 0; k < typos; ++k) typo(r, tmp[r.below(static_cast<std::uint32_t>(tmp.size()))]);
      if (truncate) {
        total = 0;
        for (const auto& x : tmp) total += x.words;
        const auto keep = static_cast<std::uint32_t>((0.60 + 0.35 * r.unit()) * total);
        std::uint32_t acc = 0;
        for (std::size_t i = 0; i < tmp.size(); ++i) {
          if (acc + tmp[i].words >= keep) {
            const std::uint32_t k = keep - acc;  // tokens of tmp[i] to keep
            if (k == 0 && i > 0) {
              tmp.resize(i);
              tmp.back().flags |= kEllipsis;
            } else {
              Sent& x = tmp[i];
              const char* b = arena.data() + x.off;
              std::uint32_t len = 0, seen = 0;
              while (len < x.len && !(b[len] == ' ' && ++seen == std::max(k, 1u))) ++len;
              while (len > 0 && (b[len - 1] == ',' || b[len - 1] == '.')) --len;
              x.len = len;
              x.words = static_cast<std::uint16_t>(std::max(k, 1u));
              x.flags |= kEllipsis;
              tmp.resize(i + 1);
            }
            a.truncated = true;
            break;
          }
          acc += tmp[i].words;
        }
      }
    }
    a.sb = static_cast<std::uint32_t>(sents.size());
    sents.insert(sents.end(), tmp.begin(), tmp.end());
    a.se = static_cast<std::uint32_t>(sents.size());
    a.tag = static_cast<std::uint32_t>(derive_seed(block_seed, kTagStream << 32 | slot) % 9000000 + 1000000);
  }

  // ---------------------------------------------------------------- block
  void build_block(std::uint64_t b) {
    block_seed = derive_seed(blocks_seed, b);
    block_first = b * o.block;
    used = 0;
    sents.clear();
    persons.clear();
    fams.clear();
    events.clear();
    arts.clear();
    copies.clear();
    sizes.clear();
    Rng plan(derive_seed(block_seed, kPlanStream << 32));

    const std::uint32_t n = o.block;
    const auto n_copy = static_cast<std::uint32_t>(std::llround(n * o.dup_fraction));
    const std::uint32_t n_orig = n - n_copy;
    const auto multi = static_cast<std::uint32_t>(std::llround(n_orig * o.story_fraction));
    const std::uint32_t max_reports =
        std::min<std::uint32_t>(kMaxReports, static_cast<std::uint32_t>(lex.reporting.size()));
    std::uint32_t assigned = 0;
    // The big event first (its size then shuffled in with the others'); 0 by default.
    const std::uint32_t big = std::min({o.big_event_reports, multi, static_cast<std::uint32_t>(lex.reporting.size())});
    if (big >= 2) sizes.push_back(big), assigned += big;
    // Its siblings (reusing its actors), while the multi-report originals last; 0 by default.
    for (std::uint32_t k = 0; big >= 2 && k < o.big_siblings && multi - assigned >= big; ++k)
      sizes.push_back(big), assigned += big;
    while (max_reports >= 2 && multi - assigned >= 2) {
      std::uint32_t s = std::min(draw_size(plan), max_reports);
      const std::uint32_t rem = multi - assigned;
      if (s > rem) s = rem;
      if (rem - s == 1) {
        if (s < max_reports)
          ++s;
        else if (s > 2)
          --s;
      }
      sizes.push_back(s);
      assigned += s;
    }
    while (assigned < n_orig) sizes.push_back(1), ++assigned;
    for (std::size_t i = sizes.size(); i > 1; --i)
      std::swap(sizes[i - 1], sizes[plan.below(static_cast<std::uint32_t>(i))]);

    arts.reserve(n);
    std::vector<std::uint32_t> taken(std::max<std::size_t>(kMaxReports, big));
    // With big_siblings, the big events share one family of their own (no other event joins it).
    const bool big_family = o.big_siblings > 0 && big > kMaxReports;
    std::optional<std::uint32_t> big_fi;
    for (const std::uint32_t size : sizes) {
      std::uint32_t fi = 0;
      bool sibling = false;
      if (!fams.empty() && plan.chance(o.sibling_fraction)) {
        fi = plan.below(static_cast<std::uint32_t>(fams.size()));
        sibling = fams[fi].n_events < 4 && !(big_family && big_fi == fi);
      }
      if (big_family && size == big) {
        sibling = big_fi.has_value();
        if (sibling) fi = *big_fi;
      }
      if (!sibling) fi = new_family(plan);
      if (big_family && size == big && !big_fi) big_fi = fi;
      new_event(plan, fi);
      const auto ei = static_cast<std::uint32_t>(events.size() - 1);
      for (std::uint32_t k = 0; k < size; ++k) {
        Art a;
        a.event = ei;
        a.root = static_cast<std::uint32_t>(arts.size());
        a.source = a.root;
        // Independent reports come from distinct outlets (for the big event, after 64 draws of
        // outlets already taken, the first free one in order: rarely publishing outlets would take
        // long to draw).
        const auto fresh = [&](std::uint32_t outlet) {
          return std::find(taken.begin(), taken.begin() + k, outlet) == taken.begin() + k;
        };
        for (std::uint32_t draw = 0;; ++draw) {
          a.outlet = lex.reporting[lex.reporting_pick.sample(plan.next())];
          if (fresh(a.outlet)) break;
          if (size > kMaxReports && draw == 64) {
            for (std::uint32_t x = 0; !fresh(a.outlet = lex.reporting[x]); ++x) {
            }
            break;
          }
        }
        taken[k] = a.outlet;
        a.published = events[ei].time +
                      static_cast<std::int64_t>(plan.below(100) < 85 ? plan.below(36 * 3600) : plan.below(4 * 86400));
        arts.push_back(a);
      }
    }
    for (std::uint32_t slot = 0; slot < n_orig; ++slot) write_report(slot);

    for (std::uint32_t k = 0; k < n_copy; ++k) {
      const auto slot = static_cast<std::uint32_t>(arts.size());
      std::uint32_t root = !copies.empty() && plan.below(100) < 35
                               ? copies[plan.below(static_cast<std::uint32_t>(copies.size()))].first
                               : plan.below(n_orig);
      std::uint32_t source = root;
      if (plan.below(100) < 25) {  // sometimes copy an earlier copy of the group
        std::uint32_t members = 0;
        for (const auto& [rt, c] : copies) members += rt == root;
        if (members) {
          std::uint32_t pick = plan.below(members);
          for (const auto& [rt, c] : copies)
            if (rt == root && pick-- == 0) {
              source = c;
              break;
            }
        }
      }
      arts.emplace_back();
      make_copy(slot, source);
      copies.emplace_back(root, slot);
    }

    // Output order: by publication time (a re-post always follows its source), then slot.
    order.resize(n);
    for (std::uint32_t i = 0; i < n; ++i) order[i] = i;
    std::sort(order.begin(), order.end(), [&](std::uint32_t x, std::uint32_t y) {
      return arts[x].published != arts[y].published ? arts[x].published < arts[y].published : x < y;
    });
    for (auto& ev : events) ev.first_pos = n;
    for (std::uint32_t pos = 0; pos < n; ++pos) {
      Art& a = arts[order[pos]];
      a.pos = pos;
      Event& ev = events[a.event];
      ev.first_pos = std::min(ev.first_pos, pos);
    }
  }

  // ---------------------------------------------------------------- rendering
  void append_id(std::string& out, std::uint64_t index) const {
    out += id_prefix;
    char buf[32];
    out.append(buf, put_digits(buf, index + 1, 8));
  }

  static char* put_time(char* p, std::int64_t t) {
    const std::int64_t day = t >= 0 ? t / 86400 : (t - 86399) / 86400;
    const auto sec = static_cast<std::uint32_t>(t - day * 86400);
    const auto c = detail::civil_from_days(day);
    p = put_digits(p, static_cast<std::uint64_t>(c.year), 4);
    *p++ = '-';
    p = put_digits(p, c.month, 2);
    *p++ = '-';
    p = put_digits(p, c.day, 2);
    *p++ = 'T';
    p = put_digits(p, sec / 3600, 2);
    *p++ = ':';
    p = put_digits(p, sec / 60 % 60, 2);
    *p++ = ':';
    p = put_digits(p, sec % 60, 2);
    *p++ = 'Z';
    return p;
  }

  void render(std::uint32_t pos, std::string& out, std::string& gold) const {
    const Art& a = arts[order[pos]];
    const auto& outlet = lex.outlets[a.outlet];
    std::size_t bytes = 512 + a.title.len + 4 * outlet.name_json.size();
    for (std::uint32_t i = a.sb; i < a.se; ++i) bytes += sents[i].len + 5;
    out.clear();
    out.reserve(bytes);
    out += "{\"id\":\"";
    append_id(out, block_first + pos);
    if (a.has_title) {
      out += "\",\"title\":\"";
      out += view(a.title);
    }
    out += "\",\"text\":\"";
    bool first = true;
    auto line = [&](std::string_view s) {
      if (!first) out += "\\n\\n";
      first = false;
      out += s;
    };
    for (std::uint32_t k = 0; k < a.n_hdr; ++k) line(outlet.headers[a.hdr[k]]);
    if (a.byline >= 0) line(outlet.bylines[static_cast<std::size_t>(a.byline)]);
    if (a.attribution >= 0 && !a.attribution_footer) {
      line("Originally published by ");
      out += lex.outlets[static_cast<std::size_t>(a.attribution)].name_json;
    }
    if (!first) out += "\\n\\n";
    for (std::uint32_t i = a.sb; i < a.se; ++i) {
      const Sent& s = sents[i];
      out += view({s.off, s.len, 0});
      if (s.flags & kEllipsis) out += "...";
      if (i + 1 < a.se) out += (s.flags & kParaEnd) ? "\\n\\n" : " ";
    }
    first = false;
    if (a.attribution >= 0 && a.attribution_footer) {
      line("Source: ");
      out += lex.outlets[static_cast<std::size_t>(a.attribution)].name_json;
    }
    for (std::uint32_t k = 0; k < a.n_ftr; ++k) line(outlet.footers[a.ftr[k]]);
    out += "\",\"source\":\"";
    out += outlet.name_json;
    out += "\",\"url\":\"https://";
    out += outlet.domain;
    out += '/';
    out += kSections[fams[events[a.event].family].topic % std::size(kSections)];
    char buf[64];
    {
      const auto c = detail::civil_from_days(a.published / 86400);
      char* p = buf;
      *p++ = '/';
      p = put_digits(p, static_cast<std::uint64_t>(c.year), 4);
      *p++ = '/';
      p = put_digits(p, c.month, 2);
      *p++ = '/';
      p = put_digits(p, c.day, 2);
      *p++ = '/';
      out.append(buf, p);
    }
    // Slug: the title's first 8 words, lower case, hyphenated.
    {
      const std::string_view t = view(a.title);
      std::uint32_t w = 0;
      bool dash = false, any = false;
      for (std::size_t i = 0; i < t.size() && w < 8; ++i) {
        char ch = t[i];
        if (ch >= 'A' && ch <= 'Z') ch = static_cast<char>(ch - 'A' + 'a');
        if ((ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9')) {
          if (dash && any) out += '-';
          out += ch;
          dash = false;
          any = true;
        } else if (!dash) {
          dash = true;
          w += t[i] == ' ';
        }
      }
      out += '-';
      out.append(buf, put_digits(buf, a.tag, 7));
      out += ".html";
    }
    if (a.has_published) {
      out += "\",\"published\":\"";
      out.append(buf, put_time(buf, a.published));
    }
    out += "\",\"lang\":\"en\"}";

    gold.clear();
    gold += "{\"id\":\"";
    append_id(gold, block_first + pos);
    gold += "\",\"story\":\"";
    append_id(gold, block_first + events[a.event].first_pos);
    gold += "\",\"dup_group\":\"";
    append_id(gold, block_first + arts[a.root].pos);
    gold += "\"}";
  }
};

Generator::Generator(const GenOptions& options) : impl_(std::make_unique<Impl>(options)) {}
Generator::~Generator() = default;
Generator::Generator(Generator&&) noexcept = default;
Generator& Generator::operator=(Generator&&) noexcept = default;

bool Generator::next(std::string& article_json, std::string& gold_json) {
  Impl& m = *impl_;
  if (m.produced >= m.o.articles) return false;
  const std::uint64_t b = m.produced / m.o.block;
  const auto pos = static_cast<std::uint32_t>(m.produced % m.o.block);
  if (pos == 0) m.build_block(b);
  m.render(pos, article_json, gold_json);
  ++m.produced;
  return true;
}

std::uint64_t Generator::produced() const noexcept {
  return impl_->produced;
}
const GenOptions& Generator::options() const noexcept {
  return impl_->o;
}

}  // namespace samestory::gen
