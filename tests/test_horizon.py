"""ingest/proposer/horizon.py: time phrases -> horizon dates (phrases written for these tests)."""
import datetime
import timeit

import pytest

from ingest.proposer.horizon import Horizon, find_horizon, horizon_from_framing

D = datetime.date
MADE = D(2024, 3, 15)


@pytest.mark.parametrize("text, expected, phrase", [
    # years and year periods resolve to the end of the period
    ("AI will pass the bar in 2024", D(2024, 12, 31), "in 2024"),
    ("Robots will cook by 2031.", D(2031, 12, 31), "by 2031"),
    ("This happens by the end of 2026", D(2026, 12, 31), "by the end of 2026"),
    ("end of 2025", D(2025, 12, 31), "end of 2025"),
    ("Stagnation will occur by end-2027", D(2027, 12, 31), "by end-2027"),
    ("I guess 2035.", D(2035, 12, 31), "2035"),
    ("2026 will be the year of agents", D(2026, 12, 31), "2026"),
    ("before 2030", D(2029, 12, 31), "before 2030"),
    ("by 2030", D(2030, 12, 31), "by 2030"),
    ("until 2027", D(2027, 12, 31), "until 2027"),
    ("mid-2025", D(2025, 6, 30), "mid-2025"),
    ("in mid 2026", D(2026, 6, 30), "in mid 2026"),
    ("early 2025", D(2025, 4, 30), "early 2025"),
    ("late 2025", D(2025, 12, 31), "late 2025"),
    ("Q3 2025", D(2025, 9, 30), "Q3 2025"),
    ("by Q1 2026", D(2026, 3, 31), "by Q1 2026"),
    ("in the second quarter of 2025", D(2025, 6, 30), "in the second quarter of 2025"),
    ("H1 2025", D(2025, 6, 30), "H1 2025"),
    ("in the second half of 2025", D(2025, 12, 31), "in the second half of 2025"),
    ("the summer of 2025", D(2025, 8, 31), "the summer of 2025"),
    ("by the start of 2026", D(2025, 12, 31), "by the start of 2026"),
    ("~2027", D(2027, 12, 31), "~2027"),
    ("2026.00", D(2026, 12, 31), "2026.00"),
    ("by March 2025", D(2025, 3, 31), "by March 2025"),
    ("on March 5, 2025", D(2025, 3, 5), "March 5, 2025"),
    ("by 2025-06-30", D(2025, 6, 30), "by 2025-06-30"),
    ("by 2250", D(2250, 12, 31), "by 2250"),
    # ranges and alternatives: the later end
    ("by 2027 or 2028", D(2028, 12, 31), "by 2027 or 2028"),
    ("by 2030-2035", D(2035, 12, 31), "by 2030-2035"),
    ("robots will come 2030–2035", D(2035, 12, 31), "2030–2035"),
    ("between 2030 and 2040", D(2040, 12, 31), "between 2030 and 2040"),
    ("in 2027/28", D(2028, 12, 31), "in 2027/28"),
    # decades
    ("in the 2030s", D(2039, 12, 31), "in the 2030s"),
    ("by the late 2030s", D(2039, 12, 31), "by the late 2030s"),
    ("in the early 2030s", D(2033, 12, 31), "in the early 2030s"),
    # relative to made
    ("this year", D(2024, 12, 31), "this year"),
    ("This year, I expect more", D(2024, 12, 31), "This year"),
    ("next year", D(2025, 12, 31), "next year"),
    ("by the end of next year", D(2025, 12, 31), "by the end of next year"),
    ("this year or next", D(2025, 12, 31), "this year or next"),
    ("this year or next year", D(2025, 12, 31), "this year or next year"),
    ("this decade", D(2029, 12, 31), "this decade"),
    ("by the end of the decade", D(2029, 12, 31), "by the end of the decade"),
    ("by the end of the year", D(2024, 12, 31), "by the end of the year"),
    ("next month", D(2024, 4, 30), "next month"),
    ("this quarter", D(2024, 3, 31), "this quarter"),
    ("by June", D(2024, 6, 30), "by June"),
    ("by February", D(2025, 2, 28), "by February"),
    # durations: made + duration
    ("within three years", D(2027, 3, 15), "within three years"),
    ("in the next 3 years", D(2027, 3, 15), "in the next 3 years"),
    ("over the next twelve months", D(2025, 3, 15), "over the next twelve months"),
    ("in 18 months", D(2025, 9, 15), "in 18 months"),
    ("in a couple of years", D(2026, 3, 15), "in a couple of years"),
    ("in a few years", D(2027, 3, 15), "in a few years"),
    ("over the next few years", D(2027, 3, 15), "over the next few years"),
    ("within a decade", D(2034, 3, 15), "within a decade"),
    ("in the next decade", D(2034, 3, 15), "in the next decade"),
    ("within the next year", D(2025, 3, 15), "within the next year"),
    ("in 7.5 years", D(2031, 9, 15), "in 7.5 years"),
    ("in two and a half years", D(2026, 9, 15), "in two and a half years"),
    ("in twenty-five years", D(2049, 3, 15), "in twenty-five years"),
    ("three years from now", D(2027, 3, 15), "three years from now"),
    ("in six weeks", D(2024, 4, 26), "in six weeks"),
    ("5-10 years", D(2034, 3, 15), "5-10 years"),
    ("20 months to 15 years", D(2039, 3, 15), "20 months to 15 years"),
    ("over the next decade or two", D(2044, 3, 15), "over the next decade or two"),
    ("a child born today goes to college 17 years later", D(2041, 3, 15), "17 years later"),
    ("it looks more like five years than 50 years", D(2029, 3, 15), "five years"),
])
def test_resolves(text, expected, phrase):
    h = find_horizon(text, MADE)
    assert h is not None, text
    assert (h.date, h.phrase) == (expected, phrase)
    assert text[h.start:h.end] == h.phrase


