"""Scale data: N customers (each with a primary contact) and M quotes with 1–3 lines.

    .venv/bin/python manage.py seed_bulk --customers 50000 --quotes 200000

Bulk inserts throughout. Pricing: the database is read once per route (destination port,
Incoterm, currency) to build the engine's input, then every quote is priced by the pure
engine (``pricing.engine.price``) with its own lines, so each stored ``pricing`` is a real
result. Numbers come from ``QuoteNumberCounter``, bumped once per year for the whole run,
so they never collide with quotes made by the app. Quotes are spread over the reps (the
active users in the Sales rep group; ``bulk_rep1..5`` are created when there are none),
over statuses and over the last years (closed ones; open ones are from the last week). Reference data (grades, ports, freight, rates,
tariffs) comes from the demo seed when the database has none. Works on SQLite and
PostgreSQL.
"""

from __future__ import annotations

import dataclasses
import random
import secrets
import time
from collections import Counter
from contextlib import contextmanager
from datetime import date, timedelta
from decimal import Decimal

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import reset_queries, transaction
from django.utils import timezone

from customers.models import Contact, Customer, Industry, Status
from customers.normalize import duplicate_key, normalize_name
from customers.regions import region_for
from mgtrade.accounts.models import Role, User
from pricing.engine import LineInput, PricingError, PricingInput, price
from pricing.inputs import PricingValidationError, pricing_inputs_gather
from products.customs import EU_MEMBER_STATES
from products.models import ExchangeRate, FreightRate
from quotes.models import (
    OPEN_STATUSES,
    Quote,
    QuoteEvent,
    QuoteLine,
    QuoteNumberCounter,
    QuoteStatus,
    RejectionReason,
)
from quotes.services import approval_reasons_for

S = QuoteStatus
WORDS = ["Alpha", "Nord", "Süd", "Metall", "Alloy", "Guss", "Casting", "Precision", "Light",
         "Steel", "Energy", "Aero", "Motor", "Works", "Rhein", "Pacific", "Atlas", "Orion",
         "Delta", "Vega", "Sakura", "Hanil", "Bosphorus", "Paulista", "Deccan", "Titan",
         "Polar", "Baltic", "Andes", "Lotus", "Falcon", "Cobalt"]  # fmt: skip
SUFFIXES = ["GmbH", "B.V.", "S.p.A.", "Inc.", "Ltd", "Co., Ltd.", "Corp.", "A.Ş.", "SA", ""]
INCOTERMS = ["CIF", "CIF", "CIF", "CFR", "FOB", "DAP"]
QUANTITIES = [Decimal(q) for q in ("5", "10", "20", "22", "25", "44", "50", "66", "100")]
# status: weight (open ones are recent, so some expire this week)
STATUS_WEIGHTS = {
    S.DRAFT: 8,
    S.PENDING_APPROVAL: 2,
    S.APPROVED: 2,
    S.SENT: 8,
    S.ACCEPTED: 25,
    S.REJECTED: 25,
    S.EXPIRED: 30,
}
# Numbers are Q-<year>-<5 digits>: at most 99,999 a year, so closed quotes go back one
# year per this many quotes.
QUOTES_PER_YEAR_BACK = 60_000
BATCH = 2000


@contextmanager
def _explicit_timestamps():
    """Let bulk_create store the generated created/updated times instead of now()."""
    fields = [
        Quote._meta.get_field("created_at"),
        Quote._meta.get_field("updated_at"),
        QuoteEvent._meta.get_field("at"),
    ]
    saved = [(f, f.auto_now, f.auto_now_add) for f in fields]
    for f in fields:
        f.auto_now = f.auto_now_add = False
    try:
        yield
    finally:
        for f, auto_now, auto_now_add in saved:
            f.auto_now, f.auto_now_add = auto_now, auto_now_add


def _created_ids(model, objs, batch_size=1000):
    created = model.objects.bulk_create(objs, batch_size=batch_size)
    if created and created[0].pk is None:  # a backend that does not return ids
        ids = list(model.objects.order_by("-id").values_list("id", flat=True)[: len(objs)])
        for obj, pk in zip(created, reversed(ids), strict=True):
            obj.pk = pk
    return created


