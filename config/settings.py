"""Settings for Cổng HTX, read from the environment.

A newcomer runs with no environment at all (SQLite, eager Celery, local-memory
cache, debug on). Production sets DJANGO_DEBUG=0 and must then provide a secret
key; every security setting switches on with it. `.env.example` lists every
variable.
"""

import json
import os
from datetime import timedelta
from pathlib import Path

import dj_database_url
from celery.schedules import crontab
from django.core.exceptions import ImproperlyConfigured

from config.deployment import beat_schedule, code_release
from portal.exports import SafeCSV, SafeXLSX

BASE_DIR = Path(__file__).resolve().parent.parent


def envbool(name: str, default: bool) -> bool:
    value = os.getenv(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def envint(name: str, default: int) -> int:
    value = os.getenv(name)
    return int(value) if value else default


def envlist(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.getenv(name, default).split(",") if item.strip()]


DEBUG = envbool("DJANGO_DEBUG", True)

SECRET_KEY = os.getenv("DJANGO_SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("DJANGO_SECRET_KEY must be set when DJANGO_DEBUG is off.")
    # Only ever used on a developer's machine: production refuses to start without a key.
    SECRET_KEY = "dev-only-insecure-key-do-not-use-in-production-0123456789abcdef"

ALLOWED_HOSTS = envlist("DJANGO_ALLOWED_HOSTS", "127.0.0.1,localhost,testserver" if DEBUG else "")
CSRF_TRUSTED_ORIGINS = envlist("DJANGO_CSRF_TRUSTED_ORIGINS")

# The one address every absolute link is built from (canonical, og:url, share links, feeds, sitemap, e-mails),
# whatever Host header a request came with: e.g. https://htx.example.vn. `check --deploy` warns when it is unset
# or not https (portal.checks).
PORTAL_SITE_URL = os.getenv("PORTAL_SITE_URL", "").strip().rstrip("/")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.contrib.sitemaps",
    "django.contrib.postgres",
    "django_filters",
    "import_export",
    "simple_history",
    # The open data API (opendata): Django REST framework, its OpenAPI 3 schema and the self-hosted Swagger UI files
    # (drf-spectacular-sidecar: no CDN), CORS headers for GET on the API and the bulk files.
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "corsheaders",
    # Ours: the kernel first, each app after the apps its rows point at (load_demo and seed_scale load each app's
    # demo and scale data in this order).
    "portal",
    "cooperatives",
    "directives",
    "fund",
    "public",
    "opendata",  # the public data as an API and bulk files (reads every app's public rows)
    "ops",  # operations: backups, health probe, demo and scale data, benchmarks (top floor, reads every app)
    # security: Content-Security-Policy, login lock-out, second factor (docs/security.md)
    "csp",
    "portal.security_apps.AxesConfig",
    "django_otp",
    "portal.security_apps.TOTPConfig",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "portal.middleware_security.PermissionsPolicyMiddleware",
    # A balancer's probe by address (Host: 10.0.0.5) gets /healthz before anything asks for the host name
    # (ops/health.py); the two above never do (/healthz is exempt from the HTTPS redirect).
    "ops.health.HealthzMiddleware",
    # CORS for the open data (CORS_URLS_REGEX below) only; it answers a preflight before anything else runs.
    "corsheaders.middleware.CorsMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "portal.middleware_security.PortalCSPMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "portal.middleware_security.RefusalLogMiddleware",
    # No LocaleMiddleware: the site has one language (LANGUAGES), which Django uses when none is activated; the
    # middleware only parsed Accept-Language and added "Vary: Accept-Language" to every page (docs/performance.md).
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "portal.middleware_security.SessionExpiryMiddleware",
    "portal.middleware_security.SecondFactorMiddleware",
    # Django's and simple-history's, doing their work only for requests that use it (portal/middleware.py).
    "portal.middleware.LazyMessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "portal.middleware.SignedInHistoryMiddleware",
    # Visit statistics are counted after the response, outside the admin and static files (public/middleware.py).
    "public.middleware.VisitCounterMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

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
                "portal.context_processors.site",
            ],
        },
    },
]

