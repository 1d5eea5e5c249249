"""Settings, read from environment variables (see .env.example for every one of them).

Development needs no variables at all: SQLite and the Celery broker live under ``var/``, a
secret key is generated there once, mail goes to the console, links in messages point at
``http://$HOST:$PORT``. ``DJANGO_ENV=production`` refuses to start without ``SECRET_KEY``,
``ALLOWED_HOSTS``, ``SITE_URL``, ``DATABASE_URL`` and ``REDIS_URL``.
"""

from __future__ import annotations

import re
import secrets
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

import django_stubs_ext
import environ
from django.conf.locale import LANG_INFO
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_noop

from config.broker import FILESYSTEM_BROKER_URL, broker_settings, next_redis_database

# Lets ModelForm[User], QuerySet[User] and friends be written at run time too.
django_stubs_ext.monkeypatch()

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
# A .env file in the project folder is read when present; real environment variables win.
# (DJANGO_READ_DOT_ENV=false skips it, e.g. in tests that set the environment themselves.)
if env.bool("DJANGO_READ_DOT_ENV", default=True) and (BASE_DIR / ".env").is_file():
    env.read_env(BASE_DIR / ".env", overwrite=False)


def _secret(name: str, default: str | None = None) -> str | None:
    """A variable that may also come from a file named by ``<NAME>_FILE`` (Docker secrets)."""
    file_name = env.str(f"{name}_FILE", default="")
    if file_name:
        try:
            return Path(file_name).read_text(encoding="utf-8").strip()
        except OSError as exc:
            raise ImproperlyConfigured(f"{name}_FILE={file_name} cannot be read: {exc}") from exc
    value = env.str(name, default="")
    return value or default


DJANGO_ENV = env.str("DJANGO_ENV", default="development").lower()
if DJANGO_ENV not in {"development", "production"}:
    raise ImproperlyConfigured(
        f"DJANGO_ENV must be 'development' or 'production', not {DJANGO_ENV!r}."
    )
PRODUCTION = DJANGO_ENV == "production"

# Local state (SQLite database, generated secret key, file broker, uploads) lives here.
VAR_DIR = Path(env.str("VAR_DIR", default=str(BASE_DIR / "var"))).resolve()


def _require(name: str, value: object) -> None:
    if PRODUCTION and not value:
        raise ImproperlyConfigured(
            f"{name} must be set when DJANGO_ENV=production (see .env.example)."
        )


def _development_secret_key() -> str:
    """Generate a secret key once into var/ and reuse it, so sessions survive restarts."""
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    key_file = VAR_DIR / "secret_key"
    if not key_file.exists():
        key_file.write_text(secrets.token_urlsafe(50), encoding="utf-8")
        key_file.chmod(0o600)
    return key_file.read_text(encoding="utf-8").strip()


_secret_key = _secret("SECRET_KEY")
_require("SECRET_KEY", _secret_key)
SECRET_KEY = _secret_key or _development_secret_key()

DEBUG = env.bool("DEBUG", default=not PRODUCTION)
if PRODUCTION and DEBUG:
    raise ImproperlyConfigured(
        "DEBUG must be off when DJANGO_ENV=production: it shows code and settings to anyone."
    )

_allowed_hosts = env.list("ALLOWED_HOSTS", default=[])
_require("ALLOWED_HOSTS", _allowed_hosts)
ALLOWED_HOSTS: list[str] = _allowed_hosts or ["127.0.0.1", "localhost", "[::1]", "testserver"]
CSRF_TRUSTED_ORIGINS: list[str] = env.list("CSRF_TRUSTED_ORIGINS", default=[])

# Monitors sending this in an X-Healthz-Token header may run /healthz?worker=1.
HEALTHZ_TOKEN = _secret("HEALTHZ_TOKEN") or ""


def _development_site_url() -> str:
    """Where ``make run`` serves the app (HOST and PORT, as Procfile.dev's web process
    uses them), so links in e-mails work on any port: http://127.0.0.1:8101."""
    host = env.str("HOST", default="127.0.0.1")
    if host in ("0.0.0.0", "::", ""):  # noqa: S104 - listening everywhere; links use loopback
        host = "127.0.0.1"
    elif ":" in host and not host.startswith("["):
        host = f"[{host}]"  # an IPv6 address
    return f"http://{host}:{env.int('PORT', default=8000)}"


# Absolute address of the site, used in e-mails and calendar feeds. Production sets it;
# development follows the address it is served on.
_site_url = env.str("SITE_URL", default="")
_require("SITE_URL", _site_url)
SITE_URL = (_site_url or _development_site_url()).rstrip("/")

