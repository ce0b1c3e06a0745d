import datetime as dt

import polars as pl

from pipelines.nlp.schema import CLAIM_SCHEMA, EVENT_SCHEMA
from pipelines.resolve import attack_types_compatible, resolve_incidents

T0 = dt.datetime(2016, 2, 21, 9, tzinfo=dt.UTC)
HOMS = {"place_name": "Homs", "place_id": "city:169577", "parent": None, "admin1": "Homs", "country": "Syria",
        "country_code": "SY", "latitude": 34.7, "longitude": 36.7, "geo_precision": "city"}
DAMASCUS = {**HOMS, "place_name": "Damascus", "place_id": "city:170654", "admin1": "Damascus", "latitude": 33.5}
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


def test_a_later_run_replays_the_unchanged_prefix_and_decides_only_the_rest():
    old_days = [mention("m1", "a1", HOMS, D), mention("m2", "a2", HOMS, D, hours=20),
                mention("m3", "a3", DAMASCUS, D, hours=22)]
    new_day = [mention("m4", "a4", ZAYNAB, D, hours=40), mention("m5", "a5", HOMS, D, hours=41)]
    claims = pl.DataFrame(schema=CLAIM_SCHEMA)
    first = resolve_incidents(pl.DataFrame(old_days, schema=EVENT_SCHEMA), claims)
    assert first.replayed == 0 and first.state["mention_id"].to_list() == ["m1", "m2", "m3"]
    everything = pl.DataFrame(old_days + new_day, schema=EVENT_SCHEMA)
    fresh = resolve_incidents(everything, claims)
    nightly = resolve_incidents(everything, claims, previous=first.state)
    assert nightly.replayed == 3
    for name in ("incidents", "incident_mentions", "claims", "aggregate_links", "state"):
        assert getattr(nightly, name).equals(getattr(fresh, name)), name


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
    assert again.incident_mentions.equals(resolve_incidents(changed, claims).incident_mentions)
    assert again.incidents.height == 2
    # a different day window changes every fingerprint: nothing is replayed
    wider = resolve_incidents(changed, claims, day_window=3, previous=again.state)
    assert wider.replayed == 0
