import datetime as dt

import polars as pl
import pytest

from pipelines.nlp.schema import CLAIM_SCHEMA, EVENT_SCHEMA
from pipelines.resolve import attack_types_compatible, resolve_incidents

T0 = dt.datetime(2016, 2, 21, 9, tzinfo=dt.UTC)
HOMS = {"place_name": "Homs", "place_id": "city:169577", "parent": None, "admin1": "Homs", "country": "Syria",
        "country_code": "SY", "latitude": 34.7, "longitude": 36.7, "geo_precision": "city"}
DAMASCUS = {**HOMS, "place_name": "Damascus", "place_id": "city:170654", "admin1": "Damascus", "latitude": 33.5}
ALEPPO = {**HOMS, "place_name": "Aleppo", "place_id": "city:170063", "admin1": "Aleppo", "latitude": 36.2}
ZAYNAB = {**HOMS, "place_name": "Sayyida Zaynab", "place_id": "district:SY.Sayyida Zaynab", "parent": "Damascus",
          "admin1": "Rif Dimashq", "geo_precision": "point"}


def mention(mid, article, place, day, *, hours=0, precision="day", historical=False, attack="car_bomb", claimed=None):
    start = end = day
    if precision == "month":
        start, end = day.replace(day=1), day.replace(day=28)
    return {"mention_id": mid, "article_id": article, "partition_date": day, "ordinal": 0,
            "reported_at": T0 + dt.timedelta(hours=hours), "outlet": "Wire", "event_date": start,
            "date_start": start if precision != "day" else day - dt.timedelta(days=0), "date_end": end,
            "date_precision": precision, "is_historical": historical, **place, "attack_type": attack,
            "n_attacks": None, "perpetrator": claimed, "claimed_by": claimed, "evidence": "...",
            "char_start": 0, "char_end": 3}


def resolve(rows):
    mentions = pl.DataFrame(rows, schema=EVENT_SCHEMA)
    return resolve_incidents(mentions, pl.DataFrame(schema=CLAIM_SCHEMA))


D = dt.date(2016, 2, 21)


def test_same_attack_in_later_articles_joins_one_incident_with_a_stable_id():
    first = resolve([mention("m1", "a1", HOMS, D)])
    more = resolve([mention("m1", "a1", HOMS, D), mention("m2", "a2", HOMS, D, hours=20),
                    mention("m3", "a3", HOMS, D, hours=30)])
    assert more.incidents.height == 1
    assert more.incidents["incident_id"][0] == first.incidents["incident_id"][0]
    assert more.incidents["n_articles"][0] == 3
    decisions = more.incident_mentions.sort("mention_id")
    assert decisions["decision"].to_list() == ["anchor", "merged", "merged"]
    assert "same place" in decisions["reason"][1]


def test_two_attacks_in_the_same_city_a_week_apart_stay_two():
    result = resolve([mention("m1", "a1", HOMS, D), mention("m2", "a2", HOMS, D + dt.timedelta(days=7), hours=170)])
    assert result.incidents.height == 2


def test_district_joins_the_city_it_lies_in_but_not_another_city():
    result = resolve([mention("m1", "a1", ZAYNAB, D), mention("m2", "a2", DAMASCUS, D, hours=2),
                      mention("m3", "a3", HOMS, D, hours=3)])
    assert result.incidents.height == 2
    places = sorted(result.incidents["place_name"].to_list())
    assert places == ["Homs", "Sayyida Zaynab"]  # the most specific place names the incident


def test_mentions_of_one_article_are_never_merged():
    result = resolve([mention("m1", "a1", DAMASCUS, D), {**mention("m2", "a1", ZAYNAB, D), "ordinal": 1}])
    assert result.incidents.height == 2


def test_historical_month_reference_does_not_join_todays_attack():
    result = resolve([mention("m1", "a1", ZAYNAB, D),
                      mention("m2", "a2", ZAYNAB, dt.date(2016, 1, 1), precision="month", historical=True, attack="suicide_bombing")])
    assert result.incidents.height == 2
    old = result.incidents.filter(pl.col("is_historical")).row(0, named=True)
    assert old["date_precision"] == "month"


NOWHERE = {key: None for key in HOMS}


