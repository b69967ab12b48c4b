"""Content moderation: problem reports, learner-submitted questions, exhibit images and the question
history. Views, the admin and tests all go through these functions so every entry point obeys the
same rules.

The history: every change to a question or its options writes a `question_history` row with the
question's new version and a diff `{field: {"old": ..., "new": ...}, "options": {...}}`. Version 1
is the question as created (it has no row). An old version is rebuilt by undoing the diffs from the
current state backwards, and restoring it writes a new version."""

import uuid
from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.db import IntegrityError, transaction
from django.utils import timezone

from quizzes.models import (
    Category,
    Exam,
    ProblemReport,
    Question,
    QuestionCategory,
    QuestionExam,
    QuestionHistory,
    QuestionOption,
    QuestionStatus,
    QuestionType,
    ReportStatus,
    SessionSelectedOption,
)

# Question columns the history follows; `exams` and `categories` (by code) and `options` come on top.
QUESTION_FIELDS = (
    "question_text", "type", "explanation", "detailed_explanation", "tags", "images", "is_premium", "status",
    "text_format", "title",
)
LINK_FIELDS = ("exams", "categories")
OPTION_FIELDS = ("text", "is_correct", "display_order", "text_format")
# What a restore brings back: the content. Status and premium stay as they are now, so restoring
# the wording of an archived question does not bring it back into quizzes.
RESTORED_FIELDS = ("question_text", "type", "explanation", "detailed_explanation", "tags", "images", "text_format",
                   "title")

MAX_SUBMITTED_OPTIONS = 8
MAX_EXHIBIT_BYTES = 2 * 1024 * 1024
MAX_EXHIBIT_PIXELS = 40_000_000
# Format name (as Pillow spells it) -> file extension.
EXHIBIT_FORMATS = {"PNG": "png", "JPEG": "jpg", "GIF": "gif", "WEBP": "webp"}


class ModerationError(Exception):
    """A moderation rule was broken; the message is meant for the person who tried."""


class RestoreError(ModerationError):
    pass


# Options


def normalized_option_text(text: str) -> str:
    return " ".join(text.split()).casefold()


def option_rule_errors(question_type: str, options: Iterable[tuple[str, bool]], *, max_options: int | None = None):
    """The rules every question's options obey, as messages: `options` are (text, is_correct) pairs."""
    options = list(options)
    errors = []
    if len(options) < 2:
        errors.append("A question needs at least two options.")
    if max_options and len(options) > max_options:
        errors.append(f"A question has at most {max_options} options.")
    correct = sum(1 for _, is_correct in options if is_correct)
    if question_type == QuestionType.SINGLE and correct != 1:
        errors.append(f"A single-answer question has exactly one correct option (this one has {correct}).")
    if question_type == QuestionType.MULTIPLE:
        if correct < 2:
            errors.append("A multiple-answer question has at least two correct options.")
        if len(options) - correct < 1:
            errors.append("A multiple-answer question has at least one wrong option.")
    seen = set()
    for text, _ in options:
        key = normalized_option_text(text)
        if key in seen:
            errors.append(f"Each option needs a different text: “{text.strip()}” appears more than once.")
            break
        seen.add(key)
    return errors


def normalize_tags(tags: Iterable[str]) -> list[str]:
    """Lower-case, trimmed, without blanks or repeats, in the order given (quizzes filter on these)."""
    result = []
    for tag in tags:
        tag = " ".join(str(tag).split()).lower()
        if tag and tag not in result:
            result.append(tag)
    return result


# Problem reports


@transaction.atomic
def report_problem(*, reporter, question: Question, type: str, description: str) -> tuple[ProblemReport, bool]:
    """File a report, or edit the learner's open report on this question. Returns (report, created)."""
    if reporter.is_guest:
        raise ModerationError("Log in or sign up to report a problem.")
    description = description.strip()
    if not description:
        raise ModerationError("Describe the problem.")
    open_reports = ProblemReport.objects.select_for_update().filter(
        question=question, reporter=reporter, status=ReportStatus.PENDING
    )
    report = open_reports.first()
    if report is None:
        try:
            # A savepoint: a concurrent first report from the same learner hits the partial unique index.
            with transaction.atomic():
                report = ProblemReport.objects.create(
                    question=question, reporter=reporter, type=type, description=description
                )
            return report, True
        except IntegrityError:
            report = open_reports.get()
    report.type = type
    report.description = description
    report.save(update_fields=["type", "description"])
    return report, False


