"""Small helpers that express the schema document's database rules in Django models."""

from django.db import models
from django.db.models import Q
from django.db.models.functions import Now


def enum_check(field: str, choices: type[models.TextChoices], table: str) -> models.CheckConstraint:
    """A CHECK constraint that makes a text column behave like a PostgreSQL enum."""
    return models.CheckConstraint(condition=Q(**{f"{field}__in": choices.values}), name=f"chk_{table}_{field}")


def created_at_field(**kwargs) -> models.DateTimeField:
    return models.DateTimeField(db_default=Now(), editable=False, **kwargs)


def updated_at_field() -> models.DateTimeField:
    # The database trigger from the schema document also bumps it on raw SQL updates.
    return models.DateTimeField(auto_now=True, db_default=Now())