def year_dated(mid, article, place, published, *, hours, historical, whole_year=False):
    """"earlier this year": January 1 to publication; "in 2016": the whole year."""
    row = mention(mid, article, place, published, hours=hours, historical=historical)
    row.update(date_precision="year", date_start=published.replace(month=1, day=1),
               date_end=published.replace(month=12, day=31) if whole_year else published,
               event_date=published.replace(month=1, day=1))
    return row


def test_a_report_without_a_place_does_not_bridge_two_cities():
    result = resolve([mention("m1", "a1", HOMS, D), mention("m2", "a2", NOWHERE, D, hours=1),
                      mention("m3", "a3", ALEPPO, D, hours=2)])
    incident_of = dict(result.incident_mentions.select("mention_id", "incident_id").iter_rows())
    assert incident_of["m2"] == incident_of["m1"]  # the only incident it fits
    assert incident_of["m3"] != incident_of["m1"]


def test_a_report_dated_only_by_the_year_does_not_bridge_two_attacks_weeks_apart():
    result = resolve([mention("m1", "a1", HOMS, D),
                      year_dated("m2", "a2", HOMS, D + dt.timedelta(days=5), hours=120, historical=False, whole_year=True),
                      mention("m3", "a3", HOMS, D + dt.timedelta(days=14), hours=340)])
    incident_of = dict(result.incident_mentions.select("mention_id", "incident_id").iter_rows())
    assert incident_of["m2"] == incident_of["m1"]
    assert incident_of["m3"] != incident_of["m1"]


def test_a_reference_to_an_earlier_attack_this_year_does_not_join_yesterdays():
    """"A car bomb earlier this year in Homs killed 50": not yesterday's Homs bombing."""
    result = resolve([mention("m1", "a1", HOMS, D),
                      year_dated("m2", "a2", HOMS, D + dt.timedelta(days=1), hours=24, historical=True)])
    assert result.incidents.height == 2
    assert "first report" in result.incident_mentions.filter(pl.col("mention_id") == "m2")["reason"][0]


def test_a_later_article_on_an_attack_it_dates_joins_it():
    """"the bombings of February 21", weeks later: a reference, dated to the day, to the
    incident the earlier reports made."""
    later = mention("m2", "a2", HOMS, D, hours=24 * 20, historical=True)
    result = resolve([mention("m1", "a1", HOMS, D), later])
    assert result.incidents.height == 1


def test_a_mention_dated_only_by_the_year_joins_only_when_one_incident_fits():
    two = [mention("m1", "a1", HOMS, D), mention("m2", "a2", HOMS, D + dt.timedelta(days=7), hours=170)]
    result = resolve([*two, year_dated("m3", "a3", HOMS, D + dt.timedelta(days=8), hours=200, historical=False)])
    assert result.incidents.height == 3
    assert "2 incidents fit" in result.incident_mentions.filter(pl.col("mention_id") == "m3")["reason"][0]


BAGHDAD = {**HOMS, "place_name": "Baghdad", "place_id": "city:98182", "admin1": "Baghdad", "country": "Iraq",
           "country_code": "IQ", "latitude": 33.3}
KARRADA = {**BAGHDAD, "place_name": "Karrada", "place_id": "district:IQ.Karrada", "parent": "Baghdad", "geo_precision": "point"}
KADHIMIYA = {**KARRADA, "place_name": "Kadhimiya", "place_id": "district:IQ.Kadhimiya"}
RIF_DIMASHQ = {**HOMS, "place_name": "Rif Dimashq", "place_id": "admin1:SY.08", "admin1": None, "geo_precision": "admin1"}


def incidents_of(result) -> list[list[str]]:
    groups = {}
    for mid, iid in result.incident_mentions.select("mention_id", "incident_id").iter_rows():
        groups.setdefault(iid, []).append(mid)
    return sorted(sorted(g) for g in groups.values())


def undated(mid, article, place, published, *, hours):
    """A report whose text gives no date: the day before publication or that day."""
    row = mention(mid, article, place, published, hours=hours)
    row["date_start"] = published - dt.timedelta(days=1)
    return row


def test_a_toll_revised_over_days_in_undated_reports_stays_one_incident():
    rows = [mention("m1", "a1", HOMS, D)] + [undated(f"m{n}", f"a{n}", HOMS, D + dt.timedelta(days=n), hours=24 * n)
                                             for n in (2, 3, 4)]
    assert incidents_of(resolve(rows)) == [["m1", "m2", "m3", "m4"]]