@transaction.atomic
def resolve_report(*, report: ProblemReport, reviewer, status: str, comment: str = "") -> ProblemReport:
    """Accept or reject a report; the reporter sees the status and the comment on "My reports"."""
    if status not in (ReportStatus.ACCEPTED, ReportStatus.REJECTED):
        raise ModerationError("A report is resolved by accepting or rejecting it.")
    comment = (comment or "").strip()
    if status == ReportStatus.REJECTED and not comment:
        raise ModerationError("Say why the report is rejected: the learner reads this comment.")
    report = ProblemReport.objects.select_for_update().get(pk=report.pk)
    report.status = status
    report.admin_comment = comment or None
    report.reviewed_by = reviewer
    report.resolved_at = timezone.now()
    report.save(update_fields=["status", "admin_comment", "reviewed_by", "resolved_at"])
    return report


# Learner-submitted questions


@transaction.atomic
def submit_question(
    *,
    author,
    question_text: str,
    type: str,
    explanation: str,
    options: Iterable[tuple[str, bool]],
    exams: Iterable[Exam] = (),
    categories: Iterable[Category] = (),
    tags: Iterable[str] = (),
) -> Question:
    """A learner's question, stored pending until an admin approves it."""
    if author.is_guest:
        raise ModerationError("Sign up to submit a question.")
    options = [(text.strip(), bool(is_correct)) for text, is_correct in options]
    errors = option_rule_errors(type, options, max_options=MAX_SUBMITTED_OPTIONS)
    if errors:
        raise ModerationError(" ".join(errors))
    question = Question.objects.create(
        question_text=question_text.strip(),
        type=type,
        explanation=explanation.strip(),
        tags=normalize_tags(tags),
        status=QuestionStatus.PENDING,
        is_user_generated=True,
        created_by=author,
        created_by_name=author.username,
    )
    QuestionOption.objects.bulk_create(
        QuestionOption(question=question, text=text, is_correct=is_correct, display_order=order)
        for order, (text, is_correct) in enumerate(options)
    )
    QuestionExam.objects.bulk_create(QuestionExam(question=question, exam=exam) for exam in exams)
    QuestionCategory.objects.bulk_create(
        QuestionCategory(question=question, category=category) for category in categories
    )
    return question


# History


def question_snapshot(question_pk, *, lock: bool = False) -> dict:
    """The question as the history sees it, read from the database (JSON-ready)."""
    questions = Question.objects.select_for_update() if lock else Question.objects.all()
    state = questions.values("version", *QUESTION_FIELDS).get(pk=question_pk)
    state["tags"] = list(state["tags"] or [])
    state["images"] = list(state["images"] or [])
    state["exams"] = sorted(QuestionExam.objects.filter(question_id=question_pk).values_list("exam__code", flat=True))
    state["categories"] = sorted(
        QuestionCategory.objects.filter(question_id=question_pk).values_list("category__code", flat=True)
    )
    state["options"] = {
        str(option["id"]): {field: option[field] for field in OPTION_FIELDS}
        for option in QuestionOption.objects.filter(question_id=question_pk).values("id", *OPTION_FIELDS)
    }
    return state


def diff_snapshots(before: dict, after: dict) -> dict:
    changes = {}
    for field in QUESTION_FIELDS + LINK_FIELDS:
        if field in before and field in after and before[field] != after[field]:
            changes[field] = {"old": before[field], "new": after[field]}
    options = diff_options(before.get("options", {}), after.get("options", {}))
    if options:
        changes["options"] = options
    return changes


