"""The attack-type taxonomy (pipelines/nlp/attack_types.py): rules on our own sentences."""

import pytest

from pipelines.nlp.attack_types import ATTACK_TYPES, classify_attack, count_attacks


@pytest.mark.parametrize("text, code", [
    ("A suicide bomber blew himself up at the gate of the shrine.", "suicide_bombing"),
    ("A bomb hidden in a parked motorcycle exploded near the market.", "car_bomb"),
    ("A fuel tanker rigged with explosives blew up in the square.", "car_bomb"),
    ("A homemade bomb planted in a rubbish bin exploded near a checkpoint.", "ied"),
    ("A pipe bomb left at the door of the office exploded.", "ied"),
    ("Military jets bombed a camp for displaced people.", "air_strike"),
    ("Guided bombs struck a shopping centre in the city.", "air_strike"),
    ("Mortar rounds hit the market.", "shelling"),
    ("A man threw a grenade into the crowd outside the church.", "bombing"),
    ("Militants ambushed a convoy with rifles and rocket-propelled grenades.", "armed_assault"),
    ("Fighters overran a military base north of the city.", "armed_assault"),
    ("A bomb exploded outside the court.", "bombing"),
    ("Police said the bomb, wrapped in plastic, had been hidden in a sack of onions.", "ied"),
    ("Insurgents fired on a minibus carrying pilgrims.", "armed_assault"),
    ("A man fired shots at the parliament building and wounded a guard.", "armed_assault"),
    ("Militants beheaded two farmers in their fields.", "armed_assault"),
    ("The minister was assassinated outside his home.", "assassination"),
    ("Gunmen abducted 27 students from a school.", "kidnapping"),
    ("The meeting ended without agreement.", None),
])
def test_classify_attack(text, code):
    assert classify_attack(text) == code


def test_specific_types_outrank_generic_ones_when_an_event_has_several_sentences():
    # _event_row takes the first code of ATTACK_TYPES among the event's sentences
    assert ATTACK_TYPES.index("air_strike") < ATTACK_TYPES.index("bombing")
    assert ATTACK_TYPES.index("kidnapping") < ATTACK_TYPES.index("armed_assault")  # GTD's hierarchy


def test_count_attacks():
    assert count_attacks("Four blasts hit the district.") == 4
    assert count_attacks("A twin bombing struck the city.") == 2
    assert count_attacks("A bomb exploded.") is None
