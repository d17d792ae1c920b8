"""The rule-based proposer on small documents written for each rule: what it proposes, what it
leaves out, and what each candidate carries (quote verbatim, author, horizon, probability)."""
import datetime
import textwrap

import pytest
import yaml
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from ingest.cli import cli
from ingest.proposer import claims_yaml, propose
from ingest.read import read_source

MADE = datetime.date(2025, 1, 5)
TOPICS = [
    {"id": "agents", "name": "AI agents", "description": "Autonomous agents that use tools and act for people."},
    {"id": "open-models", "name": "Open models", "description": "Open-weight and open-source language models."},
    {"id": "regulation", "name": "Regulation", "description": "Laws and rules governing AI."},
]


def run(tmp_path, text, name="doc.md", made=MADE, **kwargs):
    path = tmp_path / name
    path.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
    document = read_source(path).document
    claims = propose(document, document_id="doc", made=made, topics=TOPICS, **kwargs)
    for claim in claims:  # every quote is verbatim, at the occurrence it names
        assert claim["quote"] in document.text
        assert document.text.count(claim["quote"]) >= claim.get("occurrence", 1)
    return claims


def iso(claims):
    """The claims with their dates as ISO text, to compare."""
    return [{k: v.isoformat() if isinstance(v, datetime.date) else v for k, v in c.items()} for c in claims]


def quotes(claims):
    return [c["quote"] for c in claims]


def test_statement_probability_lines(tmp_path):
    claims = iso(run(tmp_path, """
        # Predictions for 2025

        ## AI
        - ✅ OpenAI announces GPT-5: 70%
        - ❌ Transformative AI (20% unemployment or equivalent impact): 3%
        - Some open-weights model beats GPT-4 on LMSYS: 60%
    """))
    assert quotes(claims) == ["OpenAI announces GPT-5: 70%",
                              "Transformative AI (20% unemployment or equivalent impact): 3%",
                              "Some open-weights model beats GPT-4 on LMSYS: 60%"]
    assert [c["probability"] for c in claims] == [0.7, 0.03, 0.6]
    assert {c["horizon"] for c in claims} == {"2025-12-31"}
    assert all(c["horizon_inferred"] for c in claims)  # from the title, not the sentence
    assert claims[0]["statement"] == "OpenAI announces GPT-5"


def test_present_tense_items_of_a_predictions_list(tmp_path):
    claims = iso(run(tmp_path, """
        # My AI predictions for 2026

        - Agents book most business travel.
        - Open models close the gap with frontier models.
        - Regulators in the EU fine a lab for the first time.
        - Inference prices fall by half.
    """))
    assert len(claims) == 4
    assert claims[1]["topics"][:1] == ["open-models"]


def test_sentences_with_a_horizon_in_prose(tmp_path):
    claims = iso(run(tmp_path, """
        AI agents have come a long way. I expect AI agents to handle customer support end to end
        within three years. Last year I said agents would stall, and they did not.
    """))
    assert len(claims) == 1
    assert claims[0]["quote"].startswith("I expect AI agents")
    assert claims[0]["horizon"] == "2028-01-05"
    assert claims[0]["horizon_inferred"] is False
    assert "I expect" in claims[0]["confidence_words"]


@pytest.mark.parametrize("sentence", [
    "Last year I predicted that open models would win, and they did.",  # a look back
    "For example, imagine an AI agent that will book your flights.",  # a hypothetical
    "We must make sure AI models will be safe before release.",  # normative
    "Will AI agents replace software engineers by 2030?",  # a question
    "If you ignore AI agents, you're going to be left behind by 2030.",  # generic advice to the reader
    "And the AI agent will say --",  # broken off
    "I'll tell you why I think AI agents matter.",  # the speaker's plan
])
def test_exclusions(tmp_path, sentence):
    claims = iso(run(tmp_path, f"""
        # Thoughts on AI

        {sentence}

        AI labs will release open models with a million-token context by 2026.
    """))
    assert quotes(claims) == ["AI labs will release open models with a million-token context by 2026."]


