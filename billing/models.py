import uuid
from datetime import UTC, datetime, timedelta

from django.conf import settings
from django.contrib.postgres.functions import RandomUUID
from django.db import models
from django.db.models import Q
from django.db.models.functions import Now
from django.utils import timezone

from certquiz.db import created_at_field, enum_check, updated_at_field


class Plan(models.TextChoices):
    FREE = "free", "Free"
    PREMIUM = "premium", "Premium"


class SubscriptionStatus(models.TextChoices):
    ACTIVE = "active", "Active"
    CANCELLED = "cancelled", "Cancelled"
    EXPIRED = "expired", "Expired"


def grace_period() -> timedelta:
    return timedelta(days=settings.BMAC_GRACE_DAYS)


def normalize_email(value) -> str:
    return value.strip().lower() if isinstance(value, str) else ""


class SubscriptionQuerySet(models.QuerySet):
    def granting_premium(self, now: datetime):
        """Subscriptions for which `grants_premium(now)` is true, as a filter (admin, reports)."""
        renewing = Q(status=SubscriptionStatus.ACTIVE, auto_renew=True, end_date__gt=now - grace_period())
        not_renewing = Q(status__in=[SubscriptionStatus.ACTIVE, SubscriptionStatus.CANCELLED], end_date__gt=now)
        return self.filter(renewing | not_renewing, plan=Plan.PREMIUM)

    def maybe_over(self, now: datetime):
        """Premium subscriptions whose paid period has ended (some may still be in their grace days)."""
        return self.filter(
            Q(end_date__isnull=True) | Q(end_date__lte=now),
            plan=Plan.PREMIUM,
            status__in=[SubscriptionStatus.ACTIVE, SubscriptionStatus.CANCELLED],
        )


class Subscription(models.Model):
    """A learner's plan. Premium is read from it at request time (`grants_premium`, through
    `User.has_premium`); the webhook events change it only through the methods below, which keep
    late and out-of-order events from undoing newer ones."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, primary_key=True, related_name="subscription"
    )
    plan = models.TextField(choices=Plan.choices, default=Plan.FREE, db_default=Plan.FREE)
    status = models.TextField(
        choices=SubscriptionStatus.choices, default=SubscriptionStatus.ACTIVE, db_default=SubscriptionStatus.ACTIVE
    )
    buy_me_a_coffee_email = models.TextField(null=True, blank=True)
    start_date = models.DateTimeField(db_default=Now())
    end_date = models.DateTimeField("paid until", null=True, blank=True)
    auto_renew = models.BooleanField(default=True, db_default=True)
    created_at = created_at_field()
    updated_at = updated_at_field()
    # Added to the schema document's table: when the latest start and the latest cancellation
    # happened, so that an event older than the other kind does not override it; and the end of the
    # membership's paid period, which end_date extends by the coffees' days still to come.
    last_started_at = models.DateTimeField(null=True, blank=True)
    last_cancelled_at = models.DateTimeField(null=True, blank=True)
    membership_until = models.DateTimeField(null=True, blank=True)

    objects = SubscriptionQuerySet.as_manager()

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

    @property
    def premium_until(self) -> datetime | None:
        """When premium ends: the paid-until date, plus the grace days while a renewal is expected."""
        if self.plan != Plan.PREMIUM or self.end_date is None or self.status == SubscriptionStatus.EXPIRED:
            return None
        if self.status == SubscriptionStatus.ACTIVE and self.auto_renew:
            return self.end_date + grace_period()
        return self.end_date

    def grants_premium(self, now: datetime | None = None) -> bool:
        until = self.premium_until
        return until is not None and until > (now or timezone.now())

    def _become_premium(self, at: datetime) -> None:
        if self.plan != Plan.PREMIUM or self.status == SubscriptionStatus.EXPIRED:
            self.plan = Plan.PREMIUM
            self.start_date = at

    def _extend_paid_until(self, until: datetime | None, now: datetime) -> None:
        """A membership paid until `until`. That date only moves forward, so a late event cannot
        shorten it; coffee days not used yet move to after the new end rather than being lost."""
        if until is None or (self.membership_until is not None and until <= self.membership_until):
            return
        still_to_come = self._coffee_days_to_come(now)
        self.membership_until = until
        self.end_date = max(self.end_date or until, until + still_to_come)

    def _coffee_days_to_come(self, now: datetime) -> timedelta:
        """Premium bought with coffees beyond the membership's paid period and not used yet."""
        if self.end_date is None:
            return timedelta(0)
        floor = max(now, self.membership_until) if self.membership_until else now
        return max(self.end_date - floor, timedelta(0))

    def _refresh_status(self) -> None:
        """Active unless the latest cancellation is at or after the latest start, whatever order the
        events came in; `settle` then expires it when its time is over."""
        cancelled = self.last_cancelled_at is not None and (
            self.last_started_at is None or self.last_cancelled_at >= self.last_started_at
        )
        self.status = SubscriptionStatus.CANCELLED if cancelled else SubscriptionStatus.ACTIVE
        self.auto_renew = not cancelled and self.last_started_at is not None

    def start(self, *, at: datetime, paid_until: datetime, now: datetime) -> None:
        """A membership started or renewed at `at`, paid until `paid_until`."""
        self._become_premium(at)
        self._extend_paid_until(paid_until, now)
        if self.last_started_at is None or at > self.last_started_at:
            self.last_started_at = at
        self._refresh_status()

    def cancel(self, *, at: datetime, paid_until: datetime | None, now: datetime) -> None:
        """A membership was cancelled or paused at `at`: premium stays until the paid period ends.
        A cancellation older than the latest start changes nothing but the dates."""
        self._extend_paid_until(paid_until, now)
        if self.last_cancelled_at is None or at > self.last_cancelled_at:
            self.last_cancelled_at = at
        self._refresh_status()

    def add_days(self, days: int, *, now: datetime) -> None:
        """A one-off payment: `days` more premium, counted from the end of what is already paid for."""
        base = self.end_date if self.grants_premium(now) and self.end_date > now else now
        self._become_premium(now)
        self.end_date = base + timedelta(days=days)
        self._refresh_status()

    def remove_days(self, days: int) -> None:
        """A refund takes back what a one-off payment added."""
        if self.end_date is not None:
            self.end_date -= timedelta(days=days)

    def settle(self, now: datetime) -> bool:
        """Mark a premium subscription whose time is over as expired; True when it changed."""
        over = self.plan == Plan.PREMIUM and self.status != SubscriptionStatus.EXPIRED and not self.grants_premium(now)
        if over:
            self.status = SubscriptionStatus.EXPIRED
            self.auto_renew = False
        return over


