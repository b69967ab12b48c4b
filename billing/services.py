"""Premium through Buy Me a Coffee: receiving webhook events, applying them to subscriptions, and
keeping the learner's role in step. The webhook view, the email-confirmation receivers, the premium
page, the admin and the periodic jobs all go through these functions. The rules: docs/payments.md.

Logs name events by id and type only: never an email address, a payload or a signature."""

import hashlib
import hmac
import logging
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from allauth.account.internal.flows.email_verification import consume_email_verification_rate_limit
from allauth.account.models import EmailAddress
from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import DataError, transaction
from django.db.models import Q
from django.http import HttpRequest
from django.utils import timezone

from accounts.models import Role
from billing.models import (
    MAX_EMAIL_LENGTH,
    MAX_ID_LENGTH,
    EventStatus,
    InvalidPayment,
    Payment,
    Plan,
    Subscription,
    SubscriptionStatus,
    WebhookEvent,
    as_bool,
    as_datetime,
    normalize_email,
)

logger = logging.getLogger(__name__)

SIGNATURE_HEADER = "x-signature-sha256"
MONTH = timedelta(days=31)
YEAR = timedelta(days=366)


class InvalidEvent(ValueError):
    """A verified body that is not an event envelope we can store (no event id or type, a value
    longer than its limit, a NUL character)."""


# --- Receiving ---------------------------------------------------------------------------------


def signature_is_valid(body: bytes, signature: str, secrets: Iterable[str]) -> bool:
    """HMAC-SHA256 of the raw body, hex, keyed by any one of the configured secrets (several while
    a secret is rotated). Every secret is tried, in constant time for each."""
    given = (signature or "").strip().lower().removeprefix("sha256=").encode()
    if not given:
        return False
    valid = False
    for secret in secrets:
        expected = hmac.new(secret.encode(), body, hashlib.sha256).hexdigest().encode()
        valid |= hmac.compare_digest(expected, given)
    return valid


def receive_event(*, envelope: dict) -> tuple[WebhookEvent, bool]:
    """Store the event, then process it. A repeated delivery stores nothing and is not processed
    again; returns the stored event and whether this delivery was the first."""
    check_envelope(envelope)
    try:
        event, created = store_event(envelope=envelope)
    except DataError as error:  # a value PostgreSQL refuses: the sender's fault, not an outage
        raise InvalidEvent("The event cannot be stored: a value is out of range or not valid text.") from None
    # A stored event still `received` was never processed (its first delivery died on the way):
    # this delivery does it. process_event's row lock makes concurrent deliveries process it once.
    if created or event.status == EventStatus.RECEIVED:
        event = process_or_record_failure(event=event)
    return event, created


def check_envelope(envelope: dict) -> None:
    """Every value stored in a column of its own (event id, type, supporter email, payment id)
    present and within its length limit; no NUL anywhere. Raises InvalidEvent, answered 400."""
    event_id, event_type = envelope.get("event_id"), envelope.get("type")
    if not isinstance(event_id, str | int) or isinstance(event_id, bool) or str(event_id) == "":
        raise InvalidEvent("The envelope has no event_id.")
    if not isinstance(event_type, str) or not event_type:
        raise InvalidEvent("The envelope has no type.")
    data = envelope.get("data")
    data = data if isinstance(data, dict) else {}
    limits = [
        ("event_id", event_id, MAX_ID_LENGTH),
        ("type", event_type, MAX_ID_LENGTH),
        ("data.supporter_email", data.get("supporter_email"), MAX_EMAIL_LENGTH),
        ("data.id", data.get("id"), MAX_ID_LENGTH),
    ]
    for name, value, limit in limits:
        if isinstance(value, str | int) and len(str(value)) > limit:
            raise InvalidEvent(f"{name} is longer than {limit} characters.")
    if _contains_nul(envelope):
        raise InvalidEvent("The payload contains a NUL character, which cannot be stored.")


def _contains_nul(value) -> bool:
    """PostgreSQL refuses U+0000 in text and jsonb: such a payload is answered 400, not stored."""
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, dict):
        return any(_contains_nul(key) or _contains_nul(item) for key, item in value.items())
    if isinstance(value, list):
        return any(_contains_nul(item) for item in value)
    return False


