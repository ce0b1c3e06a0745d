"""Reconciliation: conflicting tolls -> one low / best / high range per incident and category.

Pure polars, no Dagster or DuckDB. Rules (DESIGN.md §4), configurable in ReconcileRules:
1. per incident x category x source keep the source's latest figure (tolls are revised:
   an older figure is superseded, not averaged); within one article, the largest;
2. each claim is an interval: exact N -> [N, N]; at least N -> [N, open);
   more than N -> [N+1, open) (claims store the stated N with qualifier more_than); up to N -> [?, N]; between A and B -> [A, B];
   vague words -> [table value, open) (data/vague_quantifiers.json);
3. low = smallest credible lower bound (perpetrator claims are not credible; "up to N"
   gives none: low is the smallest N only when no source gave a lower bound);
   high = largest figure stated by any source (high_open when that figure was a lower
   bound); best = the most recent figure from the most credible source tier;
   perpetrator claims never set best, unless they are the only claims (low and best
   cannot be empty: the basis says so); ties -> the value most sources give -> the lowest;
4. conflicting = the latest intervals do not all overlap; basis says why best is best;
5. aggregate figures are checked against the incidents they span, never used for one.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

import polars as pl

CASUALTY_SCHEMA = {
    "incident_id": pl.String, "category": pl.String, "low": pl.Int64, "best": pl.Int64, "high": pl.Int64,
    "high_open": pl.Boolean, "n_claims": pl.Int32, "n_sources": pl.Int32, "conflicting": pl.Boolean,
    "best_claim_id": pl.String, "low_claim_id": pl.String, "high_claim_id": pl.String, "basis": pl.String,
}
AGGREGATE_SCHEMA = {
    "claim_id": pl.String, "article_id": pl.String, "category": pl.String, "value_low": pl.Int64,
    "value_high": pl.Int64, "qualifier": pl.String, "raw_phrase": pl.String, "incident_ids": pl.List(pl.String),
    "n_incidents": pl.Int32, "parts_low_sum": pl.Int64, "status": pl.String, "detail": pl.String,
}


@dataclass(frozen=True)
class ReconcileRules:
    """Source credibility tiers (lower = more credible for `best`); one documented place."""

    tiers: dict[str, int] = field(default_factory=lambda: {
        "monitor": 1,       # independent casualty monitors (SOHR, UNAMA, IBC, ...)
        "medical": 2,       # hospitals, health officials, Red Crescent
        "media": 3,         # news outlets' own reporting
        "government": 4,    # officials, police, army: a party to the conflict
        "state_media": 4,   # state TV and news agencies: the government's voice
        "witness": 5,       # residents, survivors
        "unattributed": 6,  # figures the article gives without a source
        "militant": 99,     # perpetrators: never best
    })


def _with_intervals(claims: pl.DataFrame) -> pl.DataFrame:
    """Add the claim's lower bound (None for "up to N"), stated figure and open flag."""
    stated = pl.coalesce("value_low", "value_high") + pl.when(pl.col("qualifier") == "more_than").then(1).otherwise(0)
    return claims.with_columns(
        pl.when(pl.col("qualifier") == "at_most").then(None).otherwise(stated).alias("lower"),
        pl.coalesce(pl.col("value_high"), stated).alias("figure"),
        pl.col("value_high").is_null().alias("open"),
    )


def _point(row: dict) -> int:
    """A claim's figure as one number: its lower bound, or for "up to N", N."""
    return row["lower"] if row["lower"] is not None else row["figure"]


def latest_per_source(claims: pl.DataFrame) -> pl.DataFrame:
    """Mark each claim superseded when the same source gave a later figure for the same
    incident and category. Within one article (same publication time) the larger figure
    stands: an article's "the attacker was also killed" does not revise its toll of 12."""
    ranked = claims.with_columns(pl.coalesce("value_low", "value_high").alias("_value")).sort(
        ["incident_id", "category", "source", "reported_at", "_value", "char_start", "claim_id"], nulls_last=False
    )
    return ranked.with_columns(
        (pl.int_range(pl.len()).over(["incident_id", "category", "source"])
         < pl.len().over(["incident_id", "category", "source"]) - 1).alias("is_superseded")
    ).drop("_value")


