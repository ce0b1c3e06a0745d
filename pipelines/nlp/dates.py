"""Resolving the dates an article gives for events, against its publication date.

The one date resolver of the project. Explicit dates go through dateparser
(languages=["en"], RELATIVE_BASE = publication time, past preferred); weekday and
relative expressions are resolved here, because news usage differs from dateparser's
defaults: "on Sunday" in a Sunday paper is that same Sunday, "last month" is the whole
previous month (month precision), "hours earlier" is the same day.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from dataclasses import dataclass
from functools import lru_cache

# A reference ending more than this many days before publication is an older event
# mentioned in passing ("a similar attack last month killed 60"), not the news itself.
HISTORICAL_AFTER_DAYS = 7

WEEKDAYS = {name.lower(): i for i, name in enumerate(calendar.day_name)}
MONTHS = {name.lower(): i for i, name in enumerate(calendar.month_name) if name}
MONTHS.update({name.lower(): i for i, name in enumerate(calendar.month_abbr) if name})
MONTHS["sept"] = 9
_MONTH = r"(?:January|February|March|April|May|June|July|August|September|October|November|December|Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sept|Sep|Oct|Nov|Dec)\.?"
_WEEKDAY = r"(?:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)"
_NUMBER_WORDS = {"two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9, "ten": 10, "a": 1, "one": 1}

DATE_PATTERN = re.compile(
    rf"""\b(?:
      (?P<iso>\d{{4}}-\d{{2}}-\d{{2}})
    | (?P<slash>\d{{1,2}}/\d{{1,2}}/\d{{4}})
    | (?P<mdy>{_MONTH}\s+\d{{1,2}}(?:st|nd|rd|th)?(?:,?\s+\d{{4}})?)
    | (?P<dmy>\d{{1,2}}(?:st|nd|rd|th)?\s+(?:of\s+)?{_MONTH}(?:,?\s+\d{{4}})?)
    | (?P<month_year>(?:in|since|during|of)\s+{_MONTH}\s+\d{{4}})
    | (?P<month_only>(?:in|since|during|early|late|mid-?)\s+{_MONTH}(?!\.?\s*\d))
    | (?P<year>(?:in|since|during)\s+(?:19|20)\d{{2}})
    | (?P<weekday>(?:(?P<wd_mod>last|this|on|early|late)\s+)?{_WEEKDAY}(?:\s+(?:morning|afternoon|evening|night))?)
    | (?P<day_before>(?P<n_days>a|one|two|three|four|five|six|seven|\d)\s+days?\s+(?:after|earlier)|the\s+day\s+before|the\s+previous\s+day)
    | (?P<yesterday>yesterday|last\s+night)
    | (?P<today>today|tonight|this\s+morning|this\s+afternoon|this\s+evening|hours\s+earlier|hours\s+later|earlier\s+in\s+the\s+day)
    | (?P<ago>(?P<ago_n>\d+|two|three|four|five|six|seven|eight|nine|ten|a|one)\s+(?P<ago_unit>days?|weeks?|months?|years?)\s+(?:ago|earlier|before))
    | (?P<last_period>(?:last|past|previous)\s+(?P<period>week|month|year))
    | (?P<this_period>earlier\s+this\s+(?P<this_unit>week|month|year)|this\s+(?P<this_unit2>week|month|year))
    )\b""",
    re.IGNORECASE | re.VERBOSE,
)


@dataclass(frozen=True)
class DateRef:
    """A resolved date expression: the span it covers and how precise it is."""

    text: str
    start: int
    end: int
    date_start: dt.date
    date_end: dt.date
    precision: str  # day | week | month | year
    is_historical: bool
    relative_days: int = 0  # -N: "N days after/earlier": N days before the article's own event

    @property
    def event_date(self) -> dt.date:
        return self.date_start if self.precision != "day" else self.date_end


def _month_bounds(year: int, month: int) -> tuple[dt.date, dt.date]:
    return dt.date(year, month, 1), dt.date(year, month, calendar.monthrange(year, month)[1])


def _shift_month(day: dt.date, months: int) -> tuple[int, int]:
    index = day.year * 12 + day.month - 1 + months
    return index // 12, index % 12 + 1


@lru_cache(maxsize=4096)
def _dateparser_day(text: str, published: dt.date) -> dt.date | None:
    import dateparser

    base = dt.datetime.combine(published, dt.time(23, 59))
    parsed = dateparser.parse(
        text,
        languages=["en"],
        settings={"RELATIVE_BASE": base, "PREFER_DATES_FROM": "past", "DATE_ORDER": "MDY",
                  "REQUIRE_PARTS": ["day", "month"]},
    )
    return parsed.date() if parsed else None


def _resolve(match: re.Match, published: dt.date) -> tuple[dt.date, dt.date, str] | None:
    groups = match.groupdict()
    text = match.group(0)
    if groups["iso"] or groups["slash"] or groups["mdy"] or groups["dmy"]:
        day = _dateparser_day(text.replace(" of ", " "), published)
        if day is None:
            return None
        if not re.search(r"\d{4}", text) and day > published:
            day = day.replace(year=day.year - 1)
        return day, day, "day"
    if groups["month_year"]:
        words = text.split()
        month = MONTHS[words[1].rstrip(".").lower()]
        start, end = _month_bounds(int(words[2]), month)
        return start, end, "month"
    if groups["month_only"]:
        name = re.search(_MONTH, text, re.IGNORECASE).group(0).rstrip(".").lower()
        month = MONTHS[name]
        year = published.year if month <= published.month else published.year - 1
        start, end = _month_bounds(year, month)
        return start, end, "month"
    if groups["year"]:
        year = int(text.split()[-1])
        return dt.date(year, 1, 1), dt.date(year, 12, 31), "year"
    if groups["weekday"]:
        name = re.search(_WEEKDAY, text, re.IGNORECASE).group(0).lower()
        back = (published.weekday() - WEEKDAYS[name]) % 7
        if back == 0 and (groups["wd_mod"] or "").lower() == "last":
            back = 7
        day = published - dt.timedelta(days=back)
        return day, day, "day"
    if groups["day_before"]:
        # relative to the article's own event, resolved by the caller (relative_days=-1)
        day = published - dt.timedelta(days=1)
        return day, day, "day"
    if groups["yesterday"]:
        day = published - dt.timedelta(days=1)
        return day, day, "day"
    if groups["today"]:
        return published, published, "day"
    if groups["ago"]:
        n_word = groups["ago_n"].lower()
        n = int(n_word) if n_word.isdigit() else _NUMBER_WORDS[n_word]
        unit = groups["ago_unit"].lower().rstrip("s")
        if unit == "day":
            day = published - dt.timedelta(days=n)
            return day, day, "day"
        if unit == "week":
            end = published - dt.timedelta(days=7 * n - 3)
            return end - dt.timedelta(days=6), end, "week"
        if unit == "month":
            year, month = _shift_month(published, -n)
            start, end = _month_bounds(year, month)
            return start, end, "month"
        return dt.date(published.year - n, 1, 1), dt.date(published.year - n, 12, 31), "year"
    if groups["last_period"]:
        period = groups["period"].lower()
        if period == "week":
            this_monday = published - dt.timedelta(days=published.weekday())
            start = this_monday - dt.timedelta(days=7)
            return start, start + dt.timedelta(days=6), "week"
        if period == "month":
            year, month = _shift_month(published, -1)
            start, end = _month_bounds(year, month)
            return start, end, "month"
        return dt.date(published.year - 1, 1, 1), dt.date(published.year - 1, 12, 31), "year"
    if groups["this_period"]:
        unit = (groups["this_unit"] or groups["this_unit2"]).lower()
        if unit == "week":
            start = published - dt.timedelta(days=published.weekday())
            return start, published, "week"
        if unit == "month":
            return published.replace(day=1), published, "month"
        return dt.date(published.year, 1, 1), published, "year"
    return None


def find_dates(text: str, published: dt.date, offset: int = 0) -> list[DateRef]:
    """Every date expression in `text`, resolved against the publication date."""
    refs = []
    for match in DATE_PATTERN.finditer(text):
        resolved = _resolve(match, published)
        if resolved is None:
            continue
        start, end, precision = resolved
        if start > published:
            continue  # a future date is a plan or a deadline, not the event
        historical = (published - end).days > HISTORICAL_AFTER_DAYS or (
            precision in {"month", "year"} and end < published.replace(day=1)
        ) or match.group(0).lower().startswith("earlier this")  # "a bombing earlier this month"
        relative = 0
        if match.group("day_before"):
            n_word = (match.group("n_days") or "a").lower()
            relative = -(int(n_word) if n_word.isdigit() else _NUMBER_WORDS[n_word])
        refs.append(DateRef(match.group(0), match.start() + offset, match.end() + offset, start, end, precision,
                            historical, relative))
    return refs


def default_event_date(published: dt.date) -> DateRef:
    """When an article gives no date, its event happened on the publication day or the one before."""
    return DateRef("", 0, 0, published - dt.timedelta(days=1), published, "day", False)
