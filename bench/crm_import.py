"""Customer CSV import timing: the preview (in the request) and the worker's import.

    DATABASE_URL=sqlite:////tmp/mgtrade-import-bench.sqlite3 .venv/bin/python bench/crm_import.py
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/mgtrade_import_bench .venv/bin/python bench/crm_import.py

Makes a --rows (default 5,000) row CSV of new customers with contacts, then prints how long
``import_parse`` (the preview the page shows; confirming runs it again),
``customer_import_start`` (the confirm request) and ``customer_import_run`` (the Celery
task, called as a function) take. Migrates the database first; the customers it creates are
deleted at the end.
"""

import argparse
import os
import sys
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mgtrade.settings.local")

import django

from bench.common import bench_users, postgres_database_ensure

postgres_database_ensure()
django.setup()

from django.core.management import call_command  # noqa: E402

from customers import services  # noqa: E402
from customers.csvio import import_parse  # noqa: E402
from customers.models import Customer, CustomerImport  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=5000)
    args = parser.parse_args()
    call_command("migrate", verbosity=0)
    manager, reps = bench_users(reps=3)
    run = uuid.uuid4().hex[:6]
    countries = ["DE", "NL", "IT", "FR", "US", "JP", "KR", "TR", "PL", "BR"]
    lines = ["name,country,industry,owner,city,contact_name,contact_email"]
    for i in range(args.rows):
        owner = reps[i % len(reps)].username
        lines.append(
            f"Bench {run} Metals {i},{countries[i % len(countries)]},automotive,{owner},"
            f"Hamburg,Buyer {i},buyer{i}@{run}.example"
        )
    text = "\n".join(lines) + "\n"

    started = time.perf_counter()
    preview = import_parse(text=text, by=manager)
    parse_s = time.perf_counter() - started
    assert preview.ok, preview.errors[:3]

    started = time.perf_counter()
    job = services.customer_import_start(text=text, by=manager)
    start_s = time.perf_counter() - started

    started = time.perf_counter()
    job = services.customer_import_run(import_id=job.pk)
    run_s = time.perf_counter() - started
    assert job.rows.filter(status="created").count() == args.rows

    vendor = django.db.connection.vendor
    print(f"{args.rows} rows on {vendor}:")
    print(f"  preview (import_parse, in the request): {parse_s:6.1f} s")
    print(f"  confirm (customer_import_start, in the request): {start_s:6.1f} s")
    print(
        f"  import (customer_import_run, in the worker): {run_s:6.1f} s "
        f"({args.rows / run_s:,.0f} rows/s)"
    )
    Customer.objects.filter(name__startswith=f"Bench {run} ").delete()
    CustomerImport.objects.filter(pk=job.pk).delete()


if __name__ == "__main__":
    main()
