"""Resolution: group event mentions from many articles and days into incidents.

Plain Python over polars frames, deterministic: mentions are visited in publication
order and each joins the best compatible incident or starts a new one: one with a report
compatible with the mention, unless the incident is ruled out. Two mentions are
compatible when (all of):
- dates: the mentions' date ranges overlap, allowing `day_window` days of slack for
  day-precision dates (reports lag, time zones differ); a report dated only by a month or
  a year is no evidence of the date of an incident whose other reports are dated more
  finely; a reference to an earlier attack dated only by a month or a year ("last month's
  bombings", "earlier this year") may be the event of another such reference, or of a
  report dated more than REFERENCE_AFTER_DAYS before the reference was written: it never
  inflates a current incident;
  a mention dated only by a month or a year joins only when exactly one incident fits;
- places: the same place, or one within the other (district < city < admin1 < country);
  a mention with no place joins only when exactly one incident of its country fits;
- attack types of one family (bombings; shelling/air strikes; shootings; ...);
- responsibility claims, when both name a group, name the same group;
- never two mentions of the same article (the article itself told them apart).
An incident is ruled out when one of its reports states a date, to the day, more than
`day_window` days from the date the mention states (undated reports between them do not
bridge two attacks), or when the mention's place does not fit the incident's most
specific places (a report with no place, or only the city, does not bridge two districts).
The incident id is a hash of its first-reported mention: new articles keep it stable.
Every decision is written out (incident_mentions) with its reason.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from collections import Counter
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

import polars as pl

ATTACK_FAMILIES = (
    frozenset({"suicide_bombing", "car_bomb", "ied", "bombing"}),
    # complex attacks: a car bomb or suicide bomber opens the way for gunmen
    frozenset({"suicide_bombing", "car_bomb", "armed_assault"}),
    frozenset({"shelling", "air_strike", "bombing"}),
    frozenset({"armed_assault", "assassination", "kidnapping"}),
    frozenset({"arson", "armed_assault"}),
)
PRECISION_RANK = {"day": 0, "week": 1, "month": 2, "year": 3}
GEO_RANK = {"point": 0, "city": 1, "admin1": 2, "country": 3}

INCIDENT_SCHEMA = {
    "incident_id": pl.String, "event_date": pl.Date, "date_start": pl.Date, "date_end": pl.Date,
    "date_precision": pl.String, "place_name": pl.String, "admin1": pl.String, "country": pl.String,
    "country_code": pl.String, "latitude": pl.Float64, "longitude": pl.Float64, "geo_precision": pl.String,
    "attack_type": pl.String, "n_attacks": pl.Int32, "perpetrator": pl.String, "claimed_by": pl.String,
    "is_historical": pl.Boolean, "n_articles": pl.Int32, "n_sources": pl.Int32, "n_mentions": pl.Int32,
    "first_reported_at": pl.Datetime("us", "UTC"), "last_reported_at": pl.Datetime("us", "UTC"),
}
INCIDENT_MENTION_SCHEMA = {
    "mention_id": pl.String, "incident_id": pl.String, "article_id": pl.String,
    "reported_at": pl.Datetime("us", "UTC"), "place_name": pl.String, "event_date": pl.Date,
    "date_precision": pl.String, "attack_type": pl.String, "decision": pl.String,
    "matched_mention_id": pl.String, "reason": pl.String, "evidence": pl.String,
}


@dataclass
class _Incident:
    anchor: dict
    order: int
    members: list[dict] = field(default_factory=list)
    articles: set[str] = field(default_factory=set)
    id: str = ""

    def __post_init__(self) -> None:
        self.id = _incident_id(self.anchor["mention_id"])

    def add(self, mention: dict) -> None:
        self.members.append(mention)
        self.articles.add(mention["article_id"])


class _DayIndex:
    """Incidents by (country, day) over their members' dates widened by the window, so a
    mention is compared with the incidents of its own days only (not every incident of its
    country: that grows quadratically over years of archive). Members dated only by a
    month or a year would fill hundreds of days each: they are kept as intervals, found
    by an overlap test instead."""

    LONG_DAYS = 31

    def __init__(self, window: int) -> None:
        self.window = window
        self.by_day: dict[tuple[str | None, object], dict[int, _Incident]] = {}
        self.long: dict[str | None, list[tuple[int, int, _Incident]]] = {}

    def _span(self, mention: dict) -> tuple[int, int]:
        return mention["_start"] - self.window, mention["_end"] + self.window

    def add(self, incident: _Incident, mention: dict) -> None:
        first, last = self._span(mention)
        for country in (mention["country_code"], "*"):
            if last - first > self.LONG_DAYS:
                self.long.setdefault(country, []).append((first, last, incident))
                continue
            for day in range(first, last + 1):
                self.by_day.setdefault((country, day), {})[incident.order] = incident

    def candidates(self, mention: dict) -> list[_Incident]:
        country = mention["country_code"] or "*"
        first, last = self._span(mention)
        found: dict[int, _Incident] = {}
        for day in range(first, last + 1):
            found.update(self.by_day.get((country, day), {}))
        for start, end, incident in self.long.get(country, ()):
            if start <= last and first <= end:
                found[incident.order] = incident
        return [found[k] for k in sorted(found)]


def attack_types_compatible(a: str | None, b: str | None) -> bool:
    """Two attack types can describe one event (either unknown, or one family)."""
    if a is None or b is None or a == b:
        return True
    return any(a in family and b in family for family in ATTACK_FAMILIES)


def _place_relation(a: dict, b: dict) -> str | None:
    """'same', 'within' or None, from place ids and the hierarchy columns."""
    if a["place_id"] is None or b["place_id"] is None:
        return "unknown"
    if a["place_id"] == b["place_id"]:
        return "same"
    if a["country_code"] != b["country_code"]:
        return None
    ga, gb = GEO_RANK.get(a["geo_precision"], 3), GEO_RANK.get(b["geo_precision"], 3)
    coarse, fine = (a, b) if ga > gb else (b, a)
    if coarse["geo_precision"] == "country":
        return "within"
    if coarse["geo_precision"] == "admin1" and fine["admin1"] == coarse["place_name"]:
        return "within"
    if coarse["geo_precision"] == "city" and fine["geo_precision"] == "point" and fine.get("parent") == coarse["place_name"]:
        return "within"
    return None


def _date_keys(mention: dict) -> None:
    """Day numbers and the slack class of a mention's dates, computed once (the grouping
    compares every mention with many members: date arithmetic there is the hot path)."""
    mention["_start"] = mention["date_start"].toordinal()
    mention["_end"] = mention["date_end"].toordinal()
    mention["_day"] = mention["date_precision"] == "day"
    mention["_exact"] = mention["_start"] == mention["_end"]
    mention["_coarse"] = PRECISION_RANK[mention["date_precision"]] >= PRECISION_RANK["month"]
    # "a bombing there last month", "earlier this year": a reference to another attack
    mention["_reference"] = mention["_coarse"] and bool(mention["is_historical"])
    mention["_published"] = mention["reported_at"].date().toordinal()


def _dates_overlap(a: dict, b: dict, day_window: int) -> int | None:
    """Days between the two date ranges (0 when they overlap), None beyond the window."""
    slack = 0
    if a["_day"] and b["_day"]:
        # two dates the texts state ("on Sunday", "04/24/2016") must agree; the window is
        # for reports that give no date (the day before publication .. publication day)
        slack = 1 if a["_exact"] and b["_exact"] else day_window  # "late on Saturday" in one report is Sunday in another
    gap = max(a["_start"] - b["_end"], b["_start"] - a["_end"], 0)
    return gap if gap <= slack else None


# A reference to an earlier attack, dated only by a month or a year, was written more
# than this many days after the attack it refers to ("last month's bombings"): it is
# not an attack of the week it was written in ("earlier this year ... killed 50" is not
# yesterday's bombing). (pipelines.nlp.dates.HISTORICAL_AFTER_DAYS, for one report.)
REFERENCE_AFTER_DAYS = 7


def _references_agree(a: dict, b: dict) -> bool:
    """A reference dated only by a month or a year and a report dated more finely can be
    one event only when the reference was written well after the report's date."""
    if a["_reference"] == b["_reference"] or (a["_coarse"] and b["_coarse"]):
        return True
    reference, dated = (a, b) if a["_reference"] else (b, a)
    return reference["_published"] - dated["_end"] > REFERENCE_AFTER_DAYS


