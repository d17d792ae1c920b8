"""How good is the claim proposer? Runs it over labelled documents and prints, per document and in
total: recall of headline predictions, precision of the candidates, and for matched candidates
whether author, horizon and stated probability are right.

    python -m bench.propose                        # the seeds' curated claims and ../shared/corpus
    python -m bench.propose --corpus DIR --no-seeds --show-misses
    python -m bench.propose --model NAME           # the llm proposer instead of the rules

Labelled sets: the four seeds (their curated claims are the labels, every one a headline) and a
corpus folder of documents with hand labels in labels/<file>.yml (quote, headline, author,
horizon as written, probability). The corpus is read where it is, never copied.

A candidate matches a label when their quotes, markup and marks removed, are equal, or one holds
the other (covering at least a quarter of it), or they share most words; each label and each
candidate is matched at most once, best pairs first.
"""
import argparse
import datetime
import html
import json
import re
import sys
import time
from pathlib import Path

import yaml

from ingest.proposer import as_date, propose, resolve_horizon
from ingest.proposer.units import plain
from ingest.read import DocumentError, read_source
from ingest.readers.base import inline_text

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_CORPUS = ROOT.parent / "shared" / "corpus"
TOPICS = yaml.safe_load((ROOT / "seeds" / "topics.yml").read_text())


def normalise(quote):
    text = html.unescape(re.sub(r"<[^>]+>", " ", quote))
    text = "\n".join(inline_text(line) for line in text.split("\n"))
    text = re.sub(r"^[\s*+>•-]*(?:[✅❌]\uFE0F?\s*)?", "", text)
    text = text.translate(str.maketrans("“”‘’", "\"\"''"))
    return re.sub(r"\s+", " ", plain(text)).strip(" .").lower()


def _words(text):
    return re.findall(r"[a-z0-9]+", text)


def similarity(a, b):
    if not a or not b:
        return 0.0
    if a == b:
        return 1.0
    short, long = sorted((a, b), key=len)
    if short in long:
        ratio = len(short) / len(long)
        return 0.5 + 0.5 * ratio if ratio >= 0.25 else 0.0
    wa, wb = set(_words(a)), set(_words(b))
    if not wa or not wb:
        return 0.0
    jaccard = len(wa & wb) / len(wa | wb)
    return jaccard if jaccard >= 0.6 else 0.0


def match(labels, candidates):
    """Best-first one-to-one pairs {label index: candidate index}."""
    pairs = []
    for i, label in enumerate(labels):
        for j, cand in enumerate(candidates):
            score = similarity(label["norm"], cand["norm"])
            if score:
                pairs.append((score, i, j))
    taken_l, taken_c, out = set(), set(), {}
    for score, i, j in sorted(pairs, reverse=True):
        if i not in taken_l and j not in taken_c:
            out[i] = j
            taken_l.add(i)
            taken_c.add(j)
    return out


def same_person(a, b):
    ta, tb = set(_words(plain(a or "").lower())), set(_words(plain(b or "").lower()))
    return bool(ta and tb) and (ta <= tb or tb <= ta)


_GENERIC = {"forecaster", "aggregate", "community", "ceo", "the", "and", "host", "guest"}


def named_in(author, text, ledger_names):
    """Does the document (or its ledger entry) name this person? Labels can know more than the text."""
    if any(same_person(author, n) for n in ledger_names):
        return True
    words = [w for w in _words(plain(author).lower()) if len(w) >= 3 and w not in _GENERIC]
    lowered = text.lower()
    return any(re.search(rf"\b{re.escape(w)}\b", lowered) for w in words)


def corpus_sets(corpus):
    for label_file in sorted((corpus / "labels").glob("*.yml")):
        path = corpus / label_file.name[: -len(".yml")]
        labels = [{"quote": e["quote"], "headline": bool(e.get("headline")), "author": e.get("author"),
                   "horizon": e.get("horizon"), "probability": e.get("probability")}
                  for e in yaml.safe_load(label_file.read_text(encoding="utf-8"))]
        yield path.name, path, None, labels


def seed_sets(seeds):
    authors = {a["id"]: a["name"] for a in yaml.safe_load((seeds / "authors.yml").read_text())}
    for doc in yaml.safe_load((seeds / "documents.yml").read_text()):
        claims_file = seeds / "claims" / f"{doc['id']}.yml"
        if not claims_file.exists():
            continue
        labels = [{"quote": c["quote"], "headline": c.get("kind", "prediction") == "prediction",
                   "author": authors.get(c.get("author")), "horizon": str(c["horizon"]) if c.get("horizon") and not c.get("horizon_inferred") else None,
                   "probability": c.get("probability"), "topics": c.get("topics") or []}
                  for c in yaml.safe_load(claims_file.read_text()) or []]
        names = [authors[a] for a in doc.get("authors") or [] if a in authors]
        yield doc["id"], seeds / doc["file"], {"made": doc["published"], "authors": names, "title": doc["title"]}, labels


