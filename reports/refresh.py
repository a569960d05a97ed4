"""Rebuild ``ReportLine`` from the live quotes: one ``INSERT … SELECT`` built by the ORM (so
it runs on PostgreSQL and SQLite alike), inside one transaction with the ``DELETE``, so a
report never reads a half-built table."""

from __future__ import annotations

import logging
import time

from django.db import connection, transaction
from django.db.models import (
    BooleanField,
    Case,
    DecimalField,
    ExpressionWrapper,
    F,
    OuterRef,
    Q,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.fields.json import KeyTextTransform
from django.db.models.functions import Cast, Coalesce, TruncMonth

from customers.models import Activity
from orders.models import ON_BOARD_STATUSES, ContractLine, ContractStatus, LotAllocation
from products.models import ProductPrice
from quotes.models import QuoteLine, QuoteStatus

from .models import ReportLine

logger = logging.getLogger(__name__)
MONEY = DecimalField(max_digits=14, decimal_places=2)

# A line is its quote's first of its grade.
GRADE_FIRST = Q(
    position=Subquery(
        QuoteLine.objects.filter(
            quote_id=OuterRef("quote_id"), product_code=OuterRef("product_code")
        )
        .order_by("position")
        .values("position")[:1]
    )
)
CONTRACTED = Subquery(
    ContractLine.objects.filter(
        contract__quote_id=OuterRef("quote_id"), product_code=OuterRef("product_code")
    )
    .exclude(contract__status=ContractStatus.CANCELLED)
    .order_by()
    .values("product_code")
    .annotate(tonnes=Sum("quantity_mt"))
    .values("tonnes")[:1],
    output_field=DecimalField(max_digits=12, decimal_places=3),
)
SHIPPED = Subquery(
    LotAllocation.objects.filter(
        contract_line__contract__quote_id=OuterRef("quote_id"),
        contract_line__product_code=OuterRef("product_code"),
        shipment__status__in=ON_BOARD_STATUSES,
    )
    .order_by()
    .values("contract_line__product_code")
    .annotate(tonnes=Sum("quantity_mt"))
    .values("tonnes")[:1],
    output_field=DecimalField(max_digits=12, decimal_places=3),
)

# ReportLine column → the expression over QuoteLine that fills it.
COLUMNS = {
    "quote_id": F("quote_id"),
    "is_first": ExpressionWrapper(
        Q(
            position=Subquery(
                QuoteLine.objects.filter(quote_id=OuterRef("quote_id"))
                .order_by("position")
                .values("position")[:1]
            )
        ),
        output_field=BooleanField(),
    ),
    "grade_first": ExpressionWrapper(GRADE_FIRST, output_field=BooleanField()),
    "quote_date": F("quote__quote_date"),
    "month": TruncMonth("quote__quote_date"),
    "valid_until": F("quote__valid_until"),
    "status": F("quote__status"),
    "owner_id": F("quote__owner_id"),
    "customer_owner_id": F("quote__customer__owner_id"),
    "region": F("quote__region"),
    "country": F("quote__destination_country"),
    "industry": F("quote__customer__industry"),
    "currency": F("quote__currency"),
    "quote_mt": F("quote__total_quantity_mt"),
    "quote_usd": F("quote__total_usd"),
    "quote_qc": F("quote__total_quote_currency"),
    "absorbed_usd": Cast(
        KeyTextTransform("tariff_absorption", KeyTextTransform("usd", "quote__pricing")), MONEY
    ),
    "sent_at": F("quote__sent_at"),
    "viewed_at": F("quote__viewed_at"),
    "decided_at": F("quote__decided_at"),
    "enquiry_on": Subquery(
        Activity.objects.filter(
            customer_id=OuterRef("quote__customer_id"), date__lte=OuterRef("quote__quote_date")
        )
        .order_by("-date")
        .values("date")[:1]
    ),
    "rejection_reason": Coalesce(F("quote__rejection_reason__label"), Value("")),
    "competitor_origin": F("quote__competitor_origin"),
    "competitor_price": F("quote__competitor_price_usd_per_mt"),
    "product_code": F("product_code"),
    "qty": F("quantity_mt"),
    "unit_price": F("unit_price_usd_per_mt"),
    "goods_usd": F("goods_value_usd"),
    "list_price": Subquery(
        ProductPrice.objects.filter(
            product_id=OuterRef("product_id"), effective_from__lte=OuterRef("quote__quote_date")
        )
        .order_by("-effective_from")
        .values("usd_per_mt")[:1],
        output_field=MONEY,
    ),
    "floor_price": F("product__floor_price_usd_per_mt"),
    "contracted_mt": Case(When(GRADE_FIRST, then=CONTRACTED), default=None),
    "shipped_mt": Case(When(GRADE_FIRST, then=SHIPPED), default=None),
}


def report_lines_refresh() -> int:
    """Replace every ``ReportLine`` with the live quotes' lines; returns how many."""
    started = time.perf_counter()
    select = (
        QuoteLine.objects.filter(~Q(quote__status=QuoteStatus.SUPERSEDED))
        # Stored in quote date order: the reports read date ranges (ReportLine.Meta).
        .order_by("quote__quote_date", "quote_id", "position")
        .annotate(**{f"r_{name}": expr for name, expr in COLUMNS.items()})
        .values_list(*[f"r_{name}" for name in COLUMNS])
    )
    sql, params = select.query.sql_with_params()
    table = connection.ops.quote_name(ReportLine._meta.db_table)
    columns = ", ".join(connection.ops.quote_name(c) for c in COLUMNS)
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {table}")
        cursor.execute(f"INSERT INTO {table} ({columns}) {sql}", params)
        count = cursor.rowcount
    _vacuum_analyze(table)
    logger.info("Report lines rebuilt: %d in %.1f s", count, time.perf_counter() - started)
    return count


def _vacuum_analyze(table: str) -> None:
    """On PostgreSQL, right after the rebuild rather than whenever autovacuum comes by:
    ``ANALYZE`` (the planner's statistics describe the new rows) and, outside a transaction,
    ``VACUUM`` (the old rows' space is reused by the next rebuild instead of the table
    growing until autovacuum runs; docs/reports.md, "Performance")."""
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        if connection.in_atomic_block:  # a caller's transaction (tests): VACUUM can't run
            cursor.execute(f"ANALYZE {table}")
        else:
            cursor.execute(f"VACUUM ANALYZE {table}")
