"""Pricing speed: the engine on one core, and the preview endpoint through the test client.

    .venv/bin/python bench/pricing.py [--seconds 3] [--requests 200]

1. Engine: prices 10-line quotes (pure ingot and alloy lines, EU and US rules with stacked
   duties, 30 candidate rules) in a loop for --seconds in this one process (one core) and
   prints quotes per second. Target: at least 5,000/s (a plain implementation: ~14,000/s).
2. Preview endpoint: builds a throwaway SQLite database in a temporary directory (migrate +
   demo grades and reference data), then POSTs a 10-line CIF Hamburg request to
   /api/v1/pricing/preview/ --requests times through Django's test client and prints the
   median and p95 server time and the SQL queries per request.
"""

import argparse
import os
import statistics
import sys
import tempfile
import time
from dataclasses import replace
from datetime import date
from decimal import Decimal as D
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def engine_bench(seconds: float) -> float:
    from pricing.engine import (
        FreightData,
        LineInput,
        PortData,
        PricingInput,
        TariffRuleData,
        price,
    )

    grades = [
        ("MG9990", "8104.11.00", D("2285.00")),
        ("AZ91D", "8104.19.00", D("2505.00")),
        ("MG-GRAN97", "8104.30.00", D("2430.00")),
    ]
    lines = tuple(
        LineInput(
            product=code,
            hs_code=hs,
            quantity_mt=D("10.5") + i,
            unit_price_usd_per_mt=unit,
            discount_percent=D("1.5") if i % 3 == 0 else D("0"),
        )
        for i, (code, hs, unit) in ((i, grades[i % 3]) for i in range(10))
    )
    rules = []
    for dest, basis in (("EU", "CIF"), ("US", "FOB"), ("BR", "CIF")):
        for prefix in ("810411", "810419", "810430", "810490"):
            rules.append(TariffRuleData(dest, prefix, "mfn", D("5.3"), basis, reference="bench"))
            rules.append(
                TariffRuleData(
                    dest, prefix, "anti_dumping", D("10"), basis, specific_usd_per_mt=D("12.5")
                )
            )
    rules += [
        TariffRuleData("US", "8104", "other", D("10"), "FOB", valid_from=date(2025, 11, 10)),
        TariffRuleData("US", "8104", "retaliatory", D("10"), "FOB", valid_to=date(2026, 11, 10)),
    ]
    base = PricingInput(
        quote_date=date(2026, 11, 20),
        incoterm="DDP",
        origin_port=PortData("CNTXG", "CN", D("18")),
        destination_port=PortData("DEHAM", "DE", D("0"), D("28")),
        freight=FreightData(D("2100"), D("22")),
        currency="EUR",
        fx_rate=D("0.9250"),
        lines=lines,
        tariff_rules=tuple(rules),
    )
    us = replace(base, destination_port=PortData("USNYC", "US", D("0"), D("35")), incoterm="CIF")
    inputs = [base, us]
    assert len(price(base).duty_lines) == 20 and len(price(us).duty_lines) == 30
    count = 0
    start = time.perf_counter()
    deadline = start + seconds
    while time.perf_counter() < deadline:
        for _ in range(200):
            price(inputs[count & 1])
            count += 1
    return count / (time.perf_counter() - start)


def endpoint_bench(requests: int) -> tuple[float, float, int]:
    tmp = tempfile.mkdtemp(prefix="mgtrade-bench-")
    os.environ["DATABASE_URL"] = f"sqlite:///{tmp}/bench.sqlite3"
    os.environ["DJANGO_SETTINGS_MODULE"] = "mgtrade.settings.test"
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext, setup_test_environment

    from mgtrade.accounts.models import Role
    from products import demo, reference_demo
    from tests.accounts.factories import UserFactory

    setup_test_environment()
    call_command("migrate", verbosity=0)
    demo.load()
    reference_demo.load()
    user = UserFactory(username="bench-rep", role=Role.SALES_REP)
    client = Client()
    client.force_login(user)
    codes = ["MG9990", "MG9995", "AZ91D", "AM60B", "MG-GRAN97"]
    body = {
        "quote_date": "2026-11-20",
        "incoterm": "CIF",
        "destination_port": "DEHAM",
        "currency": "EUR",
        "lines": [
            {"product": codes[i % 5], "quantity_mt": f"{10 + i}.5", "discount_percent": "1"}
            for i in range(10)
        ],
    }
    url = "/api/v1/pricing/preview/"
    for _ in range(10):  # warm up
        assert client.post(url, body, content_type="application/json").status_code == 200
    times = []
    for _ in range(requests):
        start = time.perf_counter()
        response = client.post(url, body, content_type="application/json")
        times.append(time.perf_counter() - start)
        assert response.status_code == 200, response.content
    with CaptureQueriesContext(connection) as queries:
        client.post(url, body, content_type="application/json")
    times.sort()
    p95 = times[max(0, int(len(times) * 0.95) - 1)]
    return statistics.median(times) * 1000, p95 * 1000, len(queries)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=3.0)
    parser.add_argument("--requests", type=int, default=200)
    args = parser.parse_args()
    rate = engine_bench(args.seconds)
    print(f"engine: {rate:,.0f} ten-line quotes/second on one core (target ≥ 5,000)")
    median, p95, queries = endpoint_bench(args.requests)
    print(
        f"preview endpoint (test client, SQLite, 10 lines): median {median:.1f} ms, "
        f"p95 {p95:.1f} ms, {queries} SQL queries per request ({args.requests} requests)"
    )


if __name__ == "__main__":
    main()
