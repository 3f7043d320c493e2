"""Settings shared by every environment. Values that differ come from environment variables."""

from datetime import timedelta
from pathlib import Path

import dj_database_url
import phonenumbers
from django.core.exceptions import ImproperlyConfigured

from .environment import env_bool, env_choice, env_float, env_int, env_list, env_rate, env_str

BASE_DIR = Path(__file__).resolve().parent.parent.parent

SECRET_KEY = env_str("SECRET_KEY")
DEBUG = False
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "security.admin_site.SiteAdminConfig",  # django.contrib.admin, its sign-in rate limited
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    # Before staticfiles: its runserver (ops/management/commands/runserver.py) runs the sweeps under `make run`.
    "ops",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    # API tokens: expiring, per device, revocable (knox.AuthToken, with security.ApiToken beside each).
    "knox",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "guardian",
    "django_htmx",
    "core",
    "accounts",
    "programs",
    "seekers",
    "goals",
    "referrals",
    "notifications",
    "sms",
    "api",
    "reports",
    "organization",
    "people",
    "find",
    "seeker_door",
    # sign-in and sessions (security), data rights (privacy) (issue 6)
    "pgtrigger",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "security",
    "privacy",
    "fhir_api",
    "webhooks",
]

MIDDLEWARE = [
    "ops.middleware.RequestIdMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "security.middleware.RequestSizeMiddleware",
    # A NUL in the path, query, form body or headers is a 400 before any view reads it (JSON: core.parsers).
    "referrals_site.middleware.UnstorableTextMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "security.middleware.SessionTimeoutMiddleware",
    # A seeker's session (signed in by a one-time link or code) reaches only their pages and the public ones.
    "seeker_door.middleware.SeekerSessionMiddleware",
    "security.middleware.TwoFactorMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "security.middleware.ReferrerPolicyMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    # Last, so that a lockout answers before any view runs.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "referrals_site.urls"
WSGI_APPLICATION = "referrals_site.wsgi.application"
ASGI_APPLICATION = "referrals_site.asgi.application"

CONTEXT_PROCESSORS = [
    "django.template.context_processors.request",
    "django.template.context_processors.i18n",
    "django.contrib.auth.context_processors.auth",
    "django.contrib.messages.context_processors.messages",
    "accounts.context_processors.navigation",
    "core.context_processors.csrf_once",
]
TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": CONTEXT_PROCESSORS,
        },
    },
    {
        # The rows of the busiest lists (core/jinja2.py): a page in Django's language includes them with
        # {% jinja "name" %}; a view may render one as any template.
        "BACKEND": "django.template.backends.jinja2.Jinja2",
        "DIRS": [BASE_DIR / "templates" / "jinja2"],
        "APP_DIRS": False,
        "OPTIONS": {
            "environment": "core.jinja2.environment",
            "autoescape": True,
            "context_processors": CONTEXT_PROCESSORS,
        },
    },
]

# Form widgets with Django's Jinja2 widget templates, those only in Django's language with those (core/jinja2.py).
FORM_RENDERER = "core.jinja2.FormRenderer"

DATABASES = {
    "default": dj_database_url.parse(env_str("DATABASE_URL", f"sqlite:///{BASE_DIR / 'db.sqlite3'}"), conn_max_age=60)
}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
# The statements kept per process (core.statements) are prepared once per PostgreSQL session and run by EXECUTE.
# Off behind a pooler that hands each transaction another server session (PgBouncer in transaction mode).
DATABASE_PREPARED_STATEMENTS = env_bool("DATABASE_PREPARED_STATEMENTS", True)


def sqlite_for_concurrent_use(database: dict) -> dict:
    """The embedded default serves a small team: two people acting at the same moment must both be saved, not
    told "database is locked". Every transaction takes the write lock when it begins (IMMEDIATE: a transaction
    that read and then writes cannot meet another writer halfway and fail at once), a writer waits up to 20
    seconds for the lock, and readers never wait for a writer (write-ahead log)."""
    if database["ENGINE"] == "django.db.backends.sqlite3":
        database.setdefault("OPTIONS", {}).update(
            {
                "transaction_mode": "IMMEDIATE",
                "timeout": 20,
                "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
            }
        )
    return database


