"""Lots and their analysis, customer specifications, shipments, quantities and the balance
proforma on the on-board date (orders.shipping)."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from mgtrade.accounts.models import Role
from mgtrade.errors import StateConflict
from orders import services, shipping
from orders.models import ContractStatus, ProformaKind, ShipmentStatus
from products.models import Product
from tests.accounts.factories import UserFactory
from tests.orders.factories import confirmed_contract
from tests.orders.shipping_helpers import grade_limits, lot, pay_deposit

pytestmark = pytest.mark.usefixtures("worked_example_data", "bank_accounts")


@pytest.fixture
def qc(db):
    return UserFactory(username="qc", role=Role.QC, first_name="Hu", last_name="Jing")


@pytest.fixture
def ready(rep):
    grade_limits()
    return pay_deposit(confirmed_contract(owner=rep), rep)


def _line(contract, code):
    return contract.lines.get(product_code=code)


def _book(shipment, by):
    return shipping.shipment_book(
        shipment=shipment, by=by, booking_number="BK-1", vessel="CMA CGM Tage", voyage="0FL3"
    )


def _container(shipment, by, lots, net="70"):
    return shipping.container_add(
        shipment=shipment,
        by=by,
        number="MSKU1234565",
        seal="SL-889",
        net_weight_mt=Decimal(net),
        gross_weight_mt=Decimal(net) + Decimal("0.4"),
        bundles=70,
        lots=lots,
    )


def test_only_qc_or_admin_enter_lots(rep, qc):
    grade_limits()
    with pytest.raises(PermissionDenied):
        lot(by=rep, code="MG9990", number="H-1")
    assert lot(by=qc, code="MG9990", number="h-1").number == "H-1"


def test_out_of_spec_lot_refused_then_allowed_with_managers_reason(ready, rep, manager, qc):
    bad = lot(by=qc, code="MG9990", number="H-BAD", Fe="0.060")
    shipment = shipping.shipment_create(contract=ready, by=rep)
    with pytest.raises(ValidationError) as exc:
        shipping.lot_allocate(
            shipment=shipment, by=rep, contract_line=_line(ready, "MG9990"), lot=bad
        )
    assert "Fe 0.06 % outside the grade" in str(exc.value)
    with pytest.raises(ValidationError) as exc:
        shipping.lot_allocate(
            shipment=shipment, by=manager, contract_line=_line(ready, "MG9990"), lot=bad
        )
    assert "override_reason" in exc.value.message_dict
    allocation = shipping.lot_allocate(
        shipment=shipment,
        by=manager,
        contract_line=_line(ready, "MG9990"),
        lot=bad,
        override_reason="Buyer agreed by e-mail of 12 May to take Fe 0.06",
    )
    assert allocation.override_by == manager
    assert allocation.findings[0]["element"] == "Fe"
    assert ready.events.filter(action="lot_override", comment__contains="Buyer agreed").exists()


def test_customer_spec_stricter_than_the_grade_is_enforced(ready, rep, qc):
    az = Product.objects.get(code="AZ91D")
    shipping.customer_spec_limit_set(
        by=rep, customer=ready.customer, product=az, element="Fe", max_percent=Decimal("0.002")
    )
    within_grade = lot(by=qc, code="AZ91D", number="A-1", mt="20", Fe="0.003")
    assert all(f.passed for f in shipping.lot_check(lot=within_grade))  # the grade: fine
    shipment = shipping.shipment_create(contract=ready, by=rep)
    with pytest.raises(ValidationError) as exc:
        shipping.lot_allocate(
            shipment=shipment, by=rep, contract_line=_line(ready, "AZ91D"), lot=within_grade
        )
    assert "customer's specification" in str(exc.value)
    clean = lot(by=qc, code="AZ91D", number="A-2", mt="20", Fe="0.0015")
    shipping.lot_allocate(shipment=shipment, by=rep, contract_line=_line(ready, "AZ91D"), lot=clean)


def test_lot_of_another_grade_is_refused(ready, rep, qc):
    shipment = shipping.shipment_create(contract=ready, by=rep)
    with pytest.raises(ValidationError) as exc:
        shipping.lot_allocate(
            shipment=shipment,
            by=rep,
            contract_line=_line(ready, "MG9990"),
            lot=lot(by=qc, code="AZ91D", number="A-3"),
        )
    assert "lot" in exc.value.message_dict


def test_partial_shipments_refused_when_the_contract_forbids_them(rep, qc):
    grade_limits()
    contract = confirmed_contract(owner=rep)
    contract.partial_shipments = False
    contract.save()
    contract = pay_deposit(contract, rep)
    first = shipping.shipment_create(contract=contract, by=rep)
    shipping.lot_allocate(
        shipment=first,
        by=rep,
        contract_line=_line(contract, "MG9990"),
        lot=lot(by=qc, code="MG9990", number="H-2", mt="50"),
    )
    _book(first, rep)
    shipping.container_add(
        shipment=first,
        by=rep,
        number="MSKU1234565",
        seal="S1",
        net_weight_mt=Decimal("50"),
        gross_weight_mt=Decimal("50.3"),
        bundles=50,
    )
    with pytest.raises(StateConflict, match="partial"):
        shipping.shipment_create(contract=contract, by=rep)
    with pytest.raises(StateConflict, match="partial"):  # AZ91D not shipped in this one
        shipping.shipment_load(
            shipment=first, by=rep, bl_number="B1", on_board_date=timezone.localdate()
        )


@pytest.mark.parametrize(
    ("mt", "ok"),
    [("52.500", True), ("52.501", False)],  # 50 MT + 5 %: the upper bound is allowed
)
def test_quantity_tolerance_upper_bound(ready, rep, qc, mt, ok):
    shipment = shipping.shipment_create(contract=ready, by=rep)
    heavy = lot(by=qc, code="MG9990", number="H-3", mt="60")
    call = lambda: shipping.lot_allocate(  # noqa: E731
        shipment=shipment,
        by=rep,
        contract_line=_line(ready, "MG9990"),
        lot=heavy,
        quantity_mt=Decimal(mt),
    )
    if ok:
        call()
    else:
        with pytest.raises(ValidationError, match=r"52\.5"):
            call()


@pytest.mark.parametrize(("mt", "shipped"), [("47.500", True), ("47.499", False)])
def test_quantity_tolerance_lower_bound(ready, rep, qc, mt, shipped):
    shipment = shipping.shipment_create(contract=ready, by=rep)
    shipping.lot_allocate(
        shipment=shipment,
        by=rep,
        contract_line=_line(ready, "MG9990"),
        lot=lot(by=qc, code="MG9990", number="H-4", mt=mt),
    )
    shipping.lot_allocate(
        shipment=shipment,
        by=rep,
        contract_line=_line(ready, "AZ91D"),
        lot=lot(by=qc, code="AZ91D", number="A-4", mt="20"),
    )
    assert shipping.contract_fully_shipped(contract=ready) is shipped


def test_on_board_date_issues_the_balance_proforma_due_that_day(ready, rep, qc):
    shipment = shipping.shipment_create(contract=ready, by=rep)
    h = lot(by=qc, code="MG9990", number="H-5", mt="50")
    a = lot(by=qc, code="AZ91D", number="A-5", mt="20")
    shipping.lot_allocate(shipment=shipment, by=rep, contract_line=_line(ready, "MG9990"), lot=h)
    shipping.lot_allocate(shipment=shipment, by=rep, contract_line=_line(ready, "AZ91D"), lot=a)
    _book(shipment, rep)
    _container(shipment, rep, [h, a])
    today = timezone.localdate()
    shipment = shipping.shipment_load(
        shipment=shipment, by=rep, bl_number="CMDU123", on_board_date=today
    )
    ready.refresh_from_db()
    assert shipment.status == ShipmentStatus.LOADED
    assert ready.status == ContractStatus.IN_PROGRESS
    balance = shipment.balance_proforma
    deposit = ready.proformas.get(kind=ProformaKind.DEPOSIT)
    assert balance.kind == ProformaKind.BALANCE
    assert balance.due_date == today
    # shipped exactly the contract: value = contract total; balance = total − deposit
    assert shipment.deposit_applied == deposit.amount
    assert balance.amount == ready.total_amount - deposit.amount


def test_days_after_bl_from_the_payment_terms(rep):
    terms = services.payment_terms_parse("30% T/T advance, balance within 30 days of B/L date")
    assert terms["balance_days_after_bl"] == 30


def test_contract_completes_when_shipped_and_paid(ready, rep, qc):
    shipment = shipping.shipment_create(contract=ready, by=rep)
    h = lot(by=qc, code="MG9990", number="H-6", mt="50")
    a = lot(by=qc, code="AZ91D", number="A-6", mt="20")
    shipping.lot_allocate(shipment=shipment, by=rep, contract_line=_line(ready, "MG9990"), lot=h)
    shipping.lot_allocate(shipment=shipment, by=rep, contract_line=_line(ready, "AZ91D"), lot=a)
    _book(shipment, rep)
    _container(shipment, rep, [h, a])
    shipment = shipping.shipment_load(
        shipment=shipment, by=rep, bl_number="CMDU124", on_board_date=timezone.localdate()
    )
    shipping.shipment_arrive(shipment=shipment, by=rep)
    with pytest.raises(StateConflict, match="not paid"):
        shipping.shipment_complete(shipment=shipment, by=rep)
    balance = shipment.balance_proforma
    balance.refresh_from_db()
    services.payment_record(
        customer=ready.customer,
        by=rep,
        amount=balance.amount,
        currency=ready.currency,
        value_date=timezone.localdate(),
        bank_reference="FT-BAL",
        payer="Buyer",
        allocations=[(balance, balance.amount)],
    )
    shipping.shipment_complete(shipment=shipment, by=rep)
    ready.refresh_from_db()
    assert ready.status == ContractStatus.COMPLETED


def test_analyses_csv_import_validates_every_row_first(qc):
    grade_limits()
    h = lot(by=qc, code="MG9990", number="H-7")
    bad = shipping.analyses_import_csv(
        by=qc, text="lot,element,measured_percent\nH-7,Cu,0.002\nH-7,Xx,0.1\nH-404,Fe,0.1\n"
    )
    assert len(bad.errors) == 2 and not h.analyses.filter(element="Cu").exists()
    good = shipping.analyses_import_csv(
        by=qc, text="lot,element,measured_percent\nh-7,cu,0.002\nH-7,Fe,0.02\n"
    )
    assert (good.created, good.updated, good.errors) == (1, 1, [])
    assert h.analyses.get(element="Fe").measured_percent == Decimal("0.02")


def test_only_the_eta_changes_once_on_board(ready, rep, qc):
    from datetime import timedelta

    shipment = shipping.shipment_create(contract=ready, by=rep)
    h = lot(by=qc, code="MG9990", number="H-8", mt="50")
    a = lot(by=qc, code="AZ91D", number="A-8", mt="20")
    shipping.lot_allocate(shipment=shipment, by=rep, contract_line=_line(ready, "MG9990"), lot=h)
    shipping.lot_allocate(shipment=shipment, by=rep, contract_line=_line(ready, "AZ91D"), lot=a)
    _book(shipment, rep)
    _container(shipment, rep, [h, a])
    shipment = shipping.shipment_load(
        shipment=shipment, by=rep, bl_number="B8", on_board_date=timezone.localdate()
    )
    eta = timezone.localdate() + timedelta(days=30)
    shipment = shipping.shipment_update(shipment=shipment, by=rep, vessel=shipment.vessel, eta=eta)
    assert shipment.eta == eta
    with pytest.raises(StateConflict, match="ETA"):
        shipping.shipment_update(shipment=shipment, by=rep, vessel="Another ship")
