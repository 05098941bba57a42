"""Settings, read from the environment with safe defaults.

With nothing set the portal runs on SQLite in the project folder, Celery runs tasks eagerly
and mail is printed to the console, so a newcomer sees it work at once. `DATABASE_URL`,
`CELERY_BROKER_URL`, `SECRET_KEY`, `ALLOWED_HOSTS`, `EMAIL_URL` and `TIME_ZONE` switch to
the real stack. Invariants (a strong secret key without DEBUG, UTC storage) are system
checks in `bcp_portal.core.checks`.
"""

from datetime import timedelta
from pathlib import Path

import environ
import xstatic.pkg.bootstrap

from bcp_portal.core import limits

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
if (BASE_DIR / ".env").exists() and env.bool("READ_DOT_ENV", default=True):
    environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

DEBUG = env.bool("DEBUG", default=True)
# Only a development default: `bcp_portal.E001` refuses it when DEBUG is off.
INSECURE_DEV_SECRET_KEY = "django-insecure-bcp-portal-development-key-do-not-deploy"
# An empty SECRET_KEY counts as missing (Django itself would crash on it before any check).
SECRET_KEY = env.str("SECRET_KEY", default="") or INSECURE_DEV_SECRET_KEY
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "testserver"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])
# How many reverse proxies in front of the portal append to X-Forwarded-For: the client's
# address is read that many entries from the right (`bcp_portal.core.clientip`). 0: the
# header is ignored, as anyone can send it.
TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=0)
SITE_URL = env.str("SITE_URL", default="http://127.0.0.1:8000")
PORTAL_NAME = env.str("PORTAL_NAME", default="BCP Portal")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "rest_framework",
    "knox",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_htmx",
    "simple_history",
    "django_filters",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "csp",
    # Machinery, then the shared domain, then the apps; `bcp_portal` is the wiring.
    "bcp_portal.core",
    "bcp_portal.contacts",
    "bcp_portal.catalogue",
    "bcp_portal.actions",
    "incidents",
    "drills",
    "compliance",
    "bcp_portal",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Oversized bodies, too many fields and NUL characters: refused before any view.
    "bcp_portal.core.middleware.RequestGuardMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Marks request.user verified when the session passed its second factor (django-otp).
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # Signs a session out after SESSION_IDLE_MINUTES idle or SESSION_ABSOLUTE_HOURS in all.
    "bcp_portal.core.middleware.SessionTimeoutMiddleware",
    # Refuses changes from a session that must pass two-factor and has not.
    "bcp_portal.core.middleware.TwoFactorRequiredMiddleware",
    # `Cache-Control: private, no-store` on signed-in pages and every API answer.
    "bcp_portal.core.middleware.PrivateCacheMiddleware",
    "csp.middleware.CSPMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "bcp_portal.core.middleware.ConflictMiddleware",
    "bcp_portal.core.middleware.DatabaseBehindCodeMiddleware",
    "bcp_portal.core.middleware.AuditContextMiddleware",
    # Lets the password-change record (a signal on User) see who is signed in.
    "bcp_portal.core.current.CurrentRequestMiddleware",
    "bcp_portal.core.middleware.UserTimezoneMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    # Last, as django-axes asks: turns a locked-out sign-in into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "bcp_portal.urls"
WSGI_APPLICATION = "bcp_portal.wsgi.application"

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
                "bcp_portal.context_processors.portal",
            ],
        },
    },
]

# --- Database -------------------------------------------------------------------------
DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
}
DATABASES["default"].setdefault("OPTIONS", {})
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=0)
    # Writers wait (up to 20 s) instead of failing at once when two requests, or the eager
    # worker and a request, overlap. IMMEDIATE: a transaction takes the write lock when it
    # begins; a deferred one that read first could not wait for another writer (SQLite
    # answers "database is locked" at once to avoid a deadlock).
    DATABASES["default"]["OPTIONS"].setdefault("timeout", 20)
    DATABASES["default"]["OPTIONS"].setdefault("transaction_mode", "IMMEDIATE")
else:
    # Persistent connections: a request reuses its worker's connection (checked before
    # reuse) instead of paying a new PostgreSQL connection each time.
    DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
    DATABASES["default"]["OPTIONS"].setdefault("connect_timeout", 5)
    # No JIT: the portal's statements are short reads, and an aggregate over a year of
    # incidents (the DR metrics) is estimated costly enough to be JIT-compiled, which took
    # 3.2 s of its 5.5 s at 1,000,000 incidents (bench/results.md). A connection option,
    # so it costs no statement.
    DATABASES["default"]["OPTIONS"].setdefault("options", "-c jit=off")
