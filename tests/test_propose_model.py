"""The llm proposer, offline: fake models registered in-process by a test plugin
(`llm.plugins.pm.register(plugin, name=...)`, unregistered after each test) answer with JSON they
build from the prompt, as a real model would through llm's structured output. LLM_USER_PATH points
at a temporary directory so no user's llm configuration is read or written."""
import json
import math
import re

import pytest
from click.testing import CliRunner

llm = pytest.importorskip("llm")

from ingest.cli import cli  # noqa: E402
from ingest.proposer import model as proposer_model  # noqa: E402
from ingest.proposer import propose  # noqa: E402
from ingest.proposer.model import CHUNK, SYSTEM, chunks, locate, propose_with_model, schema  # noqa: E402
from ingest.readers.base import ReadDocument, render_text  # noqa: E402

TEXT = """# AI in 2026

Agents will book most business travel by 2027. I’d put it at 70%.

Robots will fold
laundry in most homes by 2035.

Last year I said open models would win.
"""


def item(quote, **fields):
    return {"quote": quote, "kind": "prediction", "author": None, "horizon": None, "probability": None,
            "confidence_words": None, "statement": quote, "relayed": False, **fields}


def sentences(prompt_text):
    """The prompt's sentences that say something 'will' happen, as they stand in the prompt."""
    for paragraph in re.split(r"\n\s*\n", prompt_text):
        for sentence in re.split(r"(?<=[.%])\s+", paragraph.strip()):
            if " will " in sentence:
                yield sentence


def answer_with_mistakes(prompt_text):
    """What a careless model returns for TEXT: one quote verbatim (and again, duplicated), one
    re-wrapped onto one line in curly quotes, one with a straight apostrophe where the text has a
    curly one and a probability of 1.7, and one paraphrase that is nowhere in the text."""
    items = []
    for sentence in sentences(prompt_text):
        if "\n" in sentence:
            items.append(item(f"  “{' '.join(sentence.split())}”", horizon="by 2035", relayed=True))
        else:
            items.append(item(sentence, author="Ann Lee", horizon="by 2027", probability=0.7,
                              confidence_words="I’d put it at"))
            items.append(item(sentence))  # the same passage twice
    apostrophe = re.search(r"I’d put it at \d+%\.", prompt_text)
    if apostrophe:
        items.append(item(apostrophe.group(0).replace("’", "'"), probability=1.7, kind="observation"))
    items.append(item("Agents will book nearly all travel.", statement="paraphrase"))
    return items


def answer_verbatim(prompt_text):
    return [item(s) for s in sentences(prompt_text)]


class FakeModel(llm.Model):
    """A schema-capable model answering with JSON built from the prompt by `answer`; it records
    every prompt (text, system prompt and schema) it was given."""
    can_stream = False
    supports_schema = True

    def __init__(self, model_id, answer):
        self.model_id, self.answer, self.prompts = model_id, answer, []

    def execute(self, prompt, stream, response, conversation):
        self.prompts.append(prompt)
        answer = self.answer(prompt.prompt)
        yield answer if isinstance(answer, str) else json.dumps({"items": answer})


class NoSchemaModel(llm.Model):
    model_id = "hindsight-no-schema"
    can_stream = False

    def execute(self, prompt, stream, response, conversation):
        yield "{}"


class KeyedModel(FakeModel):
    """Needs an API key, as a hosted model does; none is set in the test's user directory."""
    needs_key = "hindsight-fake-key"
    key_env_var = "HINDSIGHT_FAKE_KEY"

    def execute(self, prompt, stream, response, conversation):
        self.get_key()
        yield from super().execute(prompt, stream, response, conversation)


@pytest.fixture
def models(monkeypatch, tmp_path):
    """The fake models, registered through llm's plugin manager for the test only."""
    monkeypatch.setenv("LLM_USER_PATH", str(tmp_path / "llm-user"))  # no user's llm config is touched
    monkeypatch.delenv("HINDSIGHT_FAKE_KEY", raising=False)
    registered = {
        "hindsight-fake": FakeModel("hindsight-fake", answer_with_mistakes),
        "hindsight-verbatim": FakeModel("hindsight-verbatim", answer_verbatim),
        "hindsight-not-json": FakeModel("hindsight-not-json", lambda text: "Sure! Here are the predictions:"),
        "hindsight-keyed": KeyedModel("hindsight-keyed", answer_verbatim),
    }

    class Plugin:
        @llm.hookimpl
        def register_models(self, register):
            for model in registered.values():
                register(model)
            register(NoSchemaModel())

    llm.plugins.pm.register(Plugin(), name="hindsight-test-models")
    try:
        yield registered
    finally:
        llm.plugins.pm.unregister(name="hindsight-test-models")


def document(text=TEXT):
    plain, sections = render_text(text)
    return ReadDocument("markdown", text, plain, sections, {})


def test_quotes_checked_against_the_text(models, capsys):
    doc = document()
    found = propose_with_model(doc, "hindsight-fake")
    text = doc.text
    # Verbatim: kept, at its offsets; the duplicate answer is one candidate.
    first = found[0]
    assert first["quote"] == "Agents will book most business travel by 2027."
    assert (first["start"], first["end"]) == (text.index(first["quote"]), text.index(first["quote"]) + len(first["quote"]))
    assert (first["author"], first["horizon_phrase"], first["probability"]) == ("Ann Lee", "by 2027", 0.7)
    assert first["confidence_words"] == "I’d put it at" and first["kind"] == "prediction"
    # Re-wrapped onto one line inside curly quotes: recovered as the text's own span, line break and all.
    second = found[1]
    assert second["quote"] == "Robots will fold\nlaundry in most homes by 2035." and second["relayed"] is True
    # A straight apostrophe for the text's curly one: recovered; 1.7 is no probability.
    third = found[2]
    assert third["quote"] == "I’d put it at 70%." and third["probability"] is None and third["kind"] == "observation"
    # The paraphrase is dropped, counted and reported.
    assert len(found) == 3
    assert all(text[c["start"]:c["end"]] == c["quote"] for c in found)
    assert proposer_model.last_dropped == 1
    assert "1 quote(s) not found in the text" in capsys.readouterr().err
    # The candidate format the rest of the proposer reads.
    assert set(first) == {"quote", "start", "end", "kind", "cue", "author", "horizon_phrase", "probability",
                          "confidence_words", "statement", "relayed", "headline"}
    assert first["cue"] == "model hindsight-fake" and first["headline"] is False