def _compatible(mention: dict, other: dict, day_window: int) -> bool:
    """Whether two mentions can report one event (the module docstring's rules)."""
    return (_dates_overlap(mention, other, day_window) is not None
            and _references_agree(mention, other)
            and _place_relation(mention, other) is not None
            and attack_types_compatible(mention["attack_type"], other["attack_type"])
            and not (mention["claimed_by"] and other["claimed_by"] and mention["claimed_by"] != other["claimed_by"]))


def _ruled_out(mention: dict, incident: _Incident, day_window: int) -> str | None:
    """Why the incident cannot be the mention's event whatever report of it matches: one
    of its reports states a date, to the day, more than the window from the one the
    mention states (reports between them, undated, do not bridge two attacks); or the
    mention's place does not fit the incident's most specific places (a report with no
    place, or only the city, does not bridge two districts). None: it may be."""
    if mention["_day"] and mention["_exact"]:
        for member in incident.members:
            if member["_day"] and member["_exact"] and abs(member["_start"] - mention["_start"]) > day_window:
                return (f"incident {incident.id} ruled out: its report {member['mention_id']} states "
                        f"{member['date_start']}, {abs(member['_start'] - mention['_start'])} days from this one")
    if mention["place_id"] is not None:
        placed = [m for m in incident.members if m["place_id"] is not None]
        finest = min((GEO_RANK.get(m["geo_precision"], 3) for m in placed), default=None)
        for member in placed:
            if GEO_RANK.get(member["geo_precision"], 3) == finest and _place_relation(mention, member) is None:
                return f"incident {incident.id} ruled out: its place {member['place_name']} does not fit {mention['place_name']}"
    return None


