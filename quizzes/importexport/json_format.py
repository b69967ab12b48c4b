"""Our own JSON format: every field of a question, so an export imports back exactly.

The demo bank (quizzes/demo/questions.json) is a file of this format without the optional keys.
README.md documents the format; `export` writes it, `parse` reads it and names the line of every
problem (the decoder remembers where each object starts).
"""

import json
import json.decoder
import json.scanner
import uuid
from bisect import bisect_right

from quizzes import rendering
from quizzes.importexport.common import (
    INT_MAX,
    INT_MIN,
    MAX_CODE_LENGTH,
    CatalogueEntry,
    ImportFileError,
    Issue,
    ParsedFile,
    ParsedOption,
    ParsedQuestion,
    check_text,
    question_problems,
    text_problem,
)
from quizzes.models import QuestionStatus, QuestionType, TextFormat

FORMAT_NAME = "certquiz-questions"
FORMAT_VERSION = 1
TOP_LEVEL_KEYS = {"format", "version", "exams", "categories", "questions"}
QUESTION_KEYS = {
    "id", "question_text", "type", "explanation", "detailed_explanation", "tags", "images", "is_premium",
    "status", "created_by_name", "is_user_generated", "version", "exams", "categories", "options",
    "text_format", "title",
}
CATALOGUE_KEYS = {"code", "name", "description", "display_order", "is_active"}
OPTION_KEYS = {"text", "is_correct", "display_order", "text_format"}


class _Object(dict):
    """A JSON object that knows the line its `{` is on."""

    line = 0


def _load(text: str):
    newlines = [i for i, char in enumerate(text) if char == "\n"]
    decoder = json.JSONDecoder()

    def parse_object(s_and_end, strict, scan_once, object_hook, object_pairs_hook, memo=None):
        obj, end = json.decoder.JSONObject(s_and_end, strict, scan_once, object_hook, _Object, memo)
        obj.line = bisect_right(newlines, s_and_end[1] - 1) + 1
        return obj, end

    decoder.parse_object = parse_object
    decoder.scan_once = json.scanner.py_make_scanner(decoder)
    try:
        return decoder.decode(text)
    except json.JSONDecodeError as error:
        raise ImportFileError(f"line {error.lineno}: not valid JSON: {error.msg} (column {error.colno}).") from None
    except RecursionError:
        raise ImportFileError("The JSON is nested too deeply.") from None
    except ValueError as error:  # e.g. an integer with thousands of digits
        raise ImportFileError(f"Not valid JSON: {error}") from None


class _Fields:
    """Typed reads from one JSON object, collecting what is wrong instead of raising."""

    def __init__(self, item: dict, problems: list[str]):
        self.item, self.problems = item, problems

    def text(self, key: str, *, required: bool = False, max_length: int | None = None) -> str | None:
        value = self.item.get(key)
        if value is None:
            if required:
                self.problems.append(f"needs a {key}.")
            return None
        if not isinstance(value, str) or (required and not value.strip()):
            self.problems.append(f"{key} must be {'a non-empty' if required else 'a'} string.")
            return None
        if problem := text_problem(value):
            self.problems.append(f"{key} {problem}.")
            return None
        if max_length and len(value) > max_length:
            self.problems.append(f"{key} is longer than {max_length} characters.")
            return None
        return value

    def boolean(self, key: str, default: bool) -> bool:
        value = self.item.get(key, default)
        if not isinstance(value, bool):
            self.problems.append(f"{key} must be true or false.")
            return default
        return value

    def integer(self, key: str, default: int | None, minimum: int = INT_MIN) -> int | None:
        value = self.item.get(key)
        if value is None:
            return default
        if not isinstance(value, int) or isinstance(value, bool) or not minimum <= value <= INT_MAX:
            self.problems.append(f"{key} must be an integer from {minimum} to {INT_MAX}.")
            return default
        return value

    def strings(self, key: str, *, null) -> list[str] | None:
        """A list of strings; `null` is what a missing key or a JSON null means."""
        value = self.item.get(key)
        if value is None:
            return null() if callable(null) else null
        if not isinstance(value, list) or not all(isinstance(v, str) and not text_problem(v) for v in value):
            self.problems.append(f"{key} must be a list of strings.")
            return null() if callable(null) else null
        return list(value)

    def choice(self, key: str, choices: list[str]) -> str | None:
        value = self.item.get(key)
        if value is not None and value not in choices:
            self.problems.append(f"{key} must be one of {', '.join(choices)}, not {value!r}.")
            return None
        return value


