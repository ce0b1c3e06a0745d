"""Where an event happened: the place rules of pipelines/nlp/extract.py on the full pipeline.

The texts are ours, written in the styles the rules are for (wire datelines, GTD-style
"place, province, country" chains, short encyclopedia summaries).
"""

import polars as pl
import pytest

from pipelines.nlp.extract import extract_articles, stated_country
from tests.conftest import make_article


def event_places(nlp, text: str) -> list[tuple[str | None, str | None, str | None]]:
    events, _claims = extract_articles(nlp, [make_article(text)])
    return [(e["country"], e["place_name"], e["admin1"]) for e in events.to_dicts()]


def test_a_chain_ending_in_a_country_names_the_country():
    text = "Gunmen attacked a market in Tripoli, Lebanon."
    assert stated_country(text, text.index("Tripoli") + len("Tripoli")) == "LB"
    assert stated_country(text, text.index("market") + len("market")) is None
    chain = "Assailants attacked Darwesh Kalay district, Paktia, Afghanistan."
    assert stated_country(chain, chain.index("Darwesh") + len("Darwesh")) == "AF"


def test_a_shared_city_name_is_read_in_the_country_the_chain_names(nlp):
    places = event_places(nlp, "A roadside bomb killed 4 soldiers on a patrol in Tripoli, Lebanon.")
    assert places == [("Lebanon", "Tripoli", "North Lebanon")]


@pytest.mark.parametrize("text, expected", [
    # a district the gazetteer lacks, kept inside the province the chain names
    ("04/12/2016: Gunmen raided Darwesh Kalay district, Paktia, Afghanistan. Three police "
     "officers died and six villagers were wounded in the raid.",
     ("Afghanistan", "Darwesh Kalay district", "Paktia")),
    # a village named first in the chain is the place
    ("04/12/2016: Assailants attacked Qala Bagh, Kunduz, Afghanistan. Two assailants were killed "
     "and five others were injured in the clash.",
     ("Afghanistan", "Qala Bagh", "Kunduz")),
])
def test_the_first_name_of_a_gtd_style_chain_is_the_place(nlp, text, expected):
    assert event_places(nlp, text) == [expected]


def test_a_person_named_like_a_city_is_not_a_place(nlp):
    # "Ahmad" is a GeoNames alternate name of Al Ahmadi (Kuwait)
    text = ("A magnetic bomb stuck to the car of Haji Ahmad Karimi exploded in Herat city, "
            "Herat province, Afghanistan, wounding 3 people.")
    assert event_places(nlp, text) == [("Afghanistan", "Herat", "Herat")]


def test_a_name_inside_a_longer_unknown_name_is_not_a_gazetteer_place(nlp):
    # "Dara" alone is a Syrian city; Chahar Dara District, in a northern Afghan province, is not in Syria
    text = ("Gunmen killed 9 farmers in a northern Afghan area of Chahar Dara District on Monday, "
            "police said.")
    assert event_places(nlp, text) == [("Afghanistan", "Chahar Dara District", None)]


def test_a_victims_nationality_is_not_where_the_attack_happened(nlp):
    text = ("A suicide bomber struck a checkpoint, killing 9 people, among them two Turkish construction workers. "
            "Al Shabaab claimed responsibility for the attack.")
    assert [p[0] for p in event_places(nlp, text)] == ["Somalia"]


def test_an_article_naming_no_place_falls_back_on_the_groups_usual_country(nlp):
    text = "A motorcycle bomb went off outside a bakery, killing 14 people. Officials blamed the YPG."
    assert [p[0] for p in event_places(nlp, text)] == ["Syria"]


def test_a_demonym_before_a_title_points_to_its_country(nlp):
    # the two-word window must not hide "Kenyan" behind "Kenyan Interior"
    text = "Gunmen fired on the convoy of the Kenyan Interior Minister, killing 2 bodyguards."
    assert [p[0] for p in event_places(nlp, text)] == ["Kenya"]


def test_an_attack_without_a_figure_is_still_an_event_where_it_happened(nlp):
    text = "The shootings took place late at night in two cafes in the centre of Bielefeld."
    events, claims = extract_articles(nlp, [make_article(text)])
    assert claims.height == 0
    assert [(e["country"], e["place_name"], e["attack_type"]) for e in events.to_dicts()] == [
        ("Germany", "Bielefeld", "armed_assault")]