def _match_reason(mention: dict, other: dict, day_window: int) -> str:
    """Why a mention joined the incident of `other`, its closest compatible member."""
    gap = _dates_overlap(mention, other, day_window)
    place = {"same": "same place", "within": "one place within the other",
             "unknown": "place unknown on one side"}[_place_relation(mention, other)]
    return (f"{place} ({mention['place_name'] or '?'} / {other['place_name'] or '?'}); dates {gap} day(s) apart; "
            f"attack types {mention['attack_type'] or '?'} / {other['attack_type'] or '?'}; "
            "no report of the incident rules it out")


def _score(mention: dict, other: dict) -> tuple:
    relation = _place_relation(mention, other)
    gap = _dates_overlap(mention, other, 10) or 0
    return ({"same": 0, "within": 1, "unknown": 2}[relation], gap, other["reported_at"], other["mention_id"])


def _incident_id(anchor_mention_id: str) -> str:
    return "i_" + hashlib.sha256(anchor_mention_id.encode()).hexdigest()[:16]


def _most_common(values: list, rank=None):
    values = [v for v in values if v is not None]
    if not values:
        return None
    counts = Counter(values)
    return sorted(counts, key=lambda v: (-counts[v], rank(v) if rank else 0, str(v)))[0]


STATE_SCHEMA = {"seq": pl.Int32, "mention_id": pl.String, "fingerprint": pl.String, "incident_id": pl.String,
                "decision": pl.String, "matched_mention_id": pl.String, "reason": pl.String}


@cache
def rules_version() -> str:
    """Digest of the code that derives incidents and their ranges (this module and
    pipelines/reconcile.py). Part of every decision's fingerprint: after a change to a
    rule nothing is replayed, so every incident and range is derived again, once. (What
    assets/resolve.py reads for them, the first copy of each text, is in the
    fingerprints themselves: other mentions read, other fingerprints.)"""
    digest = hashlib.sha256()
    for path in (Path(__file__), Path(__file__).with_name("reconcile.py")):
        digest.update(path.read_bytes())
    return digest.hexdigest()[:12]


