"""Probability words: the published scales in seeds/ and a claim's probability taken from them.

    seed_rows(seeds_dir, problems) -> (scale rows, word rows)   probability_scales.yml, confidence_words.yml
    claim_probability(record, cid, path, probability, words, problems) -> the claim's probability columns

A claim's probability_source says where its probability comes from: "stated" (a number in the
document; the default when probability is written), or "words" (the hedge in its quote, read
through the confidence_words table: the longest word of the table found in its confidence_words).
With "words", a probability the curator writes overrides the mapped value; probability_word still
names the word, so pages can say the value was mapped and what the scale gives.
"""
import functools
import os
import re
from pathlib import Path

from .seeds import SeedError, load_list

SOURCES = ("stated", "words")
SCALE_KEYS = ({"id", "name", "reference", "url", "convention"}, set())
WORD_KEYS = ({"word", "scale", "probability", "term"}, {"low", "high"})


def _keys(record, schema, what, path, problems):
    required, optional = schema
    ok = True
    for key in record:
        if key not in required | optional:
            problems.add(path, record.line_of(key), f"unknown key '{key}' in {what}: expected one of "
                                                    f"{', '.join(sorted(required | optional))}")
            ok = False
    for key in sorted(k for k in required if record.get(k) in (None, "")):
        problems.add(path, record.line, f"{what} is missing required '{key}'")
        ok = False
    return ok


def _fraction(record, key, path, problems):
    value = record.get(key)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 <= value <= 1:
        problems.add(path, record.line_of(key), f"{key} {value!r} of word '{record.get('word')}' must be a number "
                                                "from 0 to 1 (75% is 0.75)")
        return None
    return float(value)


def _records(path, problems):
    try:
        return load_list(path)
    except SeedError as e:
        problems.add(e.path, e.line, e.message)
        return []


def seed_rows(seeds_dir, problems):
    """The rows of probability_scales and confidence_words, checked (problems name file and line)."""
    seeds_dir = Path(seeds_dir)
    path = seeds_dir / "probability_scales.yml"
    scales = []
    for r in _records(path, problems):
        if not _keys(r, SCALE_KEYS, "scale", path, problems):
            continue
        if not str(r["url"]).startswith(("https://", "http://")):
            problems.add(path, r.line_of("url"), f"url {r['url']!r} must start with https:// or http://")
            continue
        scales.append({k: str(r[k]).strip() for k in ("id", "name", "reference", "url", "convention")})
    ids = {s["id"] for s in scales}
    path = seeds_dir / "confidence_words.yml"
    words, seen = [], {}
    for r in _records(path, problems):
        if not _keys(r, WORD_KEYS, "word", path, problems):
            continue
        word = " ".join(str(r["word"]).lower().split())
        if word in seen:
            problems.add(path, r.line_of("word"), f"word '{word}' is listed twice (first at line {seen[word].line}): "
                                                  "a word maps to one probability; keep one")
            continue
        seen[word] = r.where(path, "word")  # its line looked up only if the word comes again
        if str(r["scale"]) not in ids:
            problems.add(path, r.line_of("scale"), f"scale '{r['scale']}' does not exist in probability_scales.yml")
            continue
        values = [_fraction(r, k, path, problems) for k in ("probability", "low", "high")]
        if values[0] is None:
            continue
        words.append({"word": word, "scale_id": str(r["scale"]), "term": str(r["term"]),
                      "probability": values[0], "low": values[1], "high": values[2]})
    return scales, words


@functools.lru_cache(maxsize=8)
def _table(path, stamp):
    """{word: probability} of a confidence_words.yml (its problems are reported by seed_rows)."""
    try:
        records = load_list(path)
    except SeedError:
        return {}
    table = {}
    for r in records:
        value = r.get("probability")
        if r.get("word") and isinstance(value, (int, float)) and not isinstance(value, bool) and 0 <= value <= 1:
            table.setdefault(" ".join(str(r["word"]).lower().split()), float(value))
    return table


def table(seeds_dir):
    path = Path(seeds_dir) / "confidence_words.yml"
    try:
        stat = os.stat(path)
    except OSError:
        return {}
    return _table(str(path), (stat.st_mtime_ns, stat.st_size))


@functools.lru_cache(maxsize=8)
def _pattern(words):
    # Longest first, so "very likely" wins over "likely"; whole words only ("unlikely" is not "likely").
    alternatives = "|".join(re.escape(w).replace(r"\ ", r"\s+") for w in sorted(words, key=len, reverse=True))
    return re.compile(rf"(?<![\w'’-])(?:{alternatives})(?![\w'’-])", re.I)


def mapped_words(text, words):
    """The distinct words of the table (a tuple of words) that a confidence_words text holds."""
    if not text or not words:
        return []
    found = []
    for m in _pattern(words).finditer(text):
        word = " ".join(m.group(0).lower().split())
        if word not in found:
            found.append(word)
    return found


def claim_probability(record, cid, path, probability, words, problems):
    """{probability, probability_source, probability_word} of a claim (probability: as checked)."""
    source = record.get("probability_source")
    def line():  # looked up only for a problem: finding a line reads the file again
        return record.line_of("probability_source")
    if source is None:
        source = "stated" if probability is not None else None
    elif source not in SOURCES:
        problems.add(path, line(), f"probability_source {source!r} of claim '{cid}' is not one of: {', '.join(SOURCES)}")
        return {"probability": probability, "probability_source": None, "probability_word": None}
    word = None
    if source == "stated" and probability is None:
        problems.add(path, line(), f"claim '{cid}' says its probability is stated but has none: add probability "
                                 "(0 to 1) or remove probability_source")
    elif source == "words":
        table_ = table(Path(path).parent.parent)  # seeds/claims/<id>.yml -> seeds/
        found = mapped_words(words, tuple(table_))
        if not words:
            problems.add(path, line(), f"claim '{cid}' takes its probability from words but has no confidence_words: "
                                     "add the hedge as written in the quote")
        elif not found and probability is None:
            problems.add(path, line(), f"no word of confidence_words {words!r} of claim '{cid}' is in "
                                     "seeds/confidence_words.yml: write probability yourself, or remove probability_source")
        elif len(found) > 1 and probability is None:
            problems.add(path, line(), f"confidence_words {words!r} of claim '{cid}' hold several words of the scale "
                                     f"({', '.join(found)}): write probability yourself")
        elif len(found) == 1:
            word = found[0]
            if probability is None:
                probability = table_[word]
    return {"probability": probability, "probability_source": source, "probability_word": word}
