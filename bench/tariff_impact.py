"""Tariff watch timing: a rule change's impact over ~10,000 open quotes, and a what-if
scenario over 50,000 stored quotes.

    .venv/bin/python bench/tariff_impact.py                       # SQLite file var/bench-tariff.sqlite3
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/mgtrade_bench_tariff .venv/bin/python bench/tariff_impact.py

Seeds the database (``seed_bulk``) up to --quotes quotes (default 50,000) on the EU lanes
only (the other lanes' freight rates are removed from this bench database first), so about a
fifth of them, ~10,000, are open quotes to Germany and the Netherlands. Then:

1. impact: a new version of the EU MFN rule on 8104.11 (5.3 % → 6 % from tomorrow) through
   ``products.services.tariff_rule_change``, and the time of
   ``tariff_change_impact_compute`` (what the Celery task runs: read every open EU quote's
   snapshot, re-price it with the pure engine, store the impact rows and notifications);
2. scenario: the time of ``scenarios.scenario_compute`` (two hypothetical EU rules) over
   every stored quote (--quotes of them), whatever its status.

Each is run --runs times (default 3; a recomputation replaces the previous result) and the
median and worst are printed.
"""

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mgtrade.settings.local")
os.environ.setdefault("DATABASE_URL", f"sqlite:///{ROOT / 'var' / 'bench-tariff.sqlite3'}")

import django  # noqa: E402

from bench.common import postgres_database_ensure, vacuum_analyze  # noqa: E402

postgres_database_ensure()
django.setup()

from datetime import timedelta  # noqa: E402
from decimal import Decimal  # noqa: E402

from django.core.management import call_command  # noqa: E402
from django.utils import timezone  # noqa: E402

from pricing.engine import TariffRuleData  # noqa: E402
from products import services as rule_services  # noqa: E402
from products.customs import EU_MEMBER_STATES  # noqa: E402
from products.models import FreightRate, TariffRule  # noqa: E402
from quotes.models import OPEN_STATUSES, Quote  # noqa: E402
from quotes.tariff_watch import scenarios  # noqa: E402
from quotes.tariff_watch.models import RunStatus, TariffChangeEvent  # noqa: E402
from quotes.tariff_watch.services import tariff_change_impact_compute  # noqa: E402


def ensure_data(quotes: int) -> None:
    call_command("migrate", verbosity=0)
    have = Quote.objects.count()
    if have >= quotes:
        print(f"{have} quotes present; not adding any.")
        return
    if not FreightRate.objects.exists():
        from mgtrade.accounts import demo as accounts_demo
        from products import demo as products_demo
        from products import reference_demo

        accounts_demo.load()
        products_demo.load()
        reference_demo.load()
        reference_demo.refresh_dates(today=timezone.localdate())
    removed, _ = FreightRate.objects.exclude(
        destination_port__country__in=EU_MEMBER_STATES
    ).delete()
    print(
        f"Removed {removed} non-EU freight rates from this bench database (all quotes go to the EU)."
    )
    started = time.perf_counter()
    call_command("seed_bulk", customers=5000 if not have else 0, quotes=quotes - have)
    print(f"Seeded in {time.perf_counter() - started:.1f} s.")
    vacuum_analyze("quotes_quote", "quotes_quoteline")


def bench_impact(runs: int) -> list[float]:
    rule = (
        TariffRule.objects.filter(destination="EU", hs_prefix="810411", kind="mfn")
        .order_by("-valid_from")
        .first()
    )
    tomorrow = timezone.localdate() + timedelta(days=1)
    if rule.valid_from < tomorrow and rule.rate_percent != Decimal("6"):
        rule = rule_services.tariff_rule_change(
            rule=rule, effective_from=tomorrow, rate_percent=Decimal("6")
        )
    event = TariffChangeEvent.objects.filter(added_rule_ids=[rule.pk]).first()
    times = []
    for _ in range(runs):
        TariffChangeEvent.objects.filter(pk=event.pk).update(status=RunStatus.PENDING)
        started = time.perf_counter()
        event = tariff_change_impact_compute(event_id=event.pk)
        times.append(time.perf_counter() - started)
    open_eu = Quote.objects.filter(
        status__in=OPEN_STATUSES,
        valid_until__gte=timezone.localdate(),
        destination_country__in=EU_MEMBER_STATES,
    ).count()
    print(
        f"impact: {event.summary}: {event.quotes_checked} open quotes checked "
        f"({open_eu} open EU quotes), {event.affected_count} affected, "
        f"median {statistics.median(times):.2f} s, worst {max(times):.2f} s over {runs} runs"
    )
    return times


def bench_scenario(runs: int) -> list[float]:
    hypothetical = [
        TariffRuleData("EU", "810419", "retaliatory", Decimal("25"), "CIF"),
        TariffRuleData("EU", "810411", "mfn", Decimal("0"), "CIF"),
    ]
    today = timezone.localdate()
    times = []
    result = {}
    for _ in range(runs):
        source = (
            ("all", *row)
            for row in Quote.objects.order_by("pk")
            .values_list(*scenarios.QUOTE_ROW_FIELDS)
            .iterator(chunk_size=2000)
        )
        started = time.perf_counter()
        result = scenarios.scenario_compute(hypothetical=hypothetical, today=today, source=source)
        times.append(time.perf_counter() - started)
    print(
        f"scenario: {result['quotes_checked']} quotes re-priced, {result['affected_count']} "
        f"affected, median {statistics.median(times):.2f} s, worst {max(times):.2f} s "
        f"over {runs} runs"
    )
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quotes", type=int, default=50_000)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    ensure_data(args.quotes)
    bench_impact(args.runs)
    bench_scenario(args.runs)


if __name__ == "__main__":
    main()