def parse(text: str) -> ParsedFile:
    data = _load(check_text(text))
    if not isinstance(data, dict):
        raise ImportFileError('The file must hold a JSON object with a "questions" list.')
    if data.get("format", FORMAT_NAME) != FORMAT_NAME:
        raise ImportFileError(f'line 1: "format" is {data.get("format")!r}, not {FORMAT_NAME!r}.')
    if data.get("version", FORMAT_VERSION) != FORMAT_VERSION:
        raise ImportFileError(f'line 1: format version {data.get("version")!r}; this CertQuiz reads version '
                              f"{FORMAT_VERSION}.")
    parsed = ParsedFile(format="json")
    for key in sorted(set(data) - TOP_LEVEL_KEYS, key=str):
        parsed.warnings.append(Issue(data.line, f'the top-level key "{key}" is not part of the format; ignored.'))
    parsed.exams = _catalogue(data.get("exams"), "exam", parsed)
    parsed.categories = _catalogue(data.get("categories"), "category", parsed)

    items = data.get("questions")
    if not isinstance(items, list):
        parsed.errors.append(Issue(data.line, '"questions" must be a list.'))
        return parsed
    unknown_keys: set[str] = set()
    ids: dict[uuid.UUID, int] = {}
    for index, item in enumerate(items):
        question = _question(item, index, data.line, parsed, unknown_keys)
        if question is None:
            continue
        if question.id is not None and question.id in ids:
            parsed.errors.append(Issue(question.line, f"question {index + 1} {question.label}: the same id as the "
                                       f"question on line {ids[question.id]}."))
            continue
        if question.id is not None:
            ids[question.id] = question.line
        parsed.questions.append(question)
    return parsed


def _catalogue(items, kind: str, parsed: ParsedFile) -> list[CatalogueEntry]:
    if items is None:
        return []
    plural = "exams" if kind == "exam" else "categories"
    if not isinstance(items, list):
        parsed.errors.append(Issue(1, f'"{plural}" must be a list.'))
        return []
    entries, codes = [], set()
    for index, item in enumerate(items):
        line = getattr(item, "line", None)
        problems: list[str] = []
        if not isinstance(item, dict):
            parsed.errors.append(Issue(line, f"{kind} {index + 1}: must be an object."))
            continue
        fields = _Fields(item, problems)
        code = fields.text("code", required=True, max_length=MAX_CODE_LENGTH)
        name = fields.text("name", required=True)
        description = fields.text("description")
        display_order = fields.integer("display_order", 0)
        is_active = fields.boolean("is_active", True)
        if code is not None and code in codes:
            problems.append(f"the code {code} is listed twice.")
        for key in sorted(set(item) - CATALOGUE_KEYS):
            problems.append(f'"{key}" is not a field of an {kind}.' if kind == "exam" else
                            f'"{key}" is not a field of a category.')
        if problems:
            parsed.errors.extend(Issue(line, f"{kind} {index + 1}: {problem}") for problem in problems)
            continue
        codes.add(code)
        entries.append(CatalogueEntry(line, code, name, description, display_order, is_active))
    return entries