INSTALLED_APPS = [
    "accounts.apps.StaffAdminConfig",  # django.contrib.admin, guarded by the permission map
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_htmx",
    "django_celery_beat",
    "phonenumber_field",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "core",
    "accounts",
    "volunteers",
    "donations",
    "notifications",
    "dashboard",
    "demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Content-Security-Policy and Permissions-Policy (core.http.security_headers).
    "core.http.security_headers.SecurityHeadersMiddleware",
    # A NUL character in any input: 400 before anything reads it (PostgreSQL refuses it).
    "core.http.request_guard.RejectNulMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # request.user.is_verified(): logged in with a second factor in this session.
    "django_otp.middleware.OTPMiddleware",
    "accounts.http.middleware.UserPreferencesMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"
ASGI_APPLICATION = "config.asgi.application"

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
                "core.context_processors.organisation",
                "accounts.http.context_processors.roles",
                "accounts.http.context_processors.language_switcher",
                "dashboard.navigation.site_menu",
            ],
            # Django's |date with the reader's calendar era (core.locales.django_date).
            "builtins": ["core.templatetags.era_dates"],
        },
    },
]

# Django's renderer, with drop-down lists written in Python (see core.forms.FormRenderer).
FORM_RENDERER = "core.forms.FormRenderer"

# --- Database ---------------------------------------------------------------------------
_database_url = _secret("DATABASE_URL")
_require("DATABASE_URL", _database_url)
if not _database_url:
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    _database_url = f"sqlite:///{VAR_DIR / 'db.sqlite3'}"
_db: dict[str, Any] = env.db_url_config(_database_url)
if _db["ENGINE"] == "django.db.backends.sqlite3":
    # Web, worker and beat share one file: wait for locks instead of failing at once,
    # take write locks up front, and let readers work while one process writes.
    _db["OPTIONS"] = {
        "timeout": 20,
        "transaction_mode": "IMMEDIATE",
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
else:
    _db["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
    _db["CONN_HEALTH_CHECKS"] = True
DATABASES = {"default": _db}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Redis, cache and Celery -----------------------------------------------------------
REDIS_URL = _secret("REDIS_URL") or ""
# Production needs one broker and one cache shared by every process and host: a file
# broker under var/ and a per-process memory cache would silently split them.
_require("REDIS_URL", REDIS_URL)

if REDIS_URL:
    # The cache gets its own Redis database (the next number), so clearing the cache
    # (FLUSHDB) never drops queued tasks or their results.
    CACHE_URL = _secret("CACHE_URL") or next_redis_database(REDIS_URL)
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": CACHE_URL,
            "KEY_PREFIX": env.str("CACHE_KEY_PREFIX", default="ngo"),
        }
    }
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": "ngo-default",
        }
    }

