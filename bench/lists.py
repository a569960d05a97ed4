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
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mgtrade.settings.local")

import django

from bench.common import (
    bench_users,
    measure,
    postgres_database_ensure,
    vacuum_analyze,
    worker_process_setup,
)

postgres_database_ensure()
django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402

from customers.models import Customer  # noqa: E402
from mgtrade.accounts.models import User  # noqa: E402
from quotes.models import Quote  # noqa: E402


def ensure_data(quotes: int, customers: int) -> tuple[User, User]:
    """The bench manager and first rep, after seeding up to ``quotes`` quotes."""
    manager, reps = bench_users()
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
    vacuum_analyze("quotes_quote", "quotes_quoteline", "customers_customer")
    return manager, reps[0]


def rows_shown(response) -> int:
    if response["Content-Type"].startswith("application/json"):
        return len(response.json()["results"])
    return response.content.count(b'class="quote-row"')


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quotes", type=int, default=200_000)
    parser.add_argument("--customers", type=int, default=50_000)
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--no-migrate", action="store_true")
    args = parser.parse_args()
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
    worker_process_setup()
    for who, user in (("manager", manager), ("rep", rep)):
        client = Client()
        client.force_login(user)
        counts = {}
        for kind, url in scenarios:
            t = measure(client, url, args.runs)
            worst = max(worst, t.p95_ms)
            print(
                f"{who:8} {kind:5} {t.median_ms:10.1f} {t.p95_ms:8.1f} {t.queries:8d} "
                f"{rows_shown(t.response):5d}  {url}"
            )
            if "page_size=25" in url or "page_size=200" in url:
                counts.setdefault(kind, set()).add(t.queries)
        for kind, seen in counts.items():
            assert len(seen) == 1, f"{who} {kind}: query count depends on the page size: {seen}"
    print(f"\nWorst p95: {worst:.1f} ms (target < 150 ms). Query counts equal for 25 and 200.")


if __name__ == "__main__":
    main()
