"""Settings shared by every environment; values come from environment variables.

The defaults give the embedded run: SQLite, Celery on a filesystem broker (no Redis
server), email written to files under ``var/``. Production overrides what must never
default (see ``production.py``). Importing settings creates no directories: the broker's
folders are made by the Celery app when it is first configured (``mgtrade/celery.py``), the
outbox by Django's file email backend.
"""

from datetime import timedelta
from decimal import Decimal
from pathlib import Path

import environ
from celery.schedules import crontab
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent.parent

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

# Working files of the embedded run: broker folders, outbox, beat schedule.
VAR_DIR = Path(env.str("MGTRADE_VAR_DIR", default=str(BASE_DIR / "var")))

_TRUE, _FALSE = {"1", "true", "yes", "on"}, {"0", "false", "no", "off", ""}


def env_bool(name: str, default: bool) -> bool:
    """A boolean variable; anything but true/false/yes/no/on/off/1/0 is refused."""
    raw = env.str(name, default=str(default)).strip().lower()
    if raw in _TRUE:
        return True
    if raw in _FALSE:
        return False
    raise ImproperlyConfigured(f"{name}={raw!r} is not a boolean (use true or false).")


SECRET_KEY = env.str("SECRET_KEY", default="insecure-dev-key-only-for-local-use")
DEBUG = env_bool("DEBUG", default=False)
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    # Before the admin: per-language columns of master data (products/translation.py,
    # quotes/translation.py; docs/i18n.md "Master data and order documents").
    "modeltranslation",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "knox",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_htmx",
    "django_countries",
    "simple_history",
    "axes",
    "csp",
    "mgtrade.accounts",
    "products",
    "customers",
    "pricing",
    "quotes",
    "orders",
    "reports",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "mgtrade.security.PermissionsPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # A NUL character in the path, query string or a form field is a 400 (mgtrade/nul.py).
    "mgtrade.nul.RejectNulMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    # Axes last: it inspects the response of the login views.
    "axes.middleware.AxesMiddleware",
]

# Content-Security-Policy on every response (django-csp; docs/accessibility.md): everything
# from this origin, nothing inline (no <script> blocks, no on*= handlers, no style=
# attributes), no eval. Views that must differ say so with csp_update/csp_replace: the API's
# Swagger UI (inline <style> of drf-spectacular's page, data: images of its stylesheet) and
# the outbox's frame showing an email's own HTML.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF],
        "font-src": [SELF],
        "connect-src": [SELF],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    },
}
# Permissions-Policy on every response (mgtrade.security): the app uses none of these.
PERMISSIONS_POLICY = {
    feature: []
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
    )
}

ROOT_URLCONF = "mgtrade.urls"
WSGI_APPLICATION = "mgtrade.wsgi.application"

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
                "mgtrade.accounts.context_processors.roles",
            ],
            "libraries": {
                "web": "mgtrade.web_tags",
                "admin_a11y": "mgtrade.admin_tags",
                "document_i18n": "mgtrade.document_i18n",
            },
        },
    },
]

DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}")}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=0)
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets the web process read while the worker writes.
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL;PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
# Covering indexes (INCLUDE) serve PostgreSQL; SQLite ignores the extra columns, harmlessly.
SILENCED_SYSTEM_CHECKS = ["models.W040"]

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

SESSION_COOKIE_AGE = env.int("SESSION_COOKIE_AGE", default=8 * 60 * 60)
SESSION_SAVE_EVERY_REQUEST = True  # the timeout counts from the last request

