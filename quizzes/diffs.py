"""Word-level diffs of question texts for the history: the whole text is compared (an edit at the
end is as visible as one at the start), added words in <ins>, removed ones in <del>, long runs of
unchanged words folded to their first and last few."""

import difflib
import re

from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe

TOKENS = re.compile(r"\s+|[^\s]+")
CONTEXT_WORDS = 6  # unchanged words kept on each side of a change


def _words(tokens: list[str]) -> int:
    return sum(1 for token in tokens if not token.isspace())


def _fold(tokens: list[str], *, first: bool, last: bool) -> SafeString:
    """An unchanged run: whole when short, else its edges around a note of how much is hidden."""
    words = _words(tokens)
    keep_head = 0 if first else CONTEXT_WORDS
    keep_tail = 0 if last else CONTEXT_WORDS
    if words <= keep_head + keep_tail + 3:
        return format_html("{}", "".join(tokens))
    head, tail, seen = [], [], 0
    for token in tokens:
        if seen >= keep_head:
            break
        head.append(token)
        seen += not token.isspace()
    seen = 0
    for token in reversed(tokens):
        if seen >= keep_tail:
            break
        tail.insert(0, token)
        seen += not token.isspace()
    hidden = words - _words(head) - _words(tail)
    return format_html('{}<span class="folded">[… {} unchanged word{} …]</span>{}',
                       "".join(head), hidden, "" if hidden == 1 else "s", "".join(tail))


def word_diff(old, new) -> SafeString:
    """`old` and `new` (any values, shown as text) compared word by word, as HTML."""
    old_tokens = TOKENS.findall("" if old is None else str(old))
    new_tokens = TOKENS.findall("" if new is None else str(new))
    opcodes = difflib.SequenceMatcher(None, old_tokens, new_tokens, autojunk=False).get_opcodes()
    parts = []
    for index, (tag, i1, i2, j1, j2) in enumerate(opcodes):
        if tag == "equal":
            parts.append(_fold(old_tokens[i1:i2], first=index == 0, last=index == len(opcodes) - 1))
            continue
        if i2 > i1:
            parts.append(format_html('<del><span class="visually-hidden">removed: </span>{}</del>',
                                     "".join(old_tokens[i1:i2])))
        if j2 > j1:
            parts.append(format_html('<ins><span class="visually-hidden">added: </span>{}</ins>',
                                     "".join(new_tokens[j1:j2])))
    return format_html('<span class="word-diff">{}</span>', mark_safe("".join(parts)))  # parts are escaped


def key_summary(options: list[dict]) -> SafeString | None:
    """The answer-key part of an options diff: which options became right or wrong."""
    changes = [(option.get("text", ""), change["new"]) for option in options
               if isinstance(change := option.get("changes", {}).get("is_correct"), dict)]
    if not changes:
        return None
    return format_html_join(", ", "“{}” now {}", ((text, "right" if right else "wrong") for text, right in changes))
