"""Report timing at scale: every report page (and its API answer) for a manager and a rep.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/mgtrade_bench .venv/bin/python bench/reports.py

Like ``bench/lists.py``: creates the database if it is missing, migrates it (``--no-migrate``
to skip) and seeds it with ``seed_bulk`` until there are --quotes quotes (default 200,000)
over --customers customers (default 50,000); a database seeded once is reused. Then prints
the median and p95 server time per request (Django test client, no network) and the SQL
queries of each, for the default range (the last 12 months) and a few filters.
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

from bench.lists import ensure_data  # noqa: E402
from customers.models import Customer  # noqa: E402
from quotes.models import Quote  # noqa: E402
from reports.refresh import report_lines_refresh  # noqa: E402
from reports.selectors import REPORTS  # noqa: E402

TARGET_MS = 300


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quotes", type=int, default=200_000)
    parser.add_argument("--customers", type=int, default=50_000)
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--no-migrate", action="store_true")
    args = parser.parse_args()
    load_start = _load()
    if not args.no_migrate:
        call_command("migrate", verbosity=0)
    manager, rep = ensure_data(args.quotes, args.customers)
    started = time.perf_counter()
    lines = report_lines_refresh()
    vacuum_analyze("reports_reportline")
    print(f"Report lines rebuilt: {lines} in {time.perf_counter() - started:.1f} s.")
    print(
        f"Database: {connection.vendor}; {Quote.objects.count()} quotes, "
        f"{Customer.objects.count()} customers; {args.runs} runs per URL; rep {rep.username} "
        f"owns {Quote.objects.filter(owner=rep).count()} quotes.\n"
    )
    scenarios = [("page", f"/reports/{name}/") for name in REPORTS]
    scenarios += [("api", f"/api/v1/reports/{name}/") for name in REPORTS]
    scenarios += [
        ("page", "/reports/winloss/?region=europe&grade=AZ91D"),
        ("page", "/reports/realisation/?country=DE"),
        ("page", "/reports/volumes/?industry=automotive"),
        ("page", "/reports/pipeline/?currency=EUR"),
        ("csv", "/reports/realisation/by_grade.csv"),
        ("xlsx", "/reports/winloss/by_month.xlsx"),
    ]
    print(f"{'who':8} {'kind':5} {'median ms':>10} {'p95 ms':>8} {'SQL ms':>7} {'queries':>8}  url")
    worst = 0.0
    worker_process_setup()
    for who, user in (("manager", manager), ("rep", rep)):
        client = Client()
        client.force_login(user)
        for kind, url in scenarios:
            t = measure(client, url, args.runs)
            worst = max(worst, t.p95_ms)
            print(
                f"{who:8} {kind:5} {t.median_ms:10.1f} {t.p95_ms:8.1f} {t.sql_median_ms:7.1f} "
                f"{t.queries:8d}  {url}"
            )
    verdict = "met" if worst < TARGET_MS else "NOT met"
    print(f"\nWorst p95: {worst:.1f} ms (target < {TARGET_MS} ms: {verdict}).")
    print(f"Load average at the end: {_load()} (at the start: {load_start}).")


def _load() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


if __name__ == "__main__":
    main()
