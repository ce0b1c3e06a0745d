"""Who gave a figure: attribution by syntax, normalised to one name per organisation.

"At least 83 were killed, pro-government media and a monitoring group said" -> the
subject of the speech verb that governs the figure. "according to the Observatory" ->
the object of "according to". Pronouns ("It said") refer to the previous claimant.
Names and kinds come from data/actors.json.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # annotations only: resolve reads the names table without spaCy
    from spacy.tokens import Span, Token

from pipelines.nlp.morph import lemma, pos

DATA_DIR = Path(__file__).parent / "data"
SPEECH_LEMMAS = frozenset(
    "say tell report announce confirm state add quote put give estimate count record document tally cite "
    "update reveal note declare disclose claim show indicate warn write tweet post".split()
)
NOT_SPEAKERS = re.compile(r"\b(?:attacks?|blasts?|bomb\w*|explosions?|shelling|strikes?|raids?|fire|violence|clashes)\b", re.IGNORECASE)
PRONOUNS = frozenset("it he she they we i this".split())
# "claimed" is a figure's source only when it does not take responsibility for an attack
RESPONSIBILITY_OBJECTS = frozenset("responsibility attack attacks bombing bombings blast blasts credit killing killings assault".split())


@dataclass(frozen=True)
class Claimant:
    """A normalised source of a figure."""

    name: str
    kind: str
    phrase: str


@cache
def _actors() -> dict:
    data = json.loads((DATA_DIR / "actors.json").read_text(encoding="utf-8"))
    for entry in data["claimants"]:
        # one alternation per entry: a single search instead of one per pattern (hot path)
        entry["compiled"] = [re.compile("|".join(f"(?:{p})" for p in entry["patterns"]))]
    return data


@cache
def canonical_names() -> frozenset[str]:
    """The fixed names of actors.json (not derived from an article's words)."""
    return frozenset(e["name"] for e in _actors()["claimants"])


def normalise_claimant(phrase: str) -> Claimant | None:
    """Map a noun phrase ("the Britain-based Observatory") to a name and a kind."""
    # several speakers ("pro-government media outlets and a monitoring group"): the first
    # named; within it, the first entry of the table that matches (specific before generic)
    for original in re.split(r"\s+and\s+|,\s*|;\s*", phrase.strip()):
        part = original.lower()
        for entry in _actors()["claimants"]:
            if any(p.search(part) for p in entry["compiled"]):
                name = organisation_name(original) if entry.get("name_from_text") else None
                return Claimant(name or entry["name"], entry["kind"], phrase)
    cleaned = re.sub(r"^(?:the|a|an)\s+", "", phrase.strip(), flags=re.IGNORECASE)
    if not cleaned or not any(w[:1].isupper() for w in cleaned.split()) or NOT_SPEAKERS.search(cleaned):
        return None
    return Claimant(cleaned, "media", phrase)


ROLE_WORDS = r"spokes(?:man|woman|person)|officials?|sources?|members?|head|chief|director|representative|doctors?"
ORG_HEADS = frozenset("""
    ministry ministries police army military department office hospital council agency authority authorities
    government governor commissioner commission directorate service services forces command administration
    prosecutor minister sources source officials official mayor
    """.split())


def organisation_name(phrase: str) -> str | None:
    """The organisation a speaker phrase names, without people, roles and articles:
    "a spokesman for Lady Reading Hospital" -> "Lady Reading Hospital";
    "interior ministry spokesman Nasrat Rahimi" -> "interior ministry";
    "the Iraqi health ministry" -> "health ministry"."""
    from pipelines.nlp.gazetteer import load_gazetteer

    text = re.sub(r"^(?:the|a|an|its|their|his|her|one|two|several)\s+", "", phrase.strip(" ,.'\""), flags=re.I)
    text = re.sub(r"\bGov\.?(?=\s|$)", "governor", text)
    match = re.match(rf"^(?:(?:senior|local|provincial|district)\s+)?({ROLE_WORDS})\s+(for|of|at|with|from|in)\s+(?:the\s+)?(.+)$", text, re.I)
    if match:
        # "a spokesman for Lady Reading Hospital" -> the hospital; "officials in Diyala" -> Diyala officials
        text = f"{match.group(3)} {match.group(1)}" if match.group(2).lower() == "in" else match.group(3)
    words = text.split()
    # cut after the organisation's head noun: drop the role and the person that follow it
    # "official" before another word is an adjective ("the official news agency")
    heads = [i for i, w in enumerate(words) if w.lower().strip(",.") in ORG_HEADS
             and not (w.lower() == "official" and i + 1 < len(words))]
    if heads:
        end = heads[0] + 1
        while end < len(words) and words[end].lower() in ORG_HEADS and words[end].lower() not in {"official", "officials", "source", "sources"}:
            end += 1
        if words[heads[0]].lower() in {"official", "officials", "source", "sources"} and heads[0] > 0:
            end = heads[0] + 1  # "security sources", "provincial officials"
        words = words[:end]
    demonyms = load_gazetteer().demonyms
    words = [w for w in words if w.strip(",.") not in demonyms and w.lower() not in {"the", "a", "an"}]
    if not words or len(words) > 6:
        return None
    # as written; reconciliation compares sources case-insensitively
    return " ".join(words).strip(" ,.") or None


def _phrase(token: Token) -> str:
    """The noun phrase of a subject, trimmed of relative clauses and long tails."""
    tokens = [t for t in token.subtree if t.dep_ not in {"relcl", "acl", "punct"} or t.i == token.i]
    left, right = tokens[0].i, tokens[-1].i
    # keep conjoined subjects and appositions, drop clauses hanging off them
    for child in token.children:
        if child.dep_ in {"relcl", "acl"}:
            right = min(right, child.left_edge.i - 1)
    span = token.doc[left : right + 1]
    if len(span) > 12:
        span = token.doc[max(token.i - 6, span.start) : token.i + 1]
    return span.text.strip(" ,")


def speech_sources(sent: Span) -> list[tuple[Token, str]]:
    """(governing token, source phrase) for every attribution in a parsed sentence."""
    found = []
    for token in sent:
        lower = token.lower_
        if lower == "according" and token.i + 1 < len(token.doc) and token.doc[token.i + 1].lower_ == "to":
            to = token.doc[token.i + 1]
            objects = [c for c in to.children if c.dep_ == "pobj"]
            if objects:
                found.append((token, _phrase(objects[0])))
            continue
        verb = lemma(token)
        if pos(token) not in {"VERB", "AUX"} or verb not in SPEECH_LEMMAS:
            continue
        if verb == "claim" and not any(c.dep_ == "ccomp" for c in token.children):
            continue  # "claimed the attack", "claimed by": responsibility, not a figure's source
        if verb == "quote":
            objects = [c for c in token.children if c.dep_ in {"dobj", "obj"}]
            if objects:
                found.append((token, _phrase(objects[0])))
                continue
        subjects = [c for c in token.children if c.dep_ in {"nsubj", "nsubjpass"}]
        if not subjects and ((token.dep_ in {"advcl", "xcomp"} and token.tag_ == "VBG") or token.dep_ == "conj"):
            # "Islamic State claimed the attack, saying ... 50 soldiers were killed";
            # "X claimed responsibility and said 15 soldiers were killed"
            subjects = [c for c in token.head.children if c.dep_ == "nsubj"]
        if subjects:
            found.append((token, _phrase(subjects[0])))
        elif token.dep_ in {"parataxis", "ccomp", "conj", "advcl"} and token.i > sent.start:
            # ", pro-government media outlets and a monitoring group said": the parser
            # often hangs the speakers off the clause before; take the words back to the comma
            j = token.i - 1
            while j >= sent.start and token.doc[j].text not in {",", ";", "\u2014", "("} and token.i - j <= 10:
                j -= 1
            words = token.doc[j + 1 : token.i]
            if words and any(pos(t) in {"NOUN", "PROPN"} for t in words):
                found.append((token, words.text))
    return found


def attribute(figure_token: Token, sources: list[tuple[Token, str]]) -> str | None:
    """The source phrase for a figure: the speech verb that governs it, else the nearest."""
    if not sources:
        return None
    ancestors = {t.i for t in figure_token.ancestors}
    by_token = {token.i: phrase for token, phrase in sources}
    for ancestor in figure_token.ancestors:  # nearest first: "X said ..., while Y put the toll at 62"
        if ancestor.i in by_token:
            return by_token[ancestor.i]
    # "At least 59 were killed, according to the Observatory": "according" hangs off the
    # main verb, not above the figure; "X said" may be a parataxis of the clause.
    root = figure_token.sent.root
    for token, phrase in sources:
        if token.head.i == root.i or token.i == root.i or token.head.i in ancestors:
            return phrase
    return min(sources, key=lambda s: abs(s[0].i - figure_token.i))[1]


class ClaimantTracker:
    """Per-article state: resolves pronouns and generic monitors to names seen earlier."""

    def __init__(self, text: str) -> None:
        self.previous: Claimant | None = None
        self.seen: list[Claimant] = []
        lowered = text.lower()
        self.named_monitors = [
            entry for entry in _actors()["claimants"]
            if entry["kind"] == "monitor" and entry["name"] != "a monitoring group"
            and any(p.search(lowered) for p in entry["compiled"])
        ]

    def resolve(self, phrase: str | None) -> Claimant | None:
        if phrase is None:
            return None
        if phrase.lower().strip() in PRONOUNS:
            return self.previous
        words = phrase.lower().split()
        if len(words) == 2 and words[0] == "the":
            # "the officers said": the officers named earlier ("Iraqi army officers")
            for earlier in reversed(self.seen):
                if words[1] in earlier.phrase.lower().split():
                    self.previous = earlier
                    return earlier
        claimant = normalise_claimant(phrase)
        if claimant is None:
            return None
        self.seen.append(claimant)
        if claimant.name == "a monitoring group" and len(self.named_monitors) == 1:
            claimant = Claimant(self.named_monitors[0]["name"], "monitor", phrase)
        self.previous = claimant
        return claimant


@cache
def _group_patterns() -> tuple[re.Pattern, re.Pattern, dict[str, str]]:
    """Two combined patterns (acronyms case-sensitive, names not) and name -> group."""
    names: dict[str, str] = {}
    exact, folded = [], []
    for entry in _actors()["groups"]:
        for pattern in entry["patterns"]:
            names[pattern.lower()] = entry["name"]
            (exact if pattern.isupper() else folded).append(pattern)

    def combined(patterns: list[str], flags: int) -> re.Pattern:
        alternatives = "|".join(re.escape(p) for p in sorted(patterns, key=len, reverse=True))
        return re.compile(rf"(?<![\w-])(?:{alternatives})(?![\w-])", flags)

    return combined(exact, 0), combined(folded, re.IGNORECASE), names


@cache
def _usual_countries() -> dict[str, str]:
    return {g["name"]: g["usual_country"] for g in _actors()["groups"] if g.get("usual_country")}


def group_country(name: str) -> str | None:
    """The country where a group's attacks usually happen (ISO code), if one stands out."""
    return _usual_countries().get(name)


def find_groups(text: str) -> list[tuple[int, int, str]]:
    """(start, end, canonical name) of every armed group named in a text."""
    found = []
    exact, folded, names = _group_patterns()
    for pattern in (exact, folded):
        for match in pattern.finditer(text):
            found.append((match.start(), match.end(), names[match.group(0).lower()]))
    # longest match wins where names overlap ("Islamic State Khorasan" over "Islamic State")
    found.sort(key=lambda f: (f[0], -(f[1] - f[0])))
    kept, last_end = [], -1
    for start, end, name in found:
        if start >= last_end:
            kept.append((start, end, name))
            last_end = end
    return kept
