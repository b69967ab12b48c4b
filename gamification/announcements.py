"""Badges unlocked and levels reached during the current request, for the htmx toast of its response.

A per-request list in a context variable: opened when a request starts, closed when it ends. The
progress service adds to it only once the answer's transaction has committed (on_commit), so a
rolled-back answer never announces anything. Outside a request (commands, tests calling services)
there is no list and nothing is kept."""

from contextvars import ContextVar
from dataclasses import dataclass

_pending: ContextVar[list | None] = ContextVar("gamification_announcements", default=None)


@dataclass(frozen=True)
class Announcement:
    icon: str
    title: str
    text: str


def open_request(**kwargs) -> None:
    _pending.set([])


def close_request(**kwargs) -> None:
    _pending.set(None)


def publish(items: list[Announcement]) -> None:
    pending = _pending.get()
    if pending is not None:
        pending.extend(items)


def pending() -> bool:
    return bool(_pending.get())


def collect() -> list[Announcement]:
    """The announcements not shown yet; each is handed out once."""
    pending = _pending.get()
    if not pending:
        return []
    items = list(pending)
    pending.clear()
    return items
