"""The optional proposer built on `llm`: any model a user has set up for llm that supports schemas.

    hindsight propose PATH --model NAME

The document's plain text goes to the model in chunks, with a schema of the fields a candidate
carries; every quote that comes back is checked against the text. A quote found there exactly is
kept; one that differs only in whitespace or quotation marks is replaced by the text's own words;
any other is dropped (and counted in the cue, so the curator sees it). `llm` is imported here only,
so the rest of Hindsight works without it installed.
"""
import json
import re

CHUNK = 12_000  # characters of text per request, cut at paragraph breaks

SYSTEM = """You read a document and list the predictions it makes about AI and technology.
A prediction is a claim about what will (or will not) happen, made by the document's author or by
someone it names. Copy each quote EXACTLY as it stands in the text, character for character: the
key sentence or clause, without list markers. Do not propose: looks back at earlier predictions
("last year I said..."), hypothetical examples, normative sentences ("we must", "should"),
questions, sections the author says hold no predictions, or a table of contents, TL;DR or summary
repeating a prediction made elsewhere. Someone else's prediction quoted without the author adopting
it: set relayed to true. author: who made the prediction as the text names them, or null.
horizon: the time phrase as written ("by 2030", "next year"), or null. probability: a probability
the text states, as a fraction (70% -> 0.7), or null; a median forecast of a quantity is not a
probability. confidence_words: the hedge used ("likely", "I expect"), or null. kind: prediction,
or observation for a claim about the present. statement: one plain sentence saying what is
predicted."""


def schema():
    return {
        "type": "object",
        "properties": {"items": {"type": "array", "items": {
            "type": "object",
            "properties": {
                "quote": {"type": "string"},
                "kind": {"type": "string", "enum": ["prediction", "observation"]},
                "author": {"type": ["string", "null"]},
                "horizon": {"type": ["string", "null"]},
                "probability": {"type": ["number", "null"]},
                "confidence_words": {"type": ["string", "null"]},
                "statement": {"type": "string"},
                "relayed": {"type": "boolean"},
            },
            "required": ["quote", "kind", "author", "horizon", "probability", "confidence_words", "statement", "relayed"],
        }}},
        "required": ["items"],
    }


def chunks(text, size=CHUNK):
    """(offset, piece) of the text, each at most about `size` characters, cut at blank lines."""
    start = 0
    while start < len(text):
        end = min(len(text), start + size)
        if end < len(text):
            cut = text.rfind("\n\n", start + size // 2, end)
            end = cut + 2 if cut > 0 else end
        yield start, text[start:end]
        start = end


_QUOTE_MARKS = str.maketrans({"“": '"', "”": '"', "‘": "'", "’": "'"})


def locate(quote, text, near=0):
    """(start, end) of the quote in the text, searching from `near` first; whitespace and curly or
    straight quotation marks may differ. None when the text does not hold it."""
    quote = quote.strip().strip("\"'“”")
    if not quote:
        return None
    at = text.find(quote, near)
    if at < 0:
        at = text.find(quote)
    if at >= 0:
        return at, at + len(quote)
    # Straight marks stand for either kind; any run of whitespace for any other.
    words = (re.escape(w).replace("'", "['’‘]").replace('"', '["“”]') for w in quote.translate(_QUOTE_MARKS).split())
    pattern = re.compile(r"\s+".join(words))
    found = pattern.search(text, near) or pattern.search(text)
    return (found.start(), found.end()) if found else None


def _model(name):
    import llm

    try:
        model = llm.get_model(name)
    except llm.UnknownModelError:
        raise ValueError(f"unknown model {name!r}: `llm models` lists the models llm knows "
                         "(a plugin such as llm-anthropic or llm-gpt4all adds more)") from None
    if not getattr(model, "supports_schema", False):
        raise ValueError(f"model {name!r} does not support structured output (schemas): choose another")
    return model


def propose_with_model(document, model_name, *, made=None, title=None):
    """Candidates (the propose_claims format) from a language model; quotes not in the text dropped."""
    model = _model(model_name)
    text = document.text
    context = f"Title: {title}\n" if title else ""
    if made:
        context += f"Published: {made}\n"
    found, dropped = [], 0
    for offset, piece in chunks(text):
        response = model.prompt(f"{context}\n{piece}", system=SYSTEM, schema=schema())
        try:
            items = json.loads(response.text()).get("items") or []
        except (json.JSONDecodeError, AttributeError):
            raise ValueError(f"model {model_name!r} did not answer with the JSON the schema asks for")
        for item in items:
            span = locate(str(item.get("quote") or ""), text, offset)
            if span is None:
                dropped += 1
                continue
            probability = item.get("probability")
            if not isinstance(probability, (int, float)) or isinstance(probability, bool) or not 0 <= probability <= 1:
                probability = None
            found.append({
                "quote": text[span[0]:span[1]], "start": span[0], "end": span[1],
                "kind": item.get("kind") if item.get("kind") in ("prediction", "observation") else "prediction",
                "cue": f"model {model_name}", "author": item.get("author") or None,
                "horizon_phrase": item.get("horizon") or None, "horizon_inferred": False,
                "probability": probability, "confidence_words": item.get("confidence_words") or None,
                "statement": item.get("statement") or None, "relayed": bool(item.get("relayed")), "headline": False,
            })
    if dropped:  # say so on every candidate's why: the curator should know the model misquoted
        for candidate in found:
            candidate["cue"] += f" ({dropped} quote(s) not in the text were dropped)"
    return found
