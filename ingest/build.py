"""The pipeline, top to bottom: read -> extract -> validate -> load -> index -> aggregate.

The database is written to a temporary file beside the target and swapped in only when
every stage succeeded, so a bad input never leaves a half-built or emptied database.
"""
import json
import os
import time
from dataclasses import dataclass, field
from pathlib import Path

import sqlite_utils

from . import aggregate, index, load
from .read import DocumentError, read_source
from .seeds import SeedError, load_list
from .validate import (Problems, ValidationFailed, check_authors, check_claims, check_documents,
                       check_publishers, check_topics)

PACKAGE_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_SEEDS = PACKAGE_ROOT / "seeds"
DEFAULT_DB = PACKAGE_ROOT / "build" / "hindsight.db"


@dataclass
class Context:
    """What later entries are checked against."""
    authors: set = field(default_factory=set)
    topics: set = field(default_factory=set)
    claim_ids: dict = field(default_factory=dict)


def _seed_list(path, problems):
    try:
        return load_list(path)
    except SeedError as e:
        problems.add(e.path, e.line, e.message)
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


def ledger_rows(seeds_dir, problems, progress=None):
    """Everything the seeds say, validated, as (table, rows) pairs in load order.

    Documents are read one at a time, so memory stays flat however large the corpus.
    """
    seeds_dir = Path(seeds_dir)
    publishers = check_publishers(_seed_list(seeds_dir / "publishers.yml", problems), seeds_dir / "publishers.yml", problems)
    authors = check_authors(_seed_list(seeds_dir / "authors.yml", problems), seeds_dir / "authors.yml",
                            {p["id"] for p in publishers}, problems)
    topics, closure = topic_rows(check_topics(_seed_list(seeds_dir / "topics.yml", problems), seeds_dir / "topics.yml", problems))
    documents = check_documents(_seed_list(seeds_dir / "documents.yml", problems), seeds_dir / "documents.yml",
                                {p["id"] for p in publishers}, {a["id"] for a in authors}, seeds_dir, problems)
    yield "publishers", publishers
    yield "authors", authors
    yield "topics", topics
    yield "topic_closure", closure

    ctx = Context({a["id"] for a in authors}, {t["id"] for t in topics})
    claims_dir = seeds_dir / "claims"
    claim_files = {p.stem: p for p in claims_dir.glob("*.yml")} if claims_dir.is_dir() else {}
    for orphan in sorted(set(claim_files) - {d["id"] for d in documents}):
        problems.add(claim_files[orphan], 1, f"claims file for document '{orphan}', which is not in documents.yml: rename it to <document id>.yml")

    for n, doc in enumerate(documents, 1):
        try:
            source = read_source(doc.pop("_path"))
        except DocumentError as e:
            problems.add(e.path, e.line, e.message)
            continue
        read = source.document
        doc_authors = doc.pop("_authors")
        sections = [
            {"id": f"{doc['id']}/{i}", "document_id": doc["id"], "position": i, "heading": s.heading,
             "level": s.level, "start": s.start, "end": s.end, "body_end": s.body_end}
            for i, s in enumerate(read.sections, 1)
        ]
        path = claim_files.get(doc["id"], claims_dir / f"{doc['id']}.yml")
        claims, claim_topics, resolutions, evidence = check_claims(
            _seed_list(path, problems), path, doc, read.text, ctx, problems)
        for c in claims:
            c["section_id"] = section_of(sections, c["quote_start"])
        yield "documents", [{
            **doc, "format": read.format, "sha256": source.sha256, "bytes": source.size,
            "claim_count": len(claims), "front_matter": json.dumps(read.front_matter, default=str, sort_keys=True),
            "markdown": read.markdown, "text": read.text,
        }]
        yield "document_authors", [{"document_id": doc["id"], "author_id": a} for a in doc_authors]
        yield "sections", sections
        yield "claims", claims
        yield "claim_topics", claim_topics
        yield "resolutions", resolutions
        yield "evidence", evidence
        if progress:
            progress(n, len(documents))


def check(seeds_dir=DEFAULT_SEEDS, progress=None):
    """Validate the seeds without writing anything; raises ValidationFailed."""
    problems = Problems()
    counts = {}
    for table, rows in ledger_rows(seeds_dir, problems, progress):
        counts[table] = counts.get(table, 0) + len(rows)
    if problems:
        raise ValidationFailed(problems)
    return counts


def build(seeds_dir=DEFAULT_SEEDS, db_path=DEFAULT_DB, progress=None):
    """Build the database; returns row counts per table. The old database survives any failure."""
    db_path = Path(db_path)
    db_path.parent.mkdir(parents=True, exist_ok=True)
    tmp = db_path.with_name(f".{db_path.name}.building")
    tmp.unlink(missing_ok=True)  # left by a build that was killed
    started = time.perf_counter()
    try:
        db = sqlite_utils.Database(tmp)
        db.conn.execute("pragma journal_mode = off")  # a failed build is thrown away whole
        db.conn.execute("pragma synchronous = off")
        load.create_schema(db)
        problems = Problems()
        counts = {}
        with db.conn:
            for table, rows in ledger_rows(seeds_dir, problems, progress):
                if not problems:  # after the first problem, only keep checking
                    load.insert(db, table, rows)
                counts[table] = counts.get(table, 0) + len(rows)
        if problems:
            raise ValidationFailed(problems)
        load.create_indexes(db)
        index.enable_search(db)
        aggregate.materialise(db)
        db.conn.execute("pragma journal_mode = delete")
        db.vacuum()
        db.close()
        os.replace(tmp, db_path)
    finally:
        tmp.unlink(missing_ok=True)
    counts["seconds"] = round(time.perf_counter() - started, 2)
    return counts