def store_event(*, envelope: dict) -> tuple[WebhookEvent, bool]:
    """INSERT ... ON CONFLICT DO NOTHING on external_event_id, committed before any processing."""
    new = WebhookEvent.from_envelope(envelope)
    with transaction.atomic():  # a refused INSERT leaves the connection usable
        WebhookEvent.objects.bulk_create([new], ignore_conflicts=True)
    stored = WebhookEvent.objects.get(external_event_id=new.external_event_id)
    return stored, stored.pk == new.pk


# --- Processing --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Outcome:
    status: str
    reason: str = ""


def process_event(*, event: WebhookEvent, now: datetime | None = None) -> WebhookEvent:
    """Apply one stored event, once: the event row is locked, so a second caller waits and then
    finds it done. An event that fails is marked failed with the error (re-processed from the
    admin); one for an email no learner has stays pending."""
    now = now or timezone.now()
    with transaction.atomic():
        event = WebhookEvent.objects.select_for_update().get(pk=event.pk)
        if event.is_final:
            return event
        try:
            with transaction.atomic():
                outcome = apply_event(event, now=now)
                if outcome.status != EventStatus.PROCESSED:
                    # Nothing applied means nothing written, not even the free subscription row
                    # that looking the learner up creates.
                    transaction.set_rollback(True)
        except InvalidPayment as error:
            outcome = Outcome(EventStatus.FAILED, str(error))
        except Exception as error:  # noqa: BLE001 - any failure is recorded on the event, never lost
            logger.error("BMAC event %s (%s) failed: %s", event.pk, event.event_type, type(error).__name__)
            outcome = Outcome(EventStatus.FAILED, f"{type(error).__name__}: {error}")
        event.attempts += 1
        event.finish(outcome.status, outcome.reason, now=now)
        event.save(update_fields=["status", "error", "processed_at", "attempts"])
    logger.info("BMAC event %s (%s): %s", event.pk, event.event_type, event.status)
    return event


def apply_event(event: WebhookEvent, *, now: datetime) -> Outcome:
    handler = HANDLERS.get(event.event_type)
    if handler is None:
        return Outcome(EventStatus.IGNORED, "Not an event that changes premium.")
    if not event.is_live and not settings.BMAC_ACCEPT_TEST_EVENTS:
        return Outcome(EventStatus.IGNORED, "Test-mode event (live_mode false): grants nothing here.")
    if event.event_type == "donation.refunded":
        return donation_refunded(event, now=now)
    if not event.supporter_email:
        return Outcome(EventStatus.FAILED, "The event has no supporter_email.")
    subscription = locked_subscription_for(event.supporter_email)
    if subscription is None:
        return Outcome(EventStatus.PENDING, "No learner with this verified email yet.")
    outcome = handler(event, subscription, now)
    save_subscription(subscription, now=now)
    return outcome


def save_subscription(subscription: Subscription, *, now: datetime) -> None:
    subscription.settle(now)
    subscription.save()
    sync_role(subscription)


def membership_changed(event: WebhookEvent, subscription: Subscription, now: datetime) -> Outcome:
    """membership.* and recurring_donation.*: active until the end of the paid period; cancelled
    or paused keeps premium until then."""
    data = event.data
    at = event.occurred_at
    status = str(data.get("status") or "active").strip().lower()
    paid_until = as_datetime(data.get("current_period_end"))
    stopped = (
        event.event_type.endswith((".cancelled", ".canceled", ".paused"))
        or status in {"canceled", "cancelled", "paused"}
        or as_bool(data.get("cancel_at_period_end"))
    )
    if stopped:
        subscription.cancel(at=as_datetime(data.get("canceled_at")) or at, paid_until=paid_until, now=now)
        return Outcome(EventStatus.PROCESSED)
    if paid_until is None:
        period_start = as_datetime(data.get("current_period_start")) or at
        paid_until = period_start + (YEAR if str(data.get("duration_type", "")).lower() == "year" else MONTH)
    subscription.start(at=at, paid_until=paid_until, now=now)
    return Outcome(EventStatus.PROCESSED)


