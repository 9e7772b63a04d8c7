"""The one settings module. Everything that differs between installs comes from the environment.

TONGXIN_DATA_DIR        where the SQLite file, generated keys and uploads live (default ./var)
TONGXIN_DATABASE_URL    e.g. postgres://tongxin@localhost/tongxin (default: SQLite in the data dir)
TONGXIN_SECRET_KEY      Django's secret key (generated into the data dir when unset)
TONGXIN_FIELD_KEYS      comma-separated Fernet keys for personal data; the first encrypts
TONGXIN_BLIND_INDEX_KEYS comma-separated keys for the lookup index; the first is current
TONGXIN_DEBUG           1 for development
TONGXIN_ALLOWED_HOSTS   comma-separated host names
TONGXIN_TASKS_BACKEND   dotted path of the django-tasks backend
TONGXIN_OTP_REQUIRED    1 to require TOTP of the roles that reveal (default 0; production 1)
TONGXIN_CACHE_URL       the cache shared by all workers: db://TABLE (default db://tongxin_cache),
                        redis://HOST:PORT/N, locmem:// (per process)
"""

import json
import os
from pathlib import Path

import dj_database_url
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent


def env(name: str, default: str = "") -> str:
    return os.environ.get(name, default)


def env_bool(name: str, default: bool = False) -> bool:
    return env(name, "1" if default else "0").lower() in {"1", "true", "yes", "on"}


DATA_DIR = Path(env("TONGXIN_DATA_DIR", str(Path.cwd() / "var"))).resolve()

DEBUG = env_bool("TONGXIN_DEBUG", False)
ALLOWED_HOSTS = [h for h in env("TONGXIN_ALLOWED_HOSTS", "127.0.0.1,localhost").split(",") if h]
CSRF_TRUSTED_ORIGINS = [o for o in env("TONGXIN_CSRF_TRUSTED_ORIGINS").split(",") if o]

# Keys a development or demo install generates into its data dir on first use; a production
# install sets them in the environment (`tongxin check --deploy` refuses generated ones).
from tongxin.core.keys import load_keys  # noqa: E402  (needs DATA_DIR and env above)

_keys = load_keys(DATA_DIR, env)
SECRET_KEY = _keys.secret_key
TONGXIN_FIELD_KEYS: list[str] = _keys.field_keys
TONGXIN_BLIND_INDEX_KEYS: list[str] = _keys.blind_index_keys
TONGXIN_GENERATED_KEYS: list[str] = _keys.generated

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_htmx",
    "django_tasks",
    "django_tasks_db",
    "treebeard",
    "ninja",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "tongxin.core",
    "tongxin.audit",
    "tongxin.places",
    "tongxin.units",
    "tongxin.accounts",
    "tongxin.incidents",
    "tongxin.notifications",
    "tongxin.directives",
    "tongxin.people",
    "tongxin.zones",
    "tongxin.testing",
    "tongxin.sampling",
    "tongxin.helpdesk",
    "tongxin.care",
    "tongxin.security",
    "tongxin.tracing",
    "tongxin.isolation",
    "tongxin.workforce",
    "tongxin.supplies",
    "tongxin.command",
    "tongxin.imports",
    "tongxin.web",
    "tongxin.demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "tongxin.security.middleware.RejectNulBytesMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Marks request.user verified once this session passed a TOTP code (django-otp).
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "tongxin.audit.middleware.AuditContextMiddleware",
    "tongxin.security.middleware.SecurityHeadersMiddleware",
    # Roles that reveal or unmask go through TOTP enrolment / verification after login.
    "tongxin.security.middleware.SecondFactorMiddleware",
]

