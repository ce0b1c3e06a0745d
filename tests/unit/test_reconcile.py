import datetime as dt

import polars as pl

from pipelines.reconcile import check_aggregates, reconcile_casualties

T0 = dt.datetime(2016, 2, 21, 10, tzinfo=dt.UTC)


def claim(claim_id, value_low, value_high, qualifier, source, kind, hours=0, *, incident="i1", category="killed",
          aggregate=False, perpetrator=False, char_start=0):
    return {"claim_id": claim_id, "article_id": f"a{hours}", "incident_id": None if aggregate else incident,
            "category": category, "value_low": value_low, "value_high": value_high, "qualifier": qualifier,
            "raw_phrase": f"{qualifier} {value_low}", "claimant": source, "claimant_kind": kind, "source": source,
            "is_aggregate": aggregate, "is_perpetrator_claim": perpetrator, "in_title": False,
            "evidence": "...", "char_start": char_start, "char_end": char_start + 2,
            "reported_at": T0 + dt.timedelta(hours=hours), "outlet": "Wire"}


def ranges(rows):
    casualties, marked = reconcile_casualties(pl.DataFrame(rows))
    return {(r["incident_id"], r["category"]): r for r in casualties.iter_rows(named=True)}, marked


def test_at_least_alone_is_low_best_high_with_open_high():
    r, _ = ranges([claim("c1", 83, None, "at_least", "state TV", "state_media")])
    assert {k: r["i1", "killed"][k] for k in ("low", "best", "high", "high_open")} == {
        "low": 83, "best": 83, "high": 83, "high_open": True}


def test_upward_revisions_supersede_the_same_sources_older_figures():
    rows = [
        claim("c1", 30, 30, "exact", "state TV", "state_media", 0),
        claim("c2", 62, 62, "exact", "Syrian Observatory", "monitor", 6),
        claim("c3", 83, 83, "exact", "state TV", "state_media", 8),
        claim("c4", 96, 96, "exact", "Syrian Observatory", "monitor", 24),
    ]
    r, marked = ranges(rows)
    row = r["i1", "killed"]
    assert (row["low"], row["best"], row["high"]) == (83, 96, 96)
    assert row["best_claim_id"] == "c4" and "Syrian Observatory" in row["basis"]
    superseded = dict(zip(marked["claim_id"], marked["is_superseded"], strict=True))
    assert superseded == {"c1": True, "c2": True, "c3": False, "c4": False}
    assert row["n_claims"] == 4 and row["n_sources"] == 2


def test_perpetrator_claims_never_set_best_or_low_but_count_for_high():
    rows = [claim("c1", 12, 12, "exact", "defence ministry", "government", 1),
            claim("c2", 40, 40, "exact", "Taliban", "militant", 2, perpetrator=True)]
    row = ranges(rows)[0]["i1", "killed"]
    assert (row["low"], row["best"], row["high"], row["conflicting"]) == (12, 12, 40, True)
    assert row["high_claim_id"] == "c2" and "perpetrator" in row["basis"]


def test_when_only_the_perpetrators_gave_a_figure_the_basis_says_theirs_stands():
    row = ranges([claim("c1", 80, 80, "exact", "Islamic State", "militant", 1, perpetrator=True)])[0]["i1", "killed"]
    assert (row["low"], row["best"], row["high"]) == (80, 80, 80)
    assert "only the perpetrators gave a figure" in row["basis"] and "not used for best" not in row["basis"]


def test_up_to_n_is_an_upper_bound_only():
    """"up to 50" is [?, 50]: no lower bound, no conflict with a figure under it."""
    rows = [claim("c1", None, 50, "at_most", "police", "government", 1),
            claim("c2", 30, 30, "exact", "hospital", "medical", 2)]
    row = ranges(rows)[0]["i1", "killed"]
    assert (row["low"], row["best"], row["high"], row["conflicting"]) == (30, 30, 50, False)
    alone = ranges(rows[:1])[0]["i1", "killed"]
    assert (alone["low"], alone["best"], alone["high"]) == (50, 50, 50)
    assert "gave only an upper bound" in alone["basis"]
    over = ranges([rows[0], claim("c3", 60, 60, "exact", "hospital", "medical", 2)])[0]["i1", "killed"]
    assert over["conflicting"] and (over["low"], over["high"]) == (60, 60)


def test_more_credible_tier_wins_best_even_when_older():
    rows = [claim("c1", 50, 50, "exact", "Syrian Observatory", "monitor", 1),
            claim("c2", 45, 45, "exact", "local media", "media", 5)]
    row = ranges(rows)[0]["i1", "killed"]
    assert (row["low"], row["best"], row["high"]) == (45, 50, 50)


def test_ties_go_to_the_majority_then_the_lowest():
    rows = [claim("c1", 20, 20, "exact", "police", "government", 3),
            claim("c2", 22, 22, "exact", "army", "government", 3),
            claim("c3", 22, 22, "exact", "governor", "government", 3)]
    assert ranges(rows)[0]["i1", "killed"]["best"] == 22


def test_more_than_and_vague_are_lower_bounds():
    rows = [claim("c1", 140, None, "more_than", "Reuters", "media"),
            claim("c2", 24, None, "vague", "witnesses", "witness")]
    row = ranges(rows)[0]["i1", "killed"]
    assert (row["low"], row["high"], row["high_open"], row["conflicting"]) == (24, 141, True, False)


def test_aggregate_is_checked_against_its_parts_and_never_used():
    rows = [claim("c1", 83, None, "at_least", "pro-government media", "state_media", incident="i1"),
            claim("c2", 59, None, "at_least", "Observatory", "monitor", incident="i2"),
            claim("agg", 140, None, "more_than", "Wire (unattributed)", "unattributed", aggregate=True),
            claim("agg2", 120, 120, "exact", "Wire (unattributed)", "unattributed", aggregate=True)]
    casualties, marked = reconcile_casualties(pl.DataFrame(rows))
    assert set(casualties["incident_id"]) == {"i1", "i2"}
    links = pl.DataFrame({"claim_id": ["agg", "agg2"], "incident_ids": [["i1", "i2"], ["i1", "i2"]]})
    checked = {r["claim_id"]: r for r in check_aggregates(marked, links, casualties).iter_rows(named=True)}
    assert (checked["agg"]["status"], checked["agg"]["parts_low_sum"]) == ("consistent", 142)
    assert checked["agg2"]["status"] == "inconsistent"


def test_reconcile_is_deterministic():
    rows = [claim(f"c{i}", 10 + i, 10 + i, "exact", f"s{i % 3}", "media", i) for i in range(9)]
    first, _ = reconcile_casualties(pl.DataFrame(rows))
    second, _ = reconcile_casualties(pl.DataFrame(list(reversed(rows))))
    assert first.equals(second)


def test_within_one_article_the_larger_figure_of_a_source_stands():
    rows = [claim("c1", 12, 12, "exact", "Wire (unattributed)", "unattributed", 1, char_start=10),
            claim("c2", 1, 1, "exact", "Wire (unattributed)", "unattributed", 1, char_start=200)]
    r, marked = ranges(rows)
    assert r["i1", "killed"]["best"] == 12
    assert dict(zip(marked["claim_id"], marked["is_superseded"], strict=True)) == {"c1": False, "c2": True}
