"""What the list benchmarks share: the database, bench users, a worker-like process, timing.

Import before ``django.setup()`` is fine: nothing here touches Django at import time.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING
from urllib.parse import urlparse

if TYPE_CHECKING:
    from mgtrade.accounts.models import User

BENCH_PASSWORD = "bench-password-not-used-for-login"


def postgres_database_ensure() -> None:
    """Create the PostgreSQL database named by DATABASE_URL if it is missing (``createdb``)."""
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith("postgres"):
        return
    parts = urlparse(url)
    name = parts.path.lstrip("/")
    args = ["-h", parts.hostname or "127.0.0.1", "-p", str(parts.port or 5432)]
    args += ["-U", parts.username or "postgres"]
    listed = subprocess.run(
        ["psql", *args, "-lqt"], capture_output=True, text=True, check=False
    ).stdout
    if name not in {line.split("|")[0].strip() for line in listed.splitlines()}:
        subprocess.run(["createdb", *args, name], check=True)
        print(f"Created database {name}.")


def bench_users(reps: int = 10) -> tuple[User, list[User]]:
    """``bench_manager`` and ``bench_rep1``..``bench_rep<reps>``, created if missing."""
    from mgtrade.accounts.models import Role, User
    from mgtrade.accounts.services import roles_sync, user_create

    roles_sync()

    def user(username: str, role: Role) -> User:
        found = User.objects.filter(username=username).first()
        return found or user_create(username=username, password=BENCH_PASSWORD, role=role)

    manager = user("bench_manager", Role.SALES_MANAGER)
    return manager, [user(f"bench_rep{i}", Role.SALES_REP) for i in range(1, reps + 1)]


def vacuum_analyze(*tables: str) -> None:
    """What autovacuum does soon after a bulk load (PostgreSQL only): statistics, and the
    visibility map that lets counts be answered from the indexes."""
    from django.db import connection

    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        for table in tables:
            cursor.execute(f"VACUUM ANALYZE {table}")


def worker_process_setup() -> None:
    """This process as a gunicorn worker is: ``mgtrade/wsgi.py`` imported (URLconf loaded,
    ``gc.freeze()``). Not ``setup_test_environment()``: its template instrumentation
    (context copies for the test client) would be counted as server time. Only the test
    client's host is added to ALLOWED_HOSTS."""
    from django.conf import settings

    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    import mgtrade.wsgi  # noqa: F401


@dataclass(frozen=True)
class Timing:
    median_ms: float
    p95_ms: float
    queries: int  # of the last request
    response: object  # the last response
    sql_median_ms: float = 0.0  # the SQL time of a request (its queries' durations), median


def measure(client, url: str, runs: int) -> Timing:
    """GET ``url`` once to warm up, then ``runs`` times: server time per request (the test
    client: no network; a streamed body is read) and the SQL queries of the last one."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.get(url)
    times = []
    sql = []
    for _ in range(runs):
        with CaptureQueriesContext(connection) as queries:
            started = time.perf_counter()
            response = client.get(url)
            if response.streaming:
                b"".join(response.streaming_content)
            times.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, (url, response.status_code)
        sql.append(sum(float(q["time"]) for q in queries.captured_queries) * 1000)
    times.sort()
    p95 = times[max(0, round(0.95 * len(times)) - 1)]
    return Timing(
        statistics.median(times),
        p95,
        len(queries.captured_queries),
        response,
        statistics.median(sql),
    )
