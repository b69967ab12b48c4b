"""Cross-cutting request handling: a request id on every log line, one structured access-log line
per request, a friendly 503 page instead of a traceback when the database is unreachable, and a 400
when the database refuses a request's data."""

import json
import logging
import time
import uuid
from contextvars import ContextVar

from django.db import DataError, InterfaceError, OperationalError
from urllib.parse import unquote_plus

from django.http import HttpResponse, HttpResponseBadRequest, JsonResponse
from django.template.loader import render_to_string

request_id_var: ContextVar[str] = ContextVar("request_id", default="-")
access_logger = logging.getLogger("certquiz.access")
logger = logging.getLogger("certquiz")


class RequestIdFilter(logging.Filter):
    def filter(self, record):
        record.request_id = request_id_var.get()
        return True


class JsonFormatter(logging.Formatter):
    """One JSON object per line: easy to ship to any log store."""

    def format(self, record):
        entry = {
            "time": self.formatTime(record, "%Y-%m-%dT%H:%M:%S%z"),
            "level": record.levelname,
            "logger": record.name,
            "request_id": getattr(record, "request_id", "-"),
            "message": record.getMessage(),
        }
        entry.update(getattr(record, "fields", {}))
        if record.exc_info:
            entry["traceback"] = self.formatException(record.exc_info)
        return json.dumps(entry, default=str)


def _clean_request_id(value: str) -> str:
    value = (value or "").strip()
    if value and len(value) <= 64 and all(char.isalnum() or char in "-_." for char in value):
        return value
    return uuid.uuid4().hex


class RequestIdMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request_id = _clean_request_id(request.headers.get("X-Request-ID", ""))
        request.request_id = request_id
        token = request_id_var.set(request_id)
        started = time.perf_counter()
        try:
            response = self.get_response(request)
            response["X-Request-ID"] = request_id
            path = loggable_path(request)
            access_logger.info(
                "%s %s %s",
                request.method,
                path,
                response.status_code,
                extra={
                    "fields": {
                        "method": request.method,
                        "path": path,
                        "status": response.status_code,
                        "duration_ms": round((time.perf_counter() - started) * 1000, 1),
                    }
                },
            )
            return response
        finally:
            request_id_var.reset(token)


def loggable_path(request) -> str:
    """The path, except for URLs that carry a secret (password-reset and email-confirmation keys):
    those are logged as their route pattern."""
    match = getattr(request, "resolver_match", None)
    if match is not None and "key" in match.kwargs:
        return "/" + match.route
    return request.path


class RejectNulMiddleware:
    """PostgreSQL refuses U+0000 in text: a NUL in the URL is a 400, never a 500 from a query."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if "\x00" in request.path or "\x00" in unquote_plus(request.META.get("QUERY_STRING", "")):
            return HttpResponseBadRequest("Bad request: the address contains a NUL character.")
        return self.get_response(request)


DATABASE_DOWN_ERRORS = (OperationalError, InterfaceError)


class DatabaseUnavailableMiddleware:
    """When PostgreSQL is down, answer 503 with a page that needs no database, and keep serving
    again as soon as it is back (Django reconnects on the next request)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if refuses_the_data(exception):
            return bad_input_response(request, exception)
        if not isinstance(exception, DATABASE_DOWN_ERRORS):
            return None
        logger.error("Database unavailable: %s", exception.__class__.__name__, exc_info=exception)
        if request.path.startswith("/billing/webhooks/") or request.headers.get("Accept") == "application/json":
            response = JsonResponse({"error": "The service is briefly unavailable. Please retry."}, status=503)
        else:
            response = HttpResponse(render_to_string("503.html"), status=503)
        response["Retry-After"] = "30"
        return response


# SQLSTATE classes of errors caused by the values sent, not by the server: 22 data exception (e.g. a
# value too long for its column), 54 program limit exceeded (e.g. an index row over its size limit,
# which psycopg reports as an OperationalError, like an outage).
BAD_INPUT_SQLSTATE_CLASSES = ("22", "54")


def refuses_the_data(exception) -> bool:
    if isinstance(exception, DataError):
        return True
    sqlstate = getattr(exception.__cause__, "sqlstate", None) or ""
    return isinstance(exception, OperationalError) and sqlstate[:2] in BAD_INPUT_SQLSTATE_CLASSES


def bad_input_response(request, exception):
    """400: the request carried a value the database cannot store. Not an outage, and not retried."""
    sqlstate = getattr(exception.__cause__, "sqlstate", None)
    logger.warning("Database refused the request's data (SQLSTATE %s) on %s", sqlstate, request.path)
    message = "A value you sent is too long or not valid. Please shorten or correct it and try again."
    if request.path.startswith("/billing/webhooks/") or request.headers.get("Accept") == "application/json":
        return JsonResponse({"error": message}, status=400)
    return HttpResponse(render_to_string("400.html", {"message": message}), status=400)
