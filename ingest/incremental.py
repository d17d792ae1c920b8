"""Incremental rebuild: start from the previous database and redo only the documents that changed.

A manifest beside the database records what it was built from: the size and mtime of every
file under seeds/ (taken before anything was read), the code and libraries that built it, and
the database file itself. On the next build a document is read, parsed and validated again
only when its source, its claims file or its documents.yml entry changed; its old rows are
deleted from a copy of the database and its new rows inserted (FTS triggers follow), and each
scorecard row and probability count that counted the old or the new claims changes by the
difference. Anything the whole ledger depends on (publishers, authors, topics, the code) means
a full build. The result holds the same rows as a full build; only SQLite row ids of the
changed rows may differ, so release builds use ``--full``.
"""
import functools
import hashlib
import importlib.metadata
import json
import os
import shutil
import sqlite3
import time
from dataclasses import dataclass
from pathlib import Path

from . import aggregate, load, plugins, probability_scores
from . import links as claim_links  # links: the name of the per-document tables below
from .contain import outside
from .rows import (Context, claim_files, document_rows, missing_claims_files, orphan_claims_file, seed_lists,
                   unlisted_documents)
from .seeds import Location, Source
from .validate import Problems, ValidationFailed

GLOBAL_FILES = ("publishers.yml", "authors.yml", "topics.yml", "probability_scales.yml", "confidence_words.yml")
GLOBAL_TABLES = ("verdicts", "publishers", "authors", "topics", "topic_closure", "probability_scales", "confidence_words")  # the rest is per document
LIBRARIES = ("sqlite-utils", "markdownify", "beautifulsoup4", "python-frontmatter", "yaml-rs")
RACY_NS = 2_000_000_000  # a file this close to the snapshot may change again within one mtime tick
MOST = 0.25  # above this share of documents changed, a full build is as quick and byte-reproducible


def manifest_path(db_path):
    return Path(db_path).with_name(f".{Path(db_path).name}.manifest.json")


@functools.cache  # asked by plan() and by save(): the code does not change within a build
def fingerprint():
    """The code that turns seeds into rows: this package, its libraries, reader plugins, SQLite."""
    h = hashlib.sha256()
    root = Path(__file__).parent
    for path in sorted(root.rglob("*.py")):
        h.update(path.relative_to(root).as_posix().encode() + b"\0" + path.read_bytes())
    for name in LIBRARIES:
        h.update(f"{name}=={importlib.metadata.version(name)}".encode())
    for _, dist in plugins.pm.list_plugin_distinfo():
        h.update(f"{dist.project_name}=={dist.version}".encode())
    h.update(sqlite3.sqlite_version.encode())
    return h.hexdigest()


def _sha256(path):
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def snapshot(seeds_dir):
    """{path under seeds/: [size, mtime_ns, sha256 or None]}; the hash only for files too recent to trust their mtime."""
    now, files, stack = time.time_ns(), {}, [""]
    while stack:  # plain strings, not Path objects: a corpus has hundreds of thousands of files
        rel_dir = stack.pop()
        with os.scandir(os.path.join(seeds_dir, rel_dir)) as entries:
            for entry in entries:
                rel = f"{rel_dir}/{entry.name}" if rel_dir else entry.name
                if entry.is_dir():
                    stack.append(rel)
                elif entry.is_file():
                    st = entry.stat()
                    racy = st.st_mtime_ns >= now - RACY_NS
                    files[rel] = [st.st_size, st.st_mtime_ns, _sha256(entry.path) if racy else None]
    return files


def _database_stat(db_path):
    st = os.stat(db_path)
    return [st.st_size, st.st_mtime_ns, st.st_ino]


def save(db_path, seeds_dir, files, lists):
    """Record what the database at db_path was built from (written atomically).

    lists holds the parsed authors and topics. (The documents.yml entries need no record: while
    the file is unchanged they are the rows of the database the manifest vouches for.)
    """
    path = manifest_path(db_path)
    tmp = path.with_name(path.name + ".tmp")
    try:
        tmp.write_text(json.dumps({
            "fingerprint": fingerprint(), "seeds": str(Path(seeds_dir).resolve()),
            "database": _database_stat(db_path), "files": files,
            "authors": [a["id"] for a in lists["authors"]], "topics": [t["id"] for t in lists["topics"]],
        }, separators=(",", ":")))  # compact: about half the time of the default for 10k documents
        os.replace(tmp, path)
    except OSError:  # the database is built; without a manifest the next build is simply a full one
        tmp.unlink(missing_ok=True)