@pytest.mark.parametrize("text", [
    "The model reached 1450 Elo on the arena",
    "A $2030 budget",
    "It will add $30T to the economy",
    "20% unemployment",
    "3.5% of GDP",
    "GPT-4 will be beaten",
    "1,000 tokens of context",
    "a 2048 token context window",
    "LMSYS highest rating above 2000",
    "a total of 2100 people",
    "Since 2020 AI has grown fast",
    "Back in 2019 nobody cared",
    "We have been doing this for 5 years",
    "five years ago this was impossible",
    "in the coming months",
    "soon",
    "in the near future",
    "in several years",
    "Tomorrow, you'll spin up agents",
    "Nothing about time in this sentence at all.",
    "",
])
def test_no_horizon(text):
    assert find_horizon(text, MADE) is None


@pytest.mark.parametrize("text, phrase, kind", [
    ("There is a good chance it can eventually be prevented", "eventually", "open"),
    ("someday all software will have it", "someday", "open"),
    ("over time, robot surgeons will operate better", "over time", "open"),
    ("in the long run it wins", "in the long run", "open"),
    ("P(AGI by ∞) is high", "by ∞", "open"),
    ("Powerful AI could come as early as 2026, though it could take longer", "as early as 2026", "lower_bound"),
    ("it's going to take at least a decade", "at least a decade", "lower_bound"),
    ("from 2026 onwards", "from 2026 onwards", "lower_bound"),
    ("2030 at the earliest", "2030 at the earliest", "lower_bound"),
    ('44 months after "weak AGI"', '44 months after "weak AGI"', "event"),
    ("it needs >50yr after weak AGI", ">50yr after weak AGI", "event"),
])
def test_no_date_classes(text, phrase, kind):
    h = find_horizon(text, MADE)
    assert h is not None
    assert (h.date, h.phrase, h.kind) == (None, phrase, kind)