sqlite_for_concurrent_use(DATABASES["default"])
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # The covering index (referrals 0003) is a plain index on SQLite, the `make run` default; its warning on
    # every command would only puzzle a newcomer. PostgreSQL builds it as written.
    SILENCED_SYSTEM_CHECKS = ["models.W040"]

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",  # first: refuses locked-out username+IP pairs
    "django.contrib.auth.backends.ModelBackend",
    "guardian.backends.ObjectPermissionBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LOGIN_REDIRECT_URL = "/"
LOGOUT_REDIRECT_URL = "/accounts/login/"
LOGIN_URL = "accounts:login"

# django-guardian: per-object grants live in direct foreign-key tables (see referrals.models);
# no anonymous user row is needed.
GUARDIAN_ANONYMOUS_USER_NAME = None
GUARDIAN_RAISE_403 = False

LANGUAGE_CODE = "en"
LANGUAGES = [("en", "English"), ("es", "Español")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = env_str("TIME_ZONE", "America/Chicago")
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = Path(env_str("STATIC_ROOT", str(BASE_DIR / "staticfiles")))
# Files browsers ask for at the site's root (/favicon.ico), served by WhiteNoise without a URL route.
WHITENOISE_ROOT = BASE_DIR / "static" / "root"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

REDIS_URL = env_str("REDIS_URL", "")

# The client's address (core.client, for lockouts, rate limits, access records and logs): how many proxies
# in front of the app append to X-Forwarded-For; the client is that many hops from the right. 0 (no proxy):
# the header is ignored. API_NUM_PROXIES is its old name, still read; TRUST_X_FORWARDED_FOR (which trusted the
# client-written first hop) is refused.
NUM_PROXIES = env_int("NUM_PROXIES", env_int("API_NUM_PROXIES", 0, maximum=10), maximum=10)
if env_bool("TRUST_X_FORWARDED_FOR", False):
    raise ImproperlyConfigured(
        "TRUST_X_FORWARDED_FOR is no longer read: it trusted the first X-Forwarded-For hop, which the client "
        "writes. Remove it and set NUM_PROXIES to the number of proxies in front of the app (1 for one TLS "
        "proxy or load balancer)."
    )

# Caches live in Redis when there is one, so every web process shares them (the web tier keeps no state).
# CACHE_URL may name a separate Redis (e.g. one with an LRU eviction policy); it defaults to REDIS_URL.
CACHE_URL = env_str("CACHE_URL", REDIS_URL)
if CACHE_URL:
    # Short timeouts: the cache is asked during requests (and the Inbound page cache inside transactions); a
    # Redis that stopped answering must cost a page a second at most, not hang it.
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": CACHE_URL,
            "KEY_PREFIX": "rn",
            "TIMEOUT": 300,
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# Inbound Referrals reuses a rendered page for up to this many seconds (60 at most) while nothing it shows
# has changed (referrals/inbound_cache.py); 0 turns that off.
INBOUND_PAGE_CACHE_SECONDS = env_int("INBOUND_PAGE_CACHE_SECONDS", 60)
# How many rendered parts each process keeps and reuses while what they print is unchanged (core.jinja2.keep: Inbound
# Referrals' rows, the lists' filter forms, the directory's result cards; ~5 KB each); 0 keeps none.
KEPT_RENDERINGS = env_int("KEPT_RENDERINGS", 2048, minimum=0)
# The public directory's pages (/find/) are kept this long and handed to the next visitor (find/cache.py); a
# change to a program, its organization or a category replaces them at once; 0 turns the cache off.
FIND_PAGE_CACHE_SECONDS = env_int("FIND_PAGE_CACHE_SECONDS", 60, minimum=0)
# The network scorecard page's figures are kept this long (reports.selectors.network_figures_kept; the beat
# recomputes the default period's every 4 minutes); 0 counts them on every view.
NETWORK_SCORECARD_SECONDS = env_int("NETWORK_SCORECARD_SECONDS", 300)
# An organization report's figures are kept at most this long and reused while the referrals they are made of are
# unchanged and no deadline among them has passed (reports.selectors.KeptFigures); a renamed program or person, or a
# program's new expected response time, shows within it. 0 computes them on every view.
ORGANIZATION_REPORT_KEPT_SECONDS = env_int("ORGANIZATION_REPORT_KEPT_SECONDS", 300, minimum=0)
# The organizations whose admins opened their report in this many days have its default period (the last 90 days)
# counted ahead by the worker, after each change to their referrals and each minute in the beat (reports.ahead), so
# that the page finds its figures kept; 0 counts none ahead.
ORGANIZATION_REPORT_AHEAD_DAYS = env_int("ORGANIZATION_REPORT_AHEAD_DAYS", 7, minimum=0)

# Celery: Redis when REDIS_URL is set; otherwise tasks run in-process when their transaction commits.
CELERY_BROKER_URL = REDIS_URL or "memory://"
CELERY_RESULT_BACKEND = None
CELERY_TASK_ALWAYS_EAGER = not REDIS_URL
CELERY_TASK_EAGER_PROPAGATES = False
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# Celery's Django fixup closes the database connection around every task unless this is set, which costs
# a new PostgreSQL connection per email; referrals_site/celery.py applies CONN_MAX_AGE after each task instead.
CELERY_DB_REUSE_MAX = 1000
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# A message not acknowledged within visibility_timeout is delivered again (to the broker and the results
# alike); notification retries are capped below it (NOTIFICATION_RETRY_MAX_SECONDS, checked at start-up).
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 3600, "socket_connect_timeout": 5, "socket_timeout": 10}
CELERY_RESULT_BACKEND_TRANSPORT_OPTIONS = {"visibility_timeout": 3600}
# Publishing while Redis is down gives up within about a second; the outbox sweep queues the row later.
CELERY_TASK_PUBLISH_RETRY_POLICY = {"max_retries": 2, "interval_start": 0, "interval_step": 0.3, "interval_max": 0.5}
CELERY_TIMEZONE = TIME_ZONE