def _fingerprints(mentions: pl.DataFrame, day_window: int) -> list[str]:
    """One per mention: every field of it (what its decision reads, and what its
    incident's row reads) with the day window and the rules' version. Equal fingerprints
    over a prefix of the visiting order mean equal decisions and equal incident rows over
    it. (polars row hashes are stable within one polars version: after an upgrade
    nothing is replayed, once.)"""
    hashes = mentions.select(sorted(mentions.columns)).hash_rows(seed=0).to_list()
    prefix = f"{rules_version()}:{day_window}"
    return [f"{prefix}:{h:016x}" for h in hashes]


def _replay_length(ordered: pl.DataFrame, fingerprints: pl.Series, old: pl.DataFrame) -> int:
    """How many mentions, from the start of the visiting order, the previous run (`old`,
    its state in seq order) decided with the same fingerprints: the greedy decision for a
    mention depends only on the mentions visited before it, so that prefix decides as
    before."""
    n = min(old.height, ordered.height)
    differs = ((ordered["mention_id"].head(n) != old["mention_id"].head(n))
               | (fingerprints.head(n) != old["fingerprint"].head(n))).arg_true()
    return int(differs[0]) if differs.len() else n


_EPOCH = dt.date(1970, 1, 1)


def _epoch_day(day: dt.date) -> int:
    return (day - _EPOCH).days


def _merged_spans(undecided: list[dict], day_window: int) -> tuple[pl.Series, pl.Series]:
    """The undecided mentions' day spans widened by twice the window, merged: their
    first and last days, in order."""
    spans: list[list[int]] = []
    for start, end in sorted((_epoch_day(m["date_start"]) - 2 * day_window, _epoch_day(m["date_end"]) + 2 * day_window)
                             for m in undecided):
        if spans and start <= spans[-1][1]:
            spans[-1][1] = max(spans[-1][1], end)
        else:
            spans.append([start, end])
    return pl.Series([s for s, _ in spans], dtype=pl.Int64), pl.Series([e for _, e in spans], dtype=pl.Int64)


def _within_reach(replayed: pl.DataFrame, undecided: list[dict], day_window: int) -> pl.Series:
    """For each replayed mention, whether an undecided one can find it in the day index:
    their dates widened by the window meet, and they share a country (or the undecided
    one has none: it looks at every country)."""
    starts = replayed["date_start"].dt.epoch("d").cast(pl.Int64)
    ends = replayed["date_end"].dt.epoch("d").cast(pl.Int64)
    countries = replayed["country_code"]
    reach = pl.Series([False] * replayed.height, dtype=pl.Boolean)
    for country in {m["country_code"] for m in undecided}:
        firsts, lasts = _merged_spans([m for m in undecided if m["country_code"] == country], day_window)
        # the first span not over before the mention starts reaches it if it starts in time
        k = lasts.search_sorted(starts, side="left")
        meets = (k < lasts.len()) & (firsts.gather(k.clip(0, lasts.len() - 1)) <= ends)
        reach = reach | (meets if country is None else meets & (countries == country).fill_null(False))
    return reach


