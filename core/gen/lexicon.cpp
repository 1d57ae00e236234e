#include "gen/lexicon.hpp"

#include <algorithm>
#include <cmath>
#include <string_view>
#include <unordered_set>

#include "gen/generator.hpp"
#include "io/writer.hpp"
#include "sketch/minhash.hpp"

namespace samestory::gen::detail {

namespace {

using sketch::derive_seed;

// Seed streams of the lexicon (derive_seed(lexicon seed, kStream...)).
enum Stream : std::uint64_t {
  kWords = 1,
  kTopics,
  kFirstNames,
  kCountries,
  kRegions,
  kTowns,
  kFamous,
  kInstitutions,
  kOutlets,
};

// English function words and a few reporting words, roughly in frequency order (the rank
// decides the Zipf weight). None longer than 15 letters.
constexpr std::string_view kFunctionWords[] = {
    "the",          "of",        "and",        "to",          "a",         "in",         "that",      "is",
    "for",          "on",        "was",        "it",          "with",      "as",         "he",        "by",
    "at",           "from",      "his",        "be",          "have",      "has",        "are",       "an",
    "but",          "not",       "they",       "this",        "were",      "had",        "which",     "its",
    "their",        "will",      "would",      "been",        "who",       "or",         "more",      "after",
    "also",         "we",        "about",      "said",        "there",     "than",       "she",       "one",
    "when",         "her",       "up",         "out",         "two",       "all",        "into",      "over",
    "could",        "new",       "last",       "can",         "some",      "other",      "so",        "what",
    "no",           "them",      "first",      "i",           "if",        "while",      "only",      "just",
    "year",         "years",     "most",       "told",        "before",    "says",       "him",       "since",
    "our",          "under",     "may",        "did",         "because",   "against",    "three",     "do",
    "between",      "should",    "those",      "these",       "during",    "where",      "then",      "through",
    "still",        "many",      "any",        "being",       "how",       "says",       "much",      "down",
    "well",         "off",       "week",       "according",   "now",       "very",       "such",      "even",
    "around",       "both",      "each",       "you",         "me",        "my",         "your",      "us",
    "does",         "without",   "another",    "until",       "again",     "later",      "here",      "already",
    "own",          "same",      "among",      "within",      "across",    "though",     "although",  "whether",
    "however",      "every",     "several",    "few",         "less",      "least",      "per",       "yet",
    "might",        "must",      "shall",      "upon",        "whose",     "whom",       "why",       "once",
    "toward",       "towards",   "along",      "behind",      "beyond",    "despite",    "near",      "nearly",
    "almost",       "rather",    "quite",      "too",         "often",     "never",      "always",    "sometimes",
    "perhaps",      "ever",      "else",       "thus",        "therefore", "instead",    "meanwhile", "moreover",
    "nevertheless", "otherwise", "whereas",    "unless",      "above",     "below",      "beside",    "besides",
    "beneath",      "inside",    "outside",    "throughout",  "via",       "amid",       "onto",      "past",
    "next",         "four",      "five",       "six",         "seven",     "eight",      "nine",      "ten",
    "hundred",      "thousand",  "million",    "billion",     "second",    "third",      "half",      "itself",
    "himself",      "herself",   "themselves", "ourselves",   "myself",    "yourself",   "everyone",  "someone",
    "anyone",       "nobody",    "nothing",    "something",   "anything",  "everything", "none",      "either",
    "neither",      "nor",       "whatever",   "whoever",     "wherever",  "whenever",   "this",      "today",
    "yesterday",    "tomorrow",  "tonight",    "ago",         "soon",      "early",      "late",      "far",
    "away",         "back",      "also",       "ahead",       "apart",     "whilst",     "amongst",   "got",
    "get",          "made",      "make",       "went",        "go",        "come",       "came",      "took",
    "take",         "say",       "saying",     "like",        "unlike",    "plus",       "minus",     "including",
    "following",    "regarding", "concerning", "considering", "given",     "except",     "beyond",    "hers",
    "ours",         "theirs",    "mine",       "yours",       "let",       "lets",       "whereby",   "hence",
    "indeed",       "merely",    "mostly",     "partly",      "largely",   "mainly",     "fully",     "really",
    "simply",       "certainly", "probably",   "possibly",    "clearly",   "recently",   "currently", "previously",
    "eventually",   "finally",   "initially",  "mr",          "mrs",       "ms",         "dr",        "it's",
    "that's",       "don't",     "didn't",     "can't",       "isn't",     "wasn't"};

// Real role nouns, so the text reads like news around the pseudo-words.
constexpr std::string_view kRoles[] = {"minister",   "spokesperson", "chief executive", "director",     "mayor",
                                       "coach",      "lawyer",       "professor",       "chair",        "governor",
                                       "senator",    "president",    "secretary",       "commissioner", "prosecutor",
                                       "spokesman",  "spokeswoman",  "manager",         "founder",      "analyst",
                                       "researcher", "judge",        "captain",         "ambassador"};

constexpr std::string_view kOnsets[] = {"b",  "c",  "d",  "f",  "g",  "h",  "j",  "k",  "l",  "m",  "n",
                                        "p",  "r",  "s",  "t",  "v",  "w",  "z",  "b",  "d",  "l",  "m",
                                        "n",  "r",  "s",  "t",  "br", "ch", "cl", "cr", "dr", "fl", "fr",
                                        "gl", "gr", "pl", "pr", "sh", "sk", "sl", "sp", "st", "th", "tr"};
constexpr std::string_view kVowels[] = {"a", "e", "i", "o", "u", "a",  "e",  "i",  "o",  "a",  "e",
                                        "o", "a", "e", "i", "u", "ai", "ea", "ee", "ou", "io", "y"};
constexpr std::string_view kMidCodas[] = {"", "", "", "", "", "n", "r", "l", "s", "m"};
constexpr std::string_view kEndCodas[] = {"",   "",   "",   "n", "r",  "l",  "s",  "t",  "m",  "nd", "nt", "rk",
                                          "st", "ck", "ng", "x", "rd", "sh", "ll", "ss", "th", "ft", "ps", "ve"};

template <std::size_t N>
std::string_view pick(Rng& rng, const std::string_view (&a)[N]) {
  return a[rng.below(static_cast<std::uint32_t>(N))];
}

constexpr std::string_view kSurnameEnds[] = {"son",  "sen",  "ova",  "ski",  "ez",   "ani", "ell", "ard",
                                             "ford", "berg", "stad", "ovic", "escu", "ian", "ley", "ton",
                                             "",     "",     "",     "",     "",     "",    "ers", "ino"};
constexpr std::string_view kTownEnds[] = {"ville", "mere", "ford",  "holm",   "by",   "stad",  "wick", "burg",
                                          "haven", "dale", "field", "port",   "ton",  "",      "",     "",
                                          "",      "",     "moor",  "bridge", "gate", "hollow"};
constexpr std::string_view kCountryEnds[] = {"ia", "land", "istan", "ora", "ania", "ovia", "ica", "ary"};

std::string name_word(Rng& rng, unsigned syllables, std::span<const std::string_view> ends) {
  for (;;) {
    std::string w = pseudo_word(rng, syllables);
    if (!ends.empty()) w += ends[rng.below(static_cast<std::uint32_t>(ends.size()))];
    if (w.size() >= 3 && w.size() <= 14) return capitalized(std::move(w));
  }
}

std::string json_contents(std::string_view s) {
  std::string q;
  append_json_string(q, s);
  return q.substr(1, q.size() - 2);
}

/// Standard normal CDF inverse by bisection on erfc (table construction only).
double normal_quantile(double p) {
  double lo = -10, hi = 10;
  for (int i = 0; i < 100; ++i) {
    const double mid = 0.5 * (lo + hi);
    if (0.5 * std::erfc(-mid / std::sqrt(2.0)) < p)
      lo = mid;
    else
      hi = mid;
  }
  return 0.5 * (lo + hi);
}

}  // namespace

Alias::Alias(std::span<const double> weights) : n_(weights.size()), table_(weights.size()) {
  const std::size_t n = weights.size();
  double total = 0;
  for (double w : weights) total += w;
  std::vector<double> scaled(n);
  std::vector<std::uint32_t> small, large;
  for (std::size_t i = 0; i < n; ++i) {
    scaled[i] = weights[i] * static_cast<double>(n) / total;
    (scaled[i] < 1.0 ? small : large).push_back(static_cast<std::uint32_t>(i));
  }
  while (!small.empty() && !large.empty()) {
    const std::uint32_t s = small.back(), l = large.back();
    small.pop_back();
    table_[s] = {static_cast<std::uint32_t>(scaled[s] * 16777216.0), l};
    scaled[l] -= 1.0 - scaled[s];
    if (scaled[l] < 1.0) {
      large.pop_back();
      small.push_back(l);
    }
  }
  for (auto i : large) table_[i] = {1u << 24, i};
  for (auto i : small) table_[i] = {1u << 24, i};
}

std::vector<double> zipf_weights(std::size_t n, double s, double offset) {
  std::vector<double> w(n);
  for (std::size_t i = 0; i < n; ++i) w[i] = 1.0 / std::pow(static_cast<double>(i + 1) + offset, s);
  return w;
}

std::string pseudo_word(Rng& rng, unsigned syllables) {
  std::string w;
  for (unsigned k = 0; k < syllables; ++k) {
    if (k > 0 || rng.below(5) != 0) w += pick(rng, kOnsets);
    w += pick(rng, kVowels);
    w += k + 1 == syllables ? pick(rng, kEndCodas) : pick(rng, kMidCodas);
  }
  return w;
}

std::string capitalized(std::string s) {
  if (!s.empty() && s[0] >= 'a' && s[0] <= 'z') s[0] = static_cast<char>(s[0] - 'a' + 'A');
  return s;
}

Civil civil_from_days(std::int64_t z) noexcept {
  // Howard Hinnant's civil_from_days.
  z += 719468;
  const std::int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const auto doe = static_cast<unsigned>(z - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const std::int64_t y = static_cast<std::int64_t>(yoe) + era * 400;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  const unsigned d = doy - (153 * mp + 2) / 5 + 1;
  const unsigned m = mp < 10 ? mp + 3 : mp - 9;
  return {static_cast<int>(y + (m <= 2)), m, d};
}

Lexicon::Lexicon(const GenOptions& o) {
  const std::uint64_t seed = derive_seed(o.seed, 0x1E81C0);
  std::unordered_set<std::string> used;  // membership only: never affects the order of output

  // ---- words
  std::vector<std::string> words;
  for (auto w : kFunctionWords)
    if (used.insert(std::string(w)).second) words.emplace_back(w);
  n_function = static_cast<std::uint32_t>(words.size());
  {
    Rng rng(derive_seed(seed, kWords));
    for (std::uint32_t rank = 0; words.size() < n_function + o.vocabulary; ++rank) {
      // Frequent words are short (Zipf's law of abbreviation).
      const unsigned syl = 1 + (rank >= 120) + (rank >= 3000 && rng.below(3) != 0) + (rng.below(4) == 0);
      std::string w = pseudo_word(rng, syl);
      if (w.size() < 2 || w.size() > 15 || !used.insert(w).second) {
        --rank;  // retry the same rank
        continue;
      }
      words.push_back(std::move(w));
    }
  }
  n_words = static_cast<std::uint32_t>(words.size());
  slots.resize(n_words);
  for (std::uint32_t i = 0; i < n_words; ++i) {
    Slot& sl = slots[i];
    std::fill(std::begin(sl.c), std::end(sl.c), ' ');
    std::copy(words[i].begin(), words[i].end(), sl.c);
    sl.c[15] = static_cast<char>(words[i].size());
  }
  {
    const auto fw = zipf_weights(n_function, 1.0, 0.5);
    function_pick = Alias(fw);
    const auto cw = zipf_weights(n_words - n_function, 1.0, 120.0);
    content_pick = Alias(cw);
  }

  // ---- topics: sets of moderately frequent content words that many events of a topic share
  {
    Rng rng(derive_seed(seed, kTopics));
    const std::uint32_t lo = std::min<std::uint32_t>(100, o.vocabulary / 4);
    const std::uint32_t span = std::min<std::uint32_t>(12000, o.vocabulary - lo);
    topic_words.resize(std::size_t{kTopics} * kTopicWords);
    for (auto& w : topic_words) w = n_function + lo + rng.below(span);
  }

  // ---- names
  {
    Rng rng(derive_seed(seed, kFirstNames));
    std::unordered_set<std::string> seen;
    while (first_names.size() < 2000) {
      std::string n = name_word(rng, 1 + rng.below(2), {});
      if (n.size() >= 3 && seen.insert(n).second) first_names.push_back(std::move(n));
    }
  }
  {
    Rng rng(derive_seed(seed, kCountries));
    std::unordered_set<std::string> seen;
    while (countries.size() < 40) {
      std::string n = name_word(rng, 1 + rng.below(2), kCountryEnds);
      if (seen.insert(n).second) countries.push_back(std::move(n));
    }
  }
  {
    Rng rng(derive_seed(seed, kRegions));
    std::unordered_set<std::string> seen;
    while (regions.size() < 300) {
      std::string base = name_word(rng, 1 + rng.below(2), std::span(kTownEnds));
      std::string n;
      switch (rng.below(6)) {
        case 0:
          n = "Upper " + base;
          break;
        case 1:
          n = base + " Valley";
          break;
        case 2:
          n = "North " + base;
          break;
        case 3:
          n = base + " Coast";
          break;
        default:
          n = base;
          break;
      }
      if (seen.insert(n).second) {
        regions.push_back(std::move(n));
        region_country.push_back(rng.below(static_cast<std::uint32_t>(countries.size())));
      }
    }
  }
  {
    Rng rng(derive_seed(seed, kTowns));
    std::unordered_set<std::string> seen(regions.begin(), regions.end());
    while (towns.size() < 5000) {
      std::string n = name_word(rng, 1 + rng.below(2), kTownEnds);
      if (seen.insert(n).second) {
        towns.push_back(std::move(n));
        town_region.push_back(rng.below(static_cast<std::uint32_t>(regions.size())));
      }
    }
    town_pick = Alias(zipf_weights(towns.size(), 0.8, 10.0));
  }
  {
    Rng rng(derive_seed(seed, kFamous));
    while (famous.size() < 400) {
      famous.push_back(first_names[rng.below(2000)] + " " + name_word(rng, 2 + rng.below(2), kSurnameEnds));
      std::string role = "the " + countries[rng.below(40)];
      role += rng.below(2) ? "n " : " ";
      role += kRoles[rng.below(static_cast<std::uint32_t>(std::size(kRoles)))];
      famous_roles.push_back(std::move(role));
    }
    famous_pick = Alias(zipf_weights(famous.size(), 1.0, 2.0));
  }
  {
    Rng rng(derive_seed(seed, kInstitutions));
    while (institutions.size() < 300) {
      const std::string w = capitalized(pseudo_word(rng, 2 + rng.below(2)));
      std::string n;
      switch (rng.below(8)) {
        case 0:
          n = "Ministry of " + w;
          break;
        case 1:
          n = towns[rng.below(400)] + " City Council";
          break;
        case 2:
          n = w + " Party";
          break;
        case 3:
          n = countries[rng.below(40)] + " Central Bank";
          break;
        case 4:
          n = w + " University";
          break;
        case 5:
          n = w + " Workers Union";
          break;
        case 6:
          n = countries[rng.below(40)] + " Football Federation";
          break;
        default:
          n = w + " Institute";
          break;
      }
      institutions.push_back(std::move(n));
    }
    institution_pick = Alias(zipf_weights(institutions.size(), 1.0, 5.0));
  }

  // ---- outlets
  {
    Rng rng(derive_seed(seed, kOutlets));
    static constexpr std::string_view kPaper[] = {"Herald",   "Post",     "Times",   "Chronicle", "Gazette",
                                                  "Observer", "Tribune",  "Courier", "Standard",  "Ledger",
                                                  "Journal",  "Dispatch", "Mirror",  "Express",   "Record"};
    static constexpr std::string_view kAgg[] = {"Digest", "Relay", "Wire", "Feed", "Roundup", "Aggregator"};
    static constexpr std::string_view kHeaders[] = {"Advertisement",
                                                    "Listen to this article",
                                                    "Skip to main content",
                                                    "Breaking News",
                                                    "Exclusive",
                                                    "Sponsored content",
                                                    "Print edition",
                                                    "Live updates",
                                                    "Analysis",
                                                    "Opinion",
                                                    "Top stories",
                                                    "Subscribe to {O}",
                                                    "{O} | News",
                                                    "Latest from {O}",
                                                    "{O} staff report",
                                                    "{O}"};
    static constexpr std::string_view kFooters[] = {"Related Articles",
                                                    "Share this:",
                                                    "Copyright {Y} {O}. All rights reserved.",
                                                    "\xC2\xA9 {Y} {O}",
                                                    "Read more from {O}",
                                                    "Sign up for the {O} newsletter",
                                                    "Follow {O} on social media",
                                                    "Trending now",
                                                    "Report an error",
                                                    "Comments are closed.",
                                                    "Leave a Reply",
                                                    "Most Read",
                                                    "Like this:",
                                                    "Loading...",
                                                    "Your email address will not be published.",
                                                    "Have a news tip? Contact {O}.",
                                                    "Support independent journalism: subscribe to {O} today.",
                                                    "Tags: news, region",
                                                    "Continue reading"};
    year = civil_from_days(o.start >= 0 ? o.start / 86400 : (o.start - 86399) / 86400).year;
    const std::uint32_t n_agg = o.outlets >= 8 ? o.outlets / 8 : 0;
    std::unordered_set<std::string> seen;
    for (std::uint32_t i = 0; i < o.outlets; ++i) {
      Outlet out;
      out.aggregator = i % 8 == 7 && i / 8 < n_agg;
      for (;;) {
        std::string n;
        if (out.aggregator) {
          n = capitalized(pseudo_word(rng, 2)) + " " + std::string(pick(rng, kAgg));
        } else {
          switch (rng.below(4)) {
            case 0:
              n = "The " + towns[rng.below(300)] + " " + std::string(pick(rng, kPaper));
              break;
            case 1:
              n = towns[rng.below(300)] + " " + std::string(pick(rng, kPaper));
              break;
            case 2:
              n = capitalized(pseudo_word(rng, 2)) + (rng.below(2) ? " News" : " Daily");
              break;
            default:
              n = "The " + capitalized(pseudo_word(rng, 2)) + " " + std::string(pick(rng, kPaper));
              break;
          }
        }
        if (seen.insert(n).second) {
          out.name = std::move(n);
          break;
        }
      }
      out.name_json = json_contents(out.name);
      std::string dom;
      for (std::size_t k = out.name.compare(0, 4, "The ") == 0 ? 4 : 0; k < out.name.size(); ++k) {
        const char c = out.name[k];
        if (c >= 'A' && c <= 'Z')
          dom += static_cast<char>(c - 'A' + 'a');
        else if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'))
          dom += c;
        else if (c == ' ' && !dom.empty() && dom.back() != '-')
          dom += '-';
      }
      out.domain = dom + ".example";
      out.curly = rng.below(10) < 3;
      auto fill = [&](std::string_view tpl) {
        std::string s;
        for (std::size_t k = 0; k < tpl.size(); ++k) {
          if (tpl[k] == '{' && k + 2 < tpl.size() && tpl[k + 2] == '}') {
            if (tpl[k + 1] == 'O')
              s += out.name;
            else
              s += std::to_string(year);
            k += 2;
          } else {
            s += tpl[k];
          }
        }
        // "the {O}" of an outlet called "The X" reads "the X".
        for (std::size_t at; (at = s.find("the The ")) != std::string::npos;) s.erase(at + 4, 4);
        return json_contents(s);
      };
      // Each outlet draws its own few header and footer lines (distinct indices).
      auto draw = [&](std::span<const std::string_view> tpls, std::uint32_t count, std::vector<std::string>& dst) {
        std::vector<std::uint32_t> idx(tpls.size());
        for (std::uint32_t k = 0; k < idx.size(); ++k) idx[k] = k;
        for (std::uint32_t k = 0; k < count && k < idx.size(); ++k) {
          std::swap(idx[k], idx[k + rng.below(static_cast<std::uint32_t>(idx.size()) - k)]);
          dst.push_back(fill(tpls[idx[k]]));
        }
      };
      draw(kHeaders, rng.range(2, 4), out.headers);
      draw(kFooters, rng.range(2, 5), out.footers);
      if (!out.aggregator) {
        const std::uint32_t nb = rng.range(3, 12);
        for (std::uint32_t k = 0; k < nb; ++k)
          out.bylines.push_back("By " + first_names[rng.below(2000)] + " " + name_word(rng, 2, kSurnameEnds));
      }
      (out.aggregator ? aggregators : reporting).push_back(i);
      outlets.push_back(std::move(out));
    }
    reporting_pick = Alias(zipf_weights(reporting.size(), 0.7, 3.0));
  }

  // ---- body lengths: log-normal (sigma 0.55) clipped to [max(15, mean/5), 5 mean], rescaled so
  // the clipped mean is mean_words.
  {
    constexpr std::size_t kN = 4096;
    constexpr double sigma = 0.55;
    const double lo = std::max(15.0, o.mean_words / 5), hi = 5 * o.mean_words;
    std::vector<double> q(kN);
    for (std::size_t i = 0; i < kN; ++i)
      q[i] = std::exp(sigma * normal_quantile((static_cast<double>(i) + 0.5) / kN) - sigma * sigma / 2);
    double scale = o.mean_words;
    for (int it = 0; it < 20; ++it) {
      double sum = 0;
      for (double v : q) sum += std::clamp(v * scale, lo, hi);
      scale *= o.mean_words / (sum / kN);
    }
    length_table.resize(kN);
    for (std::size_t i = 0; i < kN; ++i)
      length_table[i] = static_cast<std::uint32_t>(std::lround(std::clamp(q[i] * scale, lo, hi)));
  }
}

}  // namespace samestory::gen::detail
