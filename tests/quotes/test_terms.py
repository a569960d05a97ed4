"""Commercial terms: bank accounts (moved from orders to quotes) and terms templates."""

from datetime import timedelta

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from quotes import services
from quotes.models import BankAccount, CustomerTermsDefault, PaymentMethod, TermsTemplate
from tests.orders.factories import BankAccountFactory
from tests.quotes.factories import german_buyer, quote_for

URL = "/api/v1/quotes/"
LINES = [{"product": "MG9990", "quantity_mt": "50"}, {"product": "AZ91D", "quantity_mt": "20"}]

BEFORE = [("orders", "0002_document_delivery"), ("quotes", "0015_delivery_other_documents")]
AFTER = [("orders", "0003_bankaccount_moved_to_quotes"), ("quotes", "0016_bankaccount")]


@pytest.mark.django_db(transaction=True)
def test_moving_bank_accounts_to_quotes_keeps_the_rows_and_proforma_links():
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    old = executor.loader.project_state(BEFORE).apps
    account = old.get_model("orders", "BankAccount").objects.create(
        currency="EUR",
        beneficiary="Shanxi Magnesium Trading Co., Ltd.",
        bank_name="Bank of China Frankfurt",
        swift="BKCHDEFF",
        account="DE89 3704 0044 0532 0130 00",
        is_default=True,
    )

    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(AFTER)
    new = executor.loader.project_state(AFTER).apps
    moved = new.get_model("quotes", "BankAccount").objects.get(pk=account.pk)
    assert (moved.currency, moved.account, moved.is_default) == (
        "EUR",
        "DE89 3704 0044 0532 0130 00",
        True,
    )
    proforma_fk = new.get_model("orders", "Proforma")._meta.get_field("bank_account")
    assert proforma_fk.related_model._meta.label == "quotes.BankAccount"

    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())
    assert BankAccount.objects.get(pk=account.pk).bank_name == "Bank of China Frankfurt"


# ------------------------------------------------------------------ terms templates


@pytest.fixture
def tt_template(db):
    return TermsTemplate.objects.create(
        name="T/T 30/70 against B/L copy",
        payment_method=PaymentMethod.TT,
        advance_percent="30",
        shipment_period="Within 30 days after receipt of the deposit",
        latest_shipment_days=45,
        transhipment_allowed=False,
        quality_claims="The seller's certificate of analysis governs; claims within 30 days.",
        governing_law="Laws of the PRC; arbitration by CIETAC, Beijing.",
    )


@pytest.fixture
def lc_template(db):
    return TermsTemplate.objects.create(
        name="L/C at sight",
        payment_method=PaymentMethod.LC_SIGHT,
        lc_issuing_bank="issued by a first-class bank acceptable to the seller",
    )


@pytest.fixture
def customer(rep):
    return german_buyer(owner=rep)


@pytest.mark.usefixtures("worked_example_data")
def test_a_new_quote_copies_the_customers_default_template_and_the_currencys_bank(
    customer, tt_template
):
    CustomerTermsDefault.objects.create(customer=customer, template=tt_template)
    BankAccountFactory(currency="USD", is_default=True, account="US-111")
    BankAccountFactory(currency="EUR", is_default=True, account="DE89 3704 0044 0532 0130 00")

    quote = quote_for(customer=customer)  # EUR, CIF

    terms = quote.commercial_terms
    assert quote.terms_template == tt_template
    assert terms["payment"] == (
        "30 % T/T in advance, the balance of 70 % by T/T against copy of B/L"
    )
    assert terms["latest_shipment_date"] == (quote.quote_date + timedelta(days=45)).isoformat()
    assert terms["transhipment"] == "not allowed" and terms["partial_shipments"] == "allowed"
    assert terms["quantity_tolerance"].startswith("± 5 %")
    assert "110 % of the invoice value" in terms["insurance"]
    assert "Certificate of origin" in terms["documents"]
    assert terms["bank"]["account"] == "DE89 3704 0044 0532 0130 00"


@pytest.mark.usefixtures("worked_example_data")
def test_the_insurance_clause_is_left_out_of_an_fob_quote(customer, tt_template):
    quote = quote_for(customer=customer, incoterm="FOB", terms_template=tt_template)
    assert quote.commercial_terms["insurance"] == ""


@pytest.mark.usefixtures("worked_example_data")
def test_editing_a_template_later_never_changes_a_sent_quote(customer, tt_template):
    quote = quote_for(customer=customer, terms_template=tt_template)
    quote = services.quote_mark_sent(quote=quote, by=quote.owner)
    tt_template.advance_percent = "50"
    tt_template.governing_law = "Something else"
    tt_template.save()

    quote.refresh_from_db()
    assert quote.commercial_terms["advance_percent"] == "30.00"
    assert quote.commercial_terms["governing_law"].startswith("Laws of the PRC")

    revised = services.quote_revise(quote=quote, by=quote.owner)
    assert revised.commercial_terms["advance_percent"] == "50.00"  # a revision re-reads it
    quote.refresh_from_db()
    assert quote.commercial_terms["governing_law"].startswith("Laws of the PRC")


