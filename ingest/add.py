"""hindsight add: a new document into the seeds, as a review job for the curator.

    hindsight add PATH [--id ID] [--print] [--seeds DIR]

1. reads PATH with the readers (a file they refuse stops here, with file:line, nothing written);
2. copies it, bytes unchanged, into seeds/documents/ under a readable name (never over another
   file; the same bytes already there are refused);
3. appends its entry to documents.yml, filled from what the file says about itself
   (proposer/describe.py): a field guessed rather than read carries a `# guessed: ...` comment,
   one found nowhere a placeholder with `# TODO: ...` that `hindsight check` reports until filled;
4. appends the authors and publisher not yet known to authors.yml and publishers.yml (a known one,
   matched by id or name, is reused; a transcript's speakers are proposed as its authors);
5. writes the candidate claims from the proposer to claims/<id>.yml (never over an existing one).

The YAML files are appended to as text, so their comments and layout stay as they are. With
--print nothing at all is written: the documents.yml entry (and any new author or publisher
entries) and the claims are printed instead.
"""
import datetime
import hashlib
import os
import re
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import click
import yaml

from . import probability_words
from .propose import load_list, read
from .seeds import YAMLProblem, parse_yaml

ID = re.compile(r"\A[a-z0-9][a-z0-9-]*\Z")
_GENERIC_NAMES = {"index", "page", "post", "document", "download", "untitled", "file", "article", "text",
                  "readme", "content", "export", "output", "source", "transcript", "notes", "blog"}


@dataclass
class Plan:
    """Everything add would write, worked out before anything is written."""
    document_id: str
    file_name: str
    entry: str  # the documents.yml entry's text
    author_entries: str = ""
    publisher_entries: str = ""
    claims: str = ""
    claim_count: int = 0
    guessed: dict = field(default_factory=dict)  # field -> where it was guessed from
    todo: list = field(default_factory=list)  # fields found nowhere
    new_authors: list = field(default_factory=list)
    known_authors: list = field(default_factory=list)
    new_publisher: str = None
    publisher_id: str = None


@click.command()
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--id", "document_id", help="Document id (default: a slug of the title, made unique).")
@click.option("--print", "print_only", is_flag=True,
              help="Write nothing: print the documents.yml entry (and new authors/publisher) and the candidate claims.")
@click.option("--seeds", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="The seeds folder (default: seeds/ in the current folder).")
def add(path, document_id, print_only, seeds):
    """Add a document to the seeds as a review job.

    Copies PATH unchanged into seeds/documents/, appends its entry to documents.yml from what the
    file says about itself (guessed fields marked `# guessed`, missing ones `# TODO`), adds new
    authors and publishers, and writes candidate claims to seeds/claims/<id>.yml. Then review them
    and run `hindsight check`. With --print nothing is written; the entries and claims are printed.
    """
    if seeds is None:
        from .build import DEFAULT_SEEDS

        seeds = DEFAULT_SEEDS
    if not seeds.is_dir():
        raise click.ClickException(f"{seeds} is not a folder: give the seeds folder with --seeds")
    source = read(path)
    data = path.read_bytes()
    if hashlib.sha256(data).hexdigest() != source.sha256:
        raise click.ClickException(f"{path}:1: the file changed while it was read: try again")
    plan = make_plan(path, data, source, seeds, document_id)

    if print_only:
        click.echo(f"# would be appended to {seeds / 'documents.yml'} (with --print nothing is written)")
        click.echo(plan.entry, nl=False)
        if plan.author_entries:
            click.echo(f"\n# would be appended to {seeds / 'authors.yml'}")
            click.echo(plan.author_entries, nl=False)
        if plan.publisher_entries:
            click.echo(f"\n# would be appended to {seeds / 'publishers.yml'}")
            click.echo(plan.publisher_entries, nl=False)
        click.echo(f"\n# would be written to {seeds / 'claims' / (plan.document_id + '.yml')}")
        click.echo(plan.claims, nl=False)
        click.echo(f"Nothing written (--print). {_counts(plan)}", err=True)
        return

    write(seeds, path, data, plan)
    click.echo(summary(seeds, plan))