class Command(BaseCommand):
    help = "Create N customers and M quotes with lines fast (bulk inserts), for scale tests."

    def add_arguments(self, parser):
        parser.add_argument("--customers", type=int, default=1000)
        parser.add_argument("--quotes", type=int, default=5000)
        parser.add_argument("--seed", type=int, default=42)

    def handle(self, *args, customers: int, quotes: int, seed: int, **options):
        if customers < 0 or quotes < 0:
            raise CommandError("--customers and --quotes must be 0 or more.")
        rng = random.Random(seed)
        started = time.perf_counter()
        self.today = timezone.localdate()
        self._reference_data()
        reps = self._reps()
        managers = list(User.objects.filter(groups__name=Role.SALES_MANAGER, is_active=True))
        routes = self._routes()
        made = self._customers(customers, reps, routes, rng)
        t_customers = time.perf_counter() - started
        self.stdout.write(f"{customers} customers (+ contacts) in {t_customers:.1f} s.")
        if quotes:
            pool = made or self._existing_customers()
            if not pool:
                raise CommandError("No customers to quote: pass --customers N.")
            self._quotes(quotes, pool, managers, rng)
        self._contracts(rng)
        elapsed = time.perf_counter() - started
        self.stdout.write(
            self.style.SUCCESS(
                f"seed_bulk: {customers} customers and {quotes} quotes in {elapsed:.1f} s "
                f"({Quote.objects.count()} quotes in the database)."
            )
        )

    # ---------------------------------------------------------------- contracts

    def _contracts(self, rng) -> None:
        """Sales contracts for 60 % of the accepted quotes (their lines copied), 5 % of them
        cancelled; 70 % of the others shipped: one shipment on board (loaded, arrived or
        completed) with one lot per line, most of a line's tonnes allocated. Which quotes is
        decided by their id, so a second run adds none for quotes it already saw. Enough for
        the reports' contracted and shipped tonnes at scale (``bench/reports.py``); not a
        replay of the contract and shipping services."""
        from orders.models import (
            ContractLine,
            ContractStatus,
            Lot,
            LotAllocation,
            SalesContract,
            Shipment,
            ShipmentStatus,
        )

        started = time.perf_counter()
        accepted = list(
            Quote.objects.filter(status=S.ACCEPTED, contract__isnull=True)
            .order_by("id")
            .values_list("id", "customer_id", "owner_id", "quote_date", "decided_at")
        )
        chosen = [q for q in accepted if q[0] % 10 < 6]
        made = shipped = 0
        for start in range(0, len(chosen), BATCH):
            batch = chosen[start : start + BATCH]
            lines: dict[int, list] = {}
            for line in QuoteLine.objects.filter(quote_id__in=[q[0] for q in batch]).order_by(
                "quote_id", "position"
            ):
                lines.setdefault(line.quote_id, []).append(line)
            contracts = []
            for quote_id, customer_id, owner_id, quote_date, decided_at in batch:
                cancelled = quote_id % 20 == 0
                total = sum((ln.quantity_mt for ln in lines[quote_id]), Decimal("0"))
                contracts.append(
                    SalesContract(
                        number=f"SCB-{quote_id}",
                        quote_id=quote_id,
                        customer_id=customer_id,
                        owner_id=owner_id,
                        status=ContractStatus.CANCELLED if cancelled else ContractStatus.COMPLETED,
                        contract_date=quote_date,
                        buyer={"name": "Bulk buyer"},
                        accepted_via="rep",
                        accepted_at=decided_at or timezone.now(),
                        currency="USD",
                        incoterm="FOB",
                        named_place="Tianjin",
                        port_of_loading="CNTXG",
                        port_of_discharge="DEHAM",
                        total_quantity_mt=total,
                        total_amount=sum(
                            (ln.goods_value_usd for ln in lines[quote_id]), Decimal("0")
                        ),
                        shipment_from=quote_date,
                        latest_shipment_date=quote_date + timedelta(days=60),
                        cancel_reason="Bulk data: buyer withdrew" if cancelled else "",
                    )
                )
            contracts = _created_ids(SalesContract, contracts)
            contract_lines = _created_ids(
                ContractLine,
                [
                    ContractLine(
                        contract_id=c.pk,
                        position=ln.position,
                        product_id=ln.product_id,
                        product_code=ln.product_code,
                        product_name=ln.product_name,
                        hs_code=ln.hs_code,
                        quantity_mt=ln.quantity_mt,
                        unit_price=ln.unit_price_usd_per_mt,
                        amount=ln.goods_value_usd,
                    )
                    for c in contracts
                    for ln in lines[c.quote_id]
                ],
            )
            by_contract: dict[int, list] = {}
            for cl in contract_lines:
                by_contract.setdefault(cl.contract_id, []).append(cl)
            ships = [
                c
                for c in contracts
                if c.status != ContractStatus.CANCELLED and c.quote_id // 10 % 10 < 7
            ]
            shipments = _created_ids(
                Shipment,
                [
                    Shipment(
                        contract_id=c.pk,
                        sequence=1,
                        status=rng.choice(
                            [
                                ShipmentStatus.LOADED,
                                ShipmentStatus.ARRIVED,
                                ShipmentStatus.COMPLETED,
                            ]
                        ),
                        port_of_loading="CNTXG",
                        port_of_discharge="DEHAM",
                        bl_number=f"BLB{c.pk}",
                        on_board_date=min(c.contract_date + timedelta(days=30), self.today),
                        created_by_id=c.owner_id,
                    )
                    for c in ships
                ],
            )
            lots, allocations = [], []
            for shipment, c in zip(shipments, ships, strict=True):
                for cl in by_contract[c.pk]:
                    tonnes = cl.quantity_mt * Decimal(rng.choice(["1", "1", "0.98", "0.5"]))
                    lots.append(
                        Lot(
                            number=f"LB-{cl.pk}",
                            product_id=cl.product_id,
                            production_date=c.contract_date,
                            net_weight_mt=cl.quantity_mt,
                            created_by_id=c.owner_id,
                        )
                    )
                    allocations.append(
                        LotAllocation(
                            shipment_id=shipment.pk,
                            contract_line_id=cl.pk,
                            quantity_mt=tonnes.quantize(Decimal("0.001")),
                            allocated_by_id=c.owner_id,
                        )
                    )
            for lot, allocation in zip(_created_ids(Lot, lots), allocations, strict=True):
                allocation.lot_id = lot.pk
            LotAllocation.objects.bulk_create(allocations, batch_size=1000)
            made += len(contracts)
            shipped += len(shipments)
        self.stdout.write(
            f"{made} sales contracts ({shipped} shipped) for accepted quotes in "
            f"{time.perf_counter() - started:.1f} s."
        )

    # ---------------------------------------------------------------- inputs

    def _reference_data(self) -> None:
        if FreightRate.objects.exists():
            return
        from products import demo as products_demo
        from products import reference_demo

        with transaction.atomic():
            products_demo.load()
            reference_demo.load()
        self.stdout.write("Loaded the demo grades and reference data.")

    def _reps(self) -> list[User]:
        reps = list(User.objects.filter(groups__name=Role.SALES_REP, is_active=True).order_by("id"))
        if reps:
            return reps
        from mgtrade.accounts.services import roles_sync, user_create

        roles_sync()
        return [
            user_create(
                username=f"bulk_rep{i}", password=secrets.token_urlsafe(), role=Role.SALES_REP
            )
            for i in range(1, 6)
        ]

    def _routes(self) -> list[dict]:
        """Destinations with a freight rate in force from the default origin, and the
        engine's input for each (Incoterm, currency) a customer there may use."""
        origin = settings.MGTRADE["DEFAULT_ORIGIN_PORT"]
        lanes = (
            FreightRate.objects.filter(origin_port__code=origin, valid_from__lte=self.today)
            .exclude(valid_to__lt=self.today)
            .select_related("destination_port")
        )
        destinations = {lane.destination_port.code: lane.destination_port for lane in lanes}
        currencies = set(ExchangeRate.objects.values_list("currency", flat=True))
        self.templates: dict[tuple[str, str, str], tuple[PricingInput, dict]] = {}
        routes = []
        for code, port in sorted(destinations.items()):
            country = port.country.code
            currency = "EUR" if country in EU_MEMBER_STATES and "EUR" in currencies else "USD"
            usable = []
            for incoterm in sorted(set(INCOTERMS)):
                template = self._template(code, incoterm, currency)
                if template is not None:
                    usable.append(incoterm)
            if usable:
                routes.append(
                    {"port": code, "country": country, "currency": currency, "incoterms": usable}
                )
        if not routes:
            raise CommandError(f"No freight rate in force from {origin}: load reference data.")
        return routes

    def _template(self, port: str, incoterm: str, currency: str):
        from products import selectors as products_selectors
        from products.models import Product

        if not hasattr(self, "_codes"):
            codes = list(Product.objects.filter(active=True).values_list("code", flat=True))
            priced = products_selectors.products_for_pricing(codes=codes, on=self.today)
            self._codes = sorted(c for c, p in priced.items() if p.list_price is not None)
        try:
            inp, products = pricing_inputs_gather(
                incoterm=incoterm,
                destination_port=port,
                currency=currency,
                quote_date=self.today,
                lines=[{"product": code, "quantity_mt": "1"} for code in self._codes],
            )
        except PricingValidationError:
            return None
        self.templates[(port, incoterm, currency)] = (inp, products)
        return inp

    # ---------------------------------------------------------------- customers

    def _customers(self, n, reps, routes, rng) -> list[tuple]:
        """Returns (customer id, owner id, contact id, route, incoterm, region) per new
        customer."""
        out = []
        now = timezone.now()
        for start in range(0, n, BATCH):
            rows, plans = [], []
            for i in range(start, min(start + BATCH, n)):
                route = rng.choice(routes)
                name = f"{rng.choice(WORDS)} {rng.choice(WORDS)} {i} {rng.choice(SUFFIXES)}".strip()
                incoterm = rng.choice(route["incoterms"])
                owner = reps[i % len(reps)]
                rows.append(
                    Customer(
                        name=name,
                        normalized_name=normalize_name(name),
                        duplicate_key=duplicate_key(name),
                        country=route["country"],
                        region=region_for(route["country"]),
                        industry=rng.choice(Industry.values),
                        status=rng.choice(Status.values),
                        owner=owner,
                        default_incoterm=incoterm,
                        default_destination_port=route["port"],
                        default_currency=route["currency"],
                        payment_terms="T/T 30% advance, 70% against B/L copy",
                        updated_at=now - timedelta(minutes=rng.randint(0, 500_000)),
                    )
                )
                plans.append((owner.pk, route, incoterm))
            with transaction.atomic():
                created = _created_ids(Customer, rows)
                contacts = _created_ids(
                    Contact,
                    [
                        Contact(
                            customer_id=c.pk,
                            name=f"Buyer {c.pk}",
                            email=f"buyer{c.pk}@bulk.example",
                            is_primary=True,
                        )
                        for c in created
                    ],
                )
            reset_queries()
            for c, contact, (owner_id, route, incoterm) in zip(
                created, contacts, plans, strict=True
            ):
                out.append((c.pk, owner_id, contact.pk, route, incoterm, c.region))
        return out

    def _existing_customers(self) -> list[tuple]:
        routes = {}
        for key in self.templates:
            routes.setdefault(key[0], {"port": key[0], "currency": key[2], "incoterms": []})
            routes[key[0]]["incoterms"].append(key[1])
        primary = dict(Contact.objects.filter(is_primary=True).values_list("customer_id", "id"))
        out = []
        for pk, owner_id, port, incoterm, region in Customer.objects.values_list(
            "pk", "owner_id", "default_destination_port", "default_incoterm", "region"
        ).iterator():
            route = routes.get(port) or next(iter(routes.values()))
            if incoterm not in route["incoterms"]:
                incoterm = route["incoterms"][0]
            out.append((pk, owner_id, primary.get(pk), route, incoterm, region))
        return out

    # ---------------------------------------------------------------- quotes

    def _plan(self, m, rng) -> list[tuple[str, date]]:
        statuses = rng.choices(list(STATUS_WEIGHTS), weights=list(STATUS_WEIGHTS.values()), k=m)
        history_days = 365 * max(1, -(-m // QUOTES_PER_YEAR_BACK))
        plan = []
        for status in statuses:
            if status in OPEN_STATUSES:
                back = rng.randint(0, 6)  # still valid: some expire this week
            elif status == S.EXPIRED:
                back = rng.randint(8, history_days)
            else:
                back = rng.randint(1, history_days)
            plan.append((status, self.today - timedelta(days=back)))
        plan.sort(key=lambda p: p[1])  # numbers and ids follow the dates
        return plan

    def _allocate(self, plan) -> dict[int, int]:
        """Reserve the numbers for the whole run: one counter bump per year."""
        per_year = Counter(d.year for _, d in plan)
        first = {}
        with transaction.atomic():
            for year, count in sorted(per_year.items()):
                QuoteNumberCounter.objects.get_or_create(year=year)
                counter = QuoteNumberCounter.objects.select_for_update().get(year=year)
                first[year] = counter.last + 1
                counter.last += count
                if counter.last > 99_999:
                    raise CommandError(f"Year {year} would pass Q-{year}-99999.")
                counter.save(update_fields=["last"])
        return first

    def _quotes(self, m, pool, managers, rng) -> None:
        t0 = time.perf_counter()
        plan = self._plan(m, rng)
        next_number = self._allocate(plan)
        validity = settings.MGTRADE["QUOTE_VALIDITY_DAYS"]
        reasons = list(RejectionReason.objects.filter(active=True))
        competitor_reason = next((r for r in reasons if r.asks_competitor), None)
        priced = 0
        skipped = 0
        tz = timezone.get_current_timezone()
        with _explicit_timestamps():
            for start in range(0, len(plan), BATCH):
                quotes, lines_by_quote, events = [], [], []
                for status, quote_date in plan[start : start + BATCH]:
                    customer_id, owner_id, contact_id, route, incoterm, region = rng.choice(pool)
                    inp, products = self.templates[(route["port"], incoterm, route["currency"])]
                    codes = rng.sample(
                        self._codes, k=min(len(self._codes), rng.choice((1, 1, 2, 2, 3)))
                    )
                    line_inputs = []
                    for code in codes:
                        product = products[code]
                        discount = rng.choices(
                            [Decimal("0"), Decimal(rng.randint(1, 3)), Decimal(rng.randint(4, 8))],
                            weights=[70, 20, 10],
                        )[0]
                        factor = Decimal(rng.randint(960, 1040)) / 1000
                        line_inputs.append(
                            LineInput(
                                product=code,
                                name=product.name,
                                hs_code=product.hs_code,
                                quantity_mt=rng.choice(QUANTITIES),
                                unit_price_usd_per_mt=(product.list_price * factor).quantize(
                                    Decimal("0.01")
                                ),
                                discount_percent=discount,
                            )
                        )
                    try:
                        result = price(
                            dataclasses.replace(
                                inp, quote_date=quote_date, lines=tuple(line_inputs)
                            )
                        )
                    except PricingError:
                        skipped += 1
                        continue
                    priced += 1
                    approval = approval_reasons_for(result=result, products=products)
                    if status == S.PENDING_APPROVAL and not approval:
                        status = S.DRAFT
                    created_at = timezone.make_aware(
                        timezone.datetime.combine(quote_date, timezone.datetime.min.time())
                        + timedelta(hours=rng.randint(8, 18), minutes=rng.randint(0, 59)),
                        tz,
                    )
                    year = quote_date.year
                    number = f"Q-{year}-{next_number[year]:05d}"
                    next_number[year] += 1
                    quote = Quote(
                        number=number,
                        version=1,
                        status=status,
                        customer_id=customer_id,
                        region=region,
                        contact_id=contact_id,
                        owner_id=owner_id,
                        created_by_id=owner_id,
                        quote_date=quote_date,
                        valid_until=quote_date + timedelta(days=validity),
                        incoterm=result.incoterm,
                        origin_port=result.origin_port,
                        destination_port=result.destination_port,
                        destination_country=result.destination_country,
                        currency=result.currency,
                        insurance_rate_percent=result.insurance_rate_percent,
                        tariff_absorption_percent=result.tariff_absorption_percent,
                        payment_terms="T/T 30% advance, 70% against B/L copy",
                        pricing=result.to_dict(),
                        fx_rate=result.fx_rate,
                        total_quantity_mt=result.total_quantity_mt,
                        total_usd=result.usd.quote_total,
                        total_quote_currency=result.quote_currency.quote_total,
                        landed_cost_per_mt_usd=result.usd.landed_cost_per_mt,
                        approval_reasons=approval,
                        created_at=created_at,
                        updated_at=created_at,
                    )
                    self._outcome(
                        quote, status, approval, managers, reasons, competitor_reason, rng
                    )
                    quotes.append(quote)
                    lines_by_quote.append((result, products))
                with transaction.atomic():
                    created = _created_ids(Quote, quotes)
                    lines = []
                    for quote, (result, products) in zip(created, lines_by_quote, strict=True):
                        for i, line in enumerate(result.lines, start=1):
                            product = products[line.product]
                            lines.append(
                                QuoteLine(
                                    quote_id=quote.pk,
                                    position=i,
                                    product_id=product.pk,
                                    product_code=line.product,
                                    product_name=product.name,
                                    hs_code=line.hs_code,
                                    standard=product.standard,
                                    quantity_mt=line.quantity_mt,
                                    unit_price_usd_per_mt=line.unit_price_usd_per_mt,
                                    discount_percent=line.discount_percent,
                                    goods_value_usd=line.goods_value,
                                )
                            )
                        events.append(
                            QuoteEvent(
                                quote_id=quote.pk,
                                at=quote.created_at,
                                by_id=quote.owner_id,
                                action=QuoteEvent.Action.CREATED,
                                to_status=S.DRAFT,
                                data={"seeded": True},
                            )
                        )
                    QuoteLine.objects.bulk_create(lines, batch_size=2000)
                    QuoteEvent.objects.bulk_create(events, batch_size=2000)
                reset_queries()  # with DEBUG on, the logged INSERTs would pile up in memory
        elapsed = time.perf_counter() - t0
        self.stdout.write(
            f"{priced} quotes priced by the engine and inserted in {elapsed:.1f} s"
            + (f" ({skipped} skipped: pricing refused)" if skipped else "")
            + "."
        )

    def _outcome(self, quote, status, approval, managers, reasons, competitor_reason, rng):
        at = quote.created_at
        if approval and status not in (S.DRAFT, S.PENDING_APPROVAL) and managers:
            approver = rng.choice(managers)
            quote.approved_by_id, quote.approved_at = approver.pk, at + timedelta(hours=2)
        if status in (S.SENT, S.ACCEPTED, S.REJECTED, S.EXPIRED):
            quote.sent_at = at + timedelta(hours=3)
        if status in (S.ACCEPTED, S.REJECTED):
            quote.decided_at = at + timedelta(days=rng.randint(1, 6))
            quote.updated_at = quote.decided_at
        if status == S.ACCEPTED:
            quote.accepted_by_name = "Buyer (seeded)"
        if status == S.REJECTED and reasons:
            reason = rng.choice(reasons)
            quote.rejection_reason_id = reason.pk
            if reason is competitor_reason:
                quote.competitor = rng.choice(["Anatolia Metals", "Volga Mg", "Paulista Metais"])
                quote.competitor_origin = rng.choice(["TR", "RU", "BR", "IL"])
                quote.competitor_price_usd_per_mt = Decimal(rng.randint(2200, 2500))
