"""Kita-Portal settings: one module, every deployment value from the environment.

Defaults are for a newcomer's laptop (SQLite, a broker in local files, e-mail
written to ``var/mail/``). Production sets ``DEBUG=false`` and at least
``SECRET_KEY``, ``ALLOWED_HOSTS``, ``DATABASE_URL``, ``CELERY_BROKER_URL`` and
``EMAIL_URL``; see README.md.
"""

from pathlib import Path

from celery.schedules import crontab
from csp.constants import NONE, SELF
from django.utils.translation import gettext_lazy as _

from portal.env import (
    ConfigError,
    env_admins,
    env_bool,
    env_broker_url,
    env_database,
    env_email,
    env_int,
    env_list,
    env_str,
    redis_cache_url,
)

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(env_str("VAR_DIR", str(BASE_DIR / "var")))

DEBUG = env_bool("DEBUG", True)
if DEBUG:
    SECRET_KEY = env_str("SECRET_KEY", "insecure-development-key-only-for-debug-mode")
else:
    SECRET_KEY = env_str("SECRET_KEY")
    if len(SECRET_KEY) < 50 or len(set(SECRET_KEY)) < 5:
        raise ConfigError("SECRET_KEY", "must be at least 50 characters with 5 distinct ones")
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]"] if DEBUG else [])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])
SITE_URL = env_str("SITE_URL", "http://127.0.0.1:8000").rstrip("/")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "crispy_forms",
    "crispy_bootstrap5",
    "django_filters",
    "csp",
    "portal",
    "childcare",
    "notifications",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    # After authentication and messages: refuse oversized bodies before CSRF reads them, then the
    # doors to applicant data (second factor, idle timeout), then headers on every response.
    "portal.middleware.RequestBodyLimitMiddleware",
    "portal.second_factor.StaffIdleTimeoutMiddleware",
    "portal.second_factor.SecondFactorMiddleware",
    "portal.middleware.PrivacyHeadersMiddleware",
    "csp.middleware.CSPMiddleware",
    # Innermost: collects the audit entries of the view and writes them in one INSERT.
    "portal.audit.AuditMiddleware",
]

ROOT_URLCONF = "portal.urls"
WSGI_APPLICATION = "portal.wsgi.application"
ASGI_APPLICATION = "portal.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "portal.context_processors.portal",
                "notifications.context_processors.inbox",
                "notifications.context_processors.delivery",
            ],
        },
    },
]

