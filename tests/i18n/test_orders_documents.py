"""Contract, proforma and export documents in the buyer's language; translatable master data
(grades, terms templates, bank instructions) with the fallback to English the rep sees
(docs/i18n.md, "Master data and order documents")."""

from __future__ import annotations

import io
import subprocess
from decimal import Decimal
from pathlib import Path

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import translation
from django.utils.translation import trans_real
from pypdf import PdfReader

from customers.models import Contact
from mgtrade.accounts.models import Role
from mgtrade.i18n import babel_locale, format_money
from orders import export_documents as xd
from orders import services as order_services
from orders.documents import (
    CONTRACT_TEMPLATE,
    PROFORMA_TEMPLATE,
    contract_document,
    document_pdf,
    proforma_document,
)
from orders.models import ExportDocument, ExportDocumentKind, SalesContract
from orders.selectors import contract_language
from orders.tasks import export_document_render_task
from products.models import Product
from quotes import selectors as quote_selectors
from quotes import services as quote_services
from quotes.documents.context import document_render, quote_pdf_context
from quotes.models import BankAccount, Quote, QuoteDelivery, TermsTemplate
from quotes.terms import terms_in_language
from tests.accounts.factories import UserFactory
from tests.orders.conftest import bank_accounts, worked_example_data  # noqa: F401 (fixtures)
from tests.orders.factories import confirmed_contract
from tests.orders.shipping_helpers import grade_limits, pay_deposit
from tests.orders.test_export_documents import _loaded
from tests.quotes.factories import german_buyer

pytestmark = pytest.mark.usefixtures("compiled_catalogues", "worked_example_data", "bank_accounts")

# The heading of each document in each buyer's language: the standard legal terms.
HEADINGS = {
    "de": ("Kaufvertrag", "Proformarechnung"),
    "ja": ("売買契約書", "プロフォーマインボイス"),
    "ko": ("매매계약서", "프로포마 인보이스"),
    "tr": ("Satış Sözleşmesi", "Proforma Fatura"),
    "pt-br": ("Contrato de Compra e Venda", "Fatura Proforma"),
    "zh-hans": ("销售合同", "形式发票"),
}


@pytest.fixture(scope="session")
def compiled_catalogues():
    """The shipped catalogues compiled (``make`` does it with compilemessages; a targeted
    pytest run may not have), and Django's translation cache emptied so it reads them."""
    for po in Path(settings.BASE_DIR, "locale").glob("*/LC_MESSAGES/django.po"):
        mo = po.with_suffix(".mo")
        if not mo.exists() or mo.stat().st_mtime < po.stat().st_mtime:
            subprocess.run(["msgfmt", "--check-format", "-o", str(mo), str(po)], check=True)
    trans_real._translations = {}
    trans_real._default = None


def _pdf_text(data: bytes) -> str:
    """pdftotext's reading (CJK included), whitespace and narrow spaces normalised."""
    text = subprocess.run(
        ["pdftotext", "-enc", "UTF-8", "-", "-"], input=data, capture_output=True, check=True
    ).stdout.decode()
    return " ".join(text.replace("\u00a0", " ").replace("\u202f", " ").split())


def _pdf_lang(data: bytes) -> str:
    return str(PdfReader(io.BytesIO(data)).trailer["/Root"].get("/Lang"))


def _money(value: Decimal, language: str, currency: str = "EUR") -> str:
    text = format_money(value, currency=currency, locale=babel_locale(language))
    return " ".join(text.replace("\u00a0", " ").replace("\u202f", " ").split())


def german_contract(rep):
    """A confirmed contract with a German buyer whose contact reads German."""
    return confirmed_contract(owner=rep, contact_language="de")


def _buyer_language(contract, language: str) -> None:
    Contact.objects.filter(pk=contract.quote.contact_id).update(language=language)


# ------------------------------------------------------------------ documents per language


@pytest.mark.parametrize("language", sorted(HEADINGS))
def test_contract_and_proforma_pdfs_in_the_buyers_language_and_number_format(rep, language):
    contract = german_contract(rep)
    _buyer_language(contract, language)
    contract_heading, proforma_heading = HEADINGS[language]

    data = document_pdf(CONTRACT_TEMPLATE, contract_document(contract))
    text = _pdf_text(data)
    assert contract_heading in text and contract.number in text
    assert _money(contract.total_amount, language) in text  # the locale's format, EUR kept
    assert "CIF Hamburg" in text  # the Incoterm is never translated
    assert _pdf_lang(data) == language  # <html lang> reaches the PDF

    deposit = contract.proformas.get()
    data = document_pdf(PROFORMA_TEMPLATE, proforma_document(deposit))
    text = _pdf_text(data)
    assert proforma_heading in text and deposit.number in text
    assert _money(deposit.amount, language) in text
    assert _pdf_lang(data) == language