# Database: SQLite in the project for a newcomer, PostgreSQL (psycopg 3) when DATABASE_URL says so.
# conn_max_age + health checks: https://docs.djangoproject.com/en/5.2/ref/databases/#persistent-connections
DATABASE_URL = os.getenv("DATABASE_URL") or f"sqlite:///{BASE_DIR / 'db.sqlite3'}"
DATABASES = {
    "default": dj_database_url.parse(
        DATABASE_URL,
        conn_max_age=envint("DJANGO_CONN_MAX_AGE", 60),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # A file (not in-memory) test database, so that a real Celery worker process can open it.
    DATABASES["default"]["TEST"] = {"NAME": str(BASE_DIR / ".test_db.sqlite3")}
    DATABASES["default"]["OPTIONS"] = {"timeout": 20}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "portal.User"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "portal.security.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "start"  # /lam-viec/, which sends each role to its own start page
LOGOUT_REDIRECT_URL = "/"

# Vietnamese throughout; our own formats give dd/mm/yyyy and 1.500.000.
LANGUAGE_CODE = "vi"
LANGUAGES = [("vi", "Tiếng Việt")]
TIME_ZONE = "Asia/Ho_Chi_Minh"
USE_I18N = True
USE_TZ = True
FORMAT_MODULE_PATH = ["portal.formats"]

STATIC_URL = "/static/"
STATIC_ROOT = Path(os.getenv("DJANGO_STATIC_ROOT", BASE_DIR / "staticfiles"))
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(os.getenv("DJANGO_MEDIA_ROOT", BASE_DIR / "media"))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024
# Largest file a user may attach (documents, reports, news attachments).
PORTAL_MAX_UPLOAD_BYTES = envint("PORTAL_MAX_UPLOAD_BYTES", 20 * 1024 * 1024)
# Largest total a .docx/.xlsx/.odt may unpack to, read from its zip directory before opening (zip-bomb guard).
# Signed PDFs (portal.verify): extra trusted roots (PEM/DER files, e.g. the national roots of the public CA system,
# https://rootca.gov.vn) besides the TrustedRoot rows staff manage; fetching revocation data over the network is off
# unless PORTAL_VERIFY_FETCH=1 (revocation is checked soft-fail either way).
PORTAL_TRUST_ROOTS_DIR = os.getenv("PORTAL_TRUST_ROOTS_DIR", "")
PORTAL_VERIFY_FETCH = envbool("PORTAL_VERIFY_FETCH", False)
# The public check page /kiem-tra-chu-ky/: checks per IP per hour, and the largest PDF it reads.
PORTAL_SIGNATURE_CHECKS_PER_HOUR = envint("PORTAL_SIGNATURE_CHECKS_PER_HOUR", 20)
PORTAL_SIGNATURE_CHECK_MAX_BYTES = 10 * 1024 * 1024
PORTAL_MAX_UNZIPPED_BYTES = envint("PORTAL_MAX_UNZIPPED_BYTES", 150 * 1024 * 1024)
# Text of attachments (portal.extract), read by the worker after each upload. Pages and characters kept per file,
# rows read per sheet; a scanned page goes to Tesseract (Debian tesseract-ocr-vie), at most this many seconds a
# page; a PDF page with fewer visible characters than PORTAL_OCR_MIN_CHARS counts as scanned.
# https://tesseract-ocr.github.io/tessdoc/Command-Line-Usage.html
PORTAL_EXTRACT_MAX_PAGES = envint("PORTAL_EXTRACT_MAX_PAGES", 300)
PORTAL_EXTRACT_MAX_CHARS = envint("PORTAL_EXTRACT_MAX_CHARS", 2_000_000)
PORTAL_EXTRACT_MAX_ROWS = envint("PORTAL_EXTRACT_MAX_ROWS", 5_000)
PORTAL_OCR_PAGE_TIMEOUT = envint("PORTAL_OCR_PAGE_TIMEOUT", 120)
PORTAL_OCR_MIN_CHARS = envint("PORTAL_OCR_MIN_CHARS", 20)
PORTAL_OCR_LANGUAGES = os.getenv("PORTAL_OCR_LANGUAGES", "vie+eng")
# How much of a document's (or article's) attachments goes into its search_text, in all: about 15,000 words, far
# below PostgreSQL's 1 MB tsvector limit; the rest of a long file stays on the file, not searched.
PORTAL_SEARCH_ATTACHMENT_CHARS = envint("PORTAL_SEARCH_ATTACHMENT_CHARS", 100_000)

# Cache: Redis (REDIS_URL), shared by every process of every host. Production refuses to start without it, as
# without a secret key: a per-process memory cache would keep view counts, the content version and rate limits in
# each gunicorn worker, and pages would stay stale for minutes. A newcomer (DEBUG on) gets local memory.
REDIS_URL = os.getenv("REDIS_URL", "")
if not REDIS_URL and not DEBUG:
    raise ImproperlyConfigured(
        "REDIS_URL must be set when DJANGO_DEBUG is off: every process and host needs the same cache "
        '(e.g. REDIS_URL=redis://127.0.0.1:6379/0; docs/deploy.md, "Shared cache").'
    )
# The release this code is: PORTAL_RELEASE when the operator names it (e.g. the git tag), else a hash of the
# project's Python source and requirements.txt (config.deployment.code_release), so two hosts on the same checkout
# agree without being told. Cached values are keyed by it, so that during a rolling upgrade old and new code never
# unpickle each other's objects; what is only a number shared by every process (the content and named versions that
# signal a change, the poll limit per address, an import's progress) keeps one key for every release
# (PORTAL_CACHE_SHARED_KEYS, portal.cache.release_key), so an edit made through an old host still makes the new
# hosts' pages stale.
PORTAL_RELEASE = os.getenv("PORTAL_RELEASE", "").strip() or code_release(BASE_DIR)
PORTAL_CACHE_SHARED_KEYS = ("portal:content-version", "portal:version:", "portal:poll:", "cooperatives:import:")
_RELEASE_KEYS = {"KEY_PREFIX": f"release-{PORTAL_RELEASE}", "KEY_FUNCTION": "portal.cache.release_key"}
if REDIS_URL:
    CACHES = {"default": {"BACKEND": "portal.cache.RedisCache", "LOCATION": REDIS_URL, **_RELEASE_KEYS}}
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "htx"}}
# Redis down or slow must cost speed, not pages: portal.cache.RedisCache gives up after these socket timeouts
# (seconds; a cache's own OPTIONS may override them), answers as a miss, and the page is built from the database.
PORTAL_CACHE_CONNECT_TIMEOUT = float(os.getenv("PORTAL_CACHE_CONNECT_TIMEOUT", "0.25"))
PORTAL_CACHE_SOCKET_TIMEOUT = float(os.getenv("PORTAL_CACHE_SOCKET_TIMEOUT", "0.5"))
# /healthz shows what failed, and how, only to the local probe or to a caller sending this token (ops/health.py).
PORTAL_HEALTH_TOKEN = os.getenv("PORTAL_HEALTH_TOKEN", "")