def _said_before(seeds, document_id, limit=5):
    """The likeliest pairs of a new claim and one already in the ledger: a prediction made again is
    linked (same_as), so that it counts once per predictor."""
    from .link_suggestions import seed_claims, suggest

    found = suggest(seed_claims(seeds), limit=limit, document=document_id)
    if not found:
        return []
    lines = [f"Maybe said before in the ledger (`hindsight links --suggest --document {document_id}` "
             "gives the line to add for each):"]
    for score, first, then in found:
        new, old = (first, then) if first["document"] == document_id else (then, first)
        lines.append(f"  {score:5.1f}  {new['id']} ~ {old['id']} ({old['document']}): {old['statement']}")
    return lines


# ---------------------------------------------------------------- planning

def make_plan(path, data, source, seeds, document_id=None):
    try:
        from .proposer import claims_yaml, propose
        from .proposer.describe import describe, slug
    except ImportError as e:
        raise click.ClickException(f"the claim proposer cannot be loaded ({e}); nothing written")
    from .validate import DOCUMENT_KINDS

    documents = load_list(seeds / "documents.yml")
    authors = load_list(seeds / "authors.yml")
    publishers = load_list(seeds / "publishers.yml")
    topics = load_list(seeds / "topics.yml")
    claims_dir = seeds / "claims"
    docs_dir = seeds / "documents"

    # The same bytes already in the seeds?
    same = _same_bytes(docs_dir, data)
    if same is not None:
        users = [str(d.get("id")) for d in documents if isinstance(d, dict) and Path(str(d.get("file", ""))).name == same.name]
        where = f"document '{users[0]}' in documents.yml" if users else "not yet in documents.yml: describe it there by hand"
        raise click.ClickException(f"{path} is already in the seeds, byte for byte, as "
                                   f"{same.relative_to(seeds).as_posix()} ({where}); nothing written")

    d = describe(source.raw, source.document, path.name)
    if d.kind not in DOCUMENT_KINDS:  # kept until `hindsight check` accepts the kind
        d.notes["kind"] = f"a {d.kind}; '{d.kind}' is not yet a kind check accepts"
        d.kind = "talk notes"
        d.guessed.add("kind")

    # The id.
    taken = {str(doc.get("id")) for doc in documents if isinstance(doc, dict)} | \
            ({p.stem for p in claims_dir.glob("*.yml")} if claims_dir.is_dir() else set())
    if document_id:
        if not ID.match(document_id):
            raise click.ClickException(f"--id {document_id!r} must be lowercase letters, digits and '-'")
        if document_id in taken:
            raise click.ClickException(f"document id '{document_id}' is taken (documents.yml or claims/): choose another --id")
    else:
        document_id = _unique(slug(d.title or "") or slug(path.stem) or "document", taken)

    file_name = _file_name(path, d, docs_dir, slug)

    # The publisher: known (by id, name or the URL's host), new, or the known author's.
    notes = dict(d.notes)
    guessed = {f: notes[f] for f in d.guessed}
    publisher_id, new_publisher, publisher_text = None, None, ""
    publisher_ids = {str(p.get("id")) for p in publishers if isinstance(p, dict)}
    if d.publisher:
        publisher_id = _match(d.publisher, publishers, slug) or _match_host(d.url, publishers)
        if publisher_id is None:
            publisher_id = new_publisher = _unique(slug(d.publisher) or "publisher", publisher_ids)
            host = urlsplit(d.url).hostname if d.url else None
            comment = f"  # guessed: {notes['publisher']}" if "publisher" in guessed else ""
            publisher_text = (
                f"# Added by hindsight add for {document_id} (from {notes['publisher']}): check it, add a description.\n"
                f"- id: {new_publisher}\n"
                f"  name: {_scalar(d.publisher)}{comment}\n"
                f"  url: {_scalar(f'https://{host}' if host else None)}\n"
                f"  description: null\n")

    # The authors: each known one reused, each new one added.
    author_ids = {str(a.get("id")) for a in authors if isinstance(a, dict)}
    ids, new_authors, known_authors, author_text = [], [], [], ""
    every_author = [dict(a) for a in authors if isinstance(a, dict)]

    def new_author(name, source, guessed_name, publisher):
        nonlocal author_text
        aid = _unique(slug(name) or "author", author_ids)
        author_ids.add(aid)
        entry = {"id": aid, "name": name, **({"publisher": publisher} if publisher else {})}
        new_authors.append((aid, entry))
        every_author.append(entry)
        author_text += (f"# Added by hindsight add for {document_id} (from {source}): check the name, add a role.\n"
                        f"- id: {aid}\n  name: {_scalar(name)}" + ("  # guessed" if guessed_name else "") + "\n"
                        + (f"  publisher: {publisher}\n" if publisher else ""))
        return aid
    for name in d.authors:
        aid = _match(name, authors, slug)
        if aid is None:
            aid = _match(name, [{"id": i, "name": a["name"]} for i, a in new_authors], slug)
        if aid is not None:
            if aid not in ids:
                ids.append(aid)
                if aid not in {i for i, _ in new_authors}:
                    known_authors.append(aid)
            continue
        ids.append(new_author(name, notes["authors"], "authors" in guessed, publisher_id))
    if publisher_id is None:  # no publisher named: a known author's own, if there is exactly one
        theirs = {str(a.get("publisher")) for a in authors if isinstance(a, dict) and a.get("id") in known_authors and a.get("publisher")}
        if len(theirs) == 1:
            publisher_id = theirs.pop()
            notes["publisher"] = guessed["publisher"] = "publisher of a known author in authors.yml"

    # The entry.
    todo = []

    def line(key, value, field_name=None, required=True):
        field_name = field_name or key
        text = f"  {key}: {value}"
        if field_name in guessed:
            return f"{text}  # guessed: {guessed[field_name]}\n"
        if value in ("null", "[]"):
            todo.append(field_name)
            what = "not found in the file" + ("" if required else " (optional: fill it or leave it)")
            return f"{text}  # TODO: {what}\n"
        return text + "\n"

    published_note = None
    if d.published:
        published_note = (f"Guessed by hindsight add from the {notes['published']}: check it against the source."
                          if "published" in guessed else f"Date from the {notes['published']}.")
    header = ""
    if guessed or any(getattr(d, f) in (None, []) for f in ("title", "published", "url")) or not publisher_id or not ids:
        header = "# Added by hindsight add: check the fields marked guessed or TODO, then run hindsight check.\n"
    entry = (
        header
        + f"- id: {document_id}\n"
        + f"  file: documents/{file_name}\n"
        + line("title", _scalar(d.title))
        + line("publisher", publisher_id or "null")
        + line("authors", "[" + ", ".join(ids) + "]", required=False)
        + line("published", d.published or "null")
        + (f"  published_note: {_scalar(published_note)}\n" if published_note else "")
        + line("url", _scalar(d.url), required=False)
        + line("kind", _scalar(d.kind))
    )

    # The claims.
    made = datetime.date.fromisoformat(d.published) if d.published else None
    claims = propose(source.document, document_id=document_id, made=made, title=d.title,
                     authors=every_author, topics=[t for t in topics if isinstance(t, dict)],
                     default_author=ids[0] if len(ids) == 1 else None, words=probability_words.table(seeds))
    # Who the document says made a claim (a section's person, a table's row) and authors.yml does
    # not know yet: proposed as a new author, named on the claim.
    for i, claim in enumerate(claims):
        name = claim["_raw"].get("author")
        if name and "author" not in claim and not claim["_raw"].get("relayed"):
            aid = _match(name, every_author, slug) or new_author(name, "the claims that name them", True, None)
            claims[i] = _with_author(claim, aid, name)
    claims_text = claims_yaml(claims, _claims_header(document_id, d.title, file_name))

    return Plan(document_id=document_id, file_name=file_name, entry=entry, author_entries=author_text,
                publisher_entries=publisher_text, claims=claims_text, claim_count=len(claims), guessed=guessed,
                todo=todo, new_authors=[i for i, _ in new_authors], known_authors=known_authors,
                new_publisher=new_publisher, publisher_id=publisher_id)


