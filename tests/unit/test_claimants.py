from pipelines.nlp.claimants import ClaimantTracker, find_groups, normalise_claimant


def _pair(phrase):
    claimant = normalise_claimant(phrase)
    return claimant.name, claimant.kind


def test_organisations_are_normalised_with_a_kind():
    assert _pair("the Britain-based Syrian Observatory for Human Rights") == (
        "Syrian Observatory for Human Rights", "monitor")
    assert _pair("State TV") == ("state TV", "state_media")
    assert _pair("the Amaq news agency") == ("Amaq", "militant")
    assert _pair("a police spokesman") == ("police", "government")
    assert _pair("a spokesman for Lady Reading Hospital") == ("Lady Reading Hospital", "medical")
    assert _pair("interior ministry spokesman Nasrat Rahimi") == ("interior ministry", "government")
    assert _pair("the Iraqi health ministry") == ("health ministry", "medical")
    assert _pair("hospital officials") == ("hospital", "medical")


def test_state_run_agencies_keep_their_name_and_are_state_media():
    assert _pair("Egypt's state-run MENA news agency") == ("Egypt's state-run MENA news agency", "state_media")
    assert _pair("the official news agency") == ("official news agency", "state_media")
    assert _pair("an official") == ("official", "government")  # a person, not an adjective


def test_first_named_speaker_wins_in_a_coordinated_phrase():
    assert normalise_claimant("pro-government media outlets and a monitoring group").name == "pro-government media"


def test_generic_monitor_resolves_to_the_monitor_the_article_named():
    tracker = ClaimantTracker("... according to the Syrian Observatory for Human Rights ...")
    assert tracker.resolve("a monitoring group").name == "Syrian Observatory for Human Rights"


def test_pronoun_refers_to_the_previous_claimant():
    tracker = ClaimantTracker("")
    tracker.resolve("state TV")
    assert tracker.resolve("It").name == "state TV"


def test_attack_nouns_are_not_speakers():
    assert normalise_claimant("Suicide attacks") is None


def test_groups_longest_name_wins():
    text = "Islamic State Khorasan claimed it; the Taliban denied it."
    assert [g[2] for g in find_groups(text)] == ["Islamic State - Khorasan Province", "Taliban"]