def _made_and_authors(document, path, given):
    if given:
        return given["made"], given["authors"], given["title"]
    try:
        from ingest.proposer.describe import describe

        d = describe(path.read_text(encoding="utf-8"), document, path.name)
        return d.published, list(d.authors or []), d.title
    except ImportError:
        fm = document.front_matter or {}
        return fm.get("date"), [], fm.get("title")


def expected_horizon(written, made):
    """The date a label's horizon (as written, or an ISO date) stands for."""
    try:
        return datetime.date.fromisoformat(str(written))
    except ValueError:
        return resolve_horizon(str(written), made)


COUNTS = ("headline_found", "candidates", "candidates_real", "author_known", "author_right", "author_named",
          "author_named_right", "horizon_known", "horizon_given", "horizon_right", "probability_known",
          "probability_right", "topics_known", "topics_hit")


def evaluate(name, path, given, labels, model=None):
    row = {"document": name, "seconds": 0, "labels": len(labels), "headline": sum(l["headline"] for l in labels),
           **dict.fromkeys(COUNTS, 0), "misses": [l["quote"] for l in labels if l["headline"]], "extras": []}
    try:
        document = read_source(path).document
    except DocumentError as e:
        print(f"  cannot read {name}: {e}", file=sys.stderr)
        return {**row, "document": name + " (unreadable)"}
    made, names, title = _made_and_authors(document, path, given)
    made = as_date(made)
    default = names[0] if len(names) == 1 else None
    started = time.perf_counter()
    claims = propose(document, document_id="x", made=made, title=title, model=model, topics=TOPICS)
    row["seconds"] = round(time.perf_counter() - started, 3)
    cands = [{"norm": normalise(c["quote"]), "claim": c, "author": c["_raw"].get("author") or default} for c in claims]
    for label in labels:
        label["norm"] = normalise(label["quote"])
    pairs = match(labels, cands)
    row.update(headline_found=sum(1 for i in pairs if labels[i]["headline"]), candidates=len(cands),
               candidates_real=len(pairs))
    for i, j in pairs.items():
        label, cand = labels[i], cands[j]
        if label["author"]:
            right = same_person(label["author"], cand["author"])
            row["author_known"] += 1
            row["author_right"] += right
            if named_in(label["author"], document.text, names):
                row["author_named"] += 1
                row["author_named_right"] += right
        expected = expected_horizon(label["horizon"], made) if label["horizon"] else None
        if expected:
            row["horizon_known"] += 1
            got = cand["claim"].get("horizon")
            row["horizon_given"] += bool(got)
            row["horizon_right"] += str(got) == expected.isoformat()
        if label.get("topics"):
            row["topics_known"] += 1
            row["topics_hit"] += bool(set(label["topics"]) & set(cand["claim"]["topics"]))
        if label["probability"] is not None:
            row["probability_known"] += 1
            got = cand["claim"].get("probability")
            row["probability_right"] += got is not None and abs(got - label["probability"]) < 1e-9
    matched_c = set(pairs.values())
    row["misses"] = [l["quote"] for i, l in enumerate(labels) if l["headline"] and i not in pairs]
    row["extras"] = [c["claim"]["quote"] for j, c in enumerate(cands) if j not in matched_c]
    return row


def _pct(a, b):
    return f"{100 * a / b:5.1f}%" if b else "    -"


def report(rows, title):
    print(f"\n{title}")
    head = f"{'document':52} {'recall':>13} {'precision':>13} {'author':>13} {'author named':>13} {'horizon given':>14} {'horizon right':>14} {'probability':>13} {'topic':>13} {'s':>6}"
    print(head)
    print("-" * len(head))
    total = {}
    for r in rows + [None]:
        if r is None:
            r = {"document": "TOTAL", **total}
            print("-" * len(head))
        else:
            for k, v in r.items():
                if isinstance(v, (int, float)) and k != "document":
                    total[k] = total.get(k, 0) + v
        print(f"{r['document'][:52]:52} "
              f"{r['headline_found']:3}/{r['headline']:3} {_pct(r['headline_found'], r['headline'])} "
              f"{r['candidates_real']:3}/{r['candidates']:3} {_pct(r['candidates_real'], r['candidates'])} "
              f"{r['author_right']:3}/{r['author_known']:3} {_pct(r['author_right'], r['author_known'])} "
              f"{r['author_named_right']:3}/{r['author_named']:3} {_pct(r['author_named_right'], r['author_named'])} "
              f"{r['horizon_given']:3}/{r['horizon_known']:3} {_pct(r['horizon_given'], r['horizon_known']):>6} "
              f"{r['horizon_right']:3}/{r['horizon_known']:3} {_pct(r['horizon_right'], r['horizon_known']):>6} "
              f"{r['probability_right']:3}/{r['probability_known']:3} {_pct(r['probability_right'], r['probability_known'])} "
              f"{r['topics_hit']:3}/{r['topics_known']:3} {_pct(r['topics_hit'], r['topics_known'])} "
              f"{r['seconds']:6.2f}")
    return total