def group_mentions(mentions: pl.DataFrame, *, day_window: int = 2, previous: pl.DataFrame | None = None,
                   keep: Collection[str] = ()) -> tuple[list[_Incident], list[dict], int]:
    """Greedy, deterministic grouping of event mentions; returns incidents, the decisions
    taken now (in visiting order) and how many were replayed before them.

    `previous` (a resolve_state frame of an earlier run) lets the unchanged prefix of the
    visiting order be replayed rather than re-decided: a nightly run that adds one day at
    the end of the archive decides only the new day's mentions. The replayed prefix is
    then not rebuilt whole (years of archive, one new day): the incidents given are those
    a mention decided now can join or leave, those of `keep`, and the new ones, each with
    all its members. A replayed member carries its earlier decision as "_previous" (its
    state row)."""
    ordered = mentions.sort(["reported_at", "article_id", "ordinal"]).with_row_index("_order")
    fingerprints = pl.Series(_fingerprints(ordered.drop("_order"), day_window), dtype=pl.String)
    old_state = previous.sort("seq").select(list(STATE_SCHEMA)) if previous is not None else None
    replayed = _replay_length(ordered, fingerprints, old_state) if old_state is not None else 0
    undecided = ordered.slice(replayed).with_columns(fingerprints.slice(replayed).alias("_fingerprint")).to_dicts()
    for row in undecided:
        _date_keys(row)
    incidents: list[_Incident] = []
    index = _DayIndex(day_window)
    if replayed:
        state = old_state.head(replayed)
        prefix = ordered.head(replayed).with_columns(
            fingerprints.head(replayed).alias("_fingerprint"), state["incident_id"].alias("_incident"),
            _within_reach(ordered.head(replayed), undecided, day_window).alias("_reach"))
        wanted = (set(prefix.filter(pl.col("_reach"))["_incident"].to_list())
                  | set(old_state.slice(replayed)["incident_id"].to_list()) | set(keep))
        chosen = prefix["_incident"].is_in(list(wanted))
        by_id: dict[str, _Incident] = {}
        for mention, old in zip(prefix.filter(chosen).to_dicts(), state.filter(chosen).to_dicts(), strict=True):
            _date_keys(mention)
            mention["_previous"] = old
            if old["decision"] == "anchor":
                by_id[old["incident_id"]] = _Incident(anchor=mention, order=mention["_order"])
                incidents.append(by_id[old["incident_id"]])
            incident = by_id[old["incident_id"]]
            incident.add(mention)
            if mention.pop("_reach"):
                index.add(incident, mention)
    decisions: list[dict] = []
    for mention in undecided:
        best, best_key, best_reason, best_match = None, None, "", None
        pool = index.candidates(mention)
        # an incident fits when one of its reports is compatible with the mention and none
        # rules it out; a report dated only by a month or a year is no evidence of the
        # date of an incident dated more finely
        fitting, ruled_out = [], ""
        for incident in pool:
            if mention["article_id"] in incident.articles:
                continue
            fine = not mention["_coarse"] and any(not m["_coarse"] for m in incident.members)
            matches = [m for m in incident.members if not (fine and m["_coarse"]) and _compatible(mention, m, day_window)]
            if not matches:
                continue
            if why := _ruled_out(mention, incident, day_window):
                ruled_out = ruled_out or why
                continue
            fitting.append(incident)
            for member in matches:
                key = _score(mention, member)
                if best_key is None or key < best_key:
                    best, best_key, best_match = incident, key, member
        if best is not None:
            best_reason = _match_reason(mention, best_match, day_window)
        elif ruled_out:
            best_reason = f"first report of this event: {ruled_out}"
        if best is not None and mention["_coarse"] and len(fitting) != 1:
            best = None
            best_reason = (f"dated only by the {mention['date_precision']} and {len(fitting)} incidents fit: "
                           "too little to match, kept apart")
        coarse = mention["place_id"] is None or mention["geo_precision"] in {"country", "admin1"}
        undated = mention["date_precision"] == "day" and mention["date_start"] != mention["date_end"]
        if best is not None and coarse and undated:
            best = None
            best_reason = "only a country or province and no date in the text: too little to match, kept apart"
        if best is not None and coarse:
            fits = len(fitting)
            if fits != 1:
                best = None
                best_reason = f"only a {mention['geo_precision'] or 'missing'} place and {fits} incidents fit: kept apart"
        if best is None:
            best = _Incident(anchor=mention, order=mention["_order"])
            incidents.append(best)
            decisions.append({**_decision_base(mention), "incident": best, "decision": "anchor",
                              "matched_mention_id": None, "fingerprint": mention["_fingerprint"],
                              "reason": best_reason or "first report of this event: no earlier incident with a compatible date, place and attack type"})
        else:
            decisions.append({**_decision_base(mention), "incident": best, "decision": "merged",
                              "matched_mention_id": best_match["mention_id"], "reason": best_reason,
                              "fingerprint": mention["_fingerprint"]})
        best.add(mention)
        index.add(best, mention)
    return incidents, decisions, replayed


