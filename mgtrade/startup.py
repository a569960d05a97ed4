"""Checks shared by the process entry points (wsgi, asgi, the Celery app)."""

import os

from django.core.exceptions import ImproperlyConfigured


def require_settings_module() -> None:
    """Refuse to start without an explicit settings module.

    Falling back to the local settings would run a server with DEBUG on and development
    defaults; falling back to production would hide a forgotten variable behind errors
    about other ones. Naming the module is one line in the service definition.
    """
    if not os.environ.get("DJANGO_SETTINGS_MODULE"):
        raise ImproperlyConfigured(
            "DJANGO_SETTINGS_MODULE is not set. Servers and workers use "
            "DJANGO_SETTINGS_MODULE=mgtrade.settings.production (see docs/deploy.md); "
            "make run sets mgtrade.settings.local."
        )
