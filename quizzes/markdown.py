"""Question text, options and explanations are Markdown, rendered to HTML and sanitized:
learner-submitted questions must never run script."""

import re
import threading
from functools import lru_cache

import markdown as markdown_lib
import nh3

ALLOWED_TAGS = {
    "p", "br", "strong", "em", "b", "i", "code", "pre", "blockquote", "ul", "ol", "li",
    "h3", "h4", "h5", "h6", "a", "table", "thead", "tbody", "tr", "th", "td", "hr", "sub", "sup",
}
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "th": {"align"}, "td": {"align"}}


_renderers = threading.local()


def _renderer() -> markdown_lib.Markdown:
    """One Markdown instance per thread: building one loads its extensions, about 0.6 ms a text."""
    renderer = getattr(_renderers, "markdown", None)
    if renderer is None:
        renderer = _renderers.markdown = markdown_lib.Markdown(extensions=["fenced_code", "tables", "sane_lists"])
    return renderer


# Most options and many question texts are one line of plain words and `code`: Markdown would give
# the same <p> for them at a tenth of the cost (a question page renders about seven texts, most
# of them for the first time in the process: the bank is far larger than the cache). Anything that
# might be markup (a list or heading marker first, *, _, [, <, &, \, #, line breaks, spaces at
# either end) takes the full path; tests/quizzes/test_markdown.py checks the two agree.
PLAIN_PART = re.compile(r"[A-Za-z0-9 ,.;:?!()'\"/%=+-]*")
# Printable ASCII but no backtick, no & (character references are the sanitizer's to read), no
# space at either end.
CODE_PART = re.compile(r"[!-%'-_a-~](?:[ -%'-_a-~]*[!-%'-_a-~])?")
BLOCK_START = re.compile(r"[-+*#>\d]")  # list, heading, quote or numbered-list markers


def _plain_line(text: str) -> str | None:
    """The HTML of a line of plain words and code spans; None if it could hold any other markup."""
    if not text or text != text.strip() or "  " in text or BLOCK_START.match(text):
        return None
    parts = text.split("`")
    if len(parts) % 2 == 0:
        return None
    html = []
    for index, part in enumerate(parts):
        if index % 2 == 0:
            if not PLAIN_PART.fullmatch(part) or (not part and 0 < index < len(parts) - 1):
                return None  # two code spans side by side read as a ``double`` delimiter
            html.append(part)
        else:
            if not CODE_PART.fullmatch(part):
                return None
            html.append("<code>" + part.replace("<", "&lt;").replace(">", "&gt;") + "</code>")
    return "<p>" + "".join(html) + "</p>"


@lru_cache(maxsize=4096)
def render_markdown(text: str) -> str:
    plain = _plain_line(text or "")
    if plain is not None:
        return plain
    return render_full(text)


def render_full(text: str) -> str:
    html = _renderer().reset().convert(text or "")
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener noreferrer nofollow",
    )
