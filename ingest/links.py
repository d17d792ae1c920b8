"""Claims that are one prediction, and claims that answer another.

A claim entry may say `same_as: <claim id>` (the same prediction, made again in this or another
source) and `responds_to:` (entries of `claim:` and `stance: agrees | disagrees`). same_as is
symmetric and transitive: the links join claims into groups, whatever direction they were written
in. Each group has one canonical claim, the earliest made (then the smallest id), and within a
group each predictor (the claim's author; for an unsigned claim, its document) is counted once by
the scorecards: its earliest claim counts, the others are marked counted = 0 in claim_groups.

Links cross documents, so they are checked once every claim is known: by the full build and
`hindsight check` from the seeds (link_rows per document, then groups over all), by an incremental
build from the database (refresh).
"""
import json
from collections import defaultdict
from pathlib import Path
from types import SimpleNamespace

from .seeds import Location, SeedError
from .seeds import load_list
from .validate import ID, Problems, check_claims, check_keys, entries

STANCES = ("agrees", "disagrees")


def link_rows(records, path, problems):
    """The links the claim entries of one file declare, as claim_links rows (dicts); a malformed one is a problem.

    A link's target is checked later, by groups(), when every claim of the ledger is known.
    """
    rows = []
    for r in records:
        cid = r.get("id") if hasattr(r, "line_of") else None
        if cid is None or not ID.match(str(cid)):
            continue  # validate reports the entry
        cid = str(cid)
        target = r.get("same_as")
        if target is not None and not isinstance(target, (list, dict)):  # a list or mapping: check_keys says so
            if not ID.match(str(target)):
                problems.add(path, r.line_of("same_as"), f"same_as of claim '{cid}' is {target!r}, not a claim id: "
                                                        "write the id of the claim that makes the same prediction")
            elif str(target) == cid:
                problems.add(path, r.line_of("same_as"), f"claim '{cid}' is linked to itself (same_as): "
                                                        "write the id of another claim that makes the same prediction")
            else:
                rows.append({"claim_id": cid, "target_id": str(target), "kind": "same_as", "stance": None})
        answered = set()
        for e in entries(r, "responds_to", "response", path, problems):
            if not check_keys("response", e, path, problems):
                continue
            target, stance = str(e["claim"]), e["stance"]
            if stance not in STANCES:
                problems.add(path, e.line_of("stance"), f"stance {stance!r} of claim '{cid}' is not one of: "
                                                        f"{', '.join(STANCES)}")
            elif not ID.match(target) or target == cid:
                problems.add(path, e.line_of("claim"), f"claim '{cid}' responds to {target!r}: "
                                                       "write the id of another claim it agrees or disagrees with")
            elif target in answered:
                problems.add(path, e.line_of("claim"), f"claim '{cid}' responds to '{target}' twice: keep one entry")
            else:
                answered.add(target)
                rows.append({"claim_id": cid, "target_id": target, "kind": "responds_to", "stance": stance})
    return rows


def same_groups(links):
    """{claim: its group's members} over the same_as links (union-find)."""
    parent = {}

    def root(x):
        parent.setdefault(x, x)
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for claim_id, target_id, kind, _ in links:
        if kind == "same_as":
            parent[root(claim_id)] = root(target_id)
    members = defaultdict(list)
    for x in list(parent):
        members[root(x)].append(x)
    return list(members.values())


