"""Moodle's GIFT format (https://docs.moodle.org/en/GIFT_format), read the way Moodle's own
qformat_gift reads it: questions are separated by blank lines, `//` lines are comments, one
`{...}` answer block per question.

Imported: single-answer (`=right ~wrong`, partial-credit `~%50%` answers become wrong options with
a warning), multiple-answer (only `~`, the positive `~%N%` ones correct), true/false (`{T}`, `{F}`,
`{TRUE}`, `{FALSE}`) and missing-word questions (a block inside the text becomes `_____`).
Skipped with their line numbers: short answer (only `=`), numerical (`#`), matching (`->`),
essay (`{}`) and descriptions (no block). `$CATEGORY:` lines set the category of the questions
after them; `// [tag:name]` comments tag the question they precede.
"""

import re
from bisect import bisect_right

from quizzes.importexport.common import (
    BLANK,
    PLACEHOLDER_EXPLANATION,
    ImportFileError,
    Issue,
    ParsedFile,
    ParsedOption,
    ParsedQuestion,
    check_text,
    question_problems,
    strip_scripts,
)
from quizzes import rendering
from quizzes.models import QuestionType

ESCAPES = {"~": "~", "=": "=", "#": "#", "{": "{", "}": "}", ":": ":", "\\": "\\", "n": "\n"}
TEXT_FORMATS = ("html", "markdown", "plain", "moodle")
MOODLE = "moodle"  # Moodle's default "auto-format": HTML allowed, line breaks kept; stored as HTML
FORMAT_PREFIX = re.compile(r"\s*\[(html|markdown|plain|moodle)\]", re.IGNORECASE)
TRUE_FALSE = {"T": True, "TRUE": True, "F": False, "FALSE": False}
WEIGHT = re.compile(r"%(-?\d+(?:\.\d+)?)%")
TAG = re.compile(r"\[tag:([^\]]+)\]")


class _Block:
    """One question's lines: where each starts, its line number, and how to restore escapes."""

    def __init__(self, numbered_lines: list[tuple[int, str]], restore: dict[int, str]):
        self.numbers = [number for number, _ in numbered_lines]
        self.starts, offset = [], 0
        for _, line in numbered_lines:
            self.starts.append(offset)
            offset += len(line) + 1
        self.text = "\n".join(line for _, line in numbered_lines)
        self.restore = restore

    def line_at(self, offset: int) -> int:
        return self.numbers[max(0, bisect_right(self.starts, offset) - 1)]


class Marked:
    """GIFT text whose escaped characters are stand-ins (private-use characters the file does not
    contain), so a search for syntax finds only unescaped ones; str() gives the real text. It knows
    where it lies in its block, to name the line of whatever is found in it."""

    __slots__ = ("text", "offset", "block")

    def __init__(self, text: str, offset: int, block: _Block):
        self.text, self.offset, self.block = text, offset, block

    @classmethod
    def of(cls, block: _Block) -> "Marked":
        return cls(block.text, 0, block)

    def __getitem__(self, index: slice) -> "Marked":
        start = index.indices(len(self.text))[0]
        return Marked(self.text[index], self.offset + start, self.block)

    def __str__(self) -> str:
        return self.text.translate(self.block.restore)

    def line_at(self, index: int) -> int:
        return self.block.line_at(self.offset + index)

    def find(self, sub: str, start: int = 0) -> int:
        return self.text.find(sub, start)

    def rfind(self, sub: str) -> int:
        return self.text.rfind(sub)

    def startswith(self, sub: str) -> bool:
        return self.text.startswith(sub)

    def positions(self, char: str) -> list[int]:
        return [match.start() for match in re.finditer(re.escape(char), self.text)]

    def strip(self) -> "Marked":
        start = len(self.text) - len(self.text.lstrip())
        return self[start:len(self.text.rstrip())] if start < len(self.text) else self[0:0]

    def split_at(self, markers: str) -> list[tuple[str, "Marked"]]:
        """Split before every marker character: [(marker or "", piece), ...]."""
        pieces, start, marker = [], 0, ""
        for match in re.finditer(f"[{re.escape(markers)}]", self.text):
            pieces.append((marker, self[start:match.start()]))
            start, marker = match.end(), match.group()
        pieces.append((marker, self[start:]))
        return pieces


