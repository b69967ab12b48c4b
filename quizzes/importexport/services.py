"""Importing a parsed file into the bank and exporting questions: the one place that writes, for
the management commands, the admin page and the tests alike."""

import uuid
from collections import defaultdict
from collections.abc import Callable, Iterator

from django.db import DatabaseError, connection, transaction
from django.db.models import Count, ProtectedError, Q

from quizzes import rendering
from quizzes.selectors import bump_catalogue_version
from quizzes.importexport import aiken, gift, json_format
from quizzes.importexport.common import (
    FORMATS,
    PLACEHOLDER_EXPLANATION,
    CatalogueEntry,
    ImportFileError,
    ImportReport,
    Issue,
    ParsedFile,
    ParsedQuestion,
    Preview,
    answer_key,
    content_key,
    normalize,
)
from quizzes.moderation.services import question_snapshot, record_question_change
from quizzes.models import (
    Category,
    Exam,
    Question,
    QuestionCategory,
    QuestionExam,
    QuestionOption,
    QuestionStatus,
    QuestionType,
)

PARSERS = {"json": json_format.parse, "gift": gift.parse, "aiken": aiken.parse}
CHUNK = 200  # questions written per batch, and between two progress reports
QUESTION_FIELDS = [
    "question_text", "type", "explanation", "detailed_explanation", "tags", "images", "is_premium", "status",
    "created_by_name", "is_user_generated", "text_format", "title",
]
HTML_FIELDS = ["question_html", "explanation_html", "detailed_explanation_html"]
PREVIEW_LIMIT = 50
# Any two imports take turns: each checks for duplicates against what the other wrote.
IMPORT_LOCK = 0x63657274  # "cert"


def parse_file(text: str, format: str) -> ParsedFile:
    if format not in FORMATS:
        raise ImportFileError(f"Unknown format {format!r}: use one of {', '.join(FORMATS)}.")
    return PARSERS[format](text)


def import_questions(
    *,
    parsed: ParsedFile,
    created_by,
    status: str = QuestionStatus.ACTIVE,
    exam: Exam | None = None,
    category: Category | None = None,
    dry_run: bool = False,
    progress: Callable[[int, int], None] | None = None,
) -> ImportReport:
    """Write a parsed file in one transaction: everything or, when anything is wrong, nothing.

    New questions get `created_by` and, unless the file says otherwise, `status`, `exam` and
    `category`. A question whose id is in the bank is updated (a history row records the change);
    one with the same text and options as a question in the bank, or earlier in the file, is
    reported as a duplicate and not written again, unless its answer key differs: then a staff
    importer changes the key of the bank's question (a new version), anyone else gets a conflict.
    `dry_run` does all of it and rolls back."""
    steps = iter_import(parsed=parsed, created_by=created_by, status=status, exam=exam, category=category,
                        dry_run=dry_run)
    while True:
        try:
            done, total = next(steps)
        except StopIteration as stop:
            return stop.value
        if progress is not None:
            progress(done, total)


def iter_import(*, parsed, created_by, status=QuestionStatus.ACTIVE, exam=None, category=None,
                dry_run=False) -> Iterator[tuple[int, int]]:
    """import_questions as a generator: yields (questions done, total) after every batch and
    returns the report, so a streamed page can show progress while the transaction runs."""
    report = ImportReport(format=parsed.format, dry_run=dry_run, total=len(parsed.questions),
                          skipped=list(parsed.skipped), warnings=list(parsed.warnings), errors=list(parsed.errors))
    if report.errors:
        return report
    try:
        with transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_xact_lock(%s)", [IMPORT_LOCK])
            writer = _Writer(parsed, report, created_by, status, exam, category)
            if not writer.resolve_links():
                transaction.set_rollback(True)
                return report
            yield from writer.write()
            if report.errors or dry_run:
                transaction.set_rollback(True)
            else:
                transaction.on_commit(bump_catalogue_version)  # COPY sends no model signals
    except DatabaseError as error:  # a rule the parsers do not know of: still nothing is written
        report.errors.append(Issue(None, f"The database refused the import, nothing was written: {_first_line(error)}"))
    return report