EMAIL_BACKEND = env_str("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "Referral Network <no-reply@referrals.example>")
SITE_URL = env_str("SITE_URL", "http://127.0.0.1:8000")

# Text messages (sms): SMS_BACKEND chooses the sender as EMAIL_BACKEND does (console, locmem, Twilio).
SMS_BACKEND = env_str("SMS_BACKEND", "sms.backends.ConsoleBackend")
SMS_TIMEOUT = env_int("SMS_TIMEOUT", 15, minimum=1)  # seconds; must stay well below the send lease
SMS_MAX_ATTEMPTS = env_int("SMS_MAX_ATTEMPTS", 8, minimum=1)
SMS_RETRY_BASE_SECONDS = env_float("SMS_RETRY_BASE_SECONDS", 30)
SMS_RETRY_MAX_SECONDS = env_float("SMS_RETRY_MAX_SECONDS", 1800)
SMS_SEND_LEASE_SECONDS = env_int("SMS_SEND_LEASE_SECONDS", 120, minimum=1)
SMS_PENDING_GRACE_SECONDS = env_int("SMS_PENDING_GRACE_SECONDS", 300)
# No text is sent in these hours where the seeker lives (sms.quiet); "off": none.
SMS_QUIET_HOURS = env_str("SMS_QUIET_HOURS", "21:00-08:00")
TWILIO_ACCOUNT_SID = env_str("TWILIO_ACCOUNT_SID")
TWILIO_AUTH_TOKEN = env_str("TWILIO_AUTH_TOKEN")
TWILIO_FROM_NUMBER = env_str("TWILIO_FROM_NUMBER")
TWILIO_MESSAGING_SERVICE_SID = env_str("TWILIO_MESSAGING_SERVICE_SID")
# Twilio's API unless set (a gateway or proxy in front of it; the tests' loopback stand-in).
TWILIO_API_BASE_URL = env_str("TWILIO_API_BASE_URL")

# Phone numbers (core.phones): one without a country code is read in this region (ISO 3166 code).
PHONE_DEFAULT_REGION = env_choice("PHONE_DEFAULT_REGION", "US", tuple(sorted(phonenumbers.SUPPORTED_REGIONS)))
PHONENUMBER_DEFAULT_REGION = PHONE_DEFAULT_REGION  # django-phonenumber-field's name for it
EMAIL_TIMEOUT = env_int("EMAIL_TIMEOUT", 30, minimum=1)  # seconds; must stay well below the send lease

# Email delivery (a channel of core.outbox, see notifications.services): retries with exponential backoff and
# jitter.
NOTIFICATION_MAX_ATTEMPTS = env_int("NOTIFICATION_MAX_ATTEMPTS", 8, minimum=1)
NOTIFICATION_RETRY_BASE_SECONDS = env_float("NOTIFICATION_RETRY_BASE_SECONDS", 30)
NOTIFICATION_RETRY_MAX_SECONDS = env_float("NOTIFICATION_RETRY_MAX_SECONDS", 1800)
NOTIFICATION_SEND_LEASE_SECONDS = env_int("NOTIFICATION_SEND_LEASE_SECONDS", 300)
NOTIFICATION_PENDING_GRACE_SECONDS = env_int("NOTIFICATION_PENDING_GRACE_SECONDS", 300)
# Retention: a sent message's subject and bodies are cleared after this many days (0 keeps them); the row stays
# as the record that it was sent (core.outbox.clear_old_content, daily in the beat).
NOTIFICATION_BODY_RETENTION_DAYS = env_int("NOTIFICATION_BODY_RETENTION_DAYS", 30)

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "api.authentication.ApiTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    # JSON nested more than core.parsers.MAX_DEPTH levels is a 400, not a RecursionError.
    "DEFAULT_PARSER_CLASSES": [
        "core.parsers.JSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    # Every API list counts at most 1,000 rows: "count" stops there and "count_is_capped" says so.
    "DEFAULT_PAGINATION_CLASS": "core.pagination.CappedCountPagination",
    "PAGE_SIZE": 25,
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "api.exceptions.exception_handler",
    # Thin adapters over the one limiter (core.ratelimit); their rates are RATE_LIMITS' api_anon and api_user.
    "DEFAULT_THROTTLE_CLASSES": [
        "core.ratelimit.AnonRateLimitThrottle",
        "core.ratelimit.UserRateLimitThrottle",
    ],
    "NUM_PROXIES": NUM_PROXIES,  # the same rule for anything DRF decides itself
}

# OpenAPI at /api/schema/, rendered at /api/docs/ from drf-spectacular-sidecar's vendored Swagger UI
# (no CDN; the split view serves its script as a file, so a strict Content-Security-Policy holds).
SPECTACULAR_SETTINGS = {
    "TITLE": "Referral network API",
    "DESCRIPTION": "Seekers, programs and closed-loop referrals. Authenticate with `Authorization: Token <token>` "
    "(POST /api/v1/auth/token/; tokens expire, see `expiry`) or a signed-in session.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "COMPONENT_SPLIT_REQUEST": True,
    "SCHEMA_PATH_PREFIX": r"/api/v[0-9]+",
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "ENUM_NAME_OVERRIDES": {
        "ReferralStatusEnum": "referrals.statuses.Status",
        "ReferralReasonEnum": "referrals.statuses.Reason",
        "GoalStatusEnum": "goals.models.Goal.Status",
        "IntakeQuestionKindEnum": "programs.models.IntakeQuestion.Kind",
    },
}

# Webhooks (webhooks/): attempts before a delivery is marked failed (about two days with the backoff), an
# extra CA bundle for partners' certificates, and whether endpoints may be on private networks (on-premises
# deployments only).
WEBHOOK_MAX_ATTEMPTS = env_int("WEBHOOK_MAX_ATTEMPTS", 15, minimum=1)
# Backoff between attempts (doubling, with jitter): first delay and cap. Delays past the broker's visibility
# timeout are not Celery countdowns: the outbox sweep sends the row when it is due (core.outbox).
WEBHOOK_RETRY_BASE_SECONDS = env_float("WEBHOOK_RETRY_BASE_SECONDS", 30)
WEBHOOK_RETRY_MAX_SECONDS = env_float("WEBHOOK_RETRY_MAX_SECONDS", 6 * 3600)
WEBHOOK_CA_FILE = env_str("WEBHOOK_CA_FILE", "")
WEBHOOK_ALLOW_PRIVATE_NETWORKS = env_bool("WEBHOOK_ALLOW_PRIVATE_NETWORKS")

# The network's rules, in days.
# `make run` without Redis: the runserver process runs every beat sweep in-process this often (seconds; 0 =
# never). Only development settings switch it on (ops/management/commands/runserver.py).
SWEEPS_IN_PROCESS_SECONDS = 0
REFERRAL_EXPIRY_DAYS = env_int("REFERRAL_EXPIRY_DAYS", 30, minimum=1)
# Days after which an answered, open referral left in its status counts as stalled (referrals.stalls): the
# claimers are asked to confirm it then, the referrer is told at twice the time. A program may set its own.
STALL_DAYS = {
    "needs_client_action": env_int("STALL_DAYS_NEEDS_CLIENT_ACTION", 3, minimum=1),
    "waitlisted": env_int("STALL_DAYS_WAITLISTED", 14, minimum=1),
    "accepted": env_int("STALL_DAYS_ACCEPTED", 14, minimum=1),
    "in_service": env_int("STALL_DAYS_IN_SERVICE", 60, minimum=1),
}
FOLLOW_UP_AFTER_ACCEPTED_DAYS = env_int("FOLLOW_UP_AFTER_ACCEPTED_DAYS", 14, minimum=1)
EMAIL_LINK_MAX_AGE_DAYS = env_int("EMAIL_LINK_MAX_AGE_DAYS", 30, minimum=1)

LOG_LEVEL = env_choice("LOG_LEVEL", "INFO", ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"))
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": LOG_LEVEL},
    # ops.requests writes one line per request; production turns it on (see ops.logging).
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        "ops.requests": {"level": "WARNING"},
        # One line per in-process task would drown `make run` and seed_demo.
        "celery.app.trace": {"level": "WARNING"},
    },
}