def _protect(text: str) -> tuple[str, dict[int, str]]:
    """Replace every escape (\\~, \\n, ...) with a private-use character the text does not contain;
    returns the text and the str.translate table that restores the escaped characters."""
    used = set(text)
    for base in range(0xF0000, 0x10FFFD - len(ESCAPES), len(ESCAPES)):
        stand_ins = {key: chr(base + i) for i, key in enumerate(ESCAPES)}
        if used.isdisjoint(stand_ins.values()):
            break
    else:  # only a file holding all 130,000 private-use characters gets here
        raise ImportFileError("The file uses every private-use character; GIFT escapes cannot be read.")
    protected = re.sub(r"\\([~=#{}:\\n])", lambda match: stand_ins[match.group(1)], text)
    return protected, {ord(stand_in): ESCAPES[key] for key, stand_in in stand_ins.items()}


def parse(text: str) -> ParsedFile:
    """Read a GIFT file. Never writes; raises ImportFileError only for text that cannot be stored."""
    parsed = ParsedFile(format="gift", category_lines={})
    protected, restore = _protect(check_text(text))
    state = {"category": None}
    for lines, tags in _blocks(protected):
        _parse_block(_Block(lines, restore), [tag.translate(restore) for tag in tags], state, parsed)
    return parsed


def _blocks(text: str):
    """Blank-line-separated blocks of (line number, line), comments removed; each block's tags."""
    block, tags = [], []
    for number, line in enumerate(text.split("\n"), start=1):
        stripped = line.strip()
        if not stripped:
            if block:
                yield block, tags
            block, tags = [], []
        elif stripped.startswith("//"):
            tags.extend(tag.strip().lower() for tag in TAG.findall(stripped) if tag.strip())
        else:
            block.append((number, line))
    if block:
        yield block, tags


def _parse_block(block: _Block, tags: list[str], state: dict, parsed: ParsedFile) -> None:
    marked = Marked.of(block)
    first_line = marked.text.split("\n", 1)[0]
    if first_line.strip().startswith("$CATEGORY:"):
        path = first_line.strip()[len("$CATEGORY:"):].translate(block.restore)
        state["category"] = _category_segment(path)
        if state["category"]:
            parsed.category_lines.setdefault(state["category"], block.numbers[0])
        marked = marked[len(first_line) + 1:]
        if not marked.text.strip():
            return
    marked = marked.strip()
    start = marked.line_at(0)

    title = None
    warnings: list[Issue] = []
    if marked.startswith("::"):
        end = marked.find("::", 2)
        if end < 0:
            # Moodle drops the :: and reads the rest as the question, named after its text.
            warnings.append(Issue(start, "the ::title is not closed; read, as Moodle does, as a question without "
                                  "a title (a literal colon is written \\:)."))
            marked = marked[2:].strip()
        else:
            title = " ".join(str(marked[2:end]).split()) or None
            marked = marked[end + 2:].strip()

    text_format = MOODLE
    match = FORMAT_PREFIX.match(marked.text)
    if match:
        text_format = match.group(1).lower()
        marked = marked[match.end():].strip()

    opens, closes = marked.positions("{"), marked.positions("}")
    if not opens and not closes:
        parsed.skipped.append(Issue(start, _name(title, str(marked)) + ": a description with no answer block "
                                    "(not a question).", kind="description"))
        return
    if len(opens) != len(closes) or any(c < o for o, c in zip(opens, closes)) or any(
        o < c_prev for o, c_prev in zip(opens[1:], closes)
    ):
        line = _unbalanced_line(marked, opens, closes)
        parsed.errors.append(Issue(line, "unbalanced braces: every { needs its } "
                                   "(a literal brace is written \\{ or \\})."))
        return
    if len(opens) > 1:
        parsed.errors.append(Issue(marked.line_at(opens[1]), "a second answer block: GIFT allows one per question "
                                   "(a literal brace is written \\{ or \\})."))
        return

    open_at, close_at = opens[0], closes[0]
    before, answers, after = marked[:open_at], marked[open_at + 1:close_at], marked[close_at + 1:]
    question_text = f"{before}{BLANK}{after}" if str(after).strip() else str(before)
    name = _name(title, rendering.html_to_text(question_text) if text_format in (MOODLE, rendering.HTML)
                 else question_text)

    general_feedback = None
    separator = answers.rfind("####")
    if separator >= 0:
        general_feedback = str(answers[separator + 4:])
        answers = answers[:separator]
    answers = answers.strip()
    line = marked.line_at(open_at)

    if not answers.text:
        parsed.skipped.append(Issue(start, f"{name}: essay question (not supported).", kind="essay"))
        return
    if answers.startswith("#"):
        parsed.skipped.append(Issue(start, f"{name}: numerical question (not supported).", kind="numerical"))
        return
    if answers.positions("~"):
        result = _multiple_choice(answers, line, name, parsed, warnings)
    elif answers.positions("=") and answers.find("->") >= 0:
        parsed.skipped.append(Issue(start, f"{name}: matching question (not supported).", kind="matching"))
        return
    elif str(answers.split_at("#")[0][1]).strip().upper() in TRUE_FALSE:
        result = _true_false(answers)
    else:
        parsed.skipped.append(Issue(start, f"{name}: short-answer question (not supported).", kind="short answer"))
        return
    if result is None:
        return
    question_type, raw_options = result

    piece = _Pieces(text_format, name, warnings)
    question_text, text_format = piece.read(question_text, "text", start, default=text_format)
    options = []
    for option, feedback, option_line in raw_options:
        option.text, option.text_format = piece.read(option.text, "option", option_line)
        options.append((option, piece.read(feedback, "feedback", option_line) if feedback.strip() else None))
    general = piece.read(general_feedback, "feedback", line) if general_feedback and general_feedback.strip() else None
    question_text, text_format, explanation, detailed = _explanations(question_text, text_format, options, general)
    if explanation is None:
        explanation = PLACEHOLDER_EXPLANATION
        warnings.append(Issue(start, f"{name}: no feedback to use as the explanation; "
                                     f'"{PLACEHOLDER_EXPLANATION}" stored.'))

    question = ParsedQuestion(
        line=start,
        text=question_text,
        type=question_type,
        options=[option for option, _ in options],
        explanation=explanation,
        detailed_explanation=detailed,
        tags=list(dict.fromkeys(tags)),
        categories=[state["category"]] if state["category"] else None,
        title=title,
        warnings=warnings,
        text_format=text_format,
    )
    problems = question_problems(question)
    if problems:
        parsed.errors.extend(Issue(start, f"{name}: {problem}") for problem in problems)
        return
    parsed.questions.append(question)