def _with_author(claim, author_id, name):
    """The claim with its author set (after the statement, where the seeds have it)."""
    out = {}
    for key, value in claim.items():
        out[key] = value
        if key == "statement":
            out["author"] = author_id
    out["_why"] = re.sub(r"author: .*? \(not in authors\.yml[^)]*\)", f"author {name!r}, new in authors.yml", claim.get("_why", ""))
    return out


def _claims_header(document_id, title, file_name):
    return (f"# Candidate claims for {document_id} ({title or 'untitled'}), proposed by `hindsight add` "
            f"from documents/{file_name}.\n"
            "# A review job: keep the real claims (quotes stay verbatim), fix each statement, horizon and topics,\n"
            "# delete the rest, give every prediction a resolution; then run `hindsight check`.")


def _same_bytes(docs_dir, data):
    if not docs_dir.is_dir():
        return None
    digest = hashlib.sha256(data).hexdigest()
    for p in sorted(docs_dir.iterdir()):
        try:
            if p.is_file() and p.stat().st_size == len(data) and hashlib.sha256(p.read_bytes()).hexdigest() == digest:
                return p
        except OSError:
            continue
    return None


def _unique(base, taken):
    base = base[:60].strip("-") or "document"
    if base not in taken:
        return base
    n = 2
    while f"{base}-{n}" in taken:
        n += 1
    return f"{base}-{n}"


