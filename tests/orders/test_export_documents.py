"""The export document set: the commercial invoice adds up and subtracts the deposit
(pypdf), packing list and certificates, immutability and revisions, the L/C presentation
check and its acknowledgement, sending the set through the worker."""

from __future__ import annotations

import io
from datetime import timedelta
from decimal import Decimal

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied
from django.utils import timezone
from pypdf import PdfReader

from customers.models import Contact
from mgtrade.accounts.models import Role
from mgtrade.errors import StateConflict
from orders import export_documents as xd
from orders import services, shipping
from orders.models import ExportDocument, ExportDocumentKind, ProformaKind
from orders.presentation_check import Presentation, presentation_discrepancies
from quotes.documents.context import document_render, pdf_sha256
from quotes.templatetags.amounts import amount as amount_text
from tests.accounts.factories import UserFactory
from tests.orders.factories import confirmed_contract
from tests.orders.shipping_helpers import grade_limits, lot, pay_deposit

pytestmark = pytest.mark.usefixtures("worked_example_data", "bank_accounts", "media_root")
K = ExportDocumentKind


@pytest.fixture
def qc(db):
    return UserFactory(username="qc", role=Role.QC, first_name="Hu", last_name="Jing")


def _text(data: bytes) -> str:
    return " ".join(
        " ".join((page.extract_text() or "").split()) for page in PdfReader(io.BytesIO(data)).pages
    )


def _loaded(contract, rep, manager, qc, *, mg="50", az="20", partial=False):
    shipment = shipping.shipment_create(contract=contract, by=rep)
    line = {ln.product_code: ln for ln in contract.lines.all()}
    h = lot(by=qc, code="MG9990", number=f"H-{shipment.pk}-1", mt=mg)
    a = lot(by=qc, code="AZ91D", number=f"A-{shipment.pk}-1", mt=az, Fe="0.008")
    shipping.lot_allocate(shipment=shipment, by=rep, contract_line=line["MG9990"], lot=h)
    shipping.lot_allocate(
        shipment=shipment,
        by=manager,
        contract_line=line["AZ91D"],
        lot=a,
        override_reason="Buyer accepts Fe 0.008",
    )
    shipping.shipment_book(shipment=shipment, by=rep, booking_number="BK", vessel="CMA CGM Tage")
    shipping.container_add(
        shipment=shipment,
        by=rep,
        number="MSKU1234565",
        seal="SL-1",
        net_weight_mt=Decimal(mg) + Decimal(az),
        gross_weight_mt=Decimal(mg) + Decimal(az) + Decimal("0.7"),
        bundles=70,
        lots=[h, a],
    )
    return shipping.shipment_load(
        shipment=shipment, by=rep, bl_number="CMDU9001", on_board_date=timezone.localdate()
    )


@pytest.fixture
def shipped(rep, manager, qc):
    grade_limits()
    contract = pay_deposit(confirmed_contract(owner=rep), rep)
    # An English-reading buyer: these tests read the documents' English words
    # (tests/i18n/test_orders_documents.py covers the other languages).
    Contact.objects.filter(pk=contract.quote.contact_id).update(language="en")
    return _loaded(contract, rep, manager, qc)


def test_invoice_adds_up_and_subtracts_the_deposit(shipped, rep):
    docs = xd.shipment_documents_issue(shipment=shipped, by=rep)
    assert sorted(d.kind for d in docs) == sorted(
        [K.COMMERCIAL_INVOICE, K.PACKING_LIST, K.CERTIFICATE_OF_ANALYSIS, K.CERTIFICATE_OF_ANALYSIS]
    )
    invoice = next(d for d in docs if d.kind == K.COMMERCIAL_INVOICE)
    invoice.refresh_from_db()
    content = invoice.document["doc"]
    line_amounts = [Decimal(ln["amount"]) for ln in content["lines"]]
    total = Decimal(content["totals"]["amount"])
    deposit = shipped.contract.proformas.get(kind=ProformaKind.DEPOSIT).amount
    assert sum(line_amounts) == total == shipped.contract.total_amount
    assert Decimal(content["balance"]["amount"]) == total - deposit
    text = _text(xd.export_document_pdf(invoice))
    for value in [*line_amounts, total, deposit, total - deposit]:
        assert amount_text(value, "EUR") in text
    assert "CMDU9001" in text and shipped.contract.number in text
    assert "Less deposit received" in text and "People's Republic of China" in text
    assert invoice.number.startswith("CI-")


