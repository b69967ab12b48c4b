"""CertQuiz settings: one module, every value from environment variables."""

import json
import os
import warnings
from pathlib import Path

import dj_database_url
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent


def env_str(name: str, default: str = "") -> str:
    return os.environ.get(name, default)


def env_bool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    value = raw.strip().lower()
    if value in {"1", "true", "yes", "on"}:
        return True
    if value in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"{name} must be true or false, not {raw!r}")


def env_int(name: str, default: int) -> int:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    try:
        return int(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be an integer, not {raw!r}") from None


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in env_str(name, default).split(",") if item.strip()]


def env_json_object(name: str) -> dict:
    raw = os.environ.get(name, "").strip()
    if not raw:
        return {}
    try:
        value = json.loads(raw)
    except ValueError:
        value = None
    if not isinstance(value, dict):
        raise ImproperlyConfigured(f"{name} must be a JSON object, not {raw!r}")
    return value


DEBUG = env_bool("DEBUG", False)

SECRET_KEY = env_str("SECRET_KEY")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "SECRET_KEY is not set. Set the SECRET_KEY environment variable to a long random "
            "string (python -c 'import secrets; print(secrets.token_urlsafe(50))'), "
            "or set DEBUG=true for local development."
        )
    SECRET_KEY = "insecure-development-key-only-used-when-DEBUG-is-true"

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]" if DEBUG else "")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.postgres",
    "django.contrib.humanize",
    "django_htmx",
    "template_partials",
    "allauth",
    "allauth.account",
    "allauth.socialaccount",
    "allauth.socialaccount.providers.openid_connect",
    "accounts",
    "quizzes",
    "gamification",
    "billing",
    "certquiz",  # project-wide management commands (backup, restore)
]

MIDDLEWARE = [
    "certquiz.middleware.RequestIdMiddleware",
    "certquiz.middleware.RejectNulMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "certquiz.ratelimit.RateLimitMiddleware",  # before any work: only the cache is touched
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "accounts.middleware.LearnerMiddleware",
    "accounts.middleware.TimeZoneMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "gamification.middleware.ToastMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "certquiz.middleware.DatabaseUnavailableMiddleware",
]

ROOT_URLCONF = "certquiz.urls"
WSGI_APPLICATION = "certquiz.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "accounts.context_processors.learner",
            ],
        },
    },
]

# Database: PostgreSQL only. DATABASE_URL wins; without it an embedded server runs from .pgdata/.
DATABASE_URL = env_str("DATABASE_URL")
if DATABASE_URL:
    DATABASES = {"default": dj_database_url.parse(DATABASE_URL)}
    if DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql":
        raise ImproperlyConfigured("DATABASE_URL must point at PostgreSQL (postgres://...).")
else:
    from certquiz.embedded_postgres import database_settings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        DATABASES = {"default": database_settings(Path(env_str("EMBEDDED_PGDATA", str(BASE_DIR / ".pgdata"))))}
DATABASES["default"]["CONN_MAX_AGE"] = env_int("CONN_MAX_AGE", 60)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
# Data lives on SSD or in RAM: random reads cost about as much as sequential ones, so the planner
# should walk a learner's rows by index rather than scan a large table. Empty to leave the server's
# setting (e.g. behind pgbouncer, which refuses startup options).
DB_RANDOM_PAGE_COST = env_str("DB_RANDOM_PAGE_COST", "1.1")
if DB_RANDOM_PAGE_COST:
    DATABASES["default"].setdefault("OPTIONS", {})["options"] = f"-c random_page_cost={DB_RANDOM_PAGE_COST}"
if env_str("TEST_DATABASE_NAME"):
    DATABASES["default"]["TEST"] = {"NAME": env_str("TEST_DATABASE_NAME")}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# The cache holds the catalogue counts and, with Redis, a copy of the sessions. With REDIS_URL every
# process and host shares it; without it each process has its own.
REDIS_URL = env_str("REDIS_URL")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": env_str("CACHE_KEY_PREFIX", "certquiz"),
            # Fail fast rather than hang a worker when Redis is unreachable.
            "OPTIONS": {"socket_connect_timeout": 2, "socket_timeout": 2},
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
# Rate-limit counters (allauth's, the webhook's, guests') must be seen by every worker and host: in
# Redis when set, else in PostgreSQL (Django's database cache; the table comes from a migration).
RATE_LIMIT_CACHE = "ratelimit"
CACHES[RATE_LIMIT_CACHE] = (
    CACHES["default"]
    if REDIS_URL
    else {
        "BACKEND": "certquiz.cache.SharedCounterCache",
        "LOCATION": "rate_limit_cache",
        # Culling drops live counters too: keep it for tables far larger than one day of clients.
        "OPTIONS": {"MAX_ENTRIES": 100_000},
    }
)