class _Writer:
    def __init__(self, parsed: ParsedFile, report: ImportReport, user, status, exam, category):
        self.parsed, self.report, self.user, self.status = parsed, report, user, status
        self.default_exams = [exam.pk] if exam is not None else []
        self.default_categories = [category.pk] if category is not None else []
        # id(parsed question) -> (exam ids, category ids); None where the file names none.
        self.links: dict[int, tuple[list | None, list | None]] = {}

    def resolve_links(self) -> bool:
        """Exam and category codes to ids; the file's own catalogue entries are created first."""
        exams = self._catalogue(Exam, self.parsed.exams, self.report.exams_created)
        categories = self._catalogue(Category, self.parsed.categories, self.report.categories_created)
        by_name = self._category_names(categories) if self.parsed.category_lines is not None else None
        for question in self.parsed.questions:
            exam_ids = category_ids = None
            if question.exams is not None:
                unknown = list(dict.fromkeys(code for code in question.exams if code not in exams))
                if unknown:
                    self.report.errors.append(Issue(question.line, f"{question.label}: unknown exam code(s) "
                                                    f"{', '.join(unknown)}: not in the bank, and the file's "
                                                    '"exams" list does not define it.'))
                exam_ids = list(dict.fromkeys(exams[code] for code in question.exams if code in exams))
            if question.categories is not None and by_name is not None:
                category_ids = [by_name[question.categories[0]]] if by_name[question.categories[0]] else []
            elif question.categories is not None:
                unknown = list(dict.fromkeys(code for code in question.categories if code not in categories))
                if unknown:
                    self.report.errors.append(Issue(question.line, f"{question.label}: unknown category code(s) "
                                                    f"{', '.join(unknown)}: not in the bank, and the file's "
                                                    '"categories" list does not define it.'))
                category_ids = list(dict.fromkeys(categories[c] for c in question.categories if c in categories))
            self.links[id(question)] = (exam_ids, category_ids)
        return not self.report.errors

    @staticmethod
    def _catalogue(model, entries: list[CatalogueEntry], created: list[str]) -> dict:
        ids = dict(model.objects.values_list("code", "id"))
        new = [entry for entry in entries if entry.code not in ids]
        for row in model.objects.bulk_create(
            model(code=e.code, name=e.name, description=e.description, display_order=e.display_order,
                  is_active=e.is_active)
            for e in new
        ):
            ids[row.code] = row.id
            created.append(row.code)
        return ids

    def _category_names(self, categories: dict) -> dict:
        """GIFT's $CATEGORY names to category ids: a code or a name, case-insensitively; an unknown
        one takes the default category, or is an error without one."""
        by_code = {code.casefold(): pk for code, pk in categories.items()}
        by_name = defaultdict(set)
        for name, pk in Category.objects.values_list("name", "id"):
            by_name[name.casefold()].add(pk)
        default = self.default_categories[0] if self.default_categories else None
        resolved = {}
        for name, line in self.parsed.category_lines.items():
            key = name.casefold()
            if key in by_code:
                resolved[name] = by_code[key]
            elif len(by_name[key]) == 1:
                resolved[name] = next(iter(by_name[key]))
            elif len(by_name[key]) > 1:
                self.report.errors.append(Issue(line, f'$CATEGORY "{name}": several categories have that name; '
                                                "use the category code."))
            elif default is not None:
                resolved[name] = default
                self.report.warnings.append(Issue(line, f'$CATEGORY "{name}" matches no category code or name; '
                                                  "its questions go to the default category."))
            else:
                self.report.errors.append(Issue(line, f'$CATEGORY "{name}" matches no category code or name '
                                                "(choose a default category to use instead)."))
        return defaultdict(lambda: None, resolved)

    def write(self) -> Iterator[tuple[int, int]]:
        questions = self.parsed.questions
        ids = [q.id for q in questions if q.id is not None]
        existing = {}
        for start in range(0, len(ids), 5000):  # PostgreSQL takes at most 65,535 parameters
            existing |= Question.objects.prefetch_related(
                "options", "questionexam_set", "questioncategory_set").in_bulk(ids[start:start + 5000])
        in_bank = _existing_keys([q for q in questions if q.id not in existing])
        dropped = self._later_wins([q for q in questions if q.id not in existing])
        total = len(questions)
        for start in range(0, total, CHUNK):
            batch = questions[start:start + CHUNK]
            new = []
            for question in batch:
                if id(question) in dropped:
                    continue
                key = content_key(question.text, (o.text for o in question.options))
                if question.id in existing:
                    if self._in_savepoint(question, self._update, existing[question.id], question):
                        self.report.warnings.extend(question.warnings)
                        self._preview(question, "update")
                elif key in in_bank:
                    bank_id, bank_key = in_bank[key]
                    if bank_key == answer_key(question):
                        self.report.duplicates.append(Issue(question.line, f"{question.label}: same text and "
                                                            "answers as a question already in the bank."))
                    elif not self.user.is_staff:
                        self.report.conflicts.append(Issue(question.line, f"{question.label}: same text and answers "
                                                           "as a question in the bank, but another answer key; only "
                                                           "staff may change a key by import."))
                    elif self._in_savepoint(question, self._change_key, bank_id, question):
                        self.report.warnings.extend(question.warnings)
                        self._preview(question, "answer key changed")
                else:
                    new.append(question)
                    self.report.warnings.extend(question.warnings)
                    self._preview(question, "new")
                if self.report.errors:
                    return
            self._create_batch(new)
            if self.report.errors:
                return
            yield min(start + CHUNK, total), total

    def _later_wins(self, questions: list[ParsedQuestion]) -> set[int]:
        """Within one file, a question with the text and answers of an earlier one is a duplicate
        when its key is the same, and replaces the earlier one (a correction) when it is not."""
        winners: dict[tuple, ParsedQuestion] = {}
        dropped = set()
        for question in questions:
            key = content_key(question.text, (o.text for o in question.options))
            earlier = winners.get(key)
            if earlier is None:
                winners[key] = question
            elif answer_key(earlier) == answer_key(question):
                self.report.duplicates.append(Issue(question.line, f"{question.label}: same text and answers "
                                                    f"as the question on line {earlier.line}."))
                dropped.add(id(question))
            else:
                self.report.warnings.append(Issue(question.line, f"{question.label}: same text and answers as the "
                                                  f"question on line {earlier.line} with another answer key; "
                                                  "the later one is imported, the earlier one left out."))
                dropped.add(id(earlier))
                winners[key] = question
        return dropped

    def _in_savepoint(self, question: ParsedQuestion, write, *args) -> bool:
        """Run one question's write; a database error is reported on its line (nothing else)."""
        try:
            with transaction.atomic():
                return write(*args)
        except DatabaseError as error:
            self.report.errors.append(Issue(question.line, f"{question.label}: the database refused this question: "
                                            f"{_first_line(error)}"))
            return False

    def _create_batch(self, questions: list[ParsedQuestion]) -> None:
        """Write a batch at once; if the database refuses it, find the question it refuses."""
        try:
            with transaction.atomic():
                self._create(questions)
        except DatabaseError:
            for question in questions:
                self._in_savepoint(question, self._create, [question])
                if self.report.errors:
                    return
            self.report.errors.append(Issue(None, "The database refused a batch of questions, nothing was written."))

    def _preview(self, question: ParsedQuestion, action: str) -> None:
        if len(self.report.previews) < PREVIEW_LIMIT:
            self.report.previews.append(Preview.of(question, action))

    def _create(self, parsed_questions: list[ParsedQuestion]) -> None:
        rows, options, exam_links, category_links = [], [], [], []
        for parsed in parsed_questions:
            if parsed.explanation is None:
                self.report.warnings.append(Issue(parsed.line, f'{parsed.label}: no explanation; '
                                                  f'"{PLACEHOLDER_EXPLANATION}" stored.'))
            values = {
                "question_text": parsed.text,
                "type": parsed.type,
                "explanation": parsed.explanation or PLACEHOLDER_EXPLANATION,
                "detailed_explanation": parsed.detailed_explanation,
                "tags": parsed.tags,
                "images": parsed.images,
                "is_premium": parsed.is_premium,
                "status": parsed.status or self.status,
                "created_by_name": parsed.created_by_name,
                "is_user_generated": parsed.is_user_generated,
                "version": parsed.version or 1,
                "text_format": parsed.text_format,
                "title": parsed.title,
            }
            # COPY skips save(): the HTML is rendered here, as Question.render_html() would.
            html = [rendering.render(values[name], parsed.text_format)
                    for name in ("question_text", "explanation", "detailed_explanation")]
            question_id = parsed.id or uuid.uuid4()
            rows.append((question_id, self.user.pk, *(values[name] for name in [*QUESTION_FIELDS, "version"]), *html))
            options.extend((uuid.uuid4(), question_id, o.text, o.is_correct, order, o.text_format,
                            rendering.render(o.text, o.text_format))
                           for o, order in zip(parsed.options, parsed.option_orders()))
            exam_ids, category_ids = self.links[id(parsed)]
            exam_links.extend((uuid.uuid4(), question_id, pk)
                              for pk in (self.default_exams if exam_ids is None else exam_ids))
            category_links.extend((uuid.uuid4(), question_id, pk)
                                  for pk in (self.default_categories if category_ids is None else category_ids))
        _copy(Question, ["id", "created_by_id", *QUESTION_FIELDS, "version", *HTML_FIELDS], rows)
        _copy(QuestionOption, ["id", "question_id", "text", "is_correct", "display_order", "text_format",
                               "option_html"], options)
        _copy(QuestionExam, ["id", "question_id", "exam_id"], exam_links)
        _copy(QuestionCategory, ["id", "question_id", "category_id"], category_links)
        self.report.created += len(rows)

    def _update(self, question: Question, parsed: ParsedQuestion) -> bool:
        """The file is the truth for a question it lists by id, field by field: what the file
        leaves out stays as it is (the import's defaults are for new questions). A change goes
        through the moderation history like an edit in the admin: new version, diff, editor."""
        values = {
            "question_text": parsed.text,
            "type": parsed.type,
            "explanation": parsed.explanation,
            "detailed_explanation": parsed.detailed_explanation,
            "tags": parsed.tags,
            "images": parsed.images,
            "is_premium": parsed.is_premium,
            "status": parsed.status,
            "created_by_name": parsed.created_by_name,
            "is_user_generated": parsed.is_user_generated,
            "text_format": parsed.text_format,
            "title": parsed.title,
        }
        wanted = {name: value for name, value in values.items() if parsed.given is None or name in parsed.given}
        changed_fields = [name for name, value in wanted.items() if getattr(question, name) != value]
        current_options = {o.display_order: o for o in question.options.all()}
        options_change = sorted(
            (order, o.text, o.is_correct, o.text_format) for order, o in current_options.items()
        ) != sorted(
            (order, o.text, o.is_correct, o.text_format) for o, order in zip(parsed.options, parsed.option_orders())
        )
        link_changes = []
        exam_ids, category_ids = self.links[id(parsed)]
        for model, column, ids in ((QuestionExam, "exam_id", exam_ids),
                                   (QuestionCategory, "category_id", category_ids)):
            linked = {getattr(row, column) for row in getattr(question, f"{model._meta.model_name}_set").all()}
            if ids is not None and linked != set(ids):
                link_changes.append((model, column, ids, linked))
        if not (changed_fields or options_change or link_changes):
            self.report.unchanged += 1
            return False

        before = question_snapshot(question.pk, lock=True)
        if options_change:
            try:
                self._replace_options(question, parsed, current_options)
            except ProtectedError:
                self.report.errors.append(Issue(parsed.line, f"{parsed.label}: the file drops an option learners "
                                                "have already chosen in a quiz; archive the question instead."))
                return False
        for model, column, ids, linked in link_changes:
            model.objects.filter(question=question).exclude(**{f"{column}__in": ids}).delete()
            model.objects.bulk_create(model(question=question, **{column: pk}) for pk in set(ids) - linked)
        for name in changed_fields:
            setattr(question, name, wanted[name])
        if changed_fields:
            question.save(update_fields=[*changed_fields, "updated_at"])
        record_question_change(question=question, before=before, editor=self.user,
                               note={"source": f"import ({self.parsed.format})"})
        self.report.updated += 1
        return True

    @staticmethod
    def _replace_options(question: Question, parsed: ParsedQuestion, current: dict) -> None:
        """Options are matched by display order, so an option learners chose keeps its row."""
        orders = parsed.option_orders()
        QuestionOption.objects.filter(pk__in=[o.pk for order, o in current.items() if order not in orders]).delete()
        for option, order in zip(parsed.options, orders):
            row = current.get(order)
            if row is None:
                QuestionOption.objects.create(question=question, text=option.text, is_correct=option.is_correct,
                                              display_order=order, text_format=option.text_format)
            elif (row.text, row.is_correct, row.text_format) != (option.text, option.is_correct, option.text_format):
                row.text, row.is_correct, row.text_format = option.text, option.is_correct, option.text_format
                row.save(update_fields=["text", "is_correct", "text_format"])

    def _change_key(self, question_id, parsed: ParsedQuestion) -> bool:
        """The file's question is the bank's with another answer key: a correction. The options keep
        their rows (learners' answers point at them); their right/wrong marks, the type and, when the
        file gives one, the explanation follow the file. A new version records the change."""
        before = question_snapshot(question_id, lock=True)
        question = Question.objects.get(pk=question_id)
        wanted = {normalize(o.text): o.is_correct for o in parsed.options}
        old_key, new_key = [], []
        for option in question.options.all():
            if option.is_correct:
                old_key.append(option.text)
            if wanted[normalize(option.text)]:
                new_key.append(option.text)
            if option.is_correct != wanted[normalize(option.text)]:
                option.is_correct = wanted[normalize(option.text)]
                option.save(update_fields=["is_correct"])
        changed = ["type"]
        question.type = parsed.type
        if parsed.explanation and parsed.explanation != PLACEHOLDER_EXPLANATION:
            question.explanation, question.detailed_explanation = parsed.explanation, parsed.detailed_explanation
            question.text_format = parsed.text_format
            changed += ["explanation", "detailed_explanation", "text_format"]
        question.save(update_fields=[*changed, "updated_at"])
        record_question_change(question=question, before=before, editor=self.user,
                               note={"source": f"import ({self.parsed.format})", "answer_key_changed": True})
        self.report.updated += 1
        self.report.key_changes.append(Issue(parsed.line, f"{parsed.label}: answer key changed: "
                                             f"{_quoted(old_key)} → {_quoted(new_key)} "
                                             f"(the bank's question is now version {question.version})."))
        return True