def _basis(best: dict, low: dict, low_value: int, high: dict, n_claims: int, n_sources: int, excluded: int) -> str:
    when = best["reported_at"].strftime("%Y-%m-%d %H:%M UTC")
    outlet = f" via {best['outlet']}" if best.get("outlet") and best["outlet"] != best["source"] else ""
    kind = "" if best["claimant_kind"] == "unattributed" and "unattributed" in best["source"] else f" ({best['claimant_kind']})"
    if best["tier"] == 99:
        why = ("only the perpetrators gave a figure, and best and low cannot be left empty: theirs stands, "
               "with no independent source to check it")
    else:
        why = f"the most recent figure from the most credible source tier present (tier {best['tier']}: {best['claimant_kind']})"
    bound = "" if low["lower"] is not None else " (its upper bound: every independent source gave only an upper bound)"
    text = (
        f"best {best['best_value']} = \"{best['raw_phrase']}\" from {best['source']}{kind}{outlet}, "
        f"reported {when}: {why}. low {low_value}{bound} from {low['source']}; "
        f"high {high['figure']}{'+' if high['open'] else ''} from {high['source']}. "
        f"{n_claims} claim(s) from {n_sources} source(s)"
    )
    if excluded and best["tier"] != 99:
        text += f"; {excluded} perpetrator claim(s) not used for best or low"
    return text + "."


def _nulls_first(value) -> tuple:
    return (value is not None, value)


def _range(incident_id: str, category: str, group: list[dict], total: dict) -> dict:
    """One incident x category from its sources' latest claims (rows with tier, lower,
    figure, open). Plain Python: a group is a handful of rows, and per-group DataFrame
    calls cost more than the work (DESIGN.md §4 rules, as in the module docstring)."""
    group = sorted(group, key=lambda r: (r["reported_at"], r["in_title"], _nulls_first(r["char_start"]), r["claim_id"]))
    pool = [r for r in group if r["tier"] < 99] or group
    # "up to N" gives no lower bound; when every source gave only one, low is the smallest N
    bounded = [r for r in pool if r["lower"] is not None]
    low = min(bounded or pool, key=lambda r: (_point(r), r["reported_at"], r["claim_id"]))
    high = min(group, key=lambda r: (r["figure"] is not None, -(r["figure"] or 0), not r["open"], r["reported_at"], r["claim_id"]))
    top_tier = min(r["tier"] for r in pool)
    candidates = [r for r in pool if r["tier"] == top_tier]
    newest_at = max(r["reported_at"] for r in candidates)
    newest = [r for r in candidates if r["reported_at"] == newest_at]
    if len(newest) > 1:  # one article, several figures: the value most of them give, then the lowest
        counts = Counter(_point(r) for r in newest)
        value = min(counts, key=lambda v: (-counts[v], v))
        newest = [r for r in newest if _point(r) == value]
    best = max(newest, key=lambda r: (_nulls_first(r["char_start"]), r["claim_id"]))
    best_value = max(_point(best), _point(low))
    max_low = max((r["lower"] for r in group if r["lower"] is not None), default=None)
    min_high = min((r["figure"] for r in group if not r["open"]), default=None)
    return {
        "incident_id": incident_id, "category": category,
        "low": _point(low), "best": best_value, "high": max(high["figure"], best_value),
        "high_open": high["open"], "n_claims": total["n_claims"], "n_sources": total["n_sources"],
        "conflicting": min_high is not None and max_low is not None and max_low > min_high,
        "best_claim_id": best["claim_id"], "low_claim_id": low["claim_id"], "high_claim_id": high["claim_id"],
        "basis": _basis({**best, "best_value": best_value}, low, _point(low), high, total["n_claims"],
                        total["n_sources"], sum(r["tier"] == 99 for r in group)),
    }