# Sessions live in PostgreSQL, so any app host serves any learner; with Redis they are read
# through the cache (written to both), so a request costs no session query.
SESSION_ENGINE = (
    "django.contrib.sessions.backends.cached_db" if REDIS_URL else "django.contrib.sessions.backends.db"
)

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    # Django's and allauth's backends, loading the user with their subscription (one query per request).
    "accounts.backends.ModelBackend",
    "accounts.backends.AuthenticationBackend",
]
# Argon2 (memory-hard) for new and changed passwords; PBKDF2 after it so hashes made before verify
# and are rehashed to Argon2 at the owner's next login.
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2SHA1PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "home"

# django-allauth
ACCOUNT_LOGIN_METHODS = {"email", "username"}
# Sign-up asks for an email and a password; a username is optional (allauth derives one from the email).
ACCOUNT_SIGNUP_FIELDS = ["email*", "username", "password1*"]
ACCOUNT_EMAIL_VERIFICATION = env_str("ACCOUNT_EMAIL_VERIFICATION", "optional")
ACCOUNT_UNIQUE_EMAIL = True
# No page tells whether an email address has an account (password reset, sign-up: with optional
# verification allauth would still say so at sign-up; accounts.forms.SignupForm emails the owner instead).
ACCOUNT_PREVENT_ENUMERATION = True
ACCOUNT_LOGOUT_ON_GET = False
ACCOUNT_RATE_LIMITS = {
    "login": "30/m/ip",
    "login_failed": "10/m/ip,5/5m/key",
    "signup": "20/m/ip",
    "reset_password": "20/m/ip,5/m/key",
}
# Behind a reverse proxy the client's address is in X-Forwarded-For: tell allauth (and the webhook
# limit, certquiz.ratelimit) how many proxies to trust, or which header the proxy sets.
ALLAUTH_TRUSTED_PROXY_COUNT = env_int("TRUSTED_PROXY_COUNT", 0)
ALLAUTH_TRUSTED_CLIENT_IP_HEADER = env_str("TRUSTED_CLIENT_IP_HEADER") or None
ACCOUNT_FORMS = {
    "login": "accounts.forms.LoginForm",
    "signup": "accounts.forms.SignupForm",
    "add_email": "accounts.forms.AddEmailForm",
    "change_password": "accounts.forms.ChangePasswordForm",
    "set_password": "accounts.forms.SetPasswordForm",
    "reset_password": "accounts.forms.ResetPasswordForm",
    "reset_password_from_key": "accounts.forms.ResetPasswordKeyForm",
    "reauthenticate": "accounts.forms.ReauthenticateForm",
}
ACCOUNT_ADAPTER = "accounts.adapters.AccountAdapter"
SOCIALACCOUNT_ADAPTER = "accounts.adapters.SocialAccountAdapter"
SOCIALACCOUNT_ONLY = False
OIDC_CLIENT_ID = env_str("OIDC_CLIENT_ID")
SOCIALACCOUNT_PROVIDERS = {}
if OIDC_CLIENT_ID:
    SOCIALACCOUNT_PROVIDERS["openid_connect"] = {
        "APPS": [
            {
                "provider_id": env_str("OIDC_PROVIDER_ID", "keycloak"),
                "name": env_str("OIDC_PROVIDER_NAME", "Keycloak"),
                "client_id": OIDC_CLIENT_ID,
                "secret": env_str("OIDC_CLIENT_SECRET"),
                "settings": {"server_url": env_str("OIDC_SERVER_URL")},
            }
        ]
    }

# Email: console in development, SMTP from env vars when EMAIL_HOST is set.
EMAIL_HOST = env_str("EMAIL_HOST")
if EMAIL_HOST:
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    EMAIL_PORT = env_int("EMAIL_PORT", 587)
    EMAIL_HOST_USER = env_str("EMAIL_HOST_USER")
    EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD")
    EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", True)
else:
    EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "CertQuiz <noreply@certquiz.app>")

# Buy Me a Coffee: one or more webhook secrets, comma-separated, so a secret can be rotated.
BMAC_WEBHOOK_SECRETS = env_list("BMAC_WEBHOOK_SECRET")
# Requests per client address to the webhook (certquiz.ratelimit, counted in the cache): N/s, N/m
# or N/h. Buy Me a Coffee sends one request per event; a flood is refused with 429 before any work.
WEBHOOK_RATE_LIMIT = env_str("WEBHOOK_RATE_LIMIT", "120/m")
RATE_LIMITED_PATHS = {"/billing/webhooks/": WEBHOOK_RATE_LIMIT}

