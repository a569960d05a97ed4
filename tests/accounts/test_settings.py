"""Settings fail closed: production refuses missing or unsafe values, no process starts
without a named settings module, and the embedded run's links point at its own server."""

import os
import re
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
    "MGTRADE_SITE_URL": "https://mgtrade.example.com",
}
# What a developer's shell may carry that would change what these processes see.
LEAKY = ("DEBUG", "DJANGO_ALLOW_ASYNC_UNSAFE", "CONN_MAX_AGE", "MGTRADE_HOST", "MGTRADE_PORT")


def clean_env(**overrides: str | None) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in GOOD_ENV and k not in LEAKY}
    env.pop("DJANGO_SETTINGS_MODULE", None)
    for key, value in overrides.items():
        if value is None:
            env.pop(key, None)
        else:
            env[key] = value
    return env


def run_python(env: dict[str, str], code: str, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, *args, "-c", code],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def run_with_production_settings(env_overrides: dict[str, str | None], *args: str):
    # The browser tests set DJANGO_ALLOW_ASYNC_UNSAFE for the test process; a deployment must not.
    env = clean_env(**GOOD_ENV)
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
        ({"SECRET_KEY": "django-insecure-" + GOOD_ENV["SECRET_KEY"]}, "django-insecure-"),
        ({"MGTRADE_SITE_URL": None}, "MGTRADE_SITE_URL"),
        ({"MGTRADE_SITE_URL": "http://mgtrade.example.com"}, "MGTRADE_SITE_URL"),
        ({"MGTRADE_SITE_URL": "mgtrade.example.com"}, "MGTRADE_SITE_URL"),
        ({"MGTRADE_SITE_URL": "https://crm.elsewhere.example"}, "not in ALLOWED_HOSTS"),
        ({"CONN_MAX_AGE": "60"}, "CONN_MAX_AGE"),
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
    so full collections in a worker never scan them (docs/performance.md, "Quote lists")."""
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


def test_a_production_server_without_site_url_refuses_to_start():
    """What gunicorn does first (import the WSGI application) fails with the reason."""
    env = clean_env(**{**GOOD_ENV, "MGTRADE_SITE_URL": None})
    env["DJANGO_SETTINGS_MODULE"] = "mgtrade.settings.production"
    result = run_python(env, "import mgtrade.wsgi")
    assert result.returncode != 0
    assert "ImproperlyConfigured: MGTRADE_SITE_URL must be the site's https address" in (
        result.stderr
    )


@pytest.mark.parametrize(
    "command",
    [
        [sys.executable, "-c", "import mgtrade.wsgi"],
        [sys.executable, "-c", "import mgtrade.asgi"],
        [sys.executable, "-m", "celery", "-A", "mgtrade", "report"],
    ],
    ids=["wsgi", "asgi", "celery"],
)
def test_no_process_starts_without_a_settings_module(command):
    """No silent fallback to the local settings (DEBUG on) for servers and workers."""
    result = subprocess.run(
        command, cwd=ROOT, env=clean_env(), capture_output=True, text=True, timeout=120
    )
    assert result.returncode != 0
    assert "DJANGO_SETTINGS_MODULE is not set" in result.stdout + result.stderr


def test_manage_py_uses_the_local_settings_when_none_is_named():
    result = subprocess.run(
        [sys.executable, "manage.py", "diffsettings", "--all"],
        cwd=ROOT,
        env=clean_env(),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert "DEBUG = True" in result.stdout


def procfile_command(name: str) -> str:
    for line in (ROOT / "Procfile").read_text().splitlines():
        if line.startswith(f"{name}:"):
            return line.split(":", 1)[1].strip()
    raise AssertionError(f"no {name} process in the Procfile")


def test_make_run_with_another_port_sends_links_on_that_port():
    """make run starts the Procfile's web server and worker with MGTRADE_HOST/MGTRADE_PORT
    from the environment: the server listens on that port, and the worker (which writes the
    email) builds the buyer's and the rep's links on the same one."""
    env = clean_env(MGTRADE_PORT="8101", MGTRADE_SITE_URL=None)
    web = procfile_command("web")
    assert "DJANGO_SETTINGS_MODULE=mgtrade.settings.local" in web
    assert "DJANGO_SETTINGS_MODULE=mgtrade.settings.local" in procfile_command("worker")
    # The address runserver is given, expanded by the shell as make run (scripts/run.py) does.
    address = web.split(" runserver ", 1)[1].split()[-1]
    listens = subprocess.run(
        ["sh", "-c", f"echo {address}"], env=env, capture_output=True, text=True, check=True
    )
    assert listens.stdout.strip() == "127.0.0.1:8101"

    env["DJANGO_SETTINGS_MODULE"] = "mgtrade.settings.local"
    code = (
        "import django; django.setup()\n"
        "from quotes.public.links import acceptance_url, site_url\n"
        "from quotes.models import Quote\n"
        "print(acceptance_url(Quote(pk=7, version=2)))\n"
        "print(site_url())\n"
    )
    result = run_python(env, code)
    assert result.returncode == 0, result.stderr
    buyer_link, site = result.stdout.split()
    assert buyer_link.startswith("http://127.0.0.1:8101/q/")
    assert site == "http://127.0.0.1:8101"


def test_an_explicit_site_url_wins_over_the_port_in_the_embedded_run():
    env = clean_env(MGTRADE_PORT="8101", MGTRADE_SITE_URL="https://tunnel.example")
    env["DJANGO_SETTINGS_MODULE"] = "mgtrade.settings.local"
    code = (
        "import django; django.setup()\nfrom quotes.public.links import site_url\nprint(site_url())"
    )
    result = run_python(env, code)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "https://tunnel.example"


def test_production_logging_extends_the_base_configuration():
    code = (
        "import django; django.setup()\n"
        "from django.conf import settings\n"
        "from mgtrade.settings import base\n"
        "L = settings.LOGGING\n"
        "assert L['loggers'] == base.LOGGING['loggers'], L\n"
        "assert L['filters'] == base.LOGGING['filters'], L\n"
        "assert L['handlers'] == base.LOGGING['handlers'], L\n"
        "print(L['formatters']['plain']['format'])\n"
    )
    result = run_with_production_settings({}, "shell", "--no-imports", "-c", code)
    assert result.returncode == 0, result.stderr
    assert "%(process)d" in result.stdout


LOG_A_REFUSED_AND_A_FAILED_REQUEST = """
import django
django.setup()
from django.http import HttpResponse
from django.test import RequestFactory
from django.utils.log import log_response
request = RequestFactory().get('/quotes/approvals/')
for status in (403, 500):
    try:
        raise RuntimeError(f'raised for {status}')
    except RuntimeError as exc:
        log_response('Refused or failed: %s', request.path, response=HttpResponse(status=status),
                     request=request, exception=exc)