def test_undated_reports_do_not_bridge_attacks_their_reports_date_days_apart():
    rows = [mention("m1", "a1", HOMS, D), undated("m2", "a2", HOMS, D + dt.timedelta(days=2), hours=48),
            undated("m3", "a3", HOMS, D + dt.timedelta(days=3), hours=72),
            mention("m4", "a4", HOMS, D + dt.timedelta(days=4), hours=97)]
    result = resolve(rows)
    assert incidents_of(result) == [["m1", "m2", "m3"], ["m4"]]
    assert "states 2016-02-21, 4 days from this one" in result.incident_mentions.filter(
        pl.col("mention_id") == "m4")["reason"][0]


def test_an_overnight_attack_reported_over_three_days_stays_one_incident():
    rows = [mention("m1", "a1", HOMS, D), mention("m2", "a2", HOMS, D + dt.timedelta(days=1), hours=20),
            mention("m3", "a3", HOMS, D + dt.timedelta(days=2), hours=44)]
    assert incidents_of(resolve(rows)) == [["m1", "m2", "m3"]]


def test_a_city_level_report_does_not_bridge_two_districts():
    rows = [mention("m1", "a1", KARRADA, D), mention("m2", "a2", BAGHDAD, D, hours=1),
            mention("m3", "a3", KADHIMIYA, D, hours=2)]
    assert incidents_of(resolve(rows)) == [["m1", "m2"], ["m3"]]


def test_a_district_its_city_and_its_province_are_one_incident():
    rows = [mention("m1", "a1", ZAYNAB, D), mention("m2", "a2", DAMASCUS, D, hours=1),
            mention("m3", "a3", RIF_DIMASHQ, D, hours=2)]
    assert incidents_of(resolve(rows)) == [["m1", "m2", "m3"]]


def test_last_months_bombings_weeks_later_are_the_incident_of_that_day():
    reference = mention("m2", "a2", ZAYNAB, dt.date(2016, 2, 1), hours=24 * 17, precision="month", historical=True)
    assert incidents_of(resolve([mention("m1", "a1", ZAYNAB, D), reference])) == [["m1", "m2"]]


def test_incompatible_attack_types_or_claimants_stay_apart():
    assert not attack_types_compatible("air_strike", "suicide_bombing")
    assert attack_types_compatible("car_bomb", "suicide_bombing")
    result = resolve([mention("m1", "a1", HOMS, D, claimed="Islamic State"),
                      mention("m2", "a2", HOMS, D, hours=1, claimed="Nusra Front")])
    assert result.incidents.height == 2


def test_stated_dates_two_days_apart_in_one_district_stay_two():
    result = resolve([mention("m1", "a1", HOMS, D), mention("m2", "a2", HOMS, D + dt.timedelta(days=2), hours=50)])
    assert result.incidents.height == 2


def test_a_country_level_undated_mention_is_not_merged_on_place_alone():
    syria = {**HOMS, "place_name": "Syria", "place_id": "country:SY", "admin1": None, "geo_precision": "country"}
    undated = mention("m2", "a2", syria, D, hours=3)
    undated["date_start"] = D - dt.timedelta(days=1)
    result = resolve([mention("m1", "a1", HOMS, D), undated])
    assert result.incidents.height == 2
    assert "too little to match" in result.incident_mentions.filter(pl.col("mention_id") == "m2")["reason"][0]


def applied(before, after):
    """The tables as the warehouse holds them once `after` (an incremental resolution) is
    written over `before`: the rows of its incident and claim ids replaced."""
    incidents, claims = after.incident_ids, after.claim_ids
    return {
        "incidents": pl.concat([before["incidents"].filter(~pl.col("incident_id").is_in(incidents)), after.incidents]
                               ).sort("incident_id"),
        "incident_mentions": pl.concat([before["incident_mentions"].filter(~pl.col("incident_id").is_in(incidents)),
                                        after.incident_mentions]).sort("mention_id"),
        "claims": pl.concat([before["claims"].filter(~pl.col("claim_id").is_in(claims)), after.claims]).sort("claim_id"),
        "aggregate_links": pl.concat([before["aggregate_links"].filter(~pl.col("claim_id").is_in(claims)),
                                      after.aggregate_links]).sort("claim_id"),
    }


def whole(result):
    return {"incidents": result.incidents.sort("incident_id"), "incident_mentions": result.incident_mentions.sort("mention_id"),
            "claims": result.claims.sort("claim_id"), "aggregate_links": result.aggregate_links.sort("claim_id")}