ROOT_URLCONF = "tongxin.urls"
WSGI_APPLICATION = "tongxin.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "tongxin.web.context_processors.navigation",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        env("TONGXIN_DATABASE_URL", f"sqlite:///{DATA_DIR / 'tongxin.sqlite3'}"),
        conn_max_age=int(env("TONGXIN_DB_CONN_MAX_AGE", "60")),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets pages read while an import writes; IMMEDIATE avoids lock-upgrade deadlocks.
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
    DATABASES["default"]["CONN_MAX_AGE"] = 0
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # A database that is down or restarting fails a request in seconds (answered 503 by the
    # upload), instead of holding a worker until gunicorn kills it.
    DATABASES["default"].setdefault("OPTIONS", {}).setdefault(
        "connect_timeout", int(env("TONGXIN_DB_CONNECT_TIMEOUT", "5"))
    )
DATABASES["default"].setdefault("TEST", {})

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"


def _shared_cache(url: str) -> dict[str, object]:
    """TONGXIN_CACHE_URL as a cache: `db://TABLE` (the database, default), `redis://HOST:PORT/N`
    (or rediss://), `locmem://` (each process its own: no sharing)."""
    scheme, _sep, rest = url.partition("://")
    if scheme in ("redis", "rediss"):
        return {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": url}
    if scheme == "locmem":
        return {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "shared"}
    if scheme == "db":
        return {
            "BACKEND": "django.core.cache.backends.db.DatabaseCache",
            "LOCATION": rest.strip("/") or "tongxin_cache",
            "OPTIONS": {"MAX_ENTRIES": 10000},
        }
    raise ValueError(f"TONGXIN_CACHE_URL: unknown scheme {scheme!r} (db://, redis://, locmem://)")


# "default" is each process's own memory. "shared" is one cache for every worker of the site:
# what is computed once per window for everyone (coverage figures, counts only: never a name, a
# number or anything else about a person). The database by default (`tongxin createcachetable`
# makes its table), Redis for large installs (docs/operations.md).
TONGXIN_CACHE_URL = env("TONGXIN_CACHE_URL", "db://tongxin_cache")
CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
    "shared": {**_shared_cache(TONGXIN_CACHE_URL), "KEY_PREFIX": "tongxin"},
}
AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# Every login is a staff member's: 12 characters at least, of three kinds, not like the
# account's own details, not a common or all-digit password.
AUTH_PASSWORD_VALIDATORS = [
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": int(env("TONGXIN_PASSWORD_MIN_LENGTH", "12"))},
    },
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    {"NAME": "tongxin.security.passwords.CharacterClassesValidator"},
]
# Logins go through the throttle (tongxin/security/throttle.py).
AUTHENTICATION_BACKENDS = ["tongxin.security.throttle.ThrottledModelBackend"]


LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", _("简体中文")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = env("TONGXIN_TIME_ZONE", "Asia/Shanghai")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = DATA_DIR / "static"
MEDIA_ROOT = DATA_DIR / "media"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG

TASKS = {
    "default": {
        "BACKEND": env("TONGXIN_TASKS_BACKEND", "django_tasks_db.DatabaseBackend"),
        "QUEUES": ["default"],
    }
}

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_AGE = 12 * 3600
SESSION_COOKIE_SECURE = env_bool("TONGXIN_SECURE_COOKIES", not DEBUG)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
DATA_UPLOAD_MAX_MEMORY_SIZE = 50 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024

# How long (days) a closed incident's personal data is kept when its policy edition is silent.
TONGXIN_DEFAULT_RETENTION_DAYS = int(env("TONGXIN_DEFAULT_RETENTION_DAYS", "30"))
# Days a care-registry entry is kept after its need ended; hours an activation link is valid.
TONGXIN_CARE_RETENTION_DAYS = int(env("TONGXIN_CARE_RETENTION_DAYS", "30"))
TONGXIN_ACTIVATION_HOURS = int(env("TONGXIN_ACTIVATION_HOURS", "72"))

