"""Settings for Optout, read from the environment.

With nothing set, the application runs embedded: SQLite, Celery's filesystem transport and
a file cache, all under ``var/``. ``DATABASE_URL``, ``CELERY_BROKER_URL`` and ``CACHE_URL``
switch to PostgreSQL and Redis. Production differs from development only by environment
values; ``.env.example`` lists every one of them.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import dj_database_url
import django_stubs_ext
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from optout.lib.env import Env

# Lets model, form and queryset classes be subscripted for typing at run time.
django_stubs_ext.monkeypatch()

env = Env()

BASE_DIR = Path(__file__).resolve().parent.parent
DATA_DIR = env.path("OPTOUT_DATA_DIR", BASE_DIR / "var")

DEBUG = env.flag("DJANGO_DEBUG", False)

_DEV_SECRET = "dev-only-insecure-secret-key-do-not-use-in-production-0123456789"  # noqa: S105
SECRET_KEY = env.secret("DJANGO_SECRET_KEY", _DEV_SECRET if DEBUG else "")
if not SECRET_KEY:
    raise ImproperlyConfigured(
        "DJANGO_SECRET_KEY (or DJANGO_SECRET_KEY_FILE) must be set when DJANGO_DEBUG is false."
    )

# Secrets kept at rest (C2PA signing keys) are sealed with the first of these keys and
# opened with any of them (optout.lib.sealing). Unset, the Django secret key serves.
OPTOUT_SEALING_KEYS = [
    key
    for key in (
        env.secret("OPTOUT_SEALING_KEY", SECRET_KEY),
        *env.csv("OPTOUT_SEALING_KEY_FALLBACKS"),
    )
    if key
]

# Each new ledger entry carries an HMAC of its hash under this key (optout.services.ledger):
# someone with only the database cannot write entries that verify. Keep it out of the
# database and its backups; unset, entries carry no MAC.
OPTOUT_LEDGER_KEY = env.secret("OPTOUT_LEDGER_KEY", "")

ALLOWED_HOSTS = env.csv("DJANGO_ALLOWED_HOSTS", ["127.0.0.1", "localhost"] if DEBUG else [])
CSRF_TRUSTED_ORIGINS = env.csv("DJANGO_CSRF_TRUSTED_ORIGINS")

# Absolute address of this deployment, used in e-mails, printed links and signals. Unset, it
# is the local development server's address on the port `make run` listens on
# (OPTOUT_RUN_PORT), so that invitations and published signals point where a server answers.
OPTOUT_RUN_PORT = env.integer("OPTOUT_RUN_PORT", 8000, minimum=1, maximum=65535)
OPTOUT_BASE_URL = env.text("OPTOUT_BASE_URL", f"http://127.0.0.1:{OPTOUT_RUN_PORT}").rstrip("/")
# The git commit this deployment runs, named in captures and packets (optout.lib.version);
# unset, a git checkout answers for itself.
OPTOUT_COMMIT = env.text("OPTOUT_COMMIT", "").strip().lower()
if OPTOUT_COMMIT and not all(c in "0123456789abcdef" for c in OPTOUT_COMMIT):
    raise ImproperlyConfigured("OPTOUT_COMMIT must be a git commit hash (hexadecimal).")
if urlsplit(OPTOUT_BASE_URL).scheme not in {"http", "https"}:
    raise ImproperlyConfigured(f"OPTOUT_BASE_URL={OPTOUT_BASE_URL!r} must be an http(s) URL.")

INSTALLED_APPS = [
    "optout.apps.OptoutConfig",
    "optout.policy.apps.PolicyConfig",
    "catalog.apps.CatalogConfig",
    "evidence.apps.EvidenceConfig",
    "notices.apps.NoticesConfig",
    "monitoring.apps.MonitoringConfig",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_htmx",
    "csp",
    "anymail",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "optout.middleware.SecurityHeadersMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "optout.middleware.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "optout.middleware.RejectNulQueryMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "optout.middleware.DatabaseUnavailableMiddleware",
    "optout.middleware.BlobIntegrityMiddleware",
]

ROOT_URLCONF = "optout.urls"
WSGI_APPLICATION = "optout.wsgi.application"
ASGI_APPLICATION = "optout.asgi.application"

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
                "csp.context_processors.nonce",
                "optout.context_processors.workspace",
                "optout.context_processors.account_continue",
            ],
        },
    },
]

# --- Database ----------------------------------------------------------------------------

_database_url = env.text("DATABASE_URL")
if _database_url:
    try:
        _db = dj_database_url.parse(_database_url, conn_max_age=60, conn_health_checks=True)
    except ValueError as exc:
        raise ImproperlyConfigured(f"DATABASE_URL is not a database URL: {exc}") from None
    if _db["ENGINE"] not in {"django.db.backends.postgresql", "django.db.backends.sqlite3"}:
        raise ImproperlyConfigured("DATABASE_URL must be a postgres:// or sqlite:// URL.")
    DATABASES: dict[str, dict[str, Any]] = {"default": dict(_db)}
    # The password may come apart from the URL, e.g. from a container secret file.
    _db_password = env.secret("DATABASE_PASSWORD")
    if _db_password:
        DATABASES["default"]["PASSWORD"] = _db_password
else:
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": DATA_DIR / "optout.sqlite3",
        }
    }
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # The embedded default runs a web server, a worker and beat against one file: WAL lets
    # readers run beside the writer, IMMEDIATE transactions queue writers instead of failing.
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 30,
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Cache (allauth rate limits need a cache shared by every process) ----------------------

_cache_url = env.text("CACHE_URL")
if _cache_url:
    if urlsplit(_cache_url).scheme not in {"redis", "rediss"}:
        raise ImproperlyConfigured("CACHE_URL must be a redis:// or rediss:// URL.")
    CACHES: dict[str, dict[str, Any]] = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": _cache_url,
            "KEY_PREFIX": env.text("CACHE_KEY_PREFIX", "optout"),
        }
    }
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": DATA_DIR / "cache",
        }
    }

# --- Accounts ----------------------------------------------------------------------------

AUTH_USER_MODEL = "optout.User"
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 10},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "account_login"

ACCOUNT_ADAPTER = "optout.adapters.AccountAdapter"
ACCOUNT_FORMS = {"signup": "optout.forms.InvitedSignupForm", "login": "optout.forms.QuietLoginForm"}
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_EMAIL_VERIFICATION_BY_CODE_ENABLED = False
ACCOUNT_CONFIRM_EMAIL_ON_GET = False
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_PREVENT_ENUMERATION = True
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = True
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
ACCOUNT_SESSION_REMEMBER = None
ACCOUNT_EMAIL_SUBJECT_PREFIX = "[Optout] "
ACCOUNT_DEFAULT_HTTP_PROTOCOL = urlsplit(OPTOUT_BASE_URL).scheme
ACCOUNT_RATE_LIMITS = {
    # allauth's defaults, stated here so a reader sees them: they count in the shared cache.
    "login": "30/m/ip",
    "login_failed": "10/m/ip,5/5m/key",
    "signup": "20/m/ip",
    "reset_password": "20/m/ip,5/m/key",
    "reset_password_from_key": "20/m/ip",
    "change_password": "5/m/user",
    "manage_email": "10/m/user",
    "confirm_email": "1/3m/key",
    "reauthenticate": "10/m/user",
}
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_ISSUER = env.text("OPTOUT_MFA_ISSUER", "Optout")
MFA_ALLOW_UNVERIFIED_EMAIL = False

# --- Sessions and security -----------------------------------------------------------------

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_AGE = env.integer("OPTOUT_SESSION_SECONDS", 12 * 3600, minimum=300)
SESSION_COOKIE_SECURE = env.flag("DJANGO_SECURE_COOKIES", not DEBUG)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
CSRF_COOKIE_HTTPONLY = True
SECURE_SSL_REDIRECT = env.flag("DJANGO_SECURE_SSL_REDIRECT", not DEBUG)
# Health checks come over plain HTTP from inside the deployment.
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
SECURE_HSTS_SECONDS = env.integer("DJANGO_HSTS_SECONDS", 0 if DEBUG else 31536000, minimum=0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env.flag("DJANGO_HSTS_INCLUDE_SUBDOMAINS", not DEBUG)
SECURE_HSTS_PRELOAD = env.flag("DJANGO_HSTS_PRELOAD", not DEBUG)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# Behind a reverse proxy: read the client address from X-Forwarded-For, trusting only the
# entries the proxies appended (optout/lib/client_ip.py). Off, the header is ignored.
OPTOUT_TRUSTED_PROXY_HOPS = (
    env.integer("DJANGO_TRUSTED_PROXY_HOPS", 1, minimum=1)
    if env.flag("DJANGO_TRUST_X_FORWARDED_FOR", False)
    else 0
)
if env.flag("DJANGO_TRUST_X_FORWARDED_PROTO", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SILENCED_SYSTEM_CHECKS: list[str] = []

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
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}

# --- Uploads -------------------------------------------------------------------------------

# Uploads stream to disk in 1 MiB chunks; nothing larger than this stays in memory.
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024
DATA_UPLOAD_MAX_NUMBER_FIELDS = 2000
DATA_UPLOAD_MAX_NUMBER_FILES = 20
FILE_UPLOAD_TEMP_DIR = str(env.path("OPTOUT_TEMP_DIR", DATA_DIR / "tmp"))
# Uploads are moved from here into local storage: keep both on one file system.
Path(FILE_UPLOAD_TEMP_DIR).mkdir(parents=True, exist_ok=True)
# Resumable uploads (catalog.services.resumable_uploads): the piece size the browser sends,
# the largest piece accepted, and how long an unfinished upload waits to be resumed.
OPTOUT_UPLOAD_CHUNK_BYTES = env.integer(
    "OPTOUT_UPLOAD_CHUNK_BYTES", 8 * 1024**2, minimum=64 * 1024, maximum=64 * 1024**2
)
OPTOUT_UPLOAD_MAX_CHUNK_BYTES = 64 * 1024**2
OPTOUT_UPLOAD_RESUME_HOURS = env.integer("OPTOUT_UPLOAD_RESUME_HOURS", 24, minimum=1, maximum=720)
OPTOUT_UPLOAD_MAX_BYTES = env.integer("OPTOUT_UPLOAD_MAX_BYTES", 20 * 1024**3, minimum=1024)
# The /verify page reads a packet in the request: at most this many unpacked bytes.
OPTOUT_VERIFY_MAX_BYTES = env.integer("OPTOUT_VERIFY_MAX_BYTES", 4 * 1024**3, minimum=1024)

# --- Storage -------------------------------------------------------------------------------

MEDIA_ROOT = env.path("OPTOUT_MEDIA_ROOT", DATA_DIR / "media")
MEDIA_URL = "/media-not-served/"
STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]

OPTOUT_STORAGE = env.choice("OPTOUT_STORAGE", "local", ("local", "s3"))
_static_backend = (
    "whitenoise.storage.CompressedManifestStaticFilesStorage"
    if env.flag("OPTOUT_STATIC_MANIFEST", not DEBUG)
    else "django.contrib.staticfiles.storage.StaticFilesStorage"
)
if OPTOUT_STORAGE == "s3":
    _bucket = env.text("AWS_STORAGE_BUCKET_NAME")
    if not _bucket:
        raise ImproperlyConfigured("OPTOUT_STORAGE=s3 needs AWS_STORAGE_BUCKET_NAME.")
    _default_storage: dict[str, Any] = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": _bucket,
            "endpoint_url": env.text("AWS_S3_ENDPOINT_URL") or None,
            "region_name": env.text("AWS_S3_REGION_NAME") or None,
            "access_key": env.secret("AWS_ACCESS_KEY_ID") or None,
            "secret_key": env.secret("AWS_SECRET_ACCESS_KEY") or None,
            "location": env.text("AWS_LOCATION", "optout"),
            "default_acl": None,
            "querystring_auth": True,
            "querystring_expire": 900,
            "signature_version": "s3v4",
            # Names are content hashes: writing the same name again writes the same bytes.
            "file_overwrite": True,
            "addressing_style": env.choice(
                "AWS_S3_ADDRESSING_STYLE", "auto", ("auto", "path", "virtual")
            ),
        },
    }
else:
    _default_storage = {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": MEDIA_ROOT, "allow_overwrite": True},
    }
STORAGES = {
    "default": _default_storage,
    "staticfiles": {"BACKEND": _static_backend},
}
WHITENOISE_USE_FINDERS = DEBUG

# --- E-mail --------------------------------------------------------------------------------

_email = env.choice(
    "OPTOUT_EMAIL", "console" if DEBUG else "smtp", ("console", "smtp", "file", "anymail")
)
EMAIL_BACKEND = {
    "console": "django.core.mail.backends.console.EmailBackend",
    "smtp": "django.core.mail.backends.smtp.EmailBackend",
    "file": "django.core.mail.backends.filebased.EmailBackend",
    # Mailgun through django-anymail: its signed tracking webhook (/anymail/mailgun/tracking/)
    # tells which notices were delivered, bounced or marked as spam (docs/notices.md).
    "anymail": "anymail.backends.mailgun.EmailBackend",
}[_email]
ANYMAIL = {
    "MAILGUN_API_KEY": env.secret("MAILGUN_API_KEY"),
    "MAILGUN_SENDER_DOMAIN": env.text("MAILGUN_SENDER_DOMAIN"),
    "MAILGUN_API_URL": env.text("MAILGUN_API_URL", "https://api.mailgun.net/v3"),
    # The HTTP webhook signing key of the Mailgun account: the tracking webhook refuses a
    # request whose HMAC does not match (and answers 404 while no key is set).
    "MAILGUN_WEBHOOK_SIGNING_KEY": env.secret("MAILGUN_WEBHOOK_SIGNING_KEY"),
}
EMAIL_FILE_PATH = DATA_DIR / "mail"
EMAIL_HOST = env.text("EMAIL_HOST", "localhost")
EMAIL_PORT = env.integer("EMAIL_PORT", 25, minimum=1, maximum=65535)
EMAIL_HOST_USER = env.text("EMAIL_HOST_USER")
EMAIL_HOST_PASSWORD = env.secret("EMAIL_HOST_PASSWORD")
EMAIL_USE_TLS = env.flag("EMAIL_USE_TLS", False)
EMAIL_USE_SSL = env.flag("EMAIL_USE_SSL", False)
EMAIL_TIMEOUT = 20
DEFAULT_FROM_EMAIL = env.text("DEFAULT_FROM_EMAIL", "Optout <optout@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# --- Internationalisation ------------------------------------------------------------------

LANGUAGE_CODE = "en"
LANGUAGES = [("en", _("English")), ("sv", _("Swedish"))]
# One date format per language: optout/formats/<language>/formats.py.
FORMAT_MODULE_PATH = ["optout.formats"]
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_I18N = True
TIME_ZONE = env.text("OPTOUT_TIME_ZONE", "UTC")
USE_TZ = True

# --- API -----------------------------------------------------------------------------------

# API tokens stop working this many days after they are made.
OPTOUT_API_TOKEN_DAYS = env.integer("OPTOUT_API_TOKEN_DAYS", 90, minimum=1, maximum=3650)
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "optout.api.authentication.ApiTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": [
        "optout.api.parsers.JSONParser",
        "rest_framework.parsers.MultiPartParser",
        "rest_framework.parsers.FormParser",
    ],
    "DEFAULT_PAGINATION_CLASS": "optout.api.pagination.CursorPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_METADATA_CLASS": "optout.api.metadata.ViewMetadata",
    "EXCEPTION_HANDLER": "optout.api.errors.exception_handler",
    "DEFAULT_THROTTLE_CLASSES": [
        "optout.api.throttling.AnonWindowThrottle",
        "optout.api.throttling.UserWindowThrottle",
    ],
    "DEFAULT_THROTTLE_RATES": {
        "anon": env.text("OPTOUT_API_ANON_RATE", "60/min"),
        "user": env.text("OPTOUT_API_USER_RATE", "6000/min"),
    },
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
    # The anonymous throttle counts per client behind the same trusted proxies as sign-in.
    "NUM_PROXIES": OPTOUT_TRUSTED_PROXY_HOPS,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Optout API",
    "DESCRIPTION": (
        "Label-owned resources live under /api/v1/labels/{slug}/. Authenticate with "
        "'Authorization: Token <key>' (tokens are made on the Tokens page or with "
        "'manage.py token create EMAIL'). Errors share one shape: "
        '{"error": {"code", "message", "fields"}}.'
    ),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "SCHEMA_PATH_PREFIX": r"/api/v1",
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "optout.api.schema.location_on_accepted",
    ],
    "ENUM_NAME_OVERRIDES": {
        "PolicyVersionStatusEnum": "optout.policy.models.PolicyVersion.Status",
        "StanceEnum": "optout.policy.choices.StanceChoice",
        "SignalKindEnum": "optout.policy.models.SignalKind",
        "EvidenceKindEnum": "evidence.models.items.EvidenceKind",
        "MemberRoleEnum": "optout.roles.Role",
        "AIClauseEnum": "catalog.models.choices.AIClause",
        "AIDisclosureEnum": "catalog.models.choices.AIDisclosure",
        "PartnerKindEnum": "catalog.models.partners.Partner.Kind",
        "ContractKindEnum": "catalog.models.contracts.Contract.Kind",
        "ConsentKindEnum": "catalog.models.documentation.Consent.Kind",
        "ContributionKindEnum": "catalog.models.documentation.ContributionRecord.Kind",
        "PartyKindEnum": "catalog.models.parties.Party.Kind",
        "WriterRoleEnum": "catalog.models.works.WorkWriter.Role",
        "PerformerRoleEnum": "catalog.models.recordings.RecordingPerformer.Role",
        "AlertKindEnum": "evidence.models.alerts.Alert.Kind",
        "WithdrawalStatusEnum": "evidence.models.base.Withdrawable.Status",
        "TakedownStatusEnum": "notices.models.takedowns.TakedownStatus",
        "PacketStatusEnum": "evidence.models.packets.Packet.Status",
        "TakedownStepEnum": "notices.services.takedowns.EVENT_STEP_CHOICES",
        "TakedownRouteEnum": "notices.models.takedowns.TakedownRoute",
        "TakedownSignalEnum": "notices.services.takedown_facts.SIGNAL_CHOICES",
        "TakedownSendViaEnum": "notices.services.takedowns.SEND_VIA_CHOICES",
        "WatchPurposeEnum": "monitoring.models.watches.WatchPurpose",
        "CapturePurposeEnum": "evidence.models.captures.CapturePurpose",
        "NoticeScopeEnum": "notices.models.partner_notices.PartnerNotice.Scope",
        "CrawlerLogStatusEnum": "monitoring.models.crawler_logs.CrawlerLog.Status",
        "TermsLanguageEnum": "monitoring.models.watches.TermsLanguage",
    },
}

# --- Jobs and Celery -----------------------------------------------------------------------

OPTOUT_JOB_MAX_ATTEMPTS = env.integer("OPTOUT_JOB_MAX_ATTEMPTS", 5, minimum=1, maximum=50)
# A running job renews its lease every third of this; a lease that runs out means the
# process that held it is gone, and the sweeper queues the job again.
OPTOUT_JOB_LEASE_SECONDS = env.integer("OPTOUT_JOB_LEASE_SECONDS", 60, minimum=3)
OPTOUT_JOB_PENDING_GRACE_SECONDS = env.integer("OPTOUT_JOB_PENDING_GRACE_SECONDS", 60, minimum=1)
OPTOUT_JOB_SWEEP_SECONDS = env.integer("OPTOUT_JOB_SWEEP_SECONDS", 30, minimum=1)
# How often changed labels get their protection coverage recomputed (one job per label).
OPTOUT_COVERAGE_REFRESH_SECONDS = env.integer(
    "OPTOUT_COVERAGE_REFRESH_SECONDS", 15, minimum=1, maximum=3600
)
OPTOUT_JOB_RETRY_BASE_SECONDS = env.integer("OPTOUT_JOB_RETRY_BASE_SECONDS", 10, minimum=0)

CELERY_TASK_TIME_LIMIT = env.integer("CELERY_TASK_TIME_LIMIT", 3 * 3600, minimum=10)
CELERY_TASK_SOFT_TIME_LIMIT = CELERY_TASK_TIME_LIMIT - min(300, CELERY_TASK_TIME_LIMIT // 10)
_broker_url = env.text("CELERY_BROKER_URL")
if _broker_url:
    if urlsplit(_broker_url).scheme not in {"redis", "rediss", "filesystem"}:
        raise ImproperlyConfigured("CELERY_BROKER_URL must be a redis:// or filesystem:// URL.")
    CELERY_BROKER_URL = _broker_url
    CELERY_BROKER_TRANSPORT_OPTIONS: dict[str, Any] = {
        # Redelivery after a lost worker waits for this; it must outlast the longest task
        # or a slow task would be handed out twice.
        "visibility_timeout": 2 * CELERY_TASK_TIME_LIMIT,
    }
else:
    CELERY_BROKER_URL = "filesystem://"
    _broker_dir = DATA_DIR / "broker"
    for _folder in ("queue", "control", "processed"):
        (_broker_dir / _folder).mkdir(parents=True, exist_ok=True)
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(_broker_dir / "queue"),
        "data_folder_out": str(_broker_dir / "queue"),
        "control_folder": str(_broker_dir / "control"),
        "processed_folder": str(_broker_dir / "processed"),
        "store_processed": False,
    }
CELERY_TASK_IGNORE_RESULT = True
CELERY_RESULT_BACKEND = None
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_WORKER_CANCEL_LONG_RUNNING_TASKS_ON_CONNECTION_LOSS = True
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# A worker whose broker went away keeps trying to reconnect (the default gives up, and the
# process exits, after 100 attempts): a long Redis outage must not need a human afterwards.
CELERY_BROKER_CONNECTION_RETRY = True
CELERY_BROKER_CONNECTION_MAX_RETRIES = None
# Survives a Redis restart that Celery's own consumer did not (see the module).
CELERY_WORKER_CONSUMER = "optout.celery_consumer:Consumer"
CELERY_TASK_ALWAYS_EAGER = False
CELERY_BEAT_SCHEDULE_FILENAME = str(DATA_DIR / "celerybeat-schedule")
CELERY_WORKER_HIJACK_ROOT_LOGGER = False

# --- Audio parsing (untrusted files are parsed in a limited child process) ----------------

OPTOUT_AUDIO_MEMORY_BYTES = env.integer(
    "OPTOUT_AUDIO_MEMORY_BYTES", 512 * 1024**2, minimum=64 * 1024**2
)
OPTOUT_AUDIO_CPU_SECONDS = env.integer("OPTOUT_AUDIO_CPU_SECONDS", 10, minimum=1)
OPTOUT_AUDIO_TIMEOUT_SECONDS = env.integer("OPTOUT_AUDIO_TIMEOUT_SECONDS", 30, minimum=1)

# --- Outbound fetching ----------------------------------------------------------------------

OPTOUT_FETCH_ALLOWED_HOSTS = env.csv("OPTOUT_FETCH_ALLOWED_HOSTS")
# A PEM file of extra certificate authorities the fetcher trusts on top of the system
# store (a private deployment's internal CA; the tests' CA).
OPTOUT_FETCH_CA_BUNDLE = env.text("OPTOUT_FETCH_CA_BUNDLE", "")

# --- Crawler logs and platform controls (monitoring) ----------------------------------------

# Server folders the worker may read access logs from (an operator's choice; none by default).
OPTOUT_CRAWLER_LOG_DIRS = env.csv("OPTOUT_CRAWLER_LOG_DIRS")
# A folder holding the crawler IP-range files the operators publish (googlebot.json,
# gptbot.json...; names in monitoring/data/crawler_verification.json), downloaded by the
# operator: reports never fetch them.
OPTOUT_CRAWLER_RANGES_DIR = env.text("OPTOUT_CRAWLER_RANGES_DIR", "")
# Reverse-then-forward DNS checks of crawler addresses while a log is analysed (network
# lookups at report time): off unless the operator allows them.
OPTOUT_CRAWLER_VERIFY_DNS = env.flag("OPTOUT_CRAWLER_VERIFY_DNS", False)
OPTOUT_CONTROL_CHECK_SECONDS = env.integer("OPTOUT_CONTROL_CHECK_SECONDS", 6 * 3600, minimum=60)
# Each worker pool process loads the fingerprint index of every label when it starts, up to
# this many bytes of index (8 a sub-fingerprint: 100,000 tracks are about 760 MB); the
# labels beyond load at their first search. 0: none at start.
OPTOUT_FINGERPRINT_WARM_BYTES = env.integer("OPTOUT_FINGERPRINT_WARM_BYTES", 2 * 1024**3, minimum=0)

# --- Partner notices -----------------------------------------------------------------------

# A partner that has not answered gets one reminder this many days before the deadline.
OPTOUT_NOTICE_REMINDER_DAYS = env.integer("OPTOUT_NOTICE_REMINDER_DAYS", 7, minimum=0, maximum=365)

# --- Captures of web pages ------------------------------------------------------------------

# Debian's Chromium, driven by Playwright; a capture without it is stored unrendered.
OPTOUT_CAPTURE_CHROMIUM = env.text("OPTOUT_CAPTURE_CHROMIUM", "/usr/bin/chromium")
OPTOUT_CAPTURE_RENDER = env.flag("OPTOUT_CAPTURE_RENDER", True)
OPTOUT_CAPTURE_MAX_BYTES = env.integer(
    "OPTOUT_CAPTURE_MAX_BYTES", 50 * 1024**2, minimum=1024, maximum=1024**3
)
OPTOUT_CAPTURE_DEADLINE_SECONDS = env.integer(
    "OPTOUT_CAPTURE_DEADLINE_SECONDS", 30, minimum=1, maximum=300
)
OPTOUT_CAPTURE_RENDER_TIMEOUT_SECONDS = env.integer(
    "OPTOUT_CAPTURE_RENDER_TIMEOUT_SECONDS", 45, minimum=5, maximum=600
)
# How often the beat looks for members whose daily alert digest is due (each member gets
# at most one a day, whatever this is).
OPTOUT_ALERT_DIGEST_SECONDS = env.integer(
    "OPTOUT_ALERT_DIGEST_SECONDS", 3600, minimum=60, maximum=86400
)
# Sites whose search results pages a saved search may capture (host or host:port); none
# by default: the operator decides which sites' terms allow it.
OPTOUT_SAVED_SEARCH_HOSTS = env.csv("OPTOUT_SAVED_SEARCH_HOSTS")
OPTOUT_CAPTURE_SCHEDULE_SECONDS = env.integer(
    "OPTOUT_CAPTURE_SCHEDULE_SECONDS", 60, minimum=5, maximum=3600
)
# What the browser may load besides the page itself: in all, per resource, and how long
# one resource may take; and how many requests a page may make before the rest are refused.
OPTOUT_CAPTURE_RESOURCE_BUDGET_BYTES = env.integer(
    "OPTOUT_CAPTURE_RESOURCE_BUDGET_BYTES", 100 * 1024**2, minimum=0, maximum=4 * 1024**3
)
OPTOUT_CAPTURE_RESOURCE_MAX_BYTES = env.integer(
    "OPTOUT_CAPTURE_RESOURCE_MAX_BYTES", 20 * 1024**2, minimum=1024, maximum=1024**3
)
OPTOUT_CAPTURE_RESOURCE_DEADLINE_SECONDS = env.integer(
    "OPTOUT_CAPTURE_RESOURCE_DEADLINE_SECONDS", 20, minimum=1, maximum=300
)
OPTOUT_CAPTURE_MAX_REQUESTS = env.integer(
    "OPTOUT_CAPTURE_MAX_REQUESTS", 300, minimum=1, maximum=10_000
)

# --- Logging -------------------------------------------------------------------------------

LOG_LEVEL = env.choice("OPTOUT_LOG_LEVEL", "INFO", ("DEBUG", "INFO", "WARNING", "ERROR"))
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": "WARNING"},
    "loggers": {
        "optout": {"level": LOG_LEVEL},
        "catalog": {"level": LOG_LEVEL},
        "evidence": {"level": LOG_LEVEL},
        "notices": {"level": LOG_LEVEL},
        "monitoring": {"level": LOG_LEVEL},
        "django.request": {"level": "ERROR"},
    },
}

# Every label domain's published signals are audited against its policy this often.
OPTOUT_SIGNAL_AUDIT_SECONDS = env.integer(
    "OPTOUT_SIGNAL_AUDIT_SECONDS", 7 * 24 * 3600, minimum=3600
)
# Every stored file is hashed again this often (evidence.tasks.sanity_check).
OPTOUT_SANITY_CHECK_SECONDS = env.integer("OPTOUT_SANITY_CHECK_SECONDS", 24 * 3600, minimum=60)
# Each label's ledger head is timestamped by its TSA this often, when it has new entries
# (optout.services.ledger_anchors).
OPTOUT_LEDGER_ANCHOR_SECONDS = env.integer("OPTOUT_LEDGER_ANCHOR_SECONDS", 3600, minimum=60)

CELERY_BEAT_SCHEDULE: dict[str, dict[str, Any]] = {
    "sweep-jobs": {"task": "optout.sweep_jobs", "schedule": float(OPTOUT_JOB_SWEEP_SECONDS)},
    # Temporary files a killed worker left behind (a half-written packet, an import report).
    "sweep-job-files": {"task": "optout.sweep_job_files", "schedule": 900.0},
    "signal-audits": {
        "task": "policy.schedule_audits",
        "schedule": float(OPTOUT_SIGNAL_AUDIT_SECONDS),
    },
    "evidence-sanity-check": {
        "task": "evidence.sanity_check",
        "schedule": float(OPTOUT_SANITY_CHECK_SECONDS),
    },
    "run-due-captures": {
        "task": "evidence.run_due_captures",
        "schedule": float(OPTOUT_CAPTURE_SCHEDULE_SECONDS),
    },
    "send-alert-digests": {
        "task": "evidence.send_alert_digests",
        "schedule": float(OPTOUT_ALERT_DIGEST_SECONDS),
    },
    "expire-uploads": {"task": "catalog.expire_uploads", "schedule": 3600.0},
    "anchor-ledgers": {
        "task": "optout.anchor_ledgers",
        "schedule": float(OPTOUT_LEDGER_ANCHOR_SECONDS),
    },
    "notice-deadlines": {"task": "notices.deadlines", "schedule": 3600.0},
    # Protection coverage: a refresh for each label changed since its last one (debounced),
    # and once a day every label again (time alone ages captured terms).
    "refresh-coverage": {
        "task": "optout.refresh_coverage",
        "schedule": float(OPTOUT_COVERAGE_REFRESH_SECONDS),
    },
    "age-coverage": {"task": "optout.age_coverage", "schedule": 86400.0},
    "platform-controls-overdue": {
        "task": "monitoring.controls_overdue",
        "schedule": float(OPTOUT_CONTROL_CHECK_SECONDS),
    },
}
