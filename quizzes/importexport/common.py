"""What every format shares: the parsed question, the import report, the file checks and the
rules a question must obey before it may be written."""

import re
import uuid
from dataclasses import dataclass, field

from quizzes import rendering
from quizzes.models import (
    MAX_EXPLANATION_LENGTH,
    MAX_OPTION_LENGTH,
    MAX_OPTIONS,
    MAX_QUESTION_LENGTH,
    MAX_TAG_BYTES,
    MAX_TAGS,
    MAX_TITLE_LENGTH,
    MIN_OPTIONS,
    QuestionStatus,
    QuestionType,
)

FORMATS = ("json", "gift", "aiken")
# Checked in order: "bank.aiken.txt" is Aiken, any other ".txt" GIFT (Moodle's file pickers want .txt).
EXTENSIONS = {".json": "json", ".aiken": "aiken", ".aiken.txt": "aiken", ".gift": "gift", ".gift.txt": "gift",
              ".txt": "gift"}
DOWNLOAD_EXTENSIONS = {"json": ".json", "gift": ".gift.txt", "aiken": ".aiken.txt"}
MAX_FILE_SIZE = 5 * 1024 * 1024
PLACEHOLDER_EXPLANATION = "No explanation provided."
BLANK = "_____"
# PostgreSQL integer columns (display_order, version) and the btree/GIN index row limit on codes and tags.
INT_MIN, INT_MAX = -(2**31), 2**31 - 1
MAX_CODE_LENGTH = 100
MAX_TAG_LENGTH = 100
TYPES, STATUSES = QuestionType.values, QuestionStatus.values


class ImportFileError(Exception):
    """The file cannot be read at all (not UTF-8 text, not JSON, too large); nothing was imported."""


@dataclass(frozen=True)
class Issue:
    line: int | None
    message: str
    kind: str = ""  # for skipped questions: "short answer", "numerical", "matching", "essay", ...

    def __str__(self) -> str:
        return f"line {self.line}: {self.message}" if self.line else self.message


@dataclass
class ParsedOption:
    text: str
    is_correct: bool
    display_order: int | None = None  # None: its position in the list
    text_format: str = rendering.MARKDOWN


@dataclass
class ParsedQuestion:
    """One question read from a file. None means "the file does not say": the import's defaults apply."""

    line: int
    text: str
    type: str
    options: list[ParsedOption]
    explanation: str | None = None
    detailed_explanation: str | None = None
    tags: list[str] = field(default_factory=list)
    exams: list[str] | None = None  # exam codes
    categories: list[str] | None = None  # category codes (GIFT: a code or a name, see ParsedFile)
    title: str | None = None
    id: uuid.UUID | None = None
    images: list[str] | None = field(default_factory=list)
    is_premium: bool = False
    status: str | None = None
    created_by_name: str | None = None
    is_user_generated: bool = False
    version: int | None = None
    text_format: str = rendering.MARKDOWN  # of the question text and its explanations
    # The fields the file gives (JSON): an update by id changes only those. None: all of them.
    given: frozenset[str] | None = None
    # Warnings about this question (a placeholder explanation, partial credit dropped): reported
    # only if it is written, not when it turns out to be a duplicate.
    warnings: list[Issue] = field(default_factory=list)

    @property
    def label(self) -> str:
        text = rendering.html_to_text(self.text) if self.text_format == rendering.HTML else self.text
        name = self.title or (text.strip().splitlines()[0] if text.strip() else "")
        return f'"{name[:60]}{"..." if len(name) > 60 else ""}"'

    def option_orders(self) -> list[int]:
        return [i if o.display_order is None else o.display_order for i, o in enumerate(self.options)]


@dataclass
class CatalogueEntry:
    """An exam or category defined in the file itself (our JSON format)."""

    line: int
    code: str
    name: str
    description: str | None = None
    display_order: int = 0
    is_active: bool = True


@dataclass
class ParsedFile:
    format: str
    questions: list[ParsedQuestion] = field(default_factory=list)
    skipped: list[Issue] = field(default_factory=list)
    warnings: list[Issue] = field(default_factory=list)
    errors: list[Issue] = field(default_factory=list)
    exams: list[CatalogueEntry] = field(default_factory=list)
    categories: list[CatalogueEntry] = field(default_factory=list)
    # GIFT: categories come from $CATEGORY paths, matched by code or name, case-insensitively;
    # the line of the first $CATEGORY naming each one, for the error when it matches none.
    category_lines: dict[str, int] | None = None


