"""Check the seeds entry by entry; every problem names its file, line and what to fix."""
import datetime
import difflib
import os
import re
import reprlib
from dataclasses import dataclass, field

from .contain import outside
from .probability_words import claim_probability

ID = re.compile(r"\A[a-z0-9][a-z0-9-]*\Z")  # \Z, not $: $ also matches before a final newline
ISO_DATE = re.compile(r"\A\d{4}-\d\d-\d\d\Z")  # Python 3.11's fromisoformat also takes 20240101 and 2024-W01-1
VERDICTS = ("correct", "partially_correct", "incorrect", "too_early", "unresolvable")
CONFIDENCE = ("high", "medium", "low")
CLAIM_KINDS = ("prediction", "observation")
DOCUMENT_KINDS = ("blog post", "report summary", "talk notes", "report", "paper", "article", "transcript", "web page")

# Per kind of entry: (required keys, optional keys).
SCHEMAS = {
    "publisher": ({"id", "name"}, {"url", "description"}),
    "author": ({"id", "name"}, {"publisher", "role"}),
    "topic": ({"id", "name", "description"}, {"parent"}),
    "document": ({"id", "file", "title", "publisher", "published", "kind"}, {"authors", "published_note", "url"}),
    "claim": (
        {"id", "quote", "statement", "kind", "made", "topics"},
        {"author", "horizon", "horizon_inferred", "occurrence", "resolutions", "probability", "confidence_words",
         "probability_source", "same_as", "responds_to"},
    ),
    "response": ({"claim", "stance"}, set()),  # an entry of a claim's responds_to (ingest/links.py)
    "resolution": ({"verdict", "resolved", "rationale", "confidence", "resolver"}, {"evidence"}),
    "evidence": ({"title", "url", "date"}, set()),
}
KNOWN_KEYS = {kind: required | optional for kind, (required, optional) in SCHEMAS.items()}
LIST_KEYS = {"authors", "topics", "resolutions", "evidence", "responds_to"}  # every other value is a single value


@dataclass
class Problem:
    path: str
    line: int
    message: str

    def __str__(self):
        return f"{self.path}:{self.line}: {self.message}"


@dataclass
class Problems:
    items: list = field(default_factory=list)
    warnings: list = field(default_factory=list)  # printed, but they fail nothing

    def add(self, path, line, message):
        self.items.append(Problem(str(path), line, message))

    def warn(self, path, line, message):
        """A warning; line may be a Location's (looked up when the warning is printed)."""
        self.warnings.append(SeedWarning(str(path), line, message))

    def __bool__(self):
        return bool(self.items)

    def __len__(self):
        return len(self.items)


class SeedWarning(Problem):
    """A problem that does not fail check or build (a document without claims yet)."""

    def __str__(self):
        line = self.line.line if hasattr(self.line, "line") else self.line  # a Location: its line found now
        return f"{self.path}:{line}: warning: {self.message}"


class ValidationFailed(Exception):
    def __init__(self, problems):
        self.problems = list(problems.items if isinstance(problems, Problems) else problems)
        self.warnings = list(problems.warnings) if isinstance(problems, Problems) else []
        lines = "\n".join(map(str, self.problems))
        super().__init__(f"{len(self.problems)} problem(s) in seeds:\n{lines}")


# The types a single value may have (any other, list and mapping above all, gets a closer look).
_SCALARS = frozenset((str, int, float, bool, datetime.date, datetime.datetime, type(None)))


def check_keys(kind, record, path, problems):
    """Unknown and missing keys; True when every required key is present."""
    # The usual case, checked in C: keys known and once each, single values, every required one filled.
    required = SCHEMAS[kind][0]
    if not record.duplicate_keys and KNOWN_KEYS[kind].issuperset(record) \
            and _SCALARS.issuperset(map(type, map(record.__getitem__, record.keys() - LIST_KEYS))):
        filled = [*map(record.get, required)]
        if None not in filled and "" not in filled and [] not in filled:
            return True
    return _report_keys(kind, record, path, problems)