def test_sections_that_hold_no_predictions(tmp_path):
    claims = iso(run(tmp_path, """
        # AI in 2025

        ## Forecasts
        - AI agents will be common in offices by the end of 2025.

        ## Acknowledgements
        Thanks to Ann, who will surely disagree about AI agents next year.
    """))
    assert quotes(claims) == ["AI agents will be common in offices by the end of 2025."]
    assert claims[0]["horizon"] == "2025-12-31"
    assert claims[0]["horizon_inferred"] is False


def test_summary_repeating_a_prediction_is_merged_keeping_the_fullest(tmp_path):
    claims = iso(run(tmp_path, """
        # AI outlook

        ## TL;DR
        - Open models will overtake closed models.

        ## Open models
        Open models will overtake closed models on the main leaderboards by the end of 2026.
    """))
    assert quotes(claims) == ["Open models will overtake closed models on the main leaderboards by the end of 2026."]


def test_relayed_prediction_is_flagged(tmp_path):
    claims = iso(run(tmp_path, """
        # Podcast notes on AI

        Sam thinks that AI agents will run whole companies by 2030.
    """))
    assert len(claims) == 1
    assert "RELAYED" in claims[0]["_why"]


def test_off_topic_predictions_dropped_in_a_mixed_document(tmp_path):
    claims = iso(run(tmp_path, """
        # Predictions for 2025

        ## Sports
        - The Mets win the World Series: 10%

        ## Tech
        - OpenAI releases GPT-5: 70%
    """))
    assert quotes(claims) == ["OpenAI releases GPT-5: 70%"]


def test_probability_table_cells(tmp_path):
    claims = iso(run(tmp_path, """
        # AGI timelines

        |    | P(AGI by 2030) | P(AGI by 2050) | P(AGI by this year) = 50% |
        |----|----------------|----------------|---------------------------|
        | F1 | 0.39           | 0.75           | 2034                      |
        | F2 | 0.2            | 0.5            | N/A                       |
        | stdev: | 0.1        | 0.2            | 3                         |
    """, made=datetime.date(2023, 1, 24)))
    by_quote = {c["quote"]: c for c in claims}
    first = by_quote["F1 | 0.39"]
    assert (first["probability"], first["horizon"]) == (0.39, "2030-12-31")
    assert by_quote["F1 | 0.39           | 0.75"]["probability"] == 0.75
    year = by_quote["F1 | 0.39           | 0.75           | 2034"]
    assert (year["probability"], year["horizon"]) == (0.5, "2034-12-31")
    assert len(claims) == 5  # F2's N/A and the stdev row are not forecasts
    assert "F1" in first["_why"]  # who: the row, for the curator to map


def test_transcript_speaker_is_the_author(tmp_path):
    authors = [{"id": "ann-lee", "name": "Ann Lee"}]
    claims = iso(run(tmp_path, """
        **Ann Lee:** \\[00:01:02\\] Welcome back. I think AI agents are going to be everywhere by 2026.

        **Bob Ray:** \\[00:01:10\\] Sure. Open models will win on price next year, in my view of AI.

        That's how I see the AI market going to shift, anyway, and the models will keep getting cheaper.
    """, authors=authors))
    assert [c.get("author") for c in claims[:1]] == ["ann-lee"]
    assert claims[0]["quote"] == "I think AI agents are going to be everywhere by 2026."
    assert "Bob Ray" in claims[1]["_why"]  # not in authors.yml: proposed as a new author
    assert claims[1]["horizon"] == "2026-12-31"
    assert all("Bob Ray" in c["_why"] for c in claims[1:])  # an unlabelled paragraph continues the turn


def test_signed_sections(tmp_path):
    authors = [{"id": "piero-molino", "name": "Piero Molino"}, {"id": "travis-addair", "name": "Travis Addair"}]
    claims = iso(run(tmp_path, """
        We asked our team about AI in 2024. Here is what they think.
        1. Small language models will drive enterprise AI adoption
        Small language models will drive a shift in the AI landscape, as enterprises adopt them this year.
        Piero Molino
        Chief Scientific Officer and cofounder, previously at the AI Lab at Uber
        2. Mixtures of LoRA adapters will beat larger models
        The stage is set: mixture-of-LoRA models will climb the LLM leaderboards in 2024 and stay there.
        Travis Addair
        Chief Technology Officer and cofounder, creator of the LoRAX serving framework
    """, name="doc.txt", made=datetime.date(2024, 1, 1), authors=authors))
    assert {c["quote"]: c.get("author") for c in claims} == {
        "Small language models will drive enterprise AI adoption": "piero-molino",
        "Small language models will drive a shift in the AI landscape, as enterprises adopt them this year.": "piero-molino",
        "Mixtures of LoRA adapters will beat larger models": "travis-addair",
        "The stage is set: mixture-of-LoRA models will climb the LLM leaderboards in 2024 and stay there.": "travis-addair",
    }