"""


@pytest.mark.parametrize("module", ["local", "production"])
def test_a_refused_request_logs_one_line_and_a_server_error_its_traceback(module):
    env = clean_env(**GOOD_ENV)
    env["DJANGO_SETTINGS_MODULE"] = f"mgtrade.settings.{module}"
    result = run_python(env, LOG_A_REFUSED_AND_A_FAILED_REQUEST)
    assert result.returncode == 0, result.stderr
    log = result.stderr
    assert log.count("Refused or failed") == 2  # once each, not again by Django's handler
    assert re.search(r"WARNING .*django\.request: Refused or failed", log)
    assert "raised for 403" not in log
    assert re.search(r"ERROR .*django\.request: Refused or failed", log)
    assert "Traceback" in log and "raised for 500" in log


@pytest.mark.parametrize("module", ["local", "test", "production"])
def test_importing_settings_creates_no_directory(module, tmp_path):
    var = tmp_path / "var"
    env = clean_env(**GOOD_ENV, MGTRADE_VAR_DIR=str(var))
    env["DJANGO_SETTINGS_MODULE"] = f"mgtrade.settings.{module}"
    result = run_python(env, "import django; django.setup(); import mgtrade.wsgi")
    assert result.returncode == 0, result.stderr
    assert not var.exists()


def test_the_filesystem_broker_makes_its_folders_when_first_used(tmp_path):
    var = tmp_path / "var"
    env = clean_env(MGTRADE_VAR_DIR=str(var), REDIS_URL=None)
    env["DJANGO_SETTINGS_MODULE"] = "mgtrade.settings.local"
    code = (
        "import django; django.setup()\n"
        "from mgtrade.celery import app\n"
        "app.send_task('quotes.tasks.quotes_expire_due_task')\n"
        "print(app.conf.broker_transport_options['polling_interval'])\n"
    )
    result = run_python(env, code)
    assert result.returncode == 0, result.stderr
    assert len(list((var / "celery" / "queue").iterdir())) == 1  # the queued message
    assert result.stdout.strip() == "0.1"  # a send crosses the queue twice: look often
    assert "No hostname was supplied" not in result.stderr


def test_production_connects_to_postgresql_through_a_pool(postgres_only, db):
    from django.db import connection

    test_db = connection.settings_dict
    url = f"postgres://{test_db['USER']}@{test_db['HOST']}:{test_db['PORT']}/{test_db['NAME']}"
    code = (
        "import django; django.setup()\n"
        "from django.conf import settings\n"
        "from django.db import connection\n"
        "def request():\n"
        "    with connection.cursor() as cursor: cursor.execute('SELECT 1')\n"
        "    connection.close()  # the end of a request: back to the pool\n"
        "request()\n"
        "opened = connection.pool.get_stats()['connections_num']\n"
        "for _ in range(5): request()\n"
        "print(type(connection.pool).__name__, settings.DATABASES['default']['CONN_MAX_AGE'],\n"
        "      connection.pool.get_stats()['connections_num'] - opened)\n"
    )
    result = run_with_production_settings(
        {"DATABASE_URL": url}, "shell", "--no-imports", "-c", code
    )
    assert result.returncode == 0, result.stderr
    # Five more requests opened no new connection: the pool lent the ones it had.
    assert result.stdout.split() == ["ConnectionPool", "0", "0"]