def _report_keys(kind, record, path, problems):
    """check_keys, each problem reported."""
    required, optional = SCHEMAS[kind]
    known = KNOWN_KEYS[kind]
    for key, line in record.duplicate_keys:
        problems.add(path, line, f"{kind} has '{key}' twice: keep one")
    wrong_type = False
    for key, value in record.items():
        if key not in known:
            problems.add(path, record.line_of(key), f"unknown key '{key}' in {kind}: expected one of {', '.join(sorted(known))}")
        elif key not in LIST_KEYS and isinstance(value, (list, dict)):
            shape = "list" if isinstance(value, list) else "mapping"
            problems.add(path, record.line_of(key), f"'{key}' in {kind} must be a single value, not a {shape}: "
                                                    "put text holding [ ] { } or ': ' in quotes")
            wrong_type = True
    missing = [k for k in required if record.get(k) in (None, "", [])]
    for key in sorted(missing):
        problems.add(path, record.line, f"{kind} is missing required '{key}'")
    return not missing and not wrong_type


def check_url(record, key, path, problems):
    """A web address, or None; anything else (javascript:, a relative path) is a problem."""
    value = record.get(key)
    if value is None or str(value).startswith(("https://", "http://")):
        return value
    problems.add(path, record.line_of(key), f"{key} {value!r} must start with https:// or http://")
    return None


def entries(record, key, what, path, problems):
    """The mappings listed under key; a value that is not a list, or an entry that is not a mapping, is a problem."""
    value = record.get(key) or []
    if not isinstance(value, list):
        problems.add(path, record.line_of(key), f"{key} must be a list of entries starting with '- '")
        return []
    for item in value:
        if not hasattr(item, "line_of"):
            problems.add(path, record.line_of(key), f"each entry of {key} must be a {what} (key: value lines), "
                                                    f"not {reprlib.repr(item)}")
    return [item for item in value if hasattr(item, "line_of")]


def check_id(kind, record, path, seen, problems):
    value = record.get("id")
    if value is None:
        return None
    value = str(value)
    if not ID.match(value):
        problems.add(path, record.line_of("id"), f"{kind} id {value!r} must be lowercase letters, digits and '-'")
    elif value in seen:
        problems.add(path, record.line_of("id"), f"duplicate {kind} id '{value}' (first at {seen[value]}): ids must be unique")
        return None  # the first entry stands; checking this one against its rows would only repeat the news
    else:
        seen[value] = record.where(path, "id")  # a Location: its line is looked up only if a duplicate needs it
    return value


def iso_date(record, key, path, problems, required=True):
    """The 'YYYY-MM-DD' string of a date, checked; None with a problem otherwise.

    The seeds' YAML (1.2) reads a date as a string: this is where it is checked, quoted or not.
    """
    value = record.get(key)
    if value is None:
        return None
    if type(value) is str and ISO_DATE.match(value):
        try:
            datetime.date.fromisoformat(value)
            return value
        except ValueError as e:
            problems.add(path, record.line_of(key), f"'{key}' {value} is not a valid date ({e}): write YYYY-MM-DD")
            return None
    problems.add(path, record.line_of(key), f"'{key}' is {value!r}, not an ISO date: write YYYY-MM-DD")
    return None


def check_reference(record, key, known, what, path, problems):
    value = record.get(key)
    if value is not None and str(value) not in known:
        problems.add(path, record.line_of(key), f"'{key}' names {what} '{value}' that does not exist in {what}s")
        return None
    return None if value is None else str(value)


def check_publishers(records, path, problems):
    seen, rows = {}, []
    for r in records:
        pid = check_id("publisher", r, path, seen, problems)
        if check_keys("publisher", r, path, problems) and pid:
            rows.append({"id": pid, "name": str(r["name"]), "url": check_url(r, "url", path, problems),
                         "description": r.get("description")})
    return rows


def check_authors(records, path, publishers, problems):
    seen, rows = {}, []
    for r in records:
        aid = check_id("author", r, path, seen, problems)
        if check_keys("author", r, path, problems) and aid:
            rows.append({
                "id": aid, "name": str(r["name"]), "role": r.get("role"),
                "publisher_id": check_reference(r, "publisher", publishers, "publisher", path, problems),
            })
    return rows


