"""What a document says about itself: title, date, authors, URL and publisher for documents.yml.

    describe(raw, document, filename) -> Description

Each field is read from the first place that states it, most explicit first: the front matter
(YAML, or TOML between +++ lines), the HTML head (<title>, <meta name="author">,
article:published_time, <link rel="canonical">, og:site_name), then what only suggests it: a
byline in the first lines of the text ("By Jane Doe", "Author: Jane Doe", "— Jane Doe, January
5, 2025"), a <time datetime>, the first "# Heading", a date in the file name, the URL's domain.
Fields from the second group are listed in ``guessed``, with where each came from in ``notes``,
so `hindsight add` can mark them for the curator.
"""
import datetime
import re
import tomllib
import unicodedata
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import PurePath
from urllib.parse import urlsplit

FIELDS = ("title", "published", "authors", "url", "publisher", "kind")


@dataclass
class Description:
    title: str = None
    published: str = None  # ISO date
    authors: list = field(default_factory=list)  # names, as the document gives them
    url: str = None
    publisher: str = None  # a name
    kind: str = "blog post"
    guessed: set = field(default_factory=set)  # fields guessed rather than read
    notes: dict = field(default_factory=dict)  # field -> where it was found (or guessed from)

    def missing(self):
        """Fields found nowhere."""
        return {f for f in ("title", "published", "authors", "url", "publisher") if not getattr(self, f)}


# Front matter keys, in order of preference.
_TITLE_KEYS = ("title", "name")
_DATE_KEYS = ("date", "publishedDate", "published_date", "pubDate", "published", "datePublished", "publishDate")
_AUTHOR_KEYS = ("author", "authors", "byline", "creator")
_URL_KEYS = ("url", "canonical", "canonical_url", "canonicalURL", "permalink", "link", "source")
_SITE_KEYS = ("site", "sitename", "site_name", "siteName", "publisher")


def describe(raw, document, filename):
    """The Description of a read document (``raw`` is its text, ``filename`` its name)."""
    d = Description()
    meta = _front_matter(raw, document)
    html = _html_head(raw) if "<" in raw else {}
    byline_names, byline_date = _byline(document.text)
    name = PurePath(str(filename)).name

    def take(field_name, value, note, guessed=False):
        if value and not getattr(d, field_name):
            setattr(d, field_name, value)
            d.notes[field_name] = note
            if guessed:
                d.guessed.add(field_name)

    # Title.
    for key, value in _first(meta, _TITLE_KEYS):
        take("title", _text(value), f"front matter '{key}'")
    take("title", html.get("title"), "HTML <title>")
    take("title", html.get("og:title"), "HTML og:title")
    take("title", _first_heading(document, html), "first heading", guessed=True)
    take("title", _title_from_filename(name), "file name", guessed=True)

    # Date.
    for key, value in _first(meta, _DATE_KEYS):
        take("published", iso_date(value), f"front matter '{key}'")
    take("published", iso_date(html.get("article:published_time")), "HTML article:published_time")
    take("published", iso_date(html.get("date")), "HTML <meta name=date>")
    take("published", byline_date, "date in the byline", guessed=True)
    take("published", iso_date(html.get("time")), "first <time datetime> in the HTML", guessed=True)
    take("published", _date_in_name(name), "date in the file name", guessed=True)

    # Authors.
    for key, value in _first(meta, _AUTHOR_KEYS):
        take("authors", _names(value), f"front matter '{key}'")
    take("authors", _names(html.get("author")), "HTML <meta name=author>")
    take("authors", byline_names, "byline in the text", guessed=True)
    if getattr(document, "format", None) == "transcript":
        take("authors", transcript_speakers(document.markdown), "speakers of the transcript", guessed=True)

    # URL.
    for key, value in _first(meta, _URL_KEYS):
        take("url", _web_url(value), f"front matter '{key}'")
    take("url", _web_url(html.get("canonical")), "HTML <link rel=canonical>")
    take("url", _web_url(html.get("og:url")), "HTML og:url")

    # Publisher.
    for key, value in _first(meta, _SITE_KEYS):
        take("publisher", _text(value), f"front matter '{key}'")
    take("publisher", html.get("og:site_name"), "HTML og:site_name")
    if d.url:
        take("publisher", urlsplit(d.url).hostname.removeprefix("www."), "domain of the URL", guessed=True)

    if getattr(document, "format", None) == "transcript":
        d.kind = "transcript"
        d.notes["kind"] = "a transcript"
    else:
        d.guessed.add("kind")
        d.notes["kind"] = "the usual kind (others: report summary, talk notes, report, paper, article)"
    return d


def transcript_speakers(markdown):
    """Distinct speaker names of a transcript's turns (`**Name:** [00:01:02] text`), in order of appearance."""
    seen = {}
    for m in re.finditer(r"^\*\*([^*]+?):\*\*", markdown or "", re.M):
        name = m.group(1).strip()
        if name and name.lower() not in seen:
            seen[name.lower()] = name
    return list(seen.values())


