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


# Longest values the webhook parser accepts (longer ones are answered 400): an email as RFC 5321
# allows, and ids, types and the payment's id well under PostgreSQL's index entry limit.
MAX_EMAIL_LENGTH = 254
MAX_ID_LENGTH = 255
# Coffees one payment may count; more is stored as a failed event with the reason.
MAX_COFFEES = 1000
# Premium is never paid for beyond this far from now, whatever the events say.
PREMIUM_HORIZON = timedelta(days=5 * 365)
# Processing attempts after which the retry job gives up on an event (the admin may still retry it).
MAX_PROCESSING_ATTEMPTS = 5


def normalize_email(value) -> str:
    return value.strip().lower() if isinstance(value, str) else ""


def horizon(now: datetime) -> datetime:
    return now + PREMIUM_HORIZON


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
        if until is None:
            return
        until = min(until, horizon(now))
        if self.membership_until is not None and until <= self.membership_until:
            return
        still_to_come = self._coffee_days_to_come(now)
        self.membership_until = until
        self.end_date = min(max(self.end_date or until, until + still_to_come), horizon(now))

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

    def add_days(self, days: int, *, now: datetime) -> timedelta:
        """A one-off payment: `days` more premium, counted from the end of what is already paid for
        and never past the horizon. Returns the premium time actually added (what a refund takes back)."""
        base = self.end_date if self.grants_premium(now) and self.end_date > now else now
        self._become_premium(now)
        self.end_date = max(base, min(base + timedelta(days=days), horizon(now)))
        self._refresh_status()
        return self.end_date - base

    def take_back(self, added: timedelta) -> None:
        """A refund takes back what one payment added."""
        if self.end_date is not None:
            self.end_date -= added

    def settle(self, now: datetime) -> bool:
        """Mark a premium subscription whose time is over as expired; True when it changed."""
        over = self.plan == Plan.PREMIUM and self.status != SubscriptionStatus.EXPIRED and not self.grants_premium(now)
        if over:
            self.status = SubscriptionStatus.EXPIRED
            self.auto_renew = False
        return over


class InvalidPayment(ValueError):
    """A payment event whose values are out of bounds: stored as failed with the reason."""


class EventStatus(models.TextChoices):
    RECEIVED = "received", "Received"
    PROCESSED = "processed", "Processed"
    IGNORED = "ignored", "Ignored"
    PENDING = "pending", "Pending (no learner with this verified email yet)"
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

    def due_for_retry(self, *, now: datetime, stuck_after: timedelta, retry_for: timedelta):
        """What the periodic retry job processes again: events never processed (`received` for
        longer than `stuck_after`) and failed ones, until MAX_PROCESSING_ATTEMPTS; pending ones (no
        learner with a verified email yet) for `retry_for`."""
        return self.filter(
            Q(status=EventStatus.RECEIVED, created_at__lte=now - stuck_after, attempts__lt=MAX_PROCESSING_ATTEMPTS)
            | Q(status=EventStatus.FAILED, created_at__gte=now - retry_for, attempts__lt=MAX_PROCESSING_ATTEMPTS)
            | Q(status=EventStatus.PENDING, created_at__gte=now - retry_for)
        ).order_by("created_at")


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
    # Added too: how many times processing was tried, so the retry job gives up on an event.
    attempts = models.PositiveIntegerField(default=0, db_default=0)

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
        """Only an event that says it is live is: one without live_mode is a test event."""
        return as_bool(self.payload.get("live_mode", False))

    @property
    def occurred_at(self) -> datetime:
        """When Buy Me a Coffee created the event; when it was stored if the envelope does not say."""
        return as_datetime(self.payload.get("created")) or self.created_at or timezone.now()

    @property
    def payment_key(self) -> str | None:
        """The payment this event is about: BMAC's object type (the event type's first part) and
        its data.id, given as a string or a number ("donation:777"); None without an id."""
        object_id = self.data.get("id")
        if isinstance(object_id, bool) or not isinstance(object_id, str | int):
            return None
        object_id = str(object_id).strip()
        if object_id.isdecimal():
            object_id = str(int(object_id))
        return f"{self.event_type.partition('.')[0]}:{object_id}" if object_id else None

    @property
    def coffees(self) -> int:
        """The coffees a one-off payment counts (1 when it does not say); InvalidPayment when the
        count is not a whole number from 1 to MAX_COFFEES."""
        for key in ("coffee_count", "support_coffees"):
            value = self.data.get(key)
            if value is None or value == "":
                continue
            try:
                count = int(value) if not isinstance(value, bool | float) else None
            except (TypeError, ValueError):
                count = None
            if count is None or not 1 <= count <= MAX_COFFEES:
                raise InvalidPayment(f"The coffee count ({str(value)[:20]}) is not a whole number from 1 to {MAX_COFFEES}.")
            return count
        return 1

    @property
    def is_final(self) -> bool:
        return self.status in FINAL_EVENT_STATUSES

    def finish(self, status: str, reason: str = "", *, now: datetime) -> None:
        """Record the outcome of an attempt (`attempts` already counts it)."""
        if status == EventStatus.FAILED and self.attempts >= MAX_PROCESSING_ATTEMPTS:
            reason = f"Gave up after {self.attempts} attempts (the admin may still retry it): {reason}"
        self.status = status
        self.error = reason[:2000]
        self.processed_at = now if status in FINAL_EVENT_STATUSES else None


class Payment(models.Model):
    """A one-off payment (BMAC's object type and data.id, e.g. "donation:777"), credited at most once
    whatever the events that carry it, and refunded at most once, by exactly what it added. A refund
    that arrives first is recorded too (no learner, nothing added), so the payment is never credited."""

    key = models.TextField(unique=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="payments"
    )
    premium_added = models.DurationField(default=timedelta(0), db_default=timedelta(0))
    credited_by = models.ForeignKey(
        WebhookEvent, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    refunded_by = models.ForeignKey(
        WebhookEvent, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = created_at_field()

    class Meta:
        db_table = "payments"
        ordering = ["-created_at"]

    def __str__(self):
        return self.key

    @property
    def is_refunded(self) -> bool:
        return self.refunded_by_id is not None
