"""The proposer's evaluation (python -m bench.propose) scores what it should, on a corpus made here."""
import json
import textwrap

from bench.propose import main, normalise, similarity

DOCUMENT = textwrap.dedent("""
    ---
    title: AI predictions for 2026
    date: 2026-01-02
    author: Ann Lee
    ---

    - AI agents will book most business travel: 60%
    - **Open models** will match the best closed model on LMSYS.
    - Robots fold laundry at home.

    I had a nice holiday, thanks for asking.
""").lstrip()

LABELS = """
- quote: "AI agents will book most business travel: 60%"
  headline: true
  author: Ann Lee
  horizon: "2026"
  probability: 0.6
  confidence_words: null
- quote: "**Open models** will match the best closed model on LMSYS."
  headline: true
  author: null
  horizon: "2026"
  probability: null
  confidence_words: null
- quote: "Robots fold laundry at home."
  headline: true
  author: null
  horizon: null
  probability: 0.9
  confidence_words: null
- quote: "Quantum computers break RSA."
  headline: true
  author: null
  horizon: null
  probability: null
  confidence_words: null
"""


def test_evaluation_counts_recall_precision_and_fields(tmp_path, capsys):
    corpus = tmp_path / "corpus"
    (corpus / "labels").mkdir(parents=True)
    (corpus / "post.md").write_text(DOCUMENT, encoding="utf-8")
    (corpus / "labels" / "post.md.yml").write_text(LABELS, encoding="utf-8")
    out = tmp_path / "rows.json"
    assert main(["--no-seeds", "--corpus", str(corpus), "--json", str(out)]) == 0
    (row,) = next(iter(json.loads(out.read_text()).values()))
    assert (row["headline"], row["headline_found"]) == (4, 3)  # the RSA label is not in the text
    assert row["candidates"] == 3 and row["candidates_real"] == 3  # the holiday line is not proposed
    assert (row["author_known"], row["author_right"]) == (1, 1)  # from the front matter
    assert (row["horizon_known"], row["horizon_right"]) == (2, 2)
    assert (row["probability_known"], row["probability_right"]) == (2, 1)  # 0.9 is not stated
    assert row["misses"] == ["Quantum computers break RSA."]
    assert "recall" in capsys.readouterr().out


def test_matching_ignores_markup_but_not_different_words():
    assert similarity(normalise("**Open models** will match GPT-4."), normalise("Open models will match GPT-4")) == 1.0
    assert similarity(normalise("<li>LLMs are here to stay"), normalise("LLMs are here to stay")) == 1.0
    assert similarity(normalise("AI-Fizzle 41%"), normalise("I say: Futurama 51%, AI-Fizzle 41%, AI-Dystopia 7%")) > 0.5
    assert similarity(normalise("Robots fold laundry"), normalise("Quantum computers break RSA")) == 0.0


def test_no_corpus_is_a_clear_error(tmp_path, capsys):
    assert main(["--no-seeds", "--corpus", str(tmp_path)]) == 2
    assert "labels/ missing" in capsys.readouterr().err