# Failed-login lockout (django-axes): the same limit on the login page and the API.
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("AXES_COOLOFF_MINUTES", default=15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_RESET_ON_SUCCESS = True

LANGUAGE_CODE = "en"
# The languages of what a buyer receives (mgtrade/i18n.py); the rep-facing app is English.
LANGUAGES = [
    ("en", "English"),
    ("de", "Deutsch"),
    ("ja", "日本語"),
    ("ko", "한국어"),
    ("tr", "Türkçe"),
    ("pt-br", "Português (Brasil)"),
    ("zh-hans", "简体中文"),
]
LOCALE_PATHS = [BASE_DIR / "locale"]
# Master data (grade names, terms templates' clauses, bank instructions) has a column per
# language; English is the required source and the fallback a document prints when a
# language has no text (the rep sees the gap: quotes.selectors.translation_gaps).
MODELTRANSLATION_DEFAULT_LANGUAGE = "en"
MODELTRANSLATION_LANGUAGES = tuple(code for code, _name in LANGUAGES)
MODELTRANSLATION_FALLBACK_LANGUAGES = ("en",)
MODELTRANSLATION_AUTO_POPULATE = False
TIME_ZONE = env.str("TIME_ZONE", default="Asia/Shanghai")
USE_I18N = True
USE_TZ = True
FORMAT_MODULE_PATH = ["mgtrade.formats"]

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
# Files served at the site's root by WhiteNoise: /favicon.ico, which browsers ask for
# whatever the page's <link rel="icon"> says.
WHITENOISE_ROOT = BASE_DIR / "static" / "root"
MEDIA_URL = "media/"
MEDIA_ROOT = env.path("MEDIA_ROOT", default=str(BASE_DIR / "media"))


def document_storage(source: environ.Env) -> dict:
    """Where stored documents (quote, contract and proforma PDFs) live: Django's default
    storage. Local disk under MEDIA_ROOT (``make run``) unless ``MGTRADE_S3_BUCKET`` is set;
    then any S3-compatible object store (django-storages' S3 backend), so every web and
    worker host reads the same files (docs/deploy.md). Nothing uses a file system path: the
    code opens, saves and checks files through the storage API only. Buyers and reps
    download through the app's views (the visibility rules apply); the bucket stays private.
    """
    bucket = source.str("MGTRADE_S3_BUCKET", default="")
    if not bucket:
        return {"BACKEND": "django.core.files.storage.FileSystemStorage"}
    return {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": bucket,
            # e.g. https://s3.eu-central-1.amazonaws.com, a MinIO or Ceph address; empty: AWS
            "endpoint_url": source.str("MGTRADE_S3_ENDPOINT_URL", default="") or None,
            "region_name": source.str("MGTRADE_S3_REGION", default="") or None,
            # Empty: boto3's own chain (instance role, AWS_* variables, ~/.aws).
            "access_key": source.str("MGTRADE_S3_ACCESS_KEY_ID", default="") or None,
            "secret_key": source.str("MGTRADE_S3_SECRET_ACCESS_KEY", default="") or None,
            "location": source.str("MGTRADE_S3_PREFIX", default=""),
            "default_acl": None,  # the bucket's own (private) policy
            "file_overwrite": False,  # an issued PDF is never replaced under its name
            "addressing_style": source.str("MGTRADE_S3_ADDRESSING_STYLE", default="") or None,
        },
    }


STORAGES = {
    "default": document_storage(env),
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

# Email: EMAIL_URL like smtp://user:pass@host:587/?tls=True; default writes files.
EMAIL_FILE_PATH = str(VAR_DIR / "outbox")
_email = env.email_url("EMAIL_URL", default="filemail://")
if _email["EMAIL_BACKEND"] == "django.core.mail.backends.filebased.EmailBackend":
    _email["EMAIL_FILE_PATH"] = _email.get("EMAIL_FILE_PATH") or EMAIL_FILE_PATH
vars().update(_email)
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="sales@mgtrade.example")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "knox.auth.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PARSER_CLASSES": [
        "mgtrade.nul.JSONParser",  # refuses NUL characters like RejectNulMiddleware
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "DEFAULT_PAGINATION_CLASS": "mgtrade.api.Pagination",
    "PAGE_SIZE": 50,
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "mgtrade.api.exception_handler",
    "COERCE_DECIMAL_TO_STRING": True,
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
}
# API tokens (django-rest-knox): stored hashed, one per request, ending after this many days,
# on a password change and on logout (docs/api.md). Clients send "Authorization: Token …".
API_TOKEN_TTL_DAYS = env.int("MGTRADE_API_TOKEN_TTL_DAYS", default=30)
if API_TOKEN_TTL_DAYS < 1:
    raise ImproperlyConfigured("MGTRADE_API_TOKEN_TTL_DAYS must be at least 1.")
