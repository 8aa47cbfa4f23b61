"""Settings for the customer-service training simulator, driven by environment variables.

With nothing set the project runs embedded: SQLite under var/, a Celery worker over a
file-system broker (no server needed, countdown timers fire on time) and a channel layer
kept in the database, so the worker process can reach the sockets of the server process.
Setting DATABASE_URL and REDIS_URL switches to PostgreSQL and Redis.
Every variable is documented in README.md.
"""

from __future__ import annotations

import os
from pathlib import Path

from celery.schedules import crontab
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from simulator.env import (
    env_bool,
    env_database,
    env_float,
    env_int,
    env_list,
    env_redis_url,
    env_str,
)

BASE_DIR = Path(__file__).resolve().parent.parent
# Relative paths are taken from the project root, so every process agrees on them.
VAR_DIR = (BASE_DIR / env_str("VAR_DIR", "var")).resolve()

DEBUG = env_bool("DEBUG", False)
SECRET_KEY = env_str("SECRET_KEY")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "SECRET_KEY is not set and DEBUG is off: refusing to start. "
            "Set SECRET_KEY to a long random string (or DEBUG=true for local development)."
        )
    SECRET_KEY = "insecure-development-key-only-used-when-DEBUG-is-on"  # noqa: S105

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])
SITE_URL = env_str("SITE_URL", "http://127.0.0.1:8000")

INSTALLED_APPS = [
    # daphne first: its runserver serves HTTP and WebSockets from one ASGI process.
    "daphne",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "rest_framework",
    "rest_framework.authtoken",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "channels",
    "simulator",
    "audit",
    "accounts",
    "diagnostics",
    "realtime",
    "catalog",
    "courses",
    "scenarios",
    "roleplay",
    "certification",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Early, so every answer gets the header, even those later middleware make (403, 429).
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # A user whose password someone else chose is sent to change it first.
    "accounts.password_required.PasswordChangeRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "simulator.private_pages.PrivatePagesNotStored",
]

ROOT_URLCONF = "simulator.urls"
WSGI_APPLICATION = "simulator.wsgi.application"
ASGI_APPLICATION = "simulator.asgi.application"

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
                "accounts.context_processors.navigation",
            ],
        },
    },
]

