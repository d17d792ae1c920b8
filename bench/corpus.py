"""A deterministic synthetic corpus in the real seeds format, at any size.

Documents come in the four formats the readers handle (markdown with front matter and
headings; numbered text with bylines; an emoji outline; markdown notes with wikilinks and
inline HTML). Every claim quotes a sentence of its document verbatim: each generated document
is run through the real reader and a quote is kept only if it is in the reader's plain text.
The same size and seed always give the same bytes; documents are generated in a process pool
(each from its own seeded random stream) and written one at a time, so memory stays flat.
"""
import datetime
import json
import multiprocessing
import random
import zlib
from pathlib import Path

from ingest.read import choose_reader

VERSION = 2  # bump when the generator's output changes, so cached corpora are regenerated
FORMATS = ("markdown", "numbered_text", "emoji_outline", "markdown_html")
VERDICTS = (("correct", 30), ("partially_correct", 20), ("incorrect", 25), ("too_early", 15), ("unresolvable", 10))
RARE_TERM = "quasarnet"  # planted in one document in RARE_EVERY, and in one of its claims
RARE_EVERY = 100
COMMON_TERM = "model"  # the head of the word distribution: in most claims
EMOJI = "🥇💡🔓🛠🚀📈🔬🧠🌍💰🔋🎯"
TODAY = datetime.date(2026, 11, 22)

_HEAD = ("model the will data of and training to models in a compute by more new for agents with "
         "open inference scaling systems larger reasoning benchmark than be on as").split()
_SYLLABLES = ("ka ri to ne mo la vi su pe do ra mi ko te zu na lo fi ge sa ti bo ve "
              "an el or un ix ar en ol ys").split()
_FIRST = ("Ada Alan Grace Linus Mira Omar Priya Quinn Rosa Sven Tara Ugo Vera Wen Yara Zane "
          "Ines Kofi Lena Noor Pablo Rhea Sana Theo").split()
_LAST = ("Okafor Lindqvist Moreau Tanaka Haddad Novak Rossi Kowalski Silva Nakamura Brennan "
         "Petrov Ahmed Fischer Dubois Costa Larsen Ortiz Weber Sato").split()
_ROOTS = ("architectures multimodality efficiency hardware agents safety policy science "
          "open-models data evaluation economics").split()
_CHILDREN = ("foundations applications limits industry research regulation").split()


def _vocabulary(size=6000):
    rng = random.Random(7)
    words = list(_HEAD)
    seen = set(words) | {RARE_TERM}
    while len(words) < size:
        w = "".join(rng.choice(_SYLLABLES) for _ in range(rng.randint(2, 4)))
        if w not in seen:
            seen.add(w)
            words.append(w)
    weights, total = [], 0.0
    for rank in range(1, len(words) + 1):  # Zipf: a few words everywhere, most words rare
        total += 1.0 / rank
        weights.append(total)
    return words, weights


WORDS, CUM_WEIGHTS = _vocabulary()


def sentence(rng, low=8, high=18, plant=None):
    words = rng.choices(WORDS, cum_weights=CUM_WEIGHTS, k=rng.randint(low, high))
    if plant:
        words[rng.randrange(1, len(words))] = plant
    return words[0].capitalize() + " " + " ".join(words[1:]) + "."


def paragraph(rng, n=None):
    return " ".join(sentence(rng) for _ in range(n or rng.randint(2, 4)))


def topic_tree():
    """About sixty topics, two levels deep: (id, name, parent)."""
    topics = []
    for root in _ROOTS:
        topics.append((root, root.replace("-", " ").capitalize(), None))
        for child in _CHILDREN:
            topics.append((f"{root}-{child}", f"{root.replace('-', ' ').capitalize()}: {child}", root))
    return topics


