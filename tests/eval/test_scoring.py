"""Unit tests of the evaluation scorer's pure parts (eval/matching.py, eval/score.py).

Small in-memory examples only: the pipeline is never run here. One test reads a tiny
hand-built warehouse and is skipped when the duckdb package is not installed.
"""

import datetime as dt
import json
import sys
from datetime import date
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[2]
if str(REPO_ROOT) not in sys.path:
    sys.path.insert(0, str(REPO_ROOT))

from eval.matching import (  # noqa: E402
    ATTACK_TYPES,
    CLAIMANT_KINDS,
    DATE_PRECISIONS,
    QUALIFIERS,
    Figure,
    attack_type_matches,
    canonical_country,
    country_matches,
    date_matches,
    figure_matches,
    gold_figure,
    is_positive,
    name_matches,
    outcome,
    place_matches,
    qualified_figure_matches,
    summarise,
)
from eval.score import (  # noqa: E402
    GOLD_PATH,
    SETS,
    FIELDS,
    Prediction,
    article_incident_id,
    claim_figure,
    main_claim,
    predicted_city,
    read_predictions,
    score_field,
    score_rows,
    write_archive,
)

# --- countries -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "gold, predicted",
    [
        ("Syria", "Syrian Arab Republic"),
        ("United States", "USA"),
        ("United States", "U.S."),
        ("united states", "US"),
        ("Democratic Republic of the Congo", "DR Congo"),
        ("Myanmar", "Burma"),
        ("Côte d'Ivoire", "Ivory Coast"),
        ("Cote d'Ivoire", "côte d’ivoire"),
        ("Palestine", "West Bank and Gaza Strip"),
        ("Palestinian Territories", "Palestine"),
        ("Philippines", "the Philippines"),
        ("Turkey", "Türkiye"),
        ("AFGHANISTAN", "afghanistan"),
    ],
)
def test_country_aliases_match(gold, predicted):
    assert country_matches(gold, predicted)


@pytest.mark.parametrize(
    "gold, predicted",
    [("Niger", "Nigeria"), ("Iraq", "Iran"), ("Sudan", "South Sudan"), ("Syria", None), (None, "Syria")],
)
def test_country_mismatches(gold, predicted):
    assert not country_matches(gold, predicted)


def test_canonical_country_of_blank_is_none():
    assert canonical_country("  ") is None


# --- places ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "gold, predicted",
    [
        ("Hasakah", "Al-Hasakah"),
        ("Raqqa", "ar-Raqqah"),
        ("Wurzburg", "Würzburg"),
        ("Baghlani Jadid district", "Baghlani Jadid"),
        ("Deir ez-Zor", "Deir al-Zour"),
        ("Sayyida Zaynab", "Sayeda Zeinab"),
        ("Kyiv", "Kiev"),
        ("Khyber Pakhtunkhwa", "KPK"),
        ("Donetsk", "Donetsk Oblast"),
        ("Jammu and Kashmir", "Jammu & Kashmir"),
        ("Mogadishu", "Muqdisho"),
        ("Diyarbakir", "Diyarbakır"),
        ("Mihtarlam", "Mehtar Lām"),
        ("Hilla", "Al Hillah"),
        ("Muqdadiya", "Muqdadiyah"),
    ],
)
def test_place_names_match_after_normalisation(gold, predicted):
    assert place_matches(gold, predicted)


@pytest.mark.parametrize(
    "gold, predicted",
    [("Kabul", "Kandahar"), ("Homs", "Hama"), ("Gao", "Goa"), ("Quetta", None), (None, None), ("Hila", "Hilla")],
)
def test_place_names_that_differ(gold, predicted):
    assert not place_matches(gold, predicted)