DATABASES = {"default": env_database("DATABASE_URL", f"sqlite:///{VAR_DIR / 'portal.sqlite3'}")}
# Persistent connections: a gunicorn sync worker serves one request at a time, so keeping its one
# connection open saves the connect on every request; the health check replaces a connection the
# database closed meanwhile instead of failing the request on it. 0 closes after each request.
DATABASES["default"]["CONN_MAX_AGE"] = env_int("DATABASE_CONN_MAX_AGE", 0 if DEBUG else 60, minimum=0)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql" and env_bool(
    "DATABASE_PREPARED_STATEMENTS", True
):
    # Parameters bound by the server, so psycopg can prepare a statement a connection runs again and
    # again (from its second run): PostgreSQL keeps its parse and plan in the session. Every page
    # runs the same few statements, so this takes about a millisecond off a busy staff or parent
    # page. Behind PgBouncer in transaction pooling this needs PgBouncer 1.21 or later with
    # max_prepared_statements set; otherwise turn it off (docs/operations.md).
    DATABASES["default"].setdefault("OPTIONS", {}).update(server_side_binding=True, prepare_threshold=2)
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Web, worker and beat share one file. WAL lets readers go on while one writes; IMMEDIATE takes
    # the write lock when a transaction begins, so two writers queue (timeout, in seconds) instead of
    # one failing with "database is locked" when it upgrades its read lock halfway through.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        timeout=20,
        transaction_mode="IMMEDIATE",
        init_command="PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL",
    )
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "portal.User"
# Django's and allauth's backends; both read the signed-in user with their unread count
# (portal/auth_backends.py).
AUTHENTICATION_BACKENDS = [
    "portal.auth_backends.PasswordBackend",
    "portal.auth_backends.AccountBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "home"

# django-allauth (65.x): e-mail is the login, verified before first use.
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_ADAPTER = "portal.adapters.AccountAdapter"
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = True
ACCOUNT_EMAIL_SUBJECT_PREFIX = env_str("EMAIL_SUBJECT_PREFIX", "[Kita-Portal] ")
ACCOUNT_DEFAULT_HTTP_PROTOCOL = "http" if DEBUG else "https"
ACCOUNT_RATE_LIMITS_ENABLED = env_bool("ACCOUNT_RATE_LIMITS_ENABLED", True)
# Failed sign-ins count per client address and per account *at that address* (the adapter puts the
# address into the key): a guesser is slowed down, but cannot lock a leader out from elsewhere.
ACCOUNT_RATE_LIMITS = {"login_failed": "10/m/ip,5/5m/key"} if ACCOUNT_RATE_LIMITS_ENABLED else False
# A reset request for an unknown address sends nothing: no mail to strangers' inboxes on demand.
ACCOUNT_EMAIL_UNKNOWN_ACCOUNTS = False
# Behind nginx every request comes from 127.0.0.1: take the client from X-Forwarded-For, counting
# this many proxies from the right (nginx appends the address it saw).
BEHIND_TLS_PROXY = env_bool("BEHIND_TLS_PROXY", False)
ALLAUTH_TRUSTED_PROXY_COUNT = env_int("TRUSTED_PROXY_COUNT", 1 if BEHIND_TLS_PROXY else 0, minimum=0)
# Security keys (WebAuthn) as a second factor besides an authenticator app; passwordless passkey
# sign-in stays off, so a key never stands for both factors.
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes", "webauthn"]
MFA_PASSKEY_LOGIN_ENABLED = False
MFA_WEBAUTHN_ALLOW_INSECURE_ORIGIN = DEBUG
MFA_TOTP_ISSUER = env_str("MFA_TOTP_ISSUER", "Kita-Portal")
# Staff and the municipal office are signed out after this much inactivity; parents keep the
# normal session. Paths where a second factor is required of them (portal/second_factor.py).
STAFF_IDLE_TIMEOUT_MINUTES = env_int("STAFF_IDLE_TIMEOUT_MINUTES", 30, minimum=1)
SECOND_FACTOR_PATHS = ("/verwaltung/", "/dokumente/", "/nachweise/", "/admin/")

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

LANGUAGE_CODE = "de"
LANGUAGES = [("de", _("German")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale", BASE_DIR / "locale_overrides"]
TIME_ZONE = "Europe/Berlin"
USE_I18N = True
# Our own date formats per language (portal/formats/<lang>/formats.py), e.g. no US dates in English.
FORMAT_MODULE_PATH = ["portal.formats"]
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "static"
STATICFILES_DIRS = [BASE_DIR / "portal" / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}
# Uploaded documents are private: never served under a public URL, only through permission checks.
MEDIA_ROOT = Path(env_str("MEDIA_ROOT", str(VAR_DIR / "media")))
# How long the audit log keeps its entries (months); older ones go in the nightly retention run.
AUDIT_RETENTION_MONTHS = env_int("AUDIT_RETENTION_MONTHS", 24, minimum=1)

UPLOAD_MAX_BYTES = env_int("UPLOAD_MAX_MEGABYTES", 5, minimum=1) * 2**20
# A request body may hold one upload and the form around it; a larger one is refused from its
# Content-Length before anything reads it (portal/middleware.py). nginx: client_max_body_size.
REQUEST_BODY_MAX_BYTES = UPLOAD_MAX_BYTES + 256 * 2**10
DATA_UPLOAD_MAX_MEMORY_SIZE = 2**20
FILE_UPLOAD_MAX_MEMORY_SIZE = 2**20
# Stored proofs are readable by the service user only.
FILE_UPLOAD_PERMISSIONS = 0o600
FILE_UPLOAD_DIRECTORY_PERMISSIONS = 0o700

# Row locks of a state change wait at most this long (PostgreSQL lock_timeout), then the request
# ends with "someone else is changing this" instead of hanging; see childcare/admissions/locking.py.
LOCK_TIMEOUT_SECONDS = env_int("LOCK_TIMEOUT_SECONDS", 5, minimum=1)

# The cache holds sign-in rate limits and lockouts: in production every web process must share it,
# or each process counts on its own and the limits multiply. Without CACHE_URL production uses
# the Redis broker's server on the next database number (portal.env.redis_cache_url), so the cache
# never shares a database with queued tasks; development keeps a per-process cache.
CELERY_BROKER_URL = env_broker_url("CELERY_BROKER_URL", "filesystem://")
REDIS_CACHE_URL = redis_cache_url(
    cache_url=env_str("CACHE_URL", ""), broker_url="" if DEBUG else CELERY_BROKER_URL
)
if REDIS_CACHE_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_CACHE_URL,
            "KEY_PREFIX": "kitaportal",
        }
    }
elif DEBUG:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
else:
    raise ConfigError(
        "CACHE_URL",
        "production (DEBUG=false) needs a shared cache for rate limits: set CACHE_URL=redis://... "
        "or use a redis:// CELERY_BROKER_URL",
    )

# E-mail: by default every message lands as a file in var/mail/ for a newcomer to read.
globals().update(env_email("EMAIL_URL", f"file://{VAR_DIR / 'mail'}"))
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "Kita-Portal <noreply@kita-portal.example>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
EMAIL_TIMEOUT = env_int("EMAIL_TIMEOUT", 20, minimum=1)

# Celery: the default broker lives in local folders, so no server is needed to try the portal.
if CELERY_BROKER_URL.startswith("filesystem://"):
    _broker_dir = VAR_DIR / "broker"
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(_broker_dir / "queue"),
        "data_folder_out": str(_broker_dir / "queue"),
        "processed_folder": str(_broker_dir / "processed"),
        "control_folder": str(_broker_dir / "control"),
        "store_processed": False,
    }
