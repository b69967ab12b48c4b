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


@register.inclusion_tag("gamification/review_due.html", takes_context=True)
def review_due_button(context, due=None):
    """The "Review due questions" button when the learner has any due (one query unless `due` is
    given); nothing otherwise."""
    learner = getattr(context.get("request"), "learner", None)
    if due is None:
        due = selectors.due_count(learner, timezone.now()) if learner else 0
    return {"due": due, "count": rules.REVIEW_QUIZ_SIZE, "mode": "due_review", "csrf_token": context.get("csrf_token")}