def slug(text, limit=60):
    """Lowercase [a-z0-9-] slug (ASCII-folded), cut at a word boundary near limit."""
    text = unicodedata.normalize("NFKD", str(text)).encode("ascii", "ignore").decode()
    s = re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")
    if len(s) > limit:
        s = s[:limit].rsplit("-", 1)[0] if "-" in s[:limit] else s[:limit]
    return s.strip("-")


# ---------------------------------------------------------------- front matter

def _front_matter(raw, document):
    meta = dict(getattr(document, "front_matter", None) or {})
    if not meta and raw.lstrip("\ufeff").startswith("+++"):  # TOML (Hugo), if the reader left it
        m = re.match(r"\+\+\+[ \t]*\r?\n(.*?)\r?\n\+\+\+[ \t]*(?:\r?\n|$)", raw.lstrip("\ufeff"), re.S)
        if m:
            try:
                meta = tomllib.loads(m.group(1))
            except tomllib.TOMLDecodeError:
                meta = {}
    lowered = {}
    for key, value in meta.items():
        lowered.setdefault(str(key).lower(), value)
    return lowered


def _first(meta, keys):
    """(key, value) of each key present with a value, in order."""
    for key in keys:
        value = meta.get(key.lower())
        if value not in (None, "", [], {}):
            yield key, value


def _text(value):
    if isinstance(value, dict):
        value = value.get("name") or value.get("title")
    if isinstance(value, list):
        value = value[0] if value else None
    if value is None:
        return None
    text = re.sub(r"\s+", " ", str(value)).strip()
    return text or None


def _names(value):
    """Author names from a string ("Jane Doe and John Roe"), a list, or mappings with a name."""
    if value is None:
        return []
    items = value if isinstance(value, list) else [value]
    names = []
    for item in items:
        if isinstance(item, dict):
            item = item.get("name") or item.get("title")
        if not item:
            continue
        text = re.sub(r"\s+", " ", str(item)).strip()
        parts = re.split(r"\s*(?:;|&|\band\b|\|)\s*", text)
        for part in parts:
            # "Jane Doe, John Roe" is two people; "Doe, Jane" is one.
            pieces = [p.strip() for p in part.split(",")]
            if len(pieces) > 1 and all(" " in p for p in pieces if p):
                names += [p for p in pieces if p]
            elif part.strip(" ,"):
                names.append(part.strip(" ,"))
    seen, out = set(), []
    for n in names:
        if n.lower() not in seen:
            seen.add(n.lower())
            out.append(n)
    return out


def _web_url(value):
    text = _text(value)
    if text and re.match(r"https?://[^\s/]+\.[^\s/]+", text):
        return text
    return None


# ---------------------------------------------------------------- dates

_MONTHS = {m: i for i, names in enumerate((
    ("jan", "january"), ("feb", "february"), ("mar", "march"), ("apr", "april"), ("may",), ("jun", "june"),
    ("jul", "july"), ("aug", "august"), ("sep", "sept", "september"), ("oct", "october"),
    ("nov", "november"), ("dec", "december")), 1) for m in names}
_MONTH = r"(jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\.?"
_ISO = re.compile(r"(?<!\d)(\d{4})-(\d{2})-(\d{2})(?!\d)")
_MDY = re.compile(rf"\b{_MONTH}\s+(\d{{1,2}})(?:st|nd|rd|th)?,?\s+(\d{{4}})\b", re.I)
_DMY = re.compile(rf"\b(\d{{1,2}})(?:st|nd|rd|th)?\s+{_MONTH},?\s+(\d{{4}})\b", re.I)


def iso_date(value):
    """An ISO date (YYYY-MM-DD) from a date, a datetime (its own date, as written) or a string
    holding one ("2025-01-05T10:00:00+01:00", "January 5, 2025", "5 Jan 2025"); None otherwise."""
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, datetime.datetime):
        return value.date().isoformat()
    if isinstance(value, datetime.date):
        return value.isoformat()
    found = _date_in(str(value))
    return found[0] if found else None


def _date_in(text):
    """(ISO date, match) of the first date written in text, or None."""
    candidates = []
    for m in _ISO.finditer(text):
        candidates.append((m.start(), _make(m.group(1), m.group(2), m.group(3)), m))
        break
    for m in _MDY.finditer(text):
        candidates.append((m.start(), _make(m.group(3), _MONTHS[m.group(1).lower()], m.group(2)), m))
        break
    for m in _DMY.finditer(text):
        candidates.append((m.start(), _make(m.group(3), _MONTHS[m.group(2).lower()], m.group(1)), m))
        break
    candidates = [c for c in candidates if c[1]]
    if not candidates:
        return None
    _, date, m = min(candidates, key=lambda c: c[0])
    return date, m


def _make(year, month, day):
    try:
        return datetime.date(int(year), int(month), int(day)).isoformat()
    except ValueError:
        return None