def _multiple_choice(answers: Marked, line: int, name: str, parsed: ParsedFile, warnings: list[Issue]):
    """`=`/`~` answers: (type, [(option, feedback), ...]) or None when skipped or broken."""
    pieces = answers.split_at("~=")
    if str(pieces[0][1]).strip():
        # Moodle reads text before the first marker as one more answer, a wrong one.
        warnings.append(Issue(pieces[0][1].strip().line_at(0), f'{name}: "{str(pieces[0][1]).strip()[:40]}" comes '
                              "before the first = or ~; read, as Moodle does, as a wrong answer."))
        pieces[0] = ("~", pieces[0][1])
    else:
        pieces = pieces[1:]
    weighted = []
    for marker, piece in pieces:
        body = piece.strip()
        weight = 100.0 if marker == "=" else 0.0
        match = WEIGHT.match(body.text) if marker == "~" else None  # as in Moodle, "=" is right, whatever follows
        if match:
            weight = float(match.group(1))
            body = body[match.end():]
        text, _, feedback = _split_feedback(body)
        weighted.append((marker, weight, text, feedback, piece.strip().line_at(0)))

    has_equals = any(marker == "=" for marker, *_ in weighted)
    weighted_lines = [w[4] for w in weighted]
    weighted = [w[:4] for w in weighted]
    if has_equals:
        correct = [w for w in weighted if w[1] >= 100]
        if len(correct) > 1:
            parsed.skipped.append(Issue(line, f"{name}: {len(correct)} answers are fully right (=); a CertQuiz "
                                        "single-answer question has exactly one.", kind="several right answers"))
            return None
        question_type = QuestionType.SINGLE
        is_correct = [w[1] >= 100 for w in weighted]
    else:
        positive = [w for w in weighted if w[1] > 0]
        if len(positive) == 1:
            question_type = QuestionType.SINGLE
            if positive[0][1] != 100:
                warnings.append(Issue(line, f'{name}: "{positive[0][2]}" is the only answer with a positive '
                                             f"weight ({positive[0][1]:g}%); imported as the right answer of a "
                                             "single-answer question."))
        else:
            question_type = QuestionType.MULTIPLE
            if positive and len(positive) == len(weighted):
                parsed.skipped.append(Issue(line, f"{name}: every answer has a positive weight; a CertQuiz "
                                            "multiple-answer question needs a wrong one.", kind="every answer right"))
                return None
        is_correct = [w[1] > 0 for w in weighted]
    if question_type == QuestionType.SINGLE:
        for (_, weight, text, _), correct in zip(weighted, is_correct):
            if 0 < weight < 100 and not correct:
                warnings.append(Issue(line, f'{name}: "{text}" had {weight:g}% partial credit; imported as '
                                             "a wrong option (CertQuiz scores a question all or nothing)."))
    options = [(ParsedOption(text, correct), feedback, option_line)
               for (_, _, text, feedback), correct, option_line in zip(weighted, is_correct, weighted_lines)]
    return question_type, options


