#!/usr/bin/env python3
"""Deterministic generator for the samestory sample corpus.

Run from the repository root:

    python3 datasets/sample/make_sample.py

It writes articles.jsonl, gold.jsonl and README.md beside this script and
prints sanity statistics (counts and word-5-gram Jaccard summaries).

Every name, place, organisation, number and sentence produced here is
invented. Nothing is copied from real news. Standard library only.
"""

import copy
import datetime
import json
import os
import random
import re
import statistics

SEED = 20261121
OUT_DIR = os.path.dirname(os.path.abspath(__file__))

# ---------------------------------------------------------------------------
# Template rendering
#
# A template is a string with {slot} placeholders and [a|b|c] alternations
# (alternations may be nested; an empty alternative is allowed). Rendering
# resolves the alternations innermost-first with the shared RNG, then fills
# the slots, then tidies whitespace and capitalises the first letter.
# ---------------------------------------------------------------------------

_ALT = re.compile(r"\[([^\[\]]*)\]")


def render(tpl, slots, rng, capitalise=True):
    s = tpl
    for _ in range(3):  # slot values may themselves contain templates
        while True:
            m = _ALT.search(s)
            if not m:
                break
            opts = m.group(1).split("|")
            s = s[:m.start()] + rng.choice(opts) + s[m.end():]
        if "{" not in s:
            break
        s = s.format_map(slots)
    s = re.sub(r"\s+", " ", s).strip()
    s = re.sub(r" ([,.;:!?])", r"\1", s)
    s = re.sub(r"(?<!\.)\.\.(?!\.)", ".", s)          # "p.m." at the end of a sentence
    s = re.sub(r"\b([Aa]) (?=[AEIOUaeiou]|8|11 |11%|18 |18%)(?!uni|one|use|Euro)", r"\1n ", s)
    if capitalise and s:
        i = 1 if s[0] in "\"'" and len(s) > 1 else 0
        s = s[:i] + s[i].upper() + s[i + 1:]
    return s


def words(text):
    return re.findall(r"\w+", text.lower())


def shingles(text, n=5):
    w = words(text)
    return {tuple(w[i:i + n]) for i in range(len(w) - n + 1)}


def jaccard(a, b):
    if not a and not b:
        return 1.0
    return len(a & b) / len(a | b)


NUMWORDS = ["zero", "one", "two", "three", "four", "five", "six", "seven",
            "eight", "nine", "ten", "eleven", "twelve"]


def num(n):
    return "{:,}".format(n)


def small(n):
    return NUMWORDS[n] if 0 <= n < len(NUMWORDS) else num(n)


def money(millions, cur="$"):
    if millions >= 1000:
        v = millions / 1000.0
        s = ("%.1f" % v).rstrip("0").rstrip(".")
        return "%s%s billion" % (cur, s)
    if millions >= 1:
        s = ("%.1f" % millions).rstrip("0").rstrip(".")
        return "%s%s million" % (cur, s)
    return "%s%s" % (cur, num(int(round(millions * 1_000_000))))


def ordinal(n):
    if 10 <= n % 100 <= 20:
        suf = "th"
    else:
        suf = {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return "%d%s" % (n, suf)


MONTHS = ["January", "February", "March", "April", "May", "June", "July",
          "August", "September", "October", "November", "December"]
WEEKDAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday",
            "Saturday", "Sunday"]

# ---------------------------------------------------------------------------
# Invented name pools
# ---------------------------------------------------------------------------

FIRST = """Marek Ilse Tomas Anouk Bram Selin Oskar Petra Lior Maren Dorian Katya
Emil Rhea Casimir Yara Henrik Lucia Anselm Noor Feliks Greta Idris Saskia Teodor
Mirela Jonah Vesna Aurel Linnea Ruben Ottilie Stellan Irina Matthias Leocadia
Benedikt Sorcha Kasimir Delphine Arvid Zofia Ewan Marisol Tobiah Helka Florin
Annika Lazlo Brigitta Cyprian Elodie Hakon Jovana Kaspar Liesel Nikodem Rosalind
Severin Tamsin Odile Pavo Quinta Radek Sunniva Thaddeus Ulla Vilem Wilhelmina
Xavi Yelena Zoltan Agathe Bertil Clio Dragan Esme Fabian Gudrun Hollis Ines
Jarek Kerensa Leopold Mila Nestor Orla Piet Rosalie Silas Tove""".split()

LAST = """Tovanis Quillen Varnow Orskaya Delacroy Brandvik Ostrander Kellhaus
Vintari Pellegrew Szandor Halloway Drummel Castellane Yurevich Blackthorne
Ambrecht Moravell Fennimore Sallow Thornquist Valdane Wexley Corvin Haddaway
Ivanek Jessamy Korolenko Lestrange Marbury Nettleford Okonkwe Pashley Quarmby
Rostova Sandoval-Reyes Tarrant Umberfield Vasquenne Warrender Yarrowby Zelenka
Achterberg Bellweather Crommelin Dunstable Esterhazy Falkenrath Gorringe
Hesketh-Vale Ingleby Jorvan Kettleborough Lindgard Mortensby Norrage Ormerod
Penhallow Quenneville Rathbone Stavros-Kell Trevanion Underhay Vellacott
Wintour-Ashe Abernath Brisbois Calloway-Dunn Devereaux-Lin Ellingham Fairweather
Garroway Hollinshead Iverach Jankowiak Kristoffen Larrabee Mallinder Northcote
Oyelaran Prothero Rennick Szabados Thistlewood Uvarova Verhoeven-Stack""".split()

TOWNS = """Korrigan Ashmere Dunhollow Brackwater Marrowby Caldmoor Tarrin Vesk
Holmgard Fennick Greyhaven Quenby Redstow Sallowmere Thistlecombe Varnholm
Westerlough Zerhan Albrin Belcaster Corlis Drennick Farrowgate Gildmoor
Harrowfield Istrel Jaskow Kelminster Norrow Orlen Pennick Quarrow Stavenmoor
Tollerby Ulverhay Vennick Wrayburn Ysterdal Amberwick Brisk Carnhollow Dellow
Eskerby Fallowmere Gorran Hythefold Ingleby-Marsh Jessop Kestwick Lorrin
Mardale Nethercoombe Oakhallow Pellaton Rookmere Silbury-Vale Tarnwick Umbry
Valmont-sur-Orle Wickerby Yarrow Zennor-Vale Aldric Bexmoor Cressing Durnholm
Elmstow Frayne Glenhollow Hallowgate Irrow Juniper-Ford Kilvane Lantry""".split()

REGIONS = """Upper Calden|Westmarch|Brenn Valley|Sorrel|Harth|Kessel Highlands|Northmoor|Ambervale|Tarn Coast|Lowmere|Dravenshire|Eastfold|Corrow Plains|Silvercombe|Orle Basin|Greymarch|Hollin Downs|Varra Lakes""".split("|")

COUNTRIES = [("Veldoria", "Veldorian"), ("Sarvast", "Sarvasti"),
             ("Ostrany", "Ostranian"), ("Calvera", "Calveran"),
             ("Brevonia", "Brevonian"), ("Kestria", "Kestrian"),
             ("Aravel", "Aravelian"), ("Dorvia", "Dorvian"),
             ("Pellinor", "Pellinorean"), ("Tamberland", "Tamberlandic")]

CO_PREFIX = """Brightmoor Halvard Kestrel Norwood Altamar Corvane Pellham Stonebridge
Vantor Elmcrest Dunmore Ravenholt Tessell Oakhurst Marlow-Finch Quenton Silverlode
Greywell Ashcombe Fenwright Lumera Orrin Castlerock Windhaven Trellis Borealis
Aldermoor Bexley-Crane Cindral Drayhurst Everlane Foxhollow Glennard Hartwell Ironvale
Juniper-Mott Kilbride Larchmont Meadowcroft Northgate Ostmark Palisade Quillfeather
Redwater Saltmarsh Thornbury Underwood Veridian Whitlock Yellowfen Zephyrine
Ambleside-Roe Brackenridge Copperfield Dovecote""".split()
CO_SUFFIX = ["Industries", "Holdings", "Group", "Manufacturing", "Systems",
             "Logistics", "Textiles", "Chemicals", "Foods", "Motors",
             "Energy", "Pharma"]


class Namer:
    """Hands out unique invented names, places and companies."""

    def __init__(self, rng):
        self.rng = rng
        self.used = set()
        self.towns = TOWNS[:]
        rng.shuffle(self.towns)
        self.town_i = 0
        self.counts = {}

    def person(self):
        for _ in range(10000):
            n = "%s %s" % (self.rng.choice(FIRST), self.rng.choice(LAST))
            if n not in self.used:
                self.used.add(n)
                return n
        raise RuntimeError("name pool exhausted")

    def town(self):
        t = self.towns[self.town_i % len(self.towns)]
        self.town_i += 1
        return t

    def company(self, suffixes=None):
        """A company name whose first word is used by no other company."""
        prefixes = [p for p in CO_PREFIX if p not in self.used]
        p = self.rng.choice(prefixes)
        self.used.add(p)
        return "%s %s" % (p, self.rng.choice(suffixes or CO_SUFFIX))

    def pick(self, pool):
        """The least-used item of pool (so quotes rarely repeat across events)."""
        key = id(pool)
        counts = self.counts.setdefault(key, [0] * len(pool))
        m = min(counts)
        i = self.rng.choice([j for j, c in enumerate(counts) if c == m])
        counts[i] += 1
        return pool[i]

    def unique(self, pool):
        cands = [p for p in pool if p not in self.used]
        p = self.rng.choice(cands)
        self.used.add(p)
        return p


def plural(noun):
    if noun.endswith("y") and noun[-2:-1] not in "aeiou":
        return noun[:-1] + "ies"
    return noun + "s"


def last_name(full):
    return full.split(" ", 1)[1]


# ---------------------------------------------------------------------------
# Outlets. Each has a date style, optional dateline, reporter bylines and a
# small pool of recurring boilerplate lines (headers / footers).
# ---------------------------------------------------------------------------

OUTLETS = [
    dict(name="Harbor Times", domain="harbortimes.example", style="weekday",
         dateline=True, byline=0.6, aggregator=False,
         header=["Listen to this article", "Harbor Times | Local News"],
         footer=["Related Articles",
                 "Subscribe to our newsletter for the Harbor Times morning briefing.",
                 "Copyright 2026 Harbor Times. All rights reserved."]),
    dict(name="Northern Ledger", domain="northernledger.example", style="md",
         dateline=False, byline=0.5, aggregator=False,
         header=["Advertisement"],
         footer=["Share this:", "Leave a Reply",
                 "Your email address will not be published. Required fields are marked *",
                 "© 2026 Northern Ledger Media Group"]),
    dict(name="Valley Courier", domain="valleycourier.example", style="wmd",
         dateline=True, byline=0.7, aggregator=False,
         header=["Valley Courier — News you can trust since 1911"],
         footer=["Have a news tip? Email the Valley Courier newsroom.",
                 "Sign up for Courier Alerts to get breaking news by email.",
                 "Copyright 2026 Valley Courier. All rights reserved."]),
    dict(name="Eastbrook Gazette", domain="eastbrookgazette.example", style="dm",
         dateline=False, byline=0.4, aggregator=False,
         header=["Skip to content", "Eastbrook Gazette"],
         footer=["Related Articles", "Most Read",
                 "Support local journalism: subscribe to the Eastbrook Gazette today."]),
    dict(name="The Meridian Post", domain="meridianpost.example", style="wmd",
         dateline=True, byline=0.8, aggregator=False,
         header=["Analysis and news from The Meridian Post"],
         footer=["Read more: The Meridian Post world desk",
                 "This article is part of our regional coverage.",
                 "© The Meridian Post 2026"]),
    dict(name="Coastline Daily", domain="coastlinedaily.example", style="weekday",
         dateline=False, byline=0.3, aggregator=False,
         header=["Advertisement", "Coastline Daily | Breaking"],
         footer=["Share this:", "Click to share on Facebook (Opens in new window)",
                 "Like this:", "Loading..."]),
    dict(name="Granite Herald", domain="graniteherald.example", style="md",
         dateline=True, byline=0.6, aggregator=False,
         header=["Granite Herald Staff Report"],
         footer=["Leave a Reply", "Cancel reply",
                 "Copyright 2026 Granite Herald. All rights reserved."]),
    dict(name="Riverside Chronicle", domain="riversidechronicle.example", style="dm",
         dateline=False, byline=0.5, aggregator=False,
         header=["Riverside Chronicle", "Listen to this article"],
         footer=["Subscribe to our newsletter",
                 "Get the Chronicle's top stories in your inbox every morning.",
                 "Tags: news, region"]),
    dict(name="Lakeshore Observer", domain="lakeshoreobserver.example", style="weekday",
         dateline=True, byline=0.5, aggregator=False,
         header=["Lakeshore Observer — Independent since 1978"],
         footer=["Related Articles", "Comments are closed.",
                 "© 2026 Lakeshore Observer"]),
    dict(name="Capital Dispatch", domain="capitaldispatch.example", style="md",
         dateline=True, byline=0.7, aggregator=False,
         header=["Capital Dispatch | Politics & Economy"],
         footer=["Sign up for the Dispatch Daily newsletter.",
                 "Follow Capital Dispatch for live updates.",
                 "Copyright 2026 Capital Dispatch. All rights reserved."]),
    dict(name="NewsRelay Digest", domain="newsrelay.example", style="md",
         dateline=False, byline=0.0, aggregator=True,
         header=["NewsRelay Digest", "Advertisement"],
         footer=["Source: partner outlet", "NewsRelay aggregates stories from partner outlets.",
                 "Share this:", "Trending now"]),
    dict(name="Wirefeed Daily", domain="wirefeed.example", style="weekday",
         dateline=False, byline=0.0, aggregator=True,
         header=["Wirefeed Daily — All the news, all day"],
         footer=["Related Articles", "Subscribe to our newsletter",
                 "Wirefeed Daily is not responsible for the content of external sites."]),
]
OUTLET_BY_NAME = {o["name"]: o for o in OUTLETS}
REPORTING_OUTLETS = [o["name"] for o in OUTLETS if not o["aggregator"]]
AGGREGATORS = [o["name"] for o in OUTLETS if o["aggregator"]]

REPORTERS = {}  # filled in main() so that it consumes the shared RNG in order


# ---------------------------------------------------------------------------
# Generic sentences usable in any report (filler), and quote frames.
# Slots available everywhere: place, region, country, outlet, pop, when.
# ---------------------------------------------------------------------------

# Each generic sentence is tagged with the kinds of story it suits:
# I = incidents (disasters, fires, crime, rescues), G = government, politics
# and courts, B = business and labour, L = sport and festivals,
# C = civic and science news.
GENERIC = [
    ("IGB", "{outlet} [could not|was unable to] independently [verify|confirm] [all of the|every one of the] [figures|details] [at the time of publication|by press time]."),
    ("IGB", "This [is a developing story|story is still developing] and [will be|may be] updated [as more information becomes available|when further details emerge]."),
    ("IGLC", "[Residents|Locals|People] [in|of] {place} told {outlet} they [were|had been] [following|watching] [events|developments] [closely|with concern|anxiously]."),
    ("IGBLC", "{place}, [a town|a community|a municipality] of [about|around|roughly] {pop} [people|residents|inhabitants], [lies|sits] in {region}."),
    ("IGL", "[Local|Regional] [broadcasters|radio stations] [carried|aired] [live|rolling] coverage [throughout|for much of] the day."),
    ("IL", "[Social media|Online forums|Messaging groups] [filled|were flooded] with [photos|videos|images] [shared by|posted by] [residents|witnesses|onlookers] [within minutes|soon afterwards|as the news spread]."),
    ("IG", "[Officials|Authorities] [promised|pledged] [a full|a detailed|a thorough] [review|account] [in the coming days|within a week|before the end of the month]."),
    ("IGB", "[Several|A number of] [local|regional] [politicians|councillors|lawmakers] [called for|demanded] [an inquiry|more information|greater transparency] [from the authorities|on the matter]."),
    ("IGBC", "[The|A] [regional|local] [council|assembly] [is due to|will] [discuss|debate] the [matter|issue] at its next [session|meeting], [a clerk|an official] said."),
    ("IL", "[Traffic in central {place} was|Roads in parts of {place} were] [disrupted|slowed] [for several hours|well into the evening|through the afternoon]."),
    ("IGB", "It was not [immediately|yet] clear [how|when] the [situation|matter] would [be resolved|develop further|move forward]."),
    ("IL", "[Forecasters|Meteorologists] [expected|predicted] [dry|mild|cold|unsettled] [conditions|weather] [for the rest of the week|over the coming days] in {region}."),
    ("IGBLC", "[Newspapers|Commentators|Columnists] in {country} [devoted|gave] [extensive|wide|prominent] coverage to the [news|events] [the following morning|on the next day]."),
    ("I", "[Shops|Businesses|Cafes] [near|around] the [town centre|main square|harbour] [closed early|stayed shut|reported fewer customers] [that day|as a result]."),
    ("IG", "[Ministers|Government officials] in the capital [said|indicated] they [were|had been] [briefed|kept informed] [throughout|during] the day."),
    ("IGBLC", "The [story|news] [was among|ranked among] the most [read|widely shared] [items|articles] on [regional|national] news sites [that day|on the day]."),
    ("I", "[Anyone|Readers|Residents] with [information|relevant information] [were asked|were invited|was urged] to [contact|get in touch with] [the authorities|local officials] [directly|by telephone]."),
    ("I", "[Community groups|Volunteers|Church groups] in {place} [organised|set up|started] [collections|a support network|fundraising] for [those affected|the families involved|people in need]."),
    ("IG", "[A spokesperson|A press officer] for the {region} [regional government|administration] said [an update|a fuller statement] would [follow|be issued] [later|in due course]."),
    ("IGLC", "[Earlier in the year|Last year], {region} [was|had been] [in the headlines|in the news] [for|because of] [a separate dispute over funding|an unrelated row over local services|a long debate over housing]."),
    ("I", "[Opposition|Minority] [parties|groups] in {country} [seized on|were quick to comment on] the [news|events], [accusing the government of complacency|criticising the government for being slow to act]."),
    ("IGB", "[Economists|Analysts|Local economists] [said|warned] it was [too early|premature] to [judge|estimate] the [wider|longer-term] [impact|consequences] for {region}."),
    ("I", "[Schoolchildren|Pupils] in {place} [were sent home|were kept indoors|had lessons cancelled] [as a precaution|for part of the day]."),
    ("I", "A [hotline|telephone line|help desk] [was opened|has been set up] for [families|relatives|members of the public] [seeking|looking for] [information|news]."),
    ("I", "[Church bells|Sirens|Car horns] [could be heard|rang out|sounded] across {place} [in the evening|later that day|as night fell]."),
    ("IGB", "{outlet} [contacted|reached out to] [several|a number of] [officials|people involved] [for comment|for a response]; [not all|only some] [responded|replied] [before publication|by deadline]."),
    ("I", "[The mayor|The town council] of {place} [cancelled|postponed] [a planned|a scheduled] [public event|ceremony|market day] [in light of|following] the [news|events]."),
    ("IGL", "[Video|Footage] [broadcast|aired] [by|on] [regional|national] television [showed|appeared to show] [crowds|people] [gathering|assembling] [in|near] the [main square|centre] of {place}."),
    ("I", "[Some|Many] [residents|locals] [said|complained] [that|] [information|official updates] had been [slow to arrive|patchy|hard to find]."),
    ("I", "[Volunteers|Neighbours] [brought|handed out] [hot drinks|food|blankets] to [those waiting|people gathered] [outside|nearby]."),
    ("IG", "[National|State] [media|television] in {country} [described the events as|called the developments] [significant|a turning point for the region|a major test for local officials]."),
    ("IGLC", "[Historians|Local historians] [noted|pointed out] that {place} [has|had] [weathered|faced] [similar|comparable] [moments|episodes] [before|in the past]."),
    ("I", "[Trains|Buses|Ferries] [serving|to and from] {place} [ran|were running] [with delays|on a reduced timetable] [for the rest of the day|into the evening]."),
    ("I", "[A vigil|A public meeting|A gathering] [was planned|is planned|has been called] in {place} [for the weekend|later in the week]."),
    ("I", "[Insurers|Insurance companies] [said|indicated] they [expected|were preparing for] [a rise in|a wave of] claims [from|across] {region}."),
    ("I", "[Officials|Civil servants] [in|from] the capital [travelled|were sent] to {place} [to assess|to review] the situation [in person|first-hand]."),
    ("IL", "[Few|Not many] [people|residents] in {place} [could recall|remembered] [anything like it|a comparable day] [in decades|in living memory]."),
    ("IG", "[Updates|Further updates] [will be posted|are expected] on the {region} [government's|administration's] [website|official channels]."),
    ("IGLC", "The [population|number of residents] of {region} has [grown|shrunk] [steadily|slowly] over the past [decade|twenty years], [official figures show|according to census data]."),
    ("I", "[Commuters|Drivers] [were advised|were told] to [allow extra time|avoid the area|use alternative routes] [until further notice|for the time being]."),
    ("B", "[Markets|Investors] [reacted|responded] [calmly|cautiously] to the [news|announcement] [in early trading|on the day]."),
    ("B", "[Trade associations|Industry groups] said they [would|intended to] [study|review] the [details|fine print] [before commenting further|carefully]."),
    ("GB", "[A senior official|A government adviser], [speaking|who spoke] on condition of anonymity, [said|told {outlet}] the [outcome|result] had been [expected|anticipated] [for some time|for weeks]."),
    ("GBLC", "{outlet} has [reported|written] [extensively|regularly] on the [issue|subject] [since last year|over the past year]."),
    ("GBLC", "[Local|Regional] [newspapers|radio stations] [ran|carried] [interviews with|reactions from] [residents|people] [across|throughout] {region}."),
    ("L", "[Photographs|Pictures] from the [day|event] [were widely shared|circulated widely] [online|on social media]."),
    ("L", "[Many|Several] [visitors|spectators|onlookers] [travelled|came] from [neighbouring towns|across {region}] [to be there|for the occasion]."),
    ("L", "The [weather|sunshine] [held|stayed fine] [for most of the day|until the evening], [to the relief of|much to the relief of] [organisers|officials]."),
    ("L", "[Local|Town] [officials|councillors] [praised|thanked] [volunteers|staff] for [their work|their efforts] [behind the scenes|over many months]."),
    ("GB", "[Lawmakers|Members of parliament] [from several parties|across parties] said they [would|intend to] [raise|ask about] the [matter|issue] in parliament."),
    ("B", "[Competitors|Rival firms] [declined to comment|did not respond to requests for comment] [on the news|when contacted by {outlet}]."),
    ("B", "[Financial analysts|Brokers] [said|noted] the [announcement|news] had been [widely expected|partly priced in] [by investors|by the market]."),
    ("B", "[Employees|Staff] [learned of|were told about] the [news|decision] [in an internal memo|at a staff meeting] [earlier that morning|the same day]."),
    ("G", "[Political commentators|Columnists] [in {country}|in the capital] [were divided|disagreed] over [what the result means|the significance of the outcome]."),
    ("G", "[Government|Ministry] [lawyers|officials] [were studying|were examining] the [details|text] [before|ahead of] [any|a formal] [response|reaction]."),
    ("C", "[Local|Regional] [officials|councillors] [said|noted] the [project|work] had [attracted|drawn] [interest|attention] from [neighbouring regions|other towns]."),
]

