"""Contract pages: the list (filters, fixed query count), the contract page and its forms,
My day, rep isolation."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from orders import services
from orders.models import ContractStatus, SalesContract
from tests.orders.factories import confirmed_contract, draft_contract, sent_quote
from tests.orders.test_letters_of_credit import consistent_fields
from tests.quotes.factories import german_buyer

pytestmark = pytest.mark.usefixtures("worked_example_data", "bank_accounts")


def test_contract_list_page_query_count_does_not_grow_with_rows(
    rep, rep_client, django_assert_max_num_queries
):
    draft_contract(owner=rep)
    with django_assert_max_num_queries(12) as few:
        assert rep_client.get(reverse("orders:list")).status_code == 200
    for _ in range(4):
        confirmed_contract(owner=rep)
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = rep_client.get(reverse("orders:list"))
    assert response.content.decode().count('class="contract-row"') == 5


def test_contract_list_filters_by_status_and_overdue(rep, rep_client):
    draft = draft_contract(owner=rep)
    confirmed = confirmed_contract(owner=rep)
    page = rep_client.get(reverse("orders:list"), {"status": "draft"}).content.decode()
    assert draft.number in page and confirmed.number not in page
    assert (
        confirmed.number
        not in rep_client.get(reverse("orders:list"), {"overdue": "1"}).content.decode()
    )


def test_rep_gets_404_on_another_reps_contract_pages(rep, other_rep, client):
    contract = confirmed_contract(owner=rep)
    client.force_login(other_rep)
    assert client.get(reverse("orders:detail", args=[contract.pk])).status_code == 404
    assert client.post(reverse("orders:start", args=[contract.pk])).status_code == 404
    assert client.get(reverse("orders:payment_create", args=[contract.pk])).status_code == 404
    assert contract.number not in client.get(reverse("orders:list")).content.decode()


def test_confirm_then_record_the_deposit_makes_the_page_say_ready_to_ship(rep, rep_client):
    contract = draft_contract(owner=rep)
    url = reverse("orders:detail", args=[contract.pk])
    page = rep_client.get(url).content.decode()
    assert "PO-4711" in page and "Confirm contract" in page
    rep_client.post(reverse("orders:confirm", args=[contract.pk]))
    contract.refresh_from_db()
    assert contract.status == ContractStatus.CONFIRMED
    deposit = contract.proformas.get()
    form_url = reverse("orders:payment_create", args=[contract.pk])
    assert deposit.number in rep_client.get(form_url).content.decode()
    response = rep_client.post(
        form_url,
        {
            "amount": str(deposit.amount),
            "currency": "EUR",
            "value_date": timezone.localdate().isoformat(),
            "bank_reference": "FT26334",
            "payer": "Buyer GmbH",
            f"alloc_{deposit.pk}": str(deposit.amount),
        },
    )
    assert response.status_code == 302
    page = rep_client.get(url).content.decode()
    assert 'id="ready-to-ship"' in page
    assert "FT26334" in page


def test_payment_form_shows_service_errors(rep, rep_client):
    contract = confirmed_contract(owner=rep)
    deposit = contract.proformas.get()
    response = rep_client.post(
        reverse("orders:payment_create", args=[contract.pk]),
        {
            "amount": "10.00",
            "currency": "EUR",
            "value_date": timezone.localdate().isoformat(),
            "bank_reference": "X",
            f"alloc_{deposit.pk}": "11.00",
        },
    )
    assert response.status_code == 400
    assert "more than the payment leaves unallocated" in response.content.decode()


def test_edit_terms_page_saves_a_draft(rep, rep_client):
    contract = draft_contract(owner=rep)
    url = reverse("orders:edit", args=[contract.pk])
    assert rep_client.get(url).status_code == 200
    today = timezone.localdate()
    response = rep_client.post(
        url,
        {
            "consignee": "Metallguss Logistik, Hamburg",
            "buyer_po_number": "PO-1",
            "payment_method": "tt",
            "advance_percent": "50",
            "balance_terms": "before_shipment",
            "shipment_from": today.isoformat(),
            "latest_shipment_date": (today + timedelta(days=30)).isoformat(),
            "tolerance_percent": "5",
            "partial_shipments": "on",
            "documents": "Commercial invoice\nPacking list",
            "terms_text": "",
        },
    )
    assert response.status_code == 302, response.content.decode()
    contract.refresh_from_db()
    assert contract.advance_percent == Decimal("50")
    assert contract.documents == ["Commercial invoice", "Packing list"]
    assert not contract.transhipment


def test_lc_pages_enter_check_and_accept(rep, rep_client):
    contract = confirmed_contract(owner=rep, payment_terms="L/C at sight")
    url = reverse("orders:lc", args=[contract.pk])
    fields = consistent_fields(contract)
    data = {
        k: ("\n".join(v) if isinstance(v, list) else "" if v is None else str(v))
        for k, v in fields.items()
    }
    data["incoterm"] = "FOB"
    data["partial_shipments_allowed"] = "on"
    data.pop("transhipment_allowed")
    assert rep_client.post(url, data).status_code == 302
    page = rep_client.get(reverse("orders:detail", args=[contract.pk])).content.decode()
    assert 'id="lc-discrepancies"' in page and "FOB" in page
    # An amendment fixes it; then the rep accepts.
    amend = rep_client.get(url)
    assert "Amendment of L/C" in amend.content.decode()
    data.update({"incoterm": "CIF", "amendment_date": timezone.localdate().isoformat()})
    assert rep_client.post(url, data).status_code == 302
    page = rep_client.get(reverse("orders:detail", args=[contract.pk])).content.decode()
    assert 'id="lc-consistent"' in page
    rep_client.post(reverse("orders:lc_accept", args=[contract.pk]), {"note": ""})
    contract.refresh_from_db()
    assert contract.is_ready_to_ship


def test_my_day_lists_overdue_proformas_for_the_rep_and_the_manager(
    rep, other_rep, rep_client, client, manager
):
    contract = confirmed_contract(owner=rep)
    deposit = contract.proformas.get()
    services.proformas_flag_overdue(today=deposit.due_date + timedelta(days=1))
    page = rep_client.get(reverse("customers:my_day")).content.decode()
    assert 'class="crm-follow-up overdue-proforma"' in page and deposit.number in page
    client.force_login(manager)
    assert deposit.number in client.get(reverse("customers:my_day")).content.decode()
    client.force_login(other_rep)
    assert deposit.number not in client.get(reverse("customers:my_day")).content.decode()


def test_buyer_accepts_online_with_po_and_the_quote_page_links_the_contract(rep, rep_client):
    from quotes.public.links import acceptance_token

    quote = sent_quote(customer=german_buyer(owner=rep))
    token = acceptance_token(quote)
    from django.test import Client

    buyer = Client()
    response = buyer.post(
        reverse("public_quote:accept", args=[token]),
        {"name": "Anna Schmidt", "po_number": "4500012345", "confirm": "on"},
    )
    assert response.status_code == 302
    contract = SalesContract.objects.get(quote=quote)
    assert contract.buyer_po_number == "4500012345"
    page = rep_client.get(reverse("quotes:detail", args=[quote.pk])).content.decode()
    assert contract.number in page


def test_contract_and_proforma_pdfs_are_served_to_their_rep_only(
    rep, other_rep, rep_client, client
):
    contract = confirmed_contract(owner=rep)
    deposit = contract.proformas.get()
    response = rep_client.get(reverse("orders:pdf", args=[contract.pk]))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    response = rep_client.get(reverse("orders:proforma_pdf", args=[deposit.pk]))
    assert response.status_code == 200 and response.content.startswith(b"%PDF")
    client.force_login(other_rep)
    assert client.get(reverse("orders:pdf", args=[contract.pk])).status_code == 404
    assert client.get(reverse("orders:proforma_pdf", args=[deposit.pk])).status_code == 404


def test_manager_writes_off_on_the_contract_page(rep, manager, client):
    contract = confirmed_contract(owner=rep)
    deposit = contract.proformas.get()
    received = deposit.amount - Decimal("12.50")
    services.payment_record(
        customer=contract.customer,
        by=rep,
        amount=received,
        currency="EUR",
        value_date=timezone.localdate(),
        bank_reference="FT9",
        payer="Buyer",
        allocations=[(deposit, received)],
    )
    client.force_login(manager)
    page = client.get(reverse("orders:detail", args=[contract.pk])).content.decode()
    assert f'id="write-off-{deposit.pk}-submit"' in page
    client.post(
        reverse("orders:write_off", args=[deposit.pk]),
        {f"proforma-{deposit.pk}-reason": "Intermediary bank charges"},
    )
    deposit.refresh_from_db()
    assert deposit.written_off_amount == Decimal("12.50")
    assert (
        'id="ready-to-ship"'
        in client.get(reverse("orders:detail", args=[contract.pk])).content.decode()
    )
