"""The optional proposer built on `llm`: any model a user has set up for llm that supports schemas.

    hindsight propose PATH --model NAME
    propose_with_model(document, model_name, *, made=None, title=None) -> [candidate dict]

The document's plain text (`document.text`, what quotes are checked against) goes to the model in
chunks of at most CHUNK characters cut at paragraph breaks, with a system prompt saying what a
prediction is and what not to propose, and a JSON schema (an `items` array of the candidate's
fields) so the answer is structured output. Every quote that comes back is checked against the
text: found there exactly, it is kept; differing only in surrounding whitespace or quotation marks,
in curly against straight quotation marks or in runs of whitespace, it is replaced by the text's
own span; otherwise it is dropped. Drops are counted and reported on stderr as a warning
(click.echo(..., err=True)); the last count is also in `last_dropped`.

`llm` is imported inside the functions only, so the rest of Hindsight works without it installed
(`pip install 'hindsight[llm]'`). Errors a user can fix (a model llm does not know, one without
schema support) raise ValueError; a model that fails or answers with something other than the JSON
asked for raises RuntimeError. `hindsight propose` turns both into a one-line error.
"""
import json
import re

import click

CHUNK = 12_000  # characters of text per request, cut at paragraph breaks

SYSTEM = """You read a document and list the predictions it makes, mainly about AI and technology.
A prediction is a claim about what will (or will not) happen in the future, made by the document's
author or by someone it names, that could later be checked.

For each one, copy the quote EXACTLY as it stands in the text, character for character (same
words, punctuation and quotation marks): the key sentence or clause, without list markers or
surrounding quotation marks. Never paraphrase, shorten inside, or join separate sentences.

Do NOT propose:
- looks back at earlier predictions ("last year I said...", "as I predicted in 2020"), or checks
  of how a past forecast turned out;
- hypothetical or illustrative examples ("for example, imagine a model that...");
- normative sentences about what people must or should do ("we must regulate", "labs should");
- questions;
- sections the author says hold no predictions (acknowledgements, methodology);
- someone else's prediction that the author only quotes or reports, unless you set relayed to
  true for it (relayed: the prediction belongs to someone the document reports, not the author);
- a table of contents, TL;DR, abstract or summary repeating a prediction made in full elsewhere:
  propose only the fullest statement of it, once.

Fields:
- quote: the verbatim text, copied exactly.
- kind: "prediction" for a claim about the future; "observation" for a checkable claim about the
  present.
- author: the name of who made the prediction, as written in the text, or null if not named.
- horizon: the time phrase as written ("by 2030", "within three years", "next year"), or null.
- probability: a probability the text states, as a fraction from 0 to 1 ("70%" -> 0.7, "3 to 1"
  -> 0.75), or null. A median or point forecast of a quantity is not a probability.
- confidence_words: the hedge used ("likely", "I expect", "almost certainly"), or null.
- statement: one plain sentence saying what is predicted, normalised (third person, explicit).
- relayed: true when the prediction is someone else's that the document reports, else false.
If the text holds no predictions, answer with an empty items list."""

FIELDS = ("quote", "kind", "author", "horizon", "probability", "confidence_words", "statement", "relayed")

# Updated after every call: how many quotes the model returned that were not in the text.
last_dropped = 0


def schema():
    """The JSON schema sent to the model: {"items": [candidate, ...]}."""
    nullable = lambda kind, description: {"type": [kind, "null"], "description": description}  # noqa: E731
    return {
        "type": "object",
        "properties": {"items": {"type": "array", "items": {
            "type": "object",
            "properties": {
                "quote": {"type": "string", "description": "verbatim text of the prediction, copied exactly"},
                "kind": {"type": "string", "enum": ["prediction", "observation"]},
                "author": nullable("string", "name of who made it, as written"),
                "horizon": nullable("string", "the time phrase, as written"),
                "probability": nullable("number", "a stated probability as a fraction 0..1"),
                "confidence_words": nullable("string", "the hedge used"),
                "statement": {"type": "string", "description": "one-sentence normalised statement"},
                "relayed": {"type": "boolean", "description": "someone else's prediction the document reports"},
            },
            "required": list(FIELDS),
        }}},
        "required": ["items"],
    }