def _file_name(path, d, docs_dir, slug):
    """A readable name in docs_dir: the original name's slug, or the date and the title's; free."""
    suffix = path.suffix.lower() if re.fullmatch(r"\.[a-z0-9]{1,8}", path.suffix.lower()) else ".txt"
    stem = slug(path.stem, limit=80)
    words = [w for w in stem.split("-") if re.search(r"[a-z]{3,}", w)]
    hashy = re.fullmatch(r"[0-9a-f_-]{8,}", path.stem.lower()) is not None
    if hashy or not [w for w in words if w not in _GENERIC_NAMES]:
        stem = slug(d.title or "", limit=60) or stem or "document"
        if d.published and not stem.startswith(d.published):
            stem = f"{d.published}-{stem}"
    taken = {p.name for p in docs_dir.iterdir()} if docs_dir.is_dir() else set()
    name, n = f"{stem}{suffix}", 2
    while name in taken:
        name, n = f"{stem}-{n}{suffix}", n + 1
    return name


def _match(name, entries, slug):
    """Id of the entry whose id is the name's slug or whose name is the name (any case), or None."""
    key, folded = slug(name), str(name).strip().casefold()
    for e in entries:
        if isinstance(e, dict) and (str(e.get("id")) == key or str(e.get("name", "")).strip().casefold() == folded
                                    or str(e.get("id")) == str(name).strip()):
            return str(e["id"])
    return None


def _match_host(url, publishers):
    host = _host(url)
    if not host:
        return None
    for p in publishers:
        if isinstance(p, dict) and _host(p.get("url")) == host:
            return str(p["id"])
    return None


def _host(url):
    try:
        host = urlsplit(str(url)).hostname if url else None
    except ValueError:
        return None
    return host.removeprefix("www.") if host else None


def _scalar(value):
    """One YAML scalar on one line, quoted when it has to be."""
    if value is None:
        return "null"
    text = yaml.safe_dump(str(value), allow_unicode=True, width=float("inf"), default_flow_style=True)
    return text.removesuffix("\n").removesuffix("\n...").strip()


# ---------------------------------------------------------------- writing

