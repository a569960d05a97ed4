"""A bounded schemathesis run against the API, as a sales rep and as an admin (CI).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/mgtrade .venv/bin/python scripts/api_fuzz.py

Builds a throw-away PostgreSQL database next to DATABASE_URL's (``<name>_fuzz``: migrate,
load_demo), issues an API token for the demo's ``rep`` and ``admin``, starts gunicorn on a
free loopback port (local settings, DEBUG off, the filesystem broker: nothing is sent) and
runs ``st run`` over the served schema once per role. Bounded: a fixed seed, the
``examples`` and ``fuzzing`` phases only (the ``coverage`` phase alone took 765 s for one
role), ``--max-examples`` per operation (default 4: both roles in about 40 s here; 10 took
130 s and met an internal error of schemathesis's generator for the admin), no shrinking. It fails (exit 1) on a
5xx, on a response that does not match the schema (status code, content type, body,
headers) or on an operation that could not be tested. The token endpoints
(``/api/v1/auth/``) are left out: the fuzzer would revoke its own token mid-run; they have
their own tests (tests/accounts/).
"""

from __future__ import annotations

import argparse
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

CHECKS = ",".join(
    [
        "not_a_server_error",
        "status_code_conformance",
        "content_type_conformance",
        "response_schema_conformance",
        "response_headers_conformance",
    ]
)


def psql_args(url: str) -> list[str]:
    parts = urlsplit(url)
    return [
        "-h",
        parts.hostname or "127.0.0.1",
        "-p",
        str(parts.port or 5432),
        "-U",
        parts.username or "postgres",
    ]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--max-examples", type=int, default=4)
    parser.add_argument("--seed", type=int, default=19)
    parser.add_argument("--roles", default="rep,admin")
    parser.add_argument("--phases", default="examples,fuzzing")
    args = parser.parse_args()

    base = os.environ.get("DATABASE_URL", "")
    if not base.startswith("postgres"):
        sys.exit("Set DATABASE_URL=postgres://… (a throw-away database is made next to it).")
    parts = urlsplit(base)
    name = parts.path.lstrip("/") + "_fuzz"
    subprocess.run(["dropdb", "--if-exists", *psql_args(base), name], check=True)
    subprocess.run(["createdb", *psql_args(base), name], check=True)
    tmp = Path(tempfile.mkdtemp(prefix="mgtrade-fuzz-"))
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "mgtrade.settings.local",
        "DATABASE_URL": urlunsplit(parts._replace(path="/" + name)),
        "REDIS_URL": "",  # the filesystem broker under tmp: tasks are queued, never run
        "MGTRADE_VAR_DIR": str(tmp / "var"),
        "MEDIA_ROOT": str(tmp / "media"),
        "EMAIL_URL": "filemail:///" + str(tmp / "outbox"),
        "DEBUG": "false",
        "LOG_LEVEL": "ERROR",
    }
    os.environ.update(env)
    import django

    django.setup()
    from django.core.management import call_command
    from knox.models import AuthToken

    from mgtrade.accounts.models import User

    call_command("migrate", verbosity=0)
    call_command("load_demo", verbosity=0)
    tokens = {
        role: AuthToken.objects.create(User.objects.get(username=role))[1]
        for role in args.roles.split(",")
    }

    port = free_port()
    server = subprocess.Popen(
        [
            str(Path(sys.executable).parent / "gunicorn"),
            "mgtrade.wsgi",
            "--workers",
            "2",
            "--bind",
            f"127.0.0.1:{port}",
            "--timeout",
            "60",
            "--log-level",
            "warning",
            # No request-line limit (gunicorn's 4094 bytes answers 414 before the app sees
            # the request): the run checks the app's answers; the proxy in front of it sets
            # its own limit.
            "--limit-request-line",
            "0",
        ],
        cwd=ROOT,
        env=env,
        start_new_session=True,
    )
    failed = False
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                socket.create_connection(("127.0.0.1", port), 1).close()
                break
            except OSError:
                time.sleep(0.3)
        for role, token in tokens.items():
            started = time.monotonic()
            command = [
                str(Path(sys.executable).parent / "st"),
                "run",
                f"http://127.0.0.1:{port}/api/schema/",
                "--header",
                f"Authorization: Token {token}",
                "--phases",
                args.phases,
                "--max-examples",
                str(args.max_examples),
                "--seed",
                str(args.seed),
                "--no-shrink",
                "--checks",
                CHECKS,
                "--exclude-path-regex",
                "^/api/v1/auth/",
                "--request-timeout",
                "30",
                "--workers",
                "2",
            ]
            result = subprocess.run(command, cwd=tmp, env=env, check=False)
            print(
                f"api_fuzz: {role}: exit {result.returncode} in {time.monotonic() - started:.0f} s"
            )
            failed = failed or result.returncode != 0
    finally:
        server.terminate()
        server.wait(timeout=30)
        from django.db import connections

        connections.close_all()
        subprocess.run(["dropdb", "--if-exists", *psql_args(base), name], check=False)
        shutil.rmtree(tmp, ignore_errors=True)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
