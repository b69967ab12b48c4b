from django import template

from django.utils import timezone

from gamification import announcements, rules, selectors

register = template.Library()


@register.simple_tag
def new_announcements():
    """Badges and levels reached in this request (each handed out once); no query."""
    return announcements.collect()


@register.inclusion_tag("gamification/review_due.html", takes_context=True)
def review_due_button(context, due=None):
    """The "Review due questions" button when the learner has any due (one query unless `due` is
    given); nothing otherwise."""
    learner = getattr(context.get("request"), "learner", None)
    if due is None:
        due = selectors.reviewable_cards(learner).filter(due__lte=timezone.now()).count() if learner else 0
    return {"due": due, "count": rules.REVIEW_QUIZ_SIZE, "mode": "due_review", "csrf_token": context.get("csrf_token")}