def groups(links, facts, where, problems):
    """claim_groups rows (claim_id, prediction_id, counted) for every claim linked as the same prediction,
    sorted; a link to a claim that does not exist, and a group whose verdicts differ, are problems.

    links: claim_links rows as (claim_id, target_id, kind, stance), valid ones only.
    facts: {claim id: (document_id, author_id, made, verdict, kind)} of every linked claim that exists.
    where(claim_id, key): the Location of a claim's key, for the problems.
    """
    known = []
    for link in links:
        claim_id, target_id, kind, _ = link
        if target_id not in facts:
            at = where(claim_id, kind)
            problems.add(at.path, at.line, f"claim '{claim_id}' {'is the same as' if kind == 'same_as' else 'responds to'} "
                                           f"'{target_id}', which is no claim's id: check the id (claim ids are listed in seeds/claims/*.yml)")
        elif claim_id in facts:  # a claim with problems of its own is left out
            known.append(link)
    declaring = {claim_id for claim_id, _, kind, _ in known if kind == "same_as"}  # where a group's problem is shown
    rows = []
    for members in same_groups(known):
        ordered = sorted(members, key=lambda c: (facts[c][2] is None, facts[c][2] or "", c))  # earliest made first
        verdicts = {facts[c][3] for c in ordered} - {None}
        if len({facts[c][4] for c in ordered}) > 1:
            at = where(min(c for c in ordered if c in declaring), "same_as")
            listed = ", ".join(f"{c} ({facts[c][4]})" for c in ordered)
            problems.add(at.path, at.line, f"claims {listed} are linked as the same claim (same_as) but are not of one "
                                           "kind: a later observation of what a prediction foresaw answers it "
                                           "(responds_to, stance agrees), it is not the same claim")
        elif len(verdicts) > 1:
            at = where(min(c for c in ordered if c in declaring), "same_as")
            listed = ", ".join(f"{c} ({facts[c][3] or 'unreviewed'})" for c in ordered)
            problems.add(at.path, at.line, f"claims {listed} are linked as the same prediction (same_as) but their "
                                           "current verdicts differ: give them one verdict, or remove the link if "
                                           "they are different predictions")
        seen = set()
        for c in ordered:
            document_id, author_id = facts[c][:2]
            predictor = author_id or ("document", document_id)  # an unsigned claim is its document's
            rows.append((c, ordered[0], int(predictor not in seen)))
            seen.add(predictor)
    return sorted(rows)


def linked_ids(links):
    return sorted({i for claim_id, target_id, _, _ in links for i in (claim_id, target_id)})


def facts_from_seeds(ids, path_of, authors, topics):
    """facts (see groups) of these claims, read again from their claims files (path_of(id): the file, or None).

    The build streams documents and keeps no claim: the few claims that links name are read again.
    """
    by_file = defaultdict(set)
    for cid in ids:
        if (path := path_of(cid)) is not None:
            by_file[str(path)].add(cid)
    facts = {}
    ctx = SimpleNamespace(authors=authors, topics=topics, claim_ids={})
    for path, wanted in sorted(by_file.items()):
        try:
            records = load_list(path)
        except SeedError:
            continue  # reported when the file was first read
        document = {"id": Path(path).stem, "file": Path(path).name}
        for c in check_claims(records, path, document, None, ctx, Problems())[0]:
            if c["id"] in wanted:
                facts[c["id"]] = (c["document_id"], c["author_id"], c["made"], c["verdict"], c["kind"])
        ctx.claim_ids = {}
    return facts


def from_seeds(links, claim_ids, authors, topics, problems):
    """groups() for a whole build from the seeds: claim_ids maps every claim id to its file (or its Location)."""
    def path_of(cid):
        found = claim_ids.get(cid)
        return getattr(found, "path", found)

    facts = facts_from_seeds(linked_ids(links), path_of, authors, topics)
    return groups(links, facts, lambda cid, key: Location(path_of(cid), key=key, entry=cid), problems)


def refresh(conn, seeds_dir, problems):
    """claim_groups recomputed from the database's claim_links and claims (an incremental build)."""
    links = conn.execute("select claim_id, target_id, kind, stance from claim_links order by claim_id, kind, target_id").fetchall()
    facts = {row[0]: row[1:] for row in conn.execute(
        "select id, document_id, author_id, made, verdict, kind from claims where id in (select value from json_each(?))",
        [json.dumps(linked_ids(links))])}

    def where(cid, key):  # cid declares a link, so its row exists
        return Location(str(Path(seeds_dir) / "claims" / f"{facts[cid][0]}.yml"), key=key, entry=cid)

    rows = groups(links, facts, where, problems)
    conn.execute("delete from claim_groups")
    conn.executemany("insert into claim_groups (claim_id, prediction_id, counted) values (?, ?, ?)", rows)
    return rows


def documents_touched(conn, claim_ids):
    """The documents holding any linked claim, or one of these claims (an incremental build recounts them all)."""
    return {r[0] for r in conn.execute(
        "select distinct document_id from claims where id in (select claim_id from claim_links union "
        "select target_id from claim_links union select value from json_each(?))", [json.dumps(sorted(claim_ids))])}