# --- names -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "gold, predicted",
    [
        ("Syrian Observatory for Human Rights", "the Observatory"),
        ("Syrian Observatory for Human Rights", "SOHR"),
        ("police", "a police spokesman"),
        ("health ministry", "the Ministry of Health"),
        ("interior minister", "Interior Ministry"),
        ("Islamic State", "ISIS militants"),
        ("Islamic State Khorasan Province", "ISKP"),
        ("al-Shabaab", "Al Shabab"),
        ("Houthis", "Houthi rebels"),
        ("Maoists", "Maoist rebels"),
        ("United States", "US"),
    ],
)
def test_names_contain_match_either_way(gold, predicted):
    assert name_matches(gold, predicted)
    assert name_matches(predicted, gold)


@pytest.mark.parametrize(
    "gold, predicted",
    [
        ("health ministry", "he"),  # whole tokens only, not substrings
        ("defence ministry", "Taliban"),
        ("Boko Haram", "Islamic State"),
        ("police", None),
        (None, "police"),
    ],
)
def test_names_that_do_not_match(gold, predicted):
    assert not name_matches(gold, predicted)


# --- attack types ----------------------------------------------------------------------


def test_attack_type_taxonomy_and_synonyms():
    assert attack_type_matches("car_bomb", "Car Bomb")
    assert attack_type_matches("air_strike", "airstrike")
    assert attack_type_matches("suicide_bombing", "suicide attack")
    assert not attack_type_matches("car_bomb", "ied")
    assert not attack_type_matches("armed_assault", None)


def test_attack_type_dataset_vocabulary_is_loose():
    assert attack_type_matches("Explosion", "suicide_bombing", dataset_vocabulary=True)
    assert attack_type_matches("Bombing/Explosion", "car_bomb", dataset_vocabulary=True)
    assert attack_type_matches("Assault", "armed_assault", dataset_vocabulary=True)
    assert attack_type_matches("Hostage Taking (Kidnapping)", "kidnapping", dataset_vocabulary=True)
    assert not attack_type_matches("Explosion", "armed_assault", dataset_vocabulary=True)
    assert not attack_type_matches("Unknown", "bombing", dataset_vocabulary=True)


# --- dates -----------------------------------------------------------------------------


def test_dates_compare_at_the_label_precision():
    assert date_matches("2016-02-21", date(2016, 2, 21))
    assert not date_matches("2016-02-21", "2016-02-20")
    assert date_matches("2016-01-01", "2016-01-17", "month")
    assert not date_matches("2016-01-01", "2016-02-01", "month")
    assert date_matches("2015-01-01", "2015-09-30", "year")
    assert date_matches("2019-01-25", "2019-01-30", "week")
    assert not date_matches("2019-01-25", "2019-02-05", "week")
    assert not date_matches("2016-02-21", None)
    assert not date_matches("2016-02-21", "not a date")


# --- figures ---------------------------------------------------------------------------


def test_gold_figure_reads_both_label_shapes():
    assert gold_figure(15) == Figure(15, None)
    assert gold_figure({"value": 83, "qualifier": "at_least"}) == Figure(83, "at_least")
    assert gold_figure({"value": None, "qualifier": "vague"}) == Figure(None, "vague")
    assert gold_figure(None) is None


def test_positive_figures():
    assert is_positive(Figure(1))
    assert is_positive(Figure(None, "vague"))
    assert not is_positive(Figure(0, "exact"))
    assert not is_positive(None)


def test_figure_match_rules():
    assert figure_matches(Figure(83, "at_least"), Figure(83, "exact"))
    assert not figure_matches(Figure(83, "at_least"), Figure(84, "at_least"))
    # "more than 140" may be stored as 140 or as the interval's low end, 141
    assert figure_matches(Figure(140, "more_than"), Figure(141, "more_than"))
    assert figure_matches(Figure(140, "more_than"), Figure(140, "more_than"))
    assert not figure_matches(Figure(140, "exact"), Figure(141, "exact"))
    assert figure_matches(Figure(None, "vague"), Figure(24, "vague"))
    assert not figure_matches(Figure(None, "vague"), Figure(24, "exact"))
    assert not figure_matches(Figure(12, "exact"), None)


def test_qualified_figure_needs_value_and_qualifier():
    assert qualified_figure_matches(Figure(30, "at_most"), Figure(30, "at_most"))
    assert not qualified_figure_matches(Figure(30, "at_most"), Figure(30, "exact"))
    assert not qualified_figure_matches(Figure(30, "at_most"), Figure(29, "at_most"))