# Counters (pending article views and daily visits, public/counters.py) are data waiting for the database, not a
# cache: in production they live on the durable Redis (noeviction, appendonly; docs/deploy.md, "Redis roles"), where
# neither a cache clear nor an eviction drops them. Unset, they share REDIS_URL (counted across processes, but a cache
# flush drops them); with neither, local memory of their own (one process: `make run`). Their keys carry no release:
# counts pending when a host is upgraded are flushed by the new code.
PORTAL_COUNTERS_REDIS_URL = os.getenv("PORTAL_COUNTERS_REDIS_URL", "") or REDIS_URL
if PORTAL_COUNTERS_REDIS_URL:
    CACHES["counters"] = {"BACKEND": "portal.cache.RedisCache", "LOCATION": PORTAL_COUNTERS_REDIS_URL}
else:
    CACHES["counters"] = {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "htx-counters"}

# Celery: with no broker configured tasks run eagerly in-process, so `make run` needs no Redis.
CELERY_BROKER_URL = os.getenv("CELERY_BROKER_URL", "")
CELERY_TASK_ALWAYS_EAGER = not CELERY_BROKER_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_RESULT_BACKEND = None
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_TIME_LIMIT = envint("CELERY_TASK_TIME_LIMIT", 30 * 60)
CELERY_TASK_SOFT_TIME_LIMIT = envint("CELERY_TASK_SOFT_TIME_LIMIT", 25 * 60)
CELERY_TIMEZONE = TIME_ZONE
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# Redis re-delivers a message a worker took but never acknowledged (killed, OOM) after visibility_timeout seconds;
# it must exceed the longest task (time limit above). JSON in the environment overrides it (the redelivery test
# lowers it to seconds).
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": 2 * 60 * 60,
    **json.loads(os.getenv("CELERY_BROKER_TRANSPORT_OPTIONS") or "{}"),
}
# A dead broker: connecting gives up after a second (a refused port fails at once), so a request that publishes
# (portal.tasks.publish_on_commit, with its own shorter retry policy) never hangs on it.
CELERY_BROKER_CONNECTION_TIMEOUT = 1.0
CELERY_BROKER_TRANSPORT_OPTIONS.setdefault("socket_connect_timeout", 1.0)
# Work a user's action left pending because the broker was down is published again by each app's sweep after
# this many minutes (public.tasks.sweep_contact_messages, cooperatives.tasks.sweep_import_jobs).
PORTAL_PUBLISH_SWEEP_MINUTES = envint("PORTAL_PUBLISH_SWEEP_MINUTES", 5)
# Publishing retries when Redis blips, instead of losing the message.
CELERY_TASK_PUBLISH_RETRY = True
CELERY_TASK_PUBLISH_RETRY_POLICY = {"max_retries": 5, "interval_start": 0.2, "interval_step": 0.5, "interval_max": 3}
# Defaults every task gets (portal.tasks.RELIABLE adds autoretry with exponential backoff for transient faults).
CELERY_TASK_ANNOTATIONS = {"*": {"max_retries": 5, "default_retry_delay": 30}}
# Periodic tasks; times are Asia/Ho_Chi_Minh (CELERY_TIMEZONE). PORTAL_BEAT_SCHEDULE (JSON) moves an entry's time
# (config.deployment.beat_schedule), e.g. {"directives-deadline-reminders": {"crontab": "0 8 * * *"}}.
CELERY_BEAT_SCHEDULE = {
    # Buffered article views and daily visits are written to their rows every minute (public/counters.py).
    "portal-flush-counters": {"task": "portal.flush_counters", "schedule": 60.0},
    # Each loan's figures at the end of the business day, a cache that as-of reports read (fund/reports.py).
    # What a user's action left pending while the broker was down (portal.tasks.publish_on_commit).
    "portal-sweep-contact-messages": {"task": "portal.sweep_contact_messages", "schedule": 5 * 60.0},
    "cooperatives-sweep-import-jobs": {"task": "cooperatives.tasks.sweep_import_jobs", "schedule": 5 * 60.0},
    "portal-sweep-issued-documents": {"task": "portal.sweep_issued_documents", "schedule": 5 * 60.0},
    # The open data's bulk files, rebuilt when what they are read from has changed (opendata.bulk.refresh).
    "opendata-refresh": {"task": "opendata.refresh", "schedule": 5 * 60.0},
    "fund-sweep-loan-snapshots": {"task": "fund.tasks.sweep_loan_snapshots", "schedule": 5 * 60.0},
    "fund-snapshot-portfolio": {"task": "fund.tasks.snapshot_portfolio", "schedule": crontab(hour=23, minute=50)},
    "cooperatives-congress-reminders": {
        "task": "cooperatives.tasks.send_congress_reminders",
        "schedule": crontab(hour=7, minute=0),
    },
    "directives-deadline-reminders": {
        "task": "directives.send_deadline_reminders",
        "schedule": crontab(hour=7, minute=0),
    },
    # Lock e-mails the broker could not take when the account was locked (portal.account_lock).
    "portal-login-lock-mails": {"task": "portal.email_login_locks", "schedule": 300.0},
    "directives-weekly-digest": {
        "task": "directives.send_weekly_digests",
        "schedule": crontab(hour=7, minute=30, day_of_week="mon"),
    },
    # What waits for the alliance's staff (reports to review, congresses and loans overdue, failed imports).
    "directives-staff-digest": {
        "task": "directives.send_staff_digests",
        "schedule": crontab(hour=7, minute=45, day_of_week="mon"),
    },
}
CELERY_BEAT_SCHEDULE = beat_schedule(CELERY_BEAT_SCHEDULE, os.getenv("PORTAL_BEAT_SCHEDULE", ""))
# One scheduler with a standby (docs/deploy.md, "One scheduler"): with a broker, beat keeps the schedule in Redis
# (celery-redbeat) and sends only while it holds a lock there, so `celery -A config beat` may run on two hosts; the
# second waits, and takes over within PORTAL_BEAT_LOCK_SECONDS + CELERY_BEAT_MAX_LOOP_INTERVAL of the first one dying
# (a stopped beat releases the lock at once). Entries removed from CELERY_BEAT_SCHEDULE are removed from Redis when
# beat starts. Without a broker tasks run eagerly and no beat runs.
# https://github.com/sibson/redbeat#configuration
if CELERY_BROKER_URL:
    CELERY_BEAT_SCHEDULER = "redbeat.RedBeatScheduler"
    CELERY_REDBEAT_REDIS_URL = os.getenv("PORTAL_BEAT_REDIS_URL", "") or CELERY_BROKER_URL
    CELERY_REDBEAT_REDIS_OPTIONS = {"socket_connect_timeout": 5, "socket_timeout": 10, "retry_period": 60}
    CELERY_REDBEAT_KEY_PREFIX = "cong-htx:beat:"
    # The lock is renewed at every tick, at most CELERY_BEAT_MAX_LOOP_INTERVAL seconds apart, so it must outlast
    # that (Celery 5.7 reads beat_max_loop_interval; beat_max_interval, which redbeat's README names, is ignored).
    CELERY_BEAT_MAX_LOOP_INTERVAL = envint("CELERY_BEAT_MAX_LOOP_INTERVAL", 10)
    CELERY_REDBEAT_LOCK_TIMEOUT = max(envint("PORTAL_BEAT_LOCK_SECONDS", 30), 2 * CELERY_BEAT_MAX_LOOP_INTERVAL)