_celery = broker_settings(
    broker_url=env.str("CELERY_BROKER_URL", default="") or REDIS_URL or FILESYSTEM_BROKER_URL,
    var_dir=VAR_DIR,
    result_backend=env.str("CELERY_RESULT_BACKEND", default=""),
)
CELERY_BROKER_URL: str = _celery["broker_url"]
CELERY_BROKER_TRANSPORT_OPTIONS: dict[str, Any] = _celery["broker_transport_options"]
CELERY_RESULT_BACKEND: str = _celery["result_backend"]
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BROKER_CONNECTION_TIMEOUT = 3
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_RESULT_EXPIRES = 24 * 3600
# No task keeps a result unless it says so (core.ping, which /healthz?worker=1 waits for):
# a process that publishes a task keeping a result subscribes to it in Redis, and after a
# Redis outage that subscription's reconnect gives up with "The Celery application must be
# restarted", although publishing works again.
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_TIME_LIMIT = env.int("CELERY_TASK_TIME_LIMIT", default=300)
CELERY_TASK_SOFT_TIME_LIMIT = env.int("CELERY_TASK_SOFT_TIME_LIMIT", default=270)
# Idempotent tasks (the outbox's) acknowledge after they ran (acks_late), so a task whose
# worker died is delivered again once the broker's visibility timeout (config.broker)
# passes; its rows are long sent by then: the outbox's leases recover them in a minute.
# A task running when the broker connection drops goes on (cancelling it would stop a
# batch in the middle of a send): its acknowledgement is lost, its rows are not.
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_WORKER_CANCEL_LONG_RUNNING_TASKS_ON_CONNECTION_LOSS = False
CELERY_WORKER_MAX_TASKS_PER_CHILD = 1000
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=False)
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
CELERY_TIMEZONE = "UTC"
# Static entries; django_celery_beat's DatabaseScheduler copies them into its tables.
CELERY_BEAT_SCHEDULE: dict[str, dict[str, Any]] = {
    # Often, so a dead worker's rows (lease NOTIFICATIONS_LEASE_SECONDS) go out again
    # within a minute; an idle sweep is a few indexed queries.
    "notifications-sweep": {
        "task": "notifications.sweep_outbox",
        "schedule": 15.0,
        # A sweep still queued at the next one's time is superseded by it.
        "options": {"expires": 14},
    },
    # Shift reminders are queued when a place is confirmed; this catches any that were not.
    "volunteers-schedule-reminders": {
        "task": "volunteers.schedule_due_reminders",
        "schedule": 5 * 60.0,
        "options": {"expires": 4 * 60},
    },
    # Training-session reminders and training / clearance expiry warnings, hourly.
    "volunteers-schedule-warnings": {
        "task": "volunteers.schedule_warnings",
        "schedule": 60 * 60.0,
        "options": {"expires": 30 * 60},
    },
    # The coordinators' daily digest (sent at DIGEST_HOUR in the organisation's zone).
    "volunteers-coordinator-digest": {
        "task": "dashboard.coordinator_digest",
        "schedule": 60 * 60.0,
        "options": {"expires": 30 * 60},
    },
    # Card gifts whose Stripe fee and net could not be fetched when they were paid.
    "donations-fetch-settlements": {
        "task": "donations.fetch_settlements",
        "schedule": 24 * 60 * 60.0,
        "options": {"expires": 6 * 60 * 60},
    },
    # Stripe events our endpoint never received, read from Stripe's event list.
    "donations-reconcile-stripe-events": {
        "task": "donations.reconcile_stripe_events",
        "schedule": 24 * 60 * 60.0,
        "options": {"expires": 6 * 60 * 60},
    },
    # Donor tasks for monthly gifts that failed a week ago and were not paid since.
    "donations-failed-monthly-tasks": {
        "task": "donations.failed_monthly_tasks",
        "schedule": 60 * 60.0,
        "options": {"expires": 30 * 60},
    },
    # Erased donors' customers at Stripe that could not be cleared yet.
    "donations-sweep-stripe-customer-erasures": {
        "task": "donations.sweep_stripe_customer_erasures",
        "schedule": 60 * 60.0,
        "options": {"expires": 30 * 60},
    },
    # Records past their retention limit (RETENTION_DAYS), once a day.
    "accounts-run-retention": {
        "task": "accounts.run_retention",
        "schedule": 24 * 60 * 60.0,
        "options": {"expires": 6 * 60 * 60},
    },
    # Repeating shifts: plan each series' rolling window ahead, once a day.
    "volunteers-generate-series": {
        "task": "volunteers.generate_all_series",
        "schedule": 24 * 60 * 60.0,
        "options": {"expires": 6 * 60 * 60},
    },
}

# --- Reminders ---------------------------------------------------------------------------
# Hours before a shift's start at which each confirmed volunteer is reminded.
SHIFT_REMINDER_LEAD_HOURS = env.list("SHIFT_REMINDER_LEAD_HOURS", cast=int, default=[48, 3])
# Hours before a training session at which its attendees are reminded.
SESSION_REMINDER_LEAD_HOURS = env.int("SESSION_REMINDER_LEAD_HOURS", default=24)
# Days before a training or clearance expires at which its holder is warned.
EXPIRY_WARNING_DAYS = env.list("EXPIRY_WARNING_DAYS", cast=int, default=[30, 7])
# Local hour (organisation's zone) from which the coordinators' daily digest goes out.
DIGEST_HOUR = env.int("DIGEST_HOUR", default=7)

# --- Retention (accounts.services.retention) ---------------------------------------------
# Days each kind of record is kept before the daily retention run removes it; 0 keeps it
# for ever. Each is RETENTION_<CATEGORY>_DAYS in the environment.
RETENTION_DAYS: dict[str, int] = {
    category: env.int(f"RETENTION_{category.upper()}_DAYS", default=days)
    for category, days in {
        # Login links, counted from their expiry.
        "login_links": 30,
        # Audit entries that record a read (a clearance document opened), not a change.
        "audit_reads": 730,
        # Outbox messages sent, failed or cancelled, counted from when they were queued.
        "outbox_messages": 365,
        # Text messages received (replies, STOP), counted from their arrival.
        "inbound_sms": 365,
        # Declined volunteer applications and their answers, counted from the decision.
        "declined_applications": 180,
        # Clearance documents, counted from the day the clearance lapsed (the row stays).
        "lapsed_clearance_documents": 180,
    }.items()
}