def diff_options(before: dict, after: dict) -> dict:
    def in_order(keys, options):
        return sorted(keys, key=lambda key: (options[key]["display_order"], key))

    added = [{"id": key, **after[key]} for key in in_order(after.keys() - before.keys(), after)]
    removed = [{"id": key, **before[key]} for key in in_order(before.keys() - after.keys(), before)]
    changed = []
    for key in in_order(before.keys() & after.keys(), after):
        fields = {
            field: {"old": before[key][field], "new": after[key][field]}
            for field in OPTION_FIELDS
            if before[key][field] != after[key][field]
        }
        if fields:
            changed.append({"id": key, "text": after[key]["text"], "changes": fields})
    diff = {"added": added, "removed": removed, "changed": changed}
    return {key: value for key, value in diff.items() if value}


@transaction.atomic
def record_question_change(*, question: Question, before: dict, editor, note: dict | None = None):
    """Compare the question now with `before` (a question_snapshot); if anything changed, bump the
    version and write the history row. Returns the row, or None when nothing changed."""
    after = question_snapshot(question.pk, lock=True)
    changes = diff_snapshots(before, after)
    if not changes:
        return None
    if note:
        changes.update(note)
    version = after["version"] + 1
    Question.objects.filter(pk=question.pk).update(version=version)
    question.version = version
    return QuestionHistory.objects.create(question_id=question.pk, version=version, changes=changes, edited_by=editor)


@transaction.atomic
def update_question(*, question: Question, editor, **fields) -> QuestionHistory | None:
    """Change question columns (approve, archive, mark premium...) and record the change."""
    before = question_snapshot(question.pk, lock=True)
    for name, value in fields.items():
        setattr(question, name, value)
    question.save(update_fields=[*fields, "updated_at"])
    return record_question_change(question=question, before=before, editor=editor)


def approve_question(*, question: Question, editor) -> bool:
    if question.status != QuestionStatus.PENDING:
        return False
    update_question(question=question, editor=editor, status=QuestionStatus.ACTIVE)
    return True


def _undo(state: dict, changes: dict) -> None:
    """Turn `state` (the version a history row produced) into the version before it."""
    if not isinstance(changes, dict):
        return
    for field in QUESTION_FIELDS + LINK_FIELDS:
        change = changes.get(field)
        if isinstance(change, dict) and "old" in change:
            state[field] = change["old"]
    options = changes.get("options")
    if not isinstance(options, dict):
        return
    for option in options.get("added", []):
        state["options"].pop(option["id"], None)
    for option in options.get("removed", []):
        # Rows written before options had a text_format were Markdown.
        state["options"][option["id"]] = {field: option.get(field, "markdown") for field in OPTION_FIELDS}
    for option in options.get("changed", []):
        current = state["options"].get(option["id"])
        if current is not None:
            for field, change in option["changes"].items():
                current[field] = change["old"]


def state_at_version(question: Question, version: int) -> dict:
    """The question as it was at `version`, rebuilt by undoing the later history rows."""
    state = question_snapshot(question.pk)
    if not 1 <= version <= state["version"]:
        raise RestoreError(f"There is no version {version} of this question (it is at version {state['version']}).")
    for entry in question.history.filter(version__gt=version).order_by("-version"):
        _undo(state, entry.changes)
    state["version"] = version
    return state


def restore_target(current: dict, old: dict) -> dict:
    """What a restore of `old` makes of `current`: old content, current status and premium."""
    target = dict(current)
    for field in RESTORED_FIELDS + LINK_FIELDS + ("options",):
        target[field] = old[field]
    return target


@transaction.atomic
def restore_version(*, question: Question, version: int, editor) -> QuestionHistory | None:
    """Bring back the content of an old version as a new version. None if it equals the current one."""
    before = question_snapshot(question.pk, lock=True)
    if version == before["version"]:
        return None
    target = restore_target(before, state_at_version(question, version))

    question = Question.objects.get(pk=question.pk)
    for field in RESTORED_FIELDS:
        setattr(question, field, target[field])
    question.save(update_fields=[*RESTORED_FIELDS, "updated_at"])
    _set_links(question, QuestionExam, Exam, "exam", target["exams"])
    _set_links(question, QuestionCategory, Category, "category", target["categories"])
    _set_options(question, before["options"], target["options"])
    return record_question_change(
        question=question, before=before, editor=editor, note={"restored_from_version": version}
    )


