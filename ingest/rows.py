"""What the seeds say, as validated rows: the ledger-wide lists, every document's rows, and the
checks of the seeds folder itself (files no entry lists, claims files of no document).

The full build (build.py) streams them all; an incremental one (incremental.py) asks only for the
documents that changed. Both import this module, neither the other.
"""
import json
import os
from dataclasses import dataclass, field
from pathlib import Path

from . import links, load, parallel, probability_words
from .contain import outside
from .read import DocumentError, read_source
from .seeds import SeedError
from .seeds import load_list
from .validate import ID, check_authors, check_claims, check_documents, check_publishers, check_topics


@dataclass
class Context:
    """What later entries are checked against."""
    authors: set = field(default_factory=set)
    topics: set = field(default_factory=set)
    claim_ids: dict = field(default_factory=dict)


def _seed_list(path, problems, unread=None, root=None):
    """The records of a seed list; on a YAML error, the problem is noted, path added to unread, and [].

    root is the seeds folder (by default the file's own folder): a file that is a link to one
    outside it is a problem, not read.
    """
    if why := outside(path, Path(path).parent if root is None else root):
        problems.add(path, 1, f"{Path(path).name} {why}")
        if unread is not None:
            unread.add(str(path))
        return []
    try:
        return load_list(path)
    except SeedError as e:
        problems.add(e.path, e.line, e.message)
        if unread is not None:
            unread.add(str(path))
        return []


def topic_rows(topics):
    """Topics with depth and path, and the closure table (every ancestor of every topic)."""
    parent = {t["id"]: t["parent_id"] for t in topics}
    closure = []
    for t in topics:
        chain, node = [], t["id"]
        while node and node not in chain and len(chain) <= len(parent):
            chain.append(node)
            node = parent.get(node)
        t["depth"] = len(chain) - 1
        t["path"] = " / ".join(reversed(chain))
        closure += [{"ancestor_id": a, "topic_id": t["id"], "distance": d} for d, a in enumerate(chain)]
    return topics, closure


def section_of(sections, offset):
    """Id of the innermost section containing a text offset."""
    inside = [s for s in sections if s["start"] <= offset < s["body_end"]]
    return max(inside, key=lambda s: s["level"])["id"] if inside else None


def seed_lists(seeds_dir, problems, listed=None):
    """The ledger-wide seed files, validated: publishers, authors, topics, topic closure, documents.

    A dict given as listed receives what documents.yml names (see check_documents) and
    "unread": True when documents.yml could not be parsed at all.
    """
    seeds_dir = Path(seeds_dir)
    listed = {} if listed is None else listed
    unread = set()
    publishers = check_publishers(_seed_list(seeds_dir / "publishers.yml", problems), seeds_dir / "publishers.yml", problems)
    authors = check_authors(_seed_list(seeds_dir / "authors.yml", problems), seeds_dir / "authors.yml",
                            {p["id"] for p in publishers}, problems)
    topics, closure = topic_rows(check_topics(_seed_list(seeds_dir / "topics.yml", problems), seeds_dir / "topics.yml", problems))
    documents = check_documents(_seed_list(seeds_dir / "documents.yml", problems, unread), seeds_dir / "documents.yml",
                                {p["id"] for p in publishers}, {a["id"] for a in authors}, seeds_dir, problems, listed)
    listed["unread"] = bool(unread)
    return publishers, authors, topics, closure, documents


def claim_files(seeds_dir, documents, problems, listed=None):
    """claims/<document id>.yml for every document (present or not); a file for no document is a problem.

    With listed (from seed_lists), a claims file is an orphan only when no entry of documents.yml
    names its id (an entry with problems of its own still does), and a document without one is
    a warning. Without it, orphans are looked for only while documents.yml has no problems.
    """
    claims_dir = Path(seeds_dir) / "claims"
    found = {p.stem: p for p in claims_dir.glob("*.yml")} if claims_dir.is_dir() else {}
    if listed is None:
        # While documents.yml has problems of its own, a claims file missing from it is no news.
        unsure = str(Path(seeds_dir) / "documents.yml") in {p.path for p in problems.items}
        named = {d["id"] for d in documents}
    else:
        unsure, named = listed.get("unread"), listed["ids"]
        missing_claims_files(Path(seeds_dir), [d["id"] for d in documents], found, listed["where"].get, problems)
    for orphan in [] if unsure else sorted(set(found) - set(named)):
        orphan_claims_file(found[orphan], problems)
    return {d["id"]: found.get(d["id"], claims_dir / f"{d['id']}.yml") for d in documents}


def missing_claims_files(seeds_dir, doc_ids, claim_stems, where, problems):
    """A warning for each document without claims/<id>.yml (claim_stems: the ids that have one).
    where(id) gives the Location of the document's entry; its line is found only when printed."""
    documents_yml = Path(seeds_dir) / "documents.yml"
    for doc_id in doc_ids:
        if doc_id not in claim_stems:
            at = where(doc_id)
            problems.warn(documents_yml, at if at is not None else 1,
                          f"document {doc_id} has no claims file {Path(seeds_dir) / 'claims' / (doc_id + '.yml')}: "
                          "add its claims (hindsight propose suggests some)")


def unlisted_documents(seeds_dir, names, listed_files, problems):
    """A problem for each file of seeds/documents/ (names: its entries, dotfiles aside) that no
    documents.yml entry lists (listed_files: normalised paths relative to seeds/)."""
    for name in sorted(names):
        if not name.startswith(".") and f"documents/{name}" not in listed_files:
            problems.add(Path(seeds_dir) / "documents" / name, 1,
                         f"documents/{name} is listed by no entry of documents.yml: add an entry for it "
                         "(id, file, title, publisher, published, kind) or remove the file")


