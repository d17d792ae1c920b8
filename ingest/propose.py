"""`hindsight propose`: candidate claims for a document, as the YAML of a claims file to review."""
import datetime
from pathlib import Path

import click

from . import probability_words, seeds


def load_list(path):
    """A seeds list ([] when absent), read only to learn its ids and names (by the build's parser)."""
    try:
        return seeds.load_list(path)
    except seeds.SeedError as e:
        raise click.ClickException(f"{e}: fix it first")


def read(path):
    """The read Source of a file; a file the readers refuse is a ClickException naming file:line."""
    from .read import DocumentError, read_source

    try:
        return read_source(path)
    except DocumentError as e:
        raise click.ClickException(str(e))


def run(document, *, source, document_id, seeds, model=None):
    """The proposed claims, with the ledger's authors and topics and the document's date."""
    from .proposer import propose as propose_claims

    authors, topics, documents = (load_list(seeds / name) for name in ("authors.yml", "topics.yml", "documents.yml"))
    entry = next((d for d in documents if isinstance(d, dict) and source.resolve() == (seeds / str(d.get("file", ""))).resolve()), None)
    made = title = default_author = None
    if entry:
        made, title = entry.get("published"), entry.get("title")
        document_id = document_id or entry.get("id")
        listed = entry.get("authors") or []
        default_author = listed[0] if len(listed) == 1 else None
    else:  # not in the ledger yet: what the file says about itself
        from .proposer.describe import describe

        described = describe(source.read_text(encoding="utf-8"), document, source.name)
        made, title = described.published, described.title
    try:
        return propose_claims(document, document_id=document_id, made=made, title=title, authors=authors,
                              topics=topics, default_author=default_author, model=model,
                              words=probability_words.table(seeds))
    except (ValueError, RuntimeError) as e:  # an unknown model, a model without schemas
        raise click.ClickException(str(e))


@click.command()
@click.argument("source", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--document-id", help="Document id, for the claim ids (default: its documents.yml id, else the file name).")
@click.option("--seeds", type=click.Path(file_okay=False, path_type=Path), default="seeds", show_default=True,
              help="The ledger whose authors and topics the claims are matched to.")
@click.option("--model", help="Propose with this language model through `llm` (see `llm models`), not the rules.")
def propose(source, document_id, seeds, model):
    """Propose candidate claims for a document, as YAML to review.

    Each claim carries its quote (verbatim), a draft statement, author, made, horizon,
    probability and topics where the document gives them, why it was proposed, and an empty
    resolution to fill in. `hindsight add` does the same for a new document and writes the file.
    """
    from .proposer.describe import slug

    document = read(source).document
    claims = run(document, source=source, document_id=document_id or slug(source.stem), seeds=seeds, model=model)
    from .proposer import claims_yaml

    how = f"model {model}" if model else "rules"
    click.echo(claims_yaml(claims, header=(
        f"# {len(claims)} candidate claims from {source} ({document.format} reader, {how}), "
        f"{datetime.date.today().isoformat()}.\n"
        "# Keep the real ones, write each statement, check author, horizon and topics, add a resolution\n"
        "# when the outcome is known; then `hindsight check`.")), nl=False)
