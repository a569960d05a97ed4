"""The demo data: one confirmed contract awaiting its deposit, one whose L/C has
discrepancies; loading twice adds nothing."""

import pytest
from django.core.management import call_command

from orders.models import LCStatus, SalesContract
from quotes.models import BankAccount

pytestmark = pytest.mark.django_db


def test_demo_has_a_contract_awaiting_its_deposit_and_an_lc_with_discrepancies():
    call_command("load_demo", verbosity=0)
    call_command("load_demo", verbosity=0)
    assert SalesContract.objects.count() == 3
    assert set(BankAccount.objects.filter(is_default=True).values_list("currency", flat=True)) >= {
        "EUR",
        "USD",
        "JPY",
    }
    awaiting = SalesContract.objects.get(customer__name="Schwabenguss Leichtmetall GmbH")
    assert awaiting.status == "confirmed" and not awaiting.is_ready_to_ship
    deposit = awaiting.proformas.get()
    assert deposit.kind == "deposit" and deposit.received_amount == 0
    assert deposit.bank["currency"] == awaiting.currency == "EUR"
    lc_contract = SalesContract.objects.get(customer__name="Elbtal Aerostruktur AG")
    assert lc_contract.status == "confirmed" and lc_contract.customer.status == "active"
    lc = lc_contract.letter_of_credit
    assert lc.status == LCStatus.RECEIVED
    codes = {d["code"] for d in lc.discrepancies}
    assert {"latest_shipment", "tolerance", "document"} <= codes


def test_demo_has_lots_with_analyses_and_a_shipped_contract():
    from orders.models import Lot, ShipmentStatus

    call_command("load_demo", verbosity=0)
    call_command("load_demo", verbosity=0)
    assert Lot.objects.filter(product__code="AZ91D").count() == 2
    assert all(lot.analyses.exists() for lot in Lot.objects.all())
    shipped = SalesContract.objects.get(customer__name="Rijnmond Staalbehandeling B.V.")
    shipment = shipped.shipments.get()
    assert shipment.status == ShipmentStatus.LOADED and shipment.bl_number
    assert shipment.balance_proforma.due_date == shipment.on_board_date
    assert shipment.documents.count() == 4  # invoice, packing list, two certificates