def claim(cid, mid, article, value, *, hours=0, claimant=None):
    return {"claim_id": cid, "mention_id": mid, "article_id": article, "partition_date": D,
            "reported_at": T0 + dt.timedelta(hours=hours), "outlet": "Wire", "category": "killed", "value_low": value,
            "value_high": value, "qualifier": "exact", "raw_phrase": str(value), "claimant": claimant,
            "claimant_kind": "government" if claimant else "unattributed", "is_aggregate": False,
            "aggregate_mention_ids": None, "in_title": False, "evidence": "...", "char_start": 0, "char_end": 2}


def test_a_later_run_replays_the_unchanged_prefix_and_gives_only_the_incidents_it_touched():
    old_days = [mention("m1", "a1", HOMS, D), mention("m2", "a2", HOMS, D, hours=20),
                mention("m3", "a3", DAMASCUS, D, hours=22)]
    new_day = [mention("m4", "a4", ALEPPO, D, hours=40), mention("m5", "a5", HOMS, D, hours=41)]
    old_claims = [claim("c1", "m1", "a1", 10), claim("c2", "m2", "a2", 12, hours=20), claim("c3", "m3", "a3", 3, hours=22)]
    new_claims = [claim("c5", "m5", "a5", 14, hours=41, claimant="police")]
    first = resolve_incidents(pl.DataFrame(old_days, schema=EVENT_SCHEMA), pl.DataFrame(old_claims, schema=CLAIM_SCHEMA))
    assert first.replayed == 0 and first.state["mention_id"].to_list() == ["m1", "m2", "m3"]
    assert first.incident_ids is None  # from scratch: every row
    everything = pl.DataFrame(old_days + new_day, schema=EVENT_SCHEMA)
    claims = pl.DataFrame(old_claims + new_claims, schema=CLAIM_SCHEMA)
    fresh = resolve_incidents(everything, claims)
    nightly = resolve_incidents(everything, claims, previous=first.state)
    assert nightly.replayed == 3
    # Homs gained a report, Aleppo is new; Damascus is untouched and not given again
    homs, damascus = (first.incidents.filter(pl.col("place_name") == p)["incident_id"][0] for p in ("Homs", "Damascus"))
    assert homs in nightly.incident_ids and damascus not in nightly.incident_ids
    assert sorted(nightly.incidents["place_name"].to_list()) == ["Aleppo", "Homs"]
    assert sorted(nightly.claims["claim_id"].to_list()) == ["c1", "c2", "c5"]  # Homs's claims, with its new sources
    result = applied(whole(first), nightly)
    for name in ("incidents", "incident_mentions", "claims", "aggregate_links"):
        assert result[name].equals(whole(fresh)[name]), name
    assert nightly.state.equals(fresh.state)


def test_decisions_taken_by_other_rules_are_not_replayed(monkeypatch):
    """A change to the resolution or reconciliation code (its version) re-decides every
    mention: nothing an older rule decided survives in a nightly run."""
    import pipelines.resolve as resolve_module

    days = [mention("m1", "a1", HOMS, D), mention("m2", "a2", HOMS, D, hours=20)]
    claims = pl.DataFrame([claim("c1", "m1", "a1", 10)], schema=CLAIM_SCHEMA)
    first = resolve_incidents(pl.DataFrame(days, schema=EVENT_SCHEMA), claims)
    assert resolve_incidents(pl.DataFrame(days, schema=EVENT_SCHEMA), claims, previous=first.state).replayed == 2
    monkeypatch.setattr(resolve_module, "rules_version", lambda: "other rules")
    again = resolve_incidents(pl.DataFrame(days, schema=EVENT_SCHEMA), claims, previous=first.state)
    assert again.replayed == 0
    assert set(again.incident_ids) == set(first.incidents["incident_id"].to_list())
    assert again.claims["claim_id"].to_list() == ["c1"]


def test_the_rules_version_follows_the_resolution_and_the_reconciliation_code(monkeypatch):
    from pathlib import Path

    import pipelines.resolve as resolve_module

    now = resolve_module.rules_version()
    read = Path.read_bytes
    monkeypatch.setattr(Path, "read_bytes", lambda self: read(self) + (b"# a rule" if self.name == "reconcile.py" else b""))
    resolve_module.rules_version.cache_clear()
    try:
        assert resolve_module.rules_version() != now
    finally:
        monkeypatch.undo()
        resolve_module.rules_version.cache_clear()
    assert resolve_module.rules_version() == now


