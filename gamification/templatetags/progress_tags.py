from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django import template
from django.utils import timezone

from gamification import announcements, rules, selectors

register = template.Library()


@register.filter
def percent(value) -> str:
    """A share for people: 60.00 -> "60%", 66.67 -> "67%" (half up, as people round); empty for none."""
    try:
        number = Decimal(str(value))
    except (InvalidOperation, TypeError, ValueError):
        return ""
    return f"{number.quantize(Decimal(1), rounding=ROUND_HALF_UP)}%"


@register.filter
def minutes_for_people(minutes) -> str:
    """A duration in whole minutes for people: 80 -> "1 h 20 min", 120 -> "2 h", 5 -> "5 min"."""
    try:
        hours, rest = divmod(max(0, int(minutes)), 60)
    except (TypeError, ValueError):
        return ""
    if not hours:
        return f"{rest} min"
    return f"{hours} h {rest} min" if rest else f"{hours} h"


@register.simple_tag
def new_announcements():
    """Badges and levels reached in this request (each handed out once); no query."""
    return announcements.collect()


@register.filter
def capped(count: int) -> str | int:
    """A due count as selectors.due_count gives it: "99+" past the cap."""
    return f"{selectors.DUE_COUNT_CAP}+" if count > selectors.DUE_COUNT_CAP else count


def due_review_count(request) -> int:
    """Cards due for the request's learner, counted once a request (the navigation and the page
    show the same figure); 0 without a learner."""
    if not hasattr(request, "due_review_count"):
        learner = getattr(request, "learner", None)
        request.due_review_count = selectors.due_count(learner, timezone.now()) if learner else 0
    return request.due_review_count


@register.simple_tag(takes_context=True)
def due_reviews(context) -> int:
    request = context.get("request")
    return due_review_count(request) if request is not None else 0


@register.inclusion_tag("gamification/review_due.html", takes_context=True)
def review_due_button(context, compact=False):
    """The button that starts a review of the learner's due questions, when they have any; nothing
    otherwise. `compact` for the navigation: "Review 12 due"."""
    request = context.get("request")
    return {
        "due": due_review_count(request) if request is not None else 0,
        "compact": compact,
        "count": rules.REVIEW_QUIZ_SIZE,
        "mode": "due_review",
        "csrf_token": context.get("csrf_token"),
    }