def _set_links(question, link_model, target_model, field, codes):
    wanted = {item.pk: item for item in target_model.objects.filter(code__in=codes)}
    link_model.objects.filter(question=question).exclude(**{f"{field}_id__in": wanted}).delete()
    present = set(link_model.objects.filter(question=question).values_list(f"{field}_id", flat=True))
    link_model.objects.bulk_create(
        link_model(question=question, **{field: item}) for pk, item in wanted.items() if pk not in present
    )


def _set_options(question, current: dict, wanted: dict) -> None:
    removed = current.keys() - wanted.keys()
    chosen = SessionSelectedOption.objects.filter(option_id__in=removed).values_list("option__text", flat=True)
    if removed and chosen.exists():
        raise RestoreError(
            f"Learners have chosen the option “{chosen.first()}”, which the old version does not have: "
            "it cannot be removed. Edit the question instead."
        )
    QuestionOption.objects.filter(pk__in=removed).delete()
    moved = [key for key in current.keys() & wanted.keys() if current[key] != wanted[key]]
    park_options(moved)
    for key in moved:
        QuestionOption.objects.filter(pk=key).update(**wanted[key])
    QuestionOption.objects.bulk_create(
        QuestionOption(id=uuid.UUID(key), question=question, **wanted[key]) for key in wanted.keys() - current.keys()
    )


def park_options(option_ids) -> None:
    """Move options to temporary negative display orders before they are renumbered: PostgreSQL
    checks the (question, display_order) unique pair row by row, so two options swapping places
    would otherwise collide halfway."""
    for offset, option_id in enumerate(option_ids):
        QuestionOption.objects.filter(pk=option_id).update(display_order=-1_000_000 - offset)


# Exhibit images


def _sniff_format(head: bytes) -> str | None:
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "PNG"
    if head.startswith(b"\xff\xd8\xff"):
        return "JPEG"
    if head[:6] in (b"GIF87a", b"GIF89a"):
        return "GIF"
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "WEBP"
    return None


def exhibit_extension(upload) -> str:
    """Check an uploaded exhibit by its content (not its name): a PNG, JPEG, GIF or WebP image of at
    most 2 MB. Returns the file extension to store it under; raises ValidationError."""
    name = getattr(upload, "name", "the file")
    if upload.size > MAX_EXHIBIT_BYTES:
        raise ValidationError(f"{name} is larger than {MAX_EXHIBIT_BYTES // (1024 * 1024)} MB.", code="too_large")
    upload.seek(0)
    found = _sniff_format(upload.read(16))
    upload.seek(0)
    if found is None:
        raise ValidationError(f"{name} is not a PNG, JPEG, GIF or WebP image.", code="bad_type")
    try:
        from PIL import Image
    except ImportError:  # Without Pillow the signature check above is all we can do.
        return EXHIBIT_FORMATS[found]
    try:
        with Image.open(upload) as image:
            if image.format != found or image.width * image.height > MAX_EXHIBIT_PIXELS:
                raise ValueError(image.format)
            image.verify()
    except Exception:
        raise ValidationError(f"{name} could not be read as a {found} image.", code="bad_image") from None
    finally:
        upload.seek(0)
    return EXHIBIT_FORMATS[found]


def change_images(*, question: Question, add: Iterable = (), remove: Iterable[str] = ()) -> list[str]:
    """Store new exhibit images through the default storage under questions/<id>/ and drop removed
    paths from questions.images. Removed files stay in storage: older versions in the history still
    name them, and restoring one brings the image back. The caller records the change in the
    history (the admin's save does)."""
    remove = set(remove)
    images = [path for path in (question.images or []) if path not in remove]
    for upload in add:
        extension = exhibit_extension(upload)
        images.append(default_storage.save(f"questions/{question.pk}/{uuid.uuid4().hex}.{extension}", upload))
    question.images = images
    question.save(update_fields=["images", "updated_at"])
    return images