def _true_false(answers: Marked):
    parts = [str(piece) for _, piece in answers.split_at("#")]
    truth = TRUE_FALSE[parts[0].strip().upper()]
    wrong_feedback = parts[1] if len(parts) > 1 else ""
    right_feedback = "#".join(parts[2:])  # Moodle: {T#shown when wrong#shown when right}
    true = ParsedOption("True", truth, text_format=rendering.PLAIN)
    false = ParsedOption("False", not truth, text_format=rendering.PLAIN)
    feedback = {truth: right_feedback, not truth: wrong_feedback}
    line = answers.line_at(0)
    return QuestionType.SINGLE, [(true, feedback[True], line), (false, feedback[False], line)]


def _split_feedback(body: Marked) -> tuple[str, bool, str]:
    separator = body.find("#")
    if separator < 0:
        return str(body).strip(), False, ""
    return str(body[:separator]).strip(), True, str(body[separator + 1:])


def _explanations(question_text: str, text_format: str, options, general):
    """Feedback becomes the explanation: the general feedback (####), else the right answer's,
    else the wrong answers'. Per-answer feedback not used there is kept in the detailed explanation.
    Explanations are written in the question's format: when the pieces come in several, the
    question and its explanations take one that holds them all without loss (rendering.common_format).
    Returns (question text, format, explanation, detailed explanation)."""
    with_feedback = [(option, feedback) for option, feedback in options if feedback]
    right = [feedback for option, feedback in with_feedback if option.is_correct]
    wrong = [feedback for option, feedback in with_feedback if not option.is_correct]
    true_false = {o.text for o, _ in options} == {"True", "False"}
    explanation = detailed = None  # ("pieces", [(text, format)]) or ("listing", [(option, feedback)])
    if general:
        explanation = ("pieces", [general])
        detailed = ("listing", with_feedback) if with_feedback else None
    elif right:
        explanation = ("pieces", right)
        detailed = ("listing", with_feedback) if wrong else None
    elif wrong:
        explanation = ("pieces", wrong) if len(wrong) == 1 and true_false else ("listing", with_feedback)
    formats = [text_format]
    for part in (explanation, detailed):
        if part and part[0] == "pieces":
            formats += [fmt for _, fmt in part[1]]
        elif part:
            formats += [fmt for option, (_, fmt) in part[1]] + [option.text_format for option, _ in part[1]]
    target = rendering.common_format(formats)
    return (rendering.convert(question_text, text_format, target), target,
            _write(explanation, target), _write(detailed, target))


def _write(part, target: str) -> str | None:
    if part is None:
        return None
    kind, items = part
    if kind == "pieces":
        texts = [rendering.convert(text, fmt, target) for text, fmt in items]
        return "\n".join(texts) if target == rendering.HTML else "\n\n".join(texts)
    if target == rendering.HTML:
        rows = "".join(f"<li>{_inline_html(option.text, option.text_format)}: {_inline_html(*feedback)}</li>"
                       for option, feedback in items)
        return f"<ul>{rows}</ul>"
    return "\n".join(f"- {rendering.convert(option.text, option.text_format, target)}: "
                     f"{' '.join(rendering.convert(text, fmt, target).split())}" for option, (text, fmt) in items)


def _inline_html(text: str, text_format: str) -> str:
    html = rendering.render(text, text_format) if text_format != rendering.HTML else text
    match = re.fullmatch(r"\s*<p>(.*)</p>\s*", html, re.DOTALL)
    return match.group(1) if match and "<p>" not in match.group(1) else html