class EventStatus(models.TextChoices):
    RECEIVED = "received", "Received"
    PROCESSED = "processed", "Processed"
    IGNORED = "ignored", "Ignored"
    PENDING = "pending", "Pending (no learner with this email yet)"
    FAILED = "failed", "Failed"


FINAL_EVENT_STATUSES = (EventStatus.PROCESSED, EventStatus.IGNORED)


def as_bool(value) -> bool:
    """Buy Me a Coffee sends booleans as true or as the string "true"."""
    if isinstance(value, str):
        return value.strip().lower() in {"true", "1", "yes"}
    return bool(value)


def as_datetime(value) -> datetime | None:
    """Unix seconds (a number or a numeric string) or an ISO 8601 string; None when absent or invalid."""
    if value is None or isinstance(value, bool) or value == "":
        return None
    try:
        return datetime.fromtimestamp(float(value), tz=UTC)
    except (TypeError, ValueError, OverflowError, OSError):
        pass
    if isinstance(value, str):
        try:
            parsed = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
        except ValueError:
            return None
        return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)
    return None


class WebhookEventQuerySet(models.QuerySet):
    def pending_for(self, email: str):
        return self.filter(status=EventStatus.PENDING, supporter_email=normalize_email(email)).order_by("created_at")

    def retryable(self):
        return self.exclude(status__in=FINAL_EVENT_STATUSES)

    def about_object(self, event_type: str, object_id):
        """Events of `event_type` whose data.id is `object_id` (a donation and its refund share it)."""
        return self.filter(event_type=event_type, payload__data__id=object_id)


class WebhookEvent(models.Model):
    """A webhook delivery, stored before it is processed so no payment is ever lost."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, db_default=RandomUUID(), editable=False)
    event_type = models.TextField()
    external_event_id = models.TextField(unique=True, null=True, blank=True)
    payload = models.JSONField()
    processed_at = models.DateTimeField(null=True, blank=True)
    created_at = created_at_field()
    # Added to the schema document's table: where processing stands and why, and the supporter's
    # email (lowercased) to find the events waiting for a learner who signs up later.
    status = models.TextField(choices=EventStatus.choices, default=EventStatus.RECEIVED, db_default=EventStatus.RECEIVED)
    error = models.TextField(blank=True, default="", db_default="")
    supporter_email = models.TextField(blank=True, default="", db_default="")

    objects = WebhookEventQuerySet.as_manager()

    class Meta:
        db_table = "webhook_events"
        ordering = ["-created_at"]
        constraints = [enum_check("status", EventStatus, "webhook_events")]
        indexes = [
            models.Index(fields=["event_type"], name="idx_webhook_events_type"),
            models.Index(fields=["processed_at"], name="idx_webhook_events_processed"),
            models.Index(fields=["supporter_email"], name="idx_webhook_events_pending", condition=Q(status="pending")),
        ]

    def __str__(self):
        return f"{self.event_type} {self.external_event_id or ''}".strip()

    @classmethod
    def from_envelope(cls, envelope: dict) -> "WebhookEvent":
        data = envelope.get("data")
        email = data.get("supporter_email") if isinstance(data, dict) else None
        return cls(
            event_type=str(envelope["type"]),
            external_event_id=str(envelope["event_id"]),
            payload=envelope,
            supporter_email=normalize_email(email),
        )

    @property
    def data(self) -> dict:
        data = self.payload.get("data") if isinstance(self.payload, dict) else None
        return data if isinstance(data, dict) else {}

    @property
    def is_live(self) -> bool:
        return as_bool(self.payload.get("live_mode", True))

    @property
    def occurred_at(self) -> datetime:
        """When Buy Me a Coffee created the event; when it was stored if the envelope does not say."""
        return as_datetime(self.payload.get("created")) or self.created_at or timezone.now()

    @property
    def coffees(self) -> int:
        for key in ("coffee_count", "support_coffees"):
            try:
                count = int(self.data.get(key))
            except (TypeError, ValueError):
                continue
            if count > 0:
                return count
        return 1

    @property
    def is_final(self) -> bool:
        return self.status in FINAL_EVENT_STATUSES

    def finish(self, status: str, reason: str = "", *, now: datetime) -> None:
        self.status = status
        self.error = reason
        self.processed_at = now if status in FINAL_EVENT_STATUSES else None
