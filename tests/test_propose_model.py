"""The llm proposer, offline: a fake model registered by a test plugin answers with JSON built from
the prompt, as a real model would through llm's structured output."""
import json

import pytest
from click.testing import CliRunner

llm = pytest.importorskip("llm")

from ingest.cli import cli  # noqa: E402
from ingest.proposer import propose  # noqa: E402
from ingest.proposer.model import CHUNK, chunks, propose_with_model  # noqa: E402
from ingest.readers.base import ReadDocument, render_text  # noqa: E402

TEXT = """# AI in 2026

Agents will book most business travel by 2027. I’d put it at 70%.

Last year I said open models would win.
"""


class FakeModel(llm.Model):
    """Answers every prompt with the same items; records what it was asked."""
    model_id = "hindsight-fake"
    supports_schema = True
    can_stream = False

    def __init__(self, items):
        self.items, self.prompts = items, []

    def execute(self, prompt, stream, response, conversation):
        self.prompts.append(prompt)
        yield json.dumps({"items": self.items})


class NoSchemaModel(llm.Model):
    model_id = "hindsight-no-schema"
    can_stream = False

    def execute(self, prompt, stream, response, conversation):
        yield "{}"


ITEMS = [
    {"quote": "Agents will book most business travel by 2027.", "kind": "prediction", "author": "Ann Lee",
     "horizon": "by 2027", "probability": 0.7, "confidence_words": "I'd put it at", "statement": "Agents book travel.",
     "relayed": False},
    {"quote": "I'd put it at 70%.", "kind": "prediction", "author": None, "horizon": None, "probability": 1.7,
     "confidence_words": None, "statement": "x", "relayed": False},  # curly apostrophe in the text; 1.7 is no probability
    {"quote": "Agents will book nearly all travel.", "kind": "prediction", "author": None, "horizon": None,
     "probability": None, "confidence_words": None, "statement": "paraphrase", "relayed": False},  # not in the text
]


@pytest.fixture
def fake(monkeypatch, tmp_path):
    monkeypatch.setenv("LLM_USER_PATH", str(tmp_path))  # no user's llm config is read or written
    model = FakeModel(ITEMS)

    class Plugin:
        @llm.hookimpl
        def register_models(self, register):
            register(model)
            register(NoSchemaModel())

    llm.plugins.pm.register(Plugin(), name="hindsight-test-models")
    yield model
    llm.plugins.pm.unregister(name="hindsight-test-models")


def document(text=TEXT):
    plain, sections = render_text(text)
    return ReadDocument("markdown", text, plain, sections, {})


def test_verbatim_quotes_kept_others_recovered_or_dropped(fake):
    doc = document()
    found = propose_with_model(doc, "hindsight-fake")
    assert [doc.text[c["start"]:c["end"]] for c in found] == [c["quote"] for c in found]
    assert [c["quote"] for c in found] == ["Agents will book most business travel by 2027.", "I’d put it at 70%."]
    first, second = found
    assert (first["author"], first["horizon_phrase"], first["probability"]) == ("Ann Lee", "by 2027", 0.7)
    assert second["probability"] is None  # 1.7 is not a probability
    assert "1 quote(s) not in the text were dropped" in first["cue"]
    assert fake.prompts[0].schema["properties"]["items"]["type"] == "array"  # structured output was asked for
    assert "Agents will book" in fake.prompts[0].prompt


def test_pipeline_and_command_use_the_model(fake, tmp_path):
    claims = propose(document(), document_id="doc", model="hindsight-fake")
    assert claims[0]["horizon"].isoformat() == "2027-12-31" and claims[0]["probability"] == 0.7
    source = tmp_path / "post.md"
    source.write_text(TEXT, encoding="utf-8")
    result = CliRunner().invoke(cli, ["propose", str(source), "--model", "hindsight-fake"])
    assert result.exit_code == 0, result.output
    assert "model hindsight-fake" in result.output and "Agents will book most business travel" in result.output


def test_unknown_model_and_model_without_schemas_are_clear_errors(fake, tmp_path):
    with pytest.raises(ValueError, match="llm models"):
        propose_with_model(document(), "no-such-model")
    with pytest.raises(ValueError, match="does not support structured output"):
        propose_with_model(document(), "hindsight-no-schema")
    source = tmp_path / "post.md"
    source.write_text(TEXT, encoding="utf-8")
    result = CliRunner().invoke(cli, ["propose", str(source), "--model", "no-such-model"])
    assert result.exit_code == 1 and "unknown model" in result.output


def test_long_documents_go_in_chunks_cut_at_paragraphs():
    text = "\n\n".join(f"Paragraph {i} says AI agents will do thing {i}." for i in range(2000))
    pieces = list(chunks(text))
    assert len(pieces) > 1 and all(len(p) <= CHUNK for _, p in pieces)
    assert "".join(p for _, p in pieces) == text
    assert all(text[o:o + len(p)] == p for o, p in pieces)