def test_claim_figure_uses_value_high_for_up_to():
    assert claim_figure({"value_low": None, "value_high": 30, "qualifier": "at_most"}) == Figure(30, "at_most")
    assert claim_figure({"value_low": 0, "value_high": 30, "qualifier": "at_most"}) == Figure(30, "at_most")
    assert claim_figure({"value_low": 83, "value_high": None, "qualifier": "at_least"}) == Figure(83, "at_least")
    assert claim_figure({"value_low": 10, "value_high": 15, "qualifier": "range"}) == Figure(10, "range")


# --- P / R / accuracy ------------------------------------------------------------------


def test_summarise_arithmetic():
    outcomes = [
        outcome(True, True, True),    # right
        outcome(True, True, False),   # wrong value
        outcome(True, False, False),  # missed
        outcome(False, True, False),  # spurious, label means "none"
        outcome(False, False, False),  # rightly empty
        outcome(False, True, False, absent_is_known=False),  # label not coded: out of scope
    ]
    s = summarise(outcomes)
    assert (s["n"], s["gold"], s["predicted"], s["correct"]) == (5, 3, 3, 1)
    assert s["precision"] == pytest.approx(1 / 3, abs=1e-4)
    assert s["recall"] == pytest.approx(1 / 3, abs=1e-4)
    assert s["accuracy"] == pytest.approx(2 / 5)


def test_summarise_empty_denominators_are_none():
    s = summarise([outcome(True, False, False)])
    assert s["precision"] is None and s["recall"] == 0 and s["accuracy"] == 0
    assert summarise([])["accuracy"] is None


def test_outcome_cannot_be_correct_without_prediction():
    assert not outcome(True, False, True).correct


# --- which claim and incident stand for an article -------------------------------------


def _claim(claim_id, value, *, category="killed", kind="government", aggregate=False, incident="i1", qualifier="exact"):
    return {
        "claim_id": claim_id, "category": category, "value_low": value, "value_high": None,
        "qualifier": qualifier, "claimant": "x", "claimant_kind": kind,
        "is_aggregate": aggregate, "incident_id": incident,
    }


def test_main_claim_is_largest_non_aggregate():
    claims = [_claim("a", 59), _claim("b", 83, incident="i2"), _claim("c", 140, aggregate=True, incident=None)]
    assert main_claim(claims, "killed")["claim_id"] == "b"
    assert main_claim(claims, "wounded") is None


def test_main_claim_sets_militant_claims_aside_unless_alone():
    claims = [_claim("gov", 12), _claim("tal", 40, kind="militant")]
    assert main_claim(claims, "killed")["claim_id"] == "gov"
    assert main_claim([_claim("tal", 40, kind="militant")], "killed")["claim_id"] == "tal"


def test_main_claim_accepts_vague_claims_without_value():
    claims = [_claim("v", None, qualifier="vague")]
    assert main_claim(claims, "killed")["claim_id"] == "v"


def test_article_incident_falls_back_to_any_claim():
    assert article_incident_id([_claim("a", 5, incident="i1"), _claim("b", 9, incident="i2")]) == "i2"
    claims = [_claim("k", 9, incident=None), _claim("w", 3, category="wounded", incident="i7")]
    assert article_incident_id(claims) == "i7"
    assert article_incident_id([_claim("k", 9, incident=None)]) is None


def test_article_without_figures_takes_the_incident_of_its_latest_mention():
    mentions = [
        {"mention_id": "m1", "incident_id": "old", "event_date": dt.date(2016, 1, 1)},
        {"mention_id": "m2", "incident_id": "today", "event_date": dt.date(2016, 2, 21)},
    ]
    assert article_incident_id([], mentions) == "today"
    assert article_incident_id([_claim("k", 9, incident="i1")], mentions) == "i1"  # a claim's incident wins
    assert article_incident_id([], []) is None