def test_a_changed_claim_of_an_unchanged_mention_redoes_its_incident():
    rows = [mention("m1", "a1", HOMS, D), mention("m2", "a2", DAMASCUS, D, hours=20)]
    claims = [claim("c1", "m1", "a1", 10), claim("c2", "m2", "a2", 4, hours=20)]
    first = resolve_incidents(pl.DataFrame(rows, schema=EVENT_SCHEMA), pl.DataFrame(claims, schema=CLAIM_SCHEMA))
    # re-extracted: the Damascus figure now has a source, a second one appeared
    claims[1] = claim("c2", "m2", "a2", 4, hours=20, claimant="police")
    claims.append(claim("c3", "m2", "a2", 6, hours=20, claimant="hospital"))
    now = pl.DataFrame(claims, schema=CLAIM_SCHEMA)
    damascus = first.incidents.filter(pl.col("place_name") == "Damascus")["incident_id"][0]
    changed = pl.DataFrame({"claim_id": ["c2", "c3"], "incident_id": [damascus, None]})
    again = resolve_incidents(pl.DataFrame(rows, schema=EVENT_SCHEMA), now, previous=first.state, changed_claims=changed)
    assert again.replayed == 2 and again.incident_ids == [damascus]
    assert again.incidents["n_sources"].to_list() == [2]
    fresh = resolve_incidents(pl.DataFrame(rows, schema=EVENT_SCHEMA), now)
    result = applied(whole(first), again)
    for name in ("incidents", "incident_mentions", "claims", "aggregate_links"):
        assert result[name].equals(whole(fresh)[name]), name


def test_a_changed_mention_ends_the_replay_where_it_sits():
    rows = [mention("m1", "a1", HOMS, D), mention("m2", "a2", HOMS, D, hours=20),
            mention("m3", "a3", HOMS, D, hours=22)]
    claims = pl.DataFrame(schema=CLAIM_SCHEMA)
    first = resolve_incidents(pl.DataFrame(rows, schema=EVENT_SCHEMA), claims)
    assert first.incidents.height == 1
    # re-extracted with a new extractor, the second report now places the attack in Damascus
    rows[1] = mention("m2", "a2", DAMASCUS, D, hours=20)
    changed = pl.DataFrame(rows, schema=EVENT_SCHEMA)
    again = resolve_incidents(changed, claims, previous=first.state)
    assert again.replayed == 1
    fresh = resolve_incidents(changed, claims)
    assert applied(whole(first), again)["incident_mentions"].equals(whole(fresh)["incident_mentions"])
    assert fresh.incidents.height == 2
    # a different day window changes every fingerprint: nothing is replayed
    wider = resolve_incidents(changed, claims, day_window=3, previous=again.state)
    assert wider.replayed == 0


