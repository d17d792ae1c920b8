"""Markdown to HTML for the site: raw HTML off, images shown as links, and the result sanitised by nh3
to a few tags and http(s)/mailto/relative links. The one place a sanitiser fix is made."""
import nh3
from markdown_it import MarkdownIt
from markdown_it.common.utils import escapeHtml
from markupsafe import Markup

TAGS = frozenset({"p", "br", "em", "strong", "code", "pre", "del", "s", "a", "ul", "ol", "li", "blockquote", "hr",
                  "h1", "h2", "h3", "h4", "h5", "h6", "table", "thead", "tbody", "tr", "th", "td"})
ATTRIBUTES = {"a": {"href", "title"}}
URL_SCHEMES = frozenset({"http", "https", "mailto"})


def image_as_link(self, tokens, idx, options, env):
    """Images would be fetched from other sites (blocked by the site's CSP): show them as links instead."""
    token = tokens[idx]
    alt = self.renderInlineAsText(token.children or [], options, env)
    return f'<a href="{escapeHtml(token.attrGet("src") or "")}">{escapeHtml(alt or "image")}</a>'


MD = MarkdownIt("commonmark", {"html": False}).enable(["table", "strikethrough"])
MD.add_render_rule("image", image_as_link)


def clean(html, tags=TAGS, attributes=ATTRIBUTES):
    """HTML made by MD, sanitised: only these tags and attributes, links only to URL_SCHEMES or relative."""
    return Markup(nh3.clean(html, tags=set(tags), attributes=attributes, url_schemes=set(URL_SCHEMES)))


def markdown(text):
    """Markdown -> sanitised HTML, for table cells and the `markdown` template filter."""
    html = clean(MD.render(text or ""))
    # Datasette's cells keep white space (pre-wrap): newlines between blocks would show as blank lines.
    return Markup(html.strip().replace(">\n<", "><"))