# Migrations may run as the table owner while the portal runs as a less privileged role:
# `manage.py migrate` picks this alias when it exists (see bcp_portal/management).
if env.str("MIGRATE_DATABASE_URL", default=""):
    DATABASES["migrate"] = env.db("MIGRATE_DATABASE_URL")
    DATABASES["migrate"]["TEST"] = {"MIRROR": "default"}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Auth -----------------------------------------------------------------------------
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
AUTHENTICATION_BACKENDS = [
    # Refuses sign-ins for a username and address after repeated failures (django-axes).
    "axes.backends.AxesStandaloneBackend",
    # Django's ModelBackend, reading a user's permissions in one query, not two.
    "bcp_portal.core.auth_backends.ModelBackend",
]
AXES_FAILURE_LIMIT = env.int("LOGIN_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("LOGIN_LOCKOUT_MINUTES", default=15))
# Lock the pair, so one attacker cannot lock a colleague out from everywhere.
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_VERBOSE = False
# The portal's one answer to "which address is the client's" (trusted proxies counted).
AXES_CLIENT_IP_CALLABLE = "bcp_portal.core.clientip.client_ip"
# --- Two-factor (django-otp) ------------------------------------------------------------
# On: staff and every holder of a role other than Auditor must set up TOTP before they may
# change anything, and API tokens need a one-time code (bcp_portal.core.twofactor).
TWO_FACTOR_REQUIRED = env.bool("TWO_FACTOR_REQUIRED", default=not DEBUG)
# The issuer an authenticator app shows beside the account.
OTP_TOTP_ISSUER = PORTAL_NAME
# How long the password step of a two-step sign-in waits for its code.
TWO_FACTOR_LOGIN_SECONDS = env.int("TWO_FACTOR_LOGIN_SECONDS", default=300)

# --- Sessions: an idle and an absolute timeout (bcp_portal.core.middleware) ---------------
SESSION_IDLE_MINUTES = env.int("SESSION_IDLE_MINUTES", default=30)
SESSION_ABSOLUTE_HOURS = env.int("SESSION_ABSOLUTE_HOURS", default=12)
# The cookie itself dies at the absolute limit too, so a browser forgets it.
SESSION_COOKIE_AGE = SESSION_ABSOLUTE_HOURS * 60 * 60

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "dashboard"
LOGOUT_REDIRECT_URL = "login"
PASSWORD_RESET_TIMEOUT = 60 * 60 * 3

# --- Time and language: stored in UTC, shown in each user's own zone ---------------------
LANGUAGE_CODE = "en-gb"
TIME_ZONE = env.str("TIME_ZONE", default="UTC")
USE_I18N = True
USE_TZ = True

# --- Static files: third-party CSS/JS comes from installed packages ---------------------
STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [
    BASE_DIR / "static",
    ("vendor/bootstrap", xstatic.pkg.bootstrap.BASE_DIR),
]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True
MEDIA_ROOT = env.path("MEDIA_ROOT", default=BASE_DIR / "var" / "media")

# --- Mail: printed to the console unless EMAIL_URL says otherwise -----------------------
EMAIL_CONFIG = env.email_url("EMAIL_URL", default="consolemail://")
vars().update(EMAIL_CONFIG)
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="bcp-portal@localhost")
EMAIL_TIMEOUT = env.int("EMAIL_TIMEOUT", default=10)

# --- Celery: eager with no broker, Redis (or any kombu broker) when one is named --------
CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default="")
CELERY_TASK_ALWAYS_EAGER = not CELERY_BROKER_URL
CELERY_TASK_EAGER_PROPAGATES = False
CELERY_RESULT_BACKEND = None

# --- Outbox ----------------------------------------------------------------------------
OUTBOX_MAX_ATTEMPTS = env.int("OUTBOX_MAX_ATTEMPTS", default=5)
# A message claimed longer ago than this is taken again by the sweep (the worker died).
OUTBOX_CLAIM_LEASE_SECONDS = env.int("OUTBOX_CLAIM_LEASE_SECONDS", default=300)

# --- Runbooks (compliance) ---------------------------------------------------------------
# A role that a change in review still waits for is reminded after this many hours, and
# again after each further such interval.
APPROVAL_REMIND_AFTER_HOURS = env.int("APPROVAL_REMIND_AFTER_HOURS", default=48)
# Break-glass copies of every published runbook outside the portal (compliance.breakglass):
# a folder, and/or an S3 bucket (credentials from boto3's chain: AWS_ACCESS_KEY_ID and
# AWS_SECRET_ACCESS_KEY, a profile or an instance role). Neither set: no copies.
BREAK_GLASS_DIR = env.str("BREAK_GLASS_DIR", default="")
BREAK_GLASS_S3_BUCKET = env.str("BREAK_GLASS_S3_BUCKET", default="")
BREAK_GLASS_S3_PREFIX = env.str("BREAK_GLASS_S3_PREFIX", default="runbooks")
# An S3-compatible store (MinIO, Ceph...): its URL; empty for AWS itself.
BREAK_GLASS_S3_ENDPOINT_URL = env.str("BREAK_GLASS_S3_ENDPOINT_URL", default="")