# --- Notifications (the outbox) ---------------------------------------------------------
# A worker's claim on the rows it sends lasts this long unless renewed; it renews it every
# third of this while it works, so a dead worker's rows go out again within a minute.
NOTIFICATIONS_LEASE_SECONDS = env.int("NOTIFICATIONS_LEASE_SECONDS", default=30)
# Rows the sweep reserved for a task the broker then lost are taken back after this long.
NOTIFICATIONS_RESERVATION_TIMEOUT = env.int("NOTIFICATIONS_RESERVATION_TIMEOUT", default=300)
NOTIFICATIONS_MAX_ATTEMPTS = env.int("NOTIFICATIONS_MAX_ATTEMPTS", default=5)
# Each sent message's outcome is one prepared statement of the worker's session. Behind a
# pooler in transaction mode that does not keep prepared statements (PgBouncer before 1.21,
# or without max_prepared_statements), set this False: plain statements, the same outcome.
NOTIFICATIONS_PREPARED_OUTCOMES = env.bool("NOTIFICATIONS_PREPARED_OUTCOMES", default=True)
# Retries wait 1, 2, 4, 8... times this.
NOTIFICATIONS_RETRY_BASE_SECONDS = env.int("NOTIFICATIONS_RETRY_BASE_SECONDS", default=60)
# A sweep reserves due rows in batches of this many, at most MAX_BATCHES of them, and keeps
# at most MAX_IN_FLIGHT rows handed out and unsent; while a backlog remains it sweeps again
# every FOLLOW_UP_SECONDS instead of waiting for beat's next tick.
NOTIFICATIONS_SWEEP_BATCH_SIZE = env.int("NOTIFICATIONS_SWEEP_BATCH_SIZE", default=500)
NOTIFICATIONS_SWEEP_MAX_BATCHES = env.int("NOTIFICATIONS_SWEEP_MAX_BATCHES", default=20)
NOTIFICATIONS_SWEEP_MAX_IN_FLIGHT = env.int("NOTIFICATIONS_SWEEP_MAX_IN_FLIGHT", default=10_000)
NOTIFICATIONS_SWEEP_FOLLOW_UP_SECONDS = env.int("NOTIFICATIONS_SWEEP_FOLLOW_UP_SECONDS", default=5)
# Messages one send task claims and sends over one connection.
NOTIFICATIONS_TASK_BATCH_SIZE = env.int("NOTIFICATIONS_TASK_BATCH_SIZE", default=100)
# Refuse to queue a kind of message no app declares (notifications.kinds), or a context
# unlike its declaration; off, such a message is logged and queued anyway.
NOTIFICATIONS_STRICT_KINDS = env.bool("NOTIFICATIONS_STRICT_KINDS", default=DEBUG)
# While the database is unreachable a worker keeps what it sent and retries writing it, with
# backoff up to this many seconds; if it must stop first it journals them in JOURNAL_DIR
# (default var/outbox-journal), replayed by the next send task on the host.
NOTIFICATIONS_OUTCOME_RETRY_MAX_SECONDS = env.float(
    "NOTIFICATIONS_OUTCOME_RETRY_MAX_SECONDS", default=1.0
)
NOTIFICATIONS_JOURNAL_DIR = env.str("NOTIFICATIONS_JOURNAL_DIR", default="")
NOTIFICATIONS_SMS_BACKEND = env.str(
    "NOTIFICATIONS_SMS_BACKEND", default="notifications.services.sms.ConsoleSmsBackend"
)
TWILIO_ACCOUNT_SID = env.str("TWILIO_ACCOUNT_SID", default="")
TWILIO_AUTH_TOKEN = _secret("TWILIO_AUTH_TOKEN") or ""
TWILIO_FROM_NUMBER = env.str("TWILIO_FROM_NUMBER", default="")
# Only for tests and staging: another host for Twilio's REST API (e.g. a local stub).
TWILIO_API_BASE = env.str("TWILIO_API_BASE", default="")
# Web Push (the outbox's third channel): the VAPID key pair, base64url (the raw 32-byte
# private key, the uncompressed public point); without them push is off.
VAPID_PUBLIC_KEY = env.str("VAPID_PUBLIC_KEY", default="")
VAPID_PRIVATE_KEY = _secret("VAPID_PRIVATE_KEY") or ""
VAPID_SUBJECT = env.str("VAPID_SUBJECT", default="")