def test_mathematical_letters_in_a_heading_frame_the_horizon(tmp_path):
    claims = iso(run(tmp_path, """
        ## 𝐌𝐲 𝐀𝐈 𝐏𝐫𝐞𝐝𝐢𝐜𝐭𝐢𝐨𝐧𝐬 𝐟𝐨𝐫 𝟐𝟎𝟐𝟕

        - Robots will fold laundry in ordinary homes.
    """))
    assert claims[0]["horizon"] == "2027-12-31"
    assert claims[0]["horizon_inferred"] is True


def test_the_same_words_twice_are_two_items_with_occurrence(tmp_path):
    claims = iso(run(tmp_path, """
        # LLM predictions for 2025
        - LMSYS top rating between 1450 and 1500: 20%
        - LMSYS top rating between 1450 and 1500: 20%
    """))
    assert [c.get("occurrence", 1) for c in claims] == [1, 2]


def test_claims_file_is_valid_yaml_with_why_and_a_resolution_stub(tmp_path):
    claims = run(tmp_path, """
        # AI predictions for 2025
        - AI agents will book travel for most office workers: 30%
    """)
    text = claims_yaml(claims, header="# header")
    assert "# why: a statement with its probability" in text
    assert "#   - {verdict: , resolved: " in text
    loaded = yaml.safe_load(text)
    assert loaded[0]["quote"] == "AI agents will book travel for most office workers: 30%"
    assert loaded[0]["probability"] == 0.3
    assert loaded[0]["made"] == datetime.date(2025, 1, 5)  # written unquoted, as the seeds write dates


def test_propose_command_uses_the_ledger(tmp_path):
    """`hindsight propose` on a seed document: made and author come from documents.yml."""
    result = CliRunner().invoke(cli, ["propose", "seeds/documents/000_5326e3d299a7a98b.txt"])
    assert result.exit_code == 0, result.output
    claims = yaml.safe_load(result.output)
    assert len(claims) >= 5
    assert {c["made"] for c in claims} == {datetime.date(2024, 1, 8)}
    assert {c.get("author") for c in claims} == {"anonymous-blogger"}
    assert sum(1 for c in claims if c.get("horizon") == datetime.date(2024, 12, 31)) >= 3


def test_an_item_opening_its_sub_items_completes_them(tmp_path):
    claims = iso(run(tmp_path, """
        # What AI will look like in 2026
        - Models will become
          - Cheaper: the price of a million tokens will halve again.
          - Smaller: a phone will run a model as good as today's best.
    """))
    assert quotes(claims) == ["Cheaper: the price of a million tokens will halve again.",
                              "Smaller: a phone will run a model as good as today's best."]
    assert claims[0]["statement"] == "Models will become cheaper: the price of a million tokens will halve again."


def test_table_cells_with_several_items_keep_row_and_column(tmp_path):
    """A saved page's table of text forecasts: each item a claim, its row the author, its column the horizon."""
    from pathlib import Path

    page = Path(__file__).parent / "fixtures" / "readers" / "page.html"
    claims = iso(run(tmp_path, page.read_text(encoding="utf-8"), name="page.html"))
    by_quote = {c["quote"]: c for c in claims}
    assert by_quote["Robots fold laundry at home."]["horizon"] == "2026-12-31"
    assert "author: Alpha" in by_quote["Self-driving taxis reach ten cities."]["_why"]
    assert "author: Beta" in by_quote["GPU prices fall."]["_why"]
    assert "No change." not in by_quote and "Mars sample returns." not in by_quote  # not forecasts about AI