def test_organisation_names_do_not_place_the_event(nlp):
    text = ("Militants stopped a minibus of the Mecca Transport Company on the road to Mandera, "
            "killing 8 passengers in Mandera county, Kenya.")
    assert {p[0] for p in event_places(nlp, text)} == {"Kenya"}


@pytest.mark.parametrize("text, expected", [
    ("A man with a knife killed 2 worshippers outside a chapel in the old town of Nice on Thursday.", "Nice"),
    ("The mayor of Nice said 2 people were wounded when a man drove into a cafe terrace.", "Nice"),
])
def test_a_city_that_is_an_english_word_is_read_after_a_preposition(nlp, text, expected):
    assert [p[1] for p in event_places(nlp, text)] == [expected]


def test_a_nice_day_is_not_nice(nlp):
    places = event_places(nlp, "Nice weather brought crowds out when a bomb killed 5 people in Kabul.")
    assert [p[1] for p in places] == ["Kabul"]


def test_country_names_are_written_as_analysts_write_them(nlp):
    places = event_places(nlp, "Two tourists were wounded in a knife attack outside a museum in Amsterdam on Friday.")
    assert places[0][0] == "Netherlands"


def test_in_total_is_one_events_toll_unless_several_attacks_are_summed(nlp):
    one = extract_articles(nlp, [make_article(
        "Over two weeks, parcel bombs were left at front doors in the suburbs of Leeds. In total, "
        "4 parcel bombs went off, killing 1 person and injuring another six.")])[1]
    assert sorted(zip(one["category"], one["value_low"], one["is_aggregate"])) == [
        ("killed", 1, False), ("wounded", 6, False)]
    several = extract_articles(nlp, [make_article(
        "Suicide bombers struck markets in Kabul and Kandahar on Sunday. In total, the attacks "
        "killed 60 people, officials said.")])[1]
    assert several.filter(several["value_low"] == 60)["is_aggregate"].to_list() == [True]


def test_the_perpetrator_is_the_group_the_article_blames_when_the_event_sentences_name_none(nlp):
    events, _claims = extract_articles(nlp, [make_article(
        "A bomb hidden in a parked motorcycle exploded near a market in Jolo on Friday, killing 7 "
        "people, the military said. An army spokesman blamed Abu Sayyaf militants for the attack.")])
    assert events["perpetrator"].to_list() == ["Abu Sayyaf"]
    events, _claims = extract_articles(nlp, [make_article(
        "Russian shelling killed two civilians in Kramatorsk on Wednesday, officials said.")])
    assert events["perpetrator"].to_list() == ["Russian forces"]


def test_where_troops_are_stationed_is_not_where_the_attack_was(nlp):
    text = ("Militants raided a police post near the border, killing 6 officers. The group said the "
            "raid avenged Kenyan soldiers deployed in Somalia.")
    assert [p[0] for p in event_places(nlp, text)] == ["Kenya"]


@pytest.mark.parametrize("text, expected", [
    # "Idlib province" is the province (there is a bigger city Idlib): the town stays the place
    ("Air strikes on a market in the town of Maarat al-Numan in Syria's Idlib province killed "
     "at least 12 civilians on Monday.", ("Syria", "Maarat al-Numan", "Idlib")),
    # "Portland, Oregon": the Portland in Oregon, and Oregon the state, not Oregon, Ohio
    ("A pipe bomb exploded at an office building in Portland, Oregon, on Sunday, injuring 2 people.",
     ("United States", "Portland", "Oregon")),
])
def test_a_kind_word_or_a_following_province_says_which_place_a_name_is(nlp, text, expected):
    assert event_places(nlp, text) == [expected]


def _claims(nlp, text, title=None):
    _events, claims = extract_articles(nlp, [make_article(text, title=title)])
    return [(c["category"], c["value_low"], c["in_title"], c["claimant"]) for c in claims.to_dicts()]