# E-mail
EMAIL_BACKEND = os.getenv(
    "EMAIL_BACKEND",
    "django.core.mail.backends.console.EmailBackend" if DEBUG else "django.core.mail.backends.smtp.EmailBackend",
)
EMAIL_HOST = os.getenv("EMAIL_HOST", "localhost")
EMAIL_PORT = envint("EMAIL_PORT", 25)
EMAIL_HOST_USER = os.getenv("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.getenv("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = envbool("EMAIL_USE_TLS", False)
# Where django.core.mail.backends.filebased.EmailBackend writes (the broker fault test's worker uses it).
EMAIL_FILE_PATH = os.getenv("EMAIL_FILE_PATH") or None
DEFAULT_FROM_EMAIL = os.getenv("DEFAULT_FROM_EMAIL", "Cổng HTX <no-reply@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# ---------------------------------------------------------------------------------------------------------------
# Security (docs/security.md). Behind a reverse proxy (nginx, deploy/nginx/) that terminates TLS and sets
# X-Forwarded-Proto and X-Forwarded-For.
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
USE_X_FORWARDED_HOST = envbool("DJANGO_USE_X_FORWARDED_HOST", False)
# How many proxies we trust to append to X-Forwarded-For, and their addresses or networks (10.0.0.0/8), e.g. nginx
# and a load balancer in front of it: "127.0.0.1,::1,10.0.0.0/8" with a count of 2 (portal.security.client_ip).
PORTAL_TRUSTED_PROXY_COUNT = envint("PORTAL_TRUSTED_PROXY_COUNT", 1)
PORTAL_TRUSTED_PROXIES = envlist("PORTAL_TRUSTED_PROXIES", "127.0.0.1,::1")

SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
# Idle expiry: a session lives this long after its last activity (portal.middleware_security refreshes it at most
# every 5 minutes, so pages do not write the session on every request). Absolute expiry: logged out this long
# after logging in, however active.
SESSION_COOKIE_AGE = envint("DJANGO_SESSION_COOKIE_AGE", 30 * 60)
PORTAL_SESSION_REFRESH_SECONDS = 5 * 60
PORTAL_SESSION_ABSOLUTE_SECONDS = envint("PORTAL_SESSION_ABSOLUTE_SECONDS", 10 * 60 * 60)

if not DEBUG:
    # https://docs.djangoproject.com/en/5.2/howto/deployment/checklist/
    SECURE_SSL_REDIRECT = envbool("DJANGO_SECURE_SSL_REDIRECT", True)
    SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
    SECURE_HSTS_SECONDS = envint("DJANGO_HSTS_SECONDS", 31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    CSRF_COOKIE_HTTPONLY = True
    # __Host- cookies: Secure, path /, no Domain: a sibling subdomain cannot set or read them.
    SESSION_COOKIE_NAME = "__Host-sessionid"
    CSRF_COOKIE_NAME = "__Host-csrftoken"

# Content-Security-Policy (django-csp 4): nothing inline, nothing from elsewhere. The admin gets a per-path
# exception for inline styles (portal.middleware_security.PortalCSPMiddleware).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "frame-ancestors": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
    }
}

# Lock-out after repeated failed logins (django-axes), per username AND client address, so that nobody can lock
# another person out from elsewhere; the address is the one nginx saw (portal.security.client_ip).
AUTHENTICATION_BACKENDS = ["portal.security.AxesBackend", "django.contrib.auth.backends.ModelBackend"]
AXES_FAILURE_LIMIT = envint("PORTAL_LOGIN_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = timedelta(minutes=envint("PORTAL_LOGIN_COOLOFF_MINUTES", 15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_CLIENT_IP_CALLABLE = "portal.security.client_ip"
AXES_LOCKOUT_CALLABLE = "portal.security.lockout_response"
AXES_RESET_ON_SUCCESS = True
AXES_DISABLE_ACCESS_LOG = True  # portal.SecurityEvent logs logins
AXES_USERNAME_FORM_FIELD = "username"
# Per-username ceiling (portal.account_lock): this many failed password logins for one account within the window,
# from any addresses, lock that account's password login until an administrator unlocks it, and the alliance's
# administrators are e-mailed. Counted from the security log in the database, so a cache flush cannot reset it.
PORTAL_ACCOUNT_FAILURE_LIMIT = envint("PORTAL_ACCOUNT_FAILURE_LIMIT", 30)
PORTAL_ACCOUNT_FAILURE_WINDOW = timedelta(minutes=envint("PORTAL_ACCOUNT_FAILURE_WINDOW_MINUTES", 60))

# Second factor (django-otp, TOTP): required for superusers; staff may enrol (then it is required for them too).
PORTAL_OTP_REQUIRED_FOR_SUPERUSERS = envbool("PORTAL_OTP_REQUIRED_FOR_SUPERUSERS", True)
# A superuser without a device may enrol one from the web only while DEBUG is on; in production an operator
# enrols it with `manage.py enrol_totp <username>` (docs/security.md).
PORTAL_OTP_SELF_ENROL_SUPERUSERS = envbool("PORTAL_OTP_SELF_ENROL_SUPERUSERS", DEBUG)
OTP_TOTP_ISSUER = "Cổng HTX"

# Backups (manage.py backup / restore).
PORTAL_BACKUP_DIR = Path(os.getenv("PORTAL_BACKUP_DIR", BASE_DIR / "backups"))
# ---------------------------------------------------------------------------------------------------------------

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": os.getenv("DJANGO_LOG_LEVEL", "INFO")},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        # WeasyPrint logs every rendering step at INFO; only its warnings (e.g. a refused URL) matter.
        "weasyprint": {"level": "WARNING"},
        "fontTools": {"level": "WARNING"},
    },
}

