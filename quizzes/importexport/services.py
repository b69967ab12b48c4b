"""Importing a parsed file into the bank and exporting questions: the one place that writes, for
the management commands, the admin page and the tests alike."""

import uuid
from collections import defaultdict
from collections.abc import Callable, Iterator

from django.db import DatabaseError, connection, transaction
from django.db.models import Count, ProtectedError, Q

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
    content_key,
    normalize,
)
from quizzes.moderation import question_snapshot, record_question_change
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
    "created_by_name", "is_user_generated",
]
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
    reported as a duplicate and not written again. `dry_run` does all of it and rolls back."""
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
        report.errors.append(Issue(None, f"The database refused the import, nothing was written: {error}"))
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
        seen: dict[tuple, int] = {}
        total = len(questions)
        for start in range(0, total, CHUNK):
            batch = questions[start:start + CHUNK]
            new = []
            for question in batch:
                key = content_key(question.text, (o.text for o in question.options))
                if question.id in existing:
                    if self._update(existing[question.id], question):
                        self.report.warnings.extend(question.warnings)
                elif key in in_bank:
                    self.report.duplicates.append(Issue(question.line, f"{question.label}: same text and answers "
                                                        "as a question already in the bank."))
                elif key in seen:
                    self.report.duplicates.append(Issue(question.line, f"{question.label}: same text and answers "
                                                        f"as the question on line {seen[key]}."))
                else:
                    new.append(question)
                    self.report.warnings.extend(question.warnings)
                seen.setdefault(key, question.line)
            self._create(new)
            if self.report.errors:
                return
            yield min(start + CHUNK, total), total

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
            }
            question_id = parsed.id or uuid.uuid4()
            rows.append((question_id, self.user.pk, *(values[name] for name in [*QUESTION_FIELDS, "version"])))
            options.extend((uuid.uuid4(), question_id, o.text, o.is_correct, order)
                           for o, order in zip(parsed.options, parsed.option_orders()))
            exam_ids, category_ids = self.links[id(parsed)]
            exam_links.extend((uuid.uuid4(), question_id, pk)
                              for pk in (self.default_exams if exam_ids is None else exam_ids))
            category_links.extend((uuid.uuid4(), question_id, pk)
                                  for pk in (self.default_categories if category_ids is None else category_ids))
        _copy(Question, ["id", "created_by_id", *QUESTION_FIELDS, "version"], rows)
        _copy(QuestionOption, ["id", "question_id", "text", "is_correct", "display_order"], options)
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
        }
        wanted = {name: value for name, value in values.items() if parsed.given is None or name in parsed.given}
        changed_fields = [name for name, value in wanted.items() if getattr(question, name) != value]
        current_options = {o.display_order: o for o in question.options.all()}
        options_change = sorted((order, o.text, o.is_correct) for order, o in current_options.items()) != sorted(
            (order, o.text, o.is_correct) for o, order in zip(parsed.options, parsed.option_orders()))
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
                                              display_order=order)
            elif (row.text, row.is_correct) != (option.text, option.is_correct):
                row.text, row.is_correct = option.text, option.is_correct
                row.save(update_fields=["text", "is_correct"])


def _copy(model, columns: list[str], rows: list[tuple]) -> None:
    """Insert rows with PostgreSQL's COPY. bulk_create spends about half a millisecond per row
    building SQL, a minute for the 30,000 questions of a 5 MB GIFT file; COPY takes seconds. The
    columns left out (created_at, updated_at) take their database defaults, as with bulk_create."""
    if not rows:
        return
    table = connection.ops.quote_name(model._meta.db_table)
    quoted = ", ".join(connection.ops.quote_name(column) for column in columns)
    with connection.cursor() as cursor:
        with cursor.cursor.copy(f"COPY {table} ({quoted}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)


def _existing_keys(questions: list[ParsedQuestion]) -> set[tuple]:
    """Content keys of the bank's questions whose text, whitespace aside, is one of `questions`':
    one scan of the table whatever the size of the file."""
    texts = list({normalize(q.text) for q in questions})
    if not texts:
        return set()
    options = defaultdict(list)
    question_texts = {}
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT q.id, q.question_text, o.text
            FROM questions q LEFT JOIN question_options o ON o.question_id = q.id
            WHERE btrim(regexp_replace(q.question_text, '[ \\t\\n\\r\\f\\v]+', ' ', 'g'), ' ') = ANY(%s)
            """,
            [texts],
        )
        for question_id, text, option in cursor.fetchall():
            question_texts[question_id] = text
            if option is not None:
                options[question_id].append(option)
    return {content_key(text, options[pk]) for pk, text in question_texts.items()}


# Export


def _option_record(option: QuestionOption) -> dict:
    return {"text": option.text, "is_correct": option.is_correct, "display_order": option.display_order}


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
