"""Documents: the list, and each source rendered from its markdown (safely) with every claim's quote
highlighted in its verdict's colour and linked to the claim."""
from urllib.parse import urlencode

from datasette import NotFound, hookimpl
from datasette.utils import tilde_encode
from markdown_it.token import Token
from markupsafe import Markup

from hindsight_site import ledger
from hindsight_site.pages import answer, page_number
from hindsight_site.rendering import MD, TAGS as SHARED_TAGS, clean

PAGE = 50
PAST_THE_END = "The documents have no page with the number given in ?page=: the list ends before it."
# The shared set, less h1 (the page has its own), plus the highlights' marks and references.
TAGS = (SHARED_TAGS - {"h1"}) | {"mark", "sup"}
ATTRIBUTES = {"a": {"href", "title", "class", "id"}, "mark": {"class", "title"}, "sup": {"class"}, "ol": {"start"}}

DOCUMENT = """
select d.id, d.title, d.publisher_id, p.name as publisher, d.published, d.published_note, d.url, d.kind,
  d.format, d.file, d.sha256, d.bytes, d.claim_count, d.markdown, d.text
from documents d left join publishers p on p.id = d.publisher_id where d.id = :id
"""
AUTHORS = """
select a.id, a.name, a.role from document_authors da join authors a on a.id = da.author_id
where da.document_id = :id order by a.name
"""
CLAIMS = """
select c.id, c.statement, c.quote, c.quote_start, c.quote_end, c.kind, c.made, c.horizon,
  coalesce(c.verdict, 'unreviewed') as verdict, coalesce(v.label, 'Unreviewed') as verdict_label
from claims c left join verdicts v on v.id = c.verdict
where c.document_id = :id order by c.quote_start, c.id
"""
DOCUMENTS = """
select d.id, d.title, d.publisher_id, p.name as publisher, d.published, d.kind, d.claim_count,
  s.predictions, s.resolved, s.hit_rate
from documents d
left join publishers p on p.id = d.publisher_id
left join scorecards s on s.id = 'document/' || d.id
order by d.published desc, d.id limit :n offset :o
"""


def blocks_of(tokens):
    """Each inline token with its children and their offsets in the rendered text, and that text."""
    parts, blocks, pos = [], [], 0
    for token in tokens:
        if token.type != "inline":
            continue
        if blocks:  # blocks are separated like lines of documents.text
            parts.append("\n")
            pos += 1
        children = []
        for child in token.children:
            children.append((child, pos))
            if child.type in ("text", "code_inline"):
                parts.append(child.content)
                pos += len(child.content)
            elif child.type in ("softbreak", "hardbreak"):
                parts.append("\n")
                pos += 1
        blocks.append((token, children))
    return blocks, "".join(parts)


def nth(haystack, needle, n):
    """Offset of the n-th (0-based, non-overlapping) occurrence of needle, or -1."""
    at = haystack.find(needle)
    for _ in range(n):
        if at < 0:
            break
        at = haystack.find(needle, at + len(needle))
    return at


def place(claims, text, flat):
    """Find each quote in the rendered text: the same occurrence as in documents.text, else the first.
    Returns the placed spans; a claim whose quote the rendered text lacks gets placed=False."""
    spans = []
    for claim in claims:
        quote = claim["quote"]
        occurrence = text.count(quote, 0, claim["quote_start"]) if quote else 0
        start = nth(flat, quote, occurrence) if quote else -1
        if start < 0 and quote:
            start = flat.find(quote)
        claim["placed"] = start >= 0
        if start >= 0:
            spans.append({"start": start, "end": start + len(quote), "claim": claim})
    return spans


def html_token(content):
    token = Token("html_inline", "", 0)
    token.content = str(content)
    return token


def opening(claim, in_link):
    title = f"Claim {claim['number']}: {claim['verdict_label']}"
    if in_link:  # a link cannot hold another link: mark the text, the reference after the link carries it
        return Markup('<mark class="hl hl-{}" title="{}">').format(claim["verdict"], title), Markup("</mark>")
    return (Markup('<a class="hl hl-{}" href="{}" title="{}">').format(claim["verdict"], claim["url"], title),
            Markup("</a>"))


def reference(claim):
    return Markup('<sup class="claim-ref"><a href="{}" id="claim-{}" title="{}">{}</a></sup>').format(
        claim["url"], claim["id"], claim["statement"], claim["number"])