def test_a_bare_figure_repeating_an_attributed_one_takes_its_source(nlp):
    text = ("The death toll from Monday's car bombing at a bus station in Kirkuk rose to 34 on Tuesday, "
            "a provincial police spokesman said. Dozens more were wounded.")
    claims = _claims(nlp, text, title="Kirkuk bus station bombing toll rises to 34")
    assert ("killed", 34, True, "police") in claims and ("killed", 34, False, "police") in claims


def test_an_undated_headline_repeating_a_late_toll_speaks_of_the_attack_the_body_dates(nlp):
    """Weeks after an attack, "toll rises to 97" in the headline is that attack's toll,
    not a new event on the day of publication."""
    text = ("The death toll from the January 14 bombing at a bus station in Kirkuk has risen to 97, "
            "a provincial health official said on Thursday. Dozens of the wounded are still in hospital.")
    events, claims = extract_articles(nlp, [make_article(text, title="Kirkuk bus station bombing toll rises to 97",
                                                         published="2016-02-11T09:00:00+00:00")])
    assert events.height == 1
    assert events.row(0, named=True)["event_date"].isoformat() == "2016-01-14"
    assert claims.filter(pl.col("value_low") == 97)["mention_id"].n_unique() == 1


def test_a_sentence_opening_on_in_a_place_gives_that_places_toll(nlp):
    text = ("A suicide bomber killed 30 people at a police station in Mosul on Sunday, officials said. "
            "In Kirkuk, where a car bomb struck a market hours before the attack in Mosul, "
            "police said the toll had risen to 19.")
    events, claims = extract_articles(nlp, [make_article(text, title="Bombings in northern Iraq")])
    place_of = dict(events.select("mention_id", "place_name").iter_rows())
    assert {(c["value_low"], place_of[c["mention_id"]]) for c in claims.to_dicts()} == {(30, "Mosul"), (19, "Kirkuk")}


def test_a_bare_figure_stays_unattributed_when_two_sources_state_it(nlp):
    text = ("Police said 12 people were killed in the blast at the market in Kirkuk on Monday. "
            "Hospital officials also said 12 people were killed.")
    claims = _claims(nlp, text, title="Market blast in Kirkuk kills 12")
    assert ("killed", 12, True, None) in claims


def test_hundreds_killed_by_a_group_since_last_year_is_not_this_attacks_toll(nlp):
    text = ("Up to 15 villagers were killed when gunmen raided a village near Oicha overnight, the army said. "
            "It blamed a militia that has killed hundreds of civilians in the area since last year.")
    _events, claims = extract_articles(nlp, [make_article(text)])
    vague = claims.filter(claims["qualifier"] == "vague").to_dicts()
    assert vague and all(c["is_aggregate"] and not c["aggregate_mention_ids"] for c in vague)


def test_a_sentence_about_the_bomb_describes_the_articles_one_event(nlp):
    text = ("Eleven mourners were killed when a bomb went off at a funeral in Bannu on Friday, police said. "
            "Investigators said the bomb, packed with nails, had been hidden in a bag near the gate.")
    events, _claims = extract_articles(nlp, [make_article(text)])
    assert [e["attack_type"] for e in events.to_dicts()] == ["ied"]


def test_a_group_that_denies_or_praises_an_attack_is_not_its_perpetrator(nlp):
    text = ("A suicide bomber killed 14 people at a wedding hall in Jalalabad on Saturday, officials said. "
            "No group claimed the attack, and the Taliban denied any role in it.")
    events, _claims = extract_articles(nlp, [make_article(text)])
    assert [e["perpetrator"] for e in events.to_dicts()] == [None]
    text = ("Gunmen killed five bus passengers near Reasi on Sunday, police said. "
            "Police blamed Lashkar-e-Taiba, which denied involvement.")  # blamed all the same
    events, _claims = extract_articles(nlp, [make_article(text)])
    assert [e["perpetrator"] for e in events.to_dicts()] == ["Lashkar-e-Taiba"]


def test_a_district_of_a_named_province_lies_in_that_province(nlp):
    text = ("Taliban fighters attacked a police post in Zabul province's Shinkay district on Tuesday, "
            "killing six policemen, a provincial spokesman said.")
    assert event_places(nlp, text) == [("Afghanistan", "Shinkay district", "Zabul")]
