import pytest

from pipelines.nlp.numbers import find_figures, parse_figure, vague_table, words_to_int


@pytest.mark.parametrize(
    ("phrase", "low", "high", "qualifier"),
    [
        ("83", 83, 83, "exact"),
        ("1,200", 1200, 1200, "exact"),
        ("at least 83", 83, None, "at_least"),
        ("More than 140", 140, None, "more_than"),
        ("over 30", 30, None, "more_than"),
        ("up to 12", None, 12, "at_most"),
        ("as many as 40", None, 40, "at_most"),
        ("about 20", 20, 20, "about"),
        ("nearly 50", 50, 50, "about"),
        ("between 20 and 30", 20, 30, "range"),
        ("15-20", 15, 20, "range"),
        ("one or two", 1, 2, "range"),
        ("10 or 12", 10, 12, "range"),
        ("two or three hundred", 200, 300, "range"),
        ("two or three thousand", 2000, 3000, "range"),
        ("Thirty-nine", 39, 39, "exact"),
        ("a dozen", 12, 12, "exact"),
        ("two hundred", 200, 200, "exact"),
        ("one hundred and five", 105, 105, "exact"),
        ("dozens", 24, None, "vague"),
        ("scores", 40, None, "vague"),
        ("hundreds", 200, None, "vague"),
    ],
)
def test_parse_figure_gives_interval_and_qualifier(phrase, low, high, qualifier):
    figure = parse_figure(phrase)
    assert (figure.value_low, figure.value_high, figure.qualifier) == (low, high, qualifier)


def test_words_to_int_reads_compound_number_words():
    assert words_to_int("twenty-one") == 21
    assert words_to_int("three thousand four hundred") == 3400
    assert words_to_int("banana") is None


def test_vague_table_is_versioned_and_documented():
    table = vague_table()
    assert table["version"]
    assert table["lower_bounds"]["dozens"] == 24


def test_find_figures_reports_offsets_into_the_text():
    text = "Another 180 people were wounded and at least 83 killed."
    figures = find_figures(text)
    assert [(text[f.start:f.end], f.qualifier) for f in figures] == [("180", "exact"), ("at least 83", "at_least")]


@pytest.mark.parametrize(("text", "expected"), [
    # "A or B" that is no range: the first number alone
    ("a dozen or two villagers", [(12, 12, "exact", "a dozen")]),
    ("killed 30 or 20 people", [(30, 30, "exact", "30")]),
    ("in 2015 or 2016", [(2015, 2015, "exact", "2015")]),
])
def test_either_that_is_no_range_keeps_its_first_number(text, expected):
    assert [(f.value_low, f.value_high, f.qualifier, f.text) for f in find_figures(text)] == expected