def donation_created(event: WebhookEvent, subscription: Subscription, now: datetime) -> Outcome:
    """A one-off coffee: BMAC_PREMIUM_DAYS_PER_COFFEE days of premium per coffee, once per payment
    (its row in `payments` is the proof; a second event for it finds the row and adds nothing)."""
    key = event.payment_key
    if key is None:
        return Outcome(EventStatus.FAILED, "The donation has no data.id: it could not be counted only once.")
    days = event.coffees * settings.BMAC_PREMIUM_DAYS_PER_COFFEE
    payment, created = Payment.objects.get_or_create(key=key, defaults={"user": subscription.user, "credited_by": event})
    if not created:
        if payment.is_refunded:
            return Outcome(EventStatus.IGNORED, "Refunded before it was processed.")
        return Outcome(EventStatus.IGNORED, "This payment was already applied (another event carried it).")
    payment.premium_added = subscription.add_days(days, now=now)
    payment.save(update_fields=["premium_added"])
    return Outcome(EventStatus.PROCESSED)


def donation_refunded(event: WebhookEvent, *, now: datetime) -> Outcome:
    """Take back exactly what the refunded payment added, from the learner it was credited to
    (whoever has the email now). A refund that comes first is recorded, so the payment is never
    credited later; no learner is needed for either."""
    key = event.payment_key
    if key is None:
        return Outcome(EventStatus.IGNORED, "The refund names no donation id.")
    payment, created = Payment.objects.get_or_create(key=key, defaults={"refunded_by": event})
    if created:
        return Outcome(EventStatus.PROCESSED, "Nothing was granted for this payment: nothing to take back.")
    payment = Payment.objects.select_for_update().get(pk=payment.pk)
    if payment.is_refunded:
        return Outcome(EventStatus.IGNORED, "This payment was already refunded.")
    payment.refunded_by = event
    payment.save(update_fields=["refunded_by"])
    if payment.user_id is not None:
        subscription = locked_subscription(payment.user)
        subscription.take_back(payment.premium_added)
        save_subscription(subscription, now=now)
    return Outcome(EventStatus.PROCESSED)


HANDLERS = {
    "membership.started": membership_changed,
    "membership.updated": membership_changed,
    "membership.cancelled": membership_changed,
    "membership.canceled": membership_changed,  # the American spelling, as in data.status
    "membership.paused": membership_changed,
    "recurring_donation.started": membership_changed,
    "recurring_donation.updated": membership_changed,
    "recurring_donation.cancelled": membership_changed,
    "recurring_donation.canceled": membership_changed,
    "donation.created": donation_created,
    "donation.refunded": donation_refunded,  # needs no learner: apply_event calls it directly
    # extra_purchase.* (and anything else) is stored and ignored: an extra is not premium.
}


# --- Learners and their subscriptions ----------------------------------------------------------


def find_learner(email: str):
    """The learner who has confirmed this email (allauth's EmailAddress, verified: the login email
    or another one, e.g. added on the premium page). ACCOUNT_UNIQUE_EMAIL lets only one account
    have an address verified. Guests are never matched."""
    email = normalize_email(email)
    if not email:
        return None
    address = (
        EmailAddress.objects.filter(email=email, verified=True)
        .exclude(user__role=Role.GUEST)
        .select_related("user")
        .first()
    )
    return address.user if address else None


def locked_subscription(user) -> Subscription:
    """The learner's subscription row (created free if missing), locked until the transaction ends,
    so that events for one learner are applied one after the other."""
    Subscription.objects.bulk_create([Subscription(user=user)], ignore_conflicts=True)
    subscription = Subscription.objects.select_for_update(of=("self",)).select_related("user").get(user=user)
    return subscription


def locked_subscription_for(email: str) -> Subscription | None:
    user = find_learner(email)
    if user is None:
        return None
    subscription = locked_subscription(user)
    if not subscription.buy_me_a_coffee_email:
        # The first email a payment came from, for the admin; matching reads the verified addresses.
        email = normalize_email(email)
        if not Subscription.objects.filter(buy_me_a_coffee_email=email).exists():
            subscription.buy_me_a_coffee_email = email
    return subscription


