"""`hindsight links`: the links the seeds declare; with --suggest, likely new ones for a curator to accept.

Two claims of different documents are scored by how alike their statements and their quotes are
(rapidfuzz's token set ratio, 0 to 100, after lower-casing and dropping punctuation; the mean of
the two). A curator statement paraphrases, a quote repeats the source's words: a restated forecast
is usually close in one and often in both. Pairs already in one same-prediction group, or linked as
a response, are left out. Every claim is compared with every other (rapidfuzz's cdist, in C++
on every core), so the time grows with the square of the claims; --document compares one
document's claims with the rest, which grows with the claims.
"""
from pathlib import Path

import click

from .folders import SEEDS, require_seeds
from .links import same_groups
from .propose import load_list

BLOCK = 4_000_000  # 16 MB per float32 matrix, whatever the ledger's size


def seed_claims(seeds):
    """Every claim entry of seeds/claims/*.yml, as dicts with its document (the file's stem)."""
    claims = []
    for path in sorted((Path(seeds) / "claims").glob("*.yml")):
        for entry in load_list(path):
            if isinstance(entry, dict) and entry.get("id") is not None:
                claims.append({**entry, "id": str(entry["id"]), "document": path.stem, "path": path,
                               "statement": str(entry.get("statement") or ""), "quote": str(entry.get("quote") or ""),
                               "made": str(entry.get("made") or "")})
    return claims


def declared(claims):
    """(claim, target, kind, stance) for every link the entries write, however valid."""
    links = []
    for c in claims:
        if isinstance(c.get("same_as"), (str, int)):
            links.append((c["id"], str(c["same_as"]), "same_as", None))
        responses = c.get("responds_to")
        for response in responses if isinstance(responses, list) else []:
            if isinstance(response, dict) and response.get("claim") is not None:
                links.append((c["id"], str(response["claim"]), "responds_to", response.get("stance")))
    return links


def suggest(claims, min_score=60.0, limit=20, document=None):
    """[(score, earlier claim, later claim)], best first: likely pairs across documents not linked yet.

    With document, only pairs holding one of that document's claims (a new document's review).
    """
    import numpy  # with rapidfuzz, ~55 ms to import: only when suggesting, not for every command
    from rapidfuzz import fuzz, process, utils

    links = declared(claims)
    group = {c: i for i, members in enumerate(same_groups(links)) for c in members}
    answered = {frozenset((a, b)) for a, b, kind, _ in links if kind == "responds_to"}
    statements = [utils.default_process(c["statement"]) for c in claims]
    quotes = [utils.default_process(c["quote"]) for c in claims]
    rows = [i for i, c in enumerate(claims) if document is None or c["document"] == document]
    found = []
    block = max(1, BLOCK // max(len(claims), 1))  # rows scored at once: two float32 matrices of BLOCK cells
    for start in range(0, len(rows), block):
        chunk = rows[start:start + block]
        # Both similarities of every pair in C++ on every core, then their mean, in numpy.
        mean = (process.cdist([statements[i] for i in chunk], statements, scorer=fuzz.token_set_ratio, workers=-1)
                + process.cdist([quotes[i] for i in chunk], quotes, scorer=fuzz.token_set_ratio, workers=-1)) / 2
        for r, j in zip(*numpy.nonzero(mean >= min_score)):
            i, j = chunk[r], int(j)
            claim, other = claims[i], claims[j]
            if other["document"] == claim["document"] or (document is None and j <= i):
                continue  # one document's claims are not pairs; each pair once
            if frozenset((claim["id"], other["id"])) in answered or \
                    (claim["id"] in group and group.get(other["id"]) == group[claim["id"]]):
                continue
            first, then = sorted((claim, other), key=lambda c: (c["made"], c["id"]))
            found.append((round(float(mean[r, j]), 1), first, then))
    found.sort(key=lambda f: (-f[0], f[1]["id"], f[2]["id"]))
    return found[:limit]


@click.command()
@click.option("--seeds", type=click.Path(file_okay=False, path_type=Path), default=SEEDS, show_default=True)
@click.option("--suggest", "suggesting", is_flag=True, help="List likely pairs across documents that are not linked yet.")
@click.option("--min-score", default=60.0, show_default=True, help="Lowest similarity (0 to 100) to suggest.")
@click.option("--limit", default=20, show_default=True, help="How many suggestions, best first.")
@click.option("--document", help="With --suggest: only pairs holding a claim of this document id (a new one's review).")
def links(seeds, suggesting, min_score, limit, document):
    """The links between claims the seeds declare (same_as, responds_to).

    With --suggest, likely pairs of claims from different documents, scored by how alike their
    statements and quotes are, each with the line to add to accept it. A suggestion is only a
    lead: link two claims only when they are one prediction (same_as) or one answers the other
    (responds_to, with stance agrees or disagrees); then run hindsight check.
    """
    require_seeds(seeds)
    claims = seed_claims(seeds)
    if not suggesting:
        for claim_id, target_id, kind, stance in declared(claims):
            click.echo(f"{claim_id} {kind} {target_id}" + (f" ({stance})" if stance else ""))
        return
    if document is not None and not any(c["document"] == document for c in claims):
        raise click.ClickException(f"no claims file {Path(seeds) / 'claims' / (document + '.yml')}: "
                                   "--document takes a document id that has claims")
    found = suggest(claims, min_score, limit, document)
    if not found:
        click.echo(f"No unlinked pair of claims from different documents scores {min_score:g} or more.", err=True)
    for score, first, then in found:
        click.echo(f"{score:5.1f}  {then['id']} ({then['document']}, {then['made']}) ~ {first['id']} ({first['document']}, {first['made']})")
        for claim in (then, first):
            click.echo(f"       {claim['id']}: {claim['statement']}")
        click.echo(f"       accept: under '- id: {then['id']}' in {then['path']} add 'same_as: {first['id']}' "
                   f"(the same prediction) or 'responds_to: [{{claim: {first['id']}, stance: agrees}}]'")
