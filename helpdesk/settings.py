"""Scopedesk settings, read from environment variables.

The defaults give the embedded set-up: a SQLite file under var/ and Celery tasks
run in-process. Production sets DATABASE_URL, REDIS_URL, SECRET_KEY and friends.
A bad value stops start-up with a message that names the variable.
"""

from __future__ import annotations

import logging
import os
import secrets
from datetime import timedelta
from ipaddress import IPv4Network, IPv6Network, ip_network
from pathlib import Path
from urllib.parse import urlsplit

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _
from kombu import Exchange, Queue

from helpdesk.mailboxes import EXAMPLE as MAILBOX_EXAMPLE
from helpdesk.mailboxes import parse_mailbox_url, split_mailbox_urls, without_password

BASE_DIR = Path(__file__).resolve().parent.parent


def env_str(name: str, default: str) -> str:
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
    raise ImproperlyConfigured(f"{name}={raw!r}: expected true/false, 1/0, yes/no or on/off")


def env_int(name: str, default: int, *, minimum: int | None = None) -> int:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name}={raw!r}: expected a whole number") from None
    if minimum is not None and value < minimum:
        raise ImproperlyConfigured(f"{name}={raw!r}: must be at least {minimum}")
    return value


def env_list(name: str, default: str) -> list[str]:
    return [item.strip() for item in env_str(name, default).split(",") if item.strip()]


def env_url(
    name: str, default: str, *, schemes: tuple[str, ...], example: str, query: bool = True
) -> str:
    """A URL with one of the schemes and a host (for unix://, a socket path). A
    wrong one would otherwise fail only when first used: at the first cache
    access, or in a link in a customer's e-mail."""
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    try:
        parts = urlsplit(raw)
        _ = parts.port  # a port that is no number raises
    except ValueError:
        parts = None
    if (
        parts is None
        or parts.scheme not in schemes
        or not (parts.path if parts.scheme == "unix" else parts.netloc)
        or (not query and (parts.query or parts.fragment))
        or any(c.isspace() for c in raw)
    ):
        expected = " or ".join(f"{scheme}://" for scheme in schemes)
        plain = "" if query else ", without ?query or #fragment"
        raise ImproperlyConfigured(
            f"{name}={raw!r}: expected a URL like {example} ({expected}{plain})"
        )
    return raw


def env_mailbox_urls(name: str) -> list[str]:
    """IMAP URLs separated by whitespace or commas, each checked now: a mailbox
    that cannot be read would otherwise be found out only by the first poll."""
    urls = split_mailbox_urls(env_str(name, ""))
    for number, raw in enumerate(urls, start=1):
        try:
            parse_mailbox_url(raw)
        except ValueError as exc:
            raise ImproperlyConfigured(
                f"{name}: URL {number} ({without_password(raw)!r}): {exc}; expected a URL "
                f"like {MAILBOX_EXAMPLE}, several separated by spaces or commas"
            ) from None
    return urls


def env_networks(name: str, default: str) -> list[IPv4Network | IPv6Network]:
    """Addresses or networks, comma-separated: 127.0.0.1,::1,10.0.0.0/8."""
    try:
        return [ip_network(item, strict=False) for item in env_list(name, default)]
    except ValueError as exc:
        raise ImproperlyConfigured(
            f"{name}={os.environ.get(name)!r}: expected addresses or networks "
            f"separated by commas, like 127.0.0.1,::1,10.0.0.0/8 ({exc})"
        ) from None


def env_log_level(name: str, default: str) -> str:
    raw = env_str(name, "") or default
    level = raw.strip().upper()
    if level not in logging.getLevelNamesMapping():
        raise ImproperlyConfigured(
            f"{name}={raw!r}: expected a logging level: DEBUG, INFO, WARNING, ERROR or CRITICAL"
        )
    return level


