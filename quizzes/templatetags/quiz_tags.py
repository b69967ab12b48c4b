from django import template

register = template.Library()


@register.filter
def option_key(index):
    """1-based keyboard key for the option at a 0-based position."""
    return index + 1 if index < 9 else ""


@register.filter
def duration(value):
    if value is None:
        return "—"
    seconds = int(value.total_seconds())
    hours, rest = divmod(seconds, 3600)
    minutes, seconds = divmod(rest, 60)
    if hours:
        return f"{hours} h {minutes:02d} min"
    if minutes:
        return f"{minutes} min {seconds:02d} s"
    return f"{seconds} s"