def test_predicted_city_skips_admin1_and_country_level_places():
    assert predicted_city({"place_name": "Baghdad", "admin1": "Baghdad", "country": "Iraq"}) == "Baghdad"
    assert predicted_city({"place_name": "Marib", "geo_precision": "admin1", "country": "Yemen"}) is None
    assert predicted_city({"place_name": "Syria", "country": "Syrian Arab Republic"}) is None
    assert predicted_city(None) is None


# --- per-row scoring semantics ---------------------------------------------------------

_KILLED = next(spec for spec in FIELDS if spec.name == "killed")
_CITY = next(spec for spec in FIELDS if spec.name == "city")


def _row(killed, city="Quetta", scorable=None):
    row = {"id": "r1", "text": "t", "gold": {"killed": killed, "city": city}}
    if scorable is not None:
        row["scorable"] = scorable
    return row


def test_gold_zero_is_a_hit_when_no_figure_above_zero():
    nothing = Prediction(found=True)
    zero = Prediction(found=True, claims=[_claim("z", 0)])
    three = Prediction(found=True, claims=[_claim("t", 3)])
    for config in SETS.values():
        assert score_field(_KILLED, _row(0), nothing, config)[0].hit
        assert score_field(_KILLED, _row(0), zero, config)[0].hit
        assert not score_field(_KILLED, _row(0), three, config)[0].hit


def test_null_label_means_none_in_gold_set_and_not_coded_in_dev_set():
    prediction = Prediction(found=True, incident={"place_name": "Quetta", "country": "Pakistan"})
    gold_outcome = score_field(_CITY, _row(3, city=None), prediction, SETS["gold"])[0]
    dev_outcome = score_field(_CITY, _row(3, city=None), prediction, SETS["dev"])[0]
    assert gold_outcome.in_scope and not gold_outcome.hit
    assert not dev_outcome.in_scope


def test_alternative_labels_also_count():
    row = {"id": "r", "text": "t", "gold": {"city": "Quetta", "alternatives": {"city": ["Kuetta Cantonment"]}}}
    prediction = Prediction(found=True, incident={"place_name": "Kuetta Cantonment", "country": "Pakistan"})
    assert score_field(_CITY, row, prediction, SETS["gold"])[0].correct
    del row["gold"]["alternatives"]
    assert not score_field(_CITY, row, prediction, SETS["gold"])[0].correct


def test_unscorable_rows_are_left_out():
    assert score_field(_KILLED, _row(5, scorable={"killed": False}), Prediction(), SETS["dev"]) is None


def test_score_rows_reports_zero_row_false_positives_and_failures():
    rows = [
        {"id": "a", "text": "x " * 300, "gold": {"killed": {"value": 0, "qualifier": "exact"}}},
        {"id": "b", "text": "y", "gold": {"killed": {"value": 7, "qualifier": "exact"}}},
    ]
    predictions = {
        "a": Prediction(found=True, claims=[_claim("a1", 2)]),
        "b": Prediction(found=True, claims=[_claim("b1", 7)]),
    }
    report = score_rows(rows, predictions, SETS["gold"])
    assert report["zero_rows"]["killed"] == {"n": 1, "false_positives": 1, "false_positive_rate": 1.0}
    assert report["fields"]["killed"]["correct"] == 1
    assert [f["id"] for f in report["failures"]["killed"]] == ["a"]
    assert len(report["failures"]["killed"][0]["excerpt"]) <= 221


# --- archive ---------------------------------------------------------------------------


def test_write_archive_puts_one_article_per_day_folder(tmp_path):
    rows = [
        {"id": "g1", "published": "2016-02-21", "title": "T", "text": "Body one."},
        {"id": "wiki/2", "published": "2016-02-21", "text": "Body two."},
    ]
    write_archive(rows, tmp_path)
    files = sorted(p.relative_to(tmp_path).as_posix() for p in tmp_path.rglob("*.jsonl"))
    assert files == ["2016-02-21/g1.jsonl", "2016-02-21/wiki_2.jsonl"]
    first = json.loads((tmp_path / "2016-02-21" / "g1.jsonl").read_text())
    assert first == {"id": "g1", "url": "eval://g1", "text": "Body one.", "title": "T"}
    assert "title" not in json.loads((tmp_path / "2016-02-21" / "wiki_2.jsonl").read_text())