# --- Sign-in and sessions (issue 6; see security/) ---------------------------------------------------------

# django-axes: lock the pair (username, IP address) so an attacker cannot lock a user out from everywhere.
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", 5, minimum=1)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("AXES_COOLOFF_MINUTES", 15))
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "security/locked_out.html"
# The page above, or the API's JSON error on the API token endpoint; 429 with Retry-After either way.
AXES_LOCKOUT_CALLABLE = "security.http.axes_lockout_response"
AXES_CLIENT_IP_CALLABLE = "core.client.client_address"
AXES_USERNAME_CALLABLE = "security.http.axes_username"
AXES_VERBOSE = False

# Multi-factor sign-in (django-otp): required for organization admins and superusers when enforced.
OTP_TOTP_ISSUER = env_str("OTP_TOTP_ISSUER", "Referral network")
MFA_REQUIRED_FOR_ADMINS = env_bool("MFA_REQUIRED_FOR_ADMINS", True)
# An invitation of someone who already has an account to join an organization is open this many days
# (accounts.services.organization_invitation_create).
ORGANIZATION_INVITATION_DAYS = env_int("ORGANIZATION_INVITATION_DAYS", 7, minimum=1, maximum=90)
# A link to confirm a new sign-in email (security.services.user_request_email_change) works for a day.
EMAIL_CHANGE_TIMEOUT = 24 * 3600
MFA_RECOVERY_CODE_COUNT = 10