QUOTE_FRAMES = [
    '"{q}," {s_v} said.',
    '"{q}," said {s}.',
    '"{q}," {s_v} [told reporters|told journalists|said] [afterwards|later].',
    '[Speaking|Talking] to reporters, {s_v} said: "{q}."',
    '[In a statement|In a written statement], {s_v} said: "{q}."',
    '{s_v} [was blunt|did not mince words]: "{q}."',
    '"{q}," {s_v} [said in a statement|told a news conference|wrote on social media].',
    '{s_v} [put it simply|summed it up]: "{q}."',
    '"{q}," according to {s}.',
    '[Asked|Pressed] about [the outcome|the result|what happened], {s_v} [replied|answered]: "{q}."',
]


def quote_slots(q, s, s_last):
    return dict(q=q, s=s, s_v=(s + ",") if "," in s else s, s_last=s_last)


# ---------------------------------------------------------------------------
# Event types. Each type has a fact generator gen_<type>(rng, namer, fam)
# returning a slot dict, and a template set:
#   headline, lead: lists of variants (each report gets a different one)
#   facts: list of fact groups; each group is a list of alternative wordings
#   context: type-specific background sentences
#   closing: optional closing sentences
# Slots every event must define: place, region, country, pop, speaker,
# quote, speaker2, quote2.
# ---------------------------------------------------------------------------

TYPES = {}
GENS = {}


def common_place(rng, nm, country=None):
    c = country or rng.choice(COUNTRIES)
    return dict(place=nm.town(), region=rng.choice(REGIONS), country=c[0],
                country_adj=c[1], pop=num(rng.randrange(4, 190) * 1000 +
                                           rng.randrange(0, 10) * 100))


# ---- summit / diplomatic meeting -----------------------------------------

SUMMIT_AGENDA = [
    ("fishing rights in the Orlen Strait", "fishing rights"),
    ("water sharing on the Varra river", "water sharing"),
    ("the reopening of border crossings closed since 2024", "border crossings"),
    ("a new rail link between the two capitals", "the rail link"),
    ("energy exports over the coming winter", "energy exports"),
    ("the status of the disputed Kessel islands", "the Kessel islands"),
    ("visa rules for seasonal farm workers", "visa rules"),
    ("customs cooperation on the northern border", "customs cooperation"),
    ("the shared electricity grid", "the power grid"),
    ("joint patrols against smuggling in the mountains", "smuggling patrols"),
]
SUMMIT_SIDE = ["student exchanges", "cross-border ambulance services",
               "the return of archived documents", "weather data sharing",
               "mutual recognition of driving licences", "joint fire-fighting drills",
               "a cultural heritage programme", "pension rights for cross-border workers"]
SUMMIT_FUND = ["modernising border posts", "repairing the old river bridges",
               "cleaning up the shared lake", "building a joint research centre",
               "upgrading mountain roads", "supporting fishing communities"]
SUMMIT_STICK = ["compensation for seized fishing boats", "the demarcation of the river border",
                "transit fees for freight trains", "the treatment of minority-language schools",
                "gas pipeline tariffs", "the extradition of two businessmen"]
SUMMIT_VENUES = ["Old Customs House", "Belvane Palace", "Congress Centre",
                 "Riverside Pavilion", "Hotel Marquand", "former Admiralty building",
                 "Kessler Conference Hall", "Town Hall"]
SUMMIT_QUOTES_A = [
    "We did not solve everything today, but we finally stopped talking past each other",
    "This is the most useful meeting our two countries have had in a decade",
    "Trust is built one agreement at a time, and today we added a few more",
    "Our citizens want results, not speeches, and today they got some",
    "There is still a long road ahead, but the direction is right",
    "I leave this room more hopeful than when I entered it",
]
SUMMIT_QUOTES_B = [
    "We were frank with each other, and frankness is a good start",
    "Nobody should expect miracles, but nobody should dismiss what was achieved",
    "Some questions remain open and we said so honestly",
    "We will judge this by what happens at the border next month, not by what we signed today",
    "Good neighbours argue, and then they sit down and work things out",
    "The door is open, and we intend to keep it that way",
]


def gen_summit(rng, nm, fam=None):
    if fam is None:
        ca, cb = rng.sample(COUNTRIES, 2)
        fam = dict(a=nm.person(), b=nm.person(),
                   a_title=rng.choice(["Foreign Minister", "Trade Minister", "special envoy"]),
                   b_title=rng.choice(["Foreign Minister", "Deputy Prime Minister", "chief negotiator"]),
                   a_country=ca[0], a_adj=ca[1], b_country=cb[0], b_adj=cb[1],
                   n=0, agendas=rng.sample(SUMMIT_AGENDA, 3))
    fam["n"] += 1
    host = rng.choice([(fam["a_country"], fam["a_adj"]), (fam["b_country"], fam["b_adj"])])
    s = common_place(rng, nm, host)
    ag = fam["agendas"][(fam["n"] - 1) % 3]
    s.update(dict(a=fam["a"], b=fam["b"], a_title=fam["a_title"], b_title=fam["b_title"],
                  a_last=last_name(fam["a"]), b_last=last_name(fam["b"]),
                  a_country=fam["a_country"], a_adj=fam["a_adj"],
                  b_country=fam["b_country"], b_adj=fam["b_adj"],
                  agenda=ag[0], agenda_short=ag[1],
                  venue=rng.choice(SUMMIT_VENUES),
                  side_topic=rng.choice(SUMMIT_SIDE), fund_purpose=rng.choice(SUMMIT_FUND),
                  sticking_point=rng.choice(SUMMIT_STICK),
                  hours=small(rng.randrange(4, 12)),
                  agreements=small(rng.randrange(2, 7)),
                  amount=money(rng.randrange(12, 95) * 10),
                  pct="%d%%" % rng.randrange(5, 31),
                  next_city=nm.town(), next_month=rng.choice(["April", "May", "June"]),
                  protest_n=num(rng.randrange(3, 40) * 10),
                  ordinal=["first", "second", "third", "fourth"][fam["n"] - 1],
                  ordinal_times=["once", "twice", "three times", "four times"][fam["n"] - 1]))
    s["speaker"] = "%s %s" % (s["a_title"], s["a"]) if s["a_title"][0].isupper() else s["a"]
    s["speaker_last"] = s["a_last"]
    s["speaker2"] = s["b"]
    s["speaker2_last"] = s["b_last"]
    s["quote"] = nm.pick(SUMMIT_QUOTES_A)
    s["quote2"] = nm.pick(SUMMIT_QUOTES_B)
    return s, fam


TYPES["summit"] = dict(
    headline=[
        "{a_adj} and {b_adj} envoys meet in {place} over {agenda_short}",
        "{a_last} and {b_last} hold [talks|marathon talks] in {place}",
        "{a_country}, {b_country} sign {agreements} agreements at {place} talks",
        "{a_country} and {b_country} agree {pct} tariff cut after {place} meeting",
        "Envoys [reach|strike] deal on {agenda_short} in {place}",
        "{a_last}: '{quote}'",
        "[Neighbours|Rivals] {a_country} and {b_country} [narrow|bridge] gaps in {place}",
    ],
    lead=[
        "{a_title} {a} of {a_country} and {b_title} {b} of {b_country} met in {place} {when} for talks on {agenda}, [officials|diplomats] said.",
        "The top [diplomats|negotiators] of {a_country} and {b_country} sat down {when} in {place}, {country}, to [discuss|tackle] {agenda}.",
        "Negotiators led by {a} and {b} [wrapped up|concluded] a round of talks in {place} {when}, [agreeing|signing off on] {agreements} [agreements|accords] [covering|that include] {agenda}.",
        "A meeting between {a_country} and {b_country} in the {country_adj} town of {place} ended {when} with a [pledge|commitment] to cut tariffs by {pct}, according to both delegations.",
        "{place} [hosted|played host to] {a_adj} envoy {a} and the {b_adj} counterpart {b} {when} as the two [neighbours|governments] [sought|tried] to settle [their|long-running] differences over {agenda}.",
        "[Diplomats|Delegations] from {a_country} and {b_country} [spent|passed] much of {day} at the {venue} in {place}, where talks [focused on|centred on] {agenda}.",
        "After [months|weeks] of [preparation|back-channel contacts], {a_last} and {b_last} [came face to face|finally met] {when} in {place}.",
    ],
    facts=[
        ["The talks lasted {hours} hours, [longer than|well beyond what] the [schedule had allowed|organisers had planned].",
         "[Delegates|The two sides] spent {hours} hours behind closed doors at the {venue}.",
         "According to [an aide|a spokesperson] for {a_last}, the session at the {venue} ran for {hours} hours.",
         "After {hours} hours of [discussion|negotiation] at the {venue}, the [ministers|envoys] [emerged together|appeared side by side] to [brief|address] the press.",
         "[It took|The pair needed] {hours} hours [of talks|at the table] before [a joint statement|a common text] was [ready|agreed]."],
        ["{agreements} [memoranda|agreements] were signed, [including one|one of them] on {side_topic}.",
         "The [ministers|envoys] put their names to {agreements} [documents|texts], among them [a deal|an accord] on {side_topic}.",
         "Among the {agreements} agreements [reached|concluded] was [a framework|an arrangement] for {side_topic}.",
         "[Officials|Aides] said {agreements} separate accords had been [finalised|agreed], [one covering|one of which covers] {side_topic}.",
         "[Besides|Alongside] the main [issue|topic], the [sides|delegations] [settled|signed off on] {side_topic}, one of {agreements} [texts|deals] [signed|approved] {when}."],
        ["Both governments [committed|pledged] {amount} to a joint [fund|programme] for {fund_purpose}.",
         "A [joint|shared] fund worth {amount} will [be used for|support] {fund_purpose}, the [joint statement|communique] said.",
         "{a_country} will [contribute|provide] the larger share of a {amount} package aimed at {fund_purpose}.",
         "The [package|fund], valued at {amount}, is [earmarked|intended] for {fund_purpose}.",
         "Money was [also|] on the table: {amount} [for|to pay for] {fund_purpose}, [to be split|shared] between the two treasuries."],
        ["Tariffs on [farm goods|agricultural products|steel and timber] are to fall by {pct} from {next_month}.",
         "The two countries agreed to cut tariffs by {pct}, a [move|step] [analysts|economists] had [long called for|expected].",
         "Under the [deal|agreement], import duties [will drop|are set to fall] by {pct}.",
         "A reduction of {pct} in [border tariffs|customs duties] was the [headline|main] outcome, [officials|aides] said.",
         "[Exporters|Traders] [on both sides|in both countries] [will benefit from|stand to gain from] a {pct} [cut|reduction] in duties."],
        ["The envoys [plan|intend] to meet again in {next_city} in {next_month}.",
         "A [follow-up|further] round is [scheduled|pencilled in] for {next_month} in {next_city}.",
         "{next_city} will host the next round, [expected|likely] in {next_month}.",
         "[Officials|Aides] said a further meeting would take place in {next_city} [in|during] {next_month}.",
         "[Both sides|The delegations] [agreed to|said they would] [reconvene|meet again] [in {next_month}|in {next_month}, this time in {next_city}]."],
        ["Outside the {venue}, [about|roughly|some] {protest_n} [demonstrators|protesters] [gathered|rallied] [to demand action on|over] {agenda_short}.",
         "[Police|Local police] said about {protest_n} people [protested|demonstrated] near the venue.",
         "[Roughly|An estimated] {protest_n} protesters [held banners|chanted slogans] outside the {venue} [during the talks|as the talks went on].",
         "A [small|modest] protest of about {protest_n} people [took place|was held] [near|outside] the {venue}.",
         "[Security was tight|Security was heavy] [around|at] the {venue}, where [some|about] {protest_n} [people|protesters] [turned up|gathered]."],
        ["It was the {ordinal} meeting between the two [ministers|envoys] this year.",
         "The [session|encounter] was [their|the pair's] {ordinal} [face-to-face meeting|round of talks] in 2026.",
         "{a_last} and {b_last} have now met {ordinal_times} [since January|this year].",
         "This was the {ordinal} [round|session] of [direct|in-person] talks between {a_last} and {b_last} [this year|in 2026]."],
        ["{b_last} [said|noted] that [differences remained|not every issue was resolved] on {sticking_point}.",
         "[No progress|Little progress] was made on {sticking_point}, [both sides|the delegations] [admitted|acknowledged].",
         "The question of {sticking_point} [was left|remained] [unresolved|open], [officials said|according to the communique].",
         "[Disagreement|A dispute] over {sticking_point} [was set aside|was parked] for [later|a future round]."],
    ],
    context=[
        "Relations between {a_country} and {b_country} have been [strained|tense|uneasy] since a [dispute|row] over {sticking_point} [flared|broke out] [several years ago|in 2023].",
        "The two countries [share|have] a long border and [close|deep] trade ties, [but|yet] [talks|negotiations] have [stalled|faltered] [repeatedly|more than once].",
        "[Analysts|Observers] in {place} [described the meeting as|called the meeting] [a cautious step forward|a modest but real step].",
        "[Neither side|No one] [released|published] the full text of the agreements [immediately|straight away].",
        "{a} [took office|became {a_title}] in [2024|2023] and has made [relations|ties] with {b_country} a [priority|top priority].",
        "{b} is [seen as|regarded as] a [pragmatic|hard-headed] negotiator [at home|in {b_country}].",
        "Business groups in both countries [welcomed|greeted] the [outcome|news] [with cautious optimism|warmly].",
        "Opposition politicians in {a_country} [criticised|questioned] the [deal|agreement], [saying|arguing] it [gave away too much|offered too little].",
        "Trade between {a_country} and {b_country} [fell|dropped] [sharply|steeply] [after|following] the [border|customs] [closures|restrictions] [two years ago|of 2024].",
        "[Diplomats|Western diplomats] [said|noted] the [choice|selection] of {place} as [venue|host town] was [symbolic|meant as a gesture].",
    ],
)


# ---- earthquake -------------------------------------------------------------

QUAKE_QUOTES = [
    "We are still pulling people from the rubble and we will not stop until everyone is accounted for",
    "The first seventy-two hours are decisive, and every team we have is on the ground",
    "Many of these houses were a century old and simply could not withstand the shaking",
    "We need tents, blankets and clean water more than anything else right now",
    "The aftershocks are frightening people, so we are asking everyone to sleep outdoors tonight",
    "Nobody in this town has slept, and nobody will until the search is over",
]
QUAKE_QUOTES2 = [
    "The whole house moved like a boat and then the ceiling came down",
    "I grabbed my children and ran into the street in my pyjamas",
    "The church tower swayed for what felt like a minute",
    "We heard a roar first, then everything started to shake",
    "My neighbours were trapped for hours before the firemen reached them",
]


def gen_earthquake(rng, nm, fam=None):
    s = common_place(rng, nm)
    deaths = rng.randrange(3, 90)
    injured = deaths * rng.randrange(3, 9) + rng.randrange(0, 40)
    s.update(dict(mag="%.1f" % (rng.randrange(52, 71) / 10.0),
                  depth=rng.randrange(6, 40), deaths=num(deaths), injured=num(injured),
                  critical=small(rng.randrange(4, 12)),
                  buildings=num(rng.randrange(40, 900)),
                  aftershocks=rng.randrange(12, 140),
                  aftershock_mag="%.1f" % (rng.randrange(38, 50) / 10.0),
                  agency="the %s Geological Institute" % s["country_adj"],
                  bigcity=nm.town(), distance=rng.randrange(8, 60),
                  time_local="%02d:%02d" % (rng.randrange(0, 24), rng.randrange(0, 60)),
                  shelters=num(rng.randrange(4, 90) * 100),
                  emergency_days=rng.choice([15, 30, 45, 60])))
    s["speaker"] = "%s, head of %s" % (nm.person(), s["agency"])
    s["speaker_last"] = last_name(s["speaker"].split(",")[0])
    s["speaker2"] = "%s, a resident of %s" % (nm.person(), s["place"])
    s["speaker2_last"] = last_name(s["speaker2"].split(",")[0])
    s["quote"] = nm.pick(QUAKE_QUOTES)
    s["quote2"] = nm.pick(QUAKE_QUOTES2)
    return s, None


TYPES["earthquake"] = dict(
    headline=[
        "Magnitude {mag} earthquake strikes near {place}, killing {deaths}",
        "{deaths} dead after {mag} quake hits {region}",
        "Quake [rocks|jolts] {region}; {injured} injured",
        "Earthquake near {place}: death toll rises to {deaths}",
        "Strong tremor [damages|wrecks] {buildings} buildings in {place}",
        "[Rescuers search rubble|Search under way] after deadly {place} earthquake",
    ],
    lead=[
        "A magnitude {mag} earthquake struck near {place} in {country}'s {region} region {when}, killing at least {deaths} people and injuring {injured}, authorities said.",
        "At least {deaths} people died when a {mag}-magnitude [quake|earthquake] [shook|rattled] {region} {when}, [according to {agency}|{agency} said].",
        "A powerful earthquake [hit|tore through] the area around {place} {when}, [leaving|with] {deaths} people dead and [more than|over] {injured} hurt.",
        "Rescue crews in {region} [were searching|searched] [collapsed buildings|the rubble] {when} after an earthquake of magnitude {mag} [hit|struck] close to {place}.",
        "Residents of {place} ran into the streets {when} as a magnitude {mag} earthquake [shook|struck] the town, [killing|leaving dead] at least {deaths} people.",
        "The death toll from the earthquake that [struck|hit] {place} {when} [rose|climbed] to {deaths}, with {injured} [others|more people] injured, officials said.",
    ],
    facts=[
        ["The [quake|tremor] [struck|hit] at {time_local} local time at a depth of {depth} kilometres, {agency} said.",
         "{agency} [put|placed] the epicentre {distance} kilometres from {bigcity}, at a depth of {depth} km.",
         "[Seismologists|Scientists] said the earthquake originated {depth} kilometres [below the surface|underground], [which intensified|intensifying] the shaking.",
         "It [began|hit] at {time_local}, [with its epicentre|centred] about {distance} km from {bigcity}.",
         "[Measured at|Registering] magnitude {mag}, the [shock|quake] [came at|arrived at] {time_local} and [was shallow|was relatively shallow], at {depth} km."],
        ["[At least|More than] {buildings} buildings were [damaged|destroyed or damaged], [many of them|most of them] old homes built of [stone|brick].",
         "[Officials|Local officials] counted {buildings} [damaged|collapsed or damaged] buildings [in and around|across] {place}.",
         "The shaking [damaged|brought down] {buildings} [structures|buildings], [including|among them] a [school|church] and part of the [town hall|hospital].",
         "Damage [assessments|surveys] [show|found] {buildings} buildings [affected|hit], [officials said|according to the regional government].",
         "[Engineers|Inspectors] [have so far marked|had by evening marked] {buildings} buildings as [unsafe|damaged]."],
        ["{aftershocks} aftershocks [followed|were recorded] [within|in] the [next|following] 24 hours.",
         "[More than|Over] {aftershocks} aftershocks [rattled|shook] the [region|area] [afterwards|through the day], the strongest [measuring|at] {aftershock_mag}.",
         "{agency} [recorded|registered] {aftershocks} aftershocks and [warned|urged] residents to stay out of damaged buildings.",
         "Residents [endured|felt] {aftershocks} aftershocks, [one of them|including one] of magnitude {aftershock_mag}.",
         "A magnitude {aftershock_mag} aftershock [later|that evening] [sent people running outside again|caused fresh panic]; {aftershocks} [tremors|aftershocks] were [logged|counted] in all."],
        ["About {shelters} people [spent the night|slept] in [tents|shelters] [set up|erected] in [the football stadium|sports halls|schools].",
         "[Authorities|The regional government] [opened|set up] [emergency|temporary] shelters for [some|about] {shelters} [displaced residents|people whose homes were damaged].",
         "{shelters} [residents|people] [were|have been] [moved|housed] in [temporary|emergency] [accommodation|shelters], [officials|the civil protection agency] said.",
         "With so many homes unsafe, [some|roughly] {shelters} people [had nowhere|were left without a place] to sleep.",
         "[Tents|Camp beds] for {shelters} people [were|have been] [put up|provided] [on playing fields|in parks] around {place}."],
        ["[Hospitals|The main hospital] in {bigcity} [treated|received] [many of the|most of the] {injured} injured, {critical} of them in critical condition.",
         "Of the {injured} people hurt, {critical} were [described as|listed as] critically injured.",
         "{critical} of the injured [were flown|were airlifted] to {bigcity} for [treatment|surgery].",
         "Doctors in {bigcity} said {critical} [patients|people] [had|suffered] [life-threatening|severe] injuries.",
         "[Surgeons|Medical staff] in {bigcity} [worked through the night|operated through the night] on {critical} [seriously|critically] injured [patients|victims]."],
        ["{country}'s government [sent|dispatched] [army engineers|soldiers] and [sniffer dogs|search teams] to {place}.",
         "[Rescue teams|Search teams] from across {country} [arrived|were deployed] [by nightfall|within hours].",
         "The [interior ministry|government] declared a state of emergency in {region} for {emergency_days} days.",
         "A {emergency_days}-day state of emergency [was declared in|now covers] {region}, [freeing|releasing] [national|central] funds for [relief|reconstruction].",
         "[Soldiers|Army units] [joined|reinforced] [local firefighters|civil protection teams] [digging|searching] through [rubble|debris] [in|around] {place}."],
    ],
    context=[
        "{region} [lies|sits] on a fault system that has produced [several|a number of] [damaging|destructive] earthquakes [in the past century|over the last hundred years].",
        "The last [major|significant] earthquake in the area, in [1998|2007|1986], [killed dozens|left more than 40 people dead].",
        "Building [codes|rules] were [tightened|strengthened] after that disaster, but [many|most] older houses were never [reinforced|retrofitted].",
        "[Power|Electricity] and [water|phone] [services|lines] were [cut|disrupted] in [parts of|several districts of] {place}.",
        "The [main|only] road into {place} was [blocked|closed] by [landslides|fallen rock] [for several hours|until the afternoon].",
        "[Schools|All schools] in {region} [will remain|were ordered to remain] closed while [engineers|inspectors] [check|inspect] [the buildings|them].",
        "[Neighbouring countries|Several governments] [offered|sent offers of] [help|assistance], [including|among them] search teams and field hospitals.",
        "The [tremor|quake] was felt [as far away as|even in] {bigcity}, where [windows rattled|people fled their flats].",
    ],
)


# ---- flood -------------------------------------------------------------------

RIVERS = ["Orle", "Varra", "Brenn", "Tamsin", "Kessel", "Dravel", "Ashwater",
          "Silverrun", "Corrow", "Ylme", "Hollin", "Sedge"]