_TURNS = (
    "I think AI agents are going to handle most customer support tickets by {year}.",
    "Yeah, that is fair. We talked about this on the show last week, and the week before.",
    "Honestly I'm not sure about that one; the open models keep getting better every month.",
    "My bet is that inference prices fall by half next year, maybe more, because of competition.",
    "Right, and the GPUs are still hard to get, which is its own story, [laughs] as you know.",
    "So what did you make of the new benchmark results? Some of them look too good to be true.",
)


def speed(size=150_000, repeat=3):
    """propose on a synthetic transcript of `size` bytes (one turn a line: `Name [hh:mm:ss]: words`),
    against reading it (the same run)."""
    import random
    import tempfile

    rng = random.Random(7)
    speakers = ("Ann Lee", "Bob Ray", "Cy Dunn")
    lines, n = [], 0
    while sum(map(len, lines)) < size:
        n += 1
        words = " ".join(rng.choice(_TURNS).format(year=rng.choice((2025, 2026, 2030))) for _ in range(rng.randint(1, 4)))
        lines.append(f"{speakers[n % 3]} [{n // 3600:02d}:{n // 60 % 60:02d}:{n % 60:02d}]: {words}\n")
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "transcript.md"
        path.write_text("".join(lines), encoding="utf-8")
        size = path.stat().st_size
        read_times, propose_times, count = [], [], 0
        for _ in range(repeat):
            started = time.perf_counter()
            document = read_source(path).document
            read_times.append(time.perf_counter() - started)
            started = time.perf_counter()
            count = len(propose(document, document_id="t", made=datetime.date(2025, 1, 1)))
            propose_times.append(time.perf_counter() - started)
    read_s, propose_s = sorted(read_times)[repeat // 2], sorted(propose_times)[repeat // 2]
    print(f"\nSpeed: a {size:,}-byte synthetic transcript ({document.format} reader), {n:,} turns, medians of {repeat}")
    print(f"  read (baseline) {read_s:.3f} s; propose {propose_s:.3f} s ({count} candidates); "
          f"read + propose {read_s + propose_s:.3f} s; propose / read {propose_s / read_s:.1f}x; target: under 5 s")


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS, help="folder with documents and labels/")
    parser.add_argument("--seeds", type=Path, default=ROOT / "seeds")
    parser.add_argument("--no-seeds", action="store_true")
    parser.add_argument("--no-corpus", action="store_true")
    parser.add_argument("--model", help="an llm model id: measure the llm proposer instead of the rules")
    parser.add_argument("--show-misses", action="store_true", help="list missed headline labels and unmatched candidates")
    parser.add_argument("--json", type=Path, help="also write the rows as JSON here")
    parser.add_argument("--speed", action="store_true", help="also time propose on a 150 KB transcript")
    args = parser.parse_args(argv)
    results = {}
    sets = []
    if not args.no_seeds:
        sets.append(("The four seeds (labels: their curated claims)", seed_sets(args.seeds)))
    if not args.no_corpus:
        if not (args.corpus / "labels").is_dir():
            print(f"no labelled corpus at {args.corpus} (labels/ missing): pass --corpus", file=sys.stderr)
            return 2
        sets.append((f"Labelled corpus ({args.corpus})", corpus_sets(args.corpus)))
    for title, items in sets:
        rows = [evaluate(*item, model=args.model) for item in items]
        results[title] = rows
        report(rows, title)
        if args.show_misses:
            for r in rows:
                print(f"\n## {r['document']}")
                for q in r["misses"]:
                    print(f"  MISSED  {q[:150]!r}")
                for q in r["extras"]:
                    print(f"  EXTRA   {q[:150]!r}")
    if args.speed:
        speed()
    if args.json:
        args.json.write_text(json.dumps(results, indent=1, default=str))
    return 0


if __name__ == "__main__":
    sys.exit(main())
