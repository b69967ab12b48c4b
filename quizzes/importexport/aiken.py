"""The Aiken format (https://docs.moodle.org/en/Aiken_format): single-answer questions only.

    What is the default administrative distance of OSPF?
    A) 90
    B. 110
    C) 120
    ANSWER: B

The question text may run over several lines; options are `A)` or `A.` and a space, in any
letters; `ANSWER: X` ends the question. Aiken has no explanation, exams or categories: the
import's defaults apply and the placeholder explanation is reported as a warning. Aiken text is
plain text: stored as such, shown exactly as written.

Moodle's leniency, each with a warning: an option without the space (`A)Text`; `A.Text` only once
the options have begun, since "A.B" could be a sentence).
"""

import re

from quizzes.importexport.common import (
    PLACEHOLDER_EXPLANATION,
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

OPTION = re.compile(r"([A-Z])[.)][ \t]+(.*)")
OPTION_WITHOUT_SPACE = re.compile(r"([A-Z])([.)])(\S.*)")
ANSWER = re.compile(r"ANSWER\s*:(.*)")  # upper case, as Moodle reads it


def parse(text: str) -> ParsedFile:
    parsed = ParsedFile(format="aiken")
    current = None  # {"line", "text": [lines], "options": [(letter, text, line)]}

    def unfinished():
        parsed.errors.append(Issue(current["line"], f"{_name(current)}: no ANSWER: line after the options."))

    for number, raw in enumerate(check_text(text).split("\n"), start=1):
        line = raw.strip()
        if not line:
            continue
        option, answer = OPTION.fullmatch(line), ANSWER.fullmatch(line)
        tight = OPTION_WITHOUT_SPACE.fullmatch(line) if not (option or answer) else None
        if tight and current is not None and current["text"] and (tight.group(2) == ")" or current["options"]):
            parsed.warnings.append(Issue(number, f'option {tight.group(1)}{tight.group(2)} has no space after '
                                         f"the {tight.group(2)}; read, as Moodle does, as option {tight.group(1)}."))
            option = tight
        if answer:
            if current is None or not current["options"]:
                parsed.errors.append(Issue(number, "ANSWER: without a question and its options before it."))
            else:
                _finish(current, answer.group(1).strip(), number, parsed)
            current = None
        elif option and current is not None and current["text"]:
            current["options"].append((option.group(1), option.group(option.lastindex).strip(), number))
        elif current is not None and current["options"]:
            unfinished()
            current = {"line": number, "text": [line], "options": []}
        elif current is None:
            current = {"line": number, "text": [line], "options": []}
        else:
            current["text"].append(line)
    if current is not None:
        if current["options"]:
            unfinished()
        else:
            parsed.errors.append(Issue(current["line"], f"{_name(current)}: a question with no options."))
    return parsed


def _finish(current: dict, answer: str, number: int, parsed: ParsedFile) -> None:
    letters = [letter for letter, _, _ in current["options"]]
    name = _name(current)
    if len(set(letters)) != len(letters):
        parsed.errors.append(Issue(current["line"], f"{name}: two options have the same letter."))
        return
    if not re.fullmatch(r"[A-Z]", answer):
        parsed.errors.append(Issue(number, f"{name}: ANSWER must be one letter (Aiken questions have one right "
                                   f"answer), not {answer!r}."))
        return
    if answer not in letters:
        parsed.errors.append(Issue(number, f"{name}: ANSWER {answer} is not one of the options {', '.join(letters)}."))
        return
    removed = False
    text, cut = strip_scripts("\n".join(current["text"]))
    removed |= cut
    options = []
    for letter, option_text, _ in current["options"]:
        option_text, cut = strip_scripts(option_text)
        removed |= cut
        options.append(ParsedOption(option_text.strip(), letter == answer, text_format=rendering.PLAIN))
    question = ParsedQuestion(
        line=current["line"],
        text=text.strip(),
        type=QuestionType.SINGLE,
        options=options,
        explanation=PLACEHOLDER_EXPLANATION,
        text_format=rendering.PLAIN,
    )
    problems = question_problems(question)
    if problems:
        parsed.errors.extend(Issue(current["line"], f"{name}: {problem}") for problem in problems)
        return
    if removed:
        question.warnings.append(Issue(current["line"], f"{name}: a <script> or <style> element was removed."))
    question.warnings.append(Issue(current["line"], f'{name}: Aiken has no explanation; "{PLACEHOLDER_EXPLANATION}" '
                                   "stored."))
    parsed.questions.append(question)


def _name(current: dict) -> str:
    name = " ".join(" ".join(current["text"]).split())
    return f'"{name[:60]}{"..." if len(name) > 60 else ""}"'


def export(questions: list[dict]) -> str:
    """Single-answer questions with at most 26 options as Aiken, every text on one line; the
    others cannot be written in Aiken and are left out (see exportable)."""
    blocks = []
    for question in filter(exportable, questions):
        lines = [" ".join(question["question_text"].split())]
        answer = ""
        for letter, option in zip("ABCDEFGHIJKLMNOPQRSTUVWXYZ", question["options"]):
            lines.append(f"{letter}) {' '.join(option['text'].split())}")
            if option["is_correct"]:
                answer = letter
        lines.append(f"ANSWER: {answer}")
        blocks.append("\n".join(lines) + "\n")
    return "\n".join(blocks)


def exportable(question: dict) -> bool:
    return question["type"] == QuestionType.SINGLE and len(question["options"]) <= 26
