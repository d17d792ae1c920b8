"""The claim proposer: from a read document to candidate claims a curator reviews.

    propose(document, document_id=..., made=..., authors=[...], topics=[...], words={...}) -> [claim dict]
    claims_yaml(claims, header) -> the text of seeds/claims/<id>.yml, saying why each was proposed

Candidates come from the `propose_claims` hook (the rule-based proposer in rules.py is a plugin
like any other) or, with `model`, from a language model through `llm` (model.py). This module
adds what needs the ledger's context, in order: horizon dates from `made`, authors mapped to
authors.yml ids, suggested topics, duplicates merged, occurrences counted, ids given, and a hedge
found in the ledger's confidence_words table (words: {word: probability}) marked as the claim's
probability source, so the build maps it through the table (nothing priced in code).
"""
import dataclasses
import datetime
import re

import yaml

from ..probability_words import mapped_words
from .horizon import find_horizon, horizon_from_framing
from .topics import suggest_topics
from .units import plain


def candidates(document, model=None, made=None, title=None):
    """Raw candidates, in document order."""
    if title and not (document.front_matter or {}).get("title"):  # the rules read the title as framing
        document = dataclasses.replace(document, front_matter={**(document.front_matter or {}), "title": title})
    if model:
        from .model import propose_with_model

        found = propose_with_model(document, model, made=made, title=title)
    else:
        from ..plugins import pm

        found = [c for batch in pm.hook.propose_claims(document=document) for c in batch]
    return sorted(found, key=lambda c: (c["start"], -c["end"]))


def propose(document, *, document_id, made=None, title=None, authors=(), topics=(), default_author=None, model=None,
            words=None):
    """Candidate claims in the seeds format (plus '_why': the cue and what to check), in document order."""
    made = as_date(made)
    found = merge_duplicates(candidates(document, model, made, title))
    names = _author_index(authors)
    claims = []
    for n, c in enumerate(found, 1):
        claim = {"id": f"{document_id}-{n:02d}", "quote": c["quote"]}
        occurrence = document.text.count(c["quote"], 0, c["start"]) + 1
        if occurrence > 1:
            claim["occurrence"] = occurrence
        claim["statement"] = c.get("statement") or c["quote"]
        author_id, note = _map_author(c.get("author"), names, default_author)
        if author_id:
            claim["author"] = author_id
        claim["kind"] = c.get("kind") or "prediction"
        claim["made"] = made  # a date: written as YAML writes dates, unquoted
        horizon = resolve_horizon(c.get("horizon_phrase"), made)
        if horizon:
            claim["horizon"] = horizon
            claim["horizon_inferred"] = bool(c.get("horizon_inferred"))
        if c.get("probability") is not None:
            claim["probability"] = round(float(c["probability"]), 6)
        priced = None
        if c.get("confidence_words"):
            claim["confidence_words"] = c["confidence_words"]
            if "probability" not in claim and len(found_words := mapped_words(c["confidence_words"], tuple(words or ()))) == 1:
                claim["probability_source"] = "words"  # the build gives it the word's probability
                priced = f"probability {words[found_words[0]]:g} from {found_words[0]!r} (confidence_words.yml)"
        claim["topics"] = suggest_topics(f"{c['quote']} {c.get('statement') or ''} {c.get('section') or ''}", topics)
        why = [c.get("cue") or "proposed"]
        if c.get("horizon_phrase"):
            why.append(f"horizon from {'framing ' if c.get('horizon_inferred') else ''}{c['horizon_phrase']!r}")
        if priced:
            why.append(priced)
        if note:
            why.append(note)
        if c.get("relayed"):
            why.append("RELAYED: someone else's prediction, reported here; keep only if the document adopts it")
        claim["_why"] = "; ".join(why)
        claim["_raw"] = c
        claims.append(claim)
    return claims


def resolve_horizon(phrase, made):
    if not phrase:
        return None
    found = find_horizon(plain(phrase), made) or horizon_from_framing(plain(phrase), made)
    return found.date if found else None


def merge_duplicates(found):
    """One candidate per prediction: a TL;DR, table of contents or summary repeating a prediction
    made elsewhere merges into it, keeping the fullest sentence (and the earliest place for ties)."""
    kept = []
    for c in found:
        words = _words(c["quote"])
        if len(words) < 3:
            kept.append(c)
            continue
        for i, other in enumerate(kept):
            theirs = _words(other["quote"])
            if len(theirs) < 3:
                continue
            overlap = len(words & theirs) / min(len(words), len(theirs))
            # Only across sections: the same words twice in one list are two items (buckets).
            if overlap >= 0.85 and c.get("section") != other.get("section") \
                    and c.get("probability") == other.get("probability") \
                    and (c["start"] >= other["end"] or other["start"] >= c["end"]):
                if len(c["quote"]) > len(other["quote"]):
                    kept[i] = {**c, "cue": c.get("cue", "") + " (repeated elsewhere in the document)"}
                break
        else:
            kept.append(c)
    return sorted(kept, key=lambda c: c["start"])


def _words(text):
    return set(re.findall(r"[a-z0-9]+", plain(text).lower())) - {"the", "a", "an", "of", "to", "and", "in", "will", "be"}


def _author_index(authors):
    index = {}
    for a in authors:
        for key in (a.get("id"), a.get("name")):
            if key:
                index[_name_key(key)] = a["id"]
    return index


def _name_key(name):
    return re.sub(r"[^a-z0-9]+", "", plain(str(name)).lower())


def _map_author(name, index, default):
    """(authors.yml id or None, a note for the reviewer)."""
    if not name:
        return default, None
    key = _name_key(name)
    if key in index:
        return index[key], None
    # A first name or surname alone, when it names exactly one known author.
    matches = {i for k, i in index.items() if len(key) > 2 and (k.startswith(key) or k.endswith(key))}
    if len(matches) == 1:
        match = matches.pop()
        return match, f"author {name!r} read as {match}"
    return None, f"author: {name} (not in authors.yml: add them there and set author, or leave it out)"


def as_date(value):
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    if isinstance(value, str):
        try:
            return datetime.date.fromisoformat(value[:10])
        except ValueError:
            return None
    return None


_STUB = ("  # resolutions:  # when the outcome is known (oldest first):\n"
         "  #   - {verdict: , resolved: , resolver: , confidence: , rationale: , evidence: [{title: , url: , date: }]}\n")


def claims_yaml(claims, header=""):
    """The claims file: each claim with why it was proposed and an empty resolution to fill in."""
    out = [header.rstrip("\n") + "\n\n"] if header else []
    for claim in claims:
        why = claim.get("_why")
        fields = {k: v for k, v in claim.items() if not k.startswith("_")}
        if why:
            out.append(f"# why: {why}\n")
        out.append(yaml.safe_dump([fields], allow_unicode=True, sort_keys=False, width=100) + _STUB + "\n")
    return "".join(out)
