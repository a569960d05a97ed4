"""A small hand-computed dataset for the report figures (docs/reports.md).

Rows are written directly (the reports only read stored columns), so every figure can be
worked out by hand. Today is Monday 2026-06-15; the range is 2026-01-01..2026-06-30.

Products: MGA (list 2000 from 2026-01-01, 2100 from 2026-04-01; floor 1900), MGB (list 3000;
no floor). ``rep`` owns customer A (DE, automotive), ``other_rep`` customer B (US, aerospace).

| quote | owner | customer | status | date | line | total USD | notes |
| Q1 | rep | A | accepted | 02-10 | MGA 10 @2000 | 21000 | sent 10:00, viewed 12:00, decided +24 h |
| Q2 | rep | A | accepted | 04-05 | MGA 20 @2100 −5 % = 39900 | 42000 | decided +36 h; 150 absorbed |
| Q3 | rep | A | rejected | 03-01 | MGB 10 @3000 | 31000 | price; TR at 2950 |
| Q4 | other | B | rejected | 03-15 | MGA 30 @2000 | 63000 | lost to competitor; TR at 2000 |
| Q5 | other | B | expired | 02-01 | MGA 10 @2000 | 20000 | |
| Q6 | rep | A | sent | 06-10 | MGA 5 @2100 | 10500 | valid until 06-20 |
| Q7 | other | B | draft | 06-01 | MGB 8 @3000 | 24000 | EUR 22000; valid until 07-01 |
| Q8 | rep | A | superseded | 02-10 | MGA 100 | 200000 | left out everywhere |
| Q9 | rep | A | accepted | 2025-02-20 | MGA 15 @2000 | 30000 | the year before |

Customer A's activities: 2026-02-07 and 2026-04-01.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from customers.models import Activity, ActivityKind, Industry
from mgtrade.accounts.models import User
from quotes.models import Quote, QuoteLine, QuoteStatus, RejectionReason
from reports.refresh import report_lines_refresh
from reports.selectors import ReportFilters
from tests.customers.factories import CustomerFactory
from tests.products.factories import ProductFactory, ProductPriceFactory

TODAY = date(2026, 6, 15)
RANGE = ReportFilters(date_from=date(2026, 1, 1), date_to=date(2026, 6, 30))
TZ = ZoneInfo("UTC")
S = QuoteStatus


@dataclass
class Dataset:
    rep: User
    other_rep: User
    quotes: dict[str, Quote]


def _at(day: date, hour: int) -> datetime:
    return datetime(day.year, day.month, day.day, hour, tzinfo=TZ)


def make_quote(
    *,
    ref: str,
    owner: User,
    customer,
    status: str,
    quote_date: date,
    product,
    qty: str,
    unit: str,
    discount: str = "0",
    total_usd: str,
    currency: str = "USD",
    total_quote_currency: str | None = None,
    valid_days: int = 30,
    absorbed: str = "0.00",
    **outcome,
) -> Quote:
    qty_d, unit_d, disc_d = Decimal(qty), Decimal(unit), Decimal(discount)
    goods = (qty_d * unit_d * (1 - disc_d / 100)).quantize(Decimal("0.01"))
    quote = Quote.objects.create(
        number=f"Q-{quote_date.year}-{ref}",
        status=status,
        customer=customer,
        region=customer.region,
        owner=owner,
        created_by=owner,
        quote_date=quote_date,
        valid_until=quote_date + timedelta(days=valid_days),
        incoterm="CIF",
        origin_port="CNTXG",
        destination_port="DEHAM",
        destination_country=str(customer.country),
        currency=currency,
        insurance_rate_percent=Decimal("0.15"),
        pricing={"usd": {"goods_value": str(goods), "tariff_absorption": absorbed}},
        fx_rate=Decimal("1"),
        total_quantity_mt=qty_d,
        total_usd=Decimal(total_usd),
        total_quote_currency=Decimal(total_quote_currency or total_usd),
        **outcome,
    )
    QuoteLine.objects.create(
        quote=quote,
        position=1,
        product=product,
        product_code=product.code,
        product_name=product.name,
        hs_code=product.hs_code,
        quantity_mt=qty_d,
        unit_price_usd_per_mt=unit_d,
        discount_percent=disc_d,
        goods_value_usd=goods,
    )
    return quote


@pytest.fixture
def dataset(db, rep, other_rep) -> Dataset:
    mga = ProductFactory(code="MGA", floor_price_usd_per_mt=Decimal("1900.00"))
    mgb = ProductFactory(code="MGB", floor_price_usd_per_mt=None)
    ProductPriceFactory(product=mga, usd_per_mt=Decimal("2000.00"), effective_from=date(2025, 1, 1))
    ProductPriceFactory(product=mga, usd_per_mt=Decimal("2100.00"), effective_from=date(2026, 4, 1))
    ProductPriceFactory(product=mgb, usd_per_mt=Decimal("3000.00"), effective_from=date(2025, 1, 1))
    a = CustomerFactory(owner=rep, country="DE", industry=Industry.AUTOMOTIVE)
    b = CustomerFactory(owner=other_rep, country="US", industry=Industry.AEROSPACE)
    for day in (date(2026, 2, 7), date(2026, 4, 1)):
        Activity.objects.create(customer=a, kind=ActivityKind.CALL, date=day, summary="Enquiry")
    # get_or_create: a transactional test (browser journeys) empties the migration's rows
    price, _ = RejectionReason.objects.get_or_create(code="price", defaults={"label": "Price"})
    competitor, _ = RejectionReason.objects.get_or_create(
        code="lost_to_competitor",
        defaults={"label": "Lost to a competitor", "asks_competitor": True},
    )
    q = {}
    q["Q1"] = make_quote(
        ref="00001", owner=rep, customer=a, status=S.ACCEPTED, quote_date=date(2026, 2, 10),
        product=mga, qty="10", unit="2000", total_usd="21000",
        sent_at=_at(date(2026, 2, 10), 10), viewed_at=_at(date(2026, 2, 10), 12),
        decided_at=_at(date(2026, 2, 11), 10),
    )  # fmt: skip
    q["Q2"] = make_quote(
        ref="00002", owner=rep, customer=a, status=S.ACCEPTED, quote_date=date(2026, 4, 5),
        product=mga, qty="20", unit="2100", discount="5", total_usd="42000", absorbed="150.00",
        sent_at=_at(date(2026, 4, 5), 9), decided_at=_at(date(2026, 4, 6), 21),
    )  # fmt: skip
    q["Q3"] = make_quote(
        ref="00003", owner=rep, customer=a, status=S.REJECTED, quote_date=date(2026, 3, 1),
        product=mgb, qty="10", unit="3000", total_usd="31000", rejection_reason=price,
        competitor="Anatolia", competitor_origin="TR",
        competitor_price_usd_per_mt=Decimal("2950.00"),
    )  # fmt: skip
    q["Q4"] = make_quote(
        ref="00004", owner=other_rep, customer=b, status=S.REJECTED,
        quote_date=date(2026, 3, 15), product=mga, qty="30", unit="2000", total_usd="63000",
        rejection_reason=competitor, competitor="Anatolia", competitor_origin="TR",
        competitor_price_usd_per_mt=Decimal("2000.00"),
    )  # fmt: skip
    q["Q5"] = make_quote(
        ref="00005", owner=other_rep, customer=b, status=S.EXPIRED, quote_date=date(2026, 2, 1),
        product=mga, qty="10", unit="2000", total_usd="20000",
    )  # fmt: skip
    q["Q6"] = make_quote(
        ref="00006", owner=rep, customer=a, status=S.SENT, quote_date=date(2026, 6, 10),
        valid_days=10, product=mga, qty="5", unit="2100", total_usd="10500",
    )  # fmt: skip
    q["Q7"] = make_quote(
        ref="00007", owner=other_rep, customer=b, status=S.DRAFT, quote_date=date(2026, 6, 1),
        product=mgb, qty="8", unit="3000", total_usd="24000", currency="EUR",
        total_quote_currency="22000",
    )  # fmt: skip
    q["Q8"] = make_quote(
        ref="00008", owner=rep, customer=a, status=S.SUPERSEDED, quote_date=date(2026, 2, 10),
        product=mga, qty="100", unit="2000", total_usd="200000",
    )  # fmt: skip
    q["Q9"] = make_quote(
        ref="00009", owner=rep, customer=a, status=S.ACCEPTED, quote_date=date(2025, 2, 20),
        product=mga, qty="15", unit="2000", total_usd="30000",
    )  # fmt: skip
    report_lines_refresh()
    return Dataset(rep=rep, other_rep=other_rep, quotes=q)


def table(tables, name):
    return next(t for t in tables if t.name == name)


def rows_by(t, key):
    return {row[key]: row for row in t.rows}