FLOOD_QUOTES = [
    "The river rose faster than anything our models predicted",
    "We have never seen water this high in the old town, not even in 1993",
    "Our priority is people, and then we will count the cost",
    "The embankments held in most places, but where they failed, they failed badly",
    "Please do not drive through flooded roads, it is the single most dangerous thing you can do",
    "We will need months, not weeks, to get these families back into their homes",
]
FLOOD_QUOTES2 = [
    "The water came in under the door and within an hour it was at the windows",
    "We carried what we could upstairs and waited on the roof for the boats",
    "Everything on the ground floor is gone, the furniture, the photos, everything",
    "The firemen knocked on our door at three in the morning and told us to leave",
    "We lost the whole harvest in one night",
]


def gen_flood(rng, nm, fam=None):
    s = common_place(rng, nm)
    deaths = rng.choice([0, 0] + list(range(2, 14)))
    s.update(dict(river=nm.unique(RIVERS), rain_mm=rng.randrange(90, 310),
                  rain_days=small(rng.randrange(2, 6)),
                  evacuated=num(rng.randrange(8, 120) * 100),
                  deaths=small(deaths) if deaths else "no",
                  deaths_n=deaths, missing=small(rng.randrange(2, 7)),
                  homes=num(rng.randrange(150, 4000)),
                  level="%.1f" % (rng.randrange(18, 62) / 10.0),
                  bridges=small(rng.randrange(2, 9)),
                  damage=money(rng.randrange(15, 240)),
                  agency="the %s Civil Protection Authority" % s["region"],
                  town2=nm.town()))
    s["death_clause"] = ("no deaths were reported" if deaths == 0
                         else "%s people were confirmed dead" % small(deaths))
    s["speaker"] = "%s, director of %s" % (nm.person(), s["agency"])
    s["speaker_last"] = last_name(s["speaker"].split(",")[0])
    s["speaker2"] = "%s, who lives near the river in %s" % (nm.person(), s["place"])
    s["speaker2_last"] = last_name(s["speaker2"].split(",")[0])
    s["quote"] = nm.pick(FLOOD_QUOTES)
    s["quote2"] = nm.pick(FLOOD_QUOTES2)
    return s, None


TYPES["flood"] = dict(
    headline=[
        "River {river} bursts its banks in {place}; {evacuated} evacuated",
        "Floods [swamp|submerge] {homes} homes in {region}",
        "{place} under water after {rain_days} days of rain",
        "Thousands flee as {river} floods {place}",
        "Flood emergency in {region}: {missing} missing",
        "[Record|Historic] {river} flood [hits|engulfs] {place}",
    ],
    lead=[
        "The River {river} burst its banks in {place} {when}, forcing {evacuated} people from their homes after {rain_days} days of [heavy|torrential] rain.",
        "[Floodwater|Muddy water] [poured into|swept through] the streets of {place} {when} as the {river} [rose|climbed] {level} metres above its normal level.",
        "About {evacuated} residents of {region} were evacuated {when} after the {river} [overflowed|flooded], [inundating|swamping] {homes} homes, officials said.",
        "Emergency crews used boats to reach [stranded|trapped] families in {place} {when} after the worst flooding in [decades|a generation].",
        "[Authorities|Officials] in {region} [ordered|began] the evacuation of {evacuated} people {when} as the River {river} [broke through|topped] [embankments|flood defences] near {place}.",
        "{rain_days} days of [relentless|torrential] rain [sent|pushed] the {river} over its banks {when}, [flooding|inundating] large parts of {place}.",
    ],
    facts=[
        ["[Gauges|Monitoring stations] [showed|recorded] the river {level} metres above its usual level at its peak.",
         "At its [highest|peak], the {river} stood {level} metres above normal, [according to|said] {agency}.",
         "The water level [reached|climbed to] {level} metres above [average|normal], [a record|the highest] for the [station|gauge] at {place}.",
         "{agency} said the [river|{river}] had [risen|climbed] {level} metres [in less than a day|overnight].",
         "[Hydrologists|Engineers] [measured|recorded] a rise of {level} metres, [well above|far beyond] the [alert|warning] threshold."],
        ["[Up to|As much as] {rain_mm} millimetres of rain fell in {rain_days} days, [forecasters|the weather service] said.",
         "{rain_mm} mm of rain [fell|was recorded] over the {river} basin in {rain_days} days.",
         "Rainfall [totals|amounts] [reached|hit] {rain_mm} millimetres, [roughly|about] [two months'|a season's] worth.",
         "[The weather service|Meteorologists] [recorded|measured] {rain_mm} millimetres of rain [in|over] {rain_days} days, [far above|several times] the [monthly average|norm].",
         "In {rain_days} days, {rain_mm} mm of rain [soaked|drenched] the hills above {place}."],
        ["{death_clause}, and {missing} [people|residents] [remained|were still] missing.",
         "[As of late {day}|By the evening], {death_clause}; {missing} people were [unaccounted for|missing].",
         "Police said {missing} [people|residents] were missing and {death_clause}.",
         "{missing} people [had not been found|were still being searched for] [by nightfall|late {day}], and {death_clause}.",
         "[The search continued|Searches continued] for {missing} missing [people|residents]; {death_clause}."],
        ["[Some|About|Roughly] {homes} homes were flooded, [many|most] of them in [low-lying|riverside] [streets|districts].",
         "{homes} [houses|homes] were [damaged|under water], [officials said|according to {agency}].",
         "The flood [reached|damaged] {homes} homes [and dozens of shops|as well as businesses] in {place} and {town2}.",
         "[Officials|Council staff] [counted|estimated] {homes} [flooded|damaged] properties [in|across] the district.",
         "In {place} and neighbouring {town2}, {homes} homes [took in water|were flooded]."],
        ["{bridges} bridges were closed [as a precaution|for safety checks], [cutting|splitting] the town [in two|in half].",
         "[Engineers|Officials] closed {bridges} bridges over the {river}.",
         "With {bridges} [river crossings|bridges] shut, [traffic|drivers] [was|were] [diverted|sent] [through|via] {town2}.",
         "{bridges} bridges [remain|remained] closed [pending inspection|until engineers can inspect them]."],
        ["Early [estimates|assessments] [put|placed] the damage at {damage}.",
         "[Insurers|Officials] [estimated|said] the [cost|damage] could [reach|exceed] {damage}.",
         "The [regional government|administration] [set aside|released] [emergency funds|an emergency fund] as damage [estimates|assessments] [reached|climbed to] {damage}.",
         "[Damage was|Losses were] [provisionally|initially] [estimated|put] at {damage}.",
         "[Farmers|Businesses] [fear|feared] [losses|damage] [of|worth] [around|about] {damage} across the [valley|basin]."],
    ],
    context=[
        "[Flood defences|Embankments] along the {river} were [last upgraded|built] in the [1970s|1980s], and [residents|local groups] had [long|repeatedly] [warned|complained] they were [inadequate|too low].",
        "[Climate scientists|Scientists] [say|have warned] that [heavy rain events|extreme downpours] in {region} have become [more frequent|more common] [in recent years|over the past two decades].",
        "The [army|national guard] [sent|deployed] [boats|amphibious vehicles] and [sandbags|pumps] to [the area|{place}].",
        "[Drinking water|The water supply] in parts of {place} was [contaminated|cut off], and [residents|people] were told to [boil tap water|use bottled water].",
        "[Schools|Several schools] [closed|were turned into shelters] [for the evacuees|for the displaced].",
        "[Farmland|Fields] [along|across] the [valley|river plain] [was|lay] [under water|submerged], [threatening|ruining] the [winter crops|spring planting].",
        "[Forecasters|The weather service] [expected|warned of] more rain [later in the week|over the weekend], [raising fears|prompting fears] of a second [flood wave|surge].",
        "[Railway lines through {place} were|The main rail line serving {place} was] [suspended|closed] because of [flooded tracks|landslides].",
    ],
)


# ---- factory fire ------------------------------------------------------------

PLANTS = [("textile mill", "cotton fabric"), ("chemical warehouse", "industrial solvents"),
          ("furniture factory", "kitchen cabinets"), ("plastics plant", "packaging film"),
          ("paper mill", "cardboard"), ("tyre factory", "truck tyres"),
          ("paint factory", "industrial coatings"), ("food processing plant", "frozen vegetables")]
FIRE_CAUSES = ["an electrical fault in a storage area", "a spark from welding work",
               "an overheated dryer", "a leaking gas line", "a short circuit in the loading bay",
               "a malfunctioning boiler"]
FIRE_QUOTES = [
    "The heat was so intense that my crews could not get within fifty metres of the building",
    "Without the sprinklers working, that roof was always going to come down",
    "Our firefighters went in three times to look for missing workers",
    "This was one of the most difficult industrial fires I have seen in twenty years",
    "We will find out exactly how this started, and if someone cut corners, they will answer for it",
    "The smoke was toxic, and we had to pull our people back more than once",
]
FIRE_QUOTES2 = [
    "We are devastated and are cooperating fully with the investigation",
    "Workers had complained about blocked exits for months and nobody listened",
    "Our thoughts are with the families of our colleagues",
    "The company has always met every safety requirement, and we will show that",
    "I saw smoke coming out of the roof and everyone just ran for the gate",
]