# --- Authentication --------------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = ["accounts.authentication.backends.EmailBackend"]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "accounts:login"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 10},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
PASSWORD_RESET_TIMEOUT = 3 * 3600
# Login links by e-mail: minutes a link stays valid (it works once). accounts sends them
# through this outbox function (accounts sits below notifications and never imports it).
MAGIC_LINK_MINUTES = 15
ACCOUNTS_OUTBOX = "notifications.services.enqueue_message"
# Failed logins allowed per e-mail address (and per client address) in the window below.
LOGIN_MAX_FAILURES = env.int("LOGIN_MAX_FAILURES", default=5)
LOGIN_FAILURE_WINDOW_SECONDS = env.int("LOGIN_FAILURE_WINDOW_SECONDS", default=15 * 60)
# Reverse proxies in front of the app that append to X-Forwarded-For (0: none). Login
# throttling counts failures per client address, which is the proxy's without this.
# Production expects one TLS-terminating proxy in front (BEHIND_TLS_PROXY, default on).
BEHIND_TLS_PROXY = PRODUCTION and env.bool("BEHIND_TLS_PROXY", default=True)
NUM_PROXIES = env.int("NUM_PROXIES", default=1 if BEHIND_TLS_PROXY else 0)

# --- Internationalisation --------------------------------------------------------------
LANGUAGE_CODE = env.str("LANGUAGE_CODE", default="en")
# The languages of the product, named in their own language. A page, message or PDF is in
# the reader's language: a logged-in person's preference, else the language a visitor
# chose with the switcher (a cookie), else the browser's Accept-Language, else
# LANGUAGE_CODE. Adding a language: add it here (and to LANG_INFO below if Django lacks
# it), then `make messages` and translate locale/<code>/LC_MESSAGES/django.po.
LANGUAGES = [
    ("en", "English"),
    ("es", "Español"),
    ("vi", "Tiếng Việt"),
    ("th", "ไทย"),
    ("fil", "Filipino"),
]
# Django ships no Filipino locale: describe it (its plural rule is in the catalogue's
# header, from CLDR via Babel, which knows ``fil`` under the same code).
LANG_INFO.setdefault(
    "fil", {"bidi": False, "code": "fil", "name": "Filipino", "name_local": "Filipino"}
)
# The CLDR locale whose conventions amounts follow for the readers of a language, where the
# language's own locale is not the one they use: Spanish readers here are mostly from Latin
# America, and es_419 writes "USD 1,234.50" (a decimal point, as the donate form reads
# amounts), not Spain's "1.234,50 US$". es_US or es_MX name the dollar or peso "$"; an empty
# value keeps the language's own conventions. FORMAT_LOCALES=es=es_419,fil=fil
FORMAT_LOCALES: dict[str, str] = {
    code.strip(): locale.strip()
    for code, locale in env.dict("FORMAT_LOCALES", default={"es": "es_419"}).items()
    if code.strip() and locale.strip()
}
# Thai readers see years in the Buddhist era (พ.ศ. 2569 for 2026) on pages, in e-mails, text
# messages and PDFs when this is on; off (the default), every reader sees the Gregorian year.
# Machine values keep the Gregorian year: receipt numbers (a legal serial), ISO dates in
# forms, links, CSV and calendar (.ics) files. See core.locales.buddhist_era.
THAI_BUDDHIST_ERA = env.bool("THAI_BUDDHIST_ERA", default=False)
LOCALE_PATHS = [BASE_DIR / "locale"]
# A visitor's choice of language (the switcher) is kept for a year.
LANGUAGE_COOKIE_AGE = 365 * 24 * 3600
USE_I18N = True
USE_TZ = True
TIME_ZONE = "UTC"
# The organisation's own zone: the default for new users and for pages without a user.
ORG_TIME_ZONE = env.str("ORG_TIME_ZONE", default="America/New_York")

# --- Static and media files ------------------------------------------------------------
STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = Path(env.str("STATIC_ROOT", default=str(BASE_DIR / "staticfiles")))
# Development serves static files straight from static/ (no collectstatic needed).
WHITENOISE_USE_FINDERS = not PRODUCTION
WHITENOISE_AUTOREFRESH = not PRODUCTION
# Uploaded documents (training certificates, clearance documents) are never served
# directly: a view checks who asks. This is the largest one accepted.
DOCUMENT_MAX_BYTES = env.int("DOCUMENT_MAX_BYTES", default=10 * 1024 * 1024)
MEDIA_URL = "media/"
MEDIA_ROOT = Path(env.str("MEDIA_ROOT", default=str(VAR_DIR / "media")))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if PRODUCTION
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}