def local_secret_key(path: Path) -> str:
    """The key of a DEBUG desk without SECRET_KEY: made at random once and kept in
    var/, so logins survive the development server's restarts. Linking a finished
    file into place never overwrites: when two processes start at once (the
    autoreloader and its child), both read the one that won."""
    try:
        return path.read_text().strip()
    except FileNotFoundError:
        pass
    path.parent.mkdir(exist_ok=True)
    draft = path.with_name(f"{path.name}.{os.getpid()}")
    draft.write_text(secrets.token_urlsafe(50))
    draft.chmod(0o600)
    try:
        os.link(draft, path)
    except FileExistsError:
        pass
    finally:
        draft.unlink()
    return path.read_text().strip()


DEBUG = env_bool("DEBUG", False)
# Offer links, sessions and password resets are signed with this key: a key that
# anyone can read in the repository would let them accept any pending offer.
SECRET_KEY = env_str("SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "SECRET_KEY is not set: give it a long random value, e.g. the output of "
            "python -c 'import secrets; print(secrets.token_urlsafe(50))' "
            "(or set DEBUG=1 on a development desk, which keeps a random key in var/)"
        )
    SECRET_KEY = local_secret_key(BASE_DIR / "var" / "secret_key")
# The proxies in front of the desk that add X-Forwarded-For: in production one, a
# TLS proxy that passes the Host header on; 0 when clients reach the desk directly.
TRUSTED_PROXY_COUNT = env_int(
    "TRUSTED_PROXY_COUNT", 1 if env_bool("SCOPEDESK_PRODUCTION", False) else 0, minimum=0
)
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost,testserver")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", "")
# Links in e-mails are this plus a path, f"{SITE_URL}/offers/...": no trailing
# slash, and nothing after the path.
SITE_URL = env_url(
    "SITE_URL",
    "http://127.0.0.1:8000",
    schemes=("https", "http"),
    example="https://desk.example.com",
    query=False,
).rstrip("/")

INSTALLED_APPS = [
    "helpdesk.admin_site.ScopedeskAdminConfig",  # django.contrib.admin, for leads and admins
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "rest_framework",
    "rest_framework.authtoken",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "simple_history",
    "csp",
    "axes",
    "django_prometheus",
    "contracts",
    "tickets",
]

MIDDLEWARE = [
    # /healthz, /readyz and /metrics, answered before the host check and the
    # HTTPS redirect (helpdesk/health.py).
    "helpdesk.health.ProbeMiddleware",
    "django_prometheus.middleware.PrometheusBeforeMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "tickets.accounts.ContactLanguageMiddleware",
    # Before any view reads the body (CSRF reads the form in process_view, which
    # runs after this), and after the language is the contact's: its page is read.
    "tickets.attachments.UploadLimitMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_prometheus.middleware.PrometheusAfterMiddleware",
    # Last, as django-axes asks: it turns a locked-out login into a clear page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "helpdesk.urls"
WSGI_APPLICATION = "helpdesk.wsgi.application"

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
                "django.template.context_processors.i18n",
            ],
        },
    },
]

_default_database = f"sqlite:///{BASE_DIR / 'var' / 'scopedesk.sqlite3'}"
_database_url = env_str("DATABASE_URL", _default_database)
try:
    DATABASES = {
        "default": dj_database_url.parse(_database_url, conn_max_age=env_int("CONN_MAX_AGE", 60))
    }
except (ValueError, dj_database_url.UnknownSchemeError) as exc:
    raise ImproperlyConfigured(f"DATABASE_URL={_database_url!r}: {exc}") from None
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    (BASE_DIR / "var").mkdir(exist_ok=True)
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"]["OPTIONS"] = {
        # WAL lets the server read while a write is in progress.
        "init_command": "PRAGMA journal_mode=WAL;",
        # One writer at a time: a write transaction takes the lock at BEGIN and
        # waits its turn for up to 20 s. Taken later, at the first write, a
        # transaction that had read an older state fails at once with "database
        # is locked" (two customers rating or replying at the same moment).
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }
    # The tests run on a file too: an in-memory database behaves otherwise under
    # parallel writes (one shared cache, table locks that never wait).
    DATABASES["default"]["TEST"] = {"NAME": str(BASE_DIR / "var" / "test-scopedesk.sqlite3")}
    # The reports' covering indexes (tickets 0019) carry their extra columns on
    # PostgreSQL; SQLite makes plain indexes of them, as intended, not a problem.
    SILENCED_SYSTEM_CHECKS = ["models.W040"]
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Argon2id, as OWASP advises: memory-hard, so a stolen hash is dearer to crack
# on GPUs than PBKDF2's, and about half PBKDF2's CPU per login here. Hashes made
# with PBKDF2 still check, and are rehashed at the next login.
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