# --- the gold set itself ---------------------------------------------------------------


def test_gold_set_is_well_formed():
    rows = [json.loads(line) for line in GOLD_PATH.read_text(encoding="utf-8").splitlines() if line.strip()]
    assert len(rows) >= 70
    assert len({r["id"] for r in rows}) == len(rows)
    for row in rows:
        gold = row["gold"]
        assert 40 <= len(row["text"].split()) <= 250, row["id"]
        published = date.fromisoformat(row["published"])
        for category in ("killed", "wounded"):
            figure = gold[category]
            if figure is not None:
                assert figure["qualifier"] in QUALIFIERS, row["id"]
                assert (figure["value"] is None) == (figure["qualifier"] == "vague"), row["id"]
        assert gold["attack_type"] in ATTACK_TYPES, row["id"]
        assert gold["claimant_kind"] in CLAIMANT_KINDS or gold["killed"] is None, row["id"]
        assert (gold["event_date"] is None) == (gold["date_precision"] is None), row["id"]
        if gold["event_date"]:
            assert gold["date_precision"] in DATE_PRECISIONS, row["id"]
            assert date.fromisoformat(gold["event_date"]) <= published, row["id"]
        assert gold["country"], row["id"]
        for key, names in gold.get("alternatives", {}).items():
            assert key in {"country", "admin1", "city"} and all(isinstance(n, str) for n in names), row["id"]


# --- reading a warehouse ---------------------------------------------------------------


def test_read_predictions_from_contract_tables(tmp_path):
    duckdb = pytest.importorskip("duckdb")
    path = tmp_path / "w.duckdb"
    con = duckdb.connect(str(path))
    con.execute("create table articles (article_id varchar, url varchar)")
    con.execute(
        "create table claims (claim_id varchar, article_id varchar, incident_id varchar, category varchar,"
        " value_low integer, value_high integer, qualifier varchar, claimant varchar,"
        " claimant_kind varchar, is_aggregate boolean)"
    )
    con.execute(
        "create table incidents (incident_id varchar, event_date date, date_precision varchar,"
        " place_name varchar, admin1 varchar, country varchar, attack_type varchar,"
        " perpetrator varchar, claimed_by varchar)"
    )
    con.execute(
        "create table incident_mentions (mention_id varchar, incident_id varchar, article_id varchar,"
        " event_date date)"
    )
    con.execute("insert into articles values ('A', 'eval://g1'), ('g2', 'https://elsewhere'), ('B', 'eval://g4')")
    con.execute("insert into incident_mentions values ('m9', 'I1', 'B', date '2016-02-21')")
    con.execute(
        "insert into claims values"
        " ('c1', 'A', 'I1', 'killed', 83, null, 'at_least', 'state TV', 'state_media', false),"
        " ('c2', 'A', 'I2', 'killed', 59, null, 'exact', 'the Observatory', 'monitor', false),"
        " ('c3', 'A', null, 'killed', 140, null, 'more_than', null, 'unattributed', true)"
    )
    con.execute(
        "insert into incidents values ('I1', date '2016-02-21', 'day', 'Sayeda Zeinab',"
        " 'Rif Dimashq', 'Syria', 'suicide_bombing', null, 'Islamic State')"
    )
    con.close()

    predictions = read_predictions(path, [{"id": "g1"}, {"id": "g2"}, {"id": "g3"}, {"id": "g4"}])
    assert predictions["g1"].found and predictions["g1"].incident["place_name"] == "Sayeda Zeinab"
    assert claim_figure(predictions["g1"].main_claim("killed")) == Figure(83, "at_least")
    assert predictions["g2"].found and predictions["g2"].incident is None  # matched on article_id
    assert not predictions["g3"].found
    assert predictions["g4"].incident["incident_id"] == "I1"  # no figure: the incident its mention joined
