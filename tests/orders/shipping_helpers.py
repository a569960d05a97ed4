"""Lots, specifications and a ready-to-ship contract for the shipment tests."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from django.utils import timezone

from mgtrade.accounts.models import User
from orders import services, shipping
from orders.models import Lot, ProformaKind, SalesContract
from products.models import Product, SpecLimit

# A die-caster's MG9990 and AZ91D limits (a subset of GB/T 3499 and ASTM B93).
GRADE_LIMITS = {
    "MG9990": [("Mg", "99.90", None), ("Fe", None, "0.040"), ("Si", None, "0.030")],
    "AZ91D": [("Al", "8.5", "9.5"), ("Fe", None, "0.005"), ("Ni", None, "0.002")],
}
GOOD = {
    "MG9990": {"Mg": "99.93", "Fe": "0.010", "Si": "0.012"},
    "AZ91D": {"Al": "9.0", "Fe": "0.003", "Ni": "0.001"},
}


def grade_limits() -> None:
    for code, limits in GRADE_LIMITS.items():
        product = Product.objects.get(code=code)
        for position, (element, low, high) in enumerate(limits):
            SpecLimit.objects.update_or_create(
                product=product,
                element=element,
                defaults={
                    "min_percent": low and Decimal(low),
                    "max_percent": high and Decimal(high),
                    "position": position,
                },
            )


def lot(*, by: User, code: str, number: str, mt: str = "25", **analysis: str) -> Lot:
    return shipping.lot_create(
        by=by,
        number=number,
        product=Product.objects.get(code=code),
        production_date=timezone.localdate() - timedelta(days=3),
        net_weight_mt=Decimal(mt),
        ingots=int(Decimal(mt) * 1000 / Decimal("7.5")),
        bundles=int(Decimal(mt)),
        analyses={**GOOD[code], **analysis},
    )


def pay_deposit(contract: SalesContract, by: User) -> SalesContract:
    deposit = contract.proformas.get(kind=ProformaKind.DEPOSIT)
    services.payment_record(
        customer=contract.customer,
        by=by,
        amount=deposit.amount,
        currency=contract.currency,
        value_date=timezone.localdate(),
        bank_reference="FT-DEP-1",
        payer=contract.buyer["name"],
        allocations=[(deposit, deposit.amount)],
    )
    contract.refresh_from_db()
    return contract