# --- Database -------------------------------------------------------------------------
DATABASES = {
    "default": env_database("DATABASE_URL", f"sqlite:///{VAR_DIR / 'simulator.sqlite3'}"),
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # SQLite has one write lock for the whole file, shared by the server and the worker.
    # Writers must queue for it, and hold it briefly: long work (parsing an upload, hashing
    # passwords) runs before a transaction opens, never inside one.
    DATABASES["default"]["OPTIONS"] = {
        # The busy timeout: how long a writer waits its turn for the lock before "database
        # is locked". Far longer than any transaction should take, so a burst of writers
        # (fifty replies, a roster import) queues instead of failing.
        "timeout": env_int("SQLITE_BUSY_TIMEOUT_S", 20, minimum=1),
        # A transaction takes the write lock when it begins, waiting for it as above. With
        # the default (DEFERRED) it reads first and asks for the lock at its first write;
        # in WAL mode, if another connection committed meanwhile, that request fails at
        # once with "database is locked" (its snapshot is stale), without waiting at all.
        "transaction_mode": "IMMEDIATE",
        "init_command": (
            # Readers never wait for the writer, nor the writer for them.
            "PRAGMA journal_mode=WAL;"
            # With WAL, commits no longer wait for fsync (checkpoints do): the lock is held
            # for less time. A power cut may lose the last commits, never corrupt the file.
            "PRAGMA synchronous=NORMAL;"
            # Sorts and temporary indexes in memory rather than in temporary files.
            "PRAGMA temp_store=MEMORY;"
            # After a burst (an import) the WAL file is truncated back to 64 MB at the
            # next checkpoint instead of keeping its largest size for good.
            "PRAGMA journal_size_limit=67108864;"
        ),
    }
    # A file, not :memory:, so a live Celery worker started by the tests sees test data;
    # one per test process, so two test runs on one machine do not share it.
    DATABASES["default"]["TEST"] = {"NAME": str(VAR_DIR / f"test-{os.getpid()}.sqlite3")}
elif env_bool("DATABASE_POOL", True):
    # A connection per socket message or task would cost more than the work itself (a
    # PostgreSQL connect is several milliseconds): each process keeps a pool.
    DATABASES["default"]["OPTIONS"] = {
        # Parameters travel apart from the SQL text: psycopg need not quote them into it,
        # which costs more per query than the query takes on the server.
        "server_side_binding": env_bool("DATABASE_SERVER_SIDE_BINDING", True),
        "pool": {
            "min_size": 2,
            "max_size": env_int("DATABASE_POOL_SIZE", 20, minimum=2),
            "timeout": 10,
        },
    }
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # PostgreSQL compiles a query whose estimated cost passes a threshold (JIT); for the
    # results pages' aggregates over thousands of trainees compiling took 100-140 ms, the
    # query itself 60. Queries here are short: never compile them.
    DATABASES["default"].setdefault("OPTIONS", {})["options"] = "-c jit=off"
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"

# --- Redis, Celery, Channels ----------------------------------------------------------
REDIS_URL = env_redis_url("REDIS_URL")

CELERY_BROKER_URL = env_str("CELERY_BROKER_URL", REDIS_URL or "filesystem://")
CELERY_BROKER_TRANSPORT_OPTIONS: dict = {}
if CELERY_BROKER_URL.startswith("filesystem://"):
    # kombu's transport with whole messages (simulator/filesystem_broker.py says why).
    CELERY_BROKER_TRANSPORT = "simulator.filesystem_broker:Transport"
    _broker_dir = (BASE_DIR / env_str("CELERY_BROKER_DIR", str(VAR_DIR / "broker"))).resolve()
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(_broker_dir / "queue"),
        "data_folder_out": str(_broker_dir / "queue"),
        "control_folder": str(_broker_dir / "control"),
        # The worker takes countdown tasks early and holds them until due, so a short poll
        # only shortens pick-up; it does not decide timer precision.
        "polling_interval": 0.1,
    }
    for _sub in ("queue", "control"):
        (_broker_dir / _sub).mkdir(parents=True, exist_ok=True)
    # The file-system broker has no event loop: the worker acknowledges finished tasks only
    # between polls, and a poll with every prefetch slot taken waits 2 s (Celery's blocking
    # loop). With one slot per process a burst (a restart's backlog, countdowns held until due)
    # moved two tasks per 2 s; a wider window keeps the poll from stalling. A killed worker
    # loses what it holds either way (that broker hands messages over for good): the re-arm on
    # start sends the pending countdowns and scorings again (simulator/celery.py).
    CELERY_WORKER_PREFETCH_MULTIPLIER = 16
else:
    # Countdowns longer than the visibility timeout would otherwise be redelivered.
    CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 6 * 3600}
    CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_DEFAULT_QUEUE = env_str("CELERY_QUEUE", "simulator")
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_ALWAYS_EAGER = False
CELERY_TIMEZONE = "Asia/Shanghai"
CELERY_ENABLE_UTC = True
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# The longest the worker's ETA scheduler sleeps before looking at its countdowns again
# (Celery's default, 1 s, made a buyer's 1 s countdown up to 1.6 s late on the file-system
# broker, whose worker has no event loop to wake it).
CELERY_WORKER_TIMER_PRECISION = 0.1
# Celery's Django fix-up closes the database (and, in a prefork child, the whole pool) after
# every task unless told to reuse it; the worker checks its connection before each task
# instead (simulator/celery.py).
CELERY_DB_REUSE_MAX = 1000
# Periodic work (celery beat, one per deployment): the daily certificate expiry run, and
# deleting onboarding passwords nobody fetched once their 30 minutes are over.
CELERY_BEAT_SCHEDULE = {
    "certification-expire-certificates": {
        "task": "certification.expire_certificates",
        "schedule": crontab(hour=2, minute=30),
    },
    "accounts-purge-onboarding-passwords": {
        "task": "accounts.purge_onboarding_passwords",
        "schedule": crontab(minute="*/10"),
    },
}
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celerybeat-schedule")