LANGUAGE_CODE = "en"
LANGUAGES = [
    ("en", _("English")),
    ("ru", _("Russian")),
    ("fi", _("Finnish")),
    ("lv", _("Latvian")),
]
LOCALE_PATHS = [BASE_DIR / "locale"]
# The desk's own time zone: what staff pages show. Customers see their own.
TIME_ZONE = env_str("TIME_ZONE", "Europe/Helsinki")
FORMAT_MODULE_PATH = ["helpdesk.formats"]
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
# Where collectstatic writes what the app serves (whitenoise) with DEBUG off.
STATIC_ROOT = Path(env_str("STATIC_ROOT", str(BASE_DIR / "var" / "static")))
STATICFILES_DIRS = [BASE_DIR / "static"]
# Customers' attachments live outside any served folder; only the download view,
# which checks who may see the ticket, reads them.
ATTACHMENTS_DIR = Path(env_str("ATTACHMENTS_DIR", str(BASE_DIR / "var" / "attachments")))
ATTACHMENT_MAX_BYTES = env_int("ATTACHMENT_MAX_BYTES", 10 * 1024 * 1024)
ATTACHMENTS_PER_TICKET = env_int("ATTACHMENTS_PER_TICKET", 20)
# Django stops reading a request at the first file more than a ticket may have;
# tickets.attachments.UploadLimitMiddleware refuses a larger body than a ticket's
# files may be together (ATTACHMENT_MAX_BYTES × ATTACHMENTS_PER_TICKET, plus
# DATA_UPLOAD_MAX_MEMORY_SIZE for the other fields) and says so kindly.
DATA_UPLOAD_MAX_NUMBER_FILES = ATTACHMENTS_PER_TICKET
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if not DEBUG
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG

# A development desk (DEBUG) writes its e-mail to files in var/mail/, one per
# message, rather than to the terminal, where it would bury the server's log.
EMAIL_BACKEND = env_str(
    "EMAIL_BACKEND",
    "django.core.mail.backends.filebased.EmailBackend"
    if DEBUG
    else "django.core.mail.backends.console.EmailBackend",
)
EMAIL_FILE_PATH = Path(env_str("EMAIL_FILE_PATH", str(BASE_DIR / "var" / "mail")))
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "support@scopedesk.example")
EMAIL_HOST = env_str("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25, minimum=1)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
EMAIL_USE_SSL = env_bool("EMAIL_USE_SSL", False)
if EMAIL_USE_TLS and EMAIL_USE_SSL:
    raise ImproperlyConfigured("EMAIL_USE_TLS and EMAIL_USE_SSL: set one of them, not both")
EMAIL_TIMEOUT = env_int("EMAIL_TIMEOUT", 30, minimum=1)
# A worker claims a message for this long before sending it; if the worker dies,
# the sweep takes the message again once the claim has run out. Longer than a
# send can take, or a slow send would be sent twice.
EMAIL_SEND_LEASE_SECONDS = env_int("EMAIL_SEND_LEASE_SECONDS", 120, minimum=1)
if EMAIL_SEND_LEASE_SECONDS <= EMAIL_TIMEOUT:
    raise ImproperlyConfigured(
        f"EMAIL_SEND_LEASE_SECONDS={EMAIL_SEND_LEASE_SECONDS}: must be longer than "
        f"EMAIL_TIMEOUT ({EMAIL_TIMEOUT} seconds)"
    )

# Incoming e-mail: IMAP mailboxes polled by beat (tickets/inbound/imap.py).
INBOUND_IMAP_URLS = env_mailbox_urls("INBOUND_IMAP_URL")
INBOUND_IMAP_POLL_SECONDS = env_int("INBOUND_IMAP_POLL_SECONDS", 60, minimum=1)
INBOUND_IMAP_TIMEOUT = env_int("INBOUND_IMAP_TIMEOUT", 30, minimum=1)
# Messages fetched in one IMAP command; a poll goes on batch after batch.
INBOUND_IMAP_BATCH = env_int("INBOUND_IMAP_BATCH", 20, minimum=1)
# Where a message goes once the desk has it; created when missing.
INBOUND_IMAP_PROCESSED_FOLDER = env_str("INBOUND_IMAP_PROCESSED_FOLDER", "") or "Processed"
for _url in INBOUND_IMAP_URLS:
    if parse_mailbox_url(_url).folder == INBOUND_IMAP_PROCESSED_FOLDER:
        # Moved into the folder it was taken from, a message would be taken again.
        raise ImproperlyConfigured(
            f"INBOUND_IMAP_PROCESSED_FOLDER={INBOUND_IMAP_PROCESSED_FOLDER!r}: the folder "
            f"{without_password(_url)!r} is polled; processed messages must go elsewhere"
        )

# Celery: Redis in production; without REDIS_URL tasks run in-process.
# E-mail in (tickets/services/inbound.py): where replies come back to, the desk's
# own addresses (never answered automatically), how long a closed ticket reopens
# on a reply, and how many automatic replies one sender gets an hour.
SUPPORT_REPLY_TO = env_str("SUPPORT_REPLY_TO", "") or DEFAULT_FROM_EMAIL
SUPPORT_ADDRESSES = [
    address.lower()
    for address in [*env_list("SUPPORT_ADDRESSES", ""), DEFAULT_FROM_EMAIL, SUPPORT_REPLY_TO]
]
REOPEN_DAYS = env_int("REOPEN_DAYS", 14, minimum=0)
MAIL_AUTO_REPLIES_PER_HOUR = env_int("MAIL_AUTO_REPLIES_PER_HOUR", 5, minimum=0)

REDIS_URL = env_url(
    "REDIS_URL", "", schemes=("redis", "rediss", "unix"), example="redis://redis:6379/0"
)
# redis-py (the cache) names a socket unix:///path; Celery's kombu redis+socket:///path.
CELERY_BROKER_URL = (
    f"redis+socket://{REDIS_URL.removeprefix('unix://')}"
    if REDIS_URL.startswith("unix://")
    else REDIS_URL or "memory://"
)
CELERY_RESULT_BACKEND = None
CELERY_TASK_ALWAYS_EAGER = not REDIS_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
# The ceiling for any task; tickets/tasks.py gives each task its own, lower limits.
CELERY_TASK_TIME_LIMIT = env_int("CELERY_TASK_TIME_LIMIT", 300, minimum=10)
CELERY_TASK_SOFT_TIME_LIMIT = env_int("CELERY_TASK_SOFT_TIME_LIMIT", 240, minimum=5)
if CELERY_TASK_SOFT_TIME_LIMIT >= CELERY_TASK_TIME_LIMIT:
    raise ImproperlyConfigured(
        f"CELERY_TASK_SOFT_TIME_LIMIT={str(CELERY_TASK_SOFT_TIME_LIMIT)!r}: must be shorter than "
        f"CELERY_TASK_TIME_LIMIT ({CELERY_TASK_TIME_LIMIT}), so a task can stop cleanly first"
    )
# Queues apart, so that a mail backlog or a long sweep never delays a scope check.
# A worker started without -Q consumes every queue listed here (the embedded docs
# and the smoke test run one such worker); docker/compose.yaml runs one per queue.
# Each queue has its own exchange and routing key: left out, Celery would bind all
# three to the default ones, and every task would land in every queue.
CELERY_TASK_QUEUES = [
    Queue(name, Exchange(name, type="direct"), routing_key=name)
    for name in ("scope", "mail", "periodic")
]
CELERY_TASK_DEFAULT_QUEUE = "periodic"
CELERY_TASK_ROUTES = {
    "tickets.tasks.check_scope": {"queue": "scope"},
    "tickets.tasks.send_message_email": {"queue": "mail"},
    "tickets.tasks.send_incident_notices": {"queue": "mail"},
    "tickets.tasks.watch_incident_updates": {"queue": "periodic"},
    "tickets.tasks.sweep_undecided": {"queue": "periodic"},
    "tickets.tasks.expire_offers": {"queue": "periodic"},
    "tickets.tasks.watch_sla": {"queue": "periodic"},
    "tickets.tasks.send_credit_notice": {"queue": "mail"},
    "tickets.tasks.compute_uptime_credits": {"queue": "periodic"},
    "tickets.tasks.poll_mailboxes": {"queue": "periodic"},
    "tickets.tasks.refresh_reports": {"queue": "periodic"},
    "helpdesk.heartbeat": {"queue": "periodic"},
}
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
# A task not acknowledged within the visibility timeout is delivered again: it
# must outlast the longest retry countdown plus a run, or tasks run twice.
CELERY_TASK_RETRY_BACKOFF_MAX = env_int("CELERY_TASK_RETRY_BACKOFF_MAX", 300)
CELERY_VISIBILITY_TIMEOUT = env_int("CELERY_VISIBILITY_TIMEOUT", 3600)
if CELERY_VISIBILITY_TIMEOUT <= CELERY_TASK_RETRY_BACKOFF_MAX + CELERY_TASK_TIME_LIMIT:
    raise ImproperlyConfigured(
        f"CELERY_VISIBILITY_TIMEOUT={CELERY_VISIBILITY_TIMEOUT}: must be longer than "
        f"CELERY_TASK_RETRY_BACKOFF_MAX + CELERY_TASK_TIME_LIMIT "
        f"({CELERY_TASK_RETRY_BACKOFF_MAX + CELERY_TASK_TIME_LIMIT} seconds)"
    )
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": CELERY_VISIBILITY_TIMEOUT,
    # A broker that is down must answer fast: filing a ticket never waits on it.
    "socket_connect_timeout": 1,
    "socket_timeout": 2,
    "max_retries": 1,
}
CELERY_BROKER_CONNECTION_TIMEOUT = 1
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# Each run expires when the next is due: with no worker, runs do not pile up.
CELERY_BEAT_SCHEDULE = {
    "sweep-undecided": {
        "task": "tickets.tasks.sweep_undecided",
        "schedule": 60.0,
        "options": {"expires": 60},
    },
    "expire-offers": {
        "task": "tickets.tasks.expire_offers",
        "schedule": 3600.0,
        "options": {"expires": 3600},
    },
    "watch-sla": {"task": "tickets.tasks.watch_sla", "schedule": 60.0, "options": {"expires": 60}},
    "watch-incident-updates": {
        "task": "tickets.tasks.watch_incident_updates",
        "schedule": 60.0,
        "options": {"expires": 60},
    },
    # Daily, for the month just ended (idempotent: later days change nothing made).
    "compute-uptime-credits": {
        "task": "tickets.tasks.compute_uptime_credits",
        "schedule": 86400.0,
        "options": {"expires": 3600},
    },
    # A poll takes the mailboxes' new messages; one still running makes the next
    # return at once (a lock per mailbox), so slow polls never overlap.
    "poll-mailboxes": {
        "task": "tickets.tasks.poll_mailboxes",
        "schedule": float(INBOUND_IMAP_POLL_SECONDS),
        "options": {"expires": INBOUND_IMAP_POLL_SECONDS},
    },
    # The leads' reports read figures worked out this often (tickets/report_figures.py).
    "refresh-reports": {
        "task": "tickets.tasks.refresh_reports",
        "schedule": 600.0,
        "options": {"expires": 600},
    },
    # /readyz wants a heartbeat from the last minute: proof that beat and a worker run.
    "heartbeat": {"task": "helpdesk.heartbeat", "schedule": 20.0, "options": {"expires": 20}},
}

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        # DRF's, with the user's contact and customer read in the same query.
        "helpdesk.api.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    # Refuses JSON nested too deep or with numbers no float holds (400, not 500).
    "DEFAULT_PARSER_CLASSES": [
        "helpdesk.api.JSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    # Refuses ?filter= with no value (400), as the schema says.
    "DEFAULT_FILTER_BACKENDS": ["helpdesk.api.FilterBackend"],
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": 25,
    "DEFAULT_THROTTLE_CLASSES": [
        "helpdesk.throttling.AnonRateThrottle",
        "helpdesk.throttling.UserRateThrottle",
    ],
    "DEFAULT_THROTTLE_RATES": {
        "anon": env_str("API_THROTTLE_ANON", "60/minute"),
        "user": env_str("API_THROTTLE_USER", "1200/minute"),
    },
    # Documents the error answers of every operation (helpdesk/schema.py).
    "DEFAULT_SCHEMA_CLASS": "helpdesk.schema.AutoSchema",
    # Anonymous throttles count by the client's address, as helpdesk/proxy.py finds it.
    "NUM_PROXIES": TRUSTED_PROXY_COUNT,
}
# Throttle counts must be shared by every web process: Redis when there is one.
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": REDIS_URL,
        # A Redis that hangs must not hang the request.
        "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5},
    }
    if REDIS_URL
    else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
}

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# django-axes: lock a login out after repeated failures, per name and address.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("AXES_COOLOFF_MINUTES", 15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_VERBOSE = False
# Behind the proxy every request comes from its address: count failures by the
# client's own (helpdesk/proxy.py), or one attacker locks a username for everyone.
AXES_CLIENT_IP_CALLABLE = "helpdesk.proxy.client_address"