def _quoted(texts: list[str]) -> str:
    return ", ".join(f'"{" ".join(text.split())[:40]}"' for text in texts) or "none"


def _first_line(error: Exception) -> str:
    return (str(error).strip().splitlines() or [type(error).__name__])[0]


def _copy(model, columns: list[str], rows: list[tuple]) -> None:
    """Insert rows with PostgreSQL's COPY. bulk_create spends about half a millisecond per row
    building SQL, a minute for the 30,000 questions of a 5 MB GIFT file; COPY takes seconds. The
    columns left out (created_at, updated_at) take their database defaults, as with bulk_create."""
    if not rows:
        return
    table = connection.ops.quote_name(model._meta.db_table)
    quoted = ", ".join(connection.ops.quote_name(column) for column in columns)
    # The raw psycopg cursor's errors become Django's DatabaseError, like every other query's.
    with connection.cursor() as cursor, connection.wrap_database_errors:
        with cursor.cursor.copy(f"COPY {table} ({quoted}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)


def _existing_keys(questions: list[ParsedQuestion]) -> dict[tuple, tuple]:
    """Content keys of the bank's questions whose text, whitespace aside, is one of `questions`',
    each with (its id, its answer key): one scan of the table whatever the size of the file."""
    texts = list({normalize(q.text) for q in questions})
    if not texts:
        return {}
    options = defaultdict(list)
    question_texts = {}
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT q.id, q.question_text, o.text, o.is_correct
            FROM questions q LEFT JOIN question_options o ON o.question_id = q.id
            WHERE btrim(regexp_replace(regexp_replace(q.question_text, '<br\\s*/?>', ' ', 'gi'),
                                       '[ \\t\\n\\r\\f\\v]+', ' ', 'g'), ' ') = ANY(%s)
            ORDER BY q.created_at, q.id
            """,
            [texts],
        )
        for question_id, text, option, is_correct in cursor.fetchall():
            question_texts[question_id] = text
            if option is not None:
                options[question_id].append((option, is_correct))
    keys = {}
    for pk, text in question_texts.items():
        key = content_key(text, (option for option, _ in options[pk]))
        keys.setdefault(key, (pk, frozenset(normalize(option) for option, right in options[pk] if right)))
    return keys


# Export


def _option_record(option: QuestionOption) -> dict:
    return {"text": option.text, "is_correct": option.is_correct, "display_order": option.display_order,
            "text_format": option.text_format}


def question_record(question: Question) -> dict:
    """A question in our JSON shape (options, exams and categories prefetched)."""
    return {
        "id": str(question.id),
        **{name: getattr(question, name) for name in QUESTION_FIELDS},
        "version": question.version,
        "exams": sorted(exam.code for exam in question.exams.all()),
        "categories": sorted(category.code for category in question.categories.all()),
        "options": [_option_record(o) for o in sorted(question.options.all(), key=lambda o: o.display_order)],
    }


def _catalogue_record(row) -> dict:
    return {"code": row.code, "name": row.name, "description": row.description,
            "display_order": row.display_order, "is_active": row.is_active}


def export_questions(queryset, *, format: str = "json") -> str:
    """The questions of `queryset` as a file of `format`. Only JSON keeps every field; Aiken holds
    single-answer questions only (aiken.exportable says which)."""
    if format not in FORMATS:
        raise ValueError(f"Unknown format {format!r}: use one of {', '.join(FORMATS)}.")
    questions = list(queryset.prefetch_related("options", "exams", "categories").order_by("created_at", "id"))
    records = [question_record(q) for q in questions]
    if format == "gift":
        return gift.export(records)
    if format == "aiken":
        return aiken.export(records)
    exams = {exam.pk: exam for q in questions for exam in q.exams.all()}
    categories = {category.pk: category for q in questions for category in q.categories.all()}
    order = lambda row: (row.display_order, row.code)  # noqa: E731
    return json_format.export(
        records,
        [_catalogue_record(row) for row in sorted(exams.values(), key=order)],
        [_catalogue_record(row) for row in sorted(categories.values(), key=order)],
    )


def filter_questions(*, exam: Exam | None = None, category: Category | None = None, status: str | None = None):
    """The questions an export takes: all, or those of an exam, a category, a status."""
    questions = Question.objects.all()
    if exam is not None:
        questions = questions.filter(questionexam__exam=exam)
    if category is not None:
        questions = questions.filter(questioncategory__category=category)
    if status:
        questions = questions.filter(status=status)
    return questions


def left_out_of(queryset, format: str) -> int:
    """How many questions of `queryset` the format cannot hold (Aiken: single answer, 26 options)."""
    if format != "aiken":
        return 0
    return queryset.annotate(option_count=Count("options")).filter(
        ~Q(type=QuestionType.SINGLE) | Q(option_count__gt=26)
    ).count()