else:
    # Handing a message to the broker happens in the request's commit callbacks: when the broker is
    # down, give up after one quick connection attempt (the outbox sweeper hands it over later)
    # instead of kombu's default of retrying for seconds per message.
    CELERY_BROKER_TRANSPORT_OPTIONS = {"max_retries": 0, "socket_connect_timeout": 1}
    CELERY_BROKER_CONNECTION_TIMEOUT = 1
CELERY_TASK_ALWAYS_EAGER = env_bool("CELERY_TASK_ALWAYS_EAGER", False)
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_IGNORE_RESULT = True
CELERY_TIMEZONE = TIME_ZONE
# Celery closes the database connection after every task unless told to reuse it for this many tasks.
CELERY_DB_REUSE_MAX = env_int("CELERY_DB_REUSE_MAX", 100, minimum=0)
CELERY_BEAT_SCHEDULE: dict = {
    "childcare-expire-offers": {"task": "childcare.tasks.expire_due_offers", "schedule": 300.0},
    "childcare-offer-reminders": {
        "task": "childcare.tasks.send_offer_reminders",
        "schedule": crontab(hour=8, minute=0),
    },
    "childcare-request-reconfirmations": {
        "task": "childcare.tasks.request_reconfirmations",
        "schedule": crontab(hour=8, minute=15),
    },
    "childcare-expire-unconfirmed": {
        "task": "childcare.tasks.expire_unconfirmed_applications",
        "schedule": crontab(hour=2, minute=0),
    },
    "childcare-refresh-points": {
        "task": "childcare.tasks.refresh_points",
        "schedule": crontab(hour=3, minute=0),
    },
    # Renewed before OVERVIEW_MAX_AGE (5 minutes) runs out; see childcare/allocation/planning.py.
    "childcare-refresh-planning-overview": {
        "task": "childcare.tasks.refresh_planning_overview",
        "schedule": 240.0,
        "options": {"expires": 230},
    },
    "childcare-rebuild-availability": {
        "task": "childcare.tasks.rebuild_availability",
        "schedule": crontab(hour=0, minute=5),
    },
    "childcare-staff-digests": {
        "task": "childcare.tasks.send_staff_digests",
        "schedule": crontab(hour=6, minute=30),
    },
    "childcare-position-improvements": {
        "task": "childcare.tasks.announce_position_improvements",
        "schedule": crontab(hour=3, minute=30),
    },
    "childcare-data-retention": {
        "task": "childcare.tasks.apply_data_retention",
        "schedule": crontab(hour=1, minute=30),
    },
    "portal-worker-heartbeat": {
        "task": "portal.tasks.record_heartbeat",
        "schedule": 30.0,
        "options": {"expires": 25},
    },
    "notifications-sweep-outbox": {
        "task": "notifications.tasks.sweep_outbox",
        "schedule": 60.0,
        # A sweep that waited longer than its interval is replaced by the next one, not piled up.
        "options": {"expires": 55},
    },
    "webhooks-sweep-deliveries": {
        "task": "childcare.api.webhook_tasks.sweep_webhook_deliveries",
        "schedule": 60.0,
        "options": {"expires": 55},
    },
    "notifications-purge-old-messages": {
        "task": "notifications.tasks.purge_old_messages",
        "schedule": crontab(hour=1, minute=45),
    },
}