def check_topics(records, path, problems):
    seen, rows = {}, []
    for r in records:
        tid = check_id("topic", r, path, seen, problems)
        if check_keys("topic", r, path, problems) and tid:
            rows.append({"id": tid, "name": str(r["name"]), "parent_id": r.get("parent"), "description": r["description"], "_record": r})
    ids = {row["id"] for row in rows}
    for row in rows:
        r = row.pop("_record")
        row["parent_id"] = check_reference(r, "parent", ids, "topic", path, problems)
    parents = {row["id"]: row["parent_id"] for row in rows}
    for row in rows:  # a parent chain must end at a root
        node, steps = row["id"], 0
        while parents.get(node) and steps <= len(parents):
            node, steps = parents[node], steps + 1
        if steps > len(parents):
            problems.add(path, 1, f"topic '{row['id']}' is its own ancestor: break the parent cycle")
    return rows


def check_documents(records, path, publishers, authors, seeds_dir, problems, listed=None):
    """documents.yml's entries as rows. A dict given as listed receives what every entry names,
    valid or not: "ids" (id: file), "files" (normalised paths) and "where" (valid id: Location)."""
    seen, rows = {}, []
    if listed is None:
        listed = {}
    named, files, where = listed.setdefault("ids", {}), listed.setdefault("files", set()), listed.setdefault("where", {})
    for r in records:
        file = r.get("file")
        if file is not None:
            files.add(os.path.normpath(str(file)))
        if r.get("id") is not None:
            named.setdefault(str(r["id"]), None if file is None else str(file))
    root = seeds_dir.resolve()  # once, not per document: resolving walks every path component
    listings = {}  # each directory resolved and listed once: documents usually share one or two
    for r in records:
        did = check_id("document", r, path, seen, problems)
        if not check_keys("document", r, path, problems) or not did:
            continue
        where[did] = seen.get(did) or r.where(path, "id")
        if r["kind"] not in DOCUMENT_KINDS:
            problems.add(path, r.line_of("kind"), f"kind '{r['kind']}' is not one of: {', '.join(DOCUMENT_KINDS)}")
        doc_authors = r.get("authors") or []
        if not isinstance(doc_authors, list):
            problems.add(path, r.line_of("authors"), "authors must be a list of author ids, e.g. [jane-doe]")
            doc_authors = []
        for a in doc_authors:
            if str(a) not in authors:
                problems.add(path, r.line_of("authors"), f"author '{a}' does not exist in authors.yml")
        file = seeds_dir / str(r["file"])
        if file.name not in _listing(file.parent, root, listings):  # not plainly there: ask the file system
            if why := outside(file, seeds_dir):  # the one containment rule (ingest/contain.py)
                problems.add(path, r.line_of("file"), f"file {r['file']!r} {why}")
                continue
            if not file.exists():
                problems.add(path, r.line_of("file"), f"file '{r['file']}' does not exist in seeds/: check the path")
                continue
        rows.append({
            "id": did, "title": str(r["title"]),
            "publisher_id": check_reference(r, "publisher", publishers, "publisher", path, problems),
            "published": iso_date(r, "published", path, problems),
            "published_note": r.get("published_note"), "url": check_url(r, "url", path, problems), "kind": r["kind"],
            "file": str(r["file"]), "_path": file, "_authors": [str(a) for a in doc_authors if str(a) in authors],
        })
    return rows


def _listing(directory, root, listings):
    """The names in a directory inside root that are not symlinks (each is inside root and
    exists), listed once; empty for any other directory, whose files get the full checks."""
    key = str(directory)
    if key not in listings:
        try:
            real = directory.resolve()
            with os.scandir(real) as found:
                listings[key] = {e.name for e in found if not e.is_symlink()} if real.is_relative_to(root) else set()
        except (OSError, ValueError):
            listings[key] = set()
    return listings[key]


def locate_quote(text, quote, occurrence=1):
    """Offset of the n-th occurrence of quote in text, or None."""
    start = -1
    for _ in range(max(1, occurrence)):
        start = text.find(quote, start + 1)
        if start < 0:
            return None
    return start


