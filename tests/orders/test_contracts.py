"""Sales contracts: made from the accepted quote version, a snapshot, a logged state machine."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from customers.models import Activity, Status
from mgtrade.errors import StateConflict
from orders import services
from orders.models import (
    AcceptedVia,
    ContractEvent,
    ContractStatus,
    PaymentMethod,
    ProformaKind,
    SalesContract,
)
from products.models import ProductPrice
from quotes import services as quote_services
from quotes.public import services as acceptance
from tests.orders.factories import confirmed_contract, draft_contract, sent_quote
from tests.quotes.factories import german_buyer

pytestmark = pytest.mark.usefixtures("worked_example_data", "bank_accounts")


def test_rep_recorded_acceptance_creates_one_draft_contract_from_that_version(rep):
    contract = draft_contract(owner=rep, po_number="PO-4711")
    quote = contract.quote
    assert contract.status == ContractStatus.DRAFT
    assert contract.number == f"SC-{timezone.localdate().year}-00001"
    assert contract.buyer_po_number == "PO-4711"
    assert contract.accepted_via == AcceptedVia.REP
    assert contract.customer == quote.customer and contract.owner == rep
    assert contract.currency == "EUR" and contract.incoterm == "CIF"
    assert contract.named_place == "Hamburg"
    assert contract.total_amount == quote.total_quote_currency
    lines = list(contract.lines.all())
    assert [ln.product_code for ln in lines] == ["MG9990", "AZ91D"]
    assert sum(ln.amount for ln in lines) == contract.total_amount
    assert contract.payment_method == PaymentMethod.TT
    assert contract.advance_percent == Decimal("30")
    assert "Insurance certificate" in " ".join(contract.documents)
    assert SalesContract.objects.filter(quote__number=quote.number).count() == 1


def test_buyer_online_acceptance_creates_the_contract_with_the_po_number(rep):
    customer = german_buyer(owner=rep)
    quote = sent_quote(customer=customer)
    acceptance.public_quote_accept(
        quote=quote, buyer_name="Anna Schmidt", ip="127.0.0.1", user_agent="x", po_number="4500-1"
    )
    contract = SalesContract.objects.get(quote=quote)
    assert contract.accepted_via == AcceptedVia.BUYER_ONLINE
    assert contract.accepted_by_name == "Anna Schmidt"
    assert contract.buyer_po_number == "4500-1"
    assert Activity.objects.filter(customer=customer, summary__contains=contract.number).exists()


def test_double_click_and_repeated_creation_give_the_same_contract(rep):
    contract = draft_contract(owner=rep)
    with pytest.raises(StateConflict):  # the second click: the quote is already accepted
        quote_services.quote_accept(quote=contract.quote, by=rep, po_number="PO-4711")
    again = services.contract_create_from_quote(quote=contract.quote, by=rep)
    assert again.pk == contract.pk
    assert SalesContract.objects.count() == 1
    assert ContractEvent.objects.filter(action="created").count() == 1


def test_contract_never_changes_when_the_catalogue_changes(rep):
    contract = draft_contract(owner=rep)
    before = [(ln.unit_price, ln.amount, ln.product_name) for ln in contract.lines.all()]
    ProductPrice.objects.update(usd_per_mt=Decimal("9999"))
    contract.customer.name = "Renamed GmbH"
    contract.customer.save()
    contract.refresh_from_db()
    assert [(ln.unit_price, ln.amount, ln.product_name) for ln in contract.lines.all()] == before
    assert contract.buyer["name"] != "Renamed GmbH"


def test_confirm_issues_the_deposit_proforma_and_activates_the_prospect(rep):
    contract = confirmed_contract(owner=rep)
    assert contract.status == ContractStatus.CONFIRMED
    contract.customer.refresh_from_db()
    assert contract.customer.status == Status.ACTIVE
    [deposit] = contract.proformas.all()
    assert deposit.kind == ProformaKind.DEPOSIT
    assert deposit.number.startswith(f"PI-{timezone.localdate().year}-")
    assert deposit.amount == (contract.total_amount * Decimal("0.30")).quantize(Decimal("0.01"))
    assert deposit.bank["currency"] == "EUR"
    assert not contract.is_ready_to_ship
    actions = list(contract.events.values_list("action", flat=True))
    assert actions == ["created", "confirmed", "proforma"]


def test_confirm_without_a_bank_account_for_the_currency_is_refused(rep, bank_accounts):
    bank_accounts["EUR"].delete()
    contract = draft_contract(owner=rep)
    with pytest.raises(ValidationError) as exc:
        services.contract_confirm(contract=contract, by=rep)
    assert "bank_account" in exc.value.message_dict
    contract.refresh_from_db()
    assert contract.status == ContractStatus.DRAFT


def test_illegal_transitions_are_conflicts(rep):
    contract = draft_contract(owner=rep)
    with pytest.raises(StateConflict):
        services.contract_complete(contract=contract, by=rep)
    with pytest.raises(StateConflict):
        services.contract_start(contract=contract, by=rep)
    services.contract_cancel(contract=contract, by=rep, reason="Buyer withdrew")
    with pytest.raises(StateConflict):
        services.contract_confirm(contract=contract, by=rep)


def test_cancel_needs_a_reason_and_is_logged(rep):
    contract = confirmed_contract(owner=rep)
    with pytest.raises(ValidationError):
        services.contract_cancel(contract=contract, by=rep, reason="  ")
    services.contract_cancel(contract=contract, by=rep, reason="Buyer's funding fell through")
    contract.refresh_from_db()
    assert contract.status == ContractStatus.CANCELLED
    assert contract.cancel_reason == "Buyer's funding fell through"
    assert contract.proformas.get().status == "cancelled"
    event = contract.events.get(action="cancelled")
    assert (event.from_status, event.to_status) == ("confirmed", "cancelled")


def test_draft_terms_are_editable_and_confirmed_ones_are_not(rep):
    contract = draft_contract(owner=rep)
    today = timezone.localdate()
    services.contract_update(
        contract=contract,
        by=rep,
        advance_percent=Decimal("20"),
        latest_shipment_date=today + timedelta(days=60),
        partial_shipments=False,
    )
    contract.refresh_from_db()
    assert contract.advance_percent == Decimal("20") and not contract.partial_shipments
    with pytest.raises(ValidationError):
        services.contract_update(
            contract=contract, by=rep, latest_shipment_date=today - timedelta(days=1)
        )
    services.contract_confirm(contract=contract, by=rep)
    with pytest.raises(StateConflict):
        services.contract_update(contract=contract, by=rep, buyer_po_number="X")


def test_countersignature_is_recorded_on_a_confirmed_contract(rep):
    contract = draft_contract(owner=rep)
    today = timezone.localdate()
    with pytest.raises(StateConflict):
        services.contract_record_countersignature(
            contract=contract, by=rep, name="Anna Schmidt", signed_on=today
        )
    services.contract_confirm(contract=contract, by=rep)
    services.contract_record_countersignature(
        contract=contract, by=rep, name="Anna Schmidt", title="Head of purchasing", signed_on=today
    )
    contract.refresh_from_db()
    assert contract.countersigned_by_name == "Anna Schmidt"
    assert contract.countersigned_on == today


def test_other_rep_cannot_confirm(rep, other_rep):
    from django.core.exceptions import PermissionDenied

    contract = draft_contract(owner=rep)
    with pytest.raises(PermissionDenied):
        services.contract_confirm(contract=contract, by=other_rep)


@pytest.mark.parametrize(
    ("text", "method", "advance", "balance"),
    [
        ("T/T 30% advance, 70% against copy of B/L", "tt", "30", "against_bl_copy"),
        ("100% T/T in advance before shipment", "tt", "100", "before_shipment"),
        ("Irrevocable L/C at sight", "lc_sight", "0", None),
        ("CAD", "cad", "0", None),
        ("", "tt", "30", "against_bl_copy"),
    ],
)
def test_payment_terms_are_read_from_the_quote_text(text, method, advance, balance):
    terms = services.payment_terms_parse(text)
    assert terms["payment_method"] == method
    assert terms["advance_percent"] == Decimal(advance)
    assert terms.get("balance_terms") == balance
