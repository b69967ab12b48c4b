import uuid

from django.conf import settings
from django.contrib.postgres.functions import RandomUUID
from django.db import models
from django.db.models.functions import Now

from certquiz.db import created_at_field, enum_check, updated_at_field


class Plan(models.TextChoices):
    FREE = "free", "Free"
    PREMIUM = "premium", "Premium"


class SubscriptionStatus(models.TextChoices):
    ACTIVE = "active", "Active"
    CANCELLED = "cancelled", "Cancelled"
    EXPIRED = "expired", "Expired"


class Subscription(models.Model):
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, primary_key=True, related_name="subscription"
    )
    plan = models.TextField(choices=Plan.choices, default=Plan.FREE, db_default=Plan.FREE)
    status = models.TextField(
        choices=SubscriptionStatus.choices, default=SubscriptionStatus.ACTIVE, db_default=SubscriptionStatus.ACTIVE
    )
    buy_me_a_coffee_email = models.TextField(null=True, blank=True)
    start_date = models.DateTimeField(db_default=Now())
    end_date = models.DateTimeField(null=True, blank=True)
    auto_renew = models.BooleanField(default=True, db_default=True)
    created_at = created_at_field()
    updated_at = updated_at_field()

    class Meta:
        db_table = "subscriptions"
        constraints = [
            enum_check("plan", Plan, "subscriptions"),
            enum_check("status", SubscriptionStatus, "subscriptions"),
            models.UniqueConstraint(fields=["buy_me_a_coffee_email"], name="unq_bmac_email"),
        ]
        indexes = [
            models.Index(fields=["buy_me_a_coffee_email"], name="idx_subscriptions_bmac_email"),
            models.Index(fields=["status"], name="idx_subscriptions_status"),
        ]

    def __str__(self):
        return f"{self.get_plan_display()} ({self.get_status_display()}) for {self.user}"


class WebhookEvent(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, db_default=RandomUUID(), editable=False)
    event_type = models.TextField()
    external_event_id = models.TextField(unique=True, null=True, blank=True)
    payload = models.JSONField()
    processed_at = models.DateTimeField(null=True, blank=True)
    created_at = created_at_field()

    class Meta:
        db_table = "webhook_events"
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["event_type"], name="idx_webhook_events_type"),
            models.Index(fields=["processed_at"], name="idx_webhook_events_processed"),
        ]

    def __str__(self):
        return f"{self.event_type} {self.external_event_id or ''}".strip()