def gen_fire(rng, nm, fam=None):
    s = common_place(rng, nm)
    plant = rng.choice(PLANTS)
    deaths = rng.choice([0, 0] + list(range(2, 12)))
    workers = rng.randrange(40, 300)
    s.update(dict(company=nm.company(), plant=plant[0], product=plant[1],
                  workers=num(workers), employees=num(workers * rng.randrange(2, 5)),
                  deaths=small(deaths) if deaths else "no", deaths_n=deaths,
                  injured=small(rng.randrange(2, 30)),
                  hours=small(rng.randrange(3, 12)), engines=small(rng.randrange(8, 40)),
                  firefighters=num(rng.randrange(30, 160)),
                  time_local="%d:%02d" % (rng.randrange(1, 12), rng.randrange(0, 60) // 5 * 5),
                  ampm=rng.choice(["a.m.", "p.m."]),
                  cause=rng.choice(FIRE_CAUSES),
                  radius=rng.choice(["500 metres", "one kilometre", "two kilometres"]),
                  area=num(rng.randrange(20, 150) * 100)))
    s["death_clause"] = ("nobody was killed" if deaths == 0
                         else "%s workers were killed" % small(deaths))
    s["chief"] = nm.person()
    s["speaker"] = "fire chief %s" % s["chief"]
    s["speaker_last"] = last_name(s["chief"])
    s["speaker2"] = "%s, a spokesperson for %s" % (nm.person(), s["company"])
    s["speaker2_last"] = last_name(s["speaker2"].split(",")[0])
    s["quote"] = nm.pick(FIRE_QUOTES)
    s["quote2"] = nm.pick(FIRE_QUOTES2)
    return s, None


TYPES["fire"] = dict(
    headline=[
        "Fire [guts|destroys] {company} {plant} in {place}",
        "Blaze at {place} {plant}: {injured} injured",
        "{company} factory fire [burns for|rages for] {hours} hours",
        "Huge fire at {place} {plant} [sends smoke over|blankets] {region}",
        "Investigation opened into {company} fire in {place}",
        "[Workers flee|Hundreds evacuated] as fire [engulfs|tears through] {plant}",
    ],
    lead=[
        "A fire [tore through|swept through] a {plant} operated by {company} in {place} {when}, injuring {injured} people, [officials|firefighters] said.",
        "Firefighters [battled|fought] a [huge|massive] blaze at the {company} {plant} on the edge of {place} for {hours} hours {when}.",
        "{workers} workers were [evacuated|led out] from a {plant} in {place} {when} after fire broke out [in|near] a storage [hall|area], and {death_clause}.",
        "[Thick black smoke|A column of black smoke] rose over {place} {when} as fire [engulfed|consumed] [a|the] {plant} belonging to {company}.",
        "[Investigators|Fire investigators] [began|started] [examining|sifting through] the [ruins|charred remains] of the {company} {plant} in {place} after a fire {when} that [injured|hurt] {injured} people.",
        "{company}'s {plant} in {place}, which [makes|produces] {product}, was [largely destroyed|badly damaged] by fire {when}.",
    ],
    facts=[
        ["The fire [broke out|started] at about {time_local} {ampm}, when {workers} workers were on shift.",
         "[About|Some|Roughly] {workers} [employees|workers] were inside when the alarm [sounded|went off] at around {time_local} {ampm}.",
         "[According to|Citing] the [fire service|fire brigade], the blaze began shortly after {time_local} {ampm}.",
         "[Staff|Workers] [said|told reporters] the first smoke was seen around {time_local} {ampm}, and {workers} people [were evacuated|left the building].",
         "When the first flames [appeared|were spotted] at about {time_local} {ampm}, the [shift|night shift|day shift] of {workers} [was|were] [working|at work]."],
        ["{injured} people were [taken to hospital|hospitalised], [most|many] [with|suffering from] smoke inhalation, and {death_clause}.",
         "[Paramedics|Ambulance crews] [treated|took] {injured} [people|workers] [for burns and smoke inhalation|to hospital]; {death_clause}.",
         "[Hospital officials|Health officials] said {injured} [people|workers] were [being treated|in hospital], while {death_clause}.",
         "The [fire service|authorities] said {death_clause} and that {injured} were injured.",
         "{death_clause}, [officials said|the fire service confirmed], [but|while] {injured} [people|workers] [needed hospital treatment|were hurt]."],
        ["{engines} fire engines and {firefighters} firefighters were [sent|deployed] to the [scene|site].",
         "[More than|Over] {firefighters} firefighters [with|using] {engines} [engines|appliances] [fought|tackled] the blaze.",
         "[Crews|Fire crews] from [across|all over] {region} [joined|helped] the [effort|operation], with {engines} [trucks|engines] on site at the [peak|height] of the fire.",
         "At the [height|peak] of the [blaze|fire], {firefighters} [firefighters|personnel] and {engines} engines were [at work|on site].",
         "The [brigade|fire service] [sent|committed] {engines} [appliances|engines] and {firefighters} [crew members|firefighters]."],
        ["It took {hours} hours to bring the fire under control.",
         "The blaze was [declared under control|contained] after {hours} hours.",
         "[Firefighters|Crews] needed {hours} hours to [contain|put out] the [flames|fire].",
         "Only after {hours} hours [did crews declare|was] the fire [under control|contained].",
         "[By the time the fire was out|When the fire was finally contained], {hours} hours had passed."],
        ["[Investigators|Officials] said the fire [may have been|was probably] caused by {cause}.",
         "[A preliminary|An initial] [investigation|inquiry] [pointed to|suggested] {cause} [as the cause|as the likely cause].",
         "[Early indications|Initial findings] [point to|suggest] {cause}, [though|but] [investigators|officials] [cautioned|warned] that [it was too early|nothing had been ruled out].",
         "Police [opened|launched] an investigation; [sources|officials] [said|indicated] {cause} was [suspected|the main line of inquiry].",
         "The [cause|origin] of the fire was [believed to be|thought to be] {cause}, [according to|said] [investigators|the fire service]."],
        ["Residents within {radius} were told to keep windows closed because of the smoke.",
         "[Authorities|Officials] [advised|told] people within {radius} of the [plant|factory] to stay indoors.",
         "[Smoke|The smoke plume] [drifted|spread] over {place}, and [people|residents] within {radius} were [urged|asked] to [stay inside|keep windows shut].",
         "[A warning|An alert] was [issued|sent] to [phones|residents] within {radius}, [telling|asking] them to stay [inside|indoors]."],
        ["The [plant|site] covers {area} square metres and employs {employees} people.",
         "{company} employs {employees} people at the [site|plant], which covers {area} square metres.",
         "[Some|About] {employees} people work at the {area}-square-metre [site|plant].",
         "The [factory|{plant}], one of the largest employers in {place}, has {employees} [staff|workers]."],
    ],
    context=[
        "{company} [makes|produces] {product} [for export|for customers across {country}] and [is|has long been] [a major employer|one of the largest employers] in {region}.",
        "[Labour inspectors|Safety inspectors] [had visited|visited] the [plant|site] [last year|in 2025], [according to|records from] the regional labour office.",
        "[Unions|The workers' union] [called for|demanded] [an independent|a full] inquiry into [safety|fire safety] at the [site|plant].",
        "The [fire|blaze] [revived|renewed] [debate|questions] about [safety standards|inspections] at [industrial sites|factories] in {country}.",
        "[Production|Work] at the [plant|factory] [will be|is expected to be] [suspended|halted] for [weeks|months], the company said.",
        "[Environmental officials were taking|The environment agency took] [air|water] samples [near|around] the [site|plant] [as a precaution|to check for contamination].",
        "[Neighbours|People living nearby] said they [heard|had heard] [several|a series of] [explosions|loud bangs] [before|as] the [roof|building] [collapsed|caved in].",
        "[Industrial fires|Factory fires] [have|had] [killed|injured] [dozens|scores] of workers in {country} [over the past decade|in recent years], [according to the labour ministry|official figures show].",
    ],
)


# ---- court ruling --------------------------------------------------------------

COURT_ISSUES = [
    ("contaminating groundwater near its {site} plant", "groundwater contamination"),
    ("misleading customers over hidden fees", "hidden fees"),
    ("failing to pay overtime to warehouse staff", "unpaid overtime"),
    ("selling data of loyalty-card holders without consent", "data misuse"),
    ("dumping waste into the {river} river", "illegal dumping"),
    ("rigging bids for regional bus contracts", "bid-rigging"),
]
COURT_QUOTES = [
    "Today the court told a powerful company that the law applies to it too",
    "This ruling is for every family that was ignored for years",
    "It took six years, but the truth has finally been written into a judgment",
    "No amount of money can undo the harm, but this is a start",
    "We expect the company to pay without further delay",
]
COURT_QUOTES2 = [
    "We respectfully disagree with the ruling and will study it carefully",
    "The company acted in good faith throughout and will appeal",
    "We are disappointed and believe the court misread key evidence",
    "We have already changed our procedures and will continue to cooperate",
]


def gen_court(rng, nm, fam=None):
    s = common_place(rng, nm)
    iss = rng.choice(COURT_ISSUES)
    site = nm.town()
    a = rng.randrange(3, 6)
    b = rng.randrange(0, min(a, 3))
    s.update(dict(court=rng.choice(["the %s High Court" % s["region"],
                                    "the Court of Appeal in %s" % s["place"],
                                    "the %s Supreme Court" % s["country_adj"]]),
                  defendant=nm.company(), judge=nm.person(),
                  plaintiffs=rng.choice(["a residents' association", "a consumer group",
                                         "a group of former employees", "an environmental charity"]),
                  claimants=num(rng.randrange(40, 3000)),
                  issue=iss[0].format(site=site, river=rng.choice(RIVERS)), issue_short=iss[1],
                  fine=money(rng.randrange(3, 180)),
                  damages=money(rng.randrange(1, 60)),
                  vote="%d-%d" % (a, b), appeal_days=rng.choice(["14", "21", "30"]),
                  years=small(rng.randrange(3, 9)),
                  hearing_days=small(rng.randrange(6, 40))))
    s["judge_last"] = last_name(s["judge"])
    s["speaker"] = "%s, a lawyer for the claimants" % nm.person()
    s["speaker_last"] = last_name(s["speaker"].split(",")[0])
    s["speaker2"] = "a spokesperson for %s" % s["defendant"]
    s["speaker2_last"] = "the spokesperson"
    s["quote"] = nm.pick(COURT_QUOTES)
    s["quote2"] = nm.pick(COURT_QUOTES2)
    return s, None


TYPES["court"] = dict(
    headline=[
        "Court fines {defendant} {fine} over {issue_short}",
        "{defendant} loses {issue_short} case in {place}",
        "Judges rule against {defendant} in {vote} decision",
        "{defendant} ordered to pay {damages} to {claimants} claimants",
        "[Landmark|Major] {issue_short} ruling [hits|goes against] {defendant}",
        "{defendant} [to appeal|vows appeal] after {issue_short} verdict",
    ],
    lead=[
        "{court} ruled {when} that {defendant} was liable for {issue}, and fined the company {fine}.",
        "{defendant} must pay {fine} after judges found it responsible for {issue}, {court} [decided|ruled] {when}.",
        "In a {vote} decision {when}, {court} [sided with|found in favour of] {plaintiffs} that had accused {defendant} of {issue}.",
        "A [years-long|long-running] legal battle over {issue_short} ended {when} with {court} ordering {defendant} to pay {damages} in damages to {claimants} claimants.",
        "Judges at {court} [delivered|handed down] a [sweeping|heavy] ruling against {defendant} {when} over {issue}.",
        "{plaintiffs} won its case against {defendant} {when}, with {court} finding the company guilty of {issue}.",
    ],
    facts=[
        ["The panel, [led|chaired] by Judge {judge}, [voted|ruled] {vote}.",
         "Judge {judge}, who [presided|led the panel], wrote the majority opinion in the {vote} ruling.",
         "The decision was {vote}, with Judge {judge} [writing for|speaking for] the majority.",
         "[Presiding judge|Chief judge] {judge} [read out|announced] the {vote} [verdict|decision] in a [packed|crowded] courtroom.",
         "By a {vote} [majority|vote], the judges [accepted|upheld] the [main|central] [claims|arguments] of {plaintiffs}."],
        ["[Besides|On top of] the {fine} fine, the company must pay {damages} in [compensation|damages] to {claimants} [claimants|people].",
         "{claimants} [claimants|people who joined the case] will share {damages} in damages.",
         "The court also awarded {damages} [in compensation|in damages] [to be divided|to be shared] among {claimants} claimants.",
         "[Compensation|Damages] of {damages} [will go|are to be paid] to the {claimants} claimants, in addition to the {fine} fine.",
         "[In addition|Separately], {defendant} was ordered to [compensate|pay] {claimants} claimants a total of {damages}."],
        ["The case [had dragged on|lasted] for {years} years [and|, with] {hearing_days} days of hearings.",
         "[Hearings|Testimony] [took|lasted] {hearing_days} days [spread over|across] {years} years of [litigation|proceedings].",
         "{plaintiffs} first [filed|brought] the [complaint|case] {years} years ago.",
         "It took {years} years and {hearing_days} days in court [to reach a verdict|before a decision came].",
         "The [lawsuit|case] was [filed|launched] {years} years [ago|earlier], and the court [heard|sat for] {hearing_days} days of evidence."],
        ["{defendant} has {appeal_days} days to [appeal|lodge an appeal].",
         "The company [can|may] appeal within {appeal_days} days.",
         "[Under|By] law, {defendant} has {appeal_days} days to [challenge|contest] the [ruling|judgment].",
         "An appeal [must|would have to] be [lodged|filed] within {appeal_days} days, [lawyers said|legal experts noted].",
         "{appeal_days} days [remain|are allowed] for [an appeal|the company to appeal]."],
        ["In the [ruling|written judgment], Judge {judge_last} [wrote|said] the company had \"[ignored|disregarded] [clear|repeated] warnings\".",
         "Judge {judge_last} [criticised|rebuked] {defendant} for [what the judgment called|what the court described as] a \"[culture of indifference|pattern of neglect]\".",
         "The judgment [said|stated] that {defendant} [knew|had known] of the [problem|risks] [for years|long before] the complaint was [filed|brought].",
         "[According to the written judgment|The published judgment found that], the company [failed|had failed] to [act|take action] [despite|in spite of] [internal|its own] [reports|warnings]."],
    ],
    context=[
        "{defendant} [is|has been] [one of the largest employers|a major employer] in {region}.",
        "The case [was closely watched|drew attention] [across|throughout] {country} as a test of [corporate|company] [accountability|liability].",
        "[Legal experts|Lawyers not involved in the case] said the ruling could [open the door|pave the way] to [similar|further] [lawsuits|claims].",
        "[Shares|Stock] in {defendant} [fell|dropped|slipped] [after the ruling was announced|once the verdict became public].",
        "[Campaigners|Activists] [gathered|waited] outside the [court|courthouse] [with banners|and cheered] [when|as] the [verdict|decision] was [read|announced].",
        "The [regulator|government] [said|indicated] it would [review|study] the [ruling|judgment] [carefully|closely].",
        "{plaintiffs} [had|has] [campaigned|pushed] for [years|a long time] [for the case to be heard|to get the case to court].",
    ],
)


# ---- election ----------------------------------------------------------------

PARTIES = ["the Civic Alliance", "the People's Renewal Party", "the Green Union",
           "the Liberal Centre", "the Workers' Front", "the Regional League",
           "the Democratic Forum", "the New Commons"]
ELECTION_QUOTES = [
    "Tonight {place} chose change, and I will not waste a single day",
    "I will be a mayor for everyone, including those who did not vote for me",
    "The voters have given us a clear mandate and a heavy responsibility",
    "This victory belongs to the volunteers who knocked on every door",
    "We promised cleaner streets and cheaper buses, and now we have to deliver",
]
ELECTION_QUOTES2 = [
    "The voters have spoken and I congratulate my opponent",
    "We fell short, but the ideas we fought for are not going away",
    "I accept the result and will serve as a constructive opposition",
    "It was close, and we will look carefully at every ballot before conceding",
]


def gen_election(rng, nm, fam=None):
    s = common_place(rng, nm)
    w = rng.randrange(420, 620) / 10.0
    r = rng.randrange(250, int(min(w * 10, 1000 - w * 10)) ) / 10.0
    p1, p2 = rng.sample(PARTIES, 2)
    voters = rng.randrange(20, 400) * 1000
    turnout = rng.randrange(38, 76)
    cast = voters * turnout // 100
    seats_total = rng.choice([31, 41, 45, 51, 61])
    s.update(dict(office=rng.choice(["mayor", "governor"]),
                  winner=nm.person(), runner=nm.person(), party=p1, party2=p2,
                  wpct="%.1f%%" % w, rpct="%.1f%%" % r,
                  turnout="%d%%" % turnout, prev_turnout="%d%%" % (turnout + rng.choice([-9, -6, -4, 3, 5, 8])),
                  votes=num(int(cast * w / 100)), margin=num(int(cast * (w - r) / 100)),
                  seats=str(seats_total // 2 + rng.randrange(-4, 6)),
                  seats_total=str(seats_total),
                  incumbent=nm.person(), count_hours=small(rng.randrange(3, 10))))
    s["winner_last"] = last_name(s["winner"])
    s["runner_last"] = last_name(s["runner"])
    s["office_of"] = ("mayor of %s" % s["place"]) if s["office"] == "mayor" else ("governor of %s" % s["region"])
    s["speaker"] = s["winner"]
    s["speaker_last"] = s["winner_last"]
    s["speaker2"] = s["runner"]
    s["speaker2_last"] = s["runner_last"]
    s["quote"] = nm.pick(ELECTION_QUOTES).format(place=s["place"])
    s["quote2"] = nm.pick(ELECTION_QUOTES2)
    return s, None


TYPES["election"] = dict(
    headline=[
        "{winner} elected {office_of} with {wpct}",
        "{party} takes {place} as {winner_last} wins",
        "{winner_last} defeats {runner_last} in {place} race",
        "Turnout of {turnout} as {place} picks {winner_last}",
        "{runner_last} concedes; {winner_last} [wins|claims] {office_of}",
        "[Clear win|Decisive victory] for {party} in {place}",
    ],
    lead=[
        "{winner} of {party} was elected {office_of} {when}, winning {wpct} of the vote, according to [official|provisional] results.",
        "Voters in {place} [handed|gave] victory to {winner} {when}, [ending|closing] a [bitter|hard-fought] campaign against {runner} of {party2}.",
        "{party} candidate {winner} [won|secured] the race for {office_of} {when} with {votes} votes.",
        "{runner} conceded defeat {when} after [official|preliminary] [results|figures] showed {winner} [winning|ahead with] {wpct} of the vote in the contest for {office_of}.",
        "[Turnout|Participation] reached {turnout} {when} as {place} [chose|elected] {winner} as its new [leader|{office}].",
        "The [contest|race] for {office_of} [ended|was decided] {when} with a [comfortable|clear] [win|victory] for {winner} of {party}.",
    ],
    facts=[
        ["{winner_last} [took|won] {wpct} [of the vote|of votes cast], against {rpct} for {runner}.",
         "{runner} of {party2} [finished second|came second] with {rpct}.",
         "[Results|Official results] [gave|showed] {winner_last} {wpct} and {runner_last} {rpct}.",
         "With {wpct}, {winner_last} [finished well ahead of|beat] {runner_last}, who [polled|received] {rpct}.",
         "The [runner-up|second-placed candidate], {runner}, [won|managed] {rpct}."],
        ["Turnout was {turnout}, [compared with|against] {prev_turnout} [at the last election|four years ago].",
         "{turnout} of [registered voters|the electorate] [cast a ballot|voted], [election officials said|according to the electoral commission].",
         "The [electoral commission|election office] [put|reported] turnout at {turnout}; [it was|the figure was] {prev_turnout} [last time|in the previous vote].",
         "[Participation|Turnout] [reached|stood at] {turnout}, [versus|compared to] {prev_turnout} in the previous [election|vote].",
         "[Just over|About] {turnout} of [voters|eligible voters] [turned out|went to the polls]."],
        ["{winner_last} [received|won] {votes} votes, a margin of {margin} over [the runner-up|{runner_last}].",
         "The [winning|victory] margin was {margin} votes; {winner_last} [polled|collected] {votes} in total.",
         "[In all|In total], {votes} people voted for {winner_last}, {margin} more than for {runner_last}.",
         "[Counting|The count] [showed|gave] {winner_last} {votes} votes [and|for] a lead of {margin}.",
         "{votes} votes went to {winner_last}, [enough for|which amounted to] a {margin}-vote [lead|advantage]."],
        ["In the [council|assembly] vote held the same day, {party} won {seats} of the {seats_total} seats.",
         "{party} [also|additionally] [took|won] {seats} of {seats_total} seats [on the council|in the regional assembly].",
         "[The party|{party}] will [hold|control] {seats} [of the|out of] {seats_total} seats [in the new council|in the assembly].",
         "[Council|Assembly] results [gave|handed] {party} {seats} seats [out of|of] {seats_total}.",
         "[Of the|Out of] {seats_total} [council|assembly] seats, {seats} went to {party}."],
        ["{winner_last} [replaces|succeeds] {incumbent}, who did not [stand|run] again.",
         "The [outgoing|departing] {office}, {incumbent}, [had announced|announced] last year a decision to [step down|retire from politics].",
         "{incumbent}, [the outgoing {office}|who held the post for two terms], [did not run|stood aside] this time.",
         "[The post|The office] [became vacant|opened up] when {incumbent} [retired|chose not to run]."],
        ["[Counting|The count] [took|lasted] {count_hours} hours [after polls closed|into the night].",
         "[Results|Final results] [came in|were announced] {count_hours} hours after [polling stations|polls] closed.",
         "It took {count_hours} hours [for officials|for the count] to [confirm|declare] the [result|winner].",
         "[Election workers|Counting staff] [needed|took] {count_hours} hours to [finish|complete] the count."],
    ],
    context=[
        "[The campaign|The race] was [dominated|shaped] by [disputes|arguments] over [housing costs|public transport fares|a planned bypass road].",
        "{party} had [not held|never held] [the post|the office] [before|in more than a decade].",
        "[Pollsters|Opinion polls] had [predicted|forecast] a [closer|much tighter] [race|contest].",
        "[Observers|Election monitors] [reported|said there were] no [major|serious] irregularities.",
        "[Supporters|Campaign workers] [celebrated|gathered] [in the main square|at a hall] in {place} [late into the night|until the early hours].",
        "{winner_last}, [a former teacher|a former engineer|a lawyer by training], [entered politics|joined {party}] [in 2015|a decade ago].",
        "[National party leaders|Party leaders in the capital] [hailed|claimed] the result as a [sign|signal] [for|ahead of] next year's [general|national] election.",
    ],
)


# ---- company merger ------------------------------------------------------------

MERGER_SECTORS = [("regional airline", "airlines"), ("frozen food", "food"),
                  ("logistics", "freight"), ("telecoms", "telecoms"),
                  ("pharmaceutical", "drugs"), ("software", "software"),
                  ("steel", "steel"), ("renewable energy", "energy")]
MERGER_QUOTES = [
    "Together we will be big enough to compete with anyone in the region",
    "This is a merger of equals in everything but name",
    "Our customers will see better service and lower prices within a year",
    "We have admired this company for a long time, and the fit is obvious",
    "Scale matters in this industry, and this deal gives us scale",
]
MERGER_QUOTES2 = [
    "The board concluded that this offer delivers the best value for our shareholders",
    "Our brand and our people will remain at the heart of the combined company",
    "We fought hard for a fair price and we got one",
    "It was not an easy decision, but it was the right one",
]


def gen_merger(rng, nm, fam=None):
    s = common_place(rng, nm)
    sec = rng.choice(MERGER_SECTORS)
    value = rng.randrange(8, 140) * 100
    price = rng.randrange(1200, 9800) / 100.0
    s.update(dict(acquirer=nm.company(), target=nm.company(), sector=sec[0], sector_short=sec[1],
                  value=money(value), per_share="$%.2f" % price,
                  premium="%d%%" % rng.randrange(12, 48),
                  employees=num(rng.randrange(30, 400) * 100),
                  job_cuts=num(rng.randrange(2, 30) * 100),
                  savings=money(rng.randrange(40, 400)),
                  regulator="the %s Competition Authority" % s["country_adj"],
                  close=rng.choice(["in the third quarter of 2026", "by the end of 2026",
                                    "in early 2027", "in the second half of 2026"]),
                  cash_pct="%d%%" % rng.choice([40, 50, 60, 70, 100]),
                  stake="%d%%" % rng.randrange(52, 71)))
    s["ceo"] = nm.person()
    s["ceo2"] = nm.person()
    s["speaker"] = "%s, chief executive of %s" % (s["ceo"], s["acquirer"])
    s["speaker_last"] = last_name(s["ceo"])
    s["speaker2"] = "%s, who runs %s" % (s["ceo2"], s["target"])
    s["speaker2_last"] = last_name(s["ceo2"])
    s["quote"] = nm.pick(MERGER_QUOTES)
    s["quote2"] = nm.pick(MERGER_QUOTES2)
    return s, None


TYPES["merger"] = dict(
    headline=[
        "{acquirer} to buy {target} for {value}",
        "{acquirer}, {target} agree {value} merger",
        "{target} accepts {per_share}-a-share offer from {acquirer}",
        "{value} deal creates {sector} giant",
        "{acquirer} bids for rival {target}; {job_cuts} jobs at risk",
        "[Merger|Takeover] talks end in {value} deal for {target}",
    ],
    lead=[
        "{acquirer} agreed {when} to buy {sector} rival {target} for {value}, creating one of the largest {sector_short} companies in {country}.",
        "{target} [has accepted|accepted] a takeover offer worth {value} from {acquirer}, the two companies said {when}.",
        "{acquirer} will pay {per_share} a share for {target} under a deal announced {when} that values the {sector} group at {value}.",
        "The boards of {acquirer} and {target} [approved|signed off on] a {value} merger {when} after [months|weeks] of [talks|negotiations].",
        "Shareholders of {target} [stand to receive|will get] {per_share} per share, a premium of {premium}, under a takeover by {acquirer} [unveiled|announced] {when}.",
        "In the biggest {sector} deal in {country} for years, {acquirer} [said|announced] {when} that it would [acquire|take over] {target}.",
    ],
    facts=[
        ["The offer of {per_share} a share represents a premium of {premium} to {target}'s closing price.",
         "The price [is|represents] a {premium} premium [over|to] [where|the level at which] {target} shares [traded|closed] before the announcement.",
         "{per_share} per share [means|amounts to] a premium of {premium}, [according to|said] the companies.",
         "[Investors|Shareholders] in {target} [get|will receive] a {premium} premium [on their shares|over the last closing price].",
         "At {per_share}, the [bid|offer] [values|prices] {target} shares {premium} above [their|the] last [close|trading price]."],
        ["The combined company will employ {employees} people.",
         "[Together|Combined], the [two groups|companies] [have|employ] {employees} [staff|workers].",
         "The merged group [would have|will have] {employees} employees [across|in] {country} [and abroad|and neighbouring countries].",
         "[About|Some] {employees} people [will work|would work] for the enlarged company.",
         "With {employees} employees, the [new group|combined business] [would be|will be] [among|one of] the [largest|biggest] private employers in {region}."],
        ["[Up to|As many as] {job_cuts} jobs could be cut as the companies [merge|combine] [offices|operations].",
         "[Unions|Trade unions] [fear|warned] that {job_cuts} jobs [may|could] [go|be lost].",
         "{acquirer} [expects|is targeting] annual [savings|cost savings] of {savings}, [partly|in part] through [cutting|eliminating] {job_cuts} [positions|jobs].",
         "[Management|The companies] [aim|plan] to [save|cut costs by] {savings} a year, and [about|roughly] {job_cuts} roles [will be|are expected to be] eliminated.",
         "[Cost savings|Synergies] of {savings} [a year|annually] are [planned|promised], [with|including] {job_cuts} job cuts."],
        ["The deal [needs|requires] approval from {regulator} and is expected to close {close}.",
         "{regulator} must [clear|approve] the [deal|merger], which the companies [hope|expect] to complete {close}.",
         "[Completion|Closing] is [expected|targeted] {close}, [subject to|pending] [approval|clearance] by {regulator}.",
         "[Regulators|The competition watchdog] will [review|examine] the [deal|tie-up]; [completion|the closing] is [planned|scheduled] {close}.",
         "{regulator} [has|will have] the final say, [with|and] the companies [aiming|hoping] to close the deal {close}."],
        ["{acquirer} will pay {cash_pct} of the price in cash and the rest in new shares.",
         "The [payment|consideration] [is|will be] {cash_pct} cash, with the [remainder|balance] in {acquirer} stock.",
         "[Shareholders|Investors] of {target} will [receive|get] {cash_pct} in cash [and|with] the rest in shares of {acquirer}.",
         "[About|Roughly] {cash_pct} of the {value} will be [paid|settled] in cash."],
        ["{acquirer} shareholders will own {stake} of the combined company.",
         "[After|Following] the deal, [existing|current] {acquirer} investors will [hold|control] {stake} of the [merged|enlarged] group.",
         "The [combined|new] group will be {stake} owned by {acquirer}'s [current|existing] shareholders.",
         "[Ownership|The shareholding] of the new company [will be|is to be] split {stake} for {acquirer} investors [and the rest for|with the remainder going to] {target} investors."],
    ],
    context=[
        "The {sector} industry in {country} has [been consolidating|seen a wave of mergers] [as|because] [costs have risen|margins have shrunk].",
        "{target} had [rejected|turned down] an [earlier|initial] approach from {acquirer} [last year|in 2025], [saying|arguing] it undervalued the company.",
        "[Shares|Stock] of {target} [jumped|rose sharply] [on the news|after the announcement], while {acquirer} [shares|stock] [slipped|edged lower].",
        "[Analysts|Industry analysts] [said|expected] the [deal|merger] [would face|could face] [scrutiny|tough questions] from [competition regulators|the watchdog].",
        "{acquirer} is based in {place}, and employs [thousands of people|a large share of its staff] there.",
        "[Bankers|Advisers] [from several firms|at two investment banks] [advised|worked on] the [deal|transaction].",
        "[Customer groups|Consumer advocates] [warned|said] the [merger|deal] [could lead to|might mean] higher prices.",
    ],
)


# ---- sports match ----------------------------------------------------------------

CLUB_SUFFIX = ["FC", "Athletic", "United", "Rovers", "City", "Wanderers", "Albion"]
COMPETITIONS = [("league", "the {country} Premier Division"), ("cup final", "the {country} Cup final"),
                ("cup semi-final", "the {country} Cup semi-final"), ("derby", "the {region} derby")]
SPORT_QUOTES = [
    "We suffered for long periods, but this team never stops believing",
    "The players gave everything, and tonight they deserve to celebrate",
    "We were not at our best, but finals are about winning, not about style",
    "I told them at half-time to be brave, and they were",
    "This is for the supporters who travelled all this way",
]
SPORT_QUOTES2 = [
    "We made two mistakes and at this level you get punished",
    "I am proud of my players even though the result hurts",
    "The referee had a difficult night, but we cannot hide behind that",
    "We will learn from this and come back stronger",
]


def gen_sports(rng, nm, fam=None):
    if fam is None:
        t1, t2 = nm.town(), nm.town()
        c = rng.choice(COUNTRIES)
        fam = dict(clubs=["%s %s" % (t1, rng.choice(CLUB_SUFFIX)), "%s %s" % (t2, rng.choice(CLUB_SUFFIX))],
                   towns=[t1, t2], coaches=[nm.person(), nm.person()],
                   players=[[nm.person() for _ in range(4)], [nm.person() for _ in range(4)]],
                   stadiums=["%s Park" % nm.unique(LAST), "Stadion %s" % nm.unique(LAST)],
                   country=c, n=0, comps=rng.sample(COMPETITIONS, 2), host0=rng.randrange(2))
    fam["n"] += 1
    k = fam["n"] - 1
    w = k % 2 if rng.random() < 0.8 else (k + 1) % 2   # sibling matches usually change winner
    host = (fam["host0"] + k) % 2   # sibling matches alternate grounds
    s = common_place(rng, nm, fam["country"])
    s["place"] = fam["towns"][host]
    comp = fam["comps"][k % 2]
    used = fam.setdefault("scores", [])
    sc = rng.choice([x for x in [(2, 1), (3, 1), (3, 2), (4, 2), (2, 0), (3, 0)] if x not in used])
    used.append(sc)   # sibling matches never repeat a score
    wp = fam["players"][w][:]
    lp = fam["players"][1 - w][:]
    rng.shuffle(wp)
    rng.shuffle(lp)
    m = sorted(rng.sample(range(4, 90), 3))
    s.update(dict(winner=fam["clubs"][w], loser=fam["clubs"][1 - w],
                  home=fam["clubs"][host], stadium=fam["stadiums"][host],
                  competition=comp[1].format(country=s["country"], region=s["region"]),
                  comp_kind=comp[0], score="%d-%d" % sc, wgoals=small(sc[0]), lgoals=small(sc[1]),
                  opener=wp[0], opener_min=ordinal(m[0]), decider=wp[1], decider_min=ordinal(m[2]),
                  lscorer=lp[0] if sc[1] else "nobody", lscorer_min=ordinal(m[1]),
                  attendance=num(rng.randrange(60, 420) * 100),
                  wcoach=fam["coaches"][w], lcoach=fam["coaches"][1 - w],
                  redcard=lp[1], redcard_min=ordinal(rng.randrange(30, 88)),
                  possession="%d%%" % rng.randrange(38, 63),
                  shots=rng.randrange(6, 22)))
    s["goal_loser"] = (("{lscorer} [pulled one back|scored] for {loser} in the {lscorer_min} minute"
                        if sc[1] else "{loser} [never found the net|failed to score]"))
    s["speaker"] = "%s, the %s coach" % (s["wcoach"], s["winner"])
    s["speaker_last"] = last_name(s["wcoach"])
    s["speaker2"] = "%s of %s" % (s["lcoach"], s["loser"])
    s["speaker2_last"] = last_name(s["lcoach"])
    s["quote"] = nm.pick(SPORT_QUOTES)
    s["quote2"] = nm.pick(SPORT_QUOTES2)
    return s, fam


TYPES["sports"] = dict(
    headline=[
        "{winner} beat {loser} {score} in {competition}",
        "{opener} and {decider} [fire|lead] {winner} past {loser}",
        "{loser} fall to {winner} at {stadium}",
        "{winner} [edge|see off] {loser} in front of {attendance}",
        "Ten-man {loser} [lose {score} to|beaten {score} by] {winner}",
        "{wcoach}'s {winner} [win|triumph] in {competition}",
    ],
    lead=[
        "{winner} beat {loser} {score} in {competition} at {stadium} {when}.",
        "Goals from {opener} and {decider} gave {winner} a {score} win over {loser} {when}.",
        "{loser} [finished|ended] with ten men and [lost {score} to|were beaten {score} by] {winner} {when} in {competition}.",
        "A crowd of {attendance} at {stadium} [watched|saw] {winner} [defeat|overcome] {loser} {score} {when}.",
        "{winner} [came out on top|prevailed] in {competition} {when}, [beating|defeating] {loser} by {wgoals} goals to {lgoals}.",
        "{wcoach}'s {winner} [took|claimed] the [honours|spoils] in {competition} {when}, [winning|running out winners] {score} against {loser}.",
    ],
    facts=[
        ["{opener} [opened the scoring|put {winner} ahead] in the {opener_min} minute.",
         "[The first goal|The opener] came in the {opener_min} minute [from|through] {opener}.",
         "{winner} [went ahead|took the lead] [after|in] the {opener_min} minute [through|when] {opener} [finished|converted] [a low cross|a corner|a rebound].",
         "It was {opener} who [broke the deadlock|scored first], in the {opener_min} minute."],
        ["{goal_loser}.",
         "[For|As for] {loser}, {goal_loser}.",
         "On the other side, {goal_loser}."],
        ["{decider} [sealed|settled] the game in the {decider_min} minute.",
         "The [decisive|clinching] goal [came|arrived] in the {decider_min} minute, [scored by|from] {decider}.",
         "{decider} [made sure of the result|wrapped it up] [with|in] the {decider_min} minute.",
         "[Late on|Late in the game], {decider} [struck|scored] in the {decider_min} minute to [settle|decide] it."],
        ["{loser} [had|saw] {redcard} [sent off|shown a red card] in the {redcard_min} minute.",
         "{redcard} was sent off [for a second yellow card|for a reckless tackle] in the {redcard_min} minute, leaving {loser} with ten men.",
         "[Playing|Reduced to] ten men after {redcard}'s {redcard_min} minute [dismissal|red card], {loser} [struggled|tired].",
         "The [referee|official] [dismissed|sent off] {redcard} of {loser} in the {redcard_min} minute."],
        ["The attendance [was|at {stadium} was] {attendance}.",
         "{attendance} [spectators|fans] [packed|filled] {stadium}.",
         "A [crowd|sell-out crowd] of {attendance} [was|were] [in attendance|at the ground].",
         "[Some|About] {attendance} [supporters|fans] [watched|saw] the [match|game] at {stadium}."],
        ["{winner} [had|enjoyed] {possession} of possession and {shots} shots.",
         "[Statistics|Match statistics] [showed|gave] {winner} {possession} [possession|of the ball] and {shots} attempts on goal.",
         "With {possession} of the ball, {winner} [fired|managed] {shots} shots at goal.",
         "[Over the 90 minutes|In all], {winner} [registered|had] {shots} shots [with|and] {possession} of possession."],
    ],
    context=[
        "The two clubs have [a long rivalry|been rivals for decades], and [meetings|matches] between them [rarely|seldom] [lack|go without] [drama|incident].",
        "{home} [were|had been] [unbeaten|strong] at {stadium} [this season|in recent months] [before|until] [this|the] game.",
        "[Police|Stewards] [reported|said there were] [no major incidents|a few arrests] [around|outside] the stadium.",
        "{wcoach} [took over|was appointed] at {winner} [last summer|in 2024] and has [transformed|rebuilt] the squad.",
        "[Supporters|Fans] of {loser} [booed|jeered] [their team|the players] [at the final whistle|as they left the pitch].",
        "The [match|game] was [broadcast|shown] [live|] on [national|regional] television.",
        "[Both|The two] [teams|sides] [had|came into the match with] [injury worries|several players missing].",
    ],
)


# ---- strike ----------------------------------------------------------------------

STRIKE_SECTORS = [("public transport", "the {place} Transit Company", "bus and tram services"),
                  ("hospital", "the {region} Health Board", "routine operations and outpatient clinics"),
                  ("port", "the Port of {place}", "container loading"),
                  ("postal", "the {country_adj} Postal Service", "letter and parcel deliveries"),
                  ("railway", "{country_adj} National Railways", "regional train services")]
STRIKE_QUOTES = [
    "Our members are not asking for luxury, they are asking to pay their rent",
    "Nobody strikes lightly, but we have been ignored for too long",
    "The offer on the table does not even cover inflation",
    "If management wants the trains running, it knows where to find us",
    "This is about safety as much as it is about pay",
]
STRIKE_QUOTES2 = [
    "The offer is fair and affordable, and we urge the union to put it to its members",
    "We regret the disruption to the public and remain ready to talk",
    "There is no more money, and a strike will not change that",
    "We have made three offers and the union has rejected them all",
]


def gen_strike(rng, nm, fam=None):
    if fam is None:
        c = rng.choice(COUNTRIES)
        base = common_place(rng, nm, c)
        sec = rng.choice(STRIKE_SECTORS)
        fam = dict(base=base, sector=sec[0],
                   employer=sec[1].format(place=base["place"], region=base["region"],
                                          country_adj=base["country_adj"]),
                   services=sec[2],
                   union="the %s %s Workers' Union" % (base["country_adj"], sec[0].title()),
                   leader=nm.person(), spokes=nm.person(), n=0)
    fam["n"] += 1
    s = common_place(rng, nm)
    s.update({k: fam["base"][k] for k in ("region", "country", "country_adj")})
    if fam["n"] == 1:
        s["place"] = fam["base"]["place"]
    demand = rng.randrange(7, 16)
    s.update(dict(union=fam["union"], employer=fam["employer"], sector=fam["sector"],
                  services=fam["services"], leader=fam["leader"], leader_last=last_name(fam["leader"]),
                  workers=num(rng.randrange(12, 160) * 100),
                  demand="%d%%" % demand, offer="%.1f%%" % (rng.randrange(20, demand * 10 - 20) / 10.0),
                  hours=rng.choice(["24", "48", "72"]),
                  support="%d%%" % rng.randrange(72, 97),
                  ballot_turnout="%d%%" % rng.randrange(55, 85),
                  affected=num(rng.randrange(40, 600) * 1000),
                  talks_rounds=small(rng.randrange(3, 9)),
                  inflation="%.1f%%" % (rng.randrange(35, 79) / 10.0),
                  mediator=nm.person(), ordinal=["first", "second", "third"][fam["n"] - 1]))
    s["speaker"] = "%s, who leads %s" % (s["leader"], s["union"])
    s["speaker_last"] = s["leader_last"]
    s["speaker2"] = "%s, a spokesperson for %s" % (fam["spokes"], s["employer"])
    s["speaker2_last"] = last_name(fam["spokes"])
    s["quote"] = nm.pick(STRIKE_QUOTES)
    s["quote2"] = nm.pick(STRIKE_QUOTES2)
    return s, fam


TYPES["strike"] = dict(
    headline=[
        "{workers} {sector} workers strike over pay in {place}",
        "{hours}-hour strike halts {services}",
        "Union [rejects|turns down] {offer} offer, [walks out|strikes]",
        "{leader_last}: '{quote}'",
        "[Walkout|Strike] [disrupts|hits] {services} across {region}",
        "{sector} strike: union demands {demand}, employer offers {offer}",
    ],
    lead=[
        "About {workers} {sector} workers walked out {when} in a {hours}-hour strike over pay, [disrupting|halting] {services} [in|around] {place}.",
        "{union} [began|launched] a {hours}-hour strike {when} after [rejecting|turning down] a pay offer of {offer} from {employer}.",
        "{services} [ground to a halt|were severely disrupted] {when} as {workers} members of {union} [stopped work|went on strike].",
        "Commuters and [residents|families] in {region} [faced|endured] [disruption|chaos] {when} when {union} [staged|held] a {hours}-hour walkout against {employer}.",
        "[Picket lines|Pickets] [formed|went up] [outside|at] [depots|sites] of {employer} {when} at the start of a {hours}-hour strike by {workers} workers.",
        "A pay dispute between {union} and {employer} [escalated|boiled over] {when} [into|with] a {hours}-hour strike [that affected|affecting] {affected} people.",
    ],
    facts=[
        ["The union is demanding a {demand} pay rise; {employer} has offered {offer}.",
         "{employer} [has offered|put forward] {offer}, well short of the {demand} [the union wants|sought by the union].",
         "[Workers|The union] [want|are seeking] {demand}, [against|compared with] an offer of {offer}.",
         "The [gap|difference] between the {demand} [demand|claim] and the {offer} [offer|on the table] [remains|is] [wide|large].",
         "[At issue is|The dispute centres on] a {demand} pay claim; management's [best offer|latest offer] [stands at|is] {offer}."],
        ["{support} of members [voted for|backed] [strike action|the strike] on a turnout of {ballot_turnout}.",
         "In a ballot [last month|earlier this year], {support} [supported|voted in favour of] [industrial action|walking out], [with|on] {ballot_turnout} turnout.",
         "The strike [followed|came after] a ballot in which {support} of [voting members|those voting] [backed|supported] action; turnout was {ballot_turnout}.",
         "[Members|Union members] [backed|approved] the walkout by {support}, [with|and] {ballot_turnout} of them [took part|voting]."],
        ["[About|Roughly|An estimated] {affected} people [were affected|were hit by the disruption], [according to|said] {employer}.",
         "{employer} [estimated|said] that {affected} [passengers|people|customers] [were affected|faced disruption].",
         "The [disruption|stoppage] [affected|hit] [some|around] {affected} [people|passengers|patients|customers], [officials|the employer] said.",
         "[Around|Some] {affected} people [rely|depend] on {services} [on a typical day|daily], [figures from {employer} show|according to {employer}]."],
        ["{talks_rounds} rounds of talks have failed to [produce|reach] [an agreement|a deal].",
         "[Negotiations|Talks] [broke down|collapsed] after {talks_rounds} rounds.",
         "[A mediator|The state mediator], {mediator}, [has|had] [chaired|led] {talks_rounds} rounds of talks [without success|without a breakthrough].",
         "[Despite|After] {talks_rounds} [negotiating sessions|rounds of negotiation], [no deal|no agreement] [has been reached|was reached].",
         "{mediator}, [appointed|brought in] [as mediator|to mediate], [said|told reporters] {talks_rounds} rounds of talks had [not bridged|failed to bridge] the gap."],
        ["[Inflation|Consumer price inflation] in {country} [is running at|stands at] {inflation}.",
         "The union [argues|says] [wages|pay] have [lagged|fallen behind] inflation of {inflation}.",
         "With inflation at {inflation}, the union [says|argues] the offer of {offer} [amounts to|is] a real-terms pay cut.",
         "[Official figures|Statistics] [put|show] inflation at {inflation}, [above|higher than] the [employer's offer|offer on the table]."],
        ["It is the {ordinal} strike [by the union|by {union}] this year.",
         "[This was|It was] the {ordinal} walkout [in the dispute|since the dispute began].",
         "The [stoppage|strike] is the {ordinal} [in the current dispute|this year], [union officials|organisers] said."],
    ],
    context=[
        "[Pay disputes|Strikes] have [spread|multiplied] across {country}'s public services [over the past year|in recent months] [as|while] [living costs|prices] [rose|climbed].",
        "[Some|Several] [services|routes] [were|are] [run|operated] by [managers|non-union staff] [during the strike|as a stopgap].",
        "[The government|Ministers] [urged|called on] both sides to [return to|resume] talks.",
        "[Business groups|Retailers] in {place} [said|complained] the [strike|walkout] [would|could] [hurt trade|cost them business].",
        "{leader} has led the union since [2022|2021] and [is known for|has a reputation for] [a tough line|hard bargaining].",
        "[User groups|Groups representing the public] [called for|demanded] [compensation|a quick settlement].",
        "[Workers|Strikers] [gathered|rallied] [outside|in front of] [the headquarters|the head office] of {employer} [with flags|chanting].",
    ],
)


# ---- product recall ---------------------------------------------------------------

RECALL_PRODUCTS = [
    ("electric kettle", "the base can overheat and melt", "burns"),
    ("space heater", "a faulty thermostat can cause it to overheat", "small fires"),
    ("child car seat", "the harness buckle can open under load", "minor injuries"),
    ("e-bike battery", "cells can short-circuit while charging", "fires"),
    ("pressure cooker", "the lid can open while the pot is still under pressure", "scalds"),
    ("baby monitor", "the power adapter casing can crack and expose live parts", "electric shocks"),
    ("dishwasher", "a wiring fault in the door panel can overheat", "scorch damage"),
    ("hair dryer", "the motor can seize and ignite internal dust", "burns"),
]
RECALL_QUOTES = [
    "Safety comes before everything else, and we are acting out of an abundance of caution",
    "We are sorry for the worry this causes and will make it right for every customer",
    "Customers should stop using the product immediately and contact us for a free replacement",
    "We identified the fault in our own testing and moved as quickly as we could",
]
RECALL_QUOTES2 = [
    "Companies must report defects promptly, and we will check whether that happened here",
    "We are monitoring the recall closely to make sure it reaches every household",
    "Consumers should check the model number on the underside of the product",
    "We have received a number of complaints and opened a file on the matter",
]


def gen_recall(rng, nm, fam=None):
    if fam is None:
        c = rng.choice(COUNTRIES)
        fam = dict(company=nm.company(["Appliances", "Home", "Electronics", "Consumer Products"]),
                   country=c, hq=nm.town(), spokes=nm.person(),
                   products=rng.sample(RECALL_PRODUCTS, 3), n=0)
    fam["n"] += 1
    p = fam["products"][fam["n"] - 1]
    s = common_place(rng, nm, fam["country"])
    s["place"] = fam["hq"]
    model = "%s-%d" % (rng.choice(["HX", "KT", "BV", "QL", "RM", "ZP"]), rng.randrange(100, 990))
    s.update(dict(company=fam["company"], product=p[0], products=plural(p[0]), defect=p[1], harm=p[2],
                  model=model, units=num(rng.randrange(12, 900) * 100),
                  reports=num(rng.randrange(4, 60)),
                  injuries=small(rng.randrange(2, 12)),
                  months=rng.choice(["January and October 2025", "March 2024 and June 2025",
                                     "May 2025 and January 2026", "August 2024 and December 2025"]),
                  price="$%d" % rng.randrange(29, 399),
                  regulator="the %s Product Safety Board" % s["country_adj"],
                  countries=small(rng.randrange(2, 9)),
                  ordinal=["first", "second", "third"][fam["n"] - 1],
                  ordinal_count=["one recall", "two recalls", "three recalls"][fam["n"] - 1],
                  official=nm.person()))
    s["speaker"] = "%s, a spokesperson for %s" % (fam["spokes"], s["company"])
    s["speaker_last"] = last_name(fam["spokes"])
    s["speaker2"] = "%s of %s" % (s["official"], s["regulator"])
    s["speaker2_last"] = last_name(s["official"])
    s["quote"] = nm.pick(RECALL_QUOTES)
    s["quote2"] = nm.pick(RECALL_QUOTES2)
    return s, fam


TYPES["recall"] = dict(
    headline=[
        "{company} recalls {units} {products}",
        "{product} recall: {company} [warns of|cites] risk of {harm}",
        "{company} pulls {model} {product} [after|over] {reports} reports",
        "Recall of {company} {product} [covers|spans] {countries} countries",
        "Stop using {model} {product}, {company} tells customers",
        "[Safety watchdog|Regulator] [announces|confirms] {company} {product} recall",
    ],
    lead=[
        "{company} is recalling {units} {products} sold under the model name {model} because {defect}, the company said {when}.",
        "{regulator} announced {when} the recall of {units} {model} {products} made by {company}, citing a risk of {harm}.",
        "Owners of the {company} {model} {product} [have been told|were told] {when} to stop using it [immediately|at once] because {defect}.",
        "{company} [said|announced] {when} it would [replace|refund] {units} {products} after {reports} reports that {defect}.",
        "A fault that means {defect} has [prompted|led to] a recall of {units} {products} by {company}, announced {when}.",
        "[Consumers|Customers] in {countries} countries [are affected by|face] a recall of {company}'s {model} {product}, [issued|announced] {when}.",
    ],
    facts=[
        ["The [affected|recalled] units were sold between {months}.",
         "[Products|Units] [sold|made] between {months} [are affected|are covered].",
         "[The recall|It] [covers|applies to] {products} [sold|bought] between {months}.",
         "[Only|The] {products} [manufactured|sold] between {months} are [included|part of the recall].",
         "[Anyone who bought|Households that purchased] a {model} between {months} [should check|are urged to check] [it|the unit]."],
        ["The company [has received|said it had received] {reports} reports of [problems|incidents], including {injuries} [injuries|cases of {harm}].",
         "{reports} [incidents|complaints] [have been|were] reported, {injuries} of them [involving|with] {harm}.",
         "[There have been|So far there were] {reports} reports, [with|and] {injuries} [people|customers] [suffering|reporting] {harm}.",
         "{company} said it [knew of|was aware of] {reports} [incidents|cases], {injuries} of which [caused|resulted in] {harm}.",
         "[According to {regulator}|Figures from {regulator} show that], {reports} [complaints|reports] have been [filed|made], and {injuries} [involved|led to] {harm}."],
        ["Customers [can|will] [get|receive] a full refund of {price} or a [free|replacement] unit.",
         "[Owners|Buyers] are entitled to a {price} refund or a [repair|replacement].",
         "The {model} [sold|retailed] for [about|around] {price}; [buyers|customers] [will be|can be] refunded in full.",
         "[A full refund|Refunds] of {price}, or a [new|free] replacement, [is|are] [available|on offer] [to all buyers|to customers].",
         "{company} [promised|has promised] to [return|pay back] the {price} purchase price [to anyone who asks|in full] [or swap the unit|or provide a replacement]."],
        ["The {products} were sold in {countries} countries.",
         "[Sales|The product] [spanned|covered] {countries} countries.",
         "{company} [sold|distributed] the {model} in {countries} countries, [mostly|mainly] through [supermarkets|online retailers].",
         "[Recall notices|Notices] [will be|are being] [published|issued] in {countries} countries.",
         "[Buyers|Households] in {countries} countries [are affected|will receive letters], [the regulator said|officials said]."],
        ["It is the {ordinal} recall [announced|issued] by {company} this year.",
         "It is the {ordinal} recall [for|by] {company} in 2026.",
         "{company} [has now issued|now has] {ordinal_count} this year, [the|a] [tally|record] that [has drawn|draws] [criticism|attention].",
         "[For|At] {company}, it [is|marks] the {ordinal} recall [this year|in 2026].",
         "[Only weeks into the year|Already in 2026], {company} has [had to issue|announced] {ordinal_count}."],
        ["{company} is based in {place}.",
         "The [company|manufacturer], [headquartered|based] in {place}, [makes|produces] [kitchen|household] appliances [for|sold in] [much of the region|several countries].",
         "[Headquartered|Based] in {place}, {company} [designs|makes] [home|household] [appliances|electronics].",
         "The {place}-based [firm|company] [sells|markets] [its products|appliances] under [several|its own] brands."],
    ],
    context=[
        "[Consumer groups|Consumer advocates] [said|complained] the recall [came|was announced] [too late|months too late].",
        "[Product recalls|Recalls of electrical goods] have [risen|increased] in {country} [in recent years|since 2023], [according to {regulator}|official figures show].",
        "[Retailers|Shops] [removed|pulled] the {product} from their shelves [on the same day|within hours].",
        "[Shares|The share price] of {company} [fell|dipped] [after|on] the [announcement|news].",
        "[The model number|The {model} label] [can be found|is printed] on the [underside|back] of the [product|unit].",
        "{regulator} said it was [reviewing|looking into] [how|when] {company} [first learned|became aware] of the fault.",
        "[Customers|Owners] can [register|arrange a return] [online|by telephone] [through|via] the company's [website|customer line].",
    ],
)


# ---- product launch ---------------------------------------------------------------

LAUNCH_PRODUCTS = [("electric delivery van", "van"), ("foldable phone", "phone"),
                   ("home battery", "battery"), ("e-reader", "e-reader"),
                   ("heat pump", "heat pump"), ("drone", "drone")]
LAUNCH_QUOTES = [
    "We built the product we wanted to buy ourselves and could not find anywhere",
    "This is the most important launch in our company's history",
    "We are not trying to be the cheapest, we are trying to be the best value",
    "Our engineers spent three years on this, and it shows",
]
LAUNCH_QUOTES2 = [
    "It is impressive on paper, but the price will decide whether it sells",
    "The real test will be reliability after a year of use",
    "Competitors will have to respond, and quickly",
]


def gen_launch(rng, nm, fam=None):
    s = common_place(rng, nm)
    p = rng.choice(LAUNCH_PRODUCTS)
    s.update(dict(company=nm.company(["Technologies", "Motors", "Electronics", "Systems"]),
                  product=p[0], product_short=p[1], products_short=plural(p[1]),
                  name="%s %s" % (rng.choice(["Aero", "Nimbus", "Vela", "Orca", "Pulse", "Terra"]),
                                  rng.choice(["One", "X", "Pro", "Go", "Max", "2"])),
                  price="$%s" % num(rng.randrange(2, 400) * 10 - 1),
                  range_val=rng.randrange(180, 520), battery=rng.randrange(5, 40),
                  weight="%.1f" % (rng.randrange(8, 90) / 10.0),
                  ship_month=rng.choice(["April", "May", "June", "September"]),
                  preorders=num(rng.randrange(2, 90) * 1000),
                  factory=nm.town(), jobs=num(rng.randrange(2, 30) * 50),
                  invest=money(rng.randrange(20, 600))))
    s["ceo"] = nm.person()
    s["speaker"] = "%s, chief executive of %s" % (s["ceo"], s["company"])
    s["speaker_last"] = last_name(s["ceo"])
    s["speaker2"] = "%s, an industry analyst" % nm.person()
    s["speaker2_last"] = last_name(s["speaker2"].split(",")[0])
    s["quote"] = nm.pick(LAUNCH_QUOTES)
    s["quote2"] = nm.pick(LAUNCH_QUOTES2)
    return s, None


TYPES["launch"] = dict(
    headline=[
        "{company} unveils {name} {product}",
        "{company}'s {name} to cost {price}",
        "{name}: {company} [bets big|makes its bet] on {products_short}",
        "{company} launches {product} with {preorders} pre-orders",
        "New {name} {product_short} [goes on sale|ships] in {ship_month}",
    ],
    lead=[
        "{company} unveiled the {name}, a new {product}, at an event in {place} {when}, with a starting price of {price}.",
        "The {name} {product} from {company} will [go on sale|ship] in {ship_month} for {price}, the company announced {when}.",
        "{company} [took the wraps off|showed off] its long-awaited {name} {product} {when}, [saying|claiming] it had already taken {preorders} pre-orders.",
        "[At a launch event|On stage] in {place} {when}, {company} [presented|introduced] the {name}, [its first|a new] {product}.",
        "A new {product} called the {name} [was launched|was presented] by {company} {when}, [priced|with a price tag] [at|of] {price}.",
    ],
    facts=[
        ["The {name} will cost {price} and ship in {ship_month}.",
         "[Prices|Pricing] [start|starts] at {price}, with [deliveries|shipping] [from|beginning in] {ship_month}.",
         "[Customers|Buyers] can [order|reserve] the {name} [now|immediately] for {price}; [first deliveries|shipments] [are planned for|begin in] {ship_month}.",
         "At {price}, the {name} [undercuts|is cheaper than] [most|several] rivals, [the company said|according to {company}]."],
        ["{company} said it had [received|taken] {preorders} pre-orders [before|ahead of] the launch.",
         "[Pre-orders|Advance orders] [reached|topped] {preorders}, [the company said|according to {company}].",
         "[More than|Over] {preorders} [customers|people] [signed up|placed deposits] [in advance|before the event].",
         "{preorders} [units|pre-orders] were [reserved|booked] [before|prior to] the [event|launch], [a figure|a number] {company} [called|described as] [encouraging|better than expected]."],
        ["The {product_short} [will be|is] made at a new factory in {factory}, [creating|which will create] {jobs} jobs.",
         "{company} [invested|has invested] {invest} in a [plant|factory] in {factory} [to build|that will build] the {name}.",
         "[Production|Manufacturing] [will take place|is based] in {factory}, where {company} [spent|put] {invest} [on|into] a new line employing {jobs} people.",
         "[A|The] {invest} factory in {factory} will [employ|hire] {jobs} [workers|people] [to make|making] the {name}."],
        ["[It|The {name}] weighs {weight} kilograms.",
         "[At|Weighing] {weight} kg, the {name} [is|is said to be] [lighter than|lighter than most] [rivals|competitors].",
         "The company [says|said] the {name} [weighs|comes in at] {weight} kilograms."],
    ],
    context=[
        "{company} has [struggled|fought] to [win market share|compete] against [larger|bigger] [rivals|competitors] [in recent years|since 2023].",
        "[Analysts|Industry watchers] [said|noted] the {product_short} market in {country} [is|has become] [crowded|fiercely competitive].",
        "[Shares|The company's shares] [rose|climbed] [after|during] the [presentation|event].",
        "[Reviewers|Journalists] [who tried|given] [early|preview] [units|samples] [praised|were impressed by] the [design|build quality].",
        "{company} [was founded|started out] in {place} [in 2011|fifteen years ago] as a small [engineering firm|start-up].",
    ],
)


# ---- armed robbery / crime ------------------------------------------------------------

CRIME_VENUES = ["jewellery shop", "bank branch", "petrol station", "currency exchange office",
                "armoured cash van", "post office"]
CRIME_QUOTES = [
    "We are treating this as an extremely serious and well-planned crime",
    "I want to reassure the public that we are throwing every resource at this",
    "Someone knows who these people are, and we urge them to come forward",
    "The staff showed remarkable courage in a terrifying situation",
]
CRIME_QUOTES2 = [
    "I heard two bangs and saw people running past my window",
    "They were in and out in less than three minutes",
    "I have run this shop for twenty years and never seen anything like it",
    "We hid behind the counter until the police arrived",
]


def gen_crime(rng, nm, fam=None):
    s = common_place(rng, nm)
    s.update(dict(venue=rng.choice(CRIME_VENUES), street="%s %s" % (rng.choice(LAST), rng.choice(["Street", "Road", "Avenue", "Lane"])),
                  time_local="%d:%02d" % (rng.randrange(1, 12), rng.randrange(0, 12) * 5),
                  ampm=rng.choice(["a.m.", "p.m."]),
                  robbers=small(rng.randrange(3, 7)), arrested=small(2),
                  injured=small(rng.randrange(2, 6)), shots=small(rng.randrange(2, 7)),
                  stolen=money(rng.randrange(2, 90) / 10.0 + 0.1) if rng.random() < 0.6 else "$%s" % num(rng.randrange(40, 900) * 100),
                  car=rng.choice(["a dark grey estate car", "a white van", "a black saloon", "two motorbikes"]),
                  car_found=nm.town(), reward="$%s" % num(rng.randrange(5, 50) * 1000),
                  force="%s Police" % s["region"]))
    s["speaker"] = "Inspector %s of %s" % (nm.person(), s["force"])
    s["speaker_last"] = "Inspector " + s["speaker"].split()[2]
    s["speaker2"] = "%s, who [works|runs a cafe] nearby" % nm.person()
    s["speaker2_last"] = s["speaker2"].split()[1].rstrip(",")
    s["quote"] = nm.pick(CRIME_QUOTES)
    s["quote2"] = nm.pick(CRIME_QUOTES2)
    return s, None


TYPES["crime"] = dict(
    headline=[
        "Armed robbers hit {place} {venue}; {injured} hurt",
        "Shots fired in {place} {venue} raid",
        "{arrested} arrested after {venue} robbery on {street}",
        "Police hunt gang after {stolen} {venue} raid in {place}",
        "{place} robbery: police offer {reward} reward",
        "[Masked|Armed] gang [raids|robs] {venue} in {place}",
    ],
    lead=[
        "{robbers} armed [men|robbers] [raided|stormed] a {venue} on {street} in {place} {when}, firing {shots} shots and injuring {injured} people, police said.",
        "Police in {place} [arrested|detained] {arrested} [people|suspects] {when} after an armed robbery at a {venue} [in which|during which] {injured} people were hurt.",
        "[Masked|Armed] robbers [escaped|fled] with [about|an estimated] {stolen} from a {venue} in {place} {when}.",
        "{injured} people were [taken to hospital|injured] {when} when a gang [held up|robbed] a {venue} on {street}, {place}, and [opened fire|fired shots].",
        "{force} [launched|began] a [manhunt|search] {when} for [members of|] a gang that robbed a {venue} in central {place}.",
        "[Shoppers|Passers-by] [ran for cover|fled] on {street} in {place} {when} as {robbers} [armed men|gunmen] [attacked|held up] a {venue}.",
    ],
    facts=[
        ["The robbery [happened|took place] at about {time_local} {ampm}.",
         "[Officers|Police] were called to {street} [shortly after|at around] {time_local} {ampm}.",
         "[Witnesses|Onlookers] said the [gang|robbers] [arrived|burst in] at [around|about] {time_local} {ampm}.",
         "[The first emergency call|The alarm] [came|was raised] at {time_local} {ampm}, [police said|according to {force}]."],
        ["{shots} shots were fired; {injured} people [were wounded|were injured], none [fatally|of them critically].",
         "[The robbers|The gang] fired {shots} [shots|rounds] [into the ceiling and at a guard|as they fled]; {injured} people [needed treatment|were hurt].",
         "[Police|Investigators] [recovered|found] {shots} [cartridge cases|shell casings] [at the scene|on the pavement], and {injured} [people|bystanders] were [treated|taken to hospital].",
         "{injured} [people|bystanders], [including|among them] a security guard, were [hurt|injured] when {shots} shots were fired.",
         "[According to|Citing] {force}, the [gang|attackers] fired {shots} times and {injured} people were [hurt|wounded]."],
        ["The [gang|robbers] [took|escaped with] [about|an estimated] {stolen} [in cash and jewellery|in cash].",
         "[Police|Officials] [estimated|put] the [haul|value of what was taken] at {stolen}.",
         "[Goods worth [about|roughly] {stolen} were|Cash worth [about|roughly] {stolen} was] [taken|stolen], [the owner|police] said.",
         "[The|An early] [estimate|police estimate] [puts|put] the [losses|stolen property] at {stolen}."],
        ["{arrested} [suspects|men] [were arrested|were detained] [later|hours later]; the others [remain|remained] at large.",
         "{force} said {arrested} [suspects|people] [were in custody|had been arrested], and [they were|officers were] [still searching|still looking] for the rest of the {robbers}-strong gang.",
         "[Of the|Out of the] {robbers} [robbers|gang members], {arrested} [were caught|were arrested] [by evening|that night].",
         "[Arrests|Two arrests]: [police|officers] [detained|arrested] {arrested} [suspects|people], but [others|the rest] [escaped|got away]."],
        ["The [gang|robbers] [fled|escaped] in {car}, [later found|which was later found] [burned out|abandoned] in {car_found}.",
         "[Police|Officers] [found|later found] {car} [used in|used for] the [getaway|escape] [abandoned|burned out] near {car_found}.",
         "[Witnesses|Onlookers] saw the [robbers|gang] [drive off|speed away] in {car}; [it|the vehicle] was [found|discovered] in {car_found}.",
         "A [getaway vehicle|vehicle], {car}, was [later|] [recovered|found] in {car_found}."],
        ["{force} [offered|is offering] a {reward} reward for information.",
         "A {reward} reward [has been offered|was offered] [for information leading to an arrest|for tips].",
         "[Police|Investigators] [appealed|asked] for witnesses and [offered|put up] a reward of {reward}.",
         "[Anyone|People] with information [could receive|may be eligible for] a {reward} reward, {force} said."],
    ],
    context=[
        "[Armed robberies|Robberies of this kind] [are|remain] [rare|unusual] in {region}, [according to {force}|police figures show].",
        "[The|This] [street|area] [was|had been] [cordoned off|sealed off] [for several hours|until late evening] [while|as] [forensic teams|investigators] [worked|examined the scene].",
        "[Shop owners|Traders] [on|along] {street} [said|complained] they had [asked|pressed] [for more patrols|for CCTV] [for years|repeatedly].",
        "[Detectives|Investigators] [were examining|were reviewing] [footage|CCTV footage] from [nearby|surrounding] [cameras|shops].",
        "[A similar|A comparable] [raid|robbery] [took place|happened] in [a neighbouring town|another town in {region}] [last year|in 2025], [but|and] [no arrests were made|the culprits were never caught].",
    ],
)


# ---- mine rescue ------------------------------------------------------------------

MINERALS = ["coal", "potash", "copper", "zinc", "lignite", "salt"]
RESCUE_QUOTES = [
    "When we heard them tapping on the pipe, there was not a dry eye in the control room",
    "My team worked in shifts around the clock and never lost hope",
    "Every one of them walked out on his own feet, which is a small miracle",
    "The rock was unstable and we had to move centimetre by centimetre",
]
RESCUE_QUOTES2 = [
    "I prayed every hour and I will never forget the moment I saw him",
    "We brought food to the gate every day and waited",
    "The first thing he asked for was a cigarette and a cup of coffee",
    "The whole town stood outside that mine for four days",
]


def gen_rescue(rng, nm, fam=None):
    s = common_place(rng, nm)
    trapped = rng.randrange(3, 14)
    s.update(dict(mine="%s %s mine" % (nm.unique(LAST), rng.choice(MINERALS)),
                  operator=nm.company(["Mining", "Resources", "Minerals"]),
                  trapped=small(trapped) if trapped <= 12 else num(trapped),
                  depth=num(rng.randrange(12, 90) * 10), hours=rng.randrange(30, 140),
                  rescuers=num(rng.randrange(40, 300)), hospital="%s General Hospital" % nm.town(),
                  tunnel=rng.randrange(20, 120), hospitalised=small(rng.randrange(2, trapped)),
                  cause=rng.choice(["a roof collapse", "a rockfall", "flooding in a lower gallery",
                                    "a partial tunnel collapse"])))
    s["leader"] = nm.person()
    s["speaker"] = "%s, who led the rescue" % s["leader"]
    s["speaker_last"] = last_name(s["leader"])
    s["speaker2"] = "%s, whose brother was among the trapped miners" % nm.person()
    s["speaker2_last"] = last_name(s["speaker2"].split(",")[0])
    s["quote"] = nm.pick(RESCUE_QUOTES)
    s["quote2"] = nm.pick(RESCUE_QUOTES2)
    return s, None


TYPES["rescue"] = dict(
    headline=[
        "All {trapped} miners rescued from {mine}",
        "{trapped} miners freed after {hours} hours underground",
        "Rescue success at {place}: trapped miners [reach the surface|brought out]",
        "{hours} hours, {depth} metres down: inside the {place} mine rescue",
        "[Relief|Joy] in {place} as miners [emerge|are brought out] alive",
    ],
    lead=[
        "Rescuers [freed|brought out] {trapped} miners {when} who had been trapped for {hours} hours at the {mine} near {place}.",
        "All {trapped} miners trapped by {cause} at a depth of {depth} metres in {region} were brought to the surface alive {when}.",
        "[Cheers|Applause] [broke out|erupted] at the {mine} {when} as the last of {trapped} trapped miners [emerged|was lifted out] after {hours} hours underground.",
        "A {hours}-hour rescue operation at the {mine} in {place} [ended|came to an end] {when} with all {trapped} miners [alive|safe].",
        "{trapped} miners who were [cut off|trapped] by {cause} {depth} metres below ground [were rescued|reached safety] {when}.",
    ],
    facts=[
        ["The miners were trapped by {cause} at a depth of {depth} metres.",
         "[A|The] [collapse|accident], [caused by|due to] {cause}, [cut off|trapped] the men {depth} metres [underground|below the surface].",
         "[Officials|The operator] said {cause} [had sealed|sealed] the [gallery|tunnel] [where|in which] the miners were working, {depth} metres down.",
         "[At|Some] {depth} metres [below ground|down], {cause} [blocked|closed off] the [only|main] [exit|way out]."],
        ["[Rescuers|Teams] dug a {tunnel}-metre [bypass tunnel|side tunnel] to reach them.",
         "[To reach|Reaching] the men [required|meant] [drilling|digging] a {tunnel}-metre [tunnel|passage] [around|through] the [collapse|debris].",
         "[Crews|Rescue crews] [bored|cut] a {tunnel} m [passage|tunnel] [through|around] the [rock|rubble].",
         "A {tunnel}-metre [escape tunnel|access tunnel] was [dug|drilled] [over|during] [the|those] {hours} hours."],
        ["{rescuers} [rescuers|workers] [took part|were involved] in the operation.",
         "[More than|Over|About] {rescuers} [people|rescue workers] [worked|took part] in [shifts|relays].",
         "The [operation|effort] [involved|mobilised] {rescuers} [rescuers|specialists] from [across|all over] {country}.",
         "[In all|In total], {rescuers} [mine rescuers|emergency workers] [joined|worked on] the [rescue|operation]."],
        ["{hospitalised} of the miners [were taken|were flown] to {hospital} [for checks|for observation].",
         "[Doctors|Medics] at {hospital} [were treating|examined] {hospitalised} of the men for [dehydration|exhaustion].",
         "{hospitalised} [were|have been] [admitted|hospitalised] at {hospital}, [none|but none] [in serious condition|seriously hurt].",
         "[Most|Most of the miners] [went home|returned home], [but|while] {hospitalised} [stayed|remained] at {hospital}."],
        ["The mine is [operated|run] by {operator}.",
         "{operator}, which [runs|operates] the mine, [said|promised] it would [cooperate|work] with [investigators|the inquiry].",
         "[Operator|Mine owner] {operator} [faces|is facing] questions about [safety|ventilation and safety] [at the site|underground].",
         "[Inspectors|Investigators] [will examine|plan to examine] whether {operator} [followed|complied with] safety rules."],
    ],
    context=[
        "[Mining|The mining industry] [has long been|is] [the main|a key] employer in {region}.",
        "[Families|Relatives] [kept vigil|waited] at the [mine gate|pithead] [throughout|for the whole of] the [operation|rescue].",
        "[Rescuers|Teams] [lowered|sent down] [food, water and medicine|water and oxygen] [through|via] a narrow [borehole|pipe].",
        "[Accidents|Collapses] [at|in] [mines|the mines] of {region} [killed|claimed the lives of] [dozens|several] [miners|workers] [in the 1990s|over past decades].",
        "[The|An] [inquiry|investigation] into the [cause|causes] of the [collapse|accident] [is|was] [expected|due] to [begin|start] [next week|within days].",
    ],
)


# ---- one-off local stories (used for singletons) -------------------------------------

FESTIVALS = ["lantern festival", "harvest fair", "folk music festival", "street food festival",
             "puppet theatre festival", "kite festival", "cider week"]
FEST_QUOTES = ["It was the busiest weekend this town has seen in years",
               "People came from all over the region, and many of them for the first time",
               "Next year we will need a bigger square"]
FEST_QUOTES2 = ["My grandchildren loved every minute of it",
                "We sold out of everything by Saturday afternoon",
                "It rained on Sunday, but nobody seemed to care"]


def gen_festival(rng, nm, fam=None):
    s = common_place(rng, nm)
    s.update(dict(festival=rng.choice(FESTIVALS), edition=ordinal(rng.randrange(3, 60)),
                  visitors=num(rng.randrange(5, 120) * 1000), stalls=rng.randrange(20, 300),
                  acts=rng.randrange(10, 80), days=small(rng.randrange(2, 6)),
                  budget=money(rng.randrange(1, 30) / 10.0 + 0.05)))
    s["speaker"] = "%s, who organised the event" % nm.person()
    s["speaker_last"] = last_name(s["speaker"].split(",")[0])
    s["speaker2"] = "%s, a visitor from %s" % (nm.person(), nm.town())
    s["speaker2_last"] = last_name(s["speaker2"].split(",")[0])
    s["quote"] = nm.pick(FEST_QUOTES)
    s["quote2"] = nm.pick(FEST_QUOTES2)
    return s, None


TYPES["festival"] = dict(
    headline=["{place} {festival} draws {visitors} visitors",
              "Crowds [flock|pour] into {place} for {edition} {festival}",
              "{days} days of {festival} in {place}"],
    lead=["The {edition} {place} {festival} [drew|attracted] {visitors} visitors {when}, organisers said.",
          "[Crowds|Visitors] [filled|packed] the streets of {place} {when} for the {edition} edition of the town's {festival}.",
          "{place}'s {festival} [ended|closed] {when} after {days} days and {visitors} visitors."],
    facts=[["[There were|The event featured] {stalls} stalls and {acts} [performers|acts].",
            "{acts} acts [performed|played] on [three stages|several stages], and {stalls} [stalls|traders] [lined|filled] the [streets|square]."],
           ["The [festival|event] [cost|had a budget of] {budget}, [mostly|largely] [paid for|funded] by [the town council|local businesses].",
            "[Organisers|The council] [spent|put] {budget} [on|into] the event."],
           ["It [lasted|ran for] {days} days.",
            "[Over|Across] {days} days, [visitors|crowds] [came and went|filled the town]."]],
    context=["The {festival} [dates back|goes back] [to the 1950s|several decades] and [is|has become] [a fixture|a highlight] of the {region} calendar.",
             "[Hotels|Guesthouses] in {place} [were fully booked|reported full occupancy] [for the weekend|throughout the festival].",
             "[Extra|Additional] [trains|buses] [were laid on|ran] [from|to] [neighbouring towns|the regional capital]."],
)


RESEARCH = [("a new species of freshwater crab", "biologists", "the {river} river"),
            ("a Bronze Age settlement", "archaeologists", "a field outside the town"),
            ("a gene linked to drought tolerance in barley", "plant scientists", "test plots near the university"),
            ("a cheaper way to recycle solar panels", "engineers", "the university laboratory"),
            ("an unusual colony of bats", "ecologists", "an abandoned railway tunnel")]
RESEARCH_QUOTES = ["We went back three times because we did not believe our own results",
                   "This changes what we thought we knew about the region",
                   "It is a small discovery, but small discoveries add up"]


def gen_research(rng, nm, fam=None):
    s = common_place(rng, nm)
    r = rng.choice(RESEARCH)
    s.update(dict(finding=r[0], scientists=r[1], site=r[2].format(river=rng.choice(RIVERS)),
                  university="the University of %s" % s["place"], journal=rng.choice(
                      ["the Journal of Regional Science", "Northern Naturalist", "Applied Field Studies"]),
                  team=rng.randrange(4, 20), years=small(rng.randrange(2, 8)),
                  grant=money(rng.randrange(2, 40) / 10.0 + 0.1)))
    s["speaker"] = "Professor %s, who led the team" % nm.person()
    s["speaker_last"] = "Professor " + s["speaker"].split()[2].rstrip(",")
    s["speaker2"] = "%s, an independent expert" % nm.person()
    s["speaker2_last"] = last_name(s["speaker2"].split(",")[0])
    s["quote"] = nm.pick(RESEARCH_QUOTES)
    s["quote2"] = "The findings are solid, though they will need to be replicated"
    return s, None


TYPES["research"] = dict(
    headline=["Researchers in {place} report {finding}",
              "{university} team [finds|discovers] {finding}",
              "[Surprise|Unexpected] find near {place}: {finding}"],
    lead=["A team from {university} has [reported|described] {finding} in {site}, in a study published {when}.",
          "{scientists} working near {place} [found|discovered] {finding}, according to [a paper|research] published {when} in {journal}.",
          "[Researchers|Scientists] [said|announced] {when} that they had found {finding} in {site} near {place}."],
    facts=[["The [team|group] of {team} researchers [worked|spent] {years} years on the project.",
            "{team} [scientists|researchers] [took part|were involved] over {years} years."],
           ["The study [appears|was published] in {journal}.",
            "[Details|Results] were [published|set out] in {journal}."],
           ["The work was [funded|paid for] by a {grant} grant.",
            "A {grant} [grant|research grant] [funded|covered] the project."]],
    context=["{university} [has|runs] [one of the oldest research programmes|a respected field station] in {region}.",
             "[Local|Regional] [officials|authorities] [said|promised] they would [protect|safeguard] the site."],
)


INFRA = [("bridge", "the new {river} bridge"), ("bypass", "the {place} bypass"),
         ("tram line", "the {place} tram line"), ("railway station", "the rebuilt {place} station")]
INFRA_QUOTES = ["This project was talked about for thirty years and now it is finally real",
                "It will cut journey times in half for thousands of commuters",
                "We delivered it on time, which in this business is rarer than it should be"]


def gen_infra(rng, nm, fam=None):
    s = common_place(rng, nm)
    k = rng.choice(INFRA)
    s.update(dict(kind=k[0], project=k[1].format(river=rng.choice(RIVERS), place=s["place"]),
                  cost=money(rng.randrange(30, 900)), length=("%.1f" % (rng.randrange(5, 140) / 10.0)),
                  years=small(rng.randrange(2, 7)), daily=num(rng.randrange(3, 60) * 1000),
                  minutes=rng.randrange(6, 35)))
    s["speaker"] = "Transport Minister %s" % nm.person()
    s["speaker_last"] = last_name(s["speaker"].split(" ", 2)[2])
    s["speaker2"] = "%s, a commuter from %s" % (nm.person(), nm.town())
    s["speaker2_last"] = last_name(s["speaker2"].split(",")[0])
    s["quote"] = nm.pick(INFRA_QUOTES)
    s["quote2"] = "I used to leave the house at six, now I can sleep a little longer"
    return s, None


TYPES["infra"] = dict(
    headline=["{project} opens after {years} years of work",
              "{cost} {kind} opens in {place}",
              "[First traffic|First passengers] on {project}"],
    lead=["{project} opened {when} after {years} years of construction and a cost of {cost}.",
          "[Officials|Ministers] [opened|inaugurated] {project} {when}, [promising|saying it would cut] journeys by {minutes} minutes.",
          "The first [vehicles|passengers] [used|travelled on] {project} {when}."],
    facts=[["The {kind} [is|runs] {length} kilometres long.",
            "[It|The route] [stretches|covers] {length} km."],
           ["[About|Some] {daily} [people|vehicles] [are expected to use|should use] it every day.",
            "[Planners|Officials] [expect|forecast] {daily} [daily users|trips a day]."],
           ["[Journeys|Trips] [will be|should be] {minutes} minutes shorter, [officials said|according to planners].",
            "[Travel times|Journey times] [fall|drop] by {minutes} minutes."],
           ["The project cost {cost}.",
            "[Construction|Building it] cost {cost}, [slightly|somewhat] [over|above] [budget|the original estimate]."]],
    context=["[Residents|Campaigners] had [pushed|lobbied] for the project [for decades|since the 1990s].",
             "[Construction|Work] was [delayed|held up] by [legal challenges|funding disputes] [for several years|early on]."],
)


# ---- additional background sentences per type (used by longer reports) --------

EXTRA_CONTEXT = dict(
    summit=[
        "The last [formal|full] round of talks between the two governments [collapsed|broke up] [without agreement|in acrimony] [in 2024|two years ago].",
        "[Officials|Aides] [on both sides|from both delegations] had [spent weeks|worked for weeks] [preparing|drafting] the texts [before|ahead of] the meeting.",
        "[Journalists|Reporters] were [kept|held] [at a distance|behind barriers] [for most of the day|until the final briefing] at the {venue}.",
        "The [meeting|talks] [drew|attracted] [attention|interest] [from|across] the wider region, where [similar|other] border disputes [remain|are still] unresolved.",
        "[Few|Not many] [details|specifics] about {fund_purpose} were [given|released], and [officials|aides] said [a timetable|the schedule] would be [agreed|set] later.",
    ],
    earthquake=[
        "[Mobile|Phone] networks [were overloaded|went down] [for hours|through the morning] as [people|families] [tried to reach|searched for] relatives.",
        "[Volunteers|Residents] [dug|searched] [with their bare hands|with shovels] [before|until] [heavy machinery|the first excavators] [arrived|could get through].",
        "[Many|Some] [families|residents] [said|told reporters] they [were afraid|did not dare] to [return|go back] to [their homes|damaged houses] [because of|given] the aftershocks.",
        "[Blood banks|Hospitals] in {bigcity} [appealed|called] for [donors|blood donations] [as|after] [casualties|the injured] [arrived|were brought in].",
        "[Historic|Old] [buildings|churches] in the [old town|centre] of {place} [suffered|took] [the worst|heavy] damage, [officials|engineers] said.",
    ],
    flood=[
        "[Residents|People] in [low-lying|riverside] [streets|neighbourhoods] [moved|carried] furniture and [valuables|belongings] [upstairs|to upper floors] [overnight|before the water arrived].",
        "[Farmers|Livestock owners] [moved|drove] [cattle|animals] to higher ground [as|when] the water [rose|spread].",
        "[Sandbag|Emergency] [stations|depots] [were set up|opened] [across|around] {place}, and [volunteers|soldiers] [filled|handed out] [thousands of bags|sandbags] [through the night|overnight].",
        "The {river} [is|has long been] [known for|prone to] [spring|sudden] floods, [but|though] [residents|older residents] said this one [was|came] [faster|higher] than [any|anything] they [remembered|could recall].",
        "[Power|Electricity] was [cut|switched off] [as a precaution|for safety] in [parts of|several districts of] {place} and {town2}.",
    ],
    fire=[
        "[Families|Relatives] of [workers|employees] [gathered|waited] [at the factory gate|outside the plant] [for news|for hours].",
        "[Explosions|Loud blasts] [were heard|could be heard] [as|when] [chemical drums|gas canisters|stored materials] [caught fire|ignited], [witnesses said|according to witnesses].",
        "[Firefighters|Crews] [used|brought in] [foam|specialist foam] and [aerial ladders|a ladder platform] [to attack|to fight] the [fire|blaze] [from above|from the roof].",
        "{company} [said|confirmed] it [would|intended to] [pay|keep paying] [workers|staff] [during|while] [the shutdown|production is halted].",
        "[Local|Town] [officials|councillors] said the [plant|factory] [had|was known to have] [a history of|a record of] [complaints|safety concerns] [from|among] [neighbours|residents].",
    ],
    court=[
        "[During|Over the course of] the [trial|hearings], [experts|witnesses] [testified|gave evidence] about [internal|company] [documents|emails] [dating back|going back] [years|to 2019].",
        "{defendant} had [argued|maintained] [throughout|during the case] that it [had|] [complied|acted in line] with [all|the] [regulations|rules] [in force|at the time].",
        "[The|A] [courtroom|public gallery] was [full|packed], with [claimants|supporters] [travelling|coming] from [across|all over] {region}.",
        "[Legal scholars|Law professors] [said|noted] the [judgment|ruling] [clarified|set out] [how|when] [companies|firms] [can|may] be held liable for {issue_short}.",
        "[The fine|The penalty] [is among|ranks among] the [largest|biggest] [ever imposed|handed down] [by|in] a {country_adj} court in a case of this kind.",
    ],
    election=[
        "[Both|The two] [main|leading] candidates [held|staged] [final|closing] rallies in {place} [on the eve of|the night before] the [vote|election].",
        "[Queues|Long queues] [formed|were seen] [outside|at] [some|several] polling stations [in the morning|after work].",
        "[The campaign|Campaigning] [was|had been] [marked|overshadowed] by [personal attacks|a dispute over debates] [between|involving] the [two|leading] candidates.",
        "[Young voters|First-time voters] [turned out|voted] in [larger|greater] numbers than [expected|in previous elections], [exit polls suggested|according to exit polls].",
        "{winner_last} will [take office|be sworn in] [next month|within weeks], [with|and faces] [an early|a first] [test|challenge] over the [city budget|regional budget].",
    ],
    merger=[
        "The [two|] companies [first|initially] [discussed|explored] a [tie-up|combination] [last year|in 2025] [before|but] talks [stalled|broke off] over [price|valuation].",
        "[Management|The boards] [said|promised] the [combined|merged] [company|group] [would|will] keep [its|both] [headquarters|main offices] in {place} [for now|at least initially].",
        "[Employees|Staff] at {target} [learned|heard] of the [deal|merger] [from|through] [news reports|an internal email] [on the morning of the announcement|the same morning].",
        "[Rivals|Competitors] in the {sector} [industry|sector] [are expected|may be forced] to [respond|seek partners of their own], [analysts said|according to analysts].",
        "[The deal|The merger] [includes|contains] a [break fee|termination fee] [payable|to be paid] [if|should] [regulators|the authorities] [block|reject] it.",
    ],
    sports=[
        "[Both sets of supporters|Fans of both clubs] [created|generated] [a loud|a lively] atmosphere [long before|well before] kick-off.",
        "[The|A] [referee|officials] [reviewed|checked] [a|one] [possible|disputed] [penalty|offside] [decision|call] [on the pitch-side monitor|with the video assistant] [before|but] [play continued|the goal stood].",
        "{loser} [had|enjoyed] [spells|periods] of [pressure|possession] [in the second half|after the break] but [rarely troubled the goalkeeper|created few clear chances].",
        "[Injuries|Fitness doubts] [meant|forced] [both coaches|the coaches] to [change|rotate] [their line-ups|several positions] [before|ahead of] the [match|game].",
        "The [result|win] [lifts|moves] {winner} [closer to|towards] [their targets|the top] [for the season|this season], [while|and] {loser} [face|must regroup before] [a difficult run|a tough run] of [fixtures|games].",
    ],
    strike=[
        "[Picket lines|Pickets] [were|remained] [peaceful|calm], [police said|according to police], with [strikers|workers] [handing out|distributing] leaflets to [passers-by|the public].",
        "[Management|The employer] [said|claimed] [about|roughly] a [third|quarter] of [services|shifts] [were|had been] [covered|maintained] [during|throughout] the [strike|stoppage].",
        "[Some|Several] [commuters|members of the public] [expressed|voiced] [sympathy|support] for the [strikers|workers], [while|though] [others|some] [complained|grumbled] about the [disruption|delays].",
        "The union [has warned|says] that [further|longer] [walkouts|strikes] [will follow|are likely] [if talks do not resume|unless a better offer is made].",
        "[The dispute|The row] [has|had] [been|run] [running|going on] since [the autumn|last autumn], [when|after] the [previous|old] pay [agreement|deal] [expired|ran out].",
    ],
    recall=[
        "[Customers|Owners] [who|that] [cannot find|are unsure of] the model number [can|may] [call|contact] a [free|dedicated] helpline, {company} said.",
        "[Retailers|Stores] [were told|were instructed] to [stop selling|remove] [the product|remaining stock] [with immediate effect|immediately].",
        "The [fault|defect] was [traced|linked] to [a component|a part] [supplied by|bought from] [an outside|a third-party] [supplier|manufacturer], [the company said|according to {company}].",
        "[Safety|Consumer] [experts|advocates] [urged|advised] [owners|households] [not to|never to] [try to repair|attempt repairs on] the [product|units] [themselves|at home].",
    ],
    launch=[
        "[Hundreds of|Several hundred] [guests|journalists and investors] [attended|watched] the [launch|presentation] in {place}.",
        "The {name} [comes with|includes] a [two-year|three-year] [warranty|guarantee] and [free|over-the-air] software updates, [the company said|according to {company}].",
        "[Early|Initial] [production|output] [will be|is] [limited|small], [and|so] [some|many] [buyers|customers] [may|could] [wait|have to wait] [months|several months] [for delivery|for their orders].",
        "{company} [plans|intends] to [sell|offer] the {name} [in|across] [several|neighbouring] countries [later in the year|from the autumn].",
    ],
    crime=[
        "[Staff|Employees] [were threatened and forced|were held at gunpoint and ordered] to [open|empty] [the safe|display cases].",
        "[Residents|Neighbours] [said|told reporters] the [area|street] was [usually|normally] [quiet|peaceful] and that people [felt|now feel] [shaken|uneasy].",
        "[The owner|The manager] [said|told police] [the business|the shop] had been [targeted|robbed] [before|once before], [in|during] [2023|2024].",
        "A [police|patrol] [helicopter|drone] [searched|circled over] [the area|{place}] [for several hours|into the night].",
    ],
    rescue=[
        "[The|An] [operation|effort] [was|had been] [slowed|hampered] by [loose rock|falling debris] and [water seeping|water leaking] into the [tunnel|gallery].",
        "[Doctors|Medics] [said|reported] the [miners|men] [were|appeared] [weak|exhausted] but [in good spirits|in stable condition].",
        "[The mining ministry|The national mine inspectorate] [sent|dispatched] [inspectors|experts] to [the site|{place}] [on the first day|within hours].",
        "[Church bells rang|Car horns sounded] [across|throughout] {place} [when|as] [news of the rescue|the first miner appeared] [spread|reached the town].",
    ],
)
for _t, _lines in EXTRA_CONTEXT.items():
    TYPES[_t]["context"].extend(_lines)


# ---- extra voices: each long report may quote its own bystanders or experts ------

VOICE_ROLES = dict(
    I=["a shopkeeper in {place}", "a retired teacher who lives nearby", "a nurse at the local clinic",
       "a councillor for {place}", "a volunteer with the {region} Relief Association",
       "an engineer who visited the site", "a professor of civil protection at the University of {vtown}"],
    G=["a political scientist at the University of {vtown}", "a former diplomat",
       "a constitutional lawyer in {vtown}", "a columnist for a regional weekly",
       "a local party activist", "a retired judge"],
    B=["an analyst at {vco} Capital", "a professor of economics at the University of {vtown}",
       "a representative of a small-business association", "a consumer rights advocate",
       "a former executive in the industry", "a fund manager in {vtown}"],
    L=["a season-ticket holder from {vtown}", "a local historian", "a shop owner on the main square",
       "a longtime supporter", "a visitor from {vtown}"],
    C=["a local councillor", "a researcher at a neighbouring university",
       "a resident who has followed the project for years"],
)
VOICE_QUOTES = dict(
    I=["Everyone here knows someone who was affected",
       "We have been warning about this for years and nobody listened",
       "The response was faster than last time, I will give them that",
       "People are tired and frightened, but they are helping each other",
       "What we need now is honesty about what went wrong",
       "It will take this town a long time to recover",
       "I have lived here all my life and never seen anything like it",
       "The authorities must explain why the warnings were ignored"],
    G=["This outcome will shape the region for years to come",
       "It is a moment of real consequence, even if the details are dull",
       "The public deserves a clearer explanation of what was decided",
       "Nobody should read too much into a single day",
       "Whatever people think of it, the process was fair",
       "The real work starts now, away from the cameras",
       "We will only know in a year whether this mattered"],
    B=["The market had been waiting for a move like this",
       "Customers and workers will judge it by results, not press releases",
       "There is more risk here than the company is admitting",
       "It is a sensible step, if a late one",
       "The numbers look good on paper, but execution is everything",
       "Smaller firms in the region will feel the effects first"],
    L=["Days like this remind you why you love this place",
       "I have been coming for thirty years and it never gets old",
       "The atmosphere was electric from the very start",
       "My children will be talking about this for weeks"],
    C=["It is a proud day for the town",
       "It took far too long, but it was worth the wait",
       "This is the kind of thing that puts a place on the map"],
)


GENS.update(dict(summit=gen_summit, earthquake=gen_earthquake, flood=gen_flood, fire=gen_fire,
                 court=gen_court, election=gen_election, merger=gen_merger, sports=gen_sports,
                 strike=gen_strike, recall=gen_recall, launch=gen_launch, crime=gen_crime,
                 rescue=gen_rescue, festival=gen_festival, research=gen_research, infra=gen_infra))


# ---------------------------------------------------------------------------
# Corpus plan
# ---------------------------------------------------------------------------

# Multi-report events per type (not counting sibling families).
MULTI_PLAN = [("summit", 2), ("earthquake", 3), ("flood", 4), ("fire", 5), ("court", 4),
              ("election", 4), ("merger", 4), ("sports", 2), ("strike", 2), ("recall", 1),
              ("launch", 2), ("crime", 4), ("rescue", 3)]
# Sibling families: same actors, several distinct events of the same type.
FAMILY_PLAN = [("summit", 3), ("sports", 2), ("recall", 2), ("strike", 2)]
# Events with a single independent report that still gets re-published.
SINGLE_WITH_DUPS = ["fire", "court", "crime", "festival", "research", "flood", "merger"]
# One-off singleton stories.
SINGLETON_PLAN = [("festival", 7), ("research", 6), ("infra", 6), ("crime", 5), ("fire", 3),
                  ("court", 3), ("election", 3), ("merger", 3), ("launch", 4), ("flood", 2),
                  ("rescue", 2), ("recall", 2), ("sports", 3), ("strike", 2), ("summit", 2),
                  ("earthquake", 1)]

N_REPORTS_WEIGHTS = [(2, 25), (3, 30), (4, 24), (5, 13), (6, 8)]
DUP_EXTRA_WEIGHTS = [(1, 55), (2, 25), (3, 12), (4, 8)]
N_DUP_GROUPS_FROM_MULTI = 47

START = datetime.datetime(2026, 1, 5, 0, 0)
CATEGORY = dict(summit="G", earthquake="I", flood="I", fire="I", court="G", election="G",
                merger="B", sports="L", strike="B", recall="B", launch="B", crime="I",
                rescue="I", festival="L", research="C", infra="C")
MAX_GENERIC = dict(I=7, G=6, B=6, L=4, C=4)
SECTIONS = dict(summit="world", earthquake="world", flood="news", fire="news", court="business",
                election="politics", merger="business", sports="sport", strike="business",
                recall="business", launch="technology", crime="news", rescue="news",
                festival="culture", research="science", infra="news")


def wchoice(rng, pairs):
    tot = sum(w for _, w in pairs)
    r = rng.randrange(tot)
    for v, w in pairs:
        if r < w:
            return v
        r -= w
    raise AssertionError


class Event:
    def __init__(self, etype, slots, when, family=None):
        self.type = etype
        self.slots = slots
        self.date = when
        self.family = family
        self.offsets = {}
        self.usage = {}
        self.articles = []
        self.label = None


def pick_variant(rng, ev, key, group, k):
    """Report k of an event gets variant (offset + k) of a group, so that
    independent reports of one event use different wordings where possible."""
    if key not in ev.offsets:
        ev.offsets[key] = rng.randrange(len(group))
    return group[(ev.offsets[key] + k) % len(group)]


def pick_least_used(rng, ev, key, pool, exclude=()):
    u = ev.usage.setdefault(key, [0] * len(pool))
    cands = [i for i in range(len(pool)) if i not in exclude]
    m = min(u[i] for i in cands)
    best = [i for i in cands if u[i] == m]
    i = rng.choice(best)
    u[i] += 1
    return i


def date_slots(d, style):
    wd = WEEKDAYS[d.weekday()]
    md = "%s %d" % (MONTHS[d.month - 1], d.day)
    dm = "%d %s" % (d.day, MONTHS[d.month - 1])
    when = {"weekday": "on %s" % wd, "md": "on %s" % md, "dm": "on %s" % dm,
            "wmd": "on %s, %s" % (wd, md)}[style]
    return dict(when=when, day=wd)


def wc(sents):
    return sum(len(x.split()) for x in sents)


def target_length(rng):
    r = rng.random()
    if r < 0.6:
        return rng.randrange(150, 250)
    if r < 0.91:
        return rng.randrange(250, 400)
    return rng.randrange(400, 660)


def build_report(rng, nm, ev, outlet, k):
    """An independent report of event ev by outlet; k = index of the report."""
    T = TYPES[ev.type]
    sl = dict(ev.slots)
    sl["outlet"] = outlet["name"]
    sl.update(date_slots(ev.date, outlet["style"]))
    R = lambda t, extra=None: render(t, dict(sl, **(extra or {})), rng)

    title = R(pick_variant(rng, ev, "headline", T["headline"], k))
    lead = R(pick_variant(rng, ev, "lead", T["lead"], k))
    facts = [R(pick_variant(rng, ev, ("fact", i), g, k)) for i, g in enumerate(T["facts"])]
    q1 = R(pick_variant(rng, ev, "q1", QUOTE_FRAMES, k),
           quote_slots(sl["quote"], sl["speaker"], sl["speaker_last"]))
    q2 = R(pick_variant(rng, ev, "q2", QUOTE_FRAMES, k + 3),
           quote_slots(sl["quote2"], sl["speaker2"], sl["speaker2_last"]))

    target = target_length(rng)
    order = list(range(len(facts)))
    rng.shuffle(order)
    body = [facts[i] for i in order]
    # quotes: the main one early-ish, the second one sometimes
    body.insert(rng.randrange(0, min(3, len(body)) + 1), q1)
    if rng.random() < 0.65:
        body.insert(rng.randrange(len(body) // 2, len(body) + 1), q2)
    # too long already: drop facts (never the quotes) down to a floor of 3 facts
    while wc([lead] + body) > target + 15:
        droppable = [i for i, x in enumerate(body) if x not in (q1, q2)]
        if len(droppable) <= 3:
            break
        body.pop(rng.choice(droppable))
    # too short: add type-specific context, then generic filler
    used_ctx = []
    while wc([lead] + body) < target and len(used_ctx) < len(T["context"]):
        i = pick_least_used(rng, ev, "ctx", T["context"], exclude=used_ctx)
        used_ctx.append(i)
        body.insert(rng.randrange(1, len(body) + 1), R(T["context"][i]))
    cat = CATEGORY[ev.type]
    # still short: quote one or two people this outlet talked to
    n_voice = 0
    while wc([lead] + body) < target and n_voice < (3 if target > 450 else 2):
        n_voice += 1
        ri = pick_least_used(rng, ev, "vrole", VOICE_ROLES[cat])
        qi = pick_least_used(rng, ev, "vquote", VOICE_QUOTES[cat])
        role = render(VOICE_ROLES[cat][ri], dict(sl, vtown=nm.town(), vco=rng.choice(CO_PREFIX)), rng,
                      capitalise=False)
        who = "%s, %s" % (nm.person(), role)
        frame = QUOTE_FRAMES[rng.randrange(len(QUOTE_FRAMES))]
        body.insert(rng.randrange(len(body) // 2, len(body) + 1),
                    render(frame, quote_slots(VOICE_QUOTES[cat][qi], who, who), rng))
    used_gen = [i for i, (tags, _) in enumerate(GENERIC) if cat not in tags]
    n_gen = 0
    max_gen = MAX_GENERIC[cat] + (5 if target > 450 else 0)
    while wc([lead] + body) < target and len(used_gen) < len(GENERIC) and n_gen < max_gen:
        n_gen += 1
        i = pick_least_used(rng, ev, "gen", GENERIC, exclude=used_gen)
        used_gen.append(i)
        lo = max(1, len(body) * 2 // 3)
        body.insert(rng.randrange(lo, len(body) + 1), R(GENERIC[i][1]))

    paras = [[lead]]
    if rng.random() < 0.4 and body:
        paras[0].append(body.pop(0))
    while body:
        n = min(len(body), wchoice(rng, [(1, 30), (2, 45), (3, 25)]))
        paras.append(body[:n])
        body = body[n:]
    return title, paras


def boilerplate(rng, outlet, p_header, p_footer):
    header, footer = [], []
    if rng.random() < p_header:
        header = outlet["header"][:rng.randrange(1, len(outlet["header"]) + 1)]
    if rng.random() < p_footer:
        f = outlet["footer"]
        i = rng.randrange(len(f))
        j = rng.randrange(i + 1, len(f) + 1)
        footer = f[i:j]
        if len(footer) == 1 and rng.random() < 0.5:
            footer = f[-2:]
    return header, footer


def make_article(rng, nm, ev, outlet_name, k, published, kind):
    outlet = OUTLET_BY_NAME[outlet_name]
    title, paras = build_report(rng, nm, ev, outlet, k)
    header, footer = boilerplate(rng, outlet, 0.35, 0.6)
    byline = None
    if rng.random() < outlet["byline"]:
        byline = "By " + rng.choice(REPORTERS[outlet_name])
    dateline = None
    if outlet["dateline"] and rng.random() < 0.8:
        dateline = ev.slots["place"].upper()
    return dict(title=title, header=header, byline=byline, dateline=dateline, paras=paras,
                footer=footer, source=outlet_name, published=published, event=ev,
                kind=kind, parent=None, edits=[])


def article_text(a):
    parts = list(a["header"])
    if a["byline"]:
        parts.append(a["byline"])
    for i, p in enumerate(a["paras"]):
        t = " ".join(p)
        if i == 0 and a["dateline"]:
            t = "%s — %s" % (a["dateline"], t)
        parts.append(t)
    parts.extend(a["footer"])
    return "\n\n".join(parts)


# ---------------------------------------------------------------------------
# Near-duplicate derivation
# ---------------------------------------------------------------------------

SUBS = [("said", "stated"), ("people", "residents"), ("about", "around"),
        ("officials", "authorities"), ("police", "officers"), ("after", "following"),
        ("began", "started"), ("company", "firm"), ("large", "big"), ("told", "informed"),
        ("more than", "over"), ("town", "city"), ("also", "additionally"),
        ("would", "will"), ("later", "subsequently"), ("nearly", "almost"),
        ("workers", "employees"), ("announced", "revealed"), ("however", "but")]
AMERICAN = [("organised", "organized"), ("neighbouring", "neighboring"), ("neighbours", "neighbors"),
            ("centre", "center"), ("programme", "program"), ("kilometres", "kilometers"),
            ("metres", "meters"), ("labour", "labor"), ("criticised", "criticized"),
            ("favour", "favor"), ("defences", "defenses"), ("honours", "honors"), ("tyre", "tire"),
            ("jewellery", "jewelry"), ("harbour", "harbor"), ("epicentre", "epicenter"),
            ("finalised", "finalized"), ("hospitalised", "hospitalized"), ("mobilised", "mobilized"),
            ("travelled", "traveled"), ("licences", "licenses"), ("emphasised", "emphasized"),
            ("apologised", "apologized"), ("recognised", "recognized")]
EDITOR_NOTES = [
    "Editor's note: this story has been updated with additional details.",
    "This article was updated to include new figures from officials.",
    "Correction: an earlier version of this story misstated a figure.",
    "This story was first published by {orig}.",
    "(Additional reporting by the {outlet} news desk.)",
    "Update: {outlet} has asked officials for further comment.",
]
TRUNC_TAILS = ["Read the full story at {orig}.", "Continue reading on {orig}", "[…]",
               "Read more…", "Click here to read the rest of this story."]
TITLE_TWEAKS = ["UPDATE: {t}", "{t} | {outlet}", "{t} (UPDATED)", "WATCH: {t}", "{t} – report",
                "BREAKING: {t}", "{t} - {orig}"]


def all_sentences(a):
    return [(pi, si) for pi, p in enumerate(a["paras"]) for si in range(len(p))]


def op_substitute(rng, a):
    for _ in range(20):
        pi, si = rng.choice(all_sentences(a))
        s = a["paras"][pi][si]
        src, dst = rng.choice(SUBS)
        m = re.search(r"\b%s\b" % re.escape(src), s)
        if m:
            a["paras"][pi][si] = s[:m.start()] + dst + s[m.end():]
            return True
    return False


def op_typo(rng, a):
    for _ in range(20):
        pi, si = rng.choice(all_sentences(a))
        s = a["paras"][pi][si]
        ws = [m for m in re.finditer(r"[a-z]{6,}", s)]
        if not ws:
            continue
        m = rng.choice(ws)
        w = m.group(0)
        j = rng.randrange(1, len(w) - 2)
        kind = rng.randrange(3)
        if kind == 0:
            w2 = w[:j] + w[j + 1] + w[j] + w[j + 2:]
        elif kind == 1:
            w2 = w[:j] + w[j + 1:]
        else:
            w2 = w[:j] + w[j] + w[j:]
        if w2 != w:
            a["paras"][pi][si] = s[:m.start()] + w2 + s[m.end():]
            return True
    return False


def op_americanise(rng, a):
    changed = False
    for pi, p in enumerate(a["paras"]):
        for si, s in enumerate(p):
            for src, dst in AMERICAN:
                s2 = re.sub(r"\b%s\b" % src, dst, s)
                s2 = re.sub(r"\b%s\b" % src.capitalize(), dst.capitalize(), s2)
                if s2 != s:
                    changed = True
                    s = s2
            p[si] = s
    return changed


def op_drop(rng, a):
    cands = [(pi, si) for pi, si in all_sentences(a) if pi > 0 and len(a["paras"][pi]) >= 2]
    if not cands:
        return False
    pi, si = rng.choice(cands)
    a["paras"][pi].pop(si)
    return True


def op_add(rng, a, orig_source):
    ev = a["event"]
    if rng.random() < 0.5:
        s = render(rng.choice(EDITOR_NOTES), dict(orig=orig_source, outlet=a["source"]), rng)
        a["paras"].append([s])
    else:
        sl = dict(ev.slots, outlet=a["source"])
        sl.update(date_slots(ev.date, OUTLET_BY_NAME[a["source"]]["style"]))
        s = render(rng.choice([t for tags, t in GENERIC if CATEGORY[ev.type] in tags]), sl, rng)
        pi = rng.randrange(1, len(a["paras"])) if len(a["paras"]) > 1 else 0
        a["paras"][pi].insert(rng.randrange(len(a["paras"][pi]) + 1), s)
    return True


def op_truncate(rng, a, orig_source):
    total = wc([s for p in a["paras"] for s in p])
    keep = int(total * rng.uniform(0.68, 0.92))
    out, n = [], 0
    for p in a["paras"]:
        if n >= keep:
            break
        q = []
        for s in p:
            if n >= keep:
                break
            ws = s.split()
            if n + len(ws) > keep and rng.random() < 0.5 and keep - n >= 4:
                q.append(" ".join(ws[:keep - n]) + "…")
                n = keep
                break
            q.append(s)
            n += len(ws)
        if q:
            out.append(q)
    a["paras"] = out
    a["paras"].append([render(rng.choice(TRUNC_TAILS), dict(orig=orig_source), rng)])
    return True


def make_dup(rng, src, orig, republisher, ev):
    d = copy.copy(src)
    d["paras"] = [list(p) for p in src["paras"]]
    d["header"], d["footer"] = list(src["header"]), list(src["footer"])
    d["source"] = republisher
    d["kind"] = "dup"
    d["parent"] = orig
    d["edits"] = []
    out = OUTLET_BY_NAME[republisher]
    # boilerplate: usually strip the source's and add the republisher's own
    if rng.random() < 0.8:
        d["header"], d["footer"] = [], []
        d["edits"].append("strip-boilerplate")
    if rng.random() < 0.5:
        d["byline"] = None
    h, f = boilerplate(rng, out, 0.7, 0.9)
    d["header"] = h + d["header"]
    d["footer"] = d["footer"] + f
    if out["aggregator"] or rng.random() < 0.25:
        line = rng.choice(["Originally published by %s." % orig["source"],
                           "Source: %s" % orig["source"],
                           "This story first appeared in %s." % orig["source"]])
        if rng.random() < 0.5:
            d["header"] = d["header"] + [line]
        else:
            d["footer"] = [line] + d["footer"]
    d["header"] = list(dict.fromkeys(d["header"]))   # no repeated boilerplate lines
    d["footer"] = list(dict.fromkeys(d["footer"]))
    if rng.random() < 0.4:
        d["dateline"] = None
    # headline
    r = rng.random()
    if r < 0.45:
        sl = dict(ev.slots, outlet=republisher)
        sl.update(date_slots(ev.date, out["style"]))
        d["title"] = render(rng.choice(TYPES[ev.type]["headline"]), sl, rng)
        d["edits"].append("new-headline")
    elif r < 0.7 and src["title"]:
        d["title"] = render(rng.choice(TITLE_TWEAKS),
                            dict(t=src["title"], outlet=republisher, orig=orig["source"]), rng,
                            capitalise=False)
        d["edits"].append("headline-tweak")
    # body edits
    truncated_src = any(e == "truncate" for e in src.get("edits", []))
    ops = []
    if rng.random() < 0.55:
        ops += ["sub"] * rng.randrange(1, 5)
    if rng.random() < 0.35:
        ops += ["typo"] * rng.randrange(1, 3)
    if rng.random() < 0.15:
        ops.append("us")
    if rng.random() < 0.3:
        ops.append("drop")
    if rng.random() < 0.3:
        ops.append("add")
    body_words = wc([x for p in src["paras"] for x in p])
    if rng.random() < 0.35 and not truncated_src and body_words >= 200:
        ops.append("truncate")
    if not ops:
        ops.append(rng.choice(["sub", "typo", "drop", "add"]))
    rng.shuffle(ops)
    if "truncate" in ops:  # truncation last so that edits land in the kept part
        ops.remove("truncate")
        ops.append("truncate")
    for o in ops:
        ok = {"sub": lambda: op_substitute(rng, d), "typo": lambda: op_typo(rng, d),
              "us": lambda: op_americanise(rng, d), "drop": lambda: op_drop(rng, d),
              "add": lambda: op_add(rng, d, orig["source"]),
              "truncate": lambda: op_truncate(rng, d, orig["source"])}[o]()
        if ok:
            d["edits"].append({"sub": "substitute", "us": "americanise"}.get(o, o))
    return d


# ---------------------------------------------------------------------------
# Assembly
# ---------------------------------------------------------------------------

def slugify(s, n=8):
    w = re.findall(r"[a-z0-9]+", s.lower())
    return "-".join(w[:n])


def make_url(rng, a, used):
    out = OUTLET_BY_NAME[a["source"]]
    sec = SECTIONS[a["event"].type]
    slug = slugify(a["title"] or a["paras"][0][0])
    num_id = rng.randrange(100000, 999999)
    p = a["published"]
    pattern = OUTLETS.index(out) % 3
    if p is None:
        url = "https://%s/%s/%s-%d" % (out["domain"], sec, slug, num_id)
    elif pattern == 0:
        url = "https://%s/%s/%04d/%02d/%02d/%s/" % (out["domain"], sec, p.year, p.month, p.day, slug)
    elif pattern == 1:
        url = "https://%s/%s/%s-%d.html" % (out["domain"], sec, slug, num_id)
    else:
        url = "https://%s/news/%04d%02d%02d/%d/%s" % (out["domain"], p.year, p.month, p.day, num_id, slug)
    while url in used:
        url += "-2"
    used.add(url)
    return url


def main():
    rng = random.Random(SEED)
    nm = Namer(rng)
    for o in OUTLETS:
        REPORTERS[o["name"]] = [nm.person() for _ in range(3)]

    events = []        # (Event, n_reports)
    families = []      # (type, [Event, ...])

    def new_event(etype, fam=None, when=None):
        slots, fam = GENS[etype](rng, nm, fam)
        if when is None:
            when = START + datetime.timedelta(days=rng.randrange(0, 75))
        when = when.replace(hour=rng.randrange(6, 21), minute=rng.randrange(0, 12) * 5)
        return Event(etype, slots, when), fam

    # sibling families first: same actors, dates weeks apart, different places
    for etype, n in FAMILY_PLAN:
        fam = None
        d = START + datetime.timedelta(days=rng.randrange(0, 20))
        evs = []
        for _ in range(n):
            ev, fam = new_event(etype, fam, d)
            ev.family = "%s-family" % etype
            evs.append(ev)
            events.append((ev, wchoice(rng, N_REPORTS_WEIGHTS)))
            d += datetime.timedelta(days=rng.randrange(16, 30))
        families.append((etype, evs))
    for etype, n in MULTI_PLAN:
        for _ in range(n):
            ev, _ = new_event(etype)
            events.append((ev, wchoice(rng, N_REPORTS_WEIGHTS)))
    single_dup_events = []
    for etype in SINGLE_WITH_DUPS:
        ev, _ = new_event(etype)
        single_dup_events.append(ev)
    singleton_events = []
    for etype, n in SINGLETON_PLAN:
        for _ in range(n):
            ev, _ = new_event(etype)
            singleton_events.append(ev)

    articles = []

    def add_report(ev, outlet, k):
        pub = ev.date + datetime.timedelta(minutes=rng.randrange(45, 30 * 60))
        a = make_article(rng, nm, ev, outlet, k, pub, "report")
        ev.articles.append(a)
        articles.append(a)
        return a

    multi_reports = []
    for ev, n in events:
        outlets = rng.sample(REPORTING_OUTLETS, n)
        for k, o in enumerate(outlets):
            multi_reports.append(add_report(ev, o, k))
    single_dup_origs = [add_report(ev, rng.choice(REPORTING_OUTLETS), 0) for ev in single_dup_events]
    for ev in singleton_events:
        add_report(ev, rng.choice(REPORTING_OUTLETS + AGGREGATORS[:1]), 0)

    # near-duplicate groups
    origs = rng.sample(multi_reports, N_DUP_GROUPS_FROM_MULTI) + single_dup_origs
    groups = []
    for orig in origs:
        ev = orig["event"]
        members = [orig]
        in_story = {a["source"] for a in ev.articles}
        for _ in range(wchoice(rng, DUP_EXTRA_WEIGHTS)):
            taken = {m["source"] for m in members}
            if rng.random() < 0.45:
                cands = [o for o in AGGREGATORS if o not in taken]
            else:
                cands = [o for o in REPORTING_OUTLETS if o not in taken and o not in in_story]
            if not cands:
                cands = [o["name"] for o in OUTLETS if o["name"] not in taken]
            rep = rng.choice(sorted(cands))
            src = orig if len(members) == 1 or rng.random() < 0.75 else rng.choice(members[1:])
            d = make_dup(rng, src, orig, rep, ev)
            d["published"] = src["published"] + datetime.timedelta(minutes=rng.randrange(5, 48 * 60))
            members.append(d)
            ev.articles.append(d)
            articles.append(d)
        groups.append(members)

    # undated records (~10%)
    undated = set(id(a) for a in rng.sample(articles, round(0.10 * len(articles))))
    for a in articles:
        a["undated"] = id(a) in undated
    # a few articles without title (~3%)
    for a in rng.sample(articles, round(0.03 * len(articles))):
        a["title"] = None

    # deterministic shuffle, then ids in output order
    shuffle_rng = random.Random(SEED)
    shuffle_rng.shuffle(articles)
    for i, a in enumerate(articles):
        a["id"] = "a%04d" % (i + 1)
    labels = {}
    for a in articles:
        ev = a["event"]
        if id(ev) not in labels:
            labels[id(ev)] = "st-%03d" % (len(labels) + 1)
            ev.label = labels[id(ev)]

    used_urls = set()
    rows, gold = [], []
    for a in articles:
        pub = None if a["undated"] else a["published"]
        a["url"] = make_url(rng, dict(a, published=pub), used_urls)
        a["text"] = article_text(a)
        row = {"id": a["id"]}
        if a["title"]:
            row["title"] = a["title"]
        row["text"] = a["text"]
        row["source"] = a["source"]
        row["url"] = a["url"]
        if pub is not None:
            row["published"] = pub.strftime("%Y-%m-%dT%H:%M:%SZ")
        row["lang"] = "en"
        rows.append(row)
        root = a["parent"] if a["parent"] is not None else a
        gold.append({"id": a["id"], "story": a["event"].label, "dup_group": root["id"]})

    with open(os.path.join(OUT_DIR, "articles.jsonl"), "w", encoding="utf-8", newline="\n") as f:
        for r in rows:
            f.write(json.dumps(r, ensure_ascii=False) + "\n")
    with open(os.path.join(OUT_DIR, "gold.jsonl"), "w", encoding="utf-8", newline="\n") as f:
        for g in gold:
            f.write(json.dumps(g, ensure_ascii=False) + "\n")

    stats = report_stats(articles, gold, groups, families)
    write_readme(stats, families)


def summary(xs):
    if not xs:
        return "n=0"
    xs = sorted(xs)
    return "n=%d min=%.3f median=%.3f max=%.3f" % (len(xs), xs[0], statistics.median(xs), xs[-1])


def report_stats(articles, gold, groups, families):
    sh = {a["id"]: shingles(a["text"]) for a in articles}
    # dup pairs: every pair inside a dup group, and each member vs its original
    dup_all, dup_orig = [], []
    for g in groups:
        for i in range(len(g)):
            for j in range(i + 1, len(g)):
                dup_all.append(jaccard(sh[g[i]["id"]], sh[g[j]["id"]]))
        for m in g[1:]:
            dup_orig.append(jaccard(sh[g[0]["id"]], sh[m["id"]]))
    trunc = [jaccard(sh[g[0]["id"]], sh[m["id"]]) for g in groups for m in g[1:] if "truncate" in m["edits"]]
    # independent reports within a story: originals (non-dups) only
    by_story = {}
    for a in articles:
        by_story.setdefault(a["event"].label, []).append(a)
    indep = []
    for lab, arts in by_story.items():
        o = [a for a in arts if a["kind"] != "dup"]
        for i in range(len(o)):
            for j in range(i + 1, len(o)):
                indep.append(jaccard(sh[o[i]["id"]], sh[o[j]["id"]]))
    # sibling stories (same actors, different events): cross-story report pairs
    sib = []
    for _, evs in families:
        for x in range(len(evs)):
            for y in range(x + 1, len(evs)):
                for a in evs[x].articles:
                    for b in evs[y].articles:
                        if a["kind"] != "dup" and b["kind"] != "dup":
                            sib.append(jaccard(sh[a["id"]], sh[b["id"]]))

    dg = {}
    for g in gold:
        dg.setdefault(g["dup_group"], []).append(g["id"])
    st_groups = {}
    for g in gold:
        st_groups.setdefault(g["story"], set()).add(g["dup_group"])
    st_size = {}
    for g in gold:
        st_size[g["story"]] = st_size.get(g["story"], 0) + 1
    wcs = [len(words(a["text"])) for a in articles]
    size = os.path.getsize(os.path.join(OUT_DIR, "articles.jsonl"))
    s = dict(
        articles=len(articles),
        stories=len(st_size),
        dup_groups_2plus=sum(1 for v in dg.values() if len(v) >= 2),
        dup_members=sum(len(v) for v in dg.values() if len(v) >= 2),
        dup_group_sizes={k: sum(1 for v in dg.values() if len(v) == k) for k in range(2, 6)},
        stories_2plus_groups=sum(1 for v in st_groups.values() if len(v) >= 2),
        stories_1_group_with_dups=sum(1 for k, v in st_groups.items() if len(v) == 1 and st_size[k] >= 2),
        singletons=sum(1 for v in st_size.values() if v == 1),
        untitled=sum(1 for a in articles if not a["title"]),
        undated=sum(1 for a in articles if a["undated"]),
        words_min=min(wcs), words_median=int(statistics.median(wcs)), words_max=max(wcs),
        bytes=size,
        j_dup_all=summary(dup_all), j_dup_orig=summary(dup_orig), j_dup_trunc=summary(trunc),
        j_dup_below_05=sum(1 for x in dup_orig if x < 0.5),
        j_indep=summary(indep), j_indep_above_02=sum(1 for x in indep if x >= 0.2),
        j_sib=summary(sib),
        families=[(t, [e.label for e in evs]) for t, evs in families],
    )
    print("articles:                      %d" % s["articles"])
    print("stories (gold labels):         %d" % s["stories"])
    print("dup groups with >=2 members:   %d (members: %d; sizes: %s)" % (
        s["dup_groups_2plus"], s["dup_members"], s["dup_group_sizes"]))
    print("stories with >=2 dup groups:   %d" % s["stories_2plus_groups"])
    print("stories = 1 dup group (>=2):   %d" % s["stories_1_group_with_dups"])
    print("singleton articles:            %d" % s["singletons"])
    print("articles without title:        %d" % s["untitled"])
    print("articles without published:    %d" % s["undated"])
    print("words per article:             min %d, median %d, max %d" % (
        s["words_min"], s["words_median"], s["words_max"]))
    print("articles.jsonl size:           %d bytes" % s["bytes"])
    print("sibling families:              %s" % "; ".join(
        "%s: %s" % (t, ", ".join(l)) for t, l in s["families"]))
    by_type = {}
    for lab, arts in sorted(by_story.items()):
        if len({(a["parent"] or a)["id"] for a in arts}) >= 2:
            by_type.setdefault(arts[0]["event"].type, []).append(lab)
    print("multi-report stories by type:  %s" % "; ".join(
        "%s: %s" % (t, " ".join(l)) for t, l in sorted(by_type.items())))
    print("word-5-gram Jaccard of text bodies:")
    print("  dup pairs (all pairs in group): %s" % s["j_dup_all"])
    print("  dup member vs original:         %s (below 0.5: %d)" % (s["j_dup_orig"], s["j_dup_below_05"]))
    print("    of which truncated:           %s" % s["j_dup_trunc"])
    print("  independent reports, same story: %s (>= 0.2: %d)" % (s["j_indep"], s["j_indep_above_02"]))
    print("  sibling stories, cross-story:    %s" % s["j_sib"])
    return s


README = """# Sample corpus: synthetic news articles

A small, fully synthetic corpus of English news articles for developing and
testing samestory: near-duplicate detection (dup groups) and grouping of
independent reports of the same event (stories).

**All text is invented.** Every person, town, region, country, company, club,
union, outlet, number and quotation was made up by the generator script in
this directory; no news text was copied. Any resemblance to real names is
coincidental.

**Licence:** CC0 1.0 (public-domain dedication). Do whatever you like with it.

## Files

| file | content |
| --- | --- |
| `articles.jsonl` | {articles} articles, one JSON object per line |
| `gold.jsonl` | ground truth, one line per article, same order as `articles.jsonl` |
| `make_sample.py` | the deterministic generator (Python 3, standard library only) |
| `README.md` | this file (also written by the generator) |

### `articles.jsonl` fields (in this order)

- `id` — string, `a0001` … in file order
- `title` — headline; **omitted** for {untitled} articles
- `text` — body; paragraphs separated by `\\n\\n`. Header/footer boilerplate
  lines (bylines, "Related Articles", "Share this:", copyright lines, …) are
  part of the text, as a scraper would deliver them.
- `source` — outlet name (12 invented outlets, two of them aggregators:
  NewsRelay Digest and Wirefeed Daily)
- `url` — invented URL on a `.example` domain
- `published` — RFC 3339 UTC timestamp, e.g. `2026-03-04T09:15:00Z`;
  **omitted** for {undated} articles
- `lang` — always `"en"`

### `gold.jsonl` fields

- `id` — article id
- `story` — story label (`st-001` …), numbered by first appearance in the
  file. A story is one real-world event; all independent reports of it and
  all their re-publications share the label.
- `dup_group` — id of the original article of the article's near-duplicate
  group (an article that is not re-published anywhere is its own group).
  A dup group always lies inside one story.

## Counts

| what | count |
| --- | --- |
| articles | {articles} |
| stories (distinct labels) | {stories} |
| dup groups with ≥2 members | {dup_groups_2plus} ({dup_members} articles; sizes 2/3/4/5: {sizes}) |
| stories with ≥2 dup groups (independent reports of one event) | {stories_2plus_groups} |
| stories made of a single dup group with ≥2 members | {stories_1_group_with_dups} |
| singleton articles (alone in their story) | {singletons} |
| articles without `title` | {untitled} |
| articles without `published` | {undated} |
| words per article (min / median / max) | {words_min} / {words_median} / {words_max} |
| size of `articles.jsonl` | {bytes} bytes |

## How it was generated

`make_sample.py` uses one `random.Random({seed})` for everything (plus a second
`random.Random({seed})` for the final shuffle), so the output is byte-identical
on every run.

1. **Events.** {stories_2plus_groups} events reported by several outlets, plus
   {stories_1_group_with_dups} single-report events that are only re-published, of 13 types
   (diplomatic meeting, earthquake, flood, factory fire, court ruling,
   election, merger, football match, strike, product recall, product launch,
   armed robbery, mine rescue). Each has its own invented facts: actors,
   place, date, numbers and two quoted phrases. Several events share a type
   but not actors (e.g. five factory fires in five towns, four floods, four
   elections).
2. **Sibling families** — the same actors in different events of the same
   type, on different dates and (except for the recalls) in different
   places. These are *different* stories in the gold (labels in date order):
{family_lines}
3. **Independent reports.** 2–6 outlets report each multi-report event. Each
   report is assembled from per-type pools of alternative sentence templates
   (each report of an event gets a different variant of each fact, with
   random synonym choices inside), in a different order, with a different
   subset of facts, type-specific background sentences, quotes from
   bystanders or experts of its own, and generic filler, to a target length
   between 150 and 660 words (longer targets are capped by the material
   available; see the word counts above). Reports of one event share
   entities, numbers, place, date and the two main quotes, but little exact
   wording. Generic filler sentences come from a pool shared by all stories
   of a kind (incident, politics, business, sport/culture, civic), so some
   phrasing recurs across unrelated stories, as it does in real news.
4. **Near-duplicates.** {dup_groups_2plus} articles are re-published by 1–4 other
   outlets or aggregators, with some of: the source's boilerplate stripped and
   the re-publisher's own boilerplate added, an attribution line, a new or
   tweaked headline, word substitutions, typos, American spellings, one
   sentence dropped or added, truncation to 68–92% of the body (bodies of
   200+ words only) with a "Read more" tail. A copy is published 5 minutes
   to 2 days after its source; about a quarter of the copies in larger
   groups are copies of an earlier copy. Every outlet reuses the same few
   header/footer lines across its articles, so boilerplate recurs.
5. **Singletons.** {singletons} one-off stories with a single article each — local
   festivals, research findings, openings of roads and bridges, and one-off
   events of the main types (more fires, robberies, court cases, …).
6. About 10% of articles lose `published`, about 3% have no `title`.
   Articles are shuffled, then ids assigned in file order.

Sanity statistics printed by the generator (word-5-gram Jaccard of the
lowercased `\\w+` words of `text`):

| pairs | Jaccard |
| --- | --- |
| near-duplicates (member vs original) | {j_dup_orig} |
| near-duplicates (all pairs in a group) | {j_dup_all} |
| independent reports of one story | {j_indep} |
| reports of sibling stories (same actors, different events) | {j_sib} |

## Regenerate

From the repository root:

    python3 datasets/sample/make_sample.py

This rewrites `articles.jsonl`, `gold.jsonl` and `README.md` and prints the
statistics above.
"""

FAMILY_DESC = {
    "summit": "the same two envoys meet three times, in three towns weeks apart, with a different agenda and different numbers each time",
    "sports": "the same two football clubs play twice (different competition, ground, score and scorers)",
    "recall": "the same appliance maker announces two recalls of two different products",
    "strike": "the same union strikes twice against the same employer (different place, date, claim and offer)",
}


def write_readme(s, families):
    lines = []
    for t, evs in families:
        lines.append("   - %s (%s): %s" % (", ".join(e.label for e in evs), t, FAMILY_DESC[t]))
    text = README.format(
        seed=SEED, family_lines="\n".join(lines),
        sizes="/".join(str(s["dup_group_sizes"][k]) for k in range(2, 6)),
        **{k: v for k, v in s.items() if k not in ("families", "dup_group_sizes")})
    with open(os.path.join(OUT_DIR, "README.md"), "w", encoding="utf-8", newline="\n") as f:
        f.write(text)


if __name__ == "__main__":
    main()
