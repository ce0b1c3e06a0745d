"""The casualty_matcher component on spacy.blank("en"): rules that need no statistical model."""

import pytest
import spacy

from pipelines.nlp.casualties import figures_of


@pytest.fixture(scope="module")
def blank():
    import pipelines.nlp.casualties  # noqa: F401  (registers the factory)

    nlp = spacy.blank("en")
    nlp.add_pipe("sentencizer")
    nlp.add_pipe("casualty_matcher")
    return nlp


def figures(nlp, text):
    return [(f.category, f.value_low, f.value_high, f.qualifier, f.text) for f in figures_of(nlp(text))]


def test_figure_before_casualty_word(blank):
    assert figures(blank, "At least 83 people were killed in four bomb attacks.") == [
        ("killed", 83, None, "at_least", "At least 83")]


def test_another_n_wounded_is_a_wounded_figure(blank):
    assert figures(blank, "Another 180 people were wounded.") == [("wounded", 180, 180, "exact", "180")]


def test_verb_before_figure(blank):
    assert figures(blank, "A twin attack hit the city of Homs, killing 59.") == [("killed", 59, 59, "exact", "59")]


def test_headline_form(blank):
    assert figures(blank, "Car bomb kills 17 in Mogadishu") == [("killed", 17, 17, "exact", "17")]


def test_toll_revision_keeps_the_new_figure(blank):
    assert figures(blank, "The death toll rose from 30 to 83 on Monday.") == [("killed", 83, 83, "exact", "83")]


def test_number_words_and_vague_quantifiers(blank):
    assert figures(blank, "Thirty-nine people were killed and dozens were injured.") == [
        ("killed", 39, 39, "exact", "Thirty-nine"), ("wounded", 24, None, "vague", "dozens")]


def test_conjoined_categories(blank):
    assert figures(blank, "Three guards were killed and four injured.") == [
        ("killed", 3, 3, "exact", "Three"), ("wounded", 4, 4, "exact", "four")]


def test_parenthetical_subset_is_skipped_and_main_figure_kept(blank):
    assert figures(blank, "Seven people, including two children, were killed.") == [("killed", 7, 7, "exact", "Seven")]


def test_singular_victim_counts_one(blank):
    assert figures(blank, "A police officer was killed in the blast.") == [("killed", 1, 1, "exact", "A")]


@pytest.mark.parametrize(
    "text",
    [
        "Four blasts hit the district.",
        "It said two of the blasts were car bombs.",
        "The attack was about a kilometer from the shrine.",
        "They were among the deadliest in five years of civil war.",
        "A 25-year-old man was arrested in 2015.",
        "Two of the dead were children.",
        "At least 40 people were killed or wounded.",
        "The embassy said 4 US citizens were among the dead.",
        "Three police officers are also among the wounded.",
    ],
)
def test_numbers_that_are_not_casualty_figures(blank, text):
    assert [f for f in figures(blank, text) if f[0] in {"killed", "wounded"}] == []


def test_no_one_hurt_is_a_zero_not_a_one(blank):
    assert figures(blank, "A small bomb exploded in the bus station. No one was killed.") == [("killed", 0, 0, "exact", "No one was killed")]
    assert [f[:2] for f in figures(blank, "The bomb damaged two cars but injured no one.")] == [("wounded", 0)]
    assert [f[:2] for f in figures(blank, "There were no reported casualties.")] == [("killed", 0), ("wounded", 0)]


def test_gtd_counts_the_attacker_and_the_one_named_beside_a_figure(blank):
    assert figures(blank, "The bomber blew herself up, killing 14 worshippers in addition to herself.")[0][1] == 15
    assert figures(blank, "The car bomb exploded, killing 13 police officers and a civilian.")[0][1] == 14


def test_feared_dead_and_shot_dead(blank):
    assert figures(blank, "Up to 30 soldiers were feared dead.") == [("killed", None, 30, "at_most", "Up to 30")]
    assert figures(blank, "Gunmen shot dead 11 villagers at a market.") == [("killed", 11, 11, "exact", "11")]


# --- on the full pipeline (tags and the parse) -------------------------------------------


