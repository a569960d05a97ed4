"""Proformas and payments: the deposit to the cent (whole yen), part payments, allocation
across proformas, over-payments, write-offs within the tolerance, overdue flags."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from mgtrade.errors import StateConflict
from orders import services
from orders.models import ProformaKind, ProformaStatus
from tests.orders.factories import confirmed_contract

pytestmark = pytest.mark.usefixtures("worked_example_data", "bank_accounts")


def _pay(contract, by, amount, allocations=None, **kw):
    return services.payment_record(
        customer=contract.customer,
        by=by,
        amount=Decimal(amount),
        currency=kw.pop("currency", contract.currency),
        value_date=timezone.localdate(),
        bank_reference=kw.pop("bank_reference", "FT2633400123"),
        payer=kw.pop("payer", "Metallguss Hamburg GmbH"),
        allocations=allocations or [],
        **kw,
    )


def test_deposit_is_30_percent_to_the_cent_in_eur(rep):
    contract = confirmed_contract(owner=rep)
    deposit = contract.proformas.get()
    expected = (contract.total_amount * Decimal("30") / 100).quantize(Decimal("0.01"))
    assert deposit.amount == expected
    assert deposit.amount.as_tuple().exponent == -2
    assert deposit.currency == "EUR"


def test_jpy_deposit_is_whole_yen(rep):
    contract = confirmed_contract(owner=rep, currency="JPY")
    assert contract.total_amount == contract.total_amount.to_integral_value()
    deposit = contract.proformas.get()
    assert deposit.currency == "JPY"
    assert deposit.amount == deposit.amount.to_integral_value()
    assert abs(deposit.amount - contract.total_amount * Decimal("0.3")) <= Decimal("0.5")
    assert deposit.bank["currency"] == "JPY"
    assert all(ln.amount == ln.amount.to_integral_value() for ln in contract.lines.all())


def test_part_payments_then_paid_makes_the_contract_ready_to_ship(rep):
    contract = confirmed_contract(owner=rep)
    deposit = contract.proformas.get()
    half = (deposit.amount / 2).quantize(Decimal("0.01"))
    _pay(contract, rep, half, [(deposit, half)])
    deposit.refresh_from_db()
    contract.refresh_from_db()
    assert deposit.status == ProformaStatus.ISSUED
    assert deposit.outstanding == deposit.amount - half
    assert not contract.is_ready_to_ship
    rest = deposit.amount - half
    _pay(contract, rep, rest, [(deposit, rest)], bank_reference="FT2633400999")
    deposit.refresh_from_db()
    contract.refresh_from_db()
    assert deposit.status == ProformaStatus.PAID and deposit.outstanding == 0
    assert contract.is_ready_to_ship
    assert contract.events.filter(action="ready").count() == 1


def test_one_payment_pays_two_proformas_and_the_rest_is_shown_unallocated(rep):
    contract = confirmed_contract(owner=rep)
    deposit = contract.proformas.get()
    balance = services.proforma_create_balance(contract=contract, by=rep)
    assert balance.kind == ProformaKind.BALANCE
    assert deposit.amount + balance.amount == contract.total_amount
    payment = _pay(
        contract,
        rep,
        contract.total_amount + Decimal("100"),
        [(deposit, deposit.amount), (balance, balance.amount)],
    )
    assert services.payment_unallocated(payment) == Decimal("100.00")
    deposit.refresh_from_db()
    balance.refresh_from_db()
    assert deposit.status == balance.status == ProformaStatus.PAID
    with pytest.raises(StateConflict):
        services.proforma_create_balance(contract=contract, by=rep)


def test_overpaying_a_proforma_shows_a_negative_outstanding(rep):
    contract = confirmed_contract(owner=rep)
    deposit = contract.proformas.get()
    _pay(contract, rep, deposit.amount + 5, [(deposit, deposit.amount + 5)])
    deposit.refresh_from_db()
    assert deposit.outstanding == Decimal("-5.00") and deposit.status == ProformaStatus.PAID


def test_allocations_cannot_exceed_the_payment_or_cross_currencies(rep):
    contract = confirmed_contract(owner=rep)
    deposit = contract.proformas.get()
    with pytest.raises(ValidationError):
        _pay(contract, rep, "100.00", [(deposit, Decimal("100.01"))])
    with pytest.raises(ValidationError):
        _pay(contract, rep, "100.00", [(deposit, Decimal("100.00"))], currency="USD")


def test_manager_writes_off_a_bank_charge_within_tolerance(rep, manager):
    contract = confirmed_contract(owner=rep)
    deposit = contract.proformas.get()
    received = deposit.amount - Decimal("35.00")  # EUR 35 of bank charges ≈ USD 37.84
    _pay(contract, rep, received, [(deposit, received)])
    deposit.refresh_from_db()
    with pytest.raises(PermissionDenied):
        services.proforma_write_off(proforma=deposit, by=rep, reason="Bank charges")
    with pytest.raises(ValidationError):
        services.proforma_write_off(proforma=deposit, by=manager, reason="")
    services.proforma_write_off(proforma=deposit, by=manager, reason="Intermediary bank charges")
    deposit.refresh_from_db()
    contract.refresh_from_db()
    assert deposit.written_off_amount == Decimal("35.00")
    assert deposit.status == ProformaStatus.PAID and deposit.written_off_by == manager
    assert contract.is_ready_to_ship


def test_write_off_above_tolerance_is_refused(rep, manager):
    contract = confirmed_contract(owner=rep)
    deposit = contract.proformas.get()
    received = deposit.amount - Decimal("60.00")  # EUR 60 ≈ USD 64.86 > USD 50
    _pay(contract, rep, received, [(deposit, received)])
    with pytest.raises(ValidationError) as exc:
        services.proforma_write_off(proforma=deposit, by=manager, reason="Bank charges")
    assert "amount" in exc.value.message_dict
    deposit.refresh_from_db()
    assert deposit.written_off_amount == 0 and deposit.status == ProformaStatus.ISSUED


def test_the_daily_task_flags_overdue_proformas_and_unflags_paid_ones(rep):
    from orders.tasks import proformas_flag_overdue_task

    contract = confirmed_contract(owner=rep)
    deposit = contract.proformas.get()
    later = deposit.due_date + timedelta(days=1)
    assert services.proformas_flag_overdue(today=later) == 1
    deposit.refresh_from_db()
    assert deposit.overdue_since == later
    _pay(contract, rep, deposit.amount, [(deposit, deposit.amount)])
    proformas_flag_overdue_task()
    deposit.refresh_from_db()
    assert deposit.overdue_since is None


def test_other_rep_cannot_record_a_payment(rep, other_rep):
    contract = confirmed_contract(owner=rep)
    with pytest.raises(PermissionDenied):
        _pay(contract, other_rep, "10.00")


def test_cad_contract_is_ready_on_confirmation(rep):
    contract = confirmed_contract(owner=rep, payment_terms="CAD")
    assert contract.is_ready_to_ship
    assert not contract.proformas.exists()
