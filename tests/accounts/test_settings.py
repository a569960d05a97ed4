"""Production settings refuse to start with missing or unsafe values."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
GOOD_ENV = {
    "SECRET_KEY": "k3J9x!vQ2#pL8zR4wT6yU1iO0aS5dF7gH9jK2lZ4xC6vB8nM1qW3eR5tY7uI9oP0",
    "ALLOWED_HOSTS": "mgtrade.example.com",
    "DATABASE_URL": "postgres://mgtrade:secret@db.internal:5432/mgtrade",
    "REDIS_URL": "redis://redis.internal:6379/0",
    "EMAIL_URL": "smtp+tls://mailer:secret@smtp.example.com:587",
}


def run_with_production_settings(env_overrides: dict[str, str | None], *args: str):
    # The browser tests set DJANGO_ALLOW_ASYNC_UNSAFE for the test process; a deployment must not.
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in GOOD_ENV and k not in ("DEBUG", "DJANGO_ALLOW_ASYNC_UNSAFE")
    }
    env.update(GOOD_ENV)
    for key, value in env_overrides.items():
        if value is None:
            env.pop(key, None)
        else:
            env[key] = value
    env["DJANGO_SETTINGS_MODULE"] = "mgtrade.settings.production"
    command = args or ("check", "--deploy", "--fail-level", "WARNING")
    return subprocess.run(
        [sys.executable, "manage.py", *command],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_check_deploy_is_clean_with_a_realistic_environment():
    result = run_with_production_settings({})
    assert result.returncode == 0, result.stderr
    assert "no issues" in result.stdout


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"SECRET_KEY": None}, "SECRET_KEY"),
        ({"SECRET_KEY": "short"}, "SECRET_KEY"),
        ({"SECRET_KEY": "insecure-" + "x" * 60}, "SECRET_KEY"),
        ({"ALLOWED_HOSTS": None}, "ALLOWED_HOSTS"),
        ({"ALLOWED_HOSTS": "*"}, "ALLOWED_HOSTS"),
        ({"DATABASE_URL": "sqlite:///db.sqlite3"}, "PostgreSQL"),
        ({"REDIS_URL": None}, "REDIS_URL"),
        ({"EMAIL_URL": "consolemail://"}, "EMAIL_URL"),
        ({"DEBUG": "maybe"}, "DEBUG"),
        ({"DEBUG": "true"}, "DEBUG must be off"),
    ],
)
def test_production_refuses_missing_or_bad_values(overrides, message):
    result = run_with_production_settings(overrides)
    assert result.returncode != 0
    assert message in result.stderr


def test_wsgi_freezes_the_views_out_of_the_collectors_view():
    """mgtrade/wsgi.py imports the URLconf (every view and what it uses) before gc.freeze(),
    so full collections in a worker never scan them (docs/quotes.md, "Performance")."""
    code = (
        "import gc, sys\n"
        "assert 'quotes.api.views' not in sys.modules\n"
        "import mgtrade.wsgi\n"
        "from quotes.api.views import QuoteViewSet\n"
        "from customers.views import customer_list\n"
        "tracked = {id(o) for o in gc.get_objects()}\n"
        "print(id(QuoteViewSet) in tracked, id(customer_list) in tracked)\n"
    )
    result = run_with_production_settings({}, "shell", "--no-imports", "-c", code)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["False", "False"]