@pytest.mark.parametrize("text, expected", [
    ("A shopkeeper was stabbed to death and 3 customers were wounded in the attack.",
     [("killed", 1), ("wounded", 3)]),
    ("An assailant stabbed 1 guard to death and injured 2 visitors at the museum gate.",
     [("killed", 1), ("wounded", 2)]),  # the assailant is the attacker, not a victim
    ("A man stabbed a woman in the street.", [("wounded", 1)]),
    ("Rahimi, a district councillor, was killed and three bystanders were injured in the explosion.",
     [("killed", 1), ("wounded", 3)]),
    ("Noori, a provincial court judge, was killed and his two guards were wounded.",
     [("killed", 1), ("wounded", 2)]),
])
def test_single_victims_named_or_stabbed(nlp, text, expected):
    assert [(f.category, f.value_low) for f in figures_of(nlp(text))] == expected


@pytest.mark.parametrize("text, expected", [
    ("The device damaged a shop front; no 1 was injured, police said.", [("wounded", 0)]),
    ("No guards or bystanders were injured when the gunman fired at the gate.", [("wounded", 0)]),
    ("No soldiers or passengers were hurt, though 1 driver sustained a minor injury.",
     [("killed", 0), ("wounded", 1)]),  # "hurt": nobody killed either
    ("A soldier suffered a minor injury.", [("wounded", 1)]),  # one casualty word, one figure
])
def test_zero_and_single_injuries(nlp, text, expected):
    assert [(f.category, f.value_low) for f in figures_of(nlp(text))] == expected


@pytest.mark.parametrize("text, expected", [
    # the subject far from its verb: "rose from 32 to 40" kept only "rose to N" before
    ("The death toll from Sunday's car bombing in Kirkuk rose from 32 to 40, police said.", [("killed", 40, "40")]),
    # a toll revised down: the old figure is larger, so "40 to 32" is no range
    ("Police revised the death toll from the Kirkuk bombing down from 40 to 32 on Monday.", [("killed", 32, "32")]),
    ("Officials put the toll from the blast in Kirkuk at 27 on Monday.", [("killed", 27, "27")]),
])
def test_a_revised_toll_is_its_new_figure_wherever_the_toll_is_named(nlp, text, expected):
    assert [(f.category, f.value_low, f.text) for f in figures_of(nlp(text))] == expected


@pytest.mark.parametrize("text, expected", [
    ("Six soldiers, six civilians and a police officer were killed.",
     [("killed", 13, 13, "exact", "Six soldiers, six civilians and a police officer")]),
    ("The blast killed three soldiers and two children.", [("killed", 5, 5, "exact", "three soldiers and two children")]),
    ("At least 12 soldiers and four civilians were killed.",
     [("killed", 16, None, "at_least", "At least 12 soldiers and four civilians")]),
    ("Two soldiers and a civilian were wounded.", [("wounded", 3, 3, "exact", "Two soldiers and a civilian")]),
    # a total and its breakdown: the total is the figure, its parts are no claims of their own
    ("40 people, 6 security personnel and 34 civilians, were killed.", [("killed", 40, 40, "exact", "40")]),
    # parts that do not fit under the total, two places: not one list of victims
    ("40 people, 6 soldiers and 50 civilians were killed.",
     [("killed", 40, 40, "exact", "40"), ("killed", 6, 6, "exact", "6"), ("killed", 50, 50, "exact", "50")]),
    ("A week of attacks killed 30 people, 12 soldiers and 10 policemen.",
     [("killed", 30, 30, "exact", "30"), ("killed", 12, 12, "exact", "12"), ("killed", 10, 10, "exact", "10")]),
    ("Gunmen killed 20 people in Damascus and 30 in Homs.",
     [("killed", 20, 20, "exact", "20"), ("killed", 30, 30, "exact", "30")]),
    # a member that is not one number: no exact sum ("one or two" is a range of its own)
    ("One or two soldiers and three civilians were killed.",
     [("killed", 1, 2, "range", "One or two"), ("killed", 3, 3, "exact", "three")]),
])
def test_a_list_of_victims_is_one_figure_their_sum(nlp, text, expected):
    assert figures(nlp, text) == expected


@pytest.mark.parametrize("text, expected", [
    ("Gunmen killed 14 people. Children were among the dead.", [("killed", 14, 14, "exact", "14")]),
    ("A bomb killed 14 people in Kirkuk. Two children were among the dead.", [("killed", 14, 14, "exact", "14")]),
])
def test_among_the_dead_in_the_next_sentence_leaves_the_toll(nlp, text, expected):
    assert figures(nlp, text) == expected
