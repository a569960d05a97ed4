"""Letters of credit: each discrepancy kind with both values, none on a consistent L/C,
amendments as dated changes, explicit acceptance making the contract ready to ship."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from mgtrade.errors import StateConflict
from orders import services
from orders.models import LCStatus
from tests.orders.factories import confirmed_contract

pytestmark = pytest.mark.usefixtures("worked_example_data", "bank_accounts")


def consistent_fields(contract) -> dict:
    return {
        "number": "LC-DEUT-2026-0815",
        "issuing_bank": "Deutsche Bank AG, Hamburg",
        "advising_bank": "Bank of China, Ningxia Branch",
        "applicant": contract.buyer["name"],
        "beneficiary": "Helan Magnesium Export Co., Ltd.",
        "currency": contract.currency,
        "amount": contract.total_amount,
        "tolerance_percent": Decimal("5"),
        "expiry_date": contract.latest_shipment_date + timedelta(days=21),
        "expiry_place": "China",
        "latest_shipment_date": contract.latest_shipment_date,
        "presentation_days": None,
        "partial_shipments_allowed": True,
        "transhipment_allowed": False,
        "port_of_loading": contract.port_of_loading,
        "port_of_discharge": contract.port_of_discharge,
        "incoterm": contract.incoterm,
        "documents_required": [
            "Signed commercial invoice in 3 originals",
            "Packing list",
            "Full set of clean on board ocean bills of lading",
            "Certificate of origin issued by CCPIT",
            "Certificate of analysis issued by the manufacturer",
            "Insurance policy for 110 % of invoice value, ICC (A)",
        ],
        "additional_conditions": "All documents must show the L/C number.",
    }


@pytest.fixture
def lc_contract(rep):
    return confirmed_contract(owner=rep, payment_terms="Irrevocable L/C at sight")


def test_lc_contract_has_no_deposit_and_is_not_ready_before_the_lc(lc_contract):
    assert not lc_contract.proformas.exists()
    assert not lc_contract.is_ready_to_ship


def test_a_consistent_lc_has_no_discrepancies_and_accepting_it_makes_ready(lc_contract, rep):
    lc = services.lc_record(contract=lc_contract, by=rep, **consistent_fields(lc_contract))
    assert lc.discrepancies == []
    assert lc.effective_presentation_days == 21
    services.lc_accept(lc=lc, by=rep)
    lc.refresh_from_db()
    lc_contract.refresh_from_db()
    assert lc.status == LCStatus.ACCEPTED
    assert lc_contract.is_ready_to_ship


def _codes(lc):
    return [d["code"] for d in lc.discrepancies]


@pytest.mark.parametrize(
    ("change", "code"),
    [
        (lambda c: {"amount": c.total_amount - Decimal("1000")}, "amount"),
        (lambda c: {"tolerance_percent": Decimal("0")}, "tolerance"),
        (lambda c: {"currency": "USD"}, "currency"),
        (
            lambda c: {
                "latest_shipment_date": c.latest_shipment_date - timedelta(days=10),
                "expiry_date": c.latest_shipment_date + timedelta(days=30),
            },
            "latest_shipment",
        ),
        (lambda c: {"expiry_date": c.latest_shipment_date + timedelta(days=14)}, "expiry"),
        (lambda c: {"presentation_days": 30}, "expiry"),
        (lambda c: {"partial_shipments_allowed": False}, "partial_shipments"),
        (lambda c: {"port_of_loading": "CNSHA"}, "port_of_loading"),
        (lambda c: {"port_of_discharge": "NLRTM"}, "port_of_discharge"),
        (lambda c: {"incoterm": "CFR"}, "incoterm"),
        (
            lambda c: {
                "documents_required": ["Commercial invoice", "Inspection certificate by SGS"]
            },
            "document",
        ),
        (
            lambda c: {"documents_required": ["Certificate of quality signed by the applicant"]},
            "document",
        ),
    ],
)
def test_each_discrepancy_kind_is_found_with_both_values(lc_contract, rep, change, code):
    fields = {**consistent_fields(lc_contract), **change(lc_contract)}
    lc = services.lc_record(contract=lc_contract, by=rep, **fields)
    assert _codes(lc) == [code]
    [found] = lc.discrepancies
    assert found["lc_value"] and found["contract_value"]
    assert found["lc_value"] != found["contract_value"]


def test_transhipment_forbidden_by_the_lc_when_the_contract_allows_it(rep):
    contract = confirmed_contract(owner=rep, payment_terms="L/C at sight")
    contract.transhipment = True
    contract.save()
    lc = services.lc_record(contract=contract, by=rep, **consistent_fields(contract))
    assert _codes(lc) == ["transhipment"]
    assert lc.discrepancies[0]["lc_value"] == "not allowed"


def test_insurance_document_under_fob_is_one_we_do_not_issue(rep):
    contract = confirmed_contract(owner=rep, payment_terms="L/C at sight", incoterm="FOB")
    fields = consistent_fields(contract)
    lc = services.lc_record(contract=contract, by=rep, **fields)
    assert _codes(lc) == ["document"]
    assert "Insurance" in lc.discrepancies[0]["lc_value"]


def test_amendment_records_the_change_and_checks_again(lc_contract, rep):
    fields = {**consistent_fields(lc_contract), "amount": lc_contract.total_amount - 500}
    lc = services.lc_record(contract=lc_contract, by=rep, **fields)
    assert _codes(lc) == ["amount"]
    with pytest.raises(ValidationError):
        services.lc_accept(lc=lc, by=rep)  # discrepancies: a reason is needed
    services.lc_request_amendment(lc=lc, by=rep, text="Increase the amount to the contract value")
    lc.refresh_from_db()
    assert lc.status == LCStatus.AMENDMENT_REQUESTED
    today = timezone.localdate()
    amendment = services.lc_amend(lc=lc, by=rep, date=today, amount=lc_contract.total_amount)
    lc.refresh_from_db()
    assert amendment.sequence == 1 and amendment.date == today
    assert amendment.changes == {
        "amount": [str(lc_contract.total_amount - 500), str(lc_contract.total_amount)]
    }
    assert lc.discrepancies == [] and lc.status == LCStatus.RECEIVED
    with pytest.raises(ValidationError):
        services.lc_amend(lc=lc, by=rep, date=today, amount=lc_contract.total_amount)


def test_accepting_with_discrepancies_needs_a_note_and_is_logged(lc_contract, rep):
    fields = {**consistent_fields(lc_contract), "incoterm": "CFR"}
    lc = services.lc_record(contract=lc_contract, by=rep, **fields)
    services.lc_accept(lc=lc, by=rep, note="Buyer insures; CFR on the L/C is harmless")
    event = lc_contract.events.get(action="lc_accepted")
    assert event.data["discrepancies_accepted"][0]["code"] == "incoterm"
    with pytest.raises(StateConflict):
        services.lc_accept(lc=lc, by=rep)


def test_lc_on_a_tt_contract_is_refused(rep):
    contract = confirmed_contract(owner=rep)
    with pytest.raises(StateConflict):
        services.lc_record(contract=contract, by=rep, **consistent_fields(contract))