# Notifications: SMS provider, retries of group-robot deliveries, links in messages.
TONGXIN_SMS_BACKEND = env("TONGXIN_SMS_BACKEND", "tongxin.notifications.sms.FileSmsBackend")
TONGXIN_SMS_FILE = env("TONGXIN_SMS_FILE", str(DATA_DIR / "sms-outbox.jsonl"))
TONGXIN_NOTIFY_MAX_ATTEMPTS = int(env("TONGXIN_NOTIFY_MAX_ATTEMPTS", "5"))
TONGXIN_NOTIFY_RETRY_BASE_SECONDS = int(env("TONGXIN_NOTIFY_RETRY_BASE_SECONDS", "60"))
TONGXIN_WEBHOOK_TIMEOUT_SECONDS = float(env("TONGXIN_WEBHOOK_TIMEOUT_SECONDS", "10"))
TONGXIN_SITE_URL = env("TONGXIN_SITE_URL", "")
# Minutes past a directive's deadline before the command post (not just the unit) is told.
TONGXIN_DIRECTIVE_ESCALATION_MINUTES = int(env("TONGXIN_DIRECTIVE_ESCALATION_MINUTES", "60"))

# The help platform: time limits per priority as JSON ({"urgent": {"contact": 30, "close": 240},
# ...}; defaults in tongxin/helpdesk/conf.py), escalation, the public hotline number, and the
# request header carrying the client address behind a reverse proxy (for rate limits).
TONGXIN_HELPDESK_LIMITS = json.loads(env("TONGXIN_HELPDESK_LIMITS") or "{}")
TONGXIN_HELPDESK_ESCALATION_MINUTES = int(env("TONGXIN_HELPDESK_ESCALATION_MINUTES", "30"))
TONGXIN_HELPDESK_HOTLINE = env("TONGXIN_HELPDESK_HOTLINE")
TONGXIN_HELPDESK_CLIENT_IP_HEADER = env("TONGXIN_HELPDESK_CLIENT_IP_HEADER")