@dataclass
class ImportReport:
    format: str
    dry_run: bool = False
    total: int = 0  # questions of supported types read (the skipped ones are not counted)
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    duplicates: list[Issue] = field(default_factory=list)
    # Same text and options as a question in the bank but another answer key: staff imports
    # change the key (key_changes), others are refused (conflicts).
    key_changes: list[Issue] = field(default_factory=list)
    conflicts: list[Issue] = field(default_factory=list)
    skipped: list[Issue] = field(default_factory=list)
    warnings: list[Issue] = field(default_factory=list)
    errors: list[Issue] = field(default_factory=list)
    # The questions as they will be written, for the admin's preview: (parsed, warnings).
    previews: list = field(default_factory=list)
    exams_created: list[str] = field(default_factory=list)
    categories_created: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors

    def skipped_by_kind(self) -> dict[str, int]:
        counts: dict[str, int] = {}
        for issue in self.skipped:
            counts[issue.kind or "other"] = counts.get(issue.kind or "other", 0) + 1
        return counts

    def summary_lines(self) -> list[str]:
        if self.errors:
            return [f"Nothing was imported: {len(self.errors)} error(s)."] + [f"  {error}" for error in self.errors]
        dry = self.dry_run
        skipped = ", ".join(f"{count} {kind}" for kind, count in self.skipped_by_kind().items())
        lines = [
            *(["Dry run: nothing was saved."] if dry else []),
            f"{self.total} question(s) read: {self.created} {'to create' if dry else 'created'}, "
            f"{self.updated} {'to update' if dry else 'updated'}, {self.unchanged} unchanged, "
            f"{len(self.duplicates)} duplicate(s) not imported, {len(self.key_changes)} answer key(s) "
            f"{'to change' if dry else 'changed'}, {len(self.conflicts)} conflict(s) not imported.",
            f"{len(self.skipped)} skipped (not supported){f': {skipped}' if skipped else ''}.",
        ]
        for kind, codes in (("Exams", self.exams_created), ("Categories", self.categories_created)):
            if codes:
                lines.append(f"{kind} {'to create' if dry else 'created'}: {', '.join(codes)}.")
        for title, issues in (("Skipped", self.skipped), ("Duplicates", self.duplicates),
                              ("Answer keys changed", self.key_changes), ("Conflicts", self.conflicts),
                              ("Warnings", self.warnings)):
            if issues:
                lines.append(f"{title}:")
                lines.extend(f"  {issue}" for issue in issues)
        return lines


def format_for_filename(name: str) -> str | None:
    lowered = name.lower()
    return next((fmt for ext, fmt in EXTENSIONS.items() if lowered.endswith(ext)), None)


def decode(data: bytes, max_size: int | None = MAX_FILE_SIZE) -> str:
    """The file's text: UTF-8 (a byte-order mark is dropped), at most `max_size` bytes (uploads;
    the management command reads files of any size)."""
    if max_size is not None and len(data) > max_size:
        raise ImportFileError(f"The file is {len(data) / 2**20:.1f} MB; the limit is {max_size // 2**20} MB.")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        raise ImportFileError(f"line {line}: the file is not UTF-8 text (byte 0x{data[error.start]:02x}).") from None
    return check_text(text)


def check_text(text: str) -> str:
    """Text PostgreSQL can store: no NUL character, no lone surrogate. Line endings become \\n."""
    if not isinstance(text, str):
        raise ImportFileError("The file must be text.")
    if "\x00" in text:
        line = text.count("\n", 0, text.index("\x00")) + 1
        raise ImportFileError(f"line {line}: the file contains a NUL character.")
    try:
        text.encode("utf-8")
    except UnicodeEncodeError as error:
        line = text.count("\n", 0, error.start) + 1
        raise ImportFileError(f"line {line}: the file contains an invalid character (a lone surrogate).") from None
    return text.replace("\r\n", "\n").replace("\r", "\n")


def text_problem(value: str) -> str | None:
    """Why a string from a parsed structure (JSON) cannot be stored, or None."""
    if "\x00" in value:
        return "contains a NUL character"
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return "contains an invalid character (a lone surrogate)"
    return None


