"""Quote list timing at scale: the list page and GET /api/v1/quotes/, manager and rep.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/mgtrade_bench .venv/bin/python bench/lists.py

Creates the database if it is missing (``createdb``), migrates it (``--no-migrate`` to skip),
and seeds it with ``seed_bulk`` until there are --quotes quotes (default 200,000) over at
least --customers customers (default 50,000). Then prints the median and p95 server time
per request (Django test client, so no network) and the SQL queries each request made, for
page sizes 25 and 200 (the query count must be the same for both), plus a few filters.
"""

import argparse
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlparse

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mgtrade.settings.local")

import django


def _ensure_database() -> None:
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


_ensure_database()
django.setup()

from django.conf import settings  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from customers.models import Customer  # noqa: E402
from mgtrade.accounts.models import Role, User  # noqa: E402
from mgtrade.accounts.services import roles_sync, user_create  # noqa: E402
from quotes.models import Quote  # noqa: E402

BENCH_PASSWORD = "bench-password-not-used-for-login"


def _user(username: str, role: Role) -> User:
    user = User.objects.filter(username=username).first()
    return user or user_create(username=username, password=BENCH_PASSWORD, role=role)


def ensure_data(quotes: int, customers: int) -> tuple[User, User]:
    roles_sync()
    manager = _user("bench_manager", Role.SALES_MANAGER)
    reps = [_user(f"bench_rep{i}", Role.SALES_REP) for i in range(1, 11)]
    have_quotes, have_customers = Quote.objects.count(), Customer.objects.count()
    if have_quotes >= quotes:
        print(f"{have_quotes} quotes and {have_customers} customers present; not adding any.")
    else:
        started = time.perf_counter()
        call_command(
            "seed_bulk",
            customers=max(0, customers - have_customers),
            quotes=quotes - have_quotes,
        )
        print(f"Seeded in {time.perf_counter() - started:.1f} s.")
    if connection.vendor == "postgresql":
        # What autovacuum does soon after a bulk load: statistics, and the visibility map
        # that lets counts be answered from the indexes.
        with connection.cursor() as cursor:
            for table in ("quotes_quote", "quotes_quoteline", "customers_customer"):
                cursor.execute(f"VACUUM ANALYZE {table}")
    return manager, reps[0]


def measure(client: Client, url: str, runs: int) -> tuple[float, float, int, int]:
    client.get(url)  # warm-up
    times = []
    for _ in range(runs):
        with CaptureQueriesContext(connection) as queries:
            started = time.perf_counter()
            response = client.get(url)
            times.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, (url, response.status_code)
    times.sort()
    p95 = times[max(0, round(0.95 * len(times)) - 1)]
    if response["Content-Type"].startswith("application/json"):
        rows = len(response.json()["results"])
    else:
        rows = response.content.count(b'class="quote-row"')
    return statistics.median(times), p95, len(queries.captured_queries), rows


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quotes", type=int, default=200_000)
    parser.add_argument("--customers", type=int, default=50_000)
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--no-migrate", action="store_true")
    args = parser.parse_args()
    # Not setup_test_environment(): its template instrumentation (context copies for the
    # test client) would be counted as server time. Only the test client's host is allowed.
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    if not args.no_migrate:
        call_command("migrate", verbosity=0)
    manager, rep = ensure_data(args.quotes, args.customers)
    total = Quote.objects.count()
    print(
        f"Database: {connection.vendor}; {total} quotes, {Customer.objects.count()} customers; "
        f"{args.runs} runs per URL; rep {rep.username} sees "
        f"{Quote.objects.filter(customer__owner=rep).count()} quotes.\n"
    )
    scenarios = [
        ("page", "/quotes/?page_size=25"),
        ("page", "/quotes/?page_size=200"),
        ("api", "/api/v1/quotes/?page_size=25"),
        ("api", "/api/v1/quotes/?page_size=200"),
        ("page", "/quotes/?status=sent&page_size=50"),
        ("page", "/quotes/?expiring_within_days=7"),
        ("page", "/quotes/?product=AZ91D&region=europe"),
        ("page", "/quotes/?search=alloy"),
        ("page", "/quotes/?page=100"),
        ("api", "/api/v1/quotes/?search=Q-2026-001"),
        (
            "api",
            "/api/v1/quotes/?status=accepted&customer="
            + str(
                Quote.objects.filter(customer__owner=rep)
                .values_list("customer_id", flat=True)
                .first()
            ),
        ),
    ]
    print(f"{'who':8} {'kind':5} {'median ms':>10} {'p95 ms':>8} {'queries':>8} {'rows':>5}  url")
    worst = 0.0
    # The process set-up production's gunicorn workers get from mgtrade/wsgi.py (gc.freeze).
    import mgtrade.wsgi  # noqa: F401

    for who, user in (("manager", manager), ("rep", rep)):
        client = Client()
        client.force_login(user)
        counts = {}
        for kind, url in scenarios:
            median, p95, queries, rows = measure(client, url, args.runs)
            worst = max(worst, p95)
            print(f"{who:8} {kind:5} {median:10.1f} {p95:8.1f} {queries:8d} {rows:5d}  {url}")
            if "page_size=25" in url or "page_size=200" in url:
                counts.setdefault(kind, set()).add(queries)
        for kind, seen in counts.items():
            assert len(seen) == 1, f"{who} {kind}: query count depends on the page size: {seen}"
    print(f"\nWorst p95: {worst:.1f} ms (target < 150 ms). Query counts equal for 25 and 200.")


if __name__ == "__main__":
    main()
