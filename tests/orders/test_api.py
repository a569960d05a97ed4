"""The orders API: same conventions as quotes (pagination, 400, 404 for others', 409)."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from orders.models import SalesContract
from tests.orders.factories import confirmed_contract, draft_contract, sent_quote
from tests.orders.test_letters_of_credit import consistent_fields
from tests.quotes.factories import german_buyer

pytestmark = pytest.mark.usefixtures("worked_example_data", "bank_accounts")


def test_accepting_through_the_quotes_api_creates_the_contract(rep, rep_api):
    quote = sent_quote(customer=german_buyer(owner=rep))
    response = rep_api.post(
        f"/api/v1/quotes/{quote.pk}/accept/", {"buyer_name": "A. Schmidt", "po_number": "PO-9"}
    )
    assert response.status_code == 200, response.json()
    contract = SalesContract.objects.get(quote=quote)
    assert contract.buyer_po_number == "PO-9"
    again = rep_api.post(f"/api/v1/quotes/{quote.pk}/accept/", {"po_number": "PO-9"})
    assert again.status_code == 409
    assert SalesContract.objects.count() == 1


def test_contract_list_filters_and_query_count(rep, rep_api, django_assert_max_num_queries):
    contracts = [draft_contract(owner=rep) for _ in range(3)]
    confirmed = confirmed_contract(owner=rep)
    with django_assert_max_num_queries(6):
        response = rep_api.get("/api/v1/contracts/")
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 4
    drafts = rep_api.get("/api/v1/contracts/", {"status": "draft"}).json()
    assert {c["id"] for c in drafts["results"]} == {c.pk for c in contracts}
    by_customer = rep_api.get("/api/v1/contracts/", {"customer": confirmed.customer_id}).json()
    assert [c["id"] for c in by_customer["results"]] == [confirmed.pk]
    assert rep_api.get("/api/v1/contracts/", {"overdue": "true"}).json()["count"] == 0
    deposit = confirmed.proformas.get()
    deposit.due_date = timezone.localdate() - timedelta(days=1)
    deposit.issue_date = deposit.due_date - timedelta(days=7)
    deposit.save()
    overdue = rep_api.get("/api/v1/contracts/", {"overdue": "true"}).json()
    assert [c["id"] for c in overdue["results"]] == [confirmed.pk]
    assert overdue["results"][0]["is_overdue"] is True
    assert rep_api.get("/api/v1/contracts/", {"status": "nope"}).status_code == 400


def test_rep_cannot_see_another_reps_contract_proforma_payment_or_lc(rep, other_rep_api, rep_api):
    contract = confirmed_contract(owner=rep)
    deposit = contract.proformas.get()
    payment = rep_api.post(
        "/api/v1/payments/",
        {
            "customer": contract.customer_id,
            "amount": str(deposit.amount),
            "currency": "EUR",
            "value_date": timezone.localdate().isoformat(),
            "bank_reference": "FT1",
            "allocations": [{"proforma": deposit.pk, "amount": str(deposit.amount)}],
        },
        format="json",
    )
    assert payment.status_code == 201, payment.json()
    assert other_rep_api.get(f"/api/v1/contracts/{contract.pk}/").status_code == 404
    assert other_rep_api.post(f"/api/v1/contracts/{contract.pk}/start/").status_code == 404
    assert other_rep_api.get(f"/api/v1/proformas/{deposit.pk}/").status_code == 404
    assert other_rep_api.get(f"/api/v1/payments/{payment.json()['id']}/").status_code == 404
    assert other_rep_api.get("/api/v1/contracts/").json()["count"] == 0
    # Nor pay into it: another rep's proforma is an unknown id.
    response = other_rep_api.post(
        "/api/v1/payments/",
        {
            "customer": contract.customer_id,
            "amount": "1.00",
            "currency": "EUR",
            "value_date": timezone.localdate().isoformat(),
            "bank_reference": "FT2",
        },
        format="json",
    )
    assert response.status_code == 400 and "customer" in response.json()


def test_contract_lifecycle_over_the_api_with_409_on_illegal_moves(rep, rep_api):
    contract = draft_contract(owner=rep)
    url = f"/api/v1/contracts/{contract.pk}/"
    assert rep_api.post(url + "complete/").status_code == 409
    patch = rep_api.patch(url, {"advance_percent": "40"}, format="json")
    assert patch.status_code == 200 and patch.json()["advance_percent"] == "40.00"
    confirmed = rep_api.post(url + "confirm/")
    assert confirmed.status_code == 200
    body = confirmed.json()
    assert body["status"] == "confirmed"
    [deposit] = body["proformas"]
    assert Decimal(deposit["amount"]) == (contract.total_amount * Decimal("0.4")).quantize(
        Decimal("0.01")
    )
    assert rep_api.patch(url, {"advance_percent": "10"}, format="json").status_code == 409
    assert rep_api.post(url + "confirm/").status_code == 409
    sign = rep_api.post(
        url + "countersign/",
        {"name": "Anna Schmidt", "signed_on": timezone.localdate().isoformat()},
    )
    assert sign.status_code == 200 and sign.json()["countersigned_by_name"] == "Anna Schmidt"
    assert rep_api.post(url + "cancel/", {}).status_code == 400
    assert rep_api.post(url + "start/").status_code == 200
    events = rep_api.get(url + "events/").json()
    assert [e["action"] for e in events][:3] == ["created", "edited", "confirmed"]


def test_write_off_over_the_api_is_for_managers(rep, rep_api, manager_api):
    contract = confirmed_contract(owner=rep)
    deposit = contract.proformas.get()
    received = deposit.amount - Decimal("20")
    rep_api.post(
        "/api/v1/payments/",
        {
            "customer": contract.customer_id,
            "amount": str(received),
            "currency": "EUR",
            "value_date": timezone.localdate().isoformat(),
            "bank_reference": "FT3",
            "allocations": [{"proforma": deposit.pk, "amount": str(received)}],
        },
        format="json",
    )
    url = f"/api/v1/proformas/{deposit.pk}/write-off/"
    assert rep_api.post(url, {"reason": "charges"}).status_code == 403
    response = manager_api.post(url, {"reason": "Bank charges"})
    assert response.status_code == 200
    assert response.json()["status"] == "paid"
    assert response.json()["written_off_amount"] == "20.00"
    detail = rep_api.get(f"/api/v1/contracts/{contract.pk}/").json()
    assert detail["ready_to_ship"] is True


def test_lc_over_the_api(rep, rep_api):
    contract = confirmed_contract(owner=rep, payment_terms="L/C at sight")
    fields = consistent_fields(contract)
    payload = {
        **{k: (str(v) if v is not None else None) for k, v in fields.items()},
        "documents_required": fields["documents_required"],
        "partial_shipments_allowed": True,
        "transhipment_allowed": False,
        "contract": contract.pk,
        "amount": str(contract.total_amount - 100),
    }
    created = rep_api.post("/api/v1/letters-of-credit/", payload, format="json")
    assert created.status_code == 201, created.json()
    lc = created.json()
    assert [d["code"] for d in lc["discrepancies"]] == ["amount"]
    assert lc["effective_presentation_days"] == 21
    url = f"/api/v1/letters-of-credit/{lc['id']}/"
    assert rep_api.post(url + "accept/", {}).status_code == 400
    amended = rep_api.post(
        url + "amend/",
        {"date": timezone.localdate().isoformat(), "amount": str(contract.total_amount)},
        format="json",
    )
    assert amended.status_code == 200, amended.json()
    assert amended.json()["discrepancies"] == []
    assert amended.json()["amendments"][0]["changes"]["amount"][1] == str(contract.total_amount)
    assert rep_api.post(url + "accept/", {}).status_code == 200
    assert rep_api.get(f"/api/v1/contracts/{contract.pk}/").json()["ready_to_ship"] is True
    again = rep_api.post("/api/v1/letters-of-credit/", payload, format="json")
    assert again.status_code == 409


def test_schema_documents_the_orders_endpoints(admin_api):
    response = admin_api.get("/api/schema/", {"format": "json"})
    assert response.status_code == 200
    paths = response.json()["paths"]
    for path in (
        "/api/v1/contracts/",
        "/api/v1/contracts/{id}/confirm/",
        "/api/v1/proformas/{id}/write-off/",
        "/api/v1/payments/",
        "/api/v1/letters-of-credit/{id}/amend/",
    ):
        assert path in paths


def test_send_contract_and_proforma_over_the_api(rep, rep_api, other_rep_api, media_root):
    contract = confirmed_contract(owner=rep)
    deposit = contract.proformas.get()
    assert other_rep_api.post(f"/api/v1/proformas/{deposit.pk}/send/").status_code == 404
    response = rep_api.post(f"/api/v1/proformas/{deposit.pk}/send/")
    assert response.status_code == 202
    assert response.json()["delivery_status"] == "queued"
    assert rep_api.post(f"/api/v1/proformas/{deposit.pk}/send/").status_code == 409
    response = rep_api.post(f"/api/v1/contracts/{contract.pk}/send/")
    assert response.status_code == 202 and response.json()["delivery_status"] == "queued"
    detail = rep_api.get(f"/api/v1/contracts/{contract.pk}/").json()
    assert detail["proformas"][0]["sent_to_buyer"] is True