def forget(db_path):
    """The database is about to change: its manifest no longer describes it."""
    manifest_path(db_path).unlink(missing_ok=True)


@dataclass
class Plan:
    files: dict  # the new snapshot
    changed: set  # paths under seeds/ that changed, appeared or disappeared
    manifest: dict  # what the previous build recorded


def plan(seeds_dir, db_path, files):
    """(Plan, "") when the previous database can be updated instead of built anew; else (None, why).

    files is the snapshot of seeds/ taken before this build read anything.
    """
    try:
        manifest = json.loads(manifest_path(db_path).read_text())
        current = _database_stat(db_path)
    except (OSError, ValueError):
        return None, "no previous build to start from"
    if manifest.get("database") != current:
        return None, "the database changed since it was built"
    if manifest.get("seeds") != str(Path(seeds_dir).resolve()):
        return None, "it was built from other seeds"
    if manifest.get("fingerprint") != fingerprint():
        return None, "the build code or its libraries changed"
    old = manifest["files"]
    # Most entries are equal lists (size, mtime, no hash): only the others need a closer look.
    changed = {p for p in files.keys() | old.keys() if files.get(p) != old.get(p) or old[p][2] is not None}
    changed = {p for p in changed if _changed(seeds_dir, p, old.get(p), files.get(p))}
    touched = sorted(changed & set(GLOBAL_FILES))
    if touched:
        return None, f"{', '.join(touched)} changed"
    return Plan(files, changed, manifest), ""


def _changed(seeds_dir, path, old, new):
    if old is None or new is None or old[:2] != new[:2]:
        return True
    return old[2] is not None and _sha256(os.path.join(seeds_dir, path)) != old[2]  # recorded as racy: trust the content only


def _document_files(doc_id, file):
    """The files under seeds/ a document's rows come from (paths as snapshot() names them)."""
    return {os.path.normpath(file).replace(os.sep, "/"), f"claims/{doc_id}.yml"}


def _edited_entries(db, documents):
    """Ids of documents whose documents.yml entry differs from the row the database holds."""
    keys = sorted({k for d in documents for k in d if not k.startswith("_")})
    rows = {r[0]: r for r in db.execute(f"select id, {', '.join(f'[{k}]' for k in keys)} from documents")}
    authors = {}
    for doc_id, author_id in db.execute("select document_id, author_id from document_authors order by rowid"):
        authors.setdefault(doc_id, []).append(author_id)
    return {d["id"] for d in documents
            if rows.get(d["id"]) != (d["id"], *(d.get(k) for k in keys)) or authors.get(d["id"], []) != d["_authors"]}


def _links():
    """{per-document table: SQL condition selecting the rows of the documents in temp table gone}."""
    links = {}
    for table, (columns, _, _) in load.TABLES.items():
        if table == "documents":
            links[table] = "id in (select id from gone)"
        elif "document_id" in columns:
            links[table] = "document_id in (select id from gone)"
        elif "claim_id" in columns:
            links[table] = "claim_id in (select id from gone_claims)"
        elif table not in GLOBAL_TABLES:
            return None
    return links


def _delete(db, doc_ids, links):
    """Every row of the given documents, in each per-document table."""
    db.execute("create temp table gone (id text primary key)")
    db.executemany("insert into gone values (?)", [(d,) for d in doc_ids])
    db.execute("create temp table gone_claims as select id from claims where document_id in (select id from gone)")
    for table, where in reversed(links.items()):
        db.execute(f"delete from [{table}] where {where}")
    db.execute("drop table gone")
    db.execute("drop table gone_claims")


ENTRY = ("id", "title", "publisher_id", "published", "published_note", "url", "kind", "file")  # from check_documents