class _Pieces:
    """Reads each piece of a question (text, answer, feedback) in its own format: a [format] prefix,
    else the question's. Moodle's auto-format becomes HTML (line breaks kept); HTML is stored
    sanitized, with a warning naming the line for whatever the sanitizer removed."""

    def __init__(self, question_format: str, name: str, warnings: list[Issue]):
        self.question_format, self.name, self.warnings = question_format, name, warnings
        self.warned_script = False

    def read(self, raw: str, part: str, line: int, default: str | None = None) -> tuple[str, str]:
        source = default or self.question_format
        match = FORMAT_PREFIX.match(raw)
        if match:
            source, raw = match.group(1).lower(), raw[match.end():]
        text, removed = strip_scripts(raw)
        if removed and not self.warned_script:
            self.warned_script = True
            self.warnings.append(Issue(line, f"{self.name}: a <script> or <style> element was removed."))
        lines = [row.rstrip() for row in text.split("\n")]
        if part == "option":
            text = " ".join(row.strip() for row in lines if row.strip())
        elif part == "feedback":
            text = "\n".join(row.strip() for row in lines).strip()
        else:
            text = "\n".join(lines).strip()
        if source == MOODLE:
            text, source = re.sub(r"\n", "<br>\n", text), rendering.HTML
        if source == rendering.HTML:
            dropped = rendering.dropped_by_sanitizer(text)
            if dropped:
                self.warnings.append(Issue(line, f"{self.name}: HTML the bank does not keep was removed from the "
                                           f"{'question text' if part == 'text' else part}: {', '.join(dropped)}."))
            text = rendering.sanitize(text)  # stored as learners will see it: the editor edits what they read
        return text, source


def _category_segment(path: str) -> str | None:
    """The last segment of a $CATEGORY path ("//" is a slash inside a name); None for a top level."""
    segments = [part.replace("\0", "/").strip() for part in path.replace("//", "\0").split("/")]
    segments = [part for part in segments if part]
    while segments and re.fullmatch(r"\$\w+\$", segments[0]):
        segments = segments[1:]
        if segments and segments[0].lower() == "top":
            segments = segments[1:]
    return segments[-1] if segments else None


def _unbalanced_line(marked: Marked, opens: list[int], closes: list[int]) -> int:
    depth = 0
    for i in sorted(opens + closes):
        if marked.text[i] == "{":
            if depth:
                return marked.line_at(i)
            depth, last_open = 1, i
        elif depth:
            depth = 0
        else:
            return marked.line_at(i)
    return marked.line_at(last_open)


def _name(title: str | None, text: str) -> str:
    name = title or " ".join(text.split())
    return f'"{name[:60]}{"..." if len(name) > 60 else ""}"'


# Export


def escape(text: str) -> str:
    """GIFT text on one line: control characters escaped, line breaks written as \\n."""
    for char in "\\~=#{}:":
        text = text.replace(char, "\\" + char)
    return text.replace("\r\n", "\n").replace("\n", "\\n")


def export(questions: list[dict]) -> str:
    """Questions in our JSON shape as GIFT, grouped under `$CATEGORY:` by their first category.
    GIFT has no exams, images or premium flag: JSON is the format that keeps everything."""
    out = ["// Exported from CertQuiz. Categories are category codes; explanations are general feedback.\n"]
    current = None
    for question in sorted(questions, key=lambda q: (q["categories"][:1] or [""])[0]):
        category = (question["categories"][:1] or [None])[0]
        if category != current and category is not None:
            out.append(f"$CATEGORY: {category.replace('/', '//')}\n")  # "//" is a slash inside a name
            current = category
        tags = " ".join(f"[tag:{tag}]" for tag in question["tags"] if "]" not in tag and "\n" not in tag)
        if tags:
            out.append(f"// {tags}")
        title = " ".join(question["question_text"].split())[:40]
        text_format = question.get("text_format", "markdown")
        if question.get("title"):
            title = " ".join(question["title"].split())
        lines = [f"::{escape(title)}::[{text_format}]{escape(question['question_text'])} {{"]
        correct = [option for option in question["options"] if option["is_correct"]]
        for option in question["options"]:
            if question["type"] == QuestionType.SINGLE:
                marker = "=" if option["is_correct"] else "~"
            else:
                weight = f"{100 / len(correct):.5f}".rstrip("0").rstrip(".")
                marker = f"~%{weight}%" if option["is_correct"] else "~%-100%"
            prefix = "" if option.get("text_format", "markdown") == text_format else f"[{option['text_format']}]"
            lines.append(f"\t{marker}{prefix}{escape(option['text'])}")
        if question["explanation"] and question["explanation"] != PLACEHOLDER_EXPLANATION:
            lines.append(f"\t####{escape(question['explanation'])}")
        lines.append("}")
        out.append("\n".join(lines) + "\n")
    return "\n".join(out)