# API tokens (django-rest-knox's AuthToken, with security.ApiToken beside each): `Authorization: Token <token>`,
# one per device (each POST /api/v1/auth/token/ issues another), stored as a hash, expiring API_TOKEN_TTL_HOURS
# after they are issued (never renewed by use: AUTO_REFRESH off, so a request writes nothing but the
# once-a-minute "last used"). api.authentication.ApiTokenAuthentication checks them.
API_TOKEN_TTL_HOURS = env_int("API_TOKEN_TTL_HOURS", 7 * 24, minimum=1, maximum=366 * 24)
# knox's own model, stated because migrations name it through this setting; not swapped (what we record beside
# each token is security.ApiToken, one to one).
KNOX_TOKEN_MODEL = "knox.AuthToken"
REST_KNOX = {
    "TOKEN_TTL": timedelta(hours=API_TOKEN_TTL_HOURS),
    "AUTO_REFRESH": False,
    "AUTH_HEADER_PREFIX": "Token",
}

# Sessions: idle and absolute timeouts (security.middleware.SessionTimeoutMiddleware).
SESSION_IDLE_TIMEOUT = env_int("SESSION_IDLE_TIMEOUT_SECONDS", 30 * 60, minimum=60)
SESSION_ABSOLUTE_TIMEOUT = env_int("SESSION_ABSOLUTE_TIMEOUT_SECONDS", 12 * 60 * 60, minimum=60)
SESSION_COOKIE_AGE = SESSION_ABSOLUTE_TIMEOUT
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True