def chunks(text, size=CHUNK):
    """(offset, piece) covering the text in order, each piece at most `size` characters, cut at a
    blank line where there is one in the second half of the window, else at a line break, a
    sentence end or a space; at `size` exactly only when there is none of these."""
    start = 0
    while start < len(text):
        end = min(len(text), start + size)
        if end < len(text):
            for separator in ("\n\n", "\n", ". ", " "):
                cut = text.rfind(separator, start + size // 2, end - len(separator) + 1)
                if cut >= 0:
                    end = cut + len(separator)
                    break
        yield start, text[start:end]
        start = end


_MARKS = "\"'“”‘’„«»"
_TO_STRAIGHT = str.maketrans({"“": '"', "”": '"', "„": '"', "«": '"', "»": '"', "‘": "'", "’": "'"})


def locate(quote, text, near=0):
    """(start, end) of the quote in the text, the first occurrence at or after `near` (else the
    first anywhere), or None when the text does not hold it. Exact first; then with surrounding
    whitespace and quotation marks stripped, curly and straight marks taken as equal and any run
    of whitespace matching any other."""
    if not quote or not quote.strip():
        return None
    for candidate in (quote, quote.strip(), quote.strip().strip(_MARKS).strip()):
        if candidate:
            at = text.find(candidate, near)
            if at < 0:
                at = text.find(candidate)
            if at >= 0:
                return at, at + len(candidate)
    words = quote.strip().strip(_MARKS).strip().translate(_TO_STRAIGHT).split()
    if not words:
        return None
    pattern = re.compile(r"\s+".join(
        re.escape(w).replace("'", "['‘’]").replace('"', '["“”„«»]') for w in words))
    found = pattern.search(text, near) or pattern.search(text)
    return (found.start(), found.end()) if found else None


def _probability(value):
    """A float in 0..1, or None (absent, not a number, or out of range)."""
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, str):
        try:
            value = float(value.strip())
        except ValueError:
            return None
    if not isinstance(value, (int, float)) or value != value or not 0 <= value <= 1:
        return None
    return float(value)


def _text_or_none(value):
    if value is None or isinstance(value, bool):
        return None
    value = str(value).strip()
    return value if value and value.lower() not in ("null", "none", "n/a") else None


def get_model(model_name):
    """The llm model named, checked to support schemas; ValueError saying what to do otherwise."""
    try:
        import llm
    except ImportError:
        raise ValueError("--model needs the llm library: pip install 'hindsight[llm]'") from None
    try:
        model = llm.get_model(model_name)
    except llm.UnknownModelError:
        raise ValueError(f"unknown model {model_name!r}: it is not known to llm; `llm models` lists the "
                         "models llm knows (a plugin such as llm-anthropic or llm-gpt4all adds more)") from None
    if not getattr(model, "supports_schema", False):
        raise ValueError(f"model {model_name!r} does not support structured output (schemas), which the "
                         "proposer needs: choose another (`llm models --schemas` lists those that do)")
    return model


def _ask(model, model_name, prompt):
    import llm

    try:
        answer = model.prompt(prompt, system=SYSTEM, schema=schema()).text()
    except llm.NeedsKeyException as e:
        raise ValueError(f"model {model_name!r}: {e}") from None
    except Exception as e:  # the provider's own errors: network, quota, refusal...
        raise RuntimeError(f"model {model_name!r} failed: {type(e).__name__}: {e}") from e
    try:
        items = json.loads(answer)
        items = items.get("items") if isinstance(items, dict) else items
    except json.JSONDecodeError:
        raise RuntimeError(f"model {model_name!r} did not answer with the JSON the schema asks for: "
                           f"{answer[:200]!r}") from None
    if items is None:
        return []
    if not isinstance(items, list):
        raise RuntimeError(f"model {model_name!r} did not answer with an items list: {answer[:200]!r}")
    return [item for item in items if isinstance(item, dict)]


def propose_with_model(document, model_name: str, *, made=None, title=None) -> list[dict]:
    """Candidates (the propose_claims format) for a ReadDocument from the llm model named.

    Quotes not found in document.text are dropped, counted in `last_dropped` and reported on
    stderr. Raises ValueError for a model llm does not know or one without schema support,
    RuntimeError when the model fails or answers with something other than the schema's JSON."""
    global last_dropped
    model = get_model(model_name)
    text = document.text
    context = ""
    if title:
        context += f"Title: {title}\n"
    if made:
        context += f"Published: {made}\n"
    parts = list(chunks(text)) if text.strip() else []
    found, seen, dropped = [], set(), 0
    for n, (offset, piece) in enumerate(parts, 1):
        where = f" (part {n} of {len(parts)})" if len(parts) > 1 else ""
        prompt = f"{context}Text of the document{where}:\n\n{piece}"
        for item in _ask(model, model_name, prompt):
            quote = item.get("quote")
            span = locate(quote, text, offset) if isinstance(quote, str) else None
            if span is None:
                dropped += 1
                continue
            if span in seen:  # the same passage proposed twice
                continue
            seen.add(span)
            kind = item.get("kind")
            found.append({
                "quote": text[span[0]:span[1]], "start": span[0], "end": span[1],
                "kind": kind if kind in ("prediction", "observation") else "prediction",
                "cue": f"model {model_name}",
                "author": _text_or_none(item.get("author")),
                "horizon_phrase": _text_or_none(item.get("horizon")),
                "probability": _probability(item.get("probability")),
                "confidence_words": _text_or_none(item.get("confidence_words")),
                "statement": _text_or_none(item.get("statement")),
                "relayed": item.get("relayed") is True or str(item.get("relayed")).lower() == "true",
                "headline": False,
            })
    last_dropped = dropped
    if dropped:
        click.echo(f"warning: model {model_name} returned {dropped} quote(s) not found in the text; "
                   "dropped", err=True)
    return found