REST_KNOX = {
    "TOKEN_TTL": timedelta(days=API_TOKEN_TTL_DAYS),
    "AUTH_HEADER_PREFIX": "Token",
    "AUTO_REFRESH": False,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "mgtrade API",
    "DESCRIPTION": "CRM and quoting for magnesium exports. Contract: docs/api.md.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SERVE_PERMISSIONS": ["rest_framework.permissions.IsAuthenticated"],
    "COMPONENT_SPLIT_REQUEST": True,
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "mgtrade.api.document_error_responses",
    ],
    "SWAGGER_UI_DIST": "SIDECAR",
    # No deep links: Swagger UI puts each operation's link inside its expand button, a
    # control nested in a control (axe nested-interactive; docs/accessibility.md).
    "SWAGGER_UI_SETTINGS": {"deepLinking": False},
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "ENUM_NAME_OVERRIDES": {
        "IncotermEnum": "customers.models.Incoterm",
        "CustomerStatusEnum": "customers.models.Status",
        "QuoteStatusEnum": "quotes.models.QuoteStatus",
        "DeliveryStatusEnum": "quotes.models.DeliveryStatus",
        "ContractStatusEnum": "orders.models.ContractStatus",
        "ProformaStatusEnum": "orders.models.ProformaStatus",
        "LCStatusEnum": "orders.models.LCStatus",
        "TariffKindEnum": "products.models.TariffKind",
        "DutyBasisEnum": "products.models.DutyBasis",
        "TariffChangeKindEnum": "quotes.tariff_watch.models.TariffChangeEvent.Kind",
        "RunStatusEnum": "quotes.tariff_watch.models.RunStatus",
    },
}

# Celery: Redis when REDIS_URL is set; otherwise a filesystem broker under var/ so
# `make run` needs no server. Results are not used (side effects are rows with a status).
REDIS_URL = env.str("REDIS_URL", default="")
# ("localhost" names no server: it only keeps kombu from warning that no host was given.)
CELERY_BROKER_URL = REDIS_URL or "filesystem://localhost//"
if not REDIS_URL:
    _queue_dir = VAR_DIR / "celery" / "queue"
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(_queue_dir),
        "data_folder_out": str(_queue_dir),
        "processed_folder": str(VAR_DIR / "celery" / "processed"),
        "control_folder": str(VAR_DIR / "celery" / "control"),
        "store_processed": False,
        # Seconds between looks at the queue folder (kombu's default: 1). A send crosses the
        # queue twice (render, then email): 0.1 s took ~1.2 s off Send → email written, for
        # a fraction of a percent of one core while idle (docs/performance.md).
        "polling_interval": 0.1,
    }
else:
    # Must exceed the longest task hard time limit (see quotes.tasks).
    CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 3600}