def sync_role(subscription: Subscription, now: datetime | None = None) -> None:
    """Role `premium` while the subscription grants premium, `user` otherwise. Admins and guests
    keep their role."""
    user = subscription.user
    if user.role not in (Role.USER, Role.PREMIUM):
        return
    wanted = Role.PREMIUM if subscription.grants_premium(now) else Role.USER
    if user.role != wanted:
        user.role = wanted
        user.save(update_fields=["role", "updated_at"])


def add_payment_email(*, request: HttpRequest, user, email: str) -> EmailAddress:
    """The premium page's "Buy Me a Coffee email": added to the learner's allauth email addresses,
    unverified, and allauth's confirmation link mailed to it (at most once per allauth's
    confirm_email cooldown). Nothing is matched until the link is followed (email_confirmed, see
    billing.receivers). Whoever else has the address, the learner is told the same."""
    with transaction.atomic():
        keep_login_email_primary(user)
        address = EmailAddress.objects.add_email(request, user, normalize_email(email))
    if not address.verified and consume_email_verification_rate_limit(request, address.email):
        address.send_confirmation(request)
    return address


def keep_login_email_primary(user) -> None:
    """allauth makes a confirmed address primary (and the login email) when the account has no
    primary address, as accounts created outside sign-up: give it one, its login email."""
    if not EmailAddress.objects.filter(user=user, primary=True).exists():
        EmailAddress.objects.update_or_create(user=user, email=user.email.lower(), defaults={"primary": True})


def process_pending_events(*, email: str) -> list[WebhookEvent]:
    """Apply the events that waited for a learner with this verified email."""
    if not normalize_email(email):
        return []
    return [process_or_record_failure(event=event) for event in WebhookEvent.objects.pending_for(email)]


def reprocess_events(events: Iterable[WebhookEvent]) -> list[WebhookEvent]:
    """The admin's action and the retry job: try failed, pending or received events again, each in
    its own transaction; processed ones stay. One that cannot even be processed (an error outside
    process_event's own handling) is recorded as a failed attempt and the others still run."""
    return [process_or_record_failure(event=event) for event in events if not event.is_final]


def process_or_record_failure(*, event: WebhookEvent) -> WebhookEvent:
    """process_event, and when even it raises (its own save refused, say), the attempt recorded as
    failed in a transaction of its own, so that one broken event never stops the others. With the
    database down the recording fails too, and the error goes up (a 503 for the webhook)."""
    try:
        return process_event(event=event)
    except Exception as error:  # noqa: BLE001 - recorded on the event
        logger.error("BMAC event %s (%s) could not be processed: %s", event.pk, event.event_type, type(error).__name__)
        event = WebhookEvent.objects.get(pk=event.pk)
        event.attempts += 1
        event.finish(EventStatus.FAILED, f"{type(error).__name__}: {error}", now=timezone.now())
        event.save(update_fields=["status", "error", "processed_at", "attempts"])
        return event


# --- Expiry ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ExpiryReport:
    expired: int
    roles_changed: int


def expire_subscriptions(*, now: datetime | None = None) -> ExpiryReport:
    """Mark subscriptions whose premium time is over as expired and bring roles in line with the
    subscriptions. Idempotent: a second run changes nothing. (Premium already ends at request time
    without it: this keeps the stored status and role truthful for the admin and reports.)"""
    now = now or timezone.now()
    expired = 0
    for pk in Subscription.objects.maybe_over(now).values_list("pk", flat=True):
        with transaction.atomic():
            subscription = Subscription.objects.select_for_update(of=("self",)).select_related("user").get(pk=pk)
            if subscription.settle(now):
                subscription.save(update_fields=["status", "auto_renew", "updated_at"])
                expired += 1
    roles_changed = 0
    candidates = (
        get_user_model()
        .objects.filter(
            Q(role=Role.PREMIUM)
            | Q(
                role=Role.USER,
                subscription__plan=Plan.PREMIUM,
                subscription__status__in=[SubscriptionStatus.ACTIVE, SubscriptionStatus.CANCELLED],
            )
        )
        .select_related("subscription")
    )
    for user in candidates:
        wanted = Role.PREMIUM if user.has_premium else Role.USER
        if user.role != wanted:
            user.role = wanted
            user.save(update_fields=["role", "updated_at"])
            roles_changed += 1
    return ExpiryReport(expired=expired, roles_changed=roles_changed)