def _seed_lists(plan, seeds_dir, old, problems, listed):
    """(author ids, topic ids, {document id: file} in documents.yml order, entries).

    listed receives what rows.seed_lists gives it, when documents.yml is parsed.

    entries(ids) gives those documents as check_documents does (without _path when read from
    the database). documents.yml is parsed again only when it changed; else its entries are
    the rows of the previous database, which the manifest vouches was built from it, and only
    the entries of the documents redone are read.
    """
    if "documents.yml" in plan.changed:
        _, authors, topics, _, documents = seed_lists(seeds_dir, problems, listed)
        by_id = {d["id"]: d for d in documents}
        return ([a["id"] for a in authors], [t["id"] for t in topics], {d["id"]: d["file"] for d in documents},
                lambda ids: [by_id[i] for i in ids])

    def entries(ids):
        wanted = [json.dumps(list(ids))]
        authors = {}
        for doc_id, author_id in old.execute("select document_id, author_id from document_authors "
                                             "where document_id in (select value from json_each(?)) order by rowid", wanted):
            authors.setdefault(doc_id, []).append(author_id)
        rows = old.execute(f"select {', '.join(ENTRY)} from documents where id in (select value from json_each(?)) "
                           "order by rowid", wanted)
        return [{**dict(zip(ENTRY, row)), "_authors": authors.get(row[0], [])} for row in rows]

    files = dict(old.execute("select id, file from documents order by rowid"))
    return plan.manifest["authors"], plan.manifest["topics"], files, entries


def _check_orphans(plan, seeds_dir, files, problems):
    """rows.claim_files' check, on what changed: with documents.yml unchanged, only a claims
    file that changed can belong to no document."""
    if "documents.yml" in plan.changed:
        claim_files(seeds_dir, [{"id": i} for i in files], problems)
        return
    for path in sorted(plan.changed):
        folder, _, name = path.partition("/")
        if folder == "claims" and "/" not in name and name.endswith(".yml") and name[:-4] not in files \
                and (seeds_dir / path).is_file():
            orphan_claims_file(seeds_dir / path, problems)


def _check_listing(plan, seeds_dir, files, listed, problems):
    """rows.ledger_rows' checks of the folders, on the snapshot (no file read): a file of
    documents/ that no entry lists is a problem; a document without a claims file, a warning."""
    names = [p[10:] for p in plan.files if p.startswith("documents/") and "/" not in p[10:]]
    listed_files = listed.get("files")
    if listed_files is None:  # documents.yml unchanged: its entries are the database's documents
        listed_files = {os.path.normpath(f) for f in files.values()}
    unlisted_documents(seeds_dir, names, listed_files, problems)
    stems = {p[7:-4] for p in plan.files if p.startswith("claims/") and p.endswith(".yml")}
    where = listed.get("where")
    if where is None:  # lines from one parse of documents.yml, made only if a warning is printed
        path = str(seeds_dir / "documents.yml")
        source = Source(path)
        where = {i: Location(path, None, (), "id", source, entry=i) for i in files.keys() - stems}
    missing_claims_files(seeds_dir, files, stems, where.get, problems)


def copy_in_background(db_path, tmp, thread):
    """Start copying the previous database to tmp, where update() changes it (a Future, or None
    without a previous database). Begun before the snapshot, the copy (in the kernel, 0.06 s of
    an update's 0.3 s at 10,000 documents) and the walk over the seeds share the two cores."""
    return thread.submit(shutil.copyfile, db_path, tmp) if Path(db_path).exists() else None


