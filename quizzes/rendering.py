"""Question text, options and explanations are stored in the format they were written in
(Markdown, plain text or HTML) and rendered once, when they are saved or imported, to sanitized
HTML that pages print as it is (djangoproject.com's Entry.save() filling body_html). Nothing here
runs per request.

Learner-submitted and imported text must never run script: every format ends in nh3 with one list
of tags, attributes and URL schemes (links and images on https only)."""

import re
import threading
from html.parser import HTMLParser

import markdown as markdown_lib
import nh3
from django.utils.html import escape, linebreaks

MARKDOWN, PLAIN, HTML = "markdown", "plain", "html"
FORMATS = (MARKDOWN, PLAIN, HTML)

ALLOWED_TAGS = {
    "p", "br", "strong", "em", "b", "i", "u", "s", "code", "pre", "kbd", "samp", "blockquote", "ul", "ol", "li",
    "h3", "h4", "h5", "h6", "a", "img", "table", "caption", "thead", "tbody", "tfoot", "tr", "th", "td", "hr",
    "sub", "sup", "span", "div", "dl", "dt", "dd",
}
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title"},
    "img": {"src", "alt", "title", "width", "height"},
    "th": {"align", "colspan", "rowspan", "scope"},
    "td": {"align", "colspan", "rowspan"},
    "ol": {"start"},
}
URL_SCHEMES = {"https"}
URL_ATTRIBUTES = {("a", "href"), ("img", "src")}
# Elements whose content goes with them: nothing a learner should read is inside.
DROPPED_WITH_CONTENT = {"script", "style", "template", "iframe", "object", "noscript", "textarea", "select"}

_renderers = threading.local()


def _markdown() -> markdown_lib.Markdown:
    """One Markdown instance per thread, reset before each text (building one loads its extensions)."""
    renderer = getattr(_renderers, "markdown", None)
    if renderer is None:
        renderer = _renderers.markdown = markdown_lib.Markdown(extensions=["fenced_code", "tables", "sane_lists"])
    return renderer


def normalize_newlines(text: str | None) -> str | None:
    if text is None:
        return None
    return text.replace("\r\n", "\n").replace("\r", "\n")


def sanitize(html: str) -> str:
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        clean_content_tags=DROPPED_WITH_CONTENT,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=URL_SCHEMES,
        link_rel="noopener noreferrer nofollow",
    )


def render(text: str | None, text_format: str) -> str:
    """The sanitized HTML learners see for `text` written in `text_format`."""
    text = normalize_newlines(text or "")
    if not text.strip():
        return ""
    if text_format == PLAIN:
        return linebreaks(escape(text))
    if text_format == HTML:
        return sanitize(text)
    if text_format == MARKDOWN:
        return sanitize(_markdown().reset().convert(text))
    raise ValueError(f"Unknown text format {text_format!r}: use one of {', '.join(FORMATS)}.")


class _Inventory(HTMLParser):
    """What an HTML text asks for that the sanitizer does not keep: tags, attributes, URLs."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.dropped: list[str] = []

    def _drop(self, what: str) -> None:
        if what not in self.dropped:
            self.dropped.append(what)

    def handle_starttag(self, tag, attrs):
        if tag not in ALLOWED_TAGS:
            self._drop(f"<{tag}>")
            return
        for name, value in attrs:
            if name not in ALLOWED_ATTRIBUTES.get(tag, ()):
                self._drop(f'the {name} attribute of <{tag}>')
            elif (tag, name) in URL_ATTRIBUTES and value and _scheme(value) not in (None, *URL_SCHEMES):
                self._drop(f'the {_scheme(value)}: link "{value[:60]}" of <{tag}> (only https links are kept)')

    handle_startendtag = handle_starttag


def _scheme(url: str) -> str | None:
    match = re.match(r"\s*([A-Za-z][A-Za-z0-9+.-]*):", url)
    return match.group(1).lower() if match else None


def dropped_by_sanitizer(html: str) -> list[str]:
    """The tags, attributes and links of `html` that sanitize() removes, for import warnings."""
    inventory = _Inventory()
    inventory.feed(html)
    inventory.close()
    return inventory.dropped


_MARKDOWN_SPECIALS = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>&~])")


def plain_to_markdown(text: str) -> str:
    """Plain text as Markdown that renders to the same characters (every special one escaped) and
    keeps its line breaks."""
    escaped = _MARKDOWN_SPECIALS.sub(lambda m: "&amp;" if m.group() == "&" else
                                     "&lt;" if m.group() == "<" else "&gt;" if m.group() == ">" else
                                     "\\" + m.group(), text)
    return re.sub(r"(?<!\n)\n(?!\n)", "  \n", escaped)


def convert(text: str, source: str, target: str) -> str:
    """`text` written in `source`, rewritten in `target` for a field holding several pieces (an
    explanation made of several feedbacks). Only lossless directions: to HTML, plain to Markdown."""
    if source == target:
        return text
    if target == HTML:
        return render(text, source)
    if source == PLAIN and target == MARKDOWN:
        return plain_to_markdown(text)
    raise ValueError(f"{source} text cannot be written as {target}.")


def common_format(formats) -> str:
    """The one format pieces of several formats can all be written in without loss."""
    formats = set(formats)
    if len(formats) == 1:
        return formats.pop()
    if formats == {PLAIN, MARKDOWN}:
        return MARKDOWN
    return HTML


_TAGS = re.compile(r"<[^>]*>")


def html_to_text(html: str) -> str:
    """The words of rendered HTML, for labels and diffs."""
    from html import unescape

    return " ".join(unescape(_TAGS.sub(" ", html)).split())


# Lead-ins that many questions share ("Refer to the exhibit.", "Examine the output:"): a list
# naming questions by them shows the same words on every row.
_BOILERPLATE = re.compile(
    r"^(refer to|see|look at|consider|given|examine|study|review|read|based on|use|using|according to)\b"
    r"|:$|^(exhibit|scenario|question)\b[^.?!]*$",
    re.IGNORECASE,
)
_SENTENCE_END = re.compile(r"(?<=[.?!:])\s+")
_BLOCK_END = re.compile(r"</(?:p|li|h\d|td|th|div|blockquote)>|<br\s*/?>", re.IGNORECASE)
_CODE_BLOCK = re.compile(r"<pre\b.*?</pre>", re.IGNORECASE | re.DOTALL)
LABEL_LENGTH = 90


def question_label(title: str | None, html: str) -> str:
    """A short name for a question: its title, else its first sentence that is not boilerplate."""
    if title and title.strip():
        return _shorten(" ".join(title.split()))
    html = _CODE_BLOCK.sub(" ", html)
    sentences = [s for block in _BLOCK_END.split(html) for s in _SENTENCE_END.split(html_to_text(block)) if s.strip()]
    text = " ".join(sentences) or html_to_text(html)
    for sentence in sentences:
        if not _BOILERPLATE.search(sentence.strip()):
            return _shorten(sentence.strip())
    return _shorten(text)


def _shorten(text: str) -> str:
    return text if len(text) <= LABEL_LENGTH else text[:LABEL_LENGTH - 1].rstrip() + "…"