# --- E-mail ----------------------------------------------------------------------------
_email_url = _secret("EMAIL_URL")
if _email_url:
    globals().update(env.email_url_config(_email_url))
else:
    EMAIL_BACKEND = (
        "django.core.mail.backends.smtp.EmailBackend"
        if PRODUCTION
        else "django.core.mail.backends.console.EmailBackend"
    )
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="Hope Line <no-reply@example.org>")
SERVER_EMAIL = env.str("SERVER_EMAIL", default=DEFAULT_FROM_EMAIL)
EMAIL_SUBJECT_PREFIX = env.str("EMAIL_SUBJECT_PREFIX", default="[Hope Line] ")

# --- The organisation (shown in the header, e-mails and receipts) ----------------------
ORG_NAME = env.str("ORG_NAME", default="Hope Line")
ORG_ADDRESS = env.str("ORG_ADDRESS", default="12 Harbour Street, Springfield, IL 62701, USA")
# A path under static/ (e.g. img/logo.svg) or an absolute https:// URL.
ORG_LOGO = env.str("ORG_LOGO", default="img/logo.svg")
ORG_EMAIL = env.str("ORG_EMAIL", default="info@example.org")
ORG_PHONE = env.str("ORG_PHONE", default="")
# Receipts: the charity's registration, the tax text and the "no goods or services" line
# (empty: left off), and the numbers (prefix + year + number; each year starts at START).
# The default texts are in the catalogues, so each receipt has them in its own language.
ORG_REGISTRATION = env.str("ORG_REGISTRATION", default="Registered charity no. 12-3456789")
RECEIPT_TAX_TEXT = env.str(
    "RECEIPT_TAX_TEXT",
    default=gettext_noop("Please keep this receipt for your tax records."),
)
RECEIPT_NO_GOODS_TEXT = env.str(
    "RECEIPT_NO_GOODS_TEXT",
    default=gettext_noop("No goods or services were provided in exchange for this gift."),
)
# The year-end statement's own lines (a statement is not a receipt and lists several gifts);
# the "no goods" line is left off when the receipts leave theirs off.
STATEMENT_TAX_TEXT = env.str(
    "STATEMENT_TAX_TEXT",
    default=gettext_noop("Please keep this statement for your tax records."),
)
STATEMENT_NO_GOODS_TEXT = env.str(
    "STATEMENT_NO_GOODS_TEXT",
    default=gettext_noop("No goods or services were provided in exchange for these gifts.")
    if RECEIPT_NO_GOODS_TEXT
    else "",
)
RECEIPT_NUMBER_PREFIX = env.str("RECEIPT_NUMBER_PREFIX", default="R")
RECEIPT_NUMBER_START = env.int("RECEIPT_NUMBER_START", default=1)
if RECEIPT_NUMBER_START < 1:
    raise ImproperlyConfigured("RECEIPT_NUMBER_START must be 1 or more")

PHONENUMBER_DEFAULT_REGION = env.str("PHONENUMBER_DEFAULT_REGION", default="US")
PHONENUMBER_DEFAULT_FORMAT = "INTERNATIONAL"

# --- Security --------------------------------------------------------------------------
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = False  # htmx reads the token from the page, not the cookie
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
if PRODUCTION:
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
    SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=True)
    SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=True)
    # Behind a TLS-terminating proxy that sets X-Forwarded-Proto.
    if BEHIND_TLS_PROXY:
        SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    # /healthz is probed over plain HTTP by load balancers and process managers.
    SECURE_REDIRECT_EXEMPT = [r"^healthz$"]

