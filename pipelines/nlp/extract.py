"""One article -> the events it speaks of and every casualty figure, attributed.

The extraction step's domain logic: plain Python over a spaCy Doc. For each sentence
it collects places, dates, figures, claimants and responsibility claims; each figure
is then tied to an event of the article (its place and date, falling back on the
sentence before and on the lead), figures spanning coordinated places ("in Homs and
Damascus") become aggregates, and events on an older date ("last month") are kept
apart as historical.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from collections.abc import Callable
from dataclasses import dataclass, field

import polars as pl

from spacy.language import Language
from spacy.tokens import Doc, Span

from pipelines.nlp.attack_types import classify_attack, count_attacks
from pipelines.nlp.casualties import CasualtyFigure, figures_of
from pipelines.nlp.claimants import (
    Claimant, ClaimantTracker, attribute, find_groups, group_country, normalise_claimant, speech_sources,
)
from pipelines.nlp.dates import DateRef, default_event_date, find_dates
from pipelines.nlp.doers import TRIGGER as DOER_TRIGGER
from pipelines.nlp.doers import blamed, claimer, states_not_claims, targeted, title_case
from pipelines.nlp.gazetteer import KIND_RANK, Place, load_gazetteer, resolve
from pipelines.nlp.schema import to_frames

PLACE_LABELS = {"GPE", "LOC", "FAC"}
ANAPHORA = re.compile(r"\bthe (district|city|town|village|area|neighbou?rhood|suburb|province|region|capital)\b(?! of\b)", re.IGNORECASE)
ANAPHOR_KINDS = {"district": "district", "neighbourhood": "district", "neighborhood": "district", "suburb": "district",
                 "area": "any", "city": "city", "town": "city", "village": "city", "capital": "city",
                 "province": "admin1", "region": "admin1"}
NOT_PLACE_WORDS = frozenset("""
    Jan Feb Mar Apr May Jun Jul Aug Sep Sept Oct Nov Dec January February March April June July August September
    October November December Monday Tuesday Wednesday Thursday Friday Saturday Sunday The A An This That
    """.split())
# A place name: capitalised words, with the lower-case particles of transliterations
# ("Maarat al-Numan", "Dera Ismail Khan", "Dahana-i-Ghuri").
_NAME = r"[A-Z][\w'’-]+(?:\s(?:(?:al|el|an|ad|as|ar|at|az|ash|ul|de|del|la|le|e|i)[- ])?[A-Z][\w'’-]+){0,2}"
AFTER_IN = re.compile(rf"\b(?:in|at|near)\s+({_NAME})(?=\s*,|\s+(?:on|in|late|early|overnight|during)\b)")
NAMED_PLACE = re.compile(rf"\b(village|town|district|neighbou?rhood|area|attack|raid|assault) (?:of|on) ({_NAME})")
UNKNOWN_PLACE = re.compile(rf"\b(?:in|of|near|at)\s+(?:the\s+)?({_NAME})\s+((?i:district|province|village|town|area|region|governorate|county|territory))\b")
KIND_AFTER = re.compile(r"\s+(province|governorate|region|state|oblast|department|county|prefecture|city|town)\b", re.IGNORECASE)
# "Darwesh Kalay district, Paktia, Afghanistan", "Qala Bagh, Chahar Dara district, Kunduz, Afghanistan":
# wire and GTD style, the most specific place first, then where it lies, ending in a country
_KIND = r"(?:\s+(?i:district|province|village|town|city|state|region|governorate|county))?"
CHAIN_PLACE = re.compile(rf"(?<![\w'’-])({_NAME}){_KIND}((?:,\s+(?:the\s+)?{_NAME}{_KIND}){{1,3}})")
# "the coastal Jebleh district": only for names the gazetteer knows (the adjective may be anything)
# "Ghazni province's Andar district", "Benue state's Guma area": a unit inside a named province
POSSESSIVE_UNIT = re.compile(rf"\b({_NAME})\s+(?i:province|state|region|governorate)['’]s\s+({_NAME})\s+"
                             rf"((?i:district|area|county|town|village|territory))\b")
KNOWN_DISTRICT = re.compile(rf"\bthe\s+(?:[a-z]+\s+)?({_NAME})\s+((?i:district|province|town|area|region|governorate))\b")
RESPONSIBILITY = re.compile(
    r"\b(?:claim(?:ed|s|ing)?|took|takes|taking|has taken|have taken)\s+(?:responsibility|credit)\b"
    r"|\b(?:had |has |have )?carried out (?:the|both|these|all) (?:\w+ )?(?:attacks?|bombings?|blasts?)\b"
    r"|\bsaid it was (?:responsible|behind)\b"
    r"|\bclaim(?:ed|s)\s+(?:both|all|the|these|those|that|this|its|two|three)\s+(?:\w+\s+){0,2}?(?:attacks?|bombings?|blasts?|assaults?"
    r"|killings?|explosions?|operations?|ambush(?:es)?|raids?|shootings?|massacres?|kidnappings?|abductions?|stabbings?"
    r"|assassinations?|sieges?)\b"
    r"|\bclaimed by\b",
    re.IGNORECASE,
)
NO_CLAIM = re.compile(r"\b(?:no (?:group|one|organi[sz]ation)|nobody|not (?:immediately )?(?:been )?claimed|yet to claim|did not claim|has not claimed)\b", re.IGNORECASE)
ALL_EVENTS = re.compile(r"\b(?:both|all|the|these|those|twin|two|three)\s+(?:\w+\s+)?(?:attacks|bombings|blasts|assaults)\b", re.IGNORECASE)
COORDINATION = re.compile(r"^\s*(?:,|and|&|, and)\s*(?:in\s+)?(?:the\s+)?(?:\w+\s+)?(?:(?:cities|city|towns|town|provinces|province) of\s+)?$", re.IGNORECASE)
# A figure covering several events or a whole period is an aggregate, never one incident's.
PLURAL_ATTACKS = re.compile(r"\b(?:attacks|bombings|blasts|explosions|assaults)\b", re.IGNORECASE)
TOTAL_CUE = re.compile(r"\b(?:combined|taken together|both attacks|the two attacks|both bombings|the two bombings|twin attacks|the attacks in)\b", re.IGNORECASE)
# "in total" sums several attacks only when the sentence speaks of several ("In total, the
# bombings killed 60"); "In total, 4 parcel bombs went off, killing 1" is one event's toll
GENERIC_TOTAL = re.compile(r"\b(?:in total|in all|a total of|altogether)\b", re.IGNORECASE)


def _is_total(sentence_text: str) -> bool:
    return bool(TOTAL_CUE.search(sentence_text)
                or GENERIC_TOTAL.search(sentence_text) and PLURAL_ATTACKS.search(sentence_text))
# "said on Tuesday", "told AFP late on Monday": when the source spoke, not when it happened
STATEMENT_DATE = re.compile(
    r"\b(?:said|says|told(?: [A-Z][\w.]*){0,3}|announced|reported|added|confirmed|stated)(?:\s+(?:late|early))?\s*$"
    r"|\b(?:rose|risen|rises|climbed|reached|increased|jumped|stood)\b[^.;]{0,30}$"  # "rose to 72 on Monday"
)
# "a truce to begin on Saturday", "talks due on Monday": plans, not events
FUTURE_DATE = re.compile(r"\b(?:to begin|to start|to take effect|will|would|due|scheduled|planned|set to|until|expected)\b[^.;]{0,15}$")
HEADLINE_SOURCE_TAIL = re.compile(r":\s*([A-Za-z][A-Za-z' -]{2,40})$")
HEADLINE_SOURCE_HEAD = re.compile(r"^((?:[A-Z][\w'-]*\s?){0,3}(?:officials?|police|ministry|army|monitor|TV|media)):\s", re.IGNORECASE)
WAR_TOTAL = re.compile(r"\b(?:since (?:the )?(?:war|conflict|uprising|19\d\d|20\d\d)|since the (?:start|beginning) of the (?:war|conflict|uprising)|(?:war|conflict|insurgency|fighting) (?:has|had|have) (?:killed|left)|killed since|civilian casualties)\b", re.IGNORECASE)
ATTACK_ANAPHORA = re.compile(r"\b[Tt]he (?:first |second |third |last |same )?(?:bombs?|blasts?|explosions?|attacks?|attackers?"
                      r"|bombers?|device|explosives|gunmen|assailants?)\b")
PERIOD_TOTAL = re.compile(r"\b(?:in (?:19|20)\d\d|last year|this year|so far|a year|per year|annual|record high|war|conflict|insurgency|uprising|campaign)\b", re.IGNORECASE)


@dataclass
class PlaceMention:
    start: int
    end: int
    text: str
    place: Place
    weak: bool = False  # "south of Damascus", a dateline: used only when nothing better is named


@dataclass
class Sentence:
    index: int
    start: int
    end: int
    text: str
    in_title: bool
    places: list[PlaceMention]
    dates: list[DateRef]
    figures: list[CasualtyFigure]
    claimants: list[Claimant | None]
    groups: list[tuple[int, int, str]]
    responsibility: str | None
    responsibility_all: bool
    attack_type: str | None
    n_attacks: int | None


@dataclass
class Event:
    ordinal: int
    place: Place | None
    place_text: str | None
    date: DateRef
    historical: bool
    sentences: list[int] = field(default_factory=list)
    claimed_by: str | None = None


def _stable_id(prefix: str, *parts: object) -> str:
    return prefix + hashlib.sha256("\n".join(map(str, parts)).encode()).hexdigest()[:16]


class Countries(set):
    """The countries an article names, with the most named first in `ranked`."""

    ranked: list[str]


# "Tripoli, Lebanon", "in Darwesh Kalay district, Paktia, Afghanistan", "Dallas, Texas, United
# States": a place followed by a comma chain that ends in a country lies in that country
_CHAIN_LEAD = re.compile(r"(?:\s+[A-Z][\w'’-]*){0,2}(?:\s+(?i:district|province|city|town|village|county|governorate|state|region))?")
_CHAIN_ITEM = re.compile(r",\s*(?:the\s+)?([A-Z][\w'’-]*(?:\s+[A-Z][\w'’-]*){0,3})")


def stated_country(text: str, end: int) -> str | None:
    """The country named at the end of a comma chain right after `end`, if any."""
    gaz = load_gazetteer()
    pos = _CHAIN_LEAD.match(text, end).end()
    for _ in range(3):
        item = _CHAIN_ITEM.match(text, pos)
        if item is None:
            return None
        country = next((p for p in gaz.candidates(item.group(1)) if p.kind == "country"), None)
        if country is not None:
            return country.country_code
        pos = item.end()
    return None


# "two Turkish construction workers", "a 30-year-old Tunisian man", "Moroccan-born": who people are,
# not where the attack happened
NATIONALITY = re.compile(
    r"[\s-]*(?:[a-z]+\s+)?(?:born|nationals?|citizens?|man|men|woman|women|boy|girl|teenager|engineers?|workers?|tourists?|"
    r"suspects?|students?|journalists?|descent|origin|immigrants?|refugees?|migrants?|pilgrims?|"
    r"diplomats?|contractors?|aid|passport|family|families|national)\b")


def _demonym_votes(text: str) -> dict[str, int]:
    """Countries the demonyms of a text point to ("a northern Afghan district", "the Somali
    capital"), leaving out nationalities of people."""
    gaz = load_gazetteer()
    votes: dict[str, int] = {}
    for match in re.finditer(r"\b([A-Z][a-z]+)(?: [A-Z][a-z]+)?\b", text):
        # "Sri Lankan" as one demonym, "Kenyan Interior Minister" as "Kenyan"
        code, end = gaz.demonyms.get(match.group(0)), match.end()
        if code is None:
            code, end = gaz.demonyms.get(match.group(1)), match.end(1)
        if code and not NATIONALITY.match(text, end):
            votes[code] = votes.get(code, 0) + 1
    return votes


def _texts(*docs: Doc | None) -> dict[int, str]:
    """doc.text of each doc, built once (each read of doc.text joins every token)."""
    return {id(d): d.text for d in docs if d is not None}


def _entities(*docs: Doc | None) -> dict[int, list[Span]]:
    """doc.ents of each doc, built once (each read of doc.ents walks every token)."""
    return {id(d): list(d.ents) for d in docs if d is not None}


def _context_countries(doc: Doc, title_doc: Doc | None, ents_of: dict[int, list[Span]] | None = None,
                       texts: dict[int, str] | None = None) -> Countries:
    gaz = load_gazetteer()
    codes: dict[str, int] = {}
    ents_of = ents_of or _entities(doc, title_doc)
    texts = texts or _texts(doc, title_doc)
    for d in (title_doc, doc):
        if d is None:
            continue
        text = texts[id(d)]
        for ent in ents_of[id(d)]:
            if ent.label_ in PLACE_LABELS:
                candidates = gaz.candidates(ent.kb_id_ or ent.text)
                stated = stated_country(text, ent.end_char)
                if stated is not None:
                    candidates = [p for p in candidates if p.country_code == stated]
                for place in candidates:
                    if place.kind in {"country", "admin1"}:
                        codes[place.country_code] = codes.get(place.country_code, 0) + 3
                if candidates and len({p.country_code for p in candidates}) == 1:
                    codes[candidates[0].country_code] = codes.get(candidates[0].country_code, 0) + 1
    if not codes:  # no place named: "the Somali capital", "an Afghan district"
        for d in (title_doc, doc):
            if d is not None:
                for code, votes in _demonym_votes(texts[id(d)]).items():
                    codes[code] = codes.get(code, 0) + votes
    found = Countries(codes)
    found.ranked = sorted(codes, key=lambda c: (-codes[c], c))
    return found


NOT_EVENT_PLACE = re.compile(
    r"(?:border with|borders? of|flown to|taken to|sent to|moved to|airlifted to|headquartered in|based in"
    r"|stationed (?:in|inside|at)|deployed (?:in|to|inside)"
    r"|(?:workers|tourists|nationals|citizens|pilgrims|visitors|volunteers|engineers|students|journalists) from)\s+(?:the\s+)?$"
)
VICINITY = re.compile(
    r"(?:(?:north|south|east|west)(?:-?(?:east|west))?(?:ern)?\s+of|outskirts of|outside(?: of)?|near|from)\s+(?:the\s+)?"
    r"(?:(?:[\w-]+\s+){0,3}(?:city|town|capital) of\s+)?$"
)
# "BEIRUT (Reuters) -", "DAMASCUS, Syria (AP) —", "Kabul (AFP) -": where the story was filed
DATELINE = re.compile(r"^[A-Z][\w'’ .,-]{1,40}?(?:\s*\([A-Za-z ]{2,30}\))?\s*[-—–]\s")
CAPITAL_OF = re.compile(r"\b(?:the\s+)?([A-Z][a-z]+(?: [A-Z][a-z]+)?)\s+capital\b")


def _places_in(sent: Span, countries: set[str], last_by_kind: dict[str, PlaceMention],
               group_spans: list[tuple[int, int, str]] = (), dateline_end: int = -1,
               doc_text: str | None = None, ents: list[Span] | None = None) -> list[PlaceMention]:
    found: list[PlaceMention] = []
    doc_text = sent.doc.text if doc_text is None else doc_text  # spaCy rebuilds doc.text on each read
    gaz = load_gazetteer()
    # Span.ents rebuilds every entity of the doc on each call, Span.text joins its tokens on
    # each read: callers pass the sentence's entities, and the text is cut once
    sent_text = doc_text[sent.start_char : sent.end_char]
    sent_ents = list(sent.ents if ents is None else ents)
    # "Portland, Oregon": a city, then the first-level unit it lies in
    in_admin1: dict[int, Place] = {}
    for ent, nxt in zip(sent_ents, sent_ents[1:]):
        if doc_text[ent.end_char : nxt.start_char] == ", " and ent.label_ in PLACE_LABELS:
            units = [p for p in gaz.candidates(nxt.kb_id_ or nxt.text) if p.kind == "admin1"]
            cities = [c for c in gaz.candidates(ent.kb_id_ or ent.text) if c.kind == "city"
                      and any(c.country_code == u.country_code and c.admin1 == u.name for u in units)]
            if cities:
                in_admin1[ent.start_char] = cities[0]
                in_admin1[nxt.start_char] = next(u for u in units if u.name == cities[0].admin1
                                                 and u.country_code == cities[0].country_code)
    for ent in sent_ents:
        if ent.label_ not in PLACE_LABELS | {"PERSON", "ORG", "NORP"}:
            continue
        if any(s <= ent.start_char < e for s, e, _ in group_spans):
            continue  # "Islamic State of Iraq and the Levant" names a group, not a place
        text_after = doc_text[ent.end_char : ent.end_char + 1]
        text_before = doc_text[max(0, ent.start_char - 60) : ent.start_char].lower()
        if text_after == "-" or NOT_EVENT_PLACE.search(text_before):
            continue  # "Britain-based", "near the border with Pakistan": not where it happened
        weak = bool(VICINITY.search(text_before)) or ent.end_char <= dateline_end
        place = None
        if ent.label_ in PLACE_LABELS:  # people and organisations are not looked up as places
            stated = stated_country(doc_text, ent.end_char)
            within = {stated} if stated else countries
            place = resolve(ent.kb_id_ or ent.text, within) or resolve(ent.text, within)
            if place is None and ent.text.startswith(("the ", "The ")):
                place = resolve(ent.text[4:], within)
            if place is not None and stated and place.country_code != stated:
                continue  # "Sharan, Paktika, Afghanistan" is not a namesake abroad: the regexes below may name it
            if (place is not None and countries and place.kind != "country" and place.country_code not in countries
                    and len(gaz.candidates(ent.kb_id_ or ent.text)) > 1):
                place = None  # "Mogadishu's Lido beach" is not Lido in Italy: a shared name outside the story's countries
            kind_word = KIND_AFTER.match(doc_text, ent.end_char)
            if place is not None and kind_word:
                # "Idlib province" is the province, "Ghazni city" the city, whatever is more populous
                wanted = "city" if kind_word.group(1).lower() in {"city", "town"} else "admin1"
                same = [p for p in gaz.candidates(ent.kb_id_ or ent.text)
                        if p.kind == wanted and p.country_code == place.country_code]
                place = same[0] if same else place
            place = in_admin1.get(ent.start_char, place)
        if (place is None and len(countries) == 1 and ent.text[:1].isupper() and len(ent) <= 2
                and ent.start > 0 and ent.doc[ent.start - 1].lower_ in {"in", "at", "near", "outside"}
                and (ent.label_ in {"GPE", "LOC"} or ent.end < len(ent.doc) and ent.doc[ent.end].text == ",")
                and not find_groups(ent.text) and ent.text.split()[0] not in NOT_PLACE_WORDS):
            # a village the gazetteer lacks ("the attack on Dalori"): keep it by name
            code = next(iter(countries))
            place = Place(f"district:{code}.{ent.text}", ent.text, "district", code, gaz.countries[code].name,
                          None, None, None, None, 0)
        if place is not None:
            found.append(PlaceMention(ent.start_char, ent.end_char, ent.text, place, weak))
    for m in KNOWN_DISTRICT.finditer(sent_text):
        start = sent.start_char + m.start(1)
        known = resolve(m.group(1), countries)
        if known is not None and not any(p.start <= start < p.end for p in found):
            found.append(PlaceMention(start, start + len(m.group(1)), m.group(1), known))
    matches = [(m.start(1), m.group(1), m.group(2)) for m in UNKNOWN_PLACE.finditer(sent_text)]
    matches += [(m.start(2), m.group(2), m.group(1)) for m in NAMED_PLACE.finditer(sent_text)]
    if len(countries) == 1:  # "in Mozogo, in Cameroon's Far North": a name after "in", then a comma
        matches += [(m.start(1), m.group(1), "village") for m in AFTER_IN.finditer(sent_text)]
    inside: dict[int, Place] = {}  # start of a unit's name -> the province it is said to lie in
    for m in POSSESSIVE_UNIT.finditer(sent_text):
        unit = next((p for p in gaz.candidates(m.group(1)) if p.kind == "admin1"
                     and (not countries or p.country_code in countries)), None)
        if unit is not None:
            matches.append((m.start(2), m.group(2), m.group(3)))
            inside[m.start(2)] = unit
    for at, name_part, kind_word in sorted(matches):
        start = sent.start_char + at
        if any(p.start <= start < p.end for p in found):
            continue
        name = f"{name_part} {kind_word}" if kind_word.lower() == "district" else name_part
        first_word = name_part.split()[0].rstrip(".")
        if find_groups(name_part) or first_word in NOT_PLACE_WORDS or first_word in gaz.demonyms:
            continue  # "the Iraqi town of ...": a demonym, the town comes next
        known = resolve(name_part, countries)
        if known is not None:
            # "the coastal Jebleh district": a known place the ruler had no cue for
            found.append(PlaceMention(start, start + len(name_part), name_part, known))
            continue
        # a place our gazetteer lacks: keep its name; the country comes from the text
        country = (stated_country(doc_text, start + len(name_part))
                   or next((p.place.country_code for p in found if p.start > start), None)
                   or next(iter(getattr(countries, "ranked", sorted(countries))), None))
        if country is None:
            continue
        parent = load_gazetteer().countries[country]
        kind = "admin1" if kind_word.lower() in {"province", "region", "governorate"} else "district"
        place = Place(f"{kind}:{country}.{name}", name, kind, country, parent.name, None, None, None, None, 0)
        # "in Darwesh Kalay district, Paktia, Afghanistan": the next place is where it lies
        after = [p for p in found if p.start > start]
        nxt = min(after, key=lambda p: p.start) if after else None
        unit = inside.get(at)
        if unit is not None:  # "Ghazni province's Andar district"
            country = unit.country_code
            place = Place(f"{kind}:{country}.{name}", name, kind, country, parent_country_name(country), unit.name, None,
                          unit.latitude, unit.longitude, 0)
        elif nxt is not None and nxt.place.country_code == country and nxt.start - (start + len(name_part)) < 40:
            admin1 = nxt.place.name if nxt.place.kind == "admin1" else nxt.place.admin1
            parent = nxt.place.name if nxt.place.kind == "city" else None
            place = Place(place.place_id, place.name, kind, country, parent_country_name(country), admin1, parent,
                          nxt.place.latitude, nxt.place.longitude, 0)
        found.append(PlaceMention(start, start + len(name_part), name_part, place))
    for match in CHAIN_PLACE.finditer(sent_text):
        start = sent.start_char + match.start(1)
        chained = _chain_place(match, start, gaz, found)
        if chained is not None:
            found = [p for p in found if not p.start <= start < p.end] + [chained]
    for match in CAPITAL_OF.finditer(sent_text):
        code = gaz.demonyms.get(match.group(1))
        if code and code in gaz.capitals:
            start = sent.start_char + match.start()
            found.append(PlaceMention(start, sent.start_char + match.end(), match.group(0), gaz.capitals[code]))
    for match in ANAPHORA.finditer(sent_text):
        kind = ANAPHOR_KINDS[match.group(1).lower()]
        antecedent = last_by_kind.get(kind)
        if match.group(1).lower() == "capital":
            ranked = getattr(countries, "ranked", sorted(countries))
            capitals = [gaz.capitals[c] for c in ranked if c in gaz.capitals]
            if capitals:  # "the capital": of the country the article is about
                antecedent = PlaceMention(0, 0, capitals[0].name, capitals[0])
        if antecedent is not None:
            start = sent.start_char + match.start()
            found.append(PlaceMention(start, sent.start_char + match.end(), match.group(0), antecedent.place))
    found.sort(key=lambda p: p.start)
    return found


def _chain_place(match: re.Match, start: int, gaz, found: list[PlaceMention]) -> PlaceMention | None:
    """The first place of a "place, province, country" chain, resolved inside that country;
    a name the gazetteer lacks becomes a district of the province the chain names."""
    first = match.group(1)
    whole_first = match.group(0)[: match.start(2) - match.start(0)]
    items = [i.strip() for i in match.group(2).split(",") if i.strip()]
    country = next((p for p in gaz.candidates(re.sub(r"^the\s+", "", items[-1])) if p.kind == "country"), None)
    if country is None or first.split()[0] in NOT_PLACE_WORDS or find_groups(first):
        return None
    code = country.country_code
    if any(p.kind == "country" for p in gaz.candidates(first)):
        return None
    inside = [p for i in items[:-1] for p in gaz.candidates(re.sub(r"\s+(?i:province|state|region|governorate)$", "", i))
              if p.country_code == code and p.kind in {"admin1", "city"}]
    known = [p for p in gaz.candidates(first) if p.country_code == code]
    existing = next((p for p in found if p.start == start and p.place.country_code == code), None)
    if existing is not None:
        return None  # already read right
    if known:
        place = known[0]
        if place.kind in {"admin1", "country"} and not inside:
            return None
    else:
        admin1 = next((p for p in inside if p.kind == "admin1"), None)
        city = next((p for p in inside if p.kind == "city"), None)
        if admin1 is None and city is None:
            return None  # nothing ties the name to the country's map
        name = whole_first if whole_first.lower().endswith(" district") else first
        place = Place(f"district:{code}.{name}", name, "district", code, country.name,
                      admin1.name if admin1 else city.admin1, city.name if city else None,
                      (city or admin1).latitude, (city or admin1).longitude, 0)
    return PlaceMention(start, start + len(first), first, place)


def parent_country_name(code: str) -> str:
    return load_gazetteer().countries[code].name


def _leaf_places(places: list[PlaceMention]) -> list[PlaceMention]:
    """Places not containing another place of the sentence (Homs in 'Homs, Syria');
    vicinity and dateline places only when the sentence names nothing else."""
    strong = [p for p in places if not p.weak]
    # a vicinity place stays when the named places only contain it ("near the town of
    # Bankass in Mali's Mopti region": Bankass, not Mopti)
    kept_weak = [p for p in places if p.weak and strong and all(s.place.contains(p.place) and s.place.place_id != p.place.place_id for s in strong)]
    places = (strong + kept_weak) or places
    leaves = []
    for mention in places:
        if any(o.place.place_id != mention.place.place_id and mention.place.contains(o.place) for o in places):
            continue
        leaves.append(mention)
    return leaves


_OPENS_WITH_IN = re.compile(r"\s*In\s+")


def _framed(sentence: Sentence, leaves: list[PlaceMention]) -> list[PlaceMention]:
    """The leaves a sentence's figures can be in. A sentence that opens on "In <place>"
    is about that place: "In Homs, where two car bombs struck the al-Zahraa neighborhood
    hours before the Sayeda Zeinab attack, the toll had risen to 64" gives Homs's toll,
    whatever place lies nearer the figure."""
    opening = _OPENS_WITH_IN.match(sentence.text)
    first = min(sentence.places, key=lambda p: p.start, default=None)
    if opening is None or first is None or first.start != sentence.start + opening.end():
        return leaves
    return [m for m in leaves if first.place.contains(m.place)] or leaves


def _coordinated(sentence_text: str, offset: int, leaves: list[PlaceMention]) -> list[PlaceMention]:
    """Distinct places joined by 'and' / ',' ("in Homs and Damascus", "in Damascus, Homs")."""
    best: list[PlaceMention] = []
    run: list[PlaceMention] = []
    for mention in leaves:
        between = sentence_text[run[-1].end - offset : mention.start - offset] if run else ""
        joined = run and COORDINATION.match(between) and not run[-1].place.related(mention.place)
        if not joined and run and not run[-1].place.related(mention.place) and len(between) < 60:
            # "in the Sayyida Zaynab district south of Damascus and in the city of Homs"
            joined = bool(re.search(r"\band\b", between)) and not re.search(r"\d|\b(?:said|killed|killing|wounded)\b", between)
        elif joined and "and" not in between and "&" not in between:
            # "in Damascus, Homs" lists two cities; "Innere Stadt, Vienna" and "Makassar,
            # Sulawesi" name one place and where it is: a bare comma joins only big peers
            a, b = run[-1].place, mention.place
            joined = a.kind == b.kind == "city" and (
                min(a.population, b.population) >= 100_000 or PLURAL_ATTACKS.search(sentence_text) is not None)
        if joined:
            run.append(mention)
        else:
            run = [mention]
        if len(run) > len(best):
            best = list(run)
    return best if len(best) >= 2 else []


# "the Taliban denied involvement", "Hamas praised the attack": a group named so is not
# the one that did it, unless the sentence blames it all the same ("police blamed
# Lashkar-e-Taiba, which denied involvement")
_BLAME_WORDS = r"blam\w+|suspect\w*|attribut\w+|accus\w+"
BLAME_BEFORE = re.compile(rf"\b(?:{_BLAME_WORDS})\b[^.;]*$", re.IGNORECASE)
DENIAL_AFTER = re.compile(r"\W*(?:[\w'’-]+\W+){0,3}?(?:denied|denies|deny|condemned|condemns|praised|praises|hailed|welcomed)\b",
                          re.IGNORECASE)


def _not_the_doer(doc_text: str, group: tuple[int, int, str]) -> bool:
    start, end, _name = group
    return bool(DENIAL_AFTER.match(doc_text, end)) and not BLAME_BEFORE.search(doc_text[max(0, start - 60) : start])


def _read_sentences(doc: Doc, title_doc: Doc | None, published: dt.date, countries: set[str],
                    ents_of: dict[int, list[Span]] | None = None,
                    texts: dict[int, str] | None = None) -> list[Sentence]:
    # spaCy rebuilds doc.text from every token on each read: read once per doc
    texts = texts or _texts(doc, title_doc)
    tracker = ClaimantTracker(texts[id(doc)])
    last_by_kind: dict[str, PlaceMention] = {}
    sentences: list[Sentence] = []
    spans: list[tuple[Span, bool]] = []
    if title_doc is not None:
        spans.extend((s, True) for s in title_doc.sents)
    spans.extend((s, False) for s in doc.sents)
    figures_by_doc: dict[int, list[CasualtyFigure]] = {}
    for d in (title_doc, doc):
        if d is not None:
            figures_by_doc[id(d)] = figures_of(d)
    doc_ents = ents_of or _entities(doc, title_doc)
    dateline = DATELINE.match(texts[id(doc)])
    dateline_end = dateline.end() if dateline else -1
    for index, (sent, in_title) in enumerate(spans):
        doc_text = texts[id(sent.doc)]
        sent_text = doc_text[sent.start_char : sent.end_char]
        group_spans = [(s + sent.start_char, e + sent.start_char, n) for s, e, n in find_groups(sent_text)]
        ents = [e for e in doc_ents[id(sent.doc)] if sent.start <= e.start and e.end <= sent.end]
        claim = RESPONSIBILITY.search(sent_text)
        if claim and (NO_CLAIM.search(sent_text) or states_not_claims(sent, sent.start_char + claim.start())):
            claim = None  # "no group has claimed it"; "the government claimed the attack was ..."
        claimed = None
        if (claim or DOER_TRIGGER.search(sent_text)) and not (in_title and title_case(sent)):
            # groups the actors table does not list, named by how the sentence says who did it
            places_named = [(e.start_char, e.end_char) for e in ents if e.label_ in {"GPE", "LOC"}]
            claimed = claimer(sent, sent.start_char + claim.start()) if claim else None
            for doer in ([claimed] if claimed else []) + blamed(sent):
                start, end, _name = doer
                if not any(s < end and start < e for s, e, _ in group_spans) and not any(
                        s <= start and end <= e for s, e in places_named):  # a place, as the NER reads it
                    group_spans.append(doer)
            group_spans.sort()
        places = _places_in(sent, countries, last_by_kind, group_spans, -1 if in_title else dateline_end, doc_text, ents)
        for mention in places:
            last_by_kind[mention.place.kind] = mention
            last_by_kind["any"] = mention
        figures = [f for f in figures_by_doc[id(sent.doc)] if sent.start_char <= f.start_char < sent.end_char]
        sources = speech_sources(sent)
        claimants = [tracker.resolve(attribute(sent.doc[f.token_i], sources)) if sources else None for f in figures]
        if in_title and figures:
            # wire headlines attribute with a colon: "Toll rises to 70: police", "Afghan officials: 26 killed"
            title = doc_text.strip()
            said = HEADLINE_SOURCE_TAIL.search(title) or HEADLINE_SOURCE_HEAD.search(title)
            if said:
                claimant = tracker.resolve(said.group(1))
                claimants = [c or claimant for c in claimants]
        if not figures and sources:
            for _token, phrase in sources:
                tracker.resolve(phrase)  # remember who speaks, for "It said ..." later
        text = sent_text
        groups = [g for g in group_spans if not _not_the_doer(doc_text, g)]
        responsibility, responsibility_all = None, False
        if claim and claimed in groups:
            # the subject or agent of the claim: "Jund al-Aqsa, an al-Qaeda offshoot, claimed the ambush"
            responsibility = claimed[2]
            responsibility_all = bool(ALL_EVENTS.search(text))
        elif claim and groups:
            at = sent.start_char + claim.start()
            if "claimed by" in claim.group(0).lower():
                after = [g for g in groups if g[0] >= at]
                responsibility = (after or groups)[0][2]
            else:
                before = [g for g in groups if g[1] <= at]
                responsibility = (before[-1] if before else groups[0])[2]
            responsibility_all = bool(ALL_EVENTS.search(text))
        # who an attack hit or killed is not who did it ("a drone strike killed three members of X")
        groups = [g for g in groups if g[2] == responsibility or not targeted(sent, g[0])]
        dates = [d for d in find_dates(text, published, sent.start_char)
                 if not STATEMENT_DATE.search(doc_text[max(0, d.start - 40) : d.start])
                 and not FUTURE_DATE.search(doc_text[max(0, d.start - 30) : d.start])]
        sentences.append(
            Sentence(index, sent.start_char, sent.end_char, text, in_title, places,
                     dates, figures, claimants, groups,
                     responsibility, responsibility_all, classify_attack(text), count_attacks(text))
        )
    return sentences


def _most_specific(leaves: list[PlaceMention]) -> PlaceMention:
    """The most specific place of a sentence (district over city over province), first named on ties."""
    return min(leaves, key=lambda m: (KIND_RANK[m.place.kind], m.start))


def _country_from_words(text: str) -> PlaceMention | None:
    """Last resort for an article naming no place: the country its demonyms ("Afghan",
    "Syrian", not a victim's nationality) or the armed groups it names point to."""
    gaz = load_gazetteer()
    votes = {code: 2 * n for code, n in _demonym_votes(text).items()}
    for _s, _e, name in find_groups(text):
        code = group_country(name)
        if code:
            votes[code] = votes.get(code, 0) + 1
    if not votes:
        return None
    code = sorted(votes, key=lambda c: (-votes[c], c))[0]
    country = gaz.countries[code]
    return PlaceMention(0, 0, country.name, country)


def _nearest(items: list, position: int, key=lambda x: x.start):
    return min(items, key=lambda x: abs(key(x) - position)) if items else None


def _compatible(event: Event, place: Place | None, date: DateRef, historical: bool) -> bool:
    if event.historical != historical:
        return False
    if historical and (event.date.date_start, event.date.date_end) != (date.date_start, date.date_end):
        return False
    if not historical and abs((event.date.event_date - date.event_date).days) > 1:
        return False
    if place is None or event.place is None:
        return True
    return event.place.related(place)


@dataclass
class ArticleExtraction:
    """Staging rows for one article."""

    events: list[dict]
    claims: list[dict]


def extract_article(nlp: Language, article: dict) -> ArticleExtraction:
    """Events and claims of one article (a dict with the articles-table columns)."""
    text, title = article["text"], article.get("title")
    doc = nlp(text)
    title_doc = nlp(title) if title else None
    return extract_from_docs(doc, title_doc, article)


def extract_from_docs(doc: Doc, title_doc: Doc | None, article: dict) -> ArticleExtraction:
    """As extract_article, on already-parsed docs (batch processing with nlp.pipe)."""
    published_at: dt.datetime = article["published_at"]
    published = published_at.date()
    ents_of = _entities(doc, title_doc)
    texts = _texts(doc, title_doc)
    countries = _context_countries(doc, title_doc, ents_of, texts)
    sentences = _read_sentences(doc, title_doc, published, countries, ents_of, texts)

    # The lead sets the article's focus: its first place and its first current date.
    lead = [s for s in sentences if s.in_title] + [s for s in sentences if not s.in_title][:3]
    lead_dates = [d for s in lead for d in s.dates if not d.is_historical]
    focus_date = lead_dates[0] if lead_dates else default_event_date(published)
    focus_place: PlaceMention | None = None
    for s in [*lead, *sentences]:  # the lead first, else the first place the article names
        leaves = _leaf_places(s.places)
        if leaves:
            focus_place = _most_specific(leaves)
            break
    if focus_place is None:
        focus_place = _country_from_words(texts[id(doc)] + " " + texts.get(id(title_doc), ""))

    events: list[Event] = []
    claim_rows: list[dict] = []
    aggregates: list[tuple[CasualtyFigure, Sentence, Claimant | None, list[PlaceMention]]] = []
    totals: list[tuple[CasualtyFigure, Sentence, Claimant | None]] = []
    period_totals: list[tuple[CasualtyFigure, Sentence, Claimant | None]] = []

    def event_for(place: PlaceMention | None, date: DateRef, historical: bool, sentence: Sentence) -> Event:
        p = place.place if place else None
        undated_headline = sentence.in_title and not sentence.dates
        for event in events:
            if _compatible(event, p, event.date if undated_headline and not event.historical else date, historical):
                if p is not None and (event.place is None or KIND_RANK[p.kind] < KIND_RANK[event.place.kind]):
                    event.place, event.place_text = p, place.text
                if sentence.index not in event.sentences:
                    event.sentences.append(sentence.index)
                return event
        event = Event(len(events), p, place.text if place else None, date, historical, [sentence.index])
        events.append(event)
        return event

    last_place: PlaceMention | None = None
    placed: list[tuple[CasualtyFigure, Sentence, Claimant | None, PlaceMention | None, DateRef, bool]] = []
    # the body first: a headline's "in Afghanistan" must not swallow the body's two cities
    for sentence in [s for s in sentences if not s.in_title] + [s for s in sentences if s.in_title]:
        leaves = _leaf_places(sentence.places)
        coordinated = _coordinated(sentence.text, sentence.start, leaves)
        for figure, claimant in zip(sentence.figures, sentence.claimants, strict=True):
            same_category = [f for f in sentence.figures if f.category == figure.category]
            if coordinated and len(same_category) < len(coordinated):
                aggregates.append((figure, sentence, claimant, coordinated))
                continue
            if _is_total(sentence.text) and figure is max(same_category, key=lambda f: f.value_low or 0):
                totals.append((figure, sentence, claimant))
                continue
            value = figure.value_low or 0
            if (value >= 10_000 or value >= 100 and WAR_TOTAL.search(sentence.text)
                    or value >= 1000 and PERIOD_TOTAL.search(sentence.text)
                    # "a group that has killed hundreds of civilians since last year"
                    or figure.qualifier == "vague" and (PERIOD_TOTAL.search(sentence.text) or WAR_TOTAL.search(sentence.text))):
                period_totals.append((figure, sentence, claimant))
                continue
            date = _nearest(sentence.dates, figure.start_char) or focus_date
            if date.relative_days:
                day = focus_date.event_date + dt.timedelta(days=date.relative_days)
                date = DateRef(date.text, date.start, date.end, day, day, "day", False)
            historical = date.is_historical
            framed = _framed(sentence, leaves)
            specific = [m for m in framed if KIND_RANK[m.place.kind] == min(KIND_RANK[x.place.kind] for x in framed)]
            place = _nearest(specific, figure.start_char) or (focus_place if sentence.in_title else last_place or focus_place)
            placed.append((figure, sentence, claimant, place, date, historical))
        if leaves:
            last_place = _most_specific(leaves)

    # figures with a named place make the events; figures placed only by a dateline or a
    # "near X" then join an event of their date if there is one ("a village near Maiduguri"
    # is the Dalori the next sentence names)
    placed.sort(key=lambda p: p[3] is not None and p[3].weak)
    for figure, sentence, claimant, place, date, historical in placed:
        event = None
        if place is not None and place.weak:
            same_day = [e for e in events if _compatible(e, None, date, historical)]
            # only when the named place could lie near it: unknown to the gazetteer, or related
            if len(same_day) == 1 and (same_day[0].place is None or same_day[0].place.latitude is None
                                       or same_day[0].place.related(place.place)):
                event = same_day[0]
        if event is None and sentence.in_title and not sentence.dates:
            # an undated headline that repeats a figure of the body ("toll rises to 134")
            # speaks of that figure's event, even one the body dates weeks back
            twin = next((r for r in claim_rows if not r["in_title"] and r["category"] == figure.category
                         and (r["value_low"], r["value_high"]) == (figure.value_low, figure.value_high)), None)
            if twin is not None:
                event = events[twin["_event"]]
        if event is None:
            event = event_for(place, date, historical, sentence)
        elif sentence.index not in event.sentences:
            event.sentences.append(sentence.index)
        row = _claim_row(article, figure, sentence, claimant, event, None)
        row["_place"] = place.place if place else None
        claim_rows.append(row)

    # an article about an attack that gives no figure still reports an incident: where and
    # when its first attack sentence says ("the bombings of February 21")
    attack_sentences = [s for s in lead if s.attack_type]
    if not events and attack_sentences and focus_place is not None:
        first = attack_sentences[0]
        date = next((d for s in attack_sentences for d in s.dates), focus_date)
        events.append(Event(0, focus_place.place, focus_place.text, date, date.is_historical, [first.index]))

    # sentences that speak of an event's place on its date describe it too
    for sentence in sentences:
        for event in events:
            if event.historical or sentence.index in event.sentences:
                continue
            if any(event.place is not None and event.place.related(p.place) for p in sentence.places):
                if not any(d.is_historical for d in sentence.dates):
                    event.sentences.append(sentence.index)

    # with one current event, an undated, unplaced sentence about "the bomb" or "the
    # attackers" describes it ("the bomb had been hidden in a fruit cart")
    current = [e for e in events if not e.historical]
    sole = current if len(current) == 1 else events if len(events) == 1 else []
    for event in sole:
        for sentence in sentences:
            if (sentence.index not in event.sentences and not sentence.places and not sentence.dates
                    and ATTACK_ANAPHORA.search(sentence.text)):
                event.sentences.append(sentence.index)

    # responsibility claims
    for sentence in sentences:
        if not sentence.responsibility:
            continue
        if any(d.is_historical for d in sentence.dates):
            targets = [e for e in events if e.historical and sentence.index in e.sentences] or [e for e in events if e.historical]
        elif sentence.responsibility_all:
            targets = current
        else:
            targets = [e for e in current if sentence.index in e.sentences] or current[:1]
        for event in targets:
            event.claimed_by = event.claimed_by or sentence.responsibility

    # an aggregate speaks of each place it spans: make sure each has an event to link to
    for _figure, sentence, _claimant, coordinated in aggregates:
        for mention in coordinated:
            if not any(not e.historical and e.place is not None and e.place.related(mention.place) for e in events):
                date = _nearest(sentence.dates, mention.start) or focus_date
                events.append(Event(len(events), mention.place, mention.text, date, False, [sentence.index]))

    # a figure placed only at country/province level while the article reports several
    # events inside it ("Twin suicide attacks kill 26 in Afghanistan") spans them all
    current = [e for e in events if not e.historical]
    by_ordinal = {e.ordinal: e for e in events}
    kept_rows = []
    specific_values: dict[tuple[int, str], list[int]] = {}
    for row in claim_rows:
        own = row["_place"]
        if own is not None and own.kind not in {"country", "admin1"} and row["value_low"] is not None:
            specific_values.setdefault((row["_event"], row["category"]), []).append(row["value_low"])
    for row in claim_rows:
        event = by_ordinal[row["_event"]]
        own = row.pop("_place")
        inside = [e for e in current if own is not None and e.place is not None
                  and own.kind in {"country", "admin1"} and own.contains(e.place)]
        if not event.historical and len(inside) >= 2:
            per_event = {e.ordinal: specific_values.get((e.ordinal, row["category"]), []) for e in inside}
            value = row["value_low"] or 0
            if all(value > max(v, default=0) for v in per_event.values()):
                row["_spans"] = [e.ordinal for e in inside]  # "Twin attacks kill 26 in Afghanistan"
            else:
                # "Syria: toll from suburb bombings rises to 62": the event that reports that figure
                match = [o for o, v in per_event.items() if value in v]
                if match:
                    row["_event"] = match[0]
        kept_rows.append(row)
    claim_rows = kept_rows

    # who did it, when the sentences of the one current event name no group: the group the
    # article blames ("the army blamed Abu Sayyaf"), else the first it names
    named = [(bool(BLAME.search(s.text)), s.index, g[2]) for s in sentences for g in s.groups]
    article_doer = min(named, key=lambda n: (not n[0], n[1]))[2] if named else None
    current = [e for e in events if not e.historical]
    event_rows = [_event_row(article, event, sentences, article_doer if current == [event] else None) for event in events]
    # a group the actors table does not list, giving figures, is a militant source, not media
    doers = {row[key] for row in event_rows for key in ("claimed_by", "perpetrator")} - {None}
    for row in claim_rows:
        if row["claimant_kind"] == "media" and row["claimant"] in doers:
            row["claimant_kind"] = "militant"
    mention_ids = {event.ordinal: row["mention_id"] for event, row in zip(events, event_rows, strict=True)}
    for row in claim_rows:
        spans = row.pop("_spans", None)
        ordinal = row.pop("_event")
        if spans is not None:
            row["is_aggregate"], row["aggregate_mention_ids"] = True, sorted(mention_ids[o] for o in spans)
        else:
            row["mention_id"] = mention_ids[ordinal]
    current_ids = sorted(mention_ids[e.ordinal] for e in current)
    for figure, sentence, claimant in totals:
        row = _claim_row(article, figure, sentence, claimant, None, current_ids if len(current_ids) >= 2 else [])
        row.pop("_event")
        claim_rows.append(row)
    for figure, sentence, claimant in period_totals:
        row = _claim_row(article, figure, sentence, claimant, None, [])  # a period total: spans no incident we hold
        row.pop("_event")
        claim_rows.append(row)
    for figure, sentence, claimant, coordinated in aggregates:
        spanned = sorted({
            mention_ids[e.ordinal] for e in events
            if not e.historical and e.place is not None and any(e.place.related(c.place) for c in coordinated)
        })
        row = _claim_row(article, figure, sentence, claimant, None, spanned)
        row.pop("_event")
        claim_rows.append(row)
    _attribute_repeated_figures(claim_rows)
    return ArticleExtraction(event_rows, claim_rows)


def _attribute_repeated_figures(claim_rows: list[dict]) -> None:
    """A figure the article states twice for one event, once with its source ("rose to 63,
    interior ministry spokesman Nasrat Rahimi said") and once bare (the headline "toll rises
    to 63"), is one statement: the bare one takes that source. Only when a single,
    non-militant source states that figure."""
    def key(row: dict) -> tuple:
        return row["mention_id"], row["category"], row["value_low"], row["value_high"], row["qualifier"]

    sources: dict[tuple, set[tuple[str, str]]] = {}
    for row in claim_rows:
        if row["claimant"] is not None and not row["is_aggregate"] and row["mention_id"] is not None:
            sources.setdefault(key(row), set()).add((row["claimant"], row["claimant_kind"]))
    for row in claim_rows:
        if row["claimant"] is None and not row["is_aggregate"] and row["mention_id"] is not None:
            found = sources.get(key(row), set())
            if len(found) == 1 and next(iter(found))[1] != "militant":
                row["claimant"], row["claimant_kind"] = next(iter(found))


def _claim_row(article: dict, figure: CasualtyFigure, sentence: Sentence, claimant: Claimant | None,
               event: Event | None, aggregate_of: list[str] | None) -> dict:
    return {
        "claim_id": _stable_id("c_", article["article_id"], sentence.in_title, figure.start_char, figure.end_char, figure.category),
        "_event": event.ordinal if event else None,
        "mention_id": None,
        "article_id": article["article_id"],
        "partition_date": article["partition_date"],
        "reported_at": article["published_at"],
        "outlet": article.get("outlet"),
        "category": figure.category,
        "value_low": figure.value_low,
        "value_high": figure.value_high,
        "qualifier": figure.qualifier,
        "raw_phrase": figure.text,
        "claimant": claimant.name if claimant else None,
        "claimant_kind": claimant.kind if claimant else "unattributed",
        "is_aggregate": aggregate_of is not None,
        "aggregate_mention_ids": aggregate_of,
        "in_title": sentence.in_title,
        "evidence": sentence.text.strip(),
        "char_start": figure.start_char,
        "char_end": figure.end_char,
    }


BLAME = re.compile(rf"\b(?:{_BLAME_WORDS}|carried out by|behind the|responsib\w+|claim\w*)\b", re.IGNORECASE)


def _event_row(article: dict, event: Event, sentences: list[Sentence], article_perpetrator: str | None = None) -> dict:
    described = [s for s in sentences if s.index in event.sentences]
    text = " ".join(s.text for s in described)
    attack_types = [s.attack_type for s in described if s.attack_type]
    from pipelines.nlp.attack_types import ATTACK_TYPES

    attack_type = min(attack_types, key=ATTACK_TYPES.index) if attack_types else None
    n_attacks = max((s.n_attacks for s in described if s.n_attacks), default=None)
    perpetrator = event.claimed_by
    if perpetrator is None:
        named = [g[2] for s in described for g in s.groups]
        perpetrator = named[0] if named else article_perpetrator
    place = event.place
    first = described[0] if described else sentences[0]
    return {
        "mention_id": _stable_id("m_", article["article_id"], event.ordinal),
        "article_id": article["article_id"],
        "partition_date": article["partition_date"],
        "ordinal": event.ordinal,
        "reported_at": article["published_at"],
        "outlet": article.get("outlet"),
        "event_date": event.date.event_date,
        "date_start": event.date.date_start,
        "date_end": event.date.date_end,
        "date_precision": event.date.precision,
        "is_historical": event.historical,
        "place_name": place.name if place else None,
        "place_id": place.place_id if place else None,
        "parent": place.parent if place else None,
        "admin1": (place.name if place and place.kind == "admin1" else place.admin1) if place else None,
        "country": place.country if place else None,
        "country_code": place.country_code if place else None,
        "latitude": place.latitude if place else None,
        "longitude": place.longitude if place else None,
        "geo_precision": place.precision if place else None,
        "attack_type": attack_type,
        "n_attacks": n_attacks,
        "perpetrator": perpetrator,
        "claimed_by": event.claimed_by,
        "evidence": text[:2000] if text else first.text,
        "char_start": first.start,
        "char_end": first.end,
    }


def _extract_rows(nlp: Language, articles: list[dict], batch_size: int,
                  progress: Callable[[int], None] | None = None, done_before: int = 0) -> tuple[list[dict], list[dict]]:
    """Events and claims (row dicts) of English articles, in input order. (No spaCy memory
    zone: one per chunk cost 9% of extraction time, measured, and a worker's memory stayed
    at 242 MB over 4,152 articles without it.)"""
    events: list[dict] = []
    claims: list[dict] = []
    fits = [a for a in articles if len(a["text"]) <= nlp.max_length]
    docs = nlp.pipe((a["text"] for a in fits), batch_size=batch_size)
    title_docs = nlp.pipe((a.get("title") or "" for a in fits), batch_size=batch_size)
    for done, (article, doc, title_doc) in enumerate(zip(fits, docs, title_docs, strict=True), start=1):
        result = extract_from_docs(doc, title_doc if article.get("title") else None, article)
        events.extend(result.events)
        claims.extend(result.claims)
        if progress is not None:
            progress(done_before + done)
    for done, article in enumerate((a for a in articles if len(a["text"]) > nlp.max_length), start=len(fits) + 1):
        result = extract_long_article(nlp, article)
        events.extend(result.events)
        claims.extend(result.claims)
        if progress is not None:
            progress(done_before + done)
    return events, claims


# A short article of our own whose extraction meets every cost that is paid once per
# process, at first use: the gazetteer's tables, dateparser's time-zone patterns (built
# on its first parse), the claimant and casualty patterns, spaCy's first batch.
WARM_UP_ARTICLE = {
    "article_id": "warm-up", "partition_date": dt.date(2020, 3, 2), "outlet": "warm-up",
    "published_at": dt.datetime(2020, 3, 2, 9, 0), "language": "en",
    "title": "Car bomb kills 4 in Kabul; Taliban claim attack",
    "text": "A car bomb killed four people and wounded at least 12 others in Kabul, Afghanistan, "
            "on February 28, police said. The Taliban claimed responsibility. Two more died in "
            "hospital on Sunday, a health ministry spokesman said, bringing the toll to six.",
}


def warm_up(nlp: Language) -> None:
    """Pay extraction's first-use costs now: about 0.9 s on the first 50 articles of a
    process, measured. A worker does this as it starts, while the run that started it
    is still getting ready, so that its first chunk costs what the next ones do."""
    _extract_rows(nlp, [WARM_UP_ARTICLE], 64)


def extract_articles(nlp: Language, articles: list[dict], *, batch_size: int = 64,
                     progress: Callable[[int], None] | None = None) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Events and claims of many articles, extracted in this process (worker processes:
    pipelines.nlp.workers.ExtractionPool.extract, same rows)."""
    english = [a for a in articles if (a.get("language") or "en") == "en"]
    return to_frames(*_extract_rows(nlp, english, batch_size, progress))


def split_text(text: str, limit: int) -> list[tuple[int, str]]:
    """(offset, chunk) pieces of at most `limit` characters, cut at paragraph ends, else
    at sentence ends, else hard: an article longer than spaCy's max_length is split, not dropped."""
    pieces: list[tuple[int, str]] = []
    start = 0
    while start < len(text):
        end = min(start + limit, len(text))
        if end < len(text):
            window = text[start:end]
            cut = window.rfind("\n\n")
            if cut < limit // 2:
                cut = max(window.rfind(". "), window.rfind("\n"))
            if cut > limit // 4:
                end = start + cut + 1
        pieces.append((start, text[start:end]))
        start = end
    return pieces


def extract_long_article(nlp: Language, article: dict) -> ArticleExtraction:
    """Extraction of an article longer than nlp.max_length, chunk by chunk; offsets, ids
    and links are those of the whole text."""
    events: list[dict] = []
    claims: list[dict] = []
    title_doc = nlp(article["title"]) if article.get("title") else None
    for index, (offset, chunk) in enumerate(split_text(article["text"], nlp.max_length)):
        part = extract_from_docs(nlp(chunk), title_doc if index == 0 else None, {**article, "text": chunk})
        renamed = {}
        for event in part.events:
            event["ordinal"] += 1000 * index
            new_id = _stable_id("m_", article["article_id"], event["ordinal"])
            renamed[event["mention_id"]] = new_id
            event["mention_id"] = new_id
            event["char_start"] += offset
            event["char_end"] += offset
            events.append(event)
        for claim in part.claims:
            if not claim["in_title"]:
                claim["char_start"] += offset
                claim["char_end"] += offset
            claim["claim_id"] = _stable_id("c_", article["article_id"], claim["in_title"], claim["char_start"],
                                           claim["char_end"], claim["category"])
            claim["mention_id"] = renamed.get(claim["mention_id"]) if claim["mention_id"] else None
            if claim["aggregate_mention_ids"] is not None:
                claim["aggregate_mention_ids"] = [renamed[m] for m in claim["aggregate_mention_ids"]]
            if index and claim["in_title"]:
                continue  # the headline was read with the first chunk
            claims.append(claim)
    return ArticleExtraction(events, claims)