# --- Certificates ---------------------------------------------------------------------
# PEM Ed25519 private key that signs certificate credentials (VC-JWT, EdDSA); "\n" escapes
# are accepted for one-line environments. Empty: a key derived from SECRET_KEY (HKDF), with
# a warning: rotating SECRET_KEY would then invalidate every issued credential.
# Generate one: openssl genpkey -algorithm ed25519
CERTIFICATE_SIGNING_KEY = env_str("CERTIFICATE_SIGNING_KEY", "")
# The issuer's name in credentials (issuer.name of the Open Badges credential).
CERTIFICATE_ISSUER_NAME = env_str("CERTIFICATE_ISSUER_NAME", "客服实训系统")

if REDIS_URL:
    CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "realtime.redis_layer.ProcessLocalRedisChannelLayer",
            "CONFIG": {
                "hosts": [
                    {
                        "address": REDIS_URL,
                        # redis-py 8 defaults to a 5 s socket timeout (equal to the layer's
                        # blocking-pop timeout, so idle consumers were dropped) and a
                        # 100-connection pool; both are too small for a channel layer.
                        "socket_timeout": env_float("REDIS_SOCKET_TIMEOUT", 30.0, minimum=6.0),
                        "socket_connect_timeout": 5,
                        "max_connections": env_int("REDIS_MAX_CONNECTIONS", 2000, minimum=100),
                    }
                ],
                # Every socket of one server process shares one Redis list, and a push to a
                # full list is dropped without an error: the bound is for the whole
                # process, so it must hold a busy process' backlog (pushes expire anyway).
                "capacity": env_int("REDIS_CHANNEL_CAPACITY", 100_000, minimum=1000),
                "expiry": 60,
            },
        }
    }
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "simulator",
        }
    }
else:
    # In the database, not in memory: the Celery worker (another process) must be able to
    # reach the trainee's socket with the buyer's next line.
    CHANNEL_LAYERS = {"default": {"BACKEND": "realtime.layers.DatabaseChannelLayer"}}
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": str(VAR_DIR / "cache"),
        }
    }

# --- Role-play ------------------------------------------------------------------------
# How long a practice chat and a whole exam may last before time is up.
ROLEPLAY_PRACTICE_MINUTES = env_int("ROLEPLAY_PRACTICE_MINUTES", 15, minimum=1)
ROLEPLAY_EXAM_MINUTES = env_int("ROLEPLAY_EXAM_MINUTES", 20, minimum=1)

# --- Authentication -------------------------------------------------------------------
# Django's default hashers, with the one for generated first passwords (accounts.hashers)
# second: it checks them, and a sign-in re-hashes with the first.
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    "accounts.hashers.InitialPasswordHasher",
    "django.contrib.auth.hashers.PBKDF2SHA1PasswordHasher",
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.BCryptSHA256PasswordHasher",
    "django.contrib.auth.hashers.ScryptPasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "accounts:home"
LOGOUT_REDIRECT_URL = "accounts:login"