def test_german_contract_reads_german_throughout(rep):
    contract = german_contract(rep)  # the German buyer's contact reads German
    text = _pdf_text(document_pdf(CONTRACT_TEMPLATE, contract_document(contract)))
    assert "Kaufvertrag" in text and "Verkäufer" in text and "Käufer" in text
    assert "Ursprungszeugnis" in text and "Volksrepublik China" in text  # documents, origin
    assert "30% T/T" not in text and "30 % per T/T im Voraus" in text
    assert "178.726,92 €" in text  # 1.234,56 €: German separators, the euro sign after
    assert "Sales contract" not in text


def test_a_language_we_do_not_ship_falls_back_to_english(rep):
    contract = german_contract(rep)
    _buyer_language(contract, "nl")  # Dutch: no catalogue
    text = _pdf_text(document_pdf(CONTRACT_TEMPLATE, contract_document(contract)))
    assert "Sales contract" in text and "EUR 178,726.92" in text


def test_bilingual_labels_print_english_beneath(rep, monkeypatch):
    contract = german_contract(rep)
    if any(f.name == "bilingual_labels" for f in Quote._meta.fields):  # the quote's option
        Quote.objects.filter(pk=contract.quote_id).update(bilingual_labels=True)
        contract = SalesContract.objects.get(pk=contract.pk)
    else:
        monkeypatch.setattr(Quote, "bilingual_labels", True, raising=False)
    text = _pdf_text(document_pdf(CONTRACT_TEMPLATE, contract_document(contract)))
    assert "Kaufvertrag" in text and "Sales contract" in text


# ------------------------------------------------------------------ grade names


def test_grade_with_a_german_name_prints_it_and_the_untranslated_one_prints_english(
    rep, rep_client, rep_api
):
    Product.objects.filter(code="MG9990").update(
        name_de="Magnesiumbarren 99,90 %", form_de="Barren", packaging_de="Bündel zu 1 t"
    )
    contract = german_contract(rep)
    text = _pdf_text(document_pdf(CONTRACT_TEMPLATE, contract_document(contract)))
    assert "Magnesiumbarren 99,90 %" in text
    assert "AZ91D alloy ingot" in text  # no German name: the English one

    gaps = quote_selectors.translation_gaps(quote=contract.quote, language="de")
    assert any("grade AZ91D" in gap and "German" in gap for gap in gaps)
    assert not any("MG9990" in gap for gap in gaps)

    page = rep_client.get(f"/quotes/{contract.quote.pk}/").content.decode()
    assert "No German name" in page and "grade AZ91D" in page

    response = rep_api.get(f"/api/v1/quotes/{contract.quote.pk}/translation-gaps/?language=de")
    assert response.status_code == 200
    assert response.json()["language"] == "de"
    assert any("grade AZ91D" in gap for gap in response.json()["gaps"])
    english = rep_api.get(f"/api/v1/quotes/{contract.quote.pk}/translation-gaps/?language=en")
    assert english.json() == {"language": "en", "gaps": []}
    assert (
        rep_api.get(f"/api/v1/quotes/{contract.quote.pk}/translation-gaps/?language=xx").status_code
        == 400
    )


def test_send_dialogs_gap_partial_follows_the_chosen_language(rep, rep_client):
    contract = german_contract(rep)
    url = f"/quotes/{contract.quote.pk}/translation-gaps/"
    german = rep_client.get(url, {"language": "de"}).content.decode()
    assert "Sent in German" in german and "grade AZ91D" in german
    japanese = rep_client.get(url, {"language": "ja"}, HTTP_HX_REQUEST="true").content.decode()
    assert "Sent in Japanese" in japanese and 'id="status"' in japanese  # announced
    assert "Sent in" not in rep_client.get(url, {"language": "en"}).content.decode()


def test_renaming_a_grade_after_the_contract_leaves_its_documents_alone(rep):
    Product.objects.filter(code="MG9990").update(name_de="Magnesiumbarren 99,90 %")
    contract = german_contract(rep)
    Product.objects.filter(code="MG9990").update(name_de="Reinmagnesium")
    text = _pdf_text(document_pdf(CONTRACT_TEMPLATE, contract_document(contract)))
    assert "Magnesiumbarren 99,90 %" in text and "Reinmagnesium" not in text