def closest_match(text, quote):
    """The longest stretch of the quote found in the text, as (offset, matched fragment)."""
    if len(text) > 1_000_000:  # difflib takes about a second per MB: the longest prefix found is instant
        found, longer = 0, len(quote)
        while found < longer:  # binary search: every prefix of a found prefix is found too
            mid = (found + longer + 1) // 2
            found, longer = (mid, longer) if quote[:mid] in text else (found, mid - 1)
        return text.find(quote[:found]), quote[:found]
    matcher = difflib.SequenceMatcher(None, text, quote, autojunk=False)
    m = matcher.find_longest_match(0, len(text), 0, len(quote))
    return m.a, text[m.a : m.a + m.size]


def check_claims(records, path, document, text, ctx, problems):
    """Claims of one document -> (claim rows, claim_topic rows, resolution rows, evidence rows).

    text is None when the document could not be read: every check but the quote's is made.
    """
    claims, claim_topics, resolutions, evidence = [], [], [], []
    for r in records:
        cid = check_id("claim", r, path, ctx.claim_ids, problems)
        if not check_keys("claim", r, path, problems) or not cid:
            continue
        kind = r["kind"]
        if kind not in CLAIM_KINDS:
            problems.add(path, r.line_of("kind"), f"kind '{kind}' is not one of: {', '.join(CLAIM_KINDS)}")
        quote = str(r["quote"])
        occurrence = 1 if r.get("occurrence") is None else r["occurrence"]
        if isinstance(occurrence, bool) or not isinstance(occurrence, int) or occurrence < 1:
            problems.add(path, r.line_of("occurrence"), f"occurrence {occurrence!r} must be a whole number from 1")
            continue
        start = None if text is None else locate_quote(text, quote, occurrence)
        if start is None and text is not None and occurrence > 1 and (found := count_quote(text, quote, occurrence)):
            problems.add(path, r.line_of("occurrence"),
                         f"occurrence {occurrence} of claim '{cid}' points past the last: the quote occurs "
                         f"{found} time{'s' if found > 1 else ''} in {document['file']}; write a number from 1 to {found}")
            continue
        if start is None and text is not None:
            at, fragment = closest_match(text, quote)
            line = text.count("\n", 0, at) + 1
            problems.add(
                path, r.line_of("quote"),
                f"quote of claim '{cid}' is not verbatim in {document['file']}; closest match at line {line} "
                f"of its text: {fragment[:80]!r}: copy the quote exactly from the document",
            )
            continue
        inferred = check_boolean(r, "horizon_inferred", cid, path, problems)
        made = iso_date(r, "made", path, problems)
        horizon = iso_date(r, "horizon", path, problems)
        if kind == "prediction" and not r.get("horizon"):
            problems.add(path, r.line, f"prediction '{cid}' has no horizon: add the date it should have happened by")
        if made and horizon and horizon < made:
            problems.add(path, r.line_of("horizon"), f"horizon {horizon} is before the claim was made ({made})")
        topics = r["topics"] if isinstance(r["topics"], list) else [r["topics"]]
        for t in topics:
            if str(t) not in ctx.topics:
                problems.add(path, r.line_of("topics"), f"topic '{t}' does not exist in topics.yml")
            else:
                claim_topics.append({"claim_id": cid, "topic_id": str(t)})
        probability = check_probability(r, cid, path, problems)
        words = r.get("confidence_words")
        if words is not None and not isinstance(words, str):
            problems.add(path, r.line_of("confidence_words"), f"confidence_words of claim '{cid}' must be text, "
                                                               f"not {words!r}: the hedge as written, e.g. \"I expect\" (in quotes)")
            words = None
        chance = claim_probability(r, cid, path, probability, words or None, problems)  # stated or mapped from words
        history = check_resolutions(r, cid, made, path, problems, resolutions, evidence, horizon)
        if kind == "prediction" and not r.get("resolutions"):  # invalid entries were reported already
            problems.add(path, r.line, f"prediction '{cid}' has no resolution: add one (too_early or unresolvable if nothing is known)")
        current = history[-1] if history else {}
        claims.append({
            "id": cid, "document_id": document["id"],
            "author_id": check_reference(r, "author", ctx.authors, "author", path, problems),
            "kind": kind, "statement": str(r["statement"]), "quote": quote,
            "quote_start": start, "quote_end": None if start is None else start + len(quote),
            "made": made, "horizon": horizon, "horizon_inferred": int(inferred),
            "verdict": current.get("verdict"), "resolved": current.get("resolved"),
            "confidence": current.get("confidence"), "confidence_words": words or None, **chance,
        })
    return claims, claim_topics, resolutions, evidence


