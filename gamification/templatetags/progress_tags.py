from django import template

from gamification import announcements

register = template.Library()


@register.simple_tag
def new_announcements():
    """Badges and levels reached in this request (each handed out once); no query."""
    return announcements.collect()
