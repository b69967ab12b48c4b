"""The staff page that imports and exports the question bank, beside the Django admin.

Import is two steps: the upload is checked with a dry run whose report is shown (nothing saved),
then "Import" runs it for real. The file waits in the session between the two; the real run
streams its progress and then its report, inside one transaction."""

import logging
import re
import secrets

from django.contrib import admin, messages
from django.contrib.admin.views.decorators import staff_member_required
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.utils import timezone
from django.views.decorators.http import require_POST, require_safe

from quizzes.importexport.common import DOWNLOAD_EXTENSIONS, ImportFileError, decode, format_for_filename
from quizzes.importexport.forms import FORMAT_LABELS, ExportForm, ImportForm
from quizzes.importexport.services import (
    export_questions,
    filter_questions,
    import_questions,
    iter_import,
    parse_file,
)
from quizzes.models import Category, Exam

logger = logging.getLogger(__name__)
PENDING = "importexport_pending"
CONTENT_TYPES = {"json": "application/json", "gift": "text/plain; charset=utf-8", "aiken": "text/plain; charset=utf-8"}


def _require(request, *permissions: str) -> None:
    if not request.user.has_perms([f"quizzes.{permission}" for permission in permissions]):
        raise PermissionDenied


def _page(request, template: str, title: str, status: int = 200, **context):
    return render(request, template, {**admin.site.each_context(request), "title": title, **context}, status=status)


def _index(request, import_form=None, export_form=None, status=200):
    return _page(request, "admin/quizzes/import_export.html", "Import and export questions", status=status,
                 import_form=import_form or ImportForm(), export_form=export_form or ExportForm())


@staff_member_required
@require_safe
def index(request):
    _require(request, "view_question")
    return _index(request)


@staff_member_required
@require_POST
def import_preview(request):
    """Step 1: check the upload with a dry run and show what the import would do."""
    _require(request, "add_question", "change_question")
    form = ImportForm(request.POST, request.FILES)
    if not form.is_valid():
        return _index(request, import_form=form, status=400)
    upload, data = form.cleaned_data["file"], form.cleaned_data
    file_format = data["format"] or format_for_filename(upload.name)
    if file_format is None:
        form.add_error("format", f"Cannot tell the format of {upload.name} from its name: choose one.")
        return _index(request, import_form=form, status=400)
    try:
        text = decode(upload.read())
        parsed = parse_file(text, file_format)
    except ImportFileError as error:
        form.add_error("file", str(error))
        return _index(request, import_form=form, status=400)

    report = import_questions(parsed=parsed, created_by=request.user, status=data["status"], exam=data["exam"],
                              category=data["category"], dry_run=True)
    token = None
    if report.ok and (report.created or report.updated):
        token = secrets.token_urlsafe(16)
        request.session[PENDING] = {
            "token": token, "name": upload.name, "format": file_format, "text": text, "status": data["status"],
            "exam": data["exam"].code if data["exam"] else None,
            "category": data["category"].code if data["category"] else None,
        }
    else:
        request.session.pop(PENDING, None)
    return _page(request, "admin/quizzes/import_preview.html", f"Check {upload.name}", status=200 if report.ok else 400,
                 report=report, token=token, filename=upload.name, format_label=FORMAT_LABELS[file_format])


@staff_member_required
@require_POST
def import_run(request):
    """Step 2: import the checked file, streaming progress and then the report."""
    _require(request, "add_question", "change_question")
    pending = request.session.get(PENDING)
    if not pending or not secrets.compare_digest(pending["token"], request.POST.get("token", "")):
        messages.error(request, "That import has already run or was replaced by another upload: upload the file again.")
        return redirect("importexport:index")
    del request.session[PENDING]
    exam = Exam.objects.filter(code=pending["exam"]).first() if pending["exam"] else None
    category = Category.objects.filter(code=pending["category"]).first() if pending["category"] else None
    steps = iter_import(parsed=parse_file(pending["text"], pending["format"]), created_by=request.user,
                        status=pending["status"], exam=exam, category=category)
    context = {**admin.site.each_context(request), "title": f"Importing {pending['name']}", "filename": pending["name"]}
    response = StreamingHttpResponse(_stream(request, steps, context), content_type="text/html; charset=utf-8")
    response["X-Accel-Buffering"] = "no"  # let a proxy pass each progress line on at once
    return response


def _stream(request, steps, context):
    page = render_to_string("admin/quizzes/import_run.html", context, request=request)
    head, rest = page.split("<!-- progress -->", 1)
    middle, tail = rest.split("<!-- report -->", 1)
    yield head
    try:
        while True:
            try:
                done, total = next(steps)
            except StopIteration as stop:
                report = stop.value
                break
            yield f"<li>{done} of {total} questions processed ({100 * done // total}%)</li>\n"
    except Exception:
        logger.exception("Import of %s failed", context["filename"])
        yield middle + '<p class="errornote">The import failed; nothing was written.</p>' + tail
        return
    yield middle
    yield render_to_string("admin/quizzes/import_report.html", {"report": report}, request=request)
    yield tail


@staff_member_required
@require_safe
def export(request):
    _require(request, "view_question")
    form = ExportForm(request.GET)
    if not form.is_valid():
        return _index(request, export_form=form, status=400)
    data = form.cleaned_data
    questions = filter_questions(exam=data["exam"], category=data["category"], status=data["status"])
    response = HttpResponse(export_questions(questions, format=data["format"]),
                            content_type=CONTENT_TYPES[data["format"]])
    parts = ["certquiz-questions", data["exam"] and data["exam"].code, data["category"] and data["category"].code,
             data["status"], timezone.now().strftime("%Y%m%d")]
    filename = re.sub(r"[^A-Za-z0-9_.-]", "_", "-".join(part for part in parts if part))
    response["Content-Disposition"] = f'attachment; filename="{filename}{DOWNLOAD_EXTENSIONS[data["format"]]}"'
    return response
