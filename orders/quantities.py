"""Shipped quantities per contract line against the contracted quantity ± tolerance (reads
only; used by the contract's completion and the shipment services)."""

from __future__ import annotations

from decimal import Decimal

from django.db.models import Sum

from .models import ContractLine, LotAllocation, SalesContract

ZERO = Decimal("0")
HUNDRED = Decimal("100")


def line_shipped(*, contract: SalesContract) -> dict[int, Decimal]:
    """Shipped MT per contract line over all the contract's shipments."""
    rows = (
        LotAllocation.objects.filter(shipment__contract=contract)
        .values("contract_line")
        .annotate(total=Sum("quantity_mt"))
    )
    return {r["contract_line"]: r["total"] for r in rows}


def line_bounds(line: ContractLine, tolerance_percent: Decimal) -> tuple[Decimal, Decimal]:
    share = tolerance_percent / HUNDRED
    return line.quantity_mt * (1 - share), line.quantity_mt * (1 + share)


def contract_fully_shipped(*, contract: SalesContract) -> bool:
    shipped = line_shipped(contract=contract)
    return all(
        shipped.get(line.pk, ZERO) >= line_bounds(line, contract.tolerance_percent)[0]
        for line in contract.lines.all()
    )