def _decision_row(member: dict, incident_id: str, decided_now: dict[str, dict]) -> dict:
    """The incident_mentions row of a member: its decision, taken now or replayed."""
    decision = member.get("_previous") or decided_now[member["mention_id"]]
    return {**_decision_base(member), "incident_id": incident_id, "decision": decision["decision"],
            "matched_mention_id": decision["matched_mention_id"], "reason": decision["reason"],
            "fingerprint": member["_fingerprint"], "_order": member["_order"]}


def _decision_base(mention: dict) -> dict:
    return {
        "mention_id": mention["mention_id"], "article_id": mention["article_id"], "reported_at": mention["reported_at"],
        "place_name": mention["place_name"], "event_date": mention["event_date"],
        "date_precision": mention["date_precision"], "attack_type": mention["attack_type"],
        "evidence": mention["evidence"],
    }


def _incident_row(incident: _Incident, n_sources: int) -> dict:
    members = incident.members
    current = [m for m in members if not m["is_historical"]] or members
    # date: the most precise, then most reported
    dated = sorted(current, key=lambda m: (PRECISION_RANK[m["date_precision"]],))
    best_precision = dated[0]["date_precision"]
    event_date = _most_common([m["event_date"] for m in current if m["date_precision"] == best_precision])
    date_source = next(m for m in current if m["date_precision"] == best_precision and m["event_date"] == event_date)
    placed = [m for m in members if m["place_id"] is not None]
    place_id = _most_common([m["place_id"] for m in placed], rank=lambda pid: GEO_RANK.get(
        next(m["geo_precision"] for m in placed if m["place_id"] == pid), 3))
    place = next((m for m in placed if m["place_id"] == place_id), None)
    return {
        "incident_id": incident.id,
        "event_date": event_date,
        "date_start": date_source["date_start"],
        "date_end": date_source["date_end"],
        "date_precision": best_precision,
        "place_name": place["place_name"] if place else None,
        "admin1": _most_common([m["admin1"] for m in placed if m["place_id"] == place_id]) if place else None,
        "country": place["country"] if place else _most_common([m["country"] for m in members]),
        "country_code": place["country_code"] if place else _most_common([m["country_code"] for m in members]),
        "latitude": place["latitude"] if place else None,
        "longitude": place["longitude"] if place else None,
        "geo_precision": place["geo_precision"] if place else None,
        "attack_type": _most_common([m["attack_type"] for m in members], rank=_attack_rank),
        "n_attacks": max((m["n_attacks"] for m in members if m["n_attacks"]), default=None),
        "perpetrator": _most_common([m["claimed_by"] for m in members]) or _most_common([m["perpetrator"] for m in members]),
        "claimed_by": _most_common([m["claimed_by"] for m in members]),
        "is_historical": all(m["is_historical"] for m in members),
        "n_articles": len({m["article_id"] for m in members}),
        "n_sources": n_sources,
        "n_mentions": len(members),
        "first_reported_at": min(m["reported_at"] for m in members),
        "last_reported_at": max(m["reported_at"] for m in members),
    }


def _attack_rank(code: str) -> int:
    from pipelines.nlp.attack_types import ATTACK_TYPES

    return ATTACK_TYPES.index(code) if code in ATTACK_TYPES else len(ATTACK_TYPES)


SOURCE_FILLER = frozenset("the provincial local senior regional district state national federal".split())


def source_key(claimant: str) -> str:
    """One key per organisation however an article words it: "Babil provincial health
    department" and "Babil health department" -> "babil health department"; "Homs
    governor" and "the provincial governor" -> "governor" (place names drop unless the
    name is nothing but a proper name, like "Lady Reading Hospital")."""
    words = [re.sub(r"['’]s$", "", w).strip(",.") for w in claimant.split()]
    common = [w for w in words if not w[:1].isupper()]
    if len(common) * 5 < len(words) * 2:  # mostly capitalised: a proper name, kept whole
        return claimant.lower()
    kept = [w.lower() for w in common if w.lower() not in SOURCE_FILLER]
    return " ".join(kept) or claimant.lower()