def highlight(blocks, spans):
    """Wrap each placed quote's text in verdict-coloured links, piece by piece across inline markup,
    each followed by a numbered reference to its claim."""
    spans = sorted(spans, key=lambda s: s["start"])
    following, active = 0, []
    for token, children in blocks:
        out, depth, pending = [], 0, []
        for child, a in children:
            if child.type not in ("text", "code_inline"):
                out.append(child)
                depth += {"link_open": 1, "link_close": -1}.get(child.type, 0)
                if depth == 0 and pending:
                    out += [html_token(reference(c)) for c in pending]
                    pending = []
                continue
            b = a + len(child.content)
            while following < len(spans) and spans[following]["start"] < b:
                active.append(spans[following])
                following += 1
            cuts = sorted({a, b, *(x for s in active for x in (s["start"], s["end"]) if a < x < b)})
            for x, y in zip(cuts, cuts[1:]):
                piece = child.copy(content=child.content[x - a:y - a])
                cover = [s for s in active if s["start"] <= x and s["end"] >= y]
                if cover:  # overlapping quotes: the innermost (shortest) one colours the text
                    inner = min(cover, key=lambda s: s["end"] - s["start"])["claim"]
                    open_tag, close_tag = opening(inner, depth > 0)
                    out += [html_token(open_tag), piece, html_token(close_tag)]
                else:
                    out.append(piece)
                for s in active:
                    if s["end"] == y and depth:
                        pending.append(s["claim"])
                    elif s["end"] == y:
                        out.append(html_token(reference(s["claim"])))
            active = [s for s in active if s["end"] > b]
        token.children = out + [html_token(reference(c)) for c in pending]


CELL_BREAK = "<br>"


def cell_breaks(tokens):
    """The items of one table cell are separated by " <br> " in the markdown (ingest/readers/html_cells.py).
    With html disabled markdown-it keeps it as text: here it becomes a line break, and only it, so all
    else stays escaped. The tag adds nothing to the rendered text, which stays as documents.text has it."""
    in_cell = False
    for token in tokens:
        if token.type in ("td_open", "th_open", "td_close", "th_close"):
            in_cell = token.type.endswith("_open")
        elif in_cell and token.type == "inline" and CELL_BREAK in token.content and "\\<" not in token.content:
            children = []
            for child in token.children:
                if child.type != "text" or CELL_BREAK not in child.content:
                    children.append(child)
                    continue
                for i, part in enumerate(child.content.split(CELL_BREAK)):
                    if i:
                        children.append(html_token(CELL_BREAK))
                    if part:
                        children.append(child.copy(content=part))
            token.children = children


def render(markdown, text, claims):
    """Sanitised HTML of the document with its claims highlighted, each linked to its url; sets placed on each claim."""
    tokens = MD.parse(markdown or "")
    cell_breaks(tokens)
    for token in tokens:  # the page has its own h1: the document's headings sit one level below
        if token.type in ("heading_open", "heading_close"):
            token.tag = f"h{min(int(token.tag[1]) + 1, 6)}"
    blocks, flat = blocks_of(tokens)
    highlight(blocks, place(claims, text, flat))
    html = MD.renderer.render(tokens, MD.options, {})
    return clean(html, TAGS, ATTRIBUTES)


async def document_page(datasette, request):
    db = ledger(datasette)
    doc = (await db.execute(DOCUMENT, {"id": request.url_vars["id"]})).first()
    if doc is None:
        raise NotFound("No document with that id")
    doc = dict(doc)
    claims = [dict(r, number=i, url=datasette.urls.path(f"/claims/{r['id']}"))
              for i, r in enumerate((await db.execute(CLAIMS, {"id": doc["id"]})).rows, 1)]
    body = render(doc.pop("markdown"), doc.pop("text"), claims)
    scorecard = (await db.execute("select * from scorecards where id = :id", {"id": "document/" + doc["id"]})).first()
    verdicts = [dict(r) for r in (await db.execute("select id, label, description from verdicts")).rows]
    counts = {}
    for claim in claims:
        counts[claim["verdict"]] = counts.get(claim["verdict"], 0) + 1
    data = {
        "document": doc,
        "authors": [dict(r) for r in (await db.execute(AUTHORS, {"id": doc["id"]})).rows],
        "scorecard": dict(scorecard) if scorecard else None,
        "claims": claims,
        "verdict_counts": counts,
    }
    if counts.get("unreviewed"):
        verdicts.append({"id": "unreviewed", "label": "Unreviewed", "description": "No resolution recorded yet."})
    return await answer(
        datasette, request, data, "hindsight_document.html", datasette.urls.path(f"/documents/{doc['id']}.json"),
        title=doc["title"], body=body, verdicts=verdicts, unplaced=[c for c in claims if not c["placed"]],
        row_url=datasette.urls.row(db.name, "documents", tilde_encode(doc["id"])))


async def documents_page(datasette, request):
    db = ledger(datasette)
    page = page_number(request, PAGE, PAST_THE_END)
    rows = [dict(r) for r in (await db.execute(DOCUMENTS, {"n": PAGE + 1, "o": (page - 1) * PAGE})).rows]
    if page > 1 and not rows:
        raise NotFound(PAST_THE_END)
    data = {
        "page": page, "documents": rows[:PAGE],
        "next_url": datasette.urls.path("/documents?" + urlencode({"page": page + 1})) if len(rows) > PAGE else None,
        "previous_url": datasette.urls.path("/documents?" + urlencode({"page": page - 1})) if page > 1 else None,
    }
    return await answer(datasette, request, data, "hindsight_documents.html",
                        datasette.urls.path(f"/documents.json?page={page}"), title="Documents")


@hookimpl
def register_routes():
    return [
        (r"^/documents(?P<format>\.json)?$", documents_page),
        (r"^/documents/(?P<id>[^/]+?)(?P<format>\.json)?$", document_page),
    ]