# Content-Security-Policy of every page (directive -> sources): our own scripts, styles,
# fonts and connections only, never inline script or style; images also as data: URIs
# (and from the logo's site when ORG_LOGO is a URL); no plug-ins, no <base>, no framing
# (the embeddable donate form names its own frame-ancestors, DONATION_EMBED_ORIGINS).
# The one inline style allowed is the server-error page's (templates/500.html), by its hash:
# that page must not depend on static files.
_logo_origin = re.match(r"https?://[^/]+", ORG_LOGO)
CONTENT_SECURITY_POLICY: dict[str, str] = {
    "default-src": "'self'",
    "script-src": "'self'",
    "style-src": "'self' 'sha256-KL7unZ6JPcWFIzE/Z//z5F3Sgo+EY4RHcN1phNrMQFI='",
    "img-src": " ".join(["'self'", "data:", *([_logo_origin.group(0)] if _logo_origin else [])]),
    "font-src": "'self'",
    "connect-src": "'self'",
    "worker-src": "'self'",
    "manifest-src": "'self'",
    "object-src": "'none'",
    "base-uri": "'none'",
    "frame-ancestors": "'none'",
}
# Browser features no page uses are switched off for the page and anything it frames.
PERMISSIONS_POLICY = ", ".join(
    f"{feature}=()"
    for feature in (
        "accelerometer",
        "autoplay",
        "camera",
        "display-capture",
        "geolocation",
        "gyroscope",
        "magnetometer",
        "microphone",
        "midi",
        "payment",
        "usb",
        "xr-spatial-tracking",
    )
)

# --- Stripe ----------------------------------------------------------------------------
# Without STRIPE_SECRET_KEY the donation pages run in offline test mode (no Stripe at all).
STRIPE_SECRET_KEY = _secret("STRIPE_SECRET_KEY") or ""
# Signing secret of the webhook endpoint (whsec_...); offline test mode signs with it too.
# Development without one uses a fixed local secret, so the offline test checkout can sign
# the events it posts to the app; production refuses unsigned deliveries.
STRIPE_WEBHOOK_SECRET = _secret("STRIPE_WEBHOOK_SECRET") or (
    "" if PRODUCTION else "whsec_offline_development_only"
)
# Base URL of Stripe's API; empty means Stripe's own. Tests point it at a local stub.
STRIPE_API_BASE = env.str("STRIPE_API_BASE", default="").rstrip("/")
# Days of Stripe's event list (it keeps 30) the nightly reconciliation reads again.
STRIPE_RECONCILE_DAYS = env.int("STRIPE_RECONCILE_DAYS", default=3)
if not 1 <= STRIPE_RECONCILE_DAYS <= 30:
    raise ImproperlyConfigured("STRIPE_RECONCILE_DAYS must be between 1 and 30")

# --- Donation page -----------------------------------------------------------------------
# Currencies offered on the donation page, in this order (each must have a known Stripe
# minimum in donations.money). Amounts are checked there, not here.
DONATION_CURRENCIES: list[str] = [
    code.strip().upper()
    for code in env.list(
        "DONATION_CURRENCIES", default=["USD", "EUR", "GBP", "PHP", "THB", "VND", "JPY"]
    )
]
DONATION_DEFAULT_CURRENCY = env.str("DONATION_DEFAULT_CURRENCY", default="USD").strip().upper()
if DONATION_DEFAULT_CURRENCY not in DONATION_CURRENCIES:
    raise ImproperlyConfigured("DONATION_DEFAULT_CURRENCY must be one of DONATION_CURRENCIES")
# The currency the donate page starts in for a visitor's language (a campaign's own goal
# currency comes first; a language not listed gets DONATION_DEFAULT_CURRENCY), e.g.
# vi=VND,th=THB,fil=PHP. Each must be one of DONATION_CURRENCIES.
DONATION_LANGUAGE_CURRENCIES: dict[str, str] = {
    code.strip().lower(): str(currency).strip().upper()
    for code, currency in env.dict(
        "DONATION_LANGUAGE_CURRENCIES", default={"vi": "VND", "th": "THB", "fil": "PHP"}
    ).items()
    if code.strip()
}
for _language, _currency in DONATION_LANGUAGE_CURRENCIES.items():
    if _currency not in DONATION_CURRENCIES:
        raise ImproperlyConfigured(
            f"DONATION_LANGUAGE_CURRENCIES: {_language}={_currency} is not in DONATION_CURRENCIES"
        )
# What an hour of volunteering is worth, in the default currency's units (a decimal string),
# to show volunteering beside money raised on the coordinator's home. The default is
# Independent Sector's 2024 value of a US volunteer hour.
VOLUNTEER_HOUR_VALUE = env.str("VOLUNTEER_HOUR_VALUE", default="33.49").strip()
try:
    if not Decimal(VOLUNTEER_HOUR_VALUE) >= 0:
        raise InvalidOperation
except InvalidOperation:
    raise ImproperlyConfigured("VOLUNTEER_HOUR_VALUE must be an amount, e.g. 33.49") from None