# Digital signatures (portal.signing, portal.keystore; docs/security.md). PORTAL_KEYSTORE_KEY: one or more Fernet
# keys (comma-separated; the first encrypts, all decrypt) wrapping the agencies' PKCS#12 files at rest; unset, a key
# derived from SECRET_KEY. PORTAL_TSA_URL: an RFC 3161 timestamp authority; set, signatures are PAdES B-T.
PORTAL_KEYSTORE_KEY = os.getenv("PORTAL_KEYSTORE_KEY", "")
PORTAL_TSA_URL = os.getenv("PORTAL_TSA_URL", "").strip()
PORTAL_TSA_TIMEOUT = envint("PORTAL_TSA_TIMEOUT", 10)
# Signing attempts (right or wrong passphrase) one account may make per 10 minutes.
PORTAL_SIGN_ATTEMPTS = envint("PORTAL_SIGN_ATTEMPTS", 10)

# Shown on the login page and printed by `load_demo` only while DEBUG is on.
DEMO_PASSWORD = os.getenv("PORTAL_DEMO_PASSWORD", "demo-HTX-2022")

CSRF_FAILURE_VIEW = "portal.errors.csrf_failure"

# Public site: limits per visitor.
# Poll: votes accepted per poll from one (hashed) IP address within the window, for browsers without the cookie.
PORTAL_POLL_VOTES_PER_IP = envint("PORTAL_POLL_VOTES_PER_IP", 5)
PORTAL_POLL_IP_WINDOW = envint("PORTAL_POLL_IP_WINDOW", 24 * 3600)
# Contact form: messages accepted per (hashed) IP address per hour.
PORTAL_CONTACT_PER_HOUR = envint("PORTAL_CONTACT_PER_HOUR", 5)

