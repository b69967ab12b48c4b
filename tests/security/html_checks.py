"""What in a page would run script, found by parsing it as a browser does (html.parser), so text
that merely looks like markup (escaped, or inside an attribute value) is not mistaken for it."""

from html.parser import HTMLParser

URL_ATTRIBUTES = {"href", "src", "action", "formaction", "xlink:href", "data", "poster"}
DATA_SCRIPT_TYPES = {"application/json", "application/ld+json"}


class _Finder(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.found: list[str] = []
        self._in_inline_script = False

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        for name, value in attrs:
            if name.startswith("on"):
                self.found.append(f"<{tag} {name}=...> event handler")
            url = (value or "").strip().lower().replace("\t", "")
            if name in URL_ATTRIBUTES and url.startswith(("javascript:", "vbscript:")):
                self.found.append(f"<{tag} {name}={value!r}> script URL")
        if tag == "script" and "src" not in attributes and (attributes.get("type") or "").lower() not in DATA_SCRIPT_TYPES:
            self.found.append("inline <script>")
        if tag == "style":
            self.found.append("<style> block")
        if tag in {"iframe", "object", "embed", "base"}:
            self.found.append(f"<{tag}>")

    handle_startendtag = handle_starttag


def executable_markup(html: str) -> list[str]:
    finder = _Finder()
    finder.feed(html)
    finder.close()
    return finder.found