# Suggested amounts per currency, in the currency's own units (decimal strings). The env
# variable replaces the entries it names: USD=25/50/100/250,JPY=3000/5000/10000
DONATION_PRESET_AMOUNTS: dict[str, list[str]] = {
    "USD": ["25", "50", "100", "250"],
    "EUR": ["25", "50", "100", "250"],
    "GBP": ["20", "50", "100", "250"],
    "PHP": ["500", "1000", "2500", "5000"],
    "THB": ["500", "1000", "2500", "5000"],
    "VND": ["200000", "500000", "1000000", "2500000"],
    "JPY": ["3000", "5000", "10000", "30000"],
}
DONATION_PRESET_AMOUNTS.update(
    {
        code.strip().upper(): [part.strip() for part in amounts.split("/") if part.strip()]
        for code, amounts in env.dict("DONATION_PRESET_AMOUNTS", default={}).items()
        if code.strip()
    }
)
# Cover-the-fee: the donor may add what the card fee is estimated to be, so that the whole
# gift reaches us. The estimate is DONATION_FEE_PERCENT of the total charged plus a fixed
# amount per currency (in the currency's units; a currency not listed has none), grossed up:
# total = (gift + fixed) / (1 - percent / 100), rounded up. Set the percent to 0 and the fixed
# amounts empty to estimate nothing (the checkbox then hides).
DONATION_FEE_PERCENT = env.str("DONATION_FEE_PERCENT", default="2.9").strip()
DONATION_FEE_FIXED: dict[str, str] = {
    code.strip().upper(): str(amount).strip()
    for code, amount in env.dict(
        "DONATION_FEE_FIXED",
        default={
            "USD": "0.30",
            "EUR": "0.25",
            "GBP": "0.20",
            "PHP": "15",
            "THB": "10",
            "VND": "7000",
            "JPY": "40",
        },
    ).items()
    if code.strip()
}
# The organisation's own currency, in which reports, the dashboard and statements total gross,
# fees and net: a card gift counts by what Stripe settled into the account when the account's
# currency is this one; an offline gift in another currency by the amount received in this one.
REPORTING_CURRENCY = (
    env.str("REPORTING_CURRENCY", default=DONATION_DEFAULT_CURRENCY).strip().upper()
)
if not re.fullmatch(r"[A-Z]{3}", REPORTING_CURRENCY):
    raise ImproperlyConfigured("REPORTING_CURRENCY must be an ISO 4217 code such as USD")
# Tasks on donor records: a gift at or over this amount (reporting currency, its own units)
# asks for a thank-you; triggered tasks go to the active user with this e-mail (empty: to
# nobody in particular, so every coordinator sees them).
DONOR_TASK_LARGE_GIFT = env.str("DONOR_TASK_LARGE_GIFT", default="1000").strip()
DONOR_TASK_ASSIGNEE = env.str("DONOR_TASK_ASSIGNEE", default="").strip()
# Giving levels on the donor record: name=lifetime giving from which it applies, in the
# reporting currency's units, lowest first.
DONOR_LEVELS: dict[str, str] = env.dict(
    "DONOR_LEVELS", default={"Friend": "1", "Supporter": "250", "Champion": "1000"}
)
# Origins of the organisation's own websites that may show the embeddable donate form
# (/donate/embed/) in a frame, e.g. https://www.example.org (CSP frame-ancestors).
DONATION_EMBED_ORIGINS: list[str] = env.list("DONATION_EMBED_ORIGINS", default=[])
for _origin in DONATION_EMBED_ORIGINS:
    if not re.fullmatch(r"https?://[A-Za-z0-9.-]+(:[0-9]{1,5})?", _origin):
        raise ImproperlyConfigured(
            f"DONATION_EMBED_ORIGINS: {_origin!r} is not an origin such as https://www.example.org"
        )

# --- Logging ---------------------------------------------------------------------------
LOG_LEVEL = env.str("LOG_LEVEL", default="INFO")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"},
    },
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": LOG_LEVEL},
    "loggers": {
        "django.db.backends": {"level": "INFO"},
        # Stripe's SDK logs error texts (which may name a donor) at INFO and whole request
        # bodies at DEBUG: keep it to warnings.
        "stripe": {"level": "WARNING"},
    },
}

# Two-factor login (django-otp): the authenticator app shows the organisation's name; a
# code may be a step late (clocks drift); a wrong code doubles the wait before the next.
OTP_TOTP_ISSUER = ORG_NAME
OTP_TOTP_TOLERANCE = 1
