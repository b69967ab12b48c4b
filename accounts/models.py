import uuid
import zoneinfo

from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.contrib.auth.models import PermissionsMixin
from django.contrib.auth.validators import UnicodeUsernameValidator
from django.contrib.postgres.functions import RandomUUID
from django.db import models

from certquiz.db import created_at_field, enum_check, updated_at_field

GUEST_EMAIL_DOMAIN = "guest.certquiz.invalid"


class Role(models.TextChoices):
    GUEST = "guest", "Guest"
    USER = "user", "Learner"
    PREMIUM = "premium", "Premium learner"
    ADMIN = "admin", "Admin"


class UserManager(BaseUserManager):
    use_in_migrations = True

    def _create_user(self, username, email, password, **extra):
        if not username:
            raise ValueError("A username is required.")
        if not email:
            raise ValueError("An email address is required.")
        user = self.model(username=username, email=self.normalize_email(email).lower(), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, username, email=None, password=None, **extra):
        extra.setdefault("role", Role.USER)
        extra.pop("is_staff", None)
        return self._create_user(username, email, password, **extra)

    def create_superuser(self, username, email=None, password=None, **extra):
        extra.pop("is_staff", None)
        extra["role"] = Role.ADMIN
        extra["is_superuser"] = True
        return self._create_user(username, email, password, **extra)

    def create_guest(self, time_zone="UTC"):
        token = uuid.uuid4().hex[:12]
        user = self.model(
            username=f"guest-{token}", email=f"guest-{token}@{GUEST_EMAIL_DOMAIN}", role=Role.GUEST, time_zone=time_zone
        )
        user.set_unusable_password()
        user.save(using=self._db)
        return user


class User(AbstractBaseUser, PermissionsMixin):
    """The `users` table of the schema document, plus what Django's auth needs (password, last_login,
    is_superuser) and the learner's time zone."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, db_default=RandomUUID(), editable=False)
    email = models.TextField(unique=True)
    username = models.TextField(
        unique=True,
        validators=[UnicodeUsernameValidator()],
        help_text="Letters, digits and @ . + - _ only.",
    )
    keycloak_id = models.TextField(unique=True, null=True, blank=True)
    role = models.TextField(choices=Role.choices, default=Role.USER, db_default=Role.USER)
    is_active = models.BooleanField(default=True, db_default=True)
    time_zone = models.TextField(default="UTC", db_default="UTC")
    # Django's auth columns get database defaults too, so a raw INSERT with the document's columns
    # works: an unusable password ("!") and no superuser rights.
    password = models.CharField("password", max_length=128, db_default="!")
    is_superuser = models.BooleanField(default=False, db_default=False)
    created_at = created_at_field()
    updated_at = updated_at_field()

    objects = UserManager()

    USERNAME_FIELD = "username"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = ["email"]

    class Meta:
        db_table = "users"
        indexes = [
            models.Index(fields=["email"], name="idx_users_email"),
            models.Index(fields=["keycloak_id"], name="idx_users_keycloak"),
        ]
        constraints = [enum_check("role", Role, "users")]

    def __str__(self):
        return self.username

    @property
    def is_staff(self) -> bool:
        """Django's staff flag is the admin role, so the two can never disagree."""
        return self.role == Role.ADMIN

    @property
    def is_guest(self) -> bool:
        return self.role == Role.GUEST

    @property
    def has_premium(self) -> bool:
        """Decided now from the subscription (billing's Subscription.grants_premium: plan, status and
        paid-until date), not from the role, which the billing app only keeps in step: premium ends on
        time even before `expire_subscriptions` has run. Admins always have it; guests never.

        Reads the reverse relation `subscription`, which Django caches on this instance (a missing
        one too); accounts.backends loads it with the signed-in user, so this costs no query there."""
        if self.role == Role.ADMIN:
            return True
        if self.role == Role.GUEST:
            return False
        # A missing subscription raises RelatedObjectDoesNotExist, an AttributeError: getattr's default.
        subscription = getattr(self, "subscription", None)
        return subscription is not None and subscription.grants_premium()

    @property
    def tzinfo(self) -> zoneinfo.ZoneInfo:
        try:
            return zoneinfo.ZoneInfo(self.time_zone)
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            return zoneinfo.ZoneInfo("UTC")