def _appended(path, text):
    """The file's text with entries appended (a blank line between, when the file uses them)."""
    old = path.read_text(encoding="utf-8") if path.exists() else ""
    before = len(load_list(path)) if old else 0
    if old and not old.endswith("\n"):
        old += "\n"
    blank = "\n" if re.search(r"\n\n- ", old) and old.strip() else ""
    new = old + blank + text
    try:
        after = parse_yaml(new)  # the build's parser
    except YAMLProblem as e:
        raise click.ClickException(f"cannot append to {path}: the result would not parse ({e}); nothing written")
    if not isinstance(after, list) or len(after) != before + text.count("\n- ") + text.startswith("- "):
        raise click.ClickException(f"cannot append to {path}: it is not a list of '- ' entries; nothing written")
    return new


def write(seeds, path, data, plan):
    """Everything in the plan, or (on any failure) nothing: files written are restored or removed."""
    docs_dir = seeds / "documents"
    claims_path = seeds / "claims" / f"{plan.document_id}.yml"
    if claims_path.exists():
        raise click.ClickException(f"{claims_path} exists: it is never overwritten; nothing written")
    updates = [(seeds / "documents.yml", _appended(seeds / "documents.yml", plan.entry))]
    if plan.publisher_entries:
        updates.append((seeds / "publishers.yml", _appended(seeds / "publishers.yml", plan.publisher_entries)))
    if plan.author_entries:
        updates.append((seeds / "authors.yml", _appended(seeds / "authors.yml", plan.author_entries)))
    done = []  # (path, previous bytes or None for a new file)
    try:
        docs_dir.mkdir(exist_ok=True)
        target = docs_dir / plan.file_name
        with open(target, "xb") as f:  # never over an existing file
            done.append((target, None))
            f.write(data)
        claims_path.parent.mkdir(exist_ok=True)
        with open(claims_path, "x", encoding="utf-8") as f:
            done.append((claims_path, None))
            f.write(plan.claims)
        for file, text in updates:
            previous = file.read_bytes() if file.exists() else None
            _replace(file, text.encode("utf-8"))
            done.append((file, previous))
    except BaseException as e:
        for file, previous in reversed(done):
            try:
                if previous is None:
                    file.unlink(missing_ok=True)
                else:
                    _replace(file, previous)
            except OSError:
                pass
        if isinstance(e, OSError):
            raise click.ClickException(f"could not write the seeds ({e}); nothing written") from None
        raise


def _replace(file, data):
    fd, tmp = tempfile.mkstemp(dir=file.parent, prefix=f".{file.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
        os.replace(tmp, file)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _counts(plan):
    return f"{plan.claim_count} candidate claim(s)."


def summary(seeds, plan):
    claims_file = (seeds / "claims" / f"{plan.document_id}.yml")
    lines = [
        f"Copied to {seeds / 'documents' / plan.file_name} (bytes unchanged).",
        f"documents.yml: new entry '{plan.document_id}'.",
    ]
    if plan.guessed:
        lines.append("  guessed (marked '# guessed'): " + "; ".join(f"{k} from {v}" for k, v in sorted(plan.guessed.items())))
    if plan.todo:
        lines.append("  not found (marked '# TODO'): " + ", ".join(plan.todo))
    if plan.new_authors or plan.known_authors:
        lines.append("authors.yml: " + "; ".join(filter(None, [
            "added " + ", ".join(plan.new_authors) if plan.new_authors else "",
            "reused " + ", ".join(plan.known_authors) if plan.known_authors else ""])))
    if plan.new_publisher:
        lines.append(f"publishers.yml: added {plan.new_publisher}")
    lines.append(f"{claims_file}: {plan.claim_count} candidate claim(s) to review.")
    lines += _said_before(seeds, plan.document_id)
    lines.append(f"Next: check the marked fields in {seeds / 'documents.yml'}, review {claims_file} "
                 f"(keep, edit or delete each claim; add resolutions), then run `hindsight check --seeds {seeds}`.")
    return "\n".join(lines)