# --- Sign-in throttling (django-axes records failures; accounts/lockout.py decides) ----
INSTALLED_APPS += ["axes"]
# Last: it turns a request the throttle refused into the 429 answer.
MIDDLEWARE += ["axes.middleware.AxesMiddleware"]
AUTHENTICATION_BACKENDS = ["accounts.lockout.LockoutBackend"]
LOGIN_FAILURE_LIMIT = env_int("LOGIN_FAILURE_LIMIT", 5, minimum=1)
LOGIN_FAILURE_LIMIT_PER_ADDRESS = env_int("LOGIN_FAILURE_LIMIT_PER_ADDRESS", 20, minimum=1)
LOGIN_LOCKOUT_SECONDS = env_int("LOGIN_LOCKOUT_SECONDS", 60, minimum=1)
LOGIN_LOCKOUT_MAX_SECONDS = env_int(
    "LOGIN_LOCKOUT_MAX_SECONDS", 3600, minimum=LOGIN_LOCKOUT_SECONDS
)
# X-Forwarded-For is believed only behind this many trusted proxies (0: REMOTE_ADDR).
TRUSTED_PROXY_COUNT = env_int("TRUSTED_PROXY_COUNT", 0, minimum=0)
AXES_HANDLER = "accounts.lockout.LockoutHandler"
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_FAILURE_LIMIT = LOGIN_FAILURE_LIMIT  # shown by the admin's "status" column
AXES_COOLOFF_TIME = "accounts.lockout.failure_memory"
# A refused attempt is not counted, so it does not extend the lock-out Retry-After named.
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_CLIENT_IP_CALLABLE = "accounts.lockout.client_address"
AXES_USERNAME_CALLABLE = "accounts.lockout.client_username"
AXES_LOCKOUT_CALLABLE = "accounts.lockout_views.lockout_response"
# Successful sign-ins are not logged by axes: that table would only grow.
AXES_DISABLE_ACCESS_LOG = True

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        # DRF's, refusing (403) a user who must change their password first.
        "accounts.password_required.SessionAuthentication",
        "accounts.password_required.TokenAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    # JSON only: the browsable API's pages carry inline styles the Content-Security-Policy
    # refuses; people browse the API at /api/docs/.
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    # Documents the error answers too (simulator/api_schema.py).
    "DEFAULT_SCHEMA_CLASS": "simulator.api_schema.AutoSchema",
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.LimitOffsetPagination",
    "PAGE_SIZE": 50,
    # JSON nested too deeply or holding NaN/Infinity is a 400 saying where, not a 500.
    "DEFAULT_PARSER_CLASSES": [
        "simulator.json_input.SafeJSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    # Service errors (validation, permission, not found, conflict) answered alike everywhere.
    "EXCEPTION_HANDLER": "simulator.api.exception_handler",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Customer-service training simulator API",
    "DESCRIPTION": "Courses, role-play scenarios, live sessions, scores and certificates.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    # The schema and its docs page are for signed-in users (API clients hold a token).
    "SERVE_PERMISSIONS": ["rest_framework.permissions.IsAuthenticated"],
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
}

# --- Internationalisation -------------------------------------------------------------
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", _("Simplified Chinese")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

# --- Static files ---------------------------------------------------------------------
STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "static"
WHITENOISE_USE_FINDERS = DEBUG
MEDIA_ROOT = VAR_DIR / "media"
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024

# --- Security -------------------------------------------------------------------------
# HTTPS defaults to on whenever DEBUG is off; set HTTPS=false only behind a trusted
# plain-HTTP test setup.
HTTPS = env_bool("HTTPS", not DEBUG)
SESSION_COOKIE_SECURE = HTTPS
CSRF_COOKIE_SECURE = HTTPS
SECURE_SSL_REDIRECT = HTTPS and env_bool("SECURE_SSL_REDIRECT", True)
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31536000 if HTTPS else 0, minimum=0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = SECURE_HSTS_SECONDS > 0
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", SECURE_HSTS_SECONDS >= 31536000)
if env_bool("TRUST_X_FORWARDED_PROTO", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_AGE = env_int("SESSION_COOKIE_AGE", 12 * 3600, minimum=300)

# --- Content-Security-Policy ----------------------------------------------------------
# Scripts and styles come only from our own static files: no inline <script>, no on*=
# handlers, no style="" attributes, no eval. Data for scripts travels in data- attributes
# or json_script's <script type="application/json">, which never runs. The docs page
# (/api/docs/) loads Swagger UI from drf-spectacular-sidecar and its start-up script as a
# file of its own. CSP Level 3 browsers match the workbench's same-host WebSocket
# (ws:/wss:) with 'self'; the public address's socket origin is named for older ones.
_site_scheme, _, _site_rest = SITE_URL.partition("://")
_site_socket = f"{'wss' if _site_scheme == 'https' else 'ws'}://{_site_rest.split('/')[0]}"
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        # data: for the small images stylesheets embed (the admin's and Swagger UI's icons).
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'", _site_socket],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    },
}

# --- Logging --------------------------------------------------------------------------
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    # WeasyPrint logs every layout step at INFO, fontTools every font subset.
    "loggers": {"weasyprint": {"level": "WARNING"}, "fontTools": {"level": "WARNING"}},
}

for _dir in (VAR_DIR, STATIC_ROOT):
    _dir.mkdir(parents=True, exist_ok=True)