# ------------------------------------------------------------------ terms and bank snapshot


@pytest.fixture
def cif_template(db):
    return TermsTemplate.objects.create(
        name="Standard CIF",
        governing_law_en="Laws of the PRC; disputes to CIETAC, Beijing.",
        governing_law_de="Recht der VR China; Streitigkeiten vor der CIETAC, Peking.",
        quality_claims_en="The seller's certificate of analysis governs.",
    )


def _quote_with(template, rep):
    customer = german_buyer(owner=rep, status="prospect", contact_language="de")
    return quote_services.quote_create(
        customer=customer,
        by=rep,
        terms=quote_services.QuoteTerms(
            incoterm="CIF",
            destination_port="DEHAM",
            origin_port="CNTXG",
            currency="EUR",
            contact=customer.contacts.first(),
            terms_template=template,
            lines=[{"product": "MG9990", "quantity_mt": "50", "discount_percent": "0"}],
        ),
    )


def test_terms_snapshot_keeps_every_language_and_ignores_later_template_edits(rep, cif_template):
    quote = _quote_with(cif_template, rep)
    TermsTemplate.objects.filter(pk=cif_template.pk).update(
        governing_law_en="Laws of England.", governing_law_de="Englisches Recht."
    )
    quote.refresh_from_db()
    german = terms_in_language(quote.commercial_terms, "de")
    assert german["governing_law"].startswith("Recht der VR China")
    assert german["quality_claims"] == "The seller's certificate of analysis governs."  # fallback
    assert terms_in_language(quote.commercial_terms, "en")["governing_law"].startswith(
        "Laws of the PRC"
    )
    # what a German send freezes into the sent document
    printed = quote_pdf_context(quote, draft=False, language="de")["commercial_terms"]
    assert printed["governing_law"].startswith("Recht der VR China")

    gaps = quote_selectors.translation_gaps(quote=quote, language="de")
    assert "No German text for terms template “Standard CIF”; English will be sent." in gaps
    assert not quote_selectors.translation_gaps(quote=quote, language="en")


def test_new_templates_default_clauses_are_in_every_language(db):
    template = TermsTemplate.objects.create(name="Defaults")
    assert template.validity_en == "Subject to prior sale and our final confirmation."
    assert template.validity_de.startswith("Zwischenverkauf vorbehalten")
    assert template.insurance_clause_ja.startswith("売主がインボイス金額の110%")


def test_bank_instructions_print_in_the_buyers_language_and_the_gap_is_listed(rep):
    account = BankAccount.objects.get(currency="EUR", is_default=True)
    account.instructions_en = "Quote the proforma number as the payment reference."
    account.instructions_de = "Bitte die Proformanummer als Verwendungszweck angeben."
    account.save()
    contract = german_contract(rep)
    deposit = contract.proformas.get()
    text = _pdf_text(document_pdf(PROFORMA_TEMPLATE, proforma_document(deposit)))
    assert "Bitte die Proformanummer als Verwendungszweck angeben." in text
    text = _pdf_text(document_pdf(PROFORMA_TEMPLATE, proforma_document(deposit, language="tr")))
    assert "Quote the proforma number as the payment reference." in text  # no Turkish: English
    quote = _quote_with(None, rep)
    assert any(
        "No Turkish payment instructions" in gap
        for gap in quote_selectors.translation_gaps(quote=quote, language="tr")
    )


# ------------------------------------------------------------------ sending and the worker


def test_rep_chooses_the_contract_language_and_an_unknown_one_is_refused(rep):
    contract = german_contract(rep)
    contract = order_services.contract_send(contract=contract, by=rep, language="ja")
    assert contract.delivery.document["language"] == "ja"
    deposit = contract.proformas.get()
    with pytest.raises(ValidationError) as refused:
        order_services.proforma_send(proforma=deposit, by=rep, language="xx")
    assert "language" in refused.value.message_dict


def test_contract_send_api_takes_a_language(rep, rep_api):
    contract = german_contract(rep)
    bad = rep_api.post(f"/api/v1/contracts/{contract.pk}/send/", {"language": "xx"}, format="json")
    assert bad.status_code == 400 and "language" in bad.json()
    ok = rep_api.post(f"/api/v1/contracts/{contract.pk}/send/", {"language": "tr"}, format="json")
    assert ok.status_code == 202
    contract.refresh_from_db()
    assert contract.delivery.document["language"] == "tr"