PIECES = ["# Predictions for 2026", "## Acknowledgements", "- AI agents will book travel: 60%", "  - ... and pay for it: 40%",
          "| who | 2030 |", "|---|---|", "| F1 | 0.4 |", "| mean: | 0.3 <br> 0.5 |", "**Ann Lee:** \\[00:01:02\\] I think models will win.",
          "> \"Robots will fold laundry.\" [..] she said", "1. Number one, \"LLMs become cheap.\"", "<!-- a comment", "-->",
          "```", "code will run", "Some text. Another sentence? Yes! e.g. this.", "", "", "   ", "|", "- ", "#", "[^1]: By 2030 50%"]


@settings(max_examples=300, deadline=None)
@given(lines=st.lists(st.sampled_from(PIECES) | st.text(max_size=40), max_size=30))
def test_any_document_gives_verbatim_quotes(lines):
    """Whatever the document holds, propose does not fail and every quote is in its text, verbatim."""
    from ingest.readers.base import ReadDocument, render_text

    markdown = "\n".join(lines) + "\n"
    text, sections = render_text(markdown)
    document = ReadDocument("markdown", markdown, text, sections, {})
    for claim in propose(document, document_id="doc", made=MADE, topics=TOPICS):
        assert claim["quote"] and claim["quote"] in text
        assert 0 <= claim.get("probability", 0) <= 1


def test_probability_on_its_own_line_after_the_prediction(tmp_path):
    claims = iso(run(tmp_path, """
        # AI forecasts for 2026

        OpenAI will release GPT-6 this year.
        Probability: 30%

        Anthropic will release a model that beats it.
        0.25
    """))
    assert [(c["quote"], c["probability"]) for c in claims] == [
        ("OpenAI will release GPT-6 this year.", 0.3), ("Anthropic will release a model that beats it.", 0.25)]


def test_a_section_its_author_says_holds_no_predictions(tmp_path):
    claims = iso(run(tmp_path, """
        # AI in 2026

        ## Hopes
        These are not predictions, just hopes. AI tutors will reach every child.

        ## Forecasts
        AI tutors will reach a million children by the end of 2026.
    """))
    assert quotes(claims) == ["AI tutors will reach a million children by the end of 2026."]


def test_a_lead_in_clause_stays_with_its_forecast(tmp_path):
    """', I say 50%' after another's forecast is the author's answer; after a lead-in it is one sentence."""
    claims = iso(run(tmp_path, """
        # AI notes

        - Community prediction of 2041 is way too early, I say 50% by 2100.
        - As models improve on reasoning, I predict that labs will claim AGI.
    """))
    assert quotes(claims) == ["Community prediction of 2041 is way too early", "I say 50% by 2100.",
                              "As models improve on reasoning, I predict that labs will claim AGI."]


def test_a_hedge_in_the_words_table_is_left_for_the_build_to_price(tmp_path):
    """The words table is data: a hedge it lists marks the claim probability_source: words (the build
    maps it); a hedge it lacks, a stated number or no hedge leave the source unset."""
    words = {"very likely": 0.95, "likely": 0.83}
    claims = run(tmp_path, """
        # Outlook

        Open models will very likely match GPT-4 on every benchmark by 2026.

        Regulators will probably fine an AI lab for the first time by 2027.

        AI agents will book most business travel by 2028.

        There is a 70% chance that inference prices will fall by half by 2026.
    """, words=words)
    by_start = {c["quote"].split()[0]: c for c in claims}
    assert set(by_start) == {"Open", "Regulators", "AI", "There"}
    hedged = by_start["Open"]
    assert hedged["probability_source"] == "words" and "probability" not in hedged
    assert "probability 0.95 from 'very likely'" in hedged["_why"]
    assert all("probability_source" not in by_start[k] for k in ("Regulators", "AI", "There"))
    assert by_start["There"]["probability"] == 0.7
    assert all("probability_source" not in c for c in run(tmp_path, "Open models will very likely win by 2026.\n"))


@pytest.mark.parametrize("sentence, relayed", [
    ("I predict that we will begin to hear some Artificial General Intelligence claims by 2025.", False),
    ("Sam Altman claims that AGI will arrive by 2027.", True),
])
def test_claims_as_a_noun_relays_no_one(tmp_path, sentence, relayed):
    claims = run(tmp_path, f"# Outlook\n\n{sentence}\n")
    assert len(claims) == 1
    assert ("RELAYED" in claims[0]["_why"]) is relayed
    assert ("General Intelligence" in claims[0]["_why"]) is False