# The one rate limiter (core.ratelimit): (requests, seconds) per client address unless its caller names
# another key (api_user: per user; email_link: per address and link; mfa_verify: per user and address).
RATE_LIMITS = {
    "sign_in": (20, 60),
    "password_reset": (5, 15 * 60),
    "mfa_verify": (10, 5 * 60),
    "email_link": (env_int("EMAIL_LINK_RATE_LIMIT", 30, minimum=1), 60),
    # The API: anonymous requests per address, signed-in ones per user, and POST /api/v1/auth/token/ (it
    # checks passwords: strict, per address).
    "api_anon": env_rate("API_THROTTLE_ANON", "60/minute"),
    "api_user": env_rate("API_THROTTLE_USER", "1200/minute"),
    "api_token": env_rate("API_THROTTLE_AUTH_TOKEN", "10/minute"),
    # The public HSDS API (/hsds/), per address: a reader pages through the directory.
    "hsds": env_rate("API_THROTTLE_HSDS", "300/minute"),
    # The public directory's "send this to my phone or email": per address typed, and per client address.
    "find_send_address": env_rate("FIND_SEND_LIMIT_PER_ADDRESS", "3/hour"),
    "find_send_client": env_rate("FIND_SEND_LIMIT_PER_CLIENT", "20/hour"),
    # The seeker's sign-in (/my/sign-in/): links and codes asked for, per address typed and per client; codes
    # tried, per address and per client.
    "seeker_sign_in_contact": env_rate("SEEKER_SIGN_IN_LIMIT_PER_ADDRESS", "5/hour"),
    "seeker_sign_in_client": env_rate("SEEKER_SIGN_IN_LIMIT_PER_CLIENT", "30/hour"),
    "seeker_code": env_rate("SEEKER_CODE_LIMIT", "10/minute"),
    # Asking a program for help (/find/programs/<id>/ask/): requests per address typed and per client.
    "self_referral_contact": env_rate("SELF_REFERRAL_LIMIT_PER_ADDRESS", "3/day"),
    "self_referral_client": env_rate("SELF_REFERRAL_LIMIT_PER_CLIENT", "10/hour"),
}
# The seeker's one-time sign-in link and code work this many minutes; a seeker's session ends after this many
# idle seconds (it is never a staff session: seeker_door.session).
SEEKER_SIGN_IN_MINUTES = env_int("SEEKER_SIGN_IN_MINUTES", 15, minimum=1, maximum=60)
# A request for help (self-referral) waits this many hours for its address to be confirmed, then is deleted.
SELF_REFERRAL_HOURS = 24
SEEKER_SESSION_IDLE_SECONDS = env_int("SEEKER_SESSION_IDLE_SECONDS", 30 * 60, minimum=60, maximum=4 * 60 * 60)

# Headers. django-csp 4.x format. No inline scripts or styles anywhere; htmx's config is a meta tag.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# Pages whose URL carries a secret (email links, password reset) never send a referrer to another site
# (security.middleware.ReferrerPolicyMiddleware says why not ``no-referrer``).
SECRET_URL_PATH_PREFIXES = ["/accounts/password/reset/", "/r/", "/account/email/confirm/", "/invitations/"]

# Bodies: 2.5 MB of form data at most; larger requests get a clean 413 (security.middleware).
DATA_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
DATA_UPLOAD_MAX_NUMBER_FIELDS = 1000

# /healthz?deep=1 fails when a periodic sweep last finished longer ago than this, or than twice its interval
# if that is longer (ops.sweeps): a stopped or stuck beat.
SWEEP_MAX_AGE_SECONDS = env_int("SWEEP_MAX_AGE_SECONDS", 900, minimum=60)

# Data rights: erase seekers with no activity for this many days (0 = keep until erased by an admin).
SEEKER_RETENTION_DAYS = env_int("SEEKER_RETENTION_DAYS", 0)
# Daily retention sweep (privacy.tasks). Merged into whatever schedule is defined above. Entries are named
# by what they sweep: `manage.py run_sweeps --only NAME` takes these names.
CELERY_BEAT_SCHEDULE = {
    **globals().get("CELERY_BEAT_SCHEDULE", {}),
    "retention": {"task": "privacy.tasks.erase_inactive_seekers", "schedule": 24 * 60 * 60},
    "seeker-sign-ins": {"task": "seeker_door.tasks.clear_expired_sign_ins", "schedule": 60 * 60},
    # The network scorecard's kept counts against a full recount: differences repaired and logged as errors.
    "scorecard-counts": {"task": "referrals.tasks.check_scorecard_counts", "schedule": 24 * 60 * 60},
}
LOGGING["loggers"]["axes"] = {"level": "WARNING"}  # noqa: F405 - one line per sign-in is noise; lockouts stay