# Outbox delivery: retries of temporary SMTP errors back off base, 2 x base, 4 x base ... up to the cap;
# a row still "sending" after the timeout belonged to a worker that died and is retried by the sweeper.
OUTBOX_MAX_ATTEMPTS = env_int("OUTBOX_MAX_ATTEMPTS", 10, minimum=1)
OUTBOX_RETRY_BASE_SECONDS = env_int("OUTBOX_RETRY_BASE_SECONDS", 30, minimum=1)
OUTBOX_RETRY_MAX_SECONDS = env_int("OUTBOX_RETRY_MAX_SECONDS", 1800, minimum=1)
# The lease of one sending attempt: long enough for a slow server (3 x EMAIL_TIMEOUT at least), short
# enough that a message whose worker died goes out again after about two minutes, not ten.
OUTBOX_SENDING_TIMEOUT_SECONDS = env_int(
    "OUTBOX_SENDING_TIMEOUT_SECONDS", max(120, EMAIL_TIMEOUT * 3), minimum=EMAIL_TIMEOUT * 3
)
OUTBOX_SWEEP_GRACE_SECONDS = env_int("OUTBOX_SWEEP_GRACE_SECONDS", 30, minimum=0)
OUTBOX_SWEEP_BATCH_SIZE = env_int("OUTBOX_SWEEP_BATCH_SIZE", 500, minimum=1)
# A fault every message meets (wrong SMTP password, TLS, DNS) pauses all delivery: base, 2 x base ... cap.
OUTBOX_PAUSE_BASE_SECONDS = env_int("OUTBOX_PAUSE_BASE_SECONDS", 60, minimum=1)
OUTBOX_PAUSE_MAX_SECONDS = env_int("OUTBOX_PAUSE_MAX_SECONDS", 1800, minimum=1)
# After a failed hand-over to the broker, a process leaves new messages to the sweeper this long.
OUTBOX_BROKER_RETRY_SECONDS = env_int("OUTBOX_BROKER_RETRY_SECONDS", 10, minimum=0)