def document_names(seeds_dir):
    """The names of the files directly in seeds/documents/ (one directory listing, no file read)."""
    try:
        with os.scandir(Path(seeds_dir) / "documents") as found:
            return [e.name for e in found if e.is_file()]
    except OSError:
        return []


def orphan_claims_file(path, problems):
    problems.add(path, 1, f"claims file for document '{path.stem}', which is not in documents.yml: rename it to <document id>.yml")


def document_rows(doc, claims_path, ctx, problems):
    """One document's rows, as (table, rows) pairs: its source read, its claims validated against it."""
    doc = dict(doc)
    path, source = doc.pop("_path"), None  # no path: an entry of documents.yml with problems of its own
    if path is not None:
        try:
            source = read_source(path)
        except DocumentError as e:
            problems.add(e.path, e.line, e.message)
    if source is None:  # its claims are checked all the same (all but their quotes): one pass shows every problem
        records = _seed_list(claims_path, problems, root=_seeds_of(claims_path))
        check_claims(records, claims_path, doc, None, ctx, problems)
        links.link_rows(records, claims_path, problems)
        return []
    read = source.document
    doc_authors = doc.pop("_authors")
    sections = [
        {"id": f"{doc['id']}/{i}", "document_id": doc["id"], "position": i, "heading": s.heading,
         "level": s.level, "start": s.start, "end": s.end, "body_end": s.body_end}
        for i, s in enumerate(read.sections, 1)
    ]
    records = _seed_list(claims_path, problems, root=_seeds_of(claims_path))
    claims, claim_topics, resolutions, evidence = check_claims(records, claims_path, doc, read.text, ctx, problems)
    valid = {c["id"] for c in claims}
    claim_links = [row for row in links.link_rows(records, claims_path, problems) if row["claim_id"] in valid]
    for c in claims:
        c["section_id"] = section_of(sections, c["quote_start"])
    return [
        ("documents", [{
            **doc, "format": read.format, "sha256": source.sha256, "bytes": source.size,
            "claim_count": len(claims), "front_matter": json.dumps(read.front_matter, default=str, sort_keys=True),
            "markdown": read.markdown, "text": read.text,
        }]),
        ("document_authors", [{"document_id": doc["id"], "author_id": a} for a in doc_authors]),
        ("sections", sections),
        ("claims", claims),
        ("claim_topics", claim_topics),
        ("resolutions", resolutions),
        ("evidence", evidence),
        ("claim_links", claim_links),
    ]


def _seeds_of(claims_path):
    """The seeds folder of a claims file, which the build always names seeds/claims/<id>.yml."""
    return Path(claims_path).parent.parent


def document_values(doc, claims_path, ctx, problems):
    """document_rows as value tuples: made where the document is read (a worker process), so
    the process that writes the database only inserts them."""
    return [(table, load.values(table, rows)) for table, rows in document_rows(doc, claims_path, ctx, problems)]


def ledger_rows(seeds_dir, problems, progress=None, lists=None):
    """Everything the seeds say, validated, as (table, value tuples) pairs in load order.

    Documents stream through a bounded window (in a process pool when there are many), so
    memory stays flat however large the corpus. A dict given as lists receives the parsed
    authors and topics, which the next incremental build starts from.
    """
    listed = {}
    publishers, authors, topics, closure, documents = seed_lists(seeds_dir, problems, listed)
    if lists is not None:
        lists.update(authors=authors, topics=topics)
    for table, rows in (("publishers", publishers), ("authors", authors), ("topics", topics), ("topic_closure", closure)):
        yield table, load.values(table, rows)
    scales, words = probability_words.seed_rows(seeds_dir, problems)
    yield "probability_scales", load.values("probability_scales", scales)
    yield "confidence_words", load.values("confidence_words", words)
    ctx = Context({a["id"] for a in authors}, {t["id"] for t in topics})
    paths = claim_files(seeds_dir, documents, problems, listed)
    if not listed["unread"]:
        unlisted_documents(seeds_dir, document_names(seeds_dir), listed["files"], problems)
    jobs = [(doc, paths[doc["id"]]) for doc in documents]
    # Entries with problems of their own (and, with documents.yml unreadable, every claims file)
    # still have their claims checked, without their document's text.
    claims_dir = Path(seeds_dir) / "claims"
    valid = {doc["id"] for doc in documents}
    unchecked = ({p.stem: None for p in sorted(claims_dir.glob("*.yml"))} if listed["unread"] and claims_dir.is_dir()
                 else {i: f for i, f in listed["ids"].items() if i not in valid})
    for doc_id, file in unchecked.items():
        if ID.match(doc_id) and (claims_dir / f"{doc_id}.yml").is_file():
            jobs.append(({"id": doc_id, "file": file or "?", "_path": None, "_authors": []}, claims_dir / f"{doc_id}.yml"))
    total = len(jobs)
    del documents, paths  # the jobs hold them now, and each_document lets each go once it is sent
    found = []  # every document's links, checked once every claim is known (few: kept whole)
    for n, pairs in enumerate(parallel.each_document(document_values, jobs, ctx, problems), 1):
        found += (row for table, rows in pairs if table == "claim_links" for row in rows)
        yield from pairs
        if progress:
            progress(n, total)
    yield "claim_groups", links.from_seeds(found, ctx.claim_ids, ctx.authors, ctx.topics, problems)
