"""Customer list timing at scale: page and API, manager and rep, with filters and search.

    DJANGO_SETTINGS_MODULE=mgtrade.settings.local .venv/bin/python bench/crm_list.py
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/mgtrade_crm_bench .venv/bin/python bench/crm_list.py

Creates customers (bulk_create, each with a primary contact) until there are --customers
(default 50,000), then prints median and p95 server time per request (Django test client,
so no network) and the number of SQL queries each request made, in a process set up like a
gunicorn worker. Creates a missing PostgreSQL database; run `migrate` on it first.
"""

import argparse
import os
import random
import sys
import time
from datetime import timedelta
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

from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.utils import timezone  # noqa: E402

from customers.models import Contact, Customer, Industry, Status  # noqa: E402
from customers.normalize import duplicate_key, normalize_name  # noqa: E402
from customers.regions import region_for  # noqa: E402
from mgtrade.accounts.models import User  # noqa: E402

COUNTRIES = ["DE", "NL", "IT", "US", "JP", "KR", "TR", "BR", "IN", "FR", "GB", "PL", "ES",
             "CA", "MX", "VN", "TH", "AE", "ZA", "AU", "SE", "CZ", "AT", "BE"]  # fmt: skip
WORDS = ["Alpha", "Nord", "Süd", "Metall", "Alloy", "Guss", "Casting", "Precision", "Light",
         "Steel", "Energy", "Aero", "Motor", "Works", "Industries", "Trading", "Rhein", "Pacific",
         "Atlas", "Orion", "Delta", "Vega", "Sakura", "Hanil", "Bosphorus", "Paulista", "Deccan",
         "Kobalt", "Titan", "Polar", "Baltic", "Andes", "Sierra", "Lotus", "Falcon", "Cobalt"]  # fmt: skip
SUFFIXES = ["GmbH", "B.V.", "S.p.A.", "Inc.", "Ltd", "Co., Ltd.", "Corp.", "A.Ş.", "Ltda", "SA", ""]
CITIES = ["Stuttgart", "Rotterdam", "Brescia", "Cleveland", "Osaka", "Ulsan", "Istanbul",
          "São Paulo", "Pune", "Lyon", "Sheffield", "Gdańsk", "Bilbao", "Detroit", "Monterrey"]  # fmt: skip


def ensure_data(target: int) -> tuple[User, User]:
    """The bench manager and first rep, after adding customers up to ``target``."""
    manager, reps = bench_users()
    have = Customer.objects.count()
    if have >= target:
        print(f"{have} customers present; not adding any.")
        return manager, reps[0]
    rng = random.Random(42)
    now = timezone.now()
    started = time.perf_counter()
    batch = 5000
    for start in range(have, target, batch):
        customers = []
        for n in range(start, min(start + batch, target)):
            name = f"{rng.choice(WORDS)} {rng.choice(WORDS)} {n} {rng.choice(SUFFIXES)}".strip()
            country = rng.choice(COUNTRIES)
            customers.append(
                Customer(
                    name=name,
                    normalized_name=normalize_name(name),
                    duplicate_key=duplicate_key(name),
                    country=country,
                    region=region_for(country),
                    industry=rng.choice(Industry.values),
                    status=rng.choice(Status.values),
                    owner=reps[n % len(reps)],
                    city=rng.choice(CITIES),
                    default_incoterm="CIF",
                    default_currency="USD",
                    updated_at=now - timedelta(minutes=rng.randint(0, 500_000)),
                    last_activity_on=(now - timedelta(days=rng.randint(0, 400))).date(),
                )
            )
        created = Customer.objects.bulk_create(customers, batch_size=1000)
        if created[0].pk is None:  # backends that do not return ids
            created = list(Customer.objects.order_by("-id")[: len(customers)])
        Contact.objects.bulk_create(
            [
                Contact(
                    customer=c,
                    name=f"Buyer {c.pk}",
                    email=f"buyer{c.pk}@{normalize_name(c.name).split()[0]}.example",
                    is_primary=True,
                )
                for c in created
            ],
            batch_size=1000,
        )
    elapsed = time.perf_counter() - started
    print(f"Created {target - have} customers (+ contacts) in {elapsed:.1f} s.")
    vacuum_analyze("customers_customer", "customers_contact")
    return manager, reps[0]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--customers", type=int, default=50_000)
    parser.add_argument("--runs", type=int, default=30)
    args = parser.parse_args()
    manager, rep = ensure_data(args.customers)
    vendor = connection.vendor
    total = Customer.objects.count()
    print(f"Database: {vendor}; {total} customers; {args.runs} runs per URL.\n")
    scenarios = [
        ("page", "/customers/"),
        ("page", "/customers/?search=alloy"),
        ("page", "/customers/?search=buyer12345"),
        ("page", "/customers/?region=europe&industry=automotive&status=active"),
        ("page", "/customers/?country=JP&sort=-updated"),
        ("page", "/customers/?sort=-last_activity&page=200"),
        ("api", "/api/v1/customers/"),
        ("api", "/api/v1/customers/?search=osaka"),
        ("api", "/api/v1/customers/?region=east_asia&status=active&page_size=200"),
    ]
    worker_process_setup()
    print(f"{'who':8} {'kind':5} {'median ms':>10} {'p95 ms':>8} {'queries':>8}  url")
    for who, user in (("manager", manager), ("rep", rep)):
        client = Client()
        client.force_login(user)
        for kind, url in scenarios:
            t = measure(client, url, args.runs)
            print(f"{who:8} {kind:5} {t.median_ms:10.1f} {t.p95_ms:8.1f} {t.queries:8d}  {url}")


if __name__ == "__main__":
    main()