def test_second_render_of_an_issued_document_is_byte_identical(
    shipped, rep, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        xd.shipment_documents_issue(shipment=shipped, by=rep)
    for doc in ExportDocument.objects.filter(shipment=shipped):
        assert doc.pdf_sha256  # rendered after the commit (eager worker)
        again = document_render(doc.document, doc.template, language=doc.document["language"])
        assert pdf_sha256(again) == doc.pdf_sha256
        assert xd.export_document_pdf(doc) == again


def test_certificate_shows_both_specs_and_the_override(shipped, rep):
    from orders.models import CustomerSpecLimit
    from products.models import Product

    CustomerSpecLimit.objects.create(
        customer=shipped.contract.customer,
        product=Product.objects.get(code="MG9990"),
        element="Fe",
        max_percent=Decimal("0.02"),
    )
    docs = xd.shipment_documents_issue(shipment=shipped, by=rep)
    coa = {d.lot.product.code: d for d in docs if d.kind == K.CERTIFICATE_OF_ANALYSIS}
    mg = _text(xd.export_document_pdf(coa["MG9990"]))
    assert "Buyer's limit" in mg and "≤ 0.02" in mg and "pass" in mg
    az = _text(xd.export_document_pdf(coa["AZ91D"]))
    assert "FAIL" in az and "Buyer accepts Fe 0.008" in az


def test_issuing_twice_issues_nothing_new_and_a_correction_is_a_revision(shipped, rep):
    first = xd.shipment_documents_issue(shipment=shipped, by=rep)
    assert xd.shipment_documents_issue(shipment=shipped, by=rep) == []
    invoice = next(d for d in first if d.kind == K.COMMERCIAL_INVOICE)
    new = xd.export_document_revise(document=invoice, by=rep, reason="Consignee address")
    invoice.refresh_from_db()
    assert (new.number, new.revision) == (invoice.number, 1)
    assert invoice.superseded_at is not None and new.filename.endswith("-R1.pdf")
    with pytest.raises(StateConflict):
        xd.export_document_revise(document=invoice, by=rep, reason="again")


def test_dangerous_goods_line_for_granules(shipped):
    from products.models import Product

    product = Product(code="MGG", category="granules", un_number="UN1869", dg_class="4.1")
    assert xd._dangerous_goods([product])[0]["un_number"] == "UN1869"
    assert xd._dangerous_goods([Product(code="X", category="ingot")]) == []


def _presentation(**kw):
    today = timezone.localdate()
    base = dict(
        lc_number="LC-1",
        lc_currency="EUR",
        lc_amount=Decimal("100000"),
        lc_tolerance_percent=Decimal("5"),
        lc_latest_shipment=today,
        lc_expiry=today + timedelta(days=30),
        lc_presentation_days=21,
        lc_partial_allowed=False,
        lc_documents=("Signed commercial invoice in 3 originals", "Full set of bills of lading"),
        lc_applicant="Metallguss Hamburg GmbH",
        lc_beneficiary="Helan Magnesium Export Co., Ltd.",
        invoice_amount=Decimal("105000"),
        drawn_before=Decimal("0"),
        on_board_date=today,
        presentation_date=today,
        shipments=1,
        kinds_presented=("commercial_invoice", "bill_of_lading"),
        doc_lc_numbers=("LC-1",),
        doc_applicants=("Metallguss  Hamburg GmbH",),
        doc_beneficiaries=("Helan Magnesium Export Co., Ltd.",),
    )
    return [d.code for d in presentation_discrepancies(Presentation(**{**base, **kw}))]


@pytest.mark.parametrize(
    ("change", "code"),
    [
        ({"invoice_amount": Decimal("105000.01")}, "amount"),
        ({"drawn_before": Decimal("1")}, "amount"),
        ({"on_board_date": timezone.localdate() + timedelta(days=1)}, "latest_shipment"),
        (
            {"on_board_date": timezone.localdate() - timedelta(days=22)},
            "presentation_period",
        ),
        ({"lc_expiry": timezone.localdate() - timedelta(days=1)}, "expiry"),
        ({"shipments": 2}, "partial_shipment"),
        ({"lc_documents": ("Certificate of analysis per lot",)}, "document_missing"),
        ({"lc_documents": ("Insurance policy",)}, "document_missing"),
        ({"doc_lc_numbers": ("LC-1", "LC-7")}, "lc_number"),
        ({"doc_applicants": ("Metallguss Hamburg",)}, "applicant"),
        ({"doc_beneficiaries": ("Helan Magnesium Export Co Ltd",)}, "beneficiary"),
    ],
)
def test_each_presentation_discrepancy_is_detected(change, code):
    assert _presentation() == []  # the clean presentation at every boundary
    assert code in _presentation(**change)


def test_lc_set_goes_only_after_a_manager_acknowledges(
    rep, manager, qc, django_capture_on_commit_callbacks
):
    grade_limits()
    contract = confirmed_contract(owner=rep, payment_terms="Irrevocable L/C at sight")
    services.lc_record(
        contract=contract,
        by=rep,
        number="LC-DE-778",
        issuing_bank="Commerzbank AG",
        applicant=contract.buyer["name"],
        beneficiary="Helan Magnesium Export Co., Ltd.",
        currency="EUR",
        amount=contract.total_amount,
        tolerance_percent=Decimal("5"),
        expiry_date=timezone.localdate() + timedelta(days=60),
        latest_shipment_date=timezone.localdate() + timedelta(days=30),
        documents_required=[
            "Commercial invoice",
            "Packing list",
            "Certificate of analysis",
            "SGS inspection certificate",
        ],
    )
    lc = contract.letter_of_credit
    services.lc_accept(lc=lc, by=rep, note="SGS arranged by the buyer")
    contract.refresh_from_db()
    shipment = _loaded(contract, rep, manager, qc)
    xd.shipment_documents_issue(shipment=shipment, by=rep)
    found = xd.presentation_check(shipment=shipment, by=rep)
    assert [d["code"] for d in found] == ["document_missing"]
    with pytest.raises(StateConflict, match="acknowledges"):
        xd.shipment_documents_send(shipment=shipment, by=rep, bank_email="lc@commerzbank.example")
    with pytest.raises(PermissionDenied):
        xd.discrepancies_acknowledge(shipment=shipment, by=rep, note="ok")
    xd.discrepancies_acknowledge(shipment=shipment, by=manager, note="SGS certificate by courier")
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        shipment = xd.shipment_documents_send(
            shipment=shipment, by=rep, bank_email="lc@commerzbank.example"
        )
    assert shipment.documents_delivery is not None
    sent = [m for m in mail.outbox if "Shipping documents" in m.subject]
    assert len(sent) == 1 and "lc@commerzbank.example" in sent[0].to
    assert sent[0].attachments[0][0].endswith("-documents.pdf")
    with pytest.raises(StateConflict):
        xd.shipment_documents_send(shipment=shipment, by=rep, bank_email="lc@commerzbank.example")


def test_documents_on_the_shipment_page_and_sent(
    rep_client, shipped, django_capture_on_commit_callbacks
):
    from django.urls import reverse

    url = reverse("orders:shipment", args=[shipped.pk])
    assert 'data-testid="issue-documents"' in rep_client.get(url).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        rep_client.post(reverse("orders:documents_issue", args=[shipped.pk]))
    page = rep_client.get(url).content.decode()
    assert page.count('class="export-document') == 4
    invoice = shipped.documents.get(kind=K.COMMERCIAL_INVOICE)
    pdf = rep_client.get(reverse("orders:export_pdf", args=[invoice.pk]))
    assert (
        pdf["Content-Type"] == "application/pdf" and pdf_sha256(pdf.content) == invoice.pdf_sha256
    )
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        response = rep_client.post(reverse("orders:documents_send", args=[shipped.pk]))
    assert response.status_code == 302
    assert [m.subject for m in mail.outbox if "Shipping documents" in m.subject]
    assert 'data-testid="documents-delivery"' in rep_client.get(url).content.decode()


def test_documents_api(rep_api, shipped, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        issued = rep_api.post(f"/api/v1/shipments/{shipped.pk}/issue-documents/")
    assert issued.status_code == 201 and len(issued.json()) == 4
    invoice = next(d for d in issued.json() if d["kind"] == "commercial_invoice")
    fixed = rep_api.post(
        f"/api/v1/shipments/{shipped.pk}/correct-document/",
        {"document": invoice["id"], "reason": "Marks"},
        format="json",
    )
    assert fixed.status_code == 201 and fixed.json()["revision"] == 1
    listed = rep_api.get(f"/api/v1/shipments/{shipped.pk}/documents/").json()
    assert len(listed) == 5 and sum(1 for d in listed if d["superseded_at"]) == 1
    with django_capture_on_commit_callbacks(execute=True):
        sent = rep_api.post(f"/api/v1/shipments/{shipped.pk}/send-documents/", {}, format="json")
    assert sent.status_code == 202 and sent.json()["documents_status"]