def _question(item, index: int, root_line: int, parsed: ParsedFile, unknown_keys: set[str]) -> ParsedQuestion | None:
    line = getattr(item, "line", root_line)
    if not isinstance(item, dict):
        parsed.errors.append(Issue(line, f"question {index + 1}: must be an object."))
        return None
    problems: list[str] = []
    fields = _Fields(item, problems)
    text = fields.text("question_text", required=True)
    label = f"question {index + 1}" + (f' "{text.strip().splitlines()[0][:60]}"' if text else "")

    question_id = None
    if item.get("id") is not None:
        try:
            question_id = uuid.UUID(item["id"]) if isinstance(item["id"], str) else None
        except ValueError:
            pass
        if question_id is None:
            problems.append("id must be a UUID string.")

    options = []
    raw_options = item.get("options")
    if not isinstance(raw_options, list):
        problems.append("options must be a list of {text, is_correct, display_order} objects.")
        raw_options = []
    for number, raw in enumerate(raw_options, start=1):
        option_problems: list[str] = []
        if not isinstance(raw, dict):
            problems.append(f"option {number} must be an object.")
            continue
        option_fields = _Fields(raw, option_problems)
        option_text = option_fields.text("text", required=True)
        if not isinstance(raw.get("is_correct"), bool):
            option_problems.append("is_correct must be true or false.")
        display_order = option_fields.integer("display_order", None)
        option_format = option_fields.choice("text_format", TextFormat.values) or TextFormat.MARKDOWN
        option_problems.extend(f'"{key}" is not a field of an option.' for key in sorted(set(raw) - OPTION_KEYS))
        problems.extend(f"option {number}: {problem}" for problem in option_problems)
        if not option_problems:
            options.append(ParsedOption(option_text, raw["is_correct"], display_order, option_format))

    question = ParsedQuestion(
        line=line,
        text=text or "",
        type=item.get("type"),
        options=options,
        explanation=fields.text("explanation"),
        detailed_explanation=fields.text("detailed_explanation"),
        tags=fields.strings("tags", null=list),
        exams=fields.strings("exams", null=None),
        categories=fields.strings("categories", null=None),
        id=question_id,
        images=fields.strings("images", null=list) if "images" not in item or item["images"] is not None else None,
        is_premium=fields.boolean("is_premium", False),
        status=fields.choice("status", QuestionStatus.values),
        created_by_name=fields.text("created_by_name"),
        is_user_generated=fields.boolean("is_user_generated", False),
        version=fields.integer("version", None, minimum=1),
        text_format=fields.choice("text_format", TextFormat.values) or TextFormat.MARKDOWN,
        title=fields.text("title"),
    )
    if item.get("type") not in QuestionType.values:
        problems.append(f"type must be one of {', '.join(QuestionType.values)}, not {item.get('type')!r}.")
    elif text is not None and not problems:
        problems.extend(question_problems(question))
    if problems:
        parsed.errors.extend(Issue(line, f"{label}: {problem}") for problem in problems)
        return None
    for key in sorted(set(item) - QUESTION_KEYS - unknown_keys):
        unknown_keys.add(key)
        parsed.warnings.append(Issue(line, f'"{key}" is not a field of a question; ignored (here and below).'))
    parsed.warnings.extend(Issue(line, f"{label}: {warning}") for warning in dropped_html_warnings(question))
    if question.explanation is not None and not question.explanation.strip():
        question.explanation = None  # a new question gets the placeholder, an updated one keeps its own
    absent = {key for key in ("explanation", "exams", "categories", "status") if getattr(question, key) is None}
    question.given = frozenset(item) - absent
    return question


def dropped_html_warnings(question: ParsedQuestion) -> list[str]:
    """What the sanitizer removes from the question's texts in the html format, as the GIFT reader
    says it (Markdown and plain texts are rendered, not sanitized as given)."""
    parts = []
    if question.text_format == TextFormat.HTML:
        parts += [("the question text", question.text), ("the explanation", question.explanation),
                  ("the detailed explanation", question.detailed_explanation)]
    parts += [(f"option {number}", option.text) for number, option in enumerate(question.options, start=1)
              if option.text_format == TextFormat.HTML]
    warnings = []
    for part, text in parts:
        dropped = rendering.dropped_by_sanitizer(text or "")
        if dropped:
            warnings.append(f"HTML the bank does not keep is removed from {part}: {', '.join(dropped)}.")
    return warnings


def export(questions: list[dict], exams: list[dict], categories: list[dict]) -> str:
    data = {
        "format": FORMAT_NAME,
        "version": FORMAT_VERSION,
        "exams": exams,
        "categories": categories,
        "questions": questions,
    }
    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"