# A Send must not hang on a dead broker: a refused connection fails within about half a
# second, an unanswered one after 2 s per try; the row stays queued for the relay
# (quotes.sending.enqueue).
CELERY_BROKER_CONNECTION_TIMEOUT = 2
CELERY_TASK_PUBLISH_RETRY_POLICY = {
    "max_retries": 2,
    "interval_start": 0,
    "interval_step": 0.2,
    "interval_max": 0.5,
}
# Queues (docs/deploy.md): every process reads these routes from here, so the web
# process, beat and every worker agree. E-mails have their own queue, so a burst of PDF
# renders never delays one; the rest (beat's sweeps, imports, tariff watch) is "celery".
# A worker started without -Q (make run's Procfile) consumes all three.
CELERY_TASK_DEFAULT_QUEUE = "celery"
CELERY_TASK_QUEUES = {name: {"routing_key": name} for name in ("email", "render", "celery")}
CELERY_TASK_ROUTES = {
    "quotes.tasks.quote_email_task": {"queue": "email"},
    "quotes.tasks.quote_notice_email_task": {"queue": "email"},
    "quotes.tasks.quote_render_pdf_task": {"queue": "render"},
}
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SOFT_TIME_LIMIT = 120
CELERY_TASK_TIME_LIMIT = 180
# KB. A child settles at 235-255 MB after rendering PDFs for Chinese, Japanese or Korean
# buyers (77 MB of it the mapped Noto CJK fonts); the limit leaves a wide margin above that,
# so children are recycled for a real leak, not after every CJK PDF (docs/deploy.md).
CELERY_WORKER_MAX_MEMORY_PER_CHILD = env.int("CELERY_WORKER_MAX_MEMORY_KB", default=400_000)
CELERY_TASK_ALWAYS_EAGER = env_bool("CELERY_TASK_ALWAYS_EAGER", default=False)
CELERY_TIMEZONE = TIME_ZONE
CELERY_BEAT_SCHEDULE = {
    "tariff-changes-look-ahead": {
        "task": "quotes.tariff_watch.tasks.tariff_changes_look_ahead_task",
        "schedule": crontab(hour=0, minute=30),  # daily, after the expiry task
    },
    "expire-quotes-daily": {
        "task": "quotes.tasks.quotes_expire_due_task",
        "schedule": crontab(hour=0, minute=15),  # just after midnight, TIME_ZONE
    },
    "resume-customer-imports": {
        "task": "customers.tasks.customer_imports_resume_task",
        "schedule": 60.0,  # seconds; see customers.services.IMPORT_REQUEUE_AFTER
    },
    "relay-queued-deliveries": {
        "task": "quotes.tasks.deliveries_relay_task",
        "schedule": 60.0,  # seconds; rows queued and never started for DELIVERY_RELAY_SECONDS
    },
    "recover-stale-deliveries": {
        "task": "quotes.tasks.deliveries_recover_stale_task",
        "schedule": 60.0,  # seconds; claims older than MGTRADE["DELIVERY_STALE_SECONDS"]
    },
    "flag-overdue-proformas-daily": {
        "task": "orders.tasks.proformas_flag_overdue_task",
        "schedule": crontab(hour=0, minute=30),
    },
    "reports-refresh": {
        "task": "reports.tasks.report_lines_refresh_task",
        "schedule": 600.0,  # seconds: the report pages' figures are at most this old
    },
    "reports-weekly-digest": {
        "task": "reports.tasks.weekly_digests_task",
        "schedule": crontab(day_of_week="mon", hour=6, minute=0),  # TIME_ZONE
    },
}
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celerybeat-schedule")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}},
    "filters": {
        "client_errors_without_traceback": {"()": "mgtrade.logs.ClientErrorsWithoutTraceback"}
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": "plain",
            "filters": ["client_errors_without_traceback"],
        }
    },
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {
        # Django's own console handler (DEBUG only) would print every request error a second
        # time, unformatted and unfiltered: its records go to the root handler alone.
        "django": {"handlers": [], "level": "INFO"},
        "axes.apps": {"level": "WARNING"},  # a version banner at every start
        "fontTools": {"level": "WARNING"},
        "weasyprint": {"level": "WARNING"},
    },
}