# Webhooks to daycare software: a short timeout per attempt, retries backing off base, 2 x base ...
# up to the cap, a lease after which the sweeper retries a delivery whose worker died.
# WEBHOOK_CA_FILE: a PEM bundle trusted instead of the system's (tests, or a town's own CA).
# WEBHOOK_ALLOW_PRIVATE_ADDRESSES: also send to loopback and private networks (tests, intranets);
# off by default, so a registered address cannot reach services inside the portal's network.
WEBHOOK_TIMEOUT_SECONDS = env_int("WEBHOOK_TIMEOUT_SECONDS", 5, minimum=1)
WEBHOOK_MAX_ATTEMPTS = env_int("WEBHOOK_MAX_ATTEMPTS", 8, minimum=1)
WEBHOOK_RETRY_BASE_SECONDS = env_int("WEBHOOK_RETRY_BASE_SECONDS", 30, minimum=1)
WEBHOOK_RETRY_MAX_SECONDS = env_int("WEBHOOK_RETRY_MAX_SECONDS", 3600, minimum=1)
WEBHOOK_SENDING_TIMEOUT_SECONDS = env_int(
    "WEBHOOK_SENDING_TIMEOUT_SECONDS", 120, minimum=WEBHOOK_TIMEOUT_SECONDS * 3
)
WEBHOOK_CA_FILE = env_str("WEBHOOK_CA_FILE", "")
WEBHOOK_ALLOW_PRIVATE_ADDRESSES = env_bool("WEBHOOK_ALLOW_PRIVATE_ADDRESSES", False)

# /health/ fails the worker check when no heartbeat (every 30 s) came for this long, and the
# outbox check when an e-mail has been due for this long without being sent.
HEALTH_HEARTBEAT_MAX_AGE_SECONDS = env_int("HEALTH_HEARTBEAT_MAX_AGE_SECONDS", 180, minimum=31)
HEALTH_OUTBOX_MAX_DELAY_SECONDS = env_int("HEALTH_OUTBOX_MAX_DELAY_SECONDS", 900, minimum=60)

# Django's database sessions, read with one written-out statement (portal/sessions.py).
SESSION_ENGINE = "portal.sessions"
SESSION_COOKIE_HTTPONLY = True
# Off only to try production mode over plain HTTP on one's own machine (make stack).
SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = env_bool("SECURE_COOKIES", not DEBUG)
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", not DEBUG)
# Load balancers and monitoring probe /health/ on the plain HTTP port of each machine.
SECURE_REDIRECT_EXEMPT = [r"^health/(ping)?$"]
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 0 if DEBUG else 31536000, minimum=0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = not DEBUG
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", not DEBUG)
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if BEHIND_TLS_PROXY else None
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# Messages live in the session, not in a cookie: they name children and e-mail addresses.
MESSAGE_STORAGE = "django.contrib.messages.storage.session.SessionStorage"
# Only the search page's "near me" button uses a browser API (geolocation, on our own origin).
PERMISSIONS_POLICY = (
    "camera=(), microphone=(), geolocation=(self), payment=(), usb=(), interest-cohort=(), browsing-topics=()"
)

# Unhandled errors reach the operators: by mail to ADMINS ("Name <address>, ...") and, when
# SENTRY_DSN is set, to Sentry (the optional sentry-sdk package, see README).
ADMINS = env_admins("ADMINS")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"require_debug_false": {"()": "django.utils.log.RequireDebugFalse"}},
    "handlers": {
        "console": {"class": "logging.StreamHandler"},
        "mail_admins": {
            "class": "django.utils.log.AdminEmailHandler",
            "level": "ERROR",
            "filters": ["require_debug_false"],
        },
    },
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    "loggers": {
        # Errors of requests and background tasks (the handler takes ERROR only; the loggers keep
        # their levels and propagate, so the console shows everything as before).
        "django.request": {"handlers": ["mail_admins"] if ADMINS else []},
        "celery": {"handlers": ["mail_admins"] if ADMINS else []},
    },
}
SENTRY_DSN = env_str("SENTRY_DSN", "")
if SENTRY_DSN:
    try:
        import sentry_sdk
    except ImportError:
        raise ConfigError("SENTRY_DSN", "is set but the sentry-sdk package is not installed") from None
    sentry_sdk.init(
        dsn=SENTRY_DSN,
        environment=env_str("SENTRY_ENVIRONMENT", "production"),
        # Applicant data stays here: no request bodies, cookies or user details in reports.
        send_default_pii=False,
        max_request_body_size="never",
    )