# --- Notification clocks (compliance.notification_reminders) ----------------------------
# DPO and Legal Counsel are reminded when this share of an obligation's window has passed
# (per cent, each from 1 to 99), and once more when it is overdue.
DEADLINE_REMINDER_PERCENTS = env.list("DEADLINE_REMINDER_PERCENTS", cast=int, default=[50, 75, 90])

# --- Request size (bcp_portal/core/limits.py) ------------------------------------------
DATA_UPLOAD_MAX_MEMORY_SIZE = limits.REQUEST_BODY_MAX_BYTES
DATA_UPLOAD_MAX_NUMBER_FIELDS = limits.REQUEST_FIELDS_MAX

# --- API -------------------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        # knox tokens, sent as `Authorization: Token <token>` or `Bearer <token>`.
        "bcp_portal.core.api.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["bcp_portal.core.api.permissions.RolePermissions"],
    # JSON only (the sign-in endpoint also takes a form), bounded in size and nesting depth
    # (a deep document was a RecursionError); anything else answers 415.
    "DEFAULT_PARSER_CLASSES": ["bcp_portal.core.api.parsers.JSONParser"],
    "DEFAULT_PAGINATION_CLASS": "bcp_portal.core.api.pagination.CursorPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_SCHEMA_CLASS": "bcp_portal.core.api.schema.PortalAutoSchema",
    "EXCEPTION_HANDLER": "bcp_portal.core.api.errors.exception_handler",
    "DEFAULT_FILTER_BACKENDS": [],
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
}
# Tokens from /api/v1/auth/login expire; the API tokens page lets people choose 30-365 days.
REST_KNOX = {
    "TOKEN_TTL": timedelta(days=env.int("API_TOKEN_TTL_DAYS", default=90)),
    "AUTO_REFRESH": False,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "BCP Portal API",
    "DESCRIPTION": "Disaster recovery, business continuity and compliance portal.",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    # The schema and its docs are public on purpose: they describe endpoints, hold no
    # data, and every endpoint they describe requires a session or a token.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "bcp_portal.core.api.schema.empty_means_no_filter",
    ],
    "ENUM_NAME_OVERRIDES": {
        # Several models have a `status`; the action tracker's gets a name of its own.
        "ActionStatusEnum": "bcp_portal.actions.models.Action.Status",
        # Action priority and drill issue severity share the same high/medium/low choices.
        "HighMediumLowEnum": "bcp_portal.actions.models.Action.Priority",
        # PASS/FAIL of drill steps and reports.
        "PassFailEnum": "drills.models.Result",
        # A runbook version's status (the version, a change's version, a document's open one).
        "RunbookVersionStatusEnum": "compliance.models.RunbookVersion.Status",
        # Whether a role a runbook change needs has approved it.
        "RequiredRoleStatusEnum": "compliance.api.REQUIRED_ROLE_STATUSES",
        # Incidents (issue #10): their lifecycle status and P0-P3 severity.
        "IncidentStatusEnum": "incidents.models.Incident.Status",
        "IncidentSeverityEnum": "incidents.models.Severity",
        # A post-mortem's review state, and what a communication draft is (incidents).
        "PostMortemStatusEnum": "incidents.models_postmortems.PostMortem.Status",
        "CommunicationDraftKindEnum": "incidents.models_postmortems.CommunicationDraft.Kind",
        # What a dated fact of the notification clocks records (compliance, issue #11).
        "IncidentFactKindEnum": "compliance.models_notifications.IncidentFact.KIND_CHOICES",
    },
}

# --- Security headers: strict whenever DEBUG is off ------------------------------------
SESSION_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
if not DEBUG:
    SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=60 * 60 * 24 * 365)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=False)

# --- Content-Security-Policy (django-csp 4): no inline script or style anywhere ------------
# Every script and style sheet is a static file; QR codes and Bootstrap's icons are data:
# images. Django's debug page (DEBUG, 404/500) is exempted by django-csp itself.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'none'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
    }
}

# security.W021 (HSTS preload) is the one deploy check set aside: asking browsers to
# preload the domain is a commitment for every subdomain that takes months to undo, so it
# is the operator's decision (SECURE_HSTS_PRELOAD=true), not a default (docs/security.md).
SILENCED_SYSTEM_CHECKS = ["security.W021"]

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {
        # Django's own default gives "django" a console handler of its own while DEBUG is on;
        # with the root handler that printed every warning and traceback twice.
        "django": {"handlers": [], "level": "INFO", "propagate": True},
        "django.db.backends": {"level": "WARNING"},
        "weasyprint": {"level": "WARNING"},
        "weasyprint.progress": {"level": "WARNING"},
        "fontTools": {"level": "WARNING"},
        "axes": {"level": "WARNING"},
    },
}

SIMPLE_HISTORY_HISTORY_CHANGE_REASON_USE_TEXT_FIELD = True