# Business settings.
MGTRADE = {
    "DEFAULT_ORIGIN_PORT": env.str("MGTRADE_DEFAULT_ORIGIN_PORT", default="CNTXG"),
    "DEFAULT_INSURANCE_RATE_PERCENT": Decimal(
        env.str("MGTRADE_INSURANCE_RATE_PERCENT", default="0.15")
    ),
    "QUOTE_VALIDITY_DAYS": env.int("MGTRADE_QUOTE_VALIDITY_DAYS", default=7),
    # Lines per quote (and per price preview): more is a 400 on "lines" / a form error.
    "MAX_QUOTE_LINES": env.int("MGTRADE_MAX_QUOTE_LINES", default=50),
    "APPROVAL_DISCOUNT_THRESHOLD_PERCENT": Decimal(
        env.str("MGTRADE_APPROVAL_DISCOUNT_THRESHOLD_PERCENT", default="3")
    ),
    # Approval reasons (docs/quotes.md): reference data older than this on the quote date.
    "STALE_PRICE_DAYS": env.int("MGTRADE_STALE_PRICE_DAYS", default=14),
    "STALE_FX_DAYS": env.int("MGTRADE_STALE_FX_DAYS", default=7),
    "STALE_FREIGHT_DAYS": env.int("MGTRADE_STALE_FREIGHT_DAYS", default=45),
    # Approval notices (submitted, approved, returned) also by e-mail, not only in the app.
    "NOTIFY_BY_EMAIL": env_bool("MGTRADE_NOTIFY_BY_EMAIL", default=False),
    "COMPANY_NAME": env.str("MGTRADE_COMPANY_NAME", default="Helan Magnesium Export Co., Ltd."),
    "COMPANY_ADDRESS": env.str(
        "MGTRADE_COMPANY_ADDRESS",
        default="88 Binhe Road, Jinfeng District, Yinchuan, Ningxia 750001, China",
    ),
    # A file under static/ (served by the app and embedded in PDFs), e.g. img/logo.svg.
    "COMPANY_LOGO": env.str("MGTRADE_COMPANY_LOGO", default="img/logo.svg"),
    "COMPANY_CONTACT": env.str(
        "MGTRADE_COMPANY_CONTACT", default="sales@mgtrade.example · +86 951 555 0100"
    ),
    # The quotation's origin and manufacturer lines (docs/pdf.md).
    "COUNTRY_OF_ORIGIN": env.str("MGTRADE_COUNTRY_OF_ORIGIN", default="People's Republic of China"),
    "MANUFACTURER": env.str("MGTRADE_MANUFACTURER", default=""),  # empty: the company
    # The company stamp printed in the exporter's signature block: a file under static/
    # (empty: no stamp image, a box to stamp by hand).
    "COMPANY_STAMP": env.str("MGTRADE_COMPANY_STAMP", default=""),
    # Sending quotes (docs/sending.md): the buyer's links start with SITE_URL.
    "SITE_URL": env.str("MGTRADE_SITE_URL", default="http://127.0.0.1:8000"),
    "DELIVERY_MAX_ATTEMPTS": env.int("MGTRADE_DELIVERY_MAX_ATTEMPTS", default=6),
    # A claim older than this is stale (its worker died); well above the tasks' hard limits.
    "DELIVERY_STALE_SECONDS": env.int("MGTRADE_DELIVERY_STALE_SECONDS", default=600),
    # A render or e-mail queued this long and never started has its task published again
    # (the broker was down at commit, or lost the message): the relay, every minute.
    "DELIVERY_RELAY_SECONDS": env.int("MGTRADE_DELIVERY_RELAY_SECONDS", default=60),
    "API_TOKEN_TTL_DAYS": API_TOKEN_TTL_DAYS,
    # Tariff watch (docs/tariff-watch.md): a rule not checked against the official tariff
    # for this many days is stale; the daily task raises a change event this many days
    # before a rule starts or ends.
    "TARIFF_VERIFY_DAYS": env.int("MGTRADE_TARIFF_VERIFY_DAYS", default=90),
    "TARIFF_LOOKAHEAD_DAYS": env.int("MGTRADE_TARIFF_LOOKAHEAD_DAYS", default=30),
    # Orders (docs/orders.md): days a proforma gives the buyer to pay, and the largest
    # difference (bank charges) a manager may write off, in USD.
    "PROFORMA_DUE_DAYS": env.int("MGTRADE_PROFORMA_DUE_DAYS", default=7),
    "PAYMENT_WRITE_OFF_TOLERANCE_USD": Decimal(
        env.str("MGTRADE_PAYMENT_WRITE_OFF_TOLERANCE_USD", default="50")
    ),
}