def _date_in_name(name):
    m = re.match(r"(\d{4})[-_.]?(\d{2})[-_.]?(\d{2})(?!\d)", name) or _ISO.search(name)
    return _make(*m.groups()) if m else None


# ---------------------------------------------------------------- title

def _first_heading(document, html):
    markdown = getattr(document, "markdown", "") or ""
    setext = re.match(r"\s*([^\n]+?)[ \t]*\n=+[ \t]*$", markdown, re.M)  # "Title\n=====" opening the file
    if setext:
        return setext.group(1).strip()
    for s in getattr(document, "sections", None) or []:
        if s.level == 1 and s.heading.strip():
            return s.heading.strip()
    m = re.search(r"^#[ \t]+(.+?)[ \t#]*$", markdown, re.M)
    if m:
        return m.group(1).strip()
    return html.get("h1")


def _title_from_filename(name):
    stem = PurePath(name).stem
    stem = re.sub(r"^\d{4}[-_.]?\d{2}[-_.]?\d{2}[-_. ]*", "", stem)
    words = re.sub(r"[-_.\s]+", " ", stem).strip()
    if not re.search(r"[A-Za-z]", words):
        return None
    return words[:1].upper() + words[1:]


# ---------------------------------------------------------------- byline

_NAME = r"[A-Z][\w'’.-]*(?:[ \t]+(?:[A-Z][\w'’.-]*|van|von|de|der|da|del|di|la|le|bin|al))*"
_NAMES = rf"{_NAME}(?:[ \t]*(?:,|&|\band\b)[ \t]*{_NAME})*"
# (keyword, whether the byline needs a date to count); names must be capitalised.
_BYLINE = (
    (re.compile(rf"^(?i:(?:written[ \t]+)?by)(?::[ \t]*|[ \t]+)(?P<names>{_NAMES})[ \t]*(?:(?:[,|·•—–-]|(?i:on|published|posted|updated)\b).*)?$"), False),
    (re.compile(rf"^(?i:authors?|posted by|written by)[ \t]*:[ \t]*(?P<names>{_NAMES})[ \t]*(?:(?:[,|·•—–-]|(?i:on|published|posted|updated)\b).*)?$"), False),
    (re.compile(rf"^(?:—|–|--?)[ \t]*(?P<names>{_NAMES})[ \t]*,?[ \t]*$"), True),
)


def _byline(text, lines=12):
    """(names, ISO date or None) from a byline in the first lines of the text."""
    for line in [ln.strip() for ln in (text or "").splitlines() if ln.strip()][:lines]:
        if len(line) > 160:
            continue
        found = _date_in(line)
        head = line[: found[1].start()].rstrip(" \t,|·•—–-(") if found else line  # the names come before the date
        for pattern, needs_date in _BYLINE:
            if needs_date and not found:
                continue
            m = pattern.match(head)
            if not m:
                continue
            names = [n for n in _names(m.group("names")) if re.search(r"[A-Za-z]{2}", n)]
            if names:
                return names, found[0] if found else None
    return [], None


# ---------------------------------------------------------------- HTML

class _HeadParser(HTMLParser):
    """Metadata of an HTML page or fragment (the first of each)."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.found, self._in = {}, None
        self._buffer = []

    def _set(self, key, value):
        if value and str(value).strip() and key not in self.found:
            self.found[key] = re.sub(r"\s+", " ", str(value)).strip()

    def handle_starttag(self, tag, attrs):
        a = {k.lower(): (v or "") for k, v in attrs}
        if tag == "meta":
            key = (a.get("name") or a.get("property") or a.get("itemprop") or "").lower()
            content = a.get("content")
            if key in ("author", "article:author", "dc.creator", "parsely-author", "sailthru.author"):
                if not re.match(r"https?://", content or ""):  # article:author is often a profile URL
                    self._set("author", content)
            elif key in ("article:published_time", "datepublished", "dc.date", "date", "parsely-pub-date",
                         "og:published_time", "published_time"):
                self._set("article:published_time" if key != "date" else "date", content)
            elif key in ("og:site_name", "application-name"):
                self._set("og:site_name", content)
            elif key in ("og:title", "og:url"):
                self._set(key, content)
        elif tag == "link" and "canonical" in a.get("rel", "").lower().split():
            self._set("canonical", a.get("href"))
        elif tag == "time" and a.get("datetime"):
            self._set("time", a["datetime"])
        elif tag in ("title", "h1") and tag not in self.found:
            self._in, self._buffer = tag, []

    def handle_endtag(self, tag):
        if tag == self._in:
            self._set(tag, "".join(self._buffer))
            self._in = None

    def handle_data(self, data):
        if self._in:
            self._buffer.append(data)


def _html_head(raw):
    parser = _HeadParser()
    try:
        parser.feed(raw)
        parser.close()
    except Exception:  # html.parser is lenient; anything it still trips on leaves what was found
        pass
    return parser.found