def reconcile_casualties(claims: pl.DataFrame, rules: ReconcileRules | None = None) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Claims (with incident_id, source, is_perpetrator_claim) -> (casualty ranges, claims
    with is_superseded)."""
    rules = rules or ReconcileRules()
    if claims.height == 0:
        return pl.DataFrame(schema=CASUALTY_SCHEMA), claims.with_columns(pl.lit(False).alias("is_superseded"))
    marked = latest_per_source(claims.filter(~pl.col("is_aggregate") & pl.col("incident_id").is_not_null()))
    aggregates = claims.filter(pl.col("is_aggregate") | pl.col("incident_id").is_null()).with_columns(
        pl.lit(False).alias("is_superseded"))
    tier = pl.col("claimant_kind").replace_strict(rules.tiers, default=6, return_dtype=pl.Int64)
    latest = _with_intervals(marked.filter(~pl.col("is_superseded"))).with_columns(
        pl.when(pl.col("is_perpetrator_claim")).then(99).otherwise(tier).alias("tier"),
    )
    totals = {
        (r["incident_id"], r["category"]): r
        for r in marked.group_by(["incident_id", "category"]).agg(
            pl.len().alias("n_claims"), pl.col("source").n_unique().alias("n_sources")
        ).iter_rows(named=True)
    }
    groups: dict[tuple[str, str], list[dict]] = {}
    for row in latest.iter_rows(named=True):
        groups.setdefault((row["incident_id"], row["category"]), []).append(row)
    rows = [_range(incident_id, category, group, totals[(incident_id, category)])
            for (incident_id, category), group in groups.items()]
    casualties = pl.DataFrame(rows, schema=CASUALTY_SCHEMA).sort(["incident_id", "category"])
    all_claims = pl.concat([marked, aggregates], how="diagonal_relaxed").sort("claim_id")
    return casualties, all_claims


def check_aggregates(claims: pl.DataFrame, links: pl.DataFrame, casualties: pl.DataFrame) -> pl.DataFrame:
    """Each aggregate figure against the incidents it spans: parts' lows summed must not
    exceed the aggregate's high. Reported, never used as an incident's figure."""
    aggregates = claims.filter(pl.col("is_aggregate"))
    if aggregates.height == 0:
        return pl.DataFrame(schema=AGGREGATE_SCHEMA)
    lows = {(r["incident_id"], r["category"]): r["low"] for r in casualties.iter_rows(named=True)}
    link_map = {r["claim_id"]: r["incident_ids"] or [] for r in links.iter_rows(named=True)}
    rows = []
    for claim in aggregates.sort("claim_id").iter_rows(named=True):
        incident_ids = link_map.get(claim["claim_id"], [])
        parts = [lows.get((i, claim["category"])) for i in incident_ids]
        parts_sum = sum(parts) if parts and all(p is not None for p in parts) else None
        high = claim["value_high"]
        if len(incident_ids) < 2:
            status, detail = "unlinked", f"spans {len(incident_ids)} resolved incident(s); at least two are needed to check it"
        elif parts_sum is None:
            status, detail = "incomplete", f"{sum(p is None for p in parts)} of {len(parts)} incidents have no {claim['category']} figure"
        elif high is None or parts_sum <= high:
            bound = "open-ended" if high is None else str(high)
            status, detail = "consistent", f"parts' lows sum to {parts_sum} <= aggregate high {bound}"
        else:
            status, detail = "inconsistent", f"parts' lows sum to {parts_sum} > aggregate high {high}"
        rows.append({
            "claim_id": claim["claim_id"], "article_id": claim["article_id"], "category": claim["category"],
            "value_low": claim["value_low"], "value_high": claim["value_high"], "qualifier": claim["qualifier"],
            "raw_phrase": claim["raw_phrase"], "incident_ids": incident_ids, "n_incidents": len(incident_ids),
            "parts_low_sum": parts_sum, "status": status, "detail": detail,
        })
    return pl.DataFrame(rows, schema=AGGREGATE_SCHEMA)