def claim_source(claimant: str | None, outlet: str | None, article_id: str) -> str:
    """Who a figure counts as coming from: the claimant, else the outlet, else the article."""
    if claimant:
        from pipelines.nlp.claimants import canonical_names

        return claimant.lower() if claimant in canonical_names() else source_key(claimant)
    return f"{outlet} (unattributed)" if outlet else f"unattributed in {article_id}"


@dataclass
class Resolution:
    """The resolve step's output frames.

    A resolution from scratch (no `previous` state) holds every row: `incident_ids` and
    `claim_ids` are None. One that replays an earlier run holds the rows of what changed
    only: the incidents of `incident_ids` (those still there) with their mentions, and the
    claims of `claim_ids` (those still there); rows of other incidents and claims are as
    the earlier run left them. `aggregate_links` are those of the aggregates among the
    claims given (every aggregate's, from scratch); `state` is always whole."""

    incidents: pl.DataFrame
    incident_mentions: pl.DataFrame
    claims: pl.DataFrame  # claim mentions + incident_id, source, is_perpetrator_claim
    aggregate_links: pl.DataFrame  # claim_id -> incident_ids
    state: pl.DataFrame  # STATE_SCHEMA: what the next run may replay
    replayed: int = 0  # decisions taken over from `previous`
    incident_ids: list[str] | None = None  # incidents whose rows changed (None: all rows given)
    claim_ids: list[str] | None = None  # claims whose rows changed (None: all rows given)