def test_schema_system_prompt_and_text_sent(models):
    fake = models["hindsight-fake"]
    doc = document()
    propose_with_model(doc, "hindsight-fake", made="2026-01-05", title="AI in 2026")
    (prompt,) = fake.prompts
    assert prompt.schema == schema()  # structured output was asked for
    fields = prompt.schema["properties"]["items"]["items"]
    assert prompt.schema["properties"]["items"]["type"] == "array"
    assert set(fields["required"]) == {"quote", "kind", "author", "horizon", "probability", "confidence_words",
                                       "statement", "relayed"}
    assert prompt.system == SYSTEM and "EXACTLY" in prompt.system and "relayed" in prompt.system
    assert doc.text in prompt.prompt  # the plain text, which quotes are checked against
    assert "Title: AI in 2026" in prompt.prompt and "Published: 2026-01-05" in prompt.prompt


def test_long_documents_go_in_chunks_cut_at_paragraphs(models):
    paragraphs = [f"Paragraph {i} says agents will do task number {i}." for i in range(900)]
    paragraphs[850] = paragraphs[3] = "Agents will book travel."  # the same sentence near each end
    text = "\n\n".join(paragraphs) + "\n"
    pieces = list(chunks(text))
    assert len(pieces) >= 3 and all(len(p) <= CHUNK for _, p in pieces)
    assert "".join(p for _, p in pieces) == text
    assert all(p.endswith("\n\n") for _, p in pieces[:-1])  # cut at paragraph breaks
    doc = ReadDocument("text", text, text, [], {})
    found = propose_with_model(doc, "hindsight-verbatim")
    fake = models["hindsight-verbatim"]
    assert len(fake.prompts) == len(pieces)
    assert [pieces[n][1] in p.prompt for n, p in enumerate(fake.prompts)] == [True] * len(pieces)
    assert len(found) == 900 and proposer_model.last_dropped == 0
    assert all(text[c["start"]:c["end"]] == c["quote"] for c in found)
    repeated = [c["start"] for c in found if c["quote"] == "Agents will book travel."]
    last_piece_at = pieces[-1][0]
    # Each occurrence where its own chunk holds it: the second is not the first one again.
    assert repeated == [text.index("Agents will book travel."), text.index("Agents will book travel.", last_piece_at)]


def test_a_paragraph_longer_than_a_chunk_is_cut_at_a_sentence():
    text = "AI will improve. " * 2000
    pieces = list(chunks(text))
    assert len(pieces) > 1 and all(len(p) <= CHUNK and p.endswith(". ") for _, p in pieces[:-1])
    assert "".join(p for _, p in pieces) == text


def test_locate():
    text = 'She said "AI will win by 2030."\nThe  model’s  answer   is\nclear.'
    assert locate('She said "AI will win by 2030."', text) == (0, 31)
    assert locate("AI will win by 2030.", text) == (10, 30)
    assert locate("“AI will win by 2030.”", text) == (10, 30)  # curly marks around a straight-quoted span
    span = locate(" The model's answer is clear. ", text)
    assert text[span[0]:span[1]] == "The  model’s  answer   is\nclear."
    assert locate("AI will lose.", text) is None and locate("   ", text) is None and locate("", text) is None
    assert locate("win", "win, win, win", near=4) == (5, 8)  # the first at or after where the chunk starts
    assert locate("win", "win, win", near=7) == (0, 3)  # else the first anywhere


def test_probability_values():
    values = [0.7, 0, 1, "0.25", 1.7, -0.1, 70, True, "70%", None, math.nan]
    assert [proposer_model._probability(v) for v in values] == [0.7, 0.0, 1.0, 0.25] + [None] * 7


def test_clear_errors(models):
    doc = document()
    with pytest.raises(ValueError, match=r"not known to llm.*`llm models`"):
        propose_with_model(doc, "no-such-model")
    with pytest.raises(ValueError, match="does not support structured output"):
        propose_with_model(doc, "hindsight-no-schema")
    with pytest.raises(ValueError, match="llm keys set hindsight-fake-key"):
        propose_with_model(doc, "hindsight-keyed")
    with pytest.raises(RuntimeError, match="did not answer with the JSON"):
        propose_with_model(doc, "hindsight-not-json")


def test_pipeline_and_command_use_the_model(models, tmp_path):
    claims = propose(document(), document_id="doc", made="2026-01-05", model="hindsight-fake")
    assert claims[0]["horizon"].isoformat() == "2027-12-31" and claims[0]["probability"] == 0.7
    source = tmp_path / "post.md"
    source.write_text(TEXT, encoding="utf-8")
    result = CliRunner().invoke(cli, ["propose", str(source), "--model", "hindsight-fake"])
    assert result.exit_code == 0, result.output
    assert "model hindsight-fake" in result.output and "Agents will book most business travel" in result.output
    result = CliRunner().invoke(cli, ["propose", str(source), "--model", "no-such-model"])
    assert result.exit_code == 1 and "unknown model" in result.output and "llm models" in result.output