@pytest.mark.usefixtures("worked_example_data")
def test_api_takes_a_template_id_and_returns_the_snapshot_read_only(rep_api, customer, lc_template):
    response = rep_api.post(
        URL,
        {
            "customer": customer.pk,
            "lines": LINES,
            "terms_template": lc_template.pk,
            "commercial_terms": {"payment": "free goods"},
        },
        format="json",
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["terms_template"] == lc_template.pk
    assert body["commercial_terms"]["payment"] == (
        "100 % by irrevocable L/C at sight, issued by a first-class bank acceptable to the seller"
    )

    changed = rep_api.patch(f"{URL}{body['id']}/", {"terms_template": None}, format="json")
    assert changed.status_code == 200, changed.json()
    assert "payment" not in changed.json()["commercial_terms"]  # no template, no default


@pytest.mark.usefixtures("worked_example_data")
def test_api_rejects_an_unknown_or_retired_template_with_400(rep_api, customer, lc_template):
    lc_template.active = False
    lc_template.save()
    for template_id in (lc_template.pk, 999999):
        response = rep_api.post(
            URL,
            {"customer": customer.pk, "lines": LINES, "terms_template": template_id},
            format="json",
        )
        assert response.status_code == 400
        assert "terms_template" in response.json()


# ------------------------------------------------------------------ the document and the page


@pytest.mark.usefixtures("worked_example_data")
def test_a_eur_quotes_pdf_prints_its_terms_and_the_eur_default_account(customer, tt_template):
    from quotes.documents.context import quote_pdf_context
    from quotes.documents.pdf import render_template_pdf
    from tests.quotes.test_pdf_render import one_line, pdf_text

    BankAccountFactory(currency="EUR", is_default=False, account="DE00 NOT THE DEFAULT")
    BankAccountFactory(currency="EUR", is_default=True, account="DE89 3704 0044 0532 0130 00")
    BankAccountFactory(currency="USD", is_default=True, account="USD-ACCOUNT-0001")
    quote = quote_for(customer=customer, terms_template=tt_template)

    text = one_line(pdf_text(render_template_pdf("pdf/quote.html", quote_pdf_context(quote))))

    assert "Bank details for payment in EUR" in text
    assert "DE89 3704 0044 0532 0130 00" in text
    assert "NOT THE DEFAULT" not in text and "USD-ACCOUNT-0001" not in text
    assert "30 % T/T in advance, the balance of 70 % by T/T against copy of B/L" in text
    assert "Transhipment Not allowed" in text
    assert "arbitration by CIETAC" in text
    assert "Certificate of analysis per lot" in text
    assert "Force majeure" not in text  # empty sections are left out


@pytest.mark.usefixtures("worked_example_data")
def test_a_quote_without_template_or_account_prints_no_terms_headings(customer):
    from quotes.documents.context import quote_pdf_context
    from quotes.documents.pdf import render_template_pdf
    from tests.quotes.test_pdf_render import pdf_text

    quote = quote_for(customer=customer)
    text = pdf_text(render_template_pdf("pdf/quote.html", quote_pdf_context(quote)))
    assert "Commercial terms" not in text and "Bank details" not in text


@pytest.mark.usefixtures("worked_example_data")
def test_builder_offers_the_templates_and_the_quote_page_shows_the_snapshot_and_bank(
    rep_client, customer, tt_template, lc_template
):
    from django.urls import reverse

    from quotes.models import Quote
    from tests.quotes.test_quote_pages import builder_post

    CustomerTermsDefault.objects.create(customer=customer, template=tt_template)
    BankAccountFactory(currency="EUR", is_default=True, account="DE89 3704 0044 0532 0130 00")
    form = rep_client.get(reverse("quotes:create") + f"?customer={customer.pk}").content.decode()
    assert '<label for="id_terms_template"' in form
    assert f'<option value="{tt_template.pk}" selected>' in form  # the customer's default

    response = rep_client.post(
        reverse("quotes:create") + f"?customer={customer.pk}",
        builder_post(customer, terms_template=str(lc_template.pk)),
    )
    quote = Quote.objects.get()
    assert response.status_code == 302 and quote.terms_template == lc_template

    page = rep_client.get(response.url).content.decode()
    assert "100 % by irrevocable L/C at sight" in page
    assert "DE89 3704 0044 0532 0130 00" in page


@pytest.mark.django_db
def test_demo_has_a_template_per_payment_style_and_its_quotes_carry_terms_and_bank():
    from django.core.management import call_command

    from quotes.models import Quote

    call_command("load_demo", verbosity=0)
    call_command("load_demo", verbosity=0)
    assert set(TermsTemplate.objects.values_list("payment_method", flat=True)) == {
        "tt",
        "lc_sight",
        "cad",
    }
    assert TermsTemplate.objects.count() == 4
    german = (
        Quote.objects.filter(customer__name="Schwabenguss Leichtmetall GmbH").order_by("pk").first()
    )
    assert german.currency == "EUR"
    assert german.commercial_terms["bank"]["account"] == "1047 2233 0188 4402"
    assert german.commercial_terms["payment"].startswith("30 % T/T in advance")
    lc_buyer = CustomerTermsDefault.objects.get(customer__name="Elbtal Aerostruktur AG")
    assert lc_buyer.template.payment_method == "lc_sight"