def _archive(seed: int, days: int = 90, per_day: int = 4):
    """Mentions and claims of a made-up archive: several countries (and none), cities,
    provinces, dates stated by the day, month or year, historical references, claimed
    attacks, aggregates over earlier reports."""
    import random

    rng = random.Random(seed)
    places = [HOMS, DAMASCUS, ALEPPO, ZAYNAB,
              {**HOMS, "place_name": "Mosul", "place_id": "city:99072", "admin1": "Nineveh", "country": "Iraq",
               "country_code": "IQ", "latitude": 36.3},
              {**HOMS, "place_name": "Nineveh", "place_id": "admin1:IQ.15", "admin1": None, "country": "Iraq",
               "country_code": "IQ", "geo_precision": "admin1"},
              {key: None for key in HOMS}]
    start = dt.date(2016, 1, 1)
    rows, claims = [], []
    for n in range(days * per_day):
        day = start + dt.timedelta(days=n // per_day)
        event = day - dt.timedelta(days=rng.choice([0, 0, 1, 2, 9, 40]))
        precision = rng.choice(["day"] * 8 + ["month", "year"])
        row = mention(f"m{n:04d}", f"a{n // 2:04d}", rng.choice(places), event, hours=24 * (n // per_day) + n % per_day,
                      historical=rng.random() < 0.1, attack=rng.choice(["car_bomb", "suicide_bombing", "air_strike", None]),
                      claimed=rng.choice([None, None, None, "Islamic State"]))
        row.update(ordinal=n % 2, partition_date=day)
        if precision == "day" and rng.random() < 0.2:  # no date in the text: publication day and the one before
            row["date_start"] = event - dt.timedelta(days=1)
        elif precision != "day":
            row.update(date_precision=precision, date_start=event.replace(day=1) if precision == "month" else event.replace(month=1, day=1),
                       date_end=event)
        rows.append(row)
        claims.append(claim(f"c{n:04d}", row["mention_id"], row["article_id"], rng.randint(1, 90), hours=row["reported_at"].hour,
                            claimant=rng.choice([None, "police", "Islamic State"])))
        if n % 37 == 0 and n:
            earlier = [r["mention_id"] for r in rng.sample(rows, 3)]
            claims.append({**claim(f"g{n:04d}", None, row["article_id"], 300), "is_aggregate": True,
                           "aggregate_mention_ids": earlier})
    return rows, claims


@pytest.mark.parametrize("seed", [7, 8, 9, 10])
@pytest.mark.parametrize("new", [2, 6, 16])
def test_a_nightly_resolution_of_a_long_archive_equals_one_from_scratch(seed, new):
    """Only the incidents a new day's mentions can reach are rebuilt; the written result
    is still exactly a resolution from scratch, for new days, re-extracted old ones and
    changed claims."""
    rows, claims = _archive(seed)
    cut = len(rows) - new
    old_claims = [c for c in claims if c["mention_id"] is None or int(c["mention_id"][1:]) < cut]
    first = resolve_incidents(pl.DataFrame(rows[:cut], schema=EVENT_SCHEMA), pl.DataFrame(old_claims, schema=CLAIM_SCHEMA))
    everything = pl.DataFrame(rows, schema=EVENT_SCHEMA)
    now = pl.DataFrame(claims, schema=CLAIM_SCHEMA)
    new_ids = [c["claim_id"] for c in claims if c not in old_claims]
    nightly = resolve_incidents(everything, now, previous=first.state,
                                changed_claims=pl.DataFrame({"claim_id": new_ids, "incident_id": [None] * len(new_ids)},
                                                            schema={"claim_id": pl.String, "incident_id": pl.String}))
    fresh = resolve_incidents(everything, now)
    assert nightly.replayed == cut and len(nightly.incident_ids) < fresh.incidents.height / 4
    result = applied(whole(first), nightly)
    for name in ("incidents", "incident_mentions", "claims", "aggregate_links"):
        assert result[name].equals(whole(fresh)[name]), name
    assert nightly.state.equals(fresh.state)

    # an old article re-extracted with another place: the replay ends there, and an
    # aggregate spanning it is linked anew
    spanning = {**claim("g-old", None, rows[170]["article_id"], 200), "is_aggregate": True,
                "aggregate_mention_ids": [rows[20]["mention_id"], rows[150]["mention_id"]]}
    now = pl.DataFrame(claims + [spanning], schema=CLAIM_SCHEMA)
    before = resolve_incidents(everything, now)
    changed_rows = list(rows)
    # it now tells the event of an earlier report of another incident, so it moves there
    incident_of = dict(before.incident_mentions.select("mention_id", "incident_id").iter_rows())
    donor = next((r for r in reversed(rows[:150]) if r["date_precision"] == "day" and r["geo_precision"] == "city"
                  and r["article_id"] != rows[150]["article_id"]
                  and incident_of[r["mention_id"]] != incident_of[rows[150]["mention_id"]]), None)
    assert donor is not None, "the made-up archive has an earlier report of another incident"
    event = [*HOMS, "event_date", "date_start", "date_end", "date_precision", "is_historical", "attack_type",
             "perpetrator", "claimed_by"]
    changed_rows[150] = {**rows[150], **{key: donor[key] for key in event}}
    changed = pl.DataFrame(changed_rows, schema=EVENT_SCHEMA)
    again = resolve_incidents(changed, now, previous=before.state)
    assert again.replayed == 150
    link = again.aggregate_links.filter(pl.col("claim_id") == "g-old")["incident_ids"].to_list()
    assert link and link != before.aggregate_links.filter(pl.col("claim_id") == "g-old")["incident_ids"].to_list()
    result = applied(whole(before), again)
    for name in ("incidents", "incident_mentions", "claims", "aggregate_links"):
        assert result[name].equals(whole(resolve_incidents(changed, now))[name]), name