@pytest.mark.parametrize("text, expected", [
    ("In 2023 we saw X; by 2025 Y will follow", D(2025, 12, 31)),
    ("adoption started in 2023, and it will expand very rapidly in 2024", D(2024, 12, 31)),
    ("by 2030 the gating factor will be judges, as in 2029", D(2030, 12, 31)),
    ("By 2030, eventually everything changes", D(2030, 12, 31)),  # a date beats an open phrase
    ("This was first said in 2019; it will happen in 2026", D(2026, 12, 31)),
    ("a $30T economy by 2040", D(2040, 12, 31)),
    ("Community predicts >30% chance of 95% depopulation by 2065.", D(2065, 12, 31)),
    ("The data center build-out reaches 3.5% of US GDP in 2026.", D(2026, 12, 31)),
    ("Could be two years, could be 10.", D(2026, 3, 15)),
    ("AGI might take 50 years, it might take 100 years", D(2124, 3, 15)),
])
def test_prefers_the_deadline(text, expected):
    assert find_horizon(text, MADE).date == expected


def test_past_year_only_when_alone():
    assert find_horizon("2018", MADE).date == D(2018, 12, 31)  # a quantile cell: the year as written
    assert find_horizon("in 2022 we launched it; in 2025 it will be big", MADE).phrase == "in 2025"


@pytest.mark.parametrize("text, phrase", [
    ("within three years", "within three years"),
    ("this year or next", "this year or next"),
    ("by June", "by June"),
    ("5-10 years", "5-10 years"),
])
def test_relative_without_made(text, phrase):
    h = find_horizon(text, None)
    assert h is not None and h.date is None and h.phrase == phrase
    # the phrase alone resolves later, once made is known
    assert find_horizon(h.phrase, MADE).date is not None


def test_absolute_without_made():
    assert find_horizon("by 2030", None).date == D(2030, 12, 31)


def test_datetime_made_and_leap_day():
    assert find_horizon("within a year", datetime.datetime(2024, 2, 29, 12)).date == D(2025, 2, 28)


def test_horizon_fields():
    h = find_horizon("AI wins by 2030.", MADE)
    assert h == Horizon(D(2030, 12, 31), "by 2030", 8, 15, "year")


@pytest.mark.parametrize("text, expected", [
    ("Predictions for 2027", D(2027, 12, 31)),
    ("AI in 2024: what to expect", D(2024, 12, 31)),
    ("Predictions (for end of 2025):", D(2025, 12, 31)),
    ("P(AGI by 2030)", D(2030, 12, 31)),
    ("P(AGI by this year) = 10%", D(2024, 12, 31)),
    ("3 year", D(2027, 3, 15)),
    ("5-year forecast", D(2029, 3, 15)),
    ("2025 predictions", D(2025, 12, 31)),
    ("9 Things AI Won't Do In 2025", D(2025, 12, 31)),
])
def test_framing(text, expected):
    assert horizon_from_framing(text, MADE).date == expected


@pytest.mark.parametrize("text", ["2023 in review", "Looking back at my 2023 predictions", "50% year", "Acknowledgements"])
def test_framing_none(text):
    assert horizon_from_framing(text, MADE) is None


def test_framing_without_made_keeps_phrase():
    h = horizon_from_framing("3 year", None)
    assert h.date is None and h.phrase == "3 year"


def test_fast_enough():
    sentences = [
        "Yeah, I can't see one that I disagree with, honestly, it is a very good list of things.",
        "So we talked about that on the show a while back and people seemed to like it a lot.",
        "I think vector databases are going to shine this year, and we'll have to see innovation there.",
        "Adoption started in 2023, and that's going to expand very rapidly in 2024 for those who keep up.",
    ] * 25
    per = timeit.timeit(lambda: [find_horizon(s, MADE) for s in sentences], number=3) / 3 / len(sentences)
    assert per < 500e-6  # generous for slow CI; typically ~15 us on transcript text, ~120 us with a year