def question_problems(question: ParsedQuestion) -> list[str]:
    """The rules every imported question obeys, whatever its format (the admin applies the same)."""
    problems = []
    if not question.text.strip():
        problems.append("the question has no text.")
    if len(question.text) > MAX_QUESTION_LENGTH:
        problems.append(f"the question text has {len(question.text):,} characters; the limit is "
                        f"{MAX_QUESTION_LENGTH:,}.")
    for name, value in (("explanation", question.explanation),
                        ("detailed explanation", question.detailed_explanation)):
        if value is not None and len(value) > MAX_EXPLANATION_LENGTH:
            problems.append(f"the {name} has {len(value):,} characters; the limit is {MAX_EXPLANATION_LENGTH:,}.")
    if question.title is not None and len(question.title) > MAX_TITLE_LENGTH:
        problems.append(f"the title has {len(question.title):,} characters; the limit is {MAX_TITLE_LENGTH}.")
    if not MIN_OPTIONS <= len(question.options) <= MAX_OPTIONS:
        problems.append(f"a question has {MIN_OPTIONS} to {MAX_OPTIONS} options; this one has "
                        f"{len(question.options)}.")
    for index, option in enumerate(question.options, start=1):
        if len(option.text) > MAX_OPTION_LENGTH:
            problems.append(f"answer {index} has {len(option.text):,} characters; the limit is {MAX_OPTION_LENGTH:,}.")
    if len(question.tags) > MAX_TAGS:
        problems.append(f"{len(question.tags)} tags; a question has at most {MAX_TAGS}.")
    elif sum(len(tag.encode("utf-8")) for tag in question.tags) > MAX_TAG_BYTES:
        problems.append(f"the tags take more than {MAX_TAG_BYTES:,} bytes together; use fewer or shorter ones.")
    if question.type not in TYPES:
        problems.append(f"type must be one of {', '.join(TYPES)}, not {question.type!r}.")
    if question.status is not None and question.status not in STATUSES:
        problems.append(f"status must be one of {', '.join(STATUSES)}, not {question.status!r}.")
    for index, option in enumerate(question.options, start=1):
        if not option.text.strip():
            problems.append(f"answer {index} is empty.")
    texts = [option.text.strip() for option in question.options]
    if len(set(texts)) != len(texts):
        problems.append("two answers have the same text.")
    orders = question.option_orders()
    if len(set(orders)) != len(orders):
        problems.append("two options have the same display_order.")
    if any(not INT_MIN <= order <= INT_MAX for order in orders):
        problems.append("a display_order is out of range.")
    for tag in question.tags:
        if not tag.strip():
            problems.append("a tag is empty.")
        elif len(tag) > MAX_TAG_LENGTH:
            problems.append(f"a tag is longer than {MAX_TAG_LENGTH} characters.")
    correct = sum(option.is_correct for option in question.options)
    wrong = len(question.options) - correct
    if correct == 0:
        problems.append("no correct answer.")
    elif question.type == QuestionType.SINGLE and (correct != 1 or wrong < 1):
        problems.append(f"a single-answer question needs exactly 1 correct answer and at least 1 wrong one; "
                        f"it has {correct} correct and {wrong} wrong.")
    elif question.type == QuestionType.MULTIPLE and (correct < 2 or wrong < 1):
        problems.append(f"a multiple-answer question needs at least 2 correct answers and 1 wrong one; "
                        f"it has {correct} correct and {wrong} wrong.")
    return problems


_WHITESPACE = re.compile(r"[ \t\n\r\f\v]+")  # PostgreSQL's \s, so Python and SQL normalize alike
# Moodle's auto-format stores a line break as <br>: a file that wraps its lines differently is
# still the same question (services._existing_keys applies the same rule in SQL).
_LINE_BREAK = re.compile(r"<br\s*/?>", re.IGNORECASE)


def normalize(text: str) -> str:
    return _WHITESPACE.sub(" ", _LINE_BREAK.sub(" ", text)).strip(" ")


def content_key(text: str, option_texts) -> tuple[str, frozenset[str]]:
    """Two questions are the same question when their texts and their sets of option texts match,
    whitespace aside (GIFT wraps lines freely)."""
    return normalize(text), frozenset(normalize(option) for option in option_texts)


_SCRIPT = re.compile(r"<(script|style)\b.*?(</\1\s*>|\Z)", re.IGNORECASE | re.DOTALL)


def strip_scripts(text: str) -> tuple[str, bool]:
    """Remove <script> and <style> elements: never stored, whatever the format says."""
    cleaned = _SCRIPT.sub("", text)
    return cleaned, cleaned != text


def answer_key(question: ParsedQuestion) -> frozenset[str]:
    """The texts of the right answers, whitespace aside: what a corrected key changes."""
    return frozenset(normalize(option.text) for option in question.options if option.is_correct)


@dataclass
class Preview:
    """A parsed question as learners will see it, for the admin's import preview."""

    line: int
    label: str
    action: str  # "new", "update", "answer key changed"
    question_html: str
    options: list[tuple[str, bool]]  # (sanitized HTML, is_correct)
    explanation_html: str
    warnings: list[Issue]

    @classmethod
    def of(cls, question: ParsedQuestion, action: str) -> "Preview":
        return cls(
            line=question.line,
            label=rendering.question_label(question.title, rendering.render(question.text, question.text_format)),
            action=action,
            question_html=rendering.render(question.text, question.text_format),
            options=[(rendering.render(o.text, o.text_format), o.is_correct) for o in question.options],
            explanation_html=rendering.render(question.explanation or PLACEHOLDER_EXPLANATION, question.text_format),
            warnings=list(question.warnings),
        )