def test_document_renders_in_its_language_whatever_the_process_language(rep):
    contract = german_contract(rep)
    document = contract_document(contract, language="ko")
    with translation.override("ja"):  # the worker's (or a request's) ambient language
        text = _pdf_text(document_pdf(CONTRACT_TEMPLATE, document))
    assert "매매계약서" in text and "売買契約書" not in text


def test_export_render_task_uses_its_language_argument_not_the_workers(rep, manager, monkeypatch):
    qc = UserFactory(username="qc", role=Role.QC, first_name="Hu", last_name="Jing")
    grade_limits()
    contract = pay_deposit(german_contract(rep), rep)
    shipment = _loaded(contract, rep, manager, qc)
    queued = []
    monkeypatch.setattr(
        "quotes.sending.enqueue.queue_task", lambda name, *args: queued.append((name, args))
    )
    from django.test import TestCase

    with TestCase.captureOnCommitCallbacks(execute=True):
        xd.shipment_documents_issue(shipment=shipment, by=rep)
    invoice = ExportDocument.objects.get(
        shipment=shipment, kind=ExportDocumentKind.COMMERCIAL_INVOICE
    )
    assert invoice.document["language"] == "de"  # the buyer's, frozen with the content
    assert (xd.RENDER_TASK, (invoice.pk, "de")) in queued  # the task is given it

    with translation.override("ja"):  # the worker process speaks another language
        export_document_render_task(invoice.pk, "tr")
    invoice.refresh_from_db()
    text = _pdf_text(xd.export_document_pdf(invoice))
    assert "Ticari fatura" in text and "商業送り状" not in text


# ------------------------------------------------------------------ admin


def test_admin_groups_each_languages_texts_and_requires_the_english_name(client, admin_user):
    client.force_login(admin_user)
    product = Product.objects.get(code="MG9990")
    page = client.get(f"/admin/products/product/{product.pk}/change/").content.decode()
    assert "German (Deutsch)" in page and 'name="name_de"' in page and 'name="packaging_ja"' in page
    assert 'name="name_en"' in page and 'name="name"' not in page
    template = TermsTemplate.objects.create(name="Plain")
    page = client.get(f"/admin/quotes/termstemplate/{template.pk}/change/").content.decode()
    assert 'name="governing_law_tr"' in page and "Turkish (Türkçe)" in page
    account = BankAccount.objects.get(currency="EUR", is_default=True)
    page = client.get(f"/admin/quotes/bankaccount/{account.pk}/change/").content.decode()
    assert 'name="instructions_zh_hans"' in page


@pytest.mark.skipif(
    not any(f.name == "language" for f in QuoteDelivery._meta.fields),
    reason="QuoteDelivery.language comes with the quote's send in the buyer's language",
)
def test_contract_documents_follow_the_language_the_quote_was_sent_in(rep):
    contract = german_contract(rep)  # the contact reads German
    QuoteDelivery.objects.create(quote=contract.quote, document={}, language="ko")
    assert contract_language(contract) == "ko"
    assert contract_document(contract)["language"] == "ko"


def test_quote_document_prints_the_grades_name_in_the_language_it_is_rendered_in(rep):
    Product.objects.filter(code="MG9990").update(name_ja="マグネシウム地金 99.90%")
    quote = _quote_with(None, rep)
    # the send builds and freezes the document in the buyer's language
    japanese = quote_pdf_context(quote, draft=False, language="ja")
    assert japanese["lines"][0]["name"] == "マグネシウム地金 99.90%"
    korean = quote_pdf_context(quote, draft=False, language="ko")  # no Korean name: English
    assert korean["lines"][0]["name"] == "Magnesium ingot 99.90%"


def test_the_standard_document_names_print_in_the_buyers_language(rep, cif_template):
    """The template stores the names of the documents to be supplied in English; the quote
    prints the standard ones through the catalogues and an admin's own name as written."""
    TermsTemplate.objects.filter(pk=cif_template.pk).update(
        documents=["Commercial invoice", "Packing list", "Mill test report (Werkszeugnis)"]
    )
    cif_template.refresh_from_db()
    quote = _quote_with(cif_template, rep)
    context = quote_pdf_context(quote, draft=False, language="de")
    text = _pdf_text(document_render(context, language="de"))
    assert "Handelsrechnung" in text and "Packliste" in text
    assert "Commercial invoice" not in text
    assert "Mill test report (Werkszeugnis)" in text
