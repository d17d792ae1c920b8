"""ingest/proposer/probability.py: stated probabilities and hedge words (phrases written for these tests)."""
import pytest

from ingest.proposer.probability import Stated, confidence_words, stated_probability


@pytest.mark.parametrize("text, value, phrase", [
    ("70%", 0.7, "70%"),
    ("70 %", 0.7, "70 %"),
    ("There is an 80% chance of rain", 0.8, "80%"),
    ("a 30 percent chance it ships", 0.3, "30 percent"),
    ("a 30 per cent chance", 0.3, "30 per cent"),
    ("p=0.7", 0.7, "p=0.7"),
    ("P = .7", 0.7, "P = .7"),
    ("the probability is 0.25", 0.25, "0.25"),
    ("3 to 1", 0.75, "3 to 1"),
    ("3:1 odds", 0.75, "3:1 odds"),
    ("I'd bet 3 to 1 on it", 0.75, "3 to 1 on"),
    ("odds of 3 to 1 against", 0.25, "3 to 1 against"),
    ("1 in 4", 0.25, "1 in 4"),
    ("a one in four chance", 0.25, "one in four"),
    ("fifty-fifty", 0.5, "fifty-fifty"),
    ("It's 50/50 whether they ship", 0.5, "50/50"),
    ("basically a coin flip", 0.5, "a coin flip"),
    ("between 80% and 90%", 0.85, "between 80% and 90%"),
    ("P(AGI by 2100) is between 80% and 90% due to other risks", 0.85, "between 80% and 90%"),
    ("a 60-80% chance", 0.7, "60-80%"),
    (">30% chance", 0.3, ">30%"),
    ("<5%", 0.05, "<5%"),
    ("0.3%", 0.003, "0.3%"),
    ("but I say 0.3%", 0.003, "0.3%"),
    ("P(AGI by 2030) = 10%", 0.1, "10%"),
    ("I say 30%", 0.3, "30%"),
    ("I'd put it at 40%", 0.4, "40%"),
    ("I give it 60%", 0.6, "60%"),
    ("I'm 90% sure it happens", 0.9, "90%"),
    ("I'm 75% confident", 0.75, "75%"),
    ("I say 50% by 2100.", 0.5, "50%"),
    ("The forum says 34%, presumably based on AI.", 0.34, "34%"),
    ("Pundits predict >30% chance of 95% depopulation by 2065.", 0.3, ">30%"),
    ("this now means a 50% chance of AGI in the next 3 years!", 0.5, "50%"),
    # "statement: NN%" lines: the last percent after the last colon
    ("Transformative AI (15% unemployment or an equivalent impact): 4%", 0.04, "4%"),
    ("Top arena rating between 1400 and 1450: 5%", 0.05, "5%"),
    ("The 25% benchmark score has no hidden caveat: 85%", 0.85, "85%"),
    ("A model ships at <=40$/month (maybe with lower limits): 50%", 0.5, "50%"),
    ("A lab announces a new flagship: 70% ✅", 0.7, "70%"),
    ("We reach AGI: 5% (lol)", 0.05, "5%"),
    ("Some advance: ~65%", 0.65, "~65%"),
    # "Name NN%" and "<statement> NN%" items
    ("I say: Utopia 51%", 0.51, "51%"),
    ("Doom-Spiral 41%", 0.41, "41%"),
    ("The two good futures currently total 21%", 0.21, "21%"),
])
def test_stated(text, value, phrase):
    s = stated_probability(text)
    assert s is not None, text
    assert (s.value, s.phrase) == (pytest.approx(value), phrase)
    assert text[s.start:s.end] == s.phrase


@pytest.mark.parametrize("text", [
    "The build-out reaches 3.5% of US GDP in 2026.",
    "Benchmarks may approach or exceed 80–90% solution rates.",
    "Definitely less than 1%.",
    "Less than 10% of the work force will be replaced. Probably less than 5%.",
    "Revenue will grow 40% year over year",
    "a 10% increase in productivity",
    "20% unemployment by 2030",
    "Unemployment will reach 20%",
    "Reductions of 95% or more in mortality seem possible",
    "This is roughly 20% more likely under that condition",
    "1 in 4 Americans use a chatbot",
    "a 50/50 split of revenue",
    "the final score was 3 to 1",
    "I'd say 10 out of them. 10 out of 12, for sure.",
    "GPT-4 will be beaten",
    "It costs $30T",
    "150%",
    "no numbers here",
    "",
])
def test_quantities_are_not_probabilities(text):
    assert stated_probability(text) is None


def test_stated_fields():
    assert stated_probability("I say 30%") == Stated(0.3, "30%", 6, 9)


@pytest.mark.parametrize("text, expected", [
    ("I think it will likely happen", "I think; likely"),
    ("I'm pretty sure 2024 will be even better.", "I'm pretty sure"),
    ("It is likely that this platform will explode", "It is likely"),
    ("A major safety breach is anticipated", "is anticipated"),
    ("Extremely long contexts are expected.", "are expected"),
    ("AI will very likely do it", "very likely"),
    ("It will almost certainly happen", "almost certainly"),
    ("I expect more models", "I expect"),
    ("I predict 2035 for that", "I predict"),
    ("I'm predicting a crash", "I'm predicting"),
    ("It will probably change", "probably"),
    ("Research may uncover limits", "may"),
    ("We might begin to witness a race", "might"),
    ("This trend could foster new applications", "could"),
    ("I doubt it will ship", "I doubt"),
    ("I bet they ship it, and I'm confident about that", "I bet; I'm confident"),
    ("I do think eventually you do.", "I do think"),
    ("I don't think it will happen", "I don't think"),
    ("I'm not too sure", "I'm not too sure"),
    ("There is a good chance it can be prevented", "There is a good chance"),
    ("It will PROBABLY rain", "PROBABLY"),
    ("Could be two years, could be 10.", "Could be"),  # each hedge once, first spelling kept
    ("perhaps we will, perhaps not", "perhaps"),
])
def test_confidence_words(text, expected):
    assert confidence_words(text) == expected


@pytest.mark.parametrize("text", [
    "The release is planned for May 2025.",
    "Robots will cook and clean.",
    "The unlikelihood index",  # word boundaries: no 'likely' inside another word
    "",
])
def test_no_confidence_words(text):
    assert confidence_words(text) is None