LANGUAGE_CODE = "en-us"
FORMAT_MODULE_PATH = ["certquiz.formats"]
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = Path(env_str("STATIC_ROOT", str(BASE_DIR / "staticfiles")))
STATICFILES_DIRS = [BASE_DIR / "static"]
# Uploads (exhibit images) go through Django's default storage: files under MEDIA_ROOT unless
# MEDIA_STORAGE_BACKEND names another storage class, built with the keyword arguments of
# MEDIA_STORAGE_OPTIONS (a JSON object), e.g. django-storages' S3Storage for several app hosts.
MEDIA_STORAGE_BACKEND = env_str("MEDIA_STORAGE_BACKEND", "django.core.files.storage.FileSystemStorage")
MEDIA_STORAGE_OPTIONS = env_json_object("MEDIA_STORAGE_OPTIONS")
STORAGES = {
    "default": {"BACKEND": MEDIA_STORAGE_BACKEND, "OPTIONS": MEDIA_STORAGE_OPTIONS},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if not DEBUG
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
MEDIA_URL = "media/"
MEDIA_ROOT = Path(env_str("MEDIA_ROOT", str(BASE_DIR / "media")))

# Security: safe by default, relaxed only by DEBUG.
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = env_bool("SECURE_COOKIES", not DEBUG)
CSRF_COOKIE_SECURE = env_bool("SECURE_COOKIES", not DEBUG)
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", not DEBUG)
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 0 if DEBUG else 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = not DEBUG
SECURE_HSTS_PRELOAD = not DEBUG
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]

OIDC_ORIGIN = "/".join(env_str("OIDC_SERVER_URL").split("/")[:3]) if env_str("OIDC_SERVER_URL") else ""

# Content-Security-Policy: only our own scripts and styles, no inline script (htmx is configured
# through a <meta> tag and evaluates nothing). Inline style attributes stay allowed for the admin.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "style-src-attr": ["'unsafe-inline'"],
        "img-src": [SELF, "data:"],
        "connect-src": [SELF],
        "font-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        # Chromium applies form-action to the redirect after a POST: single sign-on needs its server.
        "form-action": [SELF] + ([OIDC_ORIGIN] if OIDC_ORIGIN else []),
        "frame-ancestors": [NONE],
    }
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_id": {"()": "certquiz.middleware.RequestIdFilter"}},
    "formatters": {
        "json": {"()": "certquiz.middleware.JsonFormatter"},
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"},
    },
    "handlers": {
        "stderr": {
            "class": "logging.StreamHandler",
            "formatter": env_str("LOG_FORMAT", "plain" if DEBUG else "json"),
            "filters": ["request_id"],
        }
    },
    "root": {"handlers": ["stderr"], "level": env_str("LOG_LEVEL", "INFO")},
    "loggers": {
        "pgserver": {"level": "WARNING"},
        "certquiz.access": {"level": env_str("ACCESS_LOG_LEVEL", "INFO")},
    },
}

# Billing: premium through Buy Me a Coffee (billing app). The webhook secrets are above.
# The creator page learners pay on, e.g. https://buymeacoffee.com/yourname (empty: no link shown).
BMAC_CREATOR_URL = env_str("BMAC_CREATOR_URL")
BMAC_PREMIUM_DAYS_PER_COFFEE = env_int("BMAC_PREMIUM_DAYS_PER_COFFEE", 7)
# Days premium outlives a membership's paid period, so a renewal webhook arriving late cuts nothing.
BMAC_GRACE_DAYS = env_int("BMAC_GRACE_DAYS", 3)
# Test-mode events (live_mode false) are always stored; they grant premium only when this is true.
BMAC_ACCEPT_TEST_EVENTS = env_bool("BMAC_ACCEPT_TEST_EVENTS", DEBUG)
# Questions a learner without premium may answer per day (0: no limit).
FREE_DAILY_QUESTION_LIMIT = env_int("FREE_DAILY_QUESTION_LIMIT", 40)
# Guests (docs/limits.md): new guests per client address (N/s, N/m, N/h, counted in the rate-limit
# cache), questions all guests of one address may answer per UTC day (0: no limit), and days after
# which an idle guest is deleted with its quizzes (delete_idle_guests, a periodic job).
GUEST_CREATION_RATE_LIMIT = env_str("GUEST_CREATION_RATE_LIMIT", "20/h")
GUEST_DAILY_QUESTION_LIMIT_PER_ADDRESS = env_int("GUEST_DAILY_QUESTION_LIMIT_PER_ADDRESS", 200)
GUEST_RETENTION_DAYS = env_int("GUEST_RETENTION_DAYS", 30)