def counts(n_documents):
    return {"publishers": max(5, n_documents // 50), "authors": max(10, n_documents // 10)}


def person(i):
    return f"{_FIRST[i % len(_FIRST)]} {_LAST[(i // len(_FIRST)) % len(_LAST)]}"


def _q(value):
    """A YAML double-quoted scalar (JSON strings are valid YAML)."""
    return json.dumps(value, ensure_ascii=False)


def _day(rng, start, end):
    return start + datetime.timedelta(days=rng.randint(0, max(0, (end - start).days)))


class _Doc:
    """One document being written: the markup, and the sentences a claim may quote."""

    def __init__(self):
        self.lines, self.quotable = [], []

    def say(self, rng, plant=None):
        s = sentence(rng, plant=plant)
        self.quotable.append(s)
        return s


def _markdown(rng, doc, title, date, sections, plant):
    out = ["---", f"title: {_q(title)}", f'date: "{date}"', f"description: {_q(sentence(rng, 5, 9))}", "---", ""]
    out.append(f"{doc.say(rng)} {paragraph(rng, 2)}")
    for n in range(sections):
        out += ["", f"#### {sentence(rng, 3, 7)[:-1]}", ""]
        out.append(f"{doc.say(rng, plant if n == 0 else None)} Some **{rng.choice(WORDS)} {rng.choice(WORDS)}** and "
                   f"[{rng.choice(WORDS)}](https://example.org/{rng.choice(WORDS)}) here. {doc.say(rng)}")
        if n % 2:
            out += [""] + [f"- {doc.say(rng)}" for _ in range(rng.randint(2, 3))]
    return out


def _numbered(rng, doc, title, date, sections, plant, byline):
    out = [f"{doc.say(rng)} {paragraph(rng, 3)}", paragraph(rng, 3)]
    for n in range(sections):
        out.append(f"{n + 1}. {sentence(rng, 5, 10)[:-1]}")
        out.append(f"{doc.say(rng, plant if n == 0 else None)} {paragraph(rng, 2)}")
        out.append(f"{doc.say(rng)} {doc.say(rng)} {sentence(rng)}")
        name, role = byline(rng)
        out += [name, role]
    return out


def _outline(rng, doc, title, date, sections, plant):
    out = ["---", f"title: {_q(title)}", f"added: {date}T09:00:00.000Z", "tags:", "  - technical", "---", ""]
    for n in range(max(3, sections)):
        out.append(f"{EMOJI[rng.randrange(len(EMOJI))]} {sentence(rng, 3, 6)[:-1]}")
        out += [doc.say(rng, plant if n == 0 else None)] + [doc.say(rng) for _ in range(rng.randint(1, 3))]
    return out


def _notes(rng, doc, title, date, sections, plant, author_slug):
    def stamp():
        t = rng.randint(0, 10_000)
        s = f"{t // 3600:02d}:{t // 60 % 60:02d}:{t % 60:02d}"
        return f'<a class="yt-timestamp" data-t="{s}">[{s}]</a>'

    out = ["---", f"title: {_q(title)}", f"videoId: v{rng.randrange(10**10):010d}", "---", "",
           f"From: [[{author_slug}]] <br/> ", "", f"{doc.say(rng)} {stamp()}, {stamp()}. {paragraph(rng, 2)}"]
    for n in range(sections):
        heading = sentence(rng, 2, 5)[:-1]
        out += ["", f"## [[{heading} | {heading.split()[0]}]]" if n % 3 == 1 else f"## {heading}", ""]
        out.append(f"{doc.say(rng, plant if n == 0 else None)} {stamp()}. {doc.say(rng)} {stamp()}, {stamp()}")
        if n % 2 == 0:
            out += [""] + [f"*   **{rng.choice(WORDS).capitalize()}:** {doc.say(rng)} {stamp()}" for _ in range(2)]
    return out


def _document(seed, i, n_documents):
    """(document id, source text, claims YAML entries, documents.yml entry) of document i."""
    rng = random.Random(seed * 1_000_003 + i)
    n = counts(n_documents)
    fmt = FORMATS[i % len(FORMATS)]
    doc_id = f"doc-{i:06d}"
    date = _day(rng, datetime.date(2015, 1, 1), datetime.date(2025, 6, 30))
    title = sentence(rng, 4, 8)[:-1]
    publisher = f"publisher-{rng.randrange(n['publishers']):04d}"
    # Authors follow a long tail: a few prolific, most with a handful of documents.
    authors = sorted({int(n["authors"] * rng.random() ** 3) * 7919 % n["authors"] for _ in range(rng.randint(1, 3))})
    author_ids = [f"author-{a:05d}" for a in authors]
    plant = RARE_TERM if i % RARE_EVERY == RARE_EVERY // 2 else None
    doc, sections = _Doc(), rng.randint(4, 7)
    if fmt == "markdown":
        lines = _markdown(rng, doc, title, date, sections, plant)
    elif fmt == "numbered_text":
        lines = _numbered(rng, doc, title, date, sections, plant,
                          lambda r: (person(authors[r.randrange(len(authors))]), f"Research lead at {publisher} and {sentence(r, 6, 10)}"))
    elif fmt == "emoji_outline":
        lines = _outline(rng, doc, title, date, sections, plant)
    else:
        lines = _notes(rng, doc, title, date, sections, plant, author_ids[0])
    raw = "\n".join(lines) + "\n"

    reader = choose_reader(raw)
    if reader is None or reader.name != fmt:
        raise AssertionError(f"{doc_id}: generated as {fmt}, detected as {reader and reader.name}")
    text = reader.read(raw).text
    quotable = [q for q in doc.quotable if q in text]
    planted = [q for q in quotable if plant and plant in q]
    picks = planted[:1] + rng.sample([q for q in quotable if q not in planted], min(len(quotable) - len(planted[:1]), rng.randint(8, 12) - len(planted[:1])))
    claims = [_claim(rng, f"{doc_id}-{k:02d}", quote, date, author_ids) for k, quote in enumerate(picks, 1)]
    entry = (f"- id: {doc_id}\n  file: documents/{doc_id}.txt\n  title: {_q(title)}\n  publisher: {publisher}\n"
             f"  authors: [{', '.join(author_ids)}]\n  published: {date}\n  url: https://example.org/{doc_id}\n"
             f"  kind: {('blog post', 'report summary', 'talk notes', 'article')[FORMATS.index(fmt)]}\n")
    return doc_id, raw, claims, entry


def _claim(rng, claim_id, quote, made, authors):
    kind = "prediction" if rng.random() < 0.85 else "observation"
    topics = sorted({rng.choice(TOPIC_IDS) for _ in range(rng.randint(2, 3))})
    statement = sentence(rng, 10, 20)
    out = [f"- id: {claim_id}", f"  quote: {_q(quote)}", f"  statement: {_q(statement)}",
           f"  author: {rng.choice(authors)}", f"  kind: {kind}", f"  made: {made}"]
    horizon = None
    if kind == "prediction" or rng.random() < 0.5:
        horizon = made + datetime.timedelta(days=rng.randint(180, 6 * 365))
        out += [f"  horizon: {horizon}", f"  horizon_inferred: {str(rng.random() < 0.3).lower()}"]
    out.append(f"  topics: [{', '.join(topics)}]")
    # Two predictions in five state a probability (0.05 to 0.95), for the calibration pages. From the
    # id's hash, not rng: every other value of the corpus stays what it was.
    chance = zlib.crc32(claim_id.encode())
    if kind == "prediction" and chance % 5 < 2:
        out.append(f"  probability: {(chance // 5 % 19 + 1) * 0.05:.2f}")
    resolutions = (2 if rng.random() < 0.1 else 1) if kind == "prediction" else (1 if rng.random() < 0.5 else 0)
    if resolutions:
        out.append("  resolutions:")
        resolved = made
        for _ in range(resolutions):
            resolved = _day(rng, resolved, TODAY)
            verdict = rng.choices([v for v, _ in VERDICTS], weights=[w for _, w in VERDICTS])[0]
            if verdict == "too_early" and horizon and resolved > horizon:  # check refuses it: the horizon has passed
                verdict = "unresolvable"
            out += [f"    - verdict: {verdict}", f"      resolved: {resolved}", "      resolver: bench-editors",
                    f"      confidence: {rng.choice(('high', 'medium', 'low'))}",
                    f"      rationale: {_q(paragraph(rng, rng.randint(1, 3)))}"]
            if verdict not in ("too_early", "unresolvable"):
                out.append("      evidence:")
                for _ in range(rng.randint(1, 2)):
                    out += [f"        - title: {_q(sentence(rng, 4, 9)[:-1])}",
                            f"          url: https://example.org/evidence/{rng.randrange(10**8)}",
                            f"          date: {_day(rng, made, resolved)}"]
    return "\n".join(out) + "\n\n"


TOPIC_IDS = [t[0] for t in topic_tree() if t[2]]


def _write_document(args):
    seed, i, n_documents, seeds = args
    doc_id, raw, claims, entry = _document(seed, i, n_documents)
    yml = "".join(claims)
    (seeds / "documents" / f"{doc_id}.txt").write_text(raw, encoding="utf-8")
    (seeds / "claims" / f"{doc_id}.yml").write_text(yml, encoding="utf-8")
    return entry, len(raw.encode()) + len(yml.encode()), len(claims)


def generate(seeds, n_documents, seed=1, processes=None, progress=None):
    """Write a corpus of n_documents into seeds/ (which must not exist); returns a summary."""
    seeds = Path(seeds)
    (seeds / "documents").mkdir(parents=True)
    (seeds / "claims").mkdir()
    n = counts(n_documents)
    with open(seeds / "publishers.yml", "w", encoding="utf-8") as f:
        for p in range(n["publishers"]):
            f.write(f"- id: publisher-{p:04d}\n  name: {_q(sentence(random.Random(p), 2, 4)[:-1])}\n"
                    f"  url: https://example.org/p/{p}\n  description: {_q(sentence(random.Random(p + 10**6), 6, 12))}\n")
    with open(seeds / "authors.yml", "w", encoding="utf-8") as f:
        for a in range(n["authors"]):
            f.write(f"- id: author-{a:05d}\n  name: {_q(person(a))}\n  publisher: publisher-{a % n['publishers']:04d}\n"
                    f"  role: {_q(sentence(random.Random(a), 4, 8)[:-1])}\n")
    with open(seeds / "topics.yml", "w", encoding="utf-8") as f:
        for tid, name, parent in topic_tree():
            f.write(f"- id: {tid}\n  name: {_q(name)}\n" + (f"  parent: {parent}\n" if parent else "")
                    + f"  description: {_q(sentence(random.Random(tid), 6, 12))}\n")
    total_bytes = sum((seeds / name).stat().st_size for name in ("publishers.yml", "authors.yml", "topics.yml"))
    claims = 0
    jobs = ((seed, i, n_documents, seeds) for i in range(n_documents))
    with open(seeds / "documents.yml", "w", encoding="utf-8") as f, \
            multiprocessing.get_context("fork").Pool(processes) as pool:
        for done, (entry, size, n_claims) in enumerate(pool.imap(_write_document, jobs, chunksize=64), 1):
            f.write(entry)
            total_bytes += size + len(entry.encode())
            claims += n_claims
            if progress and done % 1000 == 0:
                progress(done, n_documents)
    return {"documents": n_documents, "claims": claims, "seed_bytes": total_bytes, "version": VERSION}
