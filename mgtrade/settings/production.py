"""Production: PostgreSQL, Redis, SMTP. Refuses to start with missing or unsafe values."""

import copy
from urllib.parse import urlsplit

from django.core.exceptions import ImproperlyConfigured
from django.http.request import validate_host

from .base import *  # noqa: F403
from .base import DATABASES, LOGGING, MGTRADE, SILENCED_SYSTEM_CHECKS, STORAGES, env, env_bool

if env_bool("DEBUG", default=False):
    raise ImproperlyConfigured("DEBUG must be off in production.")
DEBUG = False

SECRET_KEY = env.str("SECRET_KEY", default="")
if (
    len(SECRET_KEY) < 50
    # Django's startproject keys and this project's development key are public.
    or SECRET_KEY.startswith(("insecure", "django-insecure-"))
    or len(set(SECRET_KEY)) < 5
):
    raise ImproperlyConfigured(
        "SECRET_KEY must be set to a random string of at least 50 characters in production "
        "(not one starting with 'django-insecure-')."
    )
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=[])
if not ALLOWED_HOSTS or "*" in ALLOWED_HOSTS:
    raise ImproperlyConfigured("ALLOWED_HOSTS must list the site's host names (no '*').")

# Every link in an email (the buyer's quote, the rep's notices) starts with this address.
SITE_URL = env.str("MGTRADE_SITE_URL", default="").rstrip("/")
_site = urlsplit(SITE_URL)
if _site.scheme != "https" or not _site.hostname or _site.query or _site.fragment:
    raise ImproperlyConfigured(
        "MGTRADE_SITE_URL must be the site's https address, e.g. https://mgtrade.example.com "
        "(it starts every link sent by email)."
    )
if not validate_host(_site.hostname, ALLOWED_HOSTS):
    raise ImproperlyConfigured(
        f"MGTRADE_SITE_URL's host {_site.hostname!r} is not in ALLOWED_HOSTS: "
        "every emailed link would be refused."
    )
MGTRADE = {**MGTRADE, "SITE_URL": SITE_URL}

if DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql":
    raise ImproperlyConfigured("DATABASE_URL must point at PostgreSQL in production.")
if not env.str("REDIS_URL", default=""):
    raise ImproperlyConfigured("REDIS_URL must be set in production (Celery broker).")
if not env.str("EMAIL_URL", default="").startswith(("smtp://", "smtp+tls://", "smtp+ssl://")):
    raise ImproperlyConfigured("EMAIL_URL must be an smtp:// URL in production.")

# Connections come from a pool per process (psycopg_pool through Django), which replaces
# persistent connections: Django refuses CONN_MAX_AGE > 0 with a pool. Celery's prefork
# children close their pool after each task (Celery's Django fix-up), so the pool serves
# the web processes.
if env.int("CONN_MAX_AGE", default=0):
    raise ImproperlyConfigured(
        "CONN_MAX_AGE must be 0 in production: connections come from the pool (DB_POOL_MAX_SIZE)."
    )
DATABASES["default"]["CONN_MAX_AGE"] = 0
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True  # the pool checks a connection before lending it
DATABASES["default"]["OPTIONS"] = {
    **DATABASES["default"].get("OPTIONS", {}),
    "pool": {
        "min_size": 1,
        "max_size": env.int("DB_POOL_MAX_SIZE", default=4),
        "timeout": env.int("DB_POOL_TIMEOUT", default=10),  # seconds to wait for a connection
    },
}

STORAGES = {
    "default": STORAGES["default"],  # MGTRADE_S3_BUCKET: an object store; else MEDIA_ROOT
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}

SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", default=True)
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=60 * 60 * 24 * 365)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", default=False)
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
SILENCED_SYSTEM_CHECKS = [
    *SILENCED_SYSTEM_CHECKS,
    *([] if SECURE_HSTS_PRELOAD else ["security.W021"]),
]

# The base logging (quiet font libraries, 4xx without tracebacks), with the process id in
# each line: several gunicorn workers and Celery children write to one stream.
LOGGING = copy.deepcopy(LOGGING)
LOGGING["formatters"]["plain"]["format"] = (
    "%(asctime)s %(levelname)s [%(process)d] %(name)s: %(message)s"
)
