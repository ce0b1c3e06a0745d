"""Reconciliation: conflicting tolls -> one low / best / high range per incident and category.

Pure polars, no Dagster or DuckDB. Rules (DESIGN.md §4), configurable in ReconcileRules:
1. per incident x category x source keep the source's latest figure (tolls are revised:
   an older figure is superseded, not averaged); within one article, the largest;
2. each claim is an interval: exact N -> [N, N]; at least N -> [N, open);
   more than N -> [N+1, open) (claims store the stated N with qualifier more_than); up to N -> [?, N]; between A and B -> [A, B];
   vague words -> [table value, open) (data/vague_quantifiers.json);
3. low = smallest credible lower bound (perpetrator claims are not credible);
   high = largest figure stated by any source (high_open when that figure was a lower
   bound); best = the most recent figure from the most credible source tier;
   perpetrator claims never set best; ties -> the value most sources give -> the lowest;
4. conflicting = the latest intervals do not all overlap; basis says why best is best;
5. aggregate figures are checked against the incidents they span, never used for one.
"""

from __future__ import annotations

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
    """Add the claim's lower bound, stated figure and open flag."""
    lower = pl.coalesce("value_low", "value_high") + pl.when(pl.col("qualifier") == "more_than").then(1).otherwise(0)
    return claims.with_columns(
        lower.alias("lower"),
        pl.coalesce(pl.col("value_high"), lower).alias("figure"),
        pl.col("value_high").is_null().alias("open"),
    )


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


def _basis(best: dict, low: dict, high: dict, n_claims: int, n_sources: int, excluded: int) -> str:
    when = best["reported_at"].strftime("%Y-%m-%d %H:%M UTC")
    outlet = f" via {best['outlet']}" if best.get("outlet") and best["outlet"] != best["source"] else ""
    kind = "" if best["claimant_kind"] == "unattributed" and "unattributed" in best["source"] else f" ({best['claimant_kind']})"
    text = (
        f"best {best['best_value']} = \"{best['raw_phrase']}\" from {best['source']}{kind}{outlet}, "
        f"reported {when}: the most recent figure from the most credible source tier present "
        f"(tier {best['tier']}: {best['claimant_kind']}). low {low['lower']} from {low['source']}; "
        f"high {high['figure']}{'+' if high['open'] else ''} from {high['source']}. "
        f"{n_claims} claim(s) from {n_sources} source(s)"
    )
    if excluded:
        text += f"; {excluded} perpetrator claim(s) not used for best or low"
    return text + "."


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
    totals = marked.group_by(["incident_id", "category"]).agg(
        pl.len().alias("n_claims"), pl.col("source").n_unique().alias("n_sources")
    )
    rows = []
    for (incident_id, category), group in latest.group_by(["incident_id", "category"], maintain_order=True):
        group = group.sort(["reported_at", "in_title", "char_start", "claim_id"])
        credible = group.filter(pl.col("tier") < 99)
        pool = credible if credible.height else group
        low = pool.sort(["lower", "reported_at", "claim_id"]).row(0, named=True)
        high = group.sort(["figure", "open", "reported_at", "claim_id"], descending=[True, True, False, False]).row(0, named=True)
        top_tier = pool["tier"].min()
        candidates = pool.filter(pl.col("tier") == top_tier).with_columns(pl.col("lower").alias("best_value"))
        newest = candidates.filter(pl.col("reported_at") == candidates["reported_at"].max())
        if newest.height > 1:
            counts = newest.group_by("best_value").agg(pl.len().alias("n"))
            value = counts.sort(["n", "best_value"], descending=[True, False])["best_value"][0]
            newest = newest.filter(pl.col("best_value") == value)
        best = newest.sort(["char_start", "claim_id"]).row(-1, named=True)
        best_value = max(best["best_value"], low["lower"])
        intervals = [(r["lower"], None if r["open"] else r["figure"]) for r in group.iter_rows(named=True)]
        max_low = max(lo for lo, _ in intervals)
        min_high = min((hi for _, hi in intervals if hi is not None), default=None)
        conflicting = min_high is not None and max_low > min_high
        total = totals.filter((pl.col("incident_id") == incident_id) & (pl.col("category") == category)).row(0, named=True)
        rows.append({
            "incident_id": incident_id, "category": category,
            "low": low["lower"], "best": best_value, "high": max(high["figure"], best_value),
            "high_open": high["open"], "n_claims": total["n_claims"], "n_sources": total["n_sources"],
            "conflicting": conflicting, "best_claim_id": best["claim_id"], "low_claim_id": low["claim_id"],
            "high_claim_id": high["claim_id"],
            "basis": _basis({**best, "best_value": best_value}, low, high, total["n_claims"], total["n_sources"],
                            group.filter(pl.col("tier") == 99).height),
        })
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