# Scale-out and benchmarks (docs/performance.md). Every switch is off unless its variable is set.
# A bare view at /_bench/bare for `make bench`'s baseline. Never on in production.
# Open data (opendata, docs/opendata.md): a read-only API for anonymous clients at /api/v1/ and bulk files at
# /du-lieu-mo/. Any origin may read them (no cookie is sent or read), with GET only.
# https://github.com/adamchainz/django-cors-headers#configuration
CORS_URLS_REGEX = r"^/(api/v1|du-lieu-mo)/.*$"
CORS_ALLOW_ALL_ORIGINS = True
CORS_ALLOW_CREDENTIALS = False
CORS_ALLOW_METHODS = ("GET", "HEAD", "OPTIONS")
CORS_ALLOW_HEADERS = ("accept", "if-none-match", "if-modified-since")  # a conditional GET, nothing else
CORS_EXPOSE_HEADERS = ("ETag", "Last-Modified", "Retry-After")
CORS_PREFLIGHT_MAX_AGE = 86400
# Requests per client address (portal.security.client_ip) per minute to the API; over it, a 429 in Vietnamese and
# English with Retry-After.
PORTAL_API_REQUESTS_PER_MINUTE = envint("PORTAL_API_REQUESTS_PER_MINUTE", 120)
REST_FRAMEWORK = {
    # Anonymous and read-only: no session, so no CSRF and nobody sees more than the public does.
    "DEFAULT_AUTHENTICATION_CLASSES": [],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.AllowAny"],
    "UNAUTHENTICATED_USER": None,
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": [],
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_PAGINATION_CLASS": "opendata.rest.Pages",
    "DEFAULT_THROTTLE_CLASSES": ["opendata.rest.PerClient"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "opendata.rest.exception_handler",
    "COERCE_DECIMAL_TO_STRING": False,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "API dữ liệu mở - Cổng HTX",
    "DESCRIPTION": (
        "Dữ liệu công khai của Liên minh Hợp tác xã tỉnh: hợp tác xã và tổ hợp tác, văn bản, tin tức, kết quả thăm dò, "
        "số liệu công khai của Quỹ hỗ trợ phát triển HTX, đơn vị hành chính và cơ quan. Chỉ đọc, không cần đăng nhập. "
        "Giấy phép: Creative Commons Attribution 4.0 (CC BY 4.0), ghi nguồn Liên minh HTX tỉnh. "
        f"Giới hạn: {PORTAL_API_REQUESTS_PER_MINUTE} yêu cầu mỗi phút cho mỗi địa chỉ; vượt quá trả về mã 429 kèm "
        "Retry-After (số giây phải chờ)."
    ),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SERVE_AUTHENTICATION": [],
    "SERVE_PERMISSIONS": ["rest_framework.permissions.AllowAny"],
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "SCHEMA_PATH_PREFIX": "/api/v1",
    "ENUM_NAME_OVERRIDES": {},
    "DISABLE_ERRORS_AND_WARNINGS": False,
}

PORTAL_BENCH_ENDPOINTS = envbool("PORTAL_BENCH_ENDPOINTS", False)

# PostgreSQL read replica: reads go there but for what must see the latest commit (config/routers.py): a client's
# reads for PORTAL_REPLICA_PIN_SECONDS after it posted (a cookie carries the pin across the redirect), Celery tasks,
# caches rebuilt right after a change, accounts, sessions and sign-in security. The pin must outlast the lag
# (/healthz shows it). https://github.com/jbalogh/django-multidb-router
DATABASE_REPLICA_URL = os.getenv("DATABASE_REPLICA_URL", "")
PORTAL_REPLICA_PIN_SECONDS = envint("PORTAL_REPLICA_PIN_SECONDS", 5)
if DATABASE_REPLICA_URL:
    DATABASES["replica"] = dj_database_url.parse(
        DATABASE_REPLICA_URL, conn_max_age=envint("DJANGO_CONN_MAX_AGE", 60), conn_health_checks=True
    )
    DATABASES["replica"].setdefault("OPTIONS", {})["connect_timeout"] = 3  # a dead replica costs 3 s, then is skipped
    # Tests have no second server: the replica alias reads the test database itself.
    DATABASES["replica"]["TEST"] = {"MIRROR": "default"}
    DATABASE_ROUTERS = ["config.routers.PrimaryReplicaRouter"]
    REPLICA_DATABASES = ["replica"]
    MIDDLEWARE.insert(1, "multidb.middleware.PinningRouterMiddleware")
    MULTIDB_PINNING_COOKIE = "htx_pin"
    MULTIDB_PINNING_SECONDS = PORTAL_REPLICA_PIN_SECONDS
    MULTIDB_PINNING_COOKIE_HTTPONLY = True
    MULTIDB_PINNING_COOKIE_SECURE = not DEBUG
    MULTIDB_PINNING_COOKIE_SAMESITE = "Lax"

# Uploads on S3-compatible object storage (MinIO, Ceph, SeaweedFS, AWS, Viettel/FPT cloud) through django-storages,
# so several web hosts and workers see the same files (docs/deploy.md, "Object storage"). Two buckets, each switched
# on by its name: the public media, linked same-origin at /media/ and served by the site's nginx from the bucket's
# AWS_LOCATION prefix; the private files, which only signed requests of this application read. Static files stay
# with whitenoise on each host.
AWS_STORAGE_BUCKET_NAME = os.getenv("AWS_STORAGE_BUCKET_NAME", "")
PORTAL_PRIVATE_BUCKET_NAME = os.getenv("PORTAL_PRIVATE_BUCKET_NAME", "")
_S3_CONNECTION = {
    "endpoint_url": os.getenv("AWS_S3_ENDPOINT_URL") or None,
    "region_name": os.getenv("AWS_S3_REGION_NAME") or None,
    "access_key": os.getenv("AWS_ACCESS_KEY_ID") or None,
    "secret_key": os.getenv("AWS_SECRET_ACCESS_KEY") or None,
    "addressing_style": os.getenv("AWS_S3_ADDRESSING_STYLE") or None,  # "path" for most S3-compatible servers
    "signature_version": "s3v4",
    "default_acl": None,  # the bucket's policy decides, never an object's ACL
    "file_overwrite": False,
}
if AWS_STORAGE_BUCKET_NAME:
    STORAGES["default"] = {
        "BACKEND": "portal.s3storage.PublicMediaStorage",
        "OPTIONS": {
            **_S3_CONNECTION,
            "bucket_name": AWS_STORAGE_BUCKET_NAME,
            "location": os.getenv("AWS_LOCATION", "media"),
        },
    }
# Private files: a bucket of their own when named (every request signed, never a custom domain: portal.checks
# refuses anything else), else PORTAL_PRIVATE_MEDIA_ROOT below on this host's disk.
if PORTAL_PRIVATE_BUCKET_NAME:
    STORAGES["private"] = {
        "BACKEND": "portal.s3storage.PrivateS3Storage",
        "OPTIONS": {
            **_S3_CONNECTION,
            "bucket_name": PORTAL_PRIVATE_BUCKET_NAME,
            "location": os.getenv("PORTAL_PRIVATE_LOCATION", ""),
            "custom_domain": None,
            "querystring_auth": True,
            "querystring_expire": 300,
        },
    }
else:
    STORAGES["private"] = {"BACKEND": "portal.storage.PrivateFileSystemStorage"}

# Several web hosts share sessions through the database (the default) or, with this, through Redis.
if REDIS_URL and envbool("DJANGO_SESSIONS_IN_CACHE", False):
    SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"

LOGGING["loggers"]["axes.apps"] = {"level": "WARNING"}  # no start-up banner on every manage.py command
# django-import-export lets every staff member who reaches the admin import and export any model unless these are
# set: importing needs the model's "add" right, exporting its "view" right (an editor must not export the loan book).
# https://django-import-export.readthedocs.io/en/latest/installation.html (settings)
IMPORT_EXPORT_IMPORT_PERMISSION_CODE = "add"
IMPORT_EXPORT_EXPORT_PERMISSION_CODE = "view"
# Admin exports come only as csv and xlsx, through portal.exports, which quotes any text cell that would run as a
# formula (= + - @). The library's own IMPORT_EXPORT_ESCAPE_FORMULAE_ON_EXPORT stays off: it turns every cell into
# text, so amounts would reach Excel as text that does not add up.
EXPORT_FORMATS = [SafeCSV, SafeXLSX]
# Tests and CI smoke runs skip gzip/brotli pre-compression of static files (slow); production keeps it.
if not DEBUG and not envbool("DJANGO_STATIC_COMPRESS", True):
    STORAGES["staticfiles"]["BACKEND"] = "django.contrib.staticfiles.storage.ManifestStaticFilesStorage"

# Directives and reports.
# Report attachments are private: stored outside MEDIA_ROOT and served only by a view that checks the agency.
PORTAL_PRIVATE_MEDIA_ROOT = Path(os.getenv("PORTAL_PRIVATE_MEDIA_ROOT", BASE_DIR / "media-private"))
# Days before a deadline when agencies get their "due soon" reminder.
PORTAL_REMINDER_DAYS_BEFORE = envint("PORTAL_REMINDER_DAYS_BEFORE", 5)
# The drafting unit in the symbol of the alliance's letters ("VP" in 12/LMHTX-VP, Nghị định 30/2020/NĐ-CP, Phụ lục
# III); the letter form shows it as its default and the reviewer may change it per letter.
PORTAL_LETTER_DRAFTING_CODE = os.getenv("PORTAL_LETTER_DRAFTING_CODE", "VP")
# The province the alliance serves today, by the statistics office's code (96: Cà Mau, which Bạc Liêu joined on
# 01/7/2025); `manage.py load_units` loads it and its communes (portal.units2025, docs/units.md).
PORTAL_PROVINCE_CODE = envint("PORTAL_PROVINCE_CODE", 96)
