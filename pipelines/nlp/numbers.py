"""Reading casualty figures: digits, number words, qualifiers and vague quantifiers.

The one number parser of the project. `parse_figure("at least 83")` ->
Figure(value_low=83, value_high=None, qualifier="at_least").
Vague words ("dozens") come from one versioned table, vague_quantifiers.json.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

DATA_DIR = Path(__file__).parent / "data"

UNITS = {
    "zero": 0, "no": 0, "none": 0, "one": 1, "a": 1, "an": 1, "single": 1, "two": 2, "three": 3, "four": 4,
    "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12,
    "thirteen": 13, "fourteen": 14, "fifteen": 15, "sixteen": 16, "seventeen": 17, "eighteen": 18,
    "nineteen": 19,
}
TENS = {"twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70, "eighty": 80, "ninety": 90}
SCALES = {"hundred": 100, "thousand": 1000}
WORD_NUMBERS = {**{k: v for k, v in UNITS.items() if k not in {"a", "an", "no", "none", "single"}}, **TENS, "dozen": 12}

_UNIT = "|".join(sorted((k for k in UNITS if k not in {"a", "an", "no", "none", "single", "zero"}), key=len, reverse=True))
_TEN = "|".join(TENS)
_WORD_NUMBER = (
    rf"(?:(?:{_TEN})(?:[- ](?:{_UNIT}))?|(?:{_UNIT}))"
    rf"(?:\s+(?:hundred|thousand)(?:\s+(?:and\s+)?(?:(?:{_TEN})(?:[- ](?:{_UNIT}))?|(?:{_UNIT})))?)?"
    rf"|(?:a|one)\s+(?:hundred|thousand)(?:\s+(?:and\s+)?(?:(?:{_TEN})(?:[- ](?:{_UNIT}))?|(?:{_UNIT})))?"
)
_DIGITS = r"\d{1,3}(?:,\d{3})+|\d+"

# qualifier words -> qualifier code; longest first so "no more than" wins over "more than"
QUALIFIERS = {
    "at least": "at_least", "no fewer than": "at_least", "no less than": "at_least", "not less than": "at_least",
    "a minimum of": "at_least", "at a minimum": "at_least",
    "more than": "more_than", "over": "more_than", "upwards of": "more_than", "in excess of": "more_than",
    "above": "more_than",
    "up to": "at_most", "as many as": "at_most", "at most": "at_most", "no more than": "at_most",
    "not more than": "at_most", "fewer than": "at_most", "less than": "at_most", "under": "at_most",
    "about": "about", "around": "about", "approximately": "about", "roughly": "about", "some": "about",
    "an estimated": "about", "estimated": "about", "nearly": "about", "almost": "about", "close to": "about",
    "nearly all of the": "about", "approx.": "about",
}
_QUALIFIER = "|".join(re.escape(q) for q in sorted(QUALIFIERS, key=len, reverse=True))


@cache
def vague_table() -> dict:
    """The versioned vague-quantifier table (word -> lower bound), see the JSON file."""
    return json.loads((DATA_DIR / "vague_quantifiers.json").read_text(encoding="utf-8"))


def _vague_pattern() -> str:
    words = sorted(vague_table()["lower_bounds"], key=len, reverse=True)
    return "|".join(re.escape(w) for w in words)


NUMBER = rf"(?:{_DIGITS}|{_WORD_NUMBER}|a\s+dozen|half\s+a\s+dozen)"
# A figure: [qualifier] number | between A and B | A to B | A or B | vague word
FIGURE_PATTERN = re.compile(
    rf"\b(?:(?P<between>between\s+(?P<a>{NUMBER})\s+and\s+(?P<b>{NUMBER}))"
    rf"|(?P<range>(?P<ra>{_DIGITS})\s*(?:-|–|to)\s*(?P<rb>{_DIGITS}))"
    rf"|(?P<either>(?P<ea>{NUMBER})\s+or\s+(?P<eb>{NUMBER}))"
    rf"|(?:(?P<qualifier>{_QUALIFIER})\s+)?(?P<number>{NUMBER})(?!\w)"
    rf"|(?P<vague>{_vague_pattern()}))(?![\w-])",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class Figure:
    """A casualty figure as an interval of people."""

    value_low: int | None
    value_high: int | None
    qualifier: str
    start: int = 0
    end: int = 0
    text: str = ""


def words_to_int(words: str) -> int | None:
    """'Thirty-nine' -> 39, 'two hundred and five' -> 205, '1,200' -> 1200, 'a dozen' -> 12."""
    words = words.strip().lower()
    if re.fullmatch(_DIGITS, words):
        return int(words.replace(",", ""))
    if words in {"a dozen", "one dozen"}:
        return 12
    if words == "half a dozen":
        return 6
    total, current = 0, 0
    tokens = [t for t in re.split(r"[\s-]+", words) if t and t != "and"]
    if not tokens:
        return None
    for token in tokens:
        if token in UNITS:
            current += UNITS[token]
        elif token in TENS:
            current += TENS[token]
        elif token == "dozen":
            current = (current or 1) * 12
        elif token in SCALES:
            current = (current or 1) * SCALES[token]
            if SCALES[token] >= 1000:
                total, current = total + current, 0
        else:
            return None
    return total + current


def _interval(value: int, qualifier: str) -> tuple[int | None, int | None]:
    if qualifier == "at_least":
        return value, None
    if qualifier == "more_than":
        return value, None  # the stated bound; reconciliation reads it as [N+1, open)
    if qualifier == "at_most":
        return None, value
    return value, value


def figure_from_match(match: re.Match, offset: int = 0) -> Figure | None:
    """A Figure from a FIGURE_PATTERN match (offsets shifted by `offset`)."""
    start, end = match.start() + offset, match.end() + offset
    text = match.group(0)
    if match.group("between"):
        a, b = words_to_int(match.group("a")), words_to_int(match.group("b"))
        if a is None or b is None:
            return None
        return Figure(min(a, b), max(a, b), "range", start, end, text)
    if match.group("range"):
        a, b = words_to_int(match.group("ra")), words_to_int(match.group("rb"))
        if a is None or b is None or a >= b:
            return None
        return Figure(a, b, "range", start, end, text)
    if match.group("either"):  # "one or two soldiers", "two or three hundred"
        first, second = match.group("ea"), match.group("eb")
        a, b = words_to_int(first), words_to_int(second)
        year = a is not None and first.isdigit() and 1900 <= a <= 2100
        scale = SCALES.get(second.split()[-1].lower())
        if a is not None and scale and first.split()[-1].lower() not in SCALES and a < scale:
            a *= scale
        if a is None or b is None or a >= b or year:
            # "a dozen or two", "30 or 20", "in 2015 or 2016": the first number alone
            alone = FIGURE_PATTERN.match(first)
            return figure_from_match(alone, offset + match.start("ea")) if alone else None
        return Figure(a, b, "range", start, end, text)
    if match.group("vague"):
        low = vague_table()["lower_bounds"][match.group("vague").lower()]
        return Figure(low, None, "vague", start, end, text)
    value = words_to_int(match.group("number"))
    if value is None:
        return None
    qualifier_words = (match.group("qualifier") or "").lower()
    qualifier = QUALIFIERS.get(qualifier_words, "exact")
    low, high = _interval(value, qualifier)
    return Figure(low, high, qualifier, start, end, text)


def parse_figure(text: str) -> Figure | None:
    """Parse a whole phrase as one figure, or None when it is not one."""
    match = FIGURE_PATTERN.fullmatch(text.strip())
    return figure_from_match(match) if match else None


def find_figures(text: str) -> list[Figure]:
    """Every figure-like phrase in a text, left to right."""
    found = []
    for match in FIGURE_PATTERN.finditer(text):
        figure = figure_from_match(match)
        if figure is not None:
            found.append(figure)
    return found