MAP_TILE_URL = env_str("MAP_TILE_URL", "https://tile.openstreetmap.org/{z}/{x}/{y}.png")
MAP_TILE_ATTRIBUTION = env_str(
    "MAP_TILE_ATTRIBUTION", '&copy; <a href="https://www.openstreetmap.org/copyright">OpenStreetMap</a>'
)


def _tile_origin(url: str) -> str:
    """``https://{s}.tile.example.org/{z}/...`` -> ``https://*.tile.example.org``: what img-src must allow."""
    scheme, _, rest = url.partition("://")
    host = rest.split("/", 1)[0].replace("{s}", "*")
    return f"{scheme}://{host}"


# Content-Security-Policy (django-csp 4): scripts and styles only from the portal's own files, no
# inline code; map tiles from MAP_TILE_URL's host. The API docs pages relax it for themselves
# (childcare/api/urls.py): Swagger UI and ReDoc bring inline scripts and styles.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:", _tile_origin(MAP_TILE_URL)],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}

# ---------------------------------------------------------------------------------------------------
# REST API (childcare/api/): Django REST framework, OpenAPI 3.1 by drf-spectacular, docs from the
# vendored sidecar assets (no CDN), personal tokens, problem-details errors, per-address throttling.
# ---------------------------------------------------------------------------------------------------
INSTALLED_APPS += ["rest_framework", "drf_spectacular", "drf_spectacular_sidecar"]


def _api_rate(name: str, default: str) -> str:
    """A request rate such as "120/minute"; DRF would only fail on the first request, so check now."""
    value = env_str(name, default)
    count, _slash, period = value.partition("/")
    if not (count.isdigit() and period in ("second", "minute", "hour", "day")):
        raise ConfigError(
            name, f"expected a rate like 120/minute (per second, minute, hour or day), got {value!r}"
        )
    return value


REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": ["childcare.api.authentication.BearerTokenAuthentication"],
    "DEFAULT_PERMISSION_CLASSES": ["childcare.api.permissions.TokenScope"],
    "DEFAULT_RENDERER_CLASSES": [
        "rest_framework.renderers.JSONRenderer",
        "rest_framework.renderers.BrowsableAPIRenderer",
    ],
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_THROTTLE_CLASSES": [
        "rest_framework.throttling.AnonRateThrottle",
        "rest_framework.throttling.UserRateThrottle",
    ],
    "DEFAULT_THROTTLE_RATES": {
        "anon": _api_rate("API_ANON_RATE", "120/minute"),
        "user": _api_rate("API_USER_RATE", "600/minute"),
    },
    "EXCEPTION_HANDLER": "childcare.api.errors.problem_details_handler",
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
    # Client addresses behind the TLS proxy come from X-Forwarded-For; one proxy in front of us.
    "NUM_PROXIES": 1 if env_bool("BEHIND_TLS_PROXY", False) else None,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Kita-Portal API",
    "DESCRIPTION": (
        "Facilities and free places (public), a family's applications, waitlists and placements for "
        "daycare software, round results and planning figures for the municipal office."
    ),
    "VERSION": "1",
    "OAS_VERSION": "3.1.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SERVE_PERMISSIONS": ["rest_framework.permissions.AllowAny"],
    "SERVE_AUTHENTICATION": [],
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "SCHEMA_PATH_PREFIX": r"/api/v[0-9]+",
    "COMPONENT_SPLIT_REQUEST": True,
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "childcare.api.schema.add_problem_responses",
    ],
}
API_TOKEN_MAX_DAYS = env_int("API_TOKEN_MAX_DAYS", 365, minimum=1)
OPEN_DATA_LICENCE = env_str("OPEN_DATA_LICENCE", "dl-de/by-2-0")