# Security limits (docs/security.md): login throttling, reveals per hour, uploads, request
# bounds, the admin's path, headers.
TONGXIN_ADMIN_PATH = env("TONGXIN_ADMIN_PATH", "admin/").strip("/") + "/"
TONGXIN_LOGIN_WINDOW_MINUTES = int(env("TONGXIN_LOGIN_WINDOW_MINUTES", "15"))
TONGXIN_LOGIN_MAX_FAILURES_PER_ACCOUNT = int(env("TONGXIN_LOGIN_MAX_FAILURES_PER_ACCOUNT", "5"))
TONGXIN_LOGIN_MAX_FAILURES_PER_ADDRESS = int(env("TONGXIN_LOGIN_MAX_FAILURES_PER_ADDRESS", "20"))
TONGXIN_REVEALS_PER_HOUR = int(env("TONGXIN_REVEALS_PER_HOUR", "30"))
TONGXIN_REVEAL_ALERT_THRESHOLD = int(env("TONGXIN_REVEAL_ALERT_THRESHOLD", "15"))
TONGXIN_UPLOAD_RETENTION_HOURS = int(env("TONGXIN_UPLOAD_RETENTION_HOURS", "24"))
# Bounds on work done on request: upload size, decompressed size (zip bombs), rows, cell
# length, any request body, statistics windows; stuck import jobs fail after this long.
TONGXIN_UPLOAD_MAX_BYTES = int(env("TONGXIN_UPLOAD_MAX_MB", "20")) * 1024 * 1024
TONGXIN_UPLOAD_MAX_UNCOMPRESSED_BYTES = (
    int(env("TONGXIN_UPLOAD_MAX_UNCOMPRESSED_MB", "200")) * 1024 * 1024
)
TONGXIN_IMPORT_MAX_ROWS = int(env("TONGXIN_IMPORT_MAX_ROWS", "100000"))
# Bulk sample uploads: at most this many at once per process (more: 503 + Retry-After), at most
# this many batches a minute per device (more: 429 + Retry-After); see sampling/services/admission.
TONGXIN_UPLOAD_CONCURRENCY = int(env("TONGXIN_UPLOAD_CONCURRENCY", "2"))
TONGXIN_UPLOAD_BATCHES_PER_MINUTE = int(env("TONGXIN_UPLOAD_BATCHES_PER_MINUTE", "120"))
TONGXIN_UPLOAD_RETRY_AFTER_SECONDS = int(env("TONGXIN_UPLOAD_RETRY_AFTER_SECONDS", "2"))
TONGXIN_IMPORT_MAX_CELL_CHARS = int(env("TONGXIN_IMPORT_MAX_CELL_CHARS", "1000"))
TONGXIN_MAX_REQUEST_BYTES = int(env("TONGXIN_MAX_REQUEST_MB", "25")) * 1024 * 1024
TONGXIN_STATS_MAX_DAYS = int(env("TONGXIN_STATS_MAX_DAYS", "366"))
TONGXIN_IMPORT_STALE_MINUTES = int(env("TONGXIN_IMPORT_STALE_MINUTES", "60"))
# HTTPS installs: Strict-Transport-Security for this many seconds (0: not sent).
SECURE_HSTS_SECONDS = int(env("TONGXIN_HSTS_SECONDS", "0"))
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("TONGXIN_HSTS_INCLUDE_SUBDOMAINS", False)
SECURE_REFERRER_POLICY = "same-origin"
# TOTP second factor (django-otp) for every role that may reveal personal data or export it
# unmasked. Optional (the issue's word, and what keeps scripted and demo logins working): off
# unless set to 1; `tongxin check --deploy` warns (tongxin.W003) while it is off, and the
# README's production steps turn it on (docs/security.md). Wrong codes are throttled per
# account and per address like logins.
TONGXIN_OTP_REQUIRED = env_bool("TONGXIN_OTP_REQUIRED", False)
TONGXIN_OTP_MAX_FAILURES = int(env("TONGXIN_OTP_MAX_FAILURES", "5"))
OTP_TOTP_ISSUER = env("TONGXIN_OTP_ISSUER", "同心")
# Our throttle (tongxin/security/throttle.py) governs wrong codes; django-otp's own growing
# delay per device is off so the two do not stack.
OTP_TOTP_THROTTLE_FACTOR = 0
FILE_UPLOAD_PERMISSIONS = 0o600
FILE_UPLOAD_DIRECTORY_PERMISSIONS = 0o700

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    # ID numbers and phones in a URL (a search typed into an address bar, a path) are masked
    # before any line is written, the access log included.
    "filters": {
        "mask_personal": {"()": "tongxin.core.logmask.MaskPersonalData"},
        "forbidden_one_line": {"()": "tongxin.core.logging.ForbiddenOneLine"},
    },
    "formatters": {
        "server": {
            "()": "django.utils.log.ServerFormatter",
            "format": "[{server_time}] {message}",
            "style": "{",
        }
    },
    "handlers": {
        "console": {"class": "logging.StreamHandler", "filters": ["mask_personal"]},
        "server": {
            "class": "logging.StreamHandler",
            "filters": ["mask_personal"],
            "formatter": "server",
        },
    },
    "root": {"handlers": ["console"], "level": env("TONGXIN_LOG_LEVEL", "INFO")},
    "loggers": {
        # The access log of `runserver`/`serve` (Django's own handler would not mask).
        "django.server": {"handlers": ["server"], "level": "INFO", "propagate": False},
        # SQL parameters would carry ciphertext and names; never log them.
        "django.db.backends": {"level": "WARNING"},
        # A 403 is logged as one line, without a traceback.
        "django.request": {"filters": ["forbidden_one_line"]},
    },
}

# Centralized isolation: the reserve standard of isolation rooms per 10,000 residents, and the
# minutes an unreachable person at pick-up waits before the grid and the command post are told.
TONGXIN_ISOLATION_RESERVE_ROOMS_PER_10K = int(env("TONGXIN_ISOLATION_RESERVE_ROOMS_PER_10K", "20"))
TONGXIN_ISOLATION_ESCALATION_MINUTES = int(env("TONGXIN_ISOLATION_ESCALATION_MINUTES", "30"))