def resolve_incidents(mentions: pl.DataFrame, claims: pl.DataFrame, *, day_window: int = 2,
                      previous: pl.DataFrame | None = None,
                      changed_claims: pl.DataFrame | None = None) -> Resolution:
    """Group mentions into incidents and attach every claim to its incident.

    `previous`: the state of an earlier run (see group_mentions); the result then holds
    only what changed since. What changed: the incidents of every mention decided now,
    before and after (a mention re-decided leaves one incident and joins another), and of
    `changed_claims` (claim_id, incident_id: claims whose row differs from the earlier
    run's, with the incident it gave them); the claims of those incidents, the changed
    claims themselves, and the aggregates spanning a mention decided now (or gone)."""
    if "parent" not in mentions.columns:
        mentions = mentions.with_columns(pl.lit(None, dtype=pl.String).alias("parent"))
    incremental = previous is not None and previous.height > 0
    dirty_claims: set[str] = set()
    redo: set[str] = set()  # incidents to redo for their changed claims
    if incremental and changed_claims is not None and changed_claims.height:
        dirty_claims = set(changed_claims["claim_id"].to_list())
        redo = {i for i in changed_claims["incident_id"].to_list() if i is not None}
        # and the incidents their mentions are in (a mention decided now is redone anyway)
        their_mentions = claims.filter(pl.col("claim_id").is_in(list(dirty_claims)))["mention_id"].drop_nulls()
        redo |= set(previous.filter(pl.col("mention_id").is_in(their_mentions.to_list()))["incident_id"].to_list())
    incidents, decisions, replayed = group_mentions(mentions, day_window=day_window, previous=previous, keep=redo)
    incident_of_mention = {}
    for incident in incidents:
        iid = incident.id
        for member in incident.members:
            incident_of_mention[member["mention_id"]] = (iid, incident)
    decided = pl.DataFrame(
        [{"seq": seq, "mention_id": d["mention_id"], "fingerprint": d["fingerprint"],
          "incident_id": d["incident"].id, "decision": d["decision"],
          "matched_mention_id": d["matched_mention_id"], "reason": d["reason"]}
         for seq, d in enumerate(decisions, start=replayed)],
        schema=STATE_SCHEMA)
    # the replayed prefix's state rows are the earlier run's, as they were
    state = pl.concat([previous.filter(pl.col("seq") < replayed).select(list(STATE_SCHEMA)).cast(STATE_SCHEMA),
                       decided]) if replayed else decided

    dirty: set[str] | None = None
    if incremental:
        # before: what the earlier run gave the mentions decided now (and the ones gone)
        redecided = previous.filter(pl.col("seq") >= replayed)
        dirty = set(redecided["incident_id"].to_list())
        dirty |= set(decided["incident_id"].to_list()) | redo
        members_now = {m["mention_id"] for i in incidents if i.id in dirty
                       for m in i.members}
        # an aggregate's links change only with the incident of a mention it spans, and
        # only a mention decided now (or gone) changed incident
        moved = list(set(redecided["mention_id"].to_list()) | set(decided["mention_id"].to_list()))
        spans_moved = pl.col("aggregate_mention_ids").list.eval(pl.element().is_in(moved)).list.any()
        claims = claims.filter(pl.col("claim_id").is_in(list(dirty_claims)) | pl.col("mention_id").is_in(list(members_now))
                               | (pl.col("is_aggregate") & spans_moved))
    # the incidents of the mentions the aggregates given span (only some incidents were built)
    spanned = claims.filter(pl.col("is_aggregate"))["aggregate_mention_ids"].explode().drop_nulls()
    incident_id_of = dict(state.filter(pl.col("mention_id").is_in(spanned.to_list()))
                          .select("mention_id", "incident_id").iter_rows())

    sources_by_incident: dict[str, set[str]] = {}
    added: dict[str, list] = {"incident_id": [], "source": [], "is_perpetrator_claim": []}
    aggregate_links = []
    groups_of: dict[str, set[str]] = {}
    # only the columns read here become Python objects (years of claims: memory)
    read = ("claim_id", "mention_id", "article_id", "outlet", "claimant", "claimant_kind", "is_aggregate",
            "aggregate_mention_ids")
    for claim in claims.select(read).iter_rows(named=True):
        source = claim_source(claim["claimant"], claim["outlet"], claim["article_id"])
        incident_id, incident = incident_of_mention.get(claim["mention_id"], (None, None)) if claim["mention_id"] else (None, None)
        groups = set()
        if incident is not None:
            if incident_id not in groups_of:  # once per incident, not once per claim
                groups_of[incident_id] = ({m["claimed_by"] for m in incident.members if m["claimed_by"]}
                                          | {m["perpetrator"] for m in incident.members if m["perpetrator"]})
            groups = groups_of[incident_id]
        is_perpetrator = claim["claimant_kind"] == "militant" or (claim["claimant"] in groups)
        if claim["is_aggregate"]:
            linked = sorted({incident_id_of[m] for m in (claim["aggregate_mention_ids"] or []) if m in incident_id_of})
            aggregate_links.append({"claim_id": claim["claim_id"], "incident_ids": linked})
            incident_id = None
        elif incident_id is not None:
            sources_by_incident.setdefault(incident_id, set()).add(source)
        for name, value in (("incident_id", incident_id), ("source", source), ("is_perpetrator_claim", is_perpetrator)):
            added[name].append(value)

    chosen = [i for i in incidents if dirty is None or i.id in dirty]
    incident_rows = [_incident_row(i, len(sources_by_incident.get(i.id, ()))) for i in chosen]
    decided_now = {d["mention_id"]: d for d in decisions}
    decision_rows = sorted((_decision_row(m, i.id, decided_now) for i in chosen for m in i.members),
                           key=lambda row: row["_order"])
    claim_frame = claims.with_columns(
        pl.Series("incident_id", added["incident_id"], dtype=pl.String),
        pl.Series("source", added["source"], dtype=pl.String),
        pl.Series("is_perpetrator_claim", added["is_perpetrator_claim"], dtype=pl.Boolean),
    )
    return Resolution(
        incidents=pl.DataFrame(incident_rows, schema=INCIDENT_SCHEMA),
        incident_mentions=pl.DataFrame([{k: d[k] for k in INCIDENT_MENTION_SCHEMA} for d in decision_rows],
                                       schema=INCIDENT_MENTION_SCHEMA),
        claims=claim_frame,
        aggregate_links=pl.DataFrame(aggregate_links, schema={"claim_id": pl.String, "incident_ids": pl.List(pl.String)}),
        state=state,
        replayed=replayed,
        incident_ids=sorted(dirty) if dirty is not None else None,
        claim_ids=sorted(dirty_claims | set(claim_frame["claim_id"].to_list())) if dirty is not None else None,
    )