def count_quote(text, quote, limit):
    """How many times quote occurs in text (overlapping ones too, as locate_quote counts), up to limit."""
    found, start = 0, -1
    while found < limit:
        start = text.find(quote, start + 1)
        if start < 0:
            break
        found += 1
    return found


def check_boolean(record, key, cid, path, problems):
    """A true/false value (absent is false); text such as "false", "no" or "0" is a problem, not true."""
    value = record.get(key)
    if value is None or isinstance(value, bool):
        return bool(value)
    problems.add(path, record.line_of(key), f"{key} of claim '{cid}' is {value!r}, not true or false: "
                                            "write true or false, without quotes")
    return False


def check_probability(record, cid, path, problems):
    """The probability the author stated: a number from 0 to 1, or None."""
    value = record.get("probability")
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        problems.add(path, record.line_of("probability"), f"probability of claim '{cid}' is {value!r}, not a number: "
                                                          "write the stated chance from 0 to 1 (70% is 0.7)")
        return None
    if not 0 <= value <= 1:  # NaN fails this too
        problems.add(path, record.line_of("probability"), f"probability {value!r} of claim '{cid}' is outside 0 to 1: "
                                                          "write the stated chance as a fraction (70% is 0.7)")
        return None
    return float(value)


def check_resolutions(claim, cid, made, path, problems, resolutions, evidence, horizon=None):
    history = []
    for r in entries(claim, "resolutions", "resolution", path, problems):
        if not check_keys("resolution", r, path, problems):
            continue
        if r["verdict"] not in VERDICTS:
            problems.add(path, r.line_of("verdict"), f"verdict '{r['verdict']}' is not one of: {', '.join(VERDICTS)}")
            continue
        if r["confidence"] not in CONFIDENCE:
            problems.add(path, r.line_of("confidence"), f"confidence '{r['confidence']}' is not one of: {', '.join(CONFIDENCE)}")
        resolved = iso_date(r, "resolved", path, problems)
        if resolved and made and resolved < made:
            problems.add(path, r.line_of("resolved"), f"resolution dated {resolved} is before claim '{cid}' was made ({made})")
        if r["verdict"] == "too_early" and resolved and horizon and resolved > horizon:
            problems.add(path, r.line_of("resolved"), f"verdict too_early resolved {resolved}, after the horizon of claim "
                                                      f"'{cid}' ({horizon}): the horizon has passed, so decide it "
                                                      "(correct, partially_correct, incorrect or unresolvable)")
        items = []
        for e in entries(r, "evidence", "source", path, problems):
            if not check_keys("evidence", e, path, problems) or not check_url(e, "url", path, problems):
                continue
            items.append({"title": str(e["title"]), "url": str(e["url"]), "date": iso_date(e, "date", path, problems)})
        if not items and r["verdict"] not in ("unresolvable", "too_early"):
            problems.add(path, r.line, f"a '{r['verdict']}' verdict needs evidence: add at least one item with title, url and date")
        history.append({
            "claim_id": cid, "verdict": r["verdict"], "resolved": resolved, "resolver": str(r["resolver"]),
            "confidence": r["confidence"], "rationale": str(r["rationale"]).strip(), "_evidence": items,
        })
    history.sort(key=lambda h: h["resolved"] or "")  # oldest first; the newest is current
    for seq, h in enumerate(history, 1):
        h["id"] = f"{cid}/{seq}"
        h["seq"] = seq
        h["is_current"] = int(seq == len(history))
        for n, e in enumerate(h.pop("_evidence"), 1):
            evidence.append({"id": f"{h['id']}/{n}", "resolution_id": h["id"], "claim_id": cid, **e})
        resolutions.append(h)
    return history