def update(plan, seeds_dir, db_path, tmp, copy, progress=None, lists=None):
    """Write into tmp the previous database with the changed documents redone; returns counts.

    copy is copy_in_background's. Returns None when so much changed that a full build is the
    better path. lists receives the seed lists for the manifest, as ledger_rows gives them.
    """
    seeds_dir = Path(seeds_dir)
    problems = Problems()
    old = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True)
    try:
        listed = {}
        authors, topics, files, entries = _seed_lists(plan, seeds_dir, old, problems, listed)
        _check_orphans(plan, seeds_dir, files, problems)
        _check_listing(plan, seeds_dir, files, listed, problems)
        if problems:  # the full build reports them, with every other problem, in one pass
            return None
        before = {r[0] for r in old.execute("select id from documents")}
        redo = {i for i, file in files.items() if i not in before or _document_files(i, file) & plan.changed}
        if "documents.yml" in plan.changed:
            redo |= _edited_entries(old, entries(files))
        gone = before - files.keys()
        if len(redo | gone) > MOST * max(len(files), 1):
            return None
        todo = [{**d, "_path": d.get("_path") or seeds_dir / d["file"]} for d in entries([i for i in files if i in redo])]
        # The containment rule of the full build, on every file this update reads: a source or a
        # seed file that became a link to a file outside seeds/ sends the build the full way,
        # which reports it with its line in documents.yml.
        read = [seeds_dir / "documents.yml", *(d["_path"] for d in todo),
                *(seeds_dir / "claims" / f"{d['id']}.yml" for d in todo)]
        if any(outside(p, seeds_dir) for p in read):
            return None
    finally:
        old.close()
    links = _links()
    if links is None:
        return None
    copy.result()  # the previous database, copied to tmp meanwhile
    db = sqlite3.connect(tmp)
    try:
        db.execute("pragma journal_mode = off")  # a failed build is thrown away whole
        db.execute("pragma synchronous = off")
        ctx = Context(set(authors), set(topics))
        with db:
            per_document = []
            for n, doc in enumerate(todo, 1):
                pairs = document_rows(doc, seeds_dir / "claims" / f"{doc['id']}.yml", ctx, problems)
                per_document.append(pairs)
                if progress:
                    progress(n, len(todo))
            # A link joins claims of other documents, whose counting may change too: every document
            # holding a linked claim, before or after, is recounted whole (ingest/links.py).
            targets = [row["target_id"] for pairs in per_document for table, rows in pairs if table == "claim_links"
                       for row in rows]
            recount = json.dumps(sorted(redo | gone | claim_links.documents_touched(db, targets)))
            claims_of = "select id from claims where document_id in (select value from json_each(?))"
            recounted = [r[0] for r in db.execute(claims_of, [recount])]
            # what the old rows add, to the scorecards and to the probability counts
            hits_before, probabilities_before = aggregate.counts_of(db, recounted), probability_scores.count(db, recounted)
            _delete(db, redo | gone, links)
            _check_unique_claims(db, ctx.claim_ids, problems)
            if problems:
                raise ValidationFailed(problems)
            for pairs in per_document:
                for table, rows in pairs:
                    load.insert(db, table, rows)
            claim_links.refresh(db, seeds_dir, problems)
            if problems:
                raise ValidationFailed(problems)
            recounted = [r[0] for r in db.execute(claims_of, [recount])]
            aggregate.apply(db, hits_before, aggregate.counts_of(db, recounted))
            probability_scores.apply(db, probabilities_before, probability_scores.count(db, recounted))
        _refresh_search(db)
        db.execute("pragma journal_mode = delete")
    finally:
        db.close()
    conn = sqlite3.connect(f"file:{tmp}?mode=ro", uri=True)
    counts = {t: conn.execute(f"select count(*) from [{t}]").fetchone()[0] for t in load.TABLES}
    conn.close()
    if lists is not None:
        lists.update(authors=[{"id": a} for a in authors], topics=[{"id": t} for t in topics])
    return {**counts, "changed_documents": len(redo), "removed_documents": len(gone), "warnings": problems.warnings}


def _check_unique_claims(conn, claim_ids, problems):
    """New claim ids that another (unchanged) document already uses."""
    taken = conn.execute("select id, document_id from claims where id in (select value from json_each(?))",
                         [json.dumps(list(claim_ids))]).fetchall()
    for claim_id, document_id in taken:
        where = claim_ids[claim_id]
        problems.add(where.path, where.line, f"duplicate claim id '{claim_id}' (first at claims/{document_id}.yml): ids must be unique")


def _refresh_search(db):
    """FTS tables follow their content through triggers; an index without them is rebuilt whole."""
    fts5 = db.execute("select name from sqlite_master where type = 'table' and sql like 'create virtual table%using fts5%'")
    for (table,) in fts5.fetchall():
        triggers = db.execute("select count(*) from sqlite_master where type = 'trigger' and sql like ?",
                              [f"%{table}%"]).fetchone()[0]
        if not triggers:
            db.execute(f"insert into [{table}]([{table}]) values ('rebuild')")