# Every page: nothing from elsewhere, no inline script or style, no framing.
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
SPECTACULAR_SETTINGS = {
    "TITLE": "Scopedesk API",
    "VERSION": "1",
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # Tickets and offers both have a status, with different choices (and messages,
    # time entries, incidents and their updates a kind).
    "ENUM_NAME_OVERRIDES": {
        "IncidentKindEnum": "tickets.models.Incident.Kind",
        "IncidentUpdateKindEnum": "tickets.models.IncidentUpdate.Kind",
        "TicketStatusEnum": "tickets.models.Status",
        "OfferStatusEnum": "tickets.models.Offer.Status",
        "PriorityEnum": "contracts.models.PRIORITY_CHOICES",
        # A clause's, an offer's and a contract's on-call work's pricing: one choice set.
        "PricingEnum": "contracts.models.PRICING_CHOICES",
        "VerdictEnum": "contracts.models.VERDICT_CHOICES",
    },
}

SIMPLE_HISTORY_HISTORY_CHANGE_REASON_USE_TEXT_FIELD = True

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_log_level("LOG_LEVEL", "INFO")},
}

X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
if env_bool("SCOPEDESK_PRODUCTION", False):
    # Behind TLS: cookies only over HTTPS, browsers told to stay on HTTPS.
    SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = True
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    if TRUSTED_PROXY_COUNT:
        # The proxy terminates TLS and says so; without a proxy, gunicorn does.
        SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# /metrics answers only requests from these addresses (a Prometheus server), and
# never one that came through the proxy.
METRICS_ALLOWED_IPS = env_networks("METRICS_ALLOWED_IPS", "127.0.0.1,::1")

# How long a customer has to answer a paid offer.
OFFER_EXPIRY_DAYS = env_int("OFFER_EXPIRY_DAYS", 14, minimum=1)
# How long a refused (out of scope) ticket waits for the customer's answer
# before it closes by itself.
REFUSED_TICKET_OPEN_DAYS = env_int("REFUSED_TICKET_OPEN_DAYS", 3, minimum=1)
