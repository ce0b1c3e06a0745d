import datetime as dt

from pipelines.nlp.dates import default_event_date, find_dates

SUNDAY = dt.date(2016, 2, 21)  # a Sunday


def one(text, published=SUNDAY):
    refs = find_dates(text, published)
    assert len(refs) == 1, refs
    return refs[0]


def test_on_sunday_in_a_sunday_paper_is_that_day():
    ref = one("The blasts on Sunday killed 83.")
    assert (ref.date_start, ref.precision, ref.is_historical) == (SUNDAY, "day", False)


def test_weekday_resolves_to_the_most_recent_such_day():
    ref = one("The attack on Friday killed 12.", published=dt.date(2016, 2, 23))  # a Tuesday
    assert ref.date_start == dt.date(2016, 2, 19)


def test_last_month_is_the_previous_month_with_month_precision_and_historical():
    ref = one("Suicide attacks last month killed 60 people.")
    assert (ref.date_start, ref.date_end, ref.precision, ref.is_historical) == (
        dt.date(2016, 1, 1), dt.date(2016, 1, 31), "month", True)


def test_hours_earlier_is_the_same_day():
    assert one("Hours earlier, a twin bomb attack hit Homs.").date_start == SUNDAY


def test_yesterday_is_the_day_before():
    assert one("A bomb exploded yesterday in Kabul.").date_start == dt.date(2016, 2, 20)


def test_explicit_dates_win_and_keep_their_year():
    ref = one("People gather in Sayyida Zeinab, Feb. 21, 2016.")
    assert ref.date_start == SUNDAY
    assert one("04/20/2016: Gunmen fired on a checkpoint.", published=dt.date(2016, 4, 21)).date_start == dt.date(2016, 4, 20)


def test_date_without_year_is_not_in_the_future():
    ref = one("The attack on December 30 killed nine.", published=dt.date(2016, 1, 2))
    assert ref.date_start == dt.date(2015, 12, 30)


def test_year_reference_has_year_precision():
    ref = one("A similar attack in 2014 killed 30.")
    assert (ref.precision, ref.date_start, ref.is_historical) == ("year", dt.date(2014, 1, 1), True)


def test_no_date_means_publication_day_or_the_day_before():
    ref = default_event_date(SUNDAY)
    assert (ref.date_start, ref.date_end, ref.event_date) == (dt.date(2016, 2, 20), SUNDAY, SUNDAY)
