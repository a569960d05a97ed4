"""Quote pages: list with filters and stats, builder, quote page and its actions, approval
queue, the customer page and My day panels. Visibility and query counts included."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from customers.models import Customer
from products.models import TariffRule
from quotes import services, versions
from quotes.models import Quote, QuoteStatus
from tests.customers.factories import CustomerFactory
from tests.quotes.factories import german_buyer, quote_for

S = QuoteStatus
pytestmark = pytest.mark.usefixtures("worked_example_data")


@pytest.fixture
def customer(rep):
    return german_buyer(owner=rep, name="Kurpfalz Druckguss GmbH")


@pytest.fixture
def draft(customer):
    return quote_for(customer=customer)


def sent(quote):
    return services.quote_mark_sent(quote=quote, by=quote.owner)


def builder_post(customer, **extra):
    data = {
        "contact": customer.contacts.get().pk,
        "payment_terms": "T/T 30/70",
        "valid_until": "",
        "lead_time": "3 weeks",
        "packaging_notes": "",
        "terms": "",
        "incoterm": "CIF",
        "destination_port": "DEHAM",
        "currency": "EUR",
        "origin_port": "CNTXG",
        "quote_date": timezone.localdate().isoformat(),
        "insurance_rate_percent": "0.15",
        "tariff_absorption_percent": "0",
        "lines-TOTAL_FORMS": "2",
        "lines-INITIAL_FORMS": "0",
        "lines-0-product": "MG9990",
        "lines-0-quantity_mt": "50",
        "lines-0-unit_price_usd_per_mt": "",
        "lines-0-discount_percent": "2",
        "lines-1-product": "AZ91D",
        "lines-1-quantity_mt": "20",
        "lines-1-unit_price_usd_per_mt": "",
        "lines-1-discount_percent": "",
        "save": "1",
    }
    data.update(extra)
    return data


# ------------------------------------------------------------------ visibility


@pytest.mark.parametrize("name", ["quotes:list", "quotes:create", "quotes:approvals"])
def test_anonymous_is_sent_to_sign_in(client, name):
    response = client.get(reverse(name))
    assert response.status_code == 302 and "/accounts/login/" in response.url


def test_rep_gets_404_for_another_reps_quote_pages(other_rep, rep_client):
    theirs = quote_for(customer=german_buyer(owner=other_rep))
    for name in ("detail", "edit", "clone"):
        assert rep_client.get(reverse(f"quotes:{name}", args=[theirs.pk])).status_code == 404
    for name in ("submit", "approve", "return", "revise", "accept", "reject", "reprice", "clone"):
        assert rep_client.post(reverse(f"quotes:{name}", args=[theirs.pk])).status_code == 404
    response = rep_client.get(reverse("quotes:create") + f"?customer={theirs.customer_id}")
    assert response.status_code == 404


def test_actions_are_post_only(rep_client, draft):
    assert rep_client.get(reverse("quotes:submit", args=[draft.pk])).status_code == 405


def test_rep_list_shows_only_their_quotes_manager_all(
    rep_client, other_rep, draft, client, manager
):
    theirs = quote_for(customer=german_buyer(owner=other_rep, name="Fremdkunde AG"))
    body = rep_client.get(reverse("quotes:list")).content.decode()
    assert draft.number in body and theirs.number not in body
    client.force_login(manager)
    body = client.get(reverse("quotes:list")).content.decode()
    assert draft.number in body and theirs.number in body


def test_amounts_show_in_the_currencys_minor_units_on_list_and_quote_pages(
    rep_client, customer, draft
):
    """Quote-currency amounts are formatted like the PDF (whole yen), the same on every page."""
    Quote.objects.filter(pk=draft.pk).update(
        currency="JPY",
        total_quote_currency=Decimal("1234567.50"),
        total_quantity_mt=Decimal("1250"),
        total_usd=Decimal("8432.1"),
    )
    nbsp = "\u00a0"
    row = rep_client.get(reverse("quotes:list")).content.decode()
    assert f"JPY{nbsp}1,234,568" in row and "1,234,567.50" not in row
    assert "1,250.000" in row and "8,432.10" in row
    detail = rep_client.get(reverse("quotes:detail", args=[draft.pk])).content.decode()
    assert f"JPY{nbsp}1,234,568" in detail
    on_customer = rep_client.get(reverse("customers:detail", args=[customer.pk]))
    assert f"JPY{nbsp}1,234,568" in on_customer.content.decode()


def test_manager_can_narrow_to_their_own(manager_client, manager, draft):
    own = quote_for(customer=german_buyer(owner=manager))
    body = manager_client.get(reverse("quotes:list") + "?scope=mine").content.decode()
    assert own.number in body and draft.number not in body


def test_list_filters_and_search(rep_client, rep, draft):
    spain = german_buyer(owner=rep, name="Fundiciones Ibéricas SA", country="ES")
    es_quote = quote_for(customer=spain)
    page = reverse("quotes:list")

    def numbers(query):
        return {q.number for q in rep_client.get(f"{page}?{query}").context["quotes"]}

    assert numbers("search=ibéricas") == {es_quote.number}
    assert numbers(f"search={draft.number}") == {draft.number}
    assert numbers(f"customer={draft.customer_id}") == {draft.number}
    assert numbers("status=sent") == set()
    assert numbers("product=AZ91D&region=europe") == {draft.number, es_quote.number}
    assert numbers("expiring_within_days=3") == set()
    assert numbers("expiring_within_days=7") == {draft.number, es_quote.number}


def test_region_filter_reads_the_quotes_own_region(rep_client, rep, draft):
    """The filter uses the region copied onto the quote, not the customer's current one."""
    page = reverse("quotes:list")

    def numbers(query):
        return {q.number for q in rep_client.get(f"{page}?{query}").context["quotes"]}

    assert numbers("region=europe") == {draft.number}
    Customer.objects.filter(pk=draft.customer_id).update(country="JP", region="east_asia")
    assert numbers("region=europe") == {draft.number}
    assert numbers("region=east_asia") == set()
    Quote.objects.filter(pk=draft.pk).update(region="east_asia")
    assert numbers("region=east_asia") == {draft.number}


def test_quick_stats_count_open_value_and_this_weeks_expiries(rep_client, customer, draft):
    later = quote_for(customer=customer, valid_until=timezone.localdate() + timedelta(days=30))
    accepted = quote_for(customer=customer)
    sent(accepted)
    services.quote_accept(quote=accepted, by=customer.owner)
    stats = rep_client.get(reverse("quotes:list")).context["stats"]
    assert stats.open_count == 2
    assert stats.open_value_usd == draft.total_usd + later.total_usd
    assert stats.expiring_this_week == 1


def _count(client, url):
    client.get(url)
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return len(ctx.captured_queries)


def test_list_page_query_count_does_not_grow_with_rows(manager_client, rep, customer):
    quote_for(customer=customer)
    few = _count(manager_client, reverse("quotes:list"))
    for _ in range(6):
        quote_for(customer=CustomerFactory(owner=rep))
    small_page = _count(manager_client, reverse("quotes:list") + "?region=europe&page_size=3")
    assert len(manager_client.get(reverse("quotes:list") + "?page_size=3").context["quotes"]) == 3
    big_page = _count(manager_client, reverse("quotes:list") + "?region=europe&page_size=200")
    assert few == small_page == big_page <= 13  # incl. session, perms and session save


# ------------------------------------------------------------------ builder


def test_builder_starts_from_the_customers_defaults(rep_client, customer):
    response = rep_client.get(reverse("quotes:create") + f"?customer={customer.pk}")
    assert response.status_code == 200
    terms, header = response.context["terms"], response.context["header"]
    assert terms["incoterm"].value() == "CIF"
    assert terms["destination_port"].value() == "DEHAM"
    assert terms["currency"].value() == "EUR"
    assert header["contact"].value() == customer.contacts.get().pk
    assert header["payment_terms"].value() == customer.payment_terms
    assert 'hx-post="/quotes/calculator/preview/"' in response.content.decode()


def test_builder_prices_a_line_by_its_term_price_and_keeps_the_buyers_reference(
    rep_client, customer
):
    data = builder_post(
        customer,
        **{"lines-0-term_price_per_mt": "2390", "buyer_reference": "ENQ-2026-118"},
    )
    response = rep_client.post(reverse("quotes:create") + f"?customer={customer.pk}", data)
    quote = Quote.objects.get()
    assert response.status_code == 302
    first = quote.lines.order_by("position").first()
    assert first.term_price_per_mt == Decimal("2390.00")
    assert first.unit_price_usd_per_mt < Decimal("2390") / quote.fx_rate  # the derived FOB
    assert quote.buyer_reference == "ENQ-2026-118"
    edit = rep_client.get(reverse("quotes:edit", args=[quote.pk])).content.decode()
    assert 'value="2390.00"' in edit and 'value="ENQ-2026-118"' in edit
    page = rep_client.get(response.url).content.decode()
    assert "2,390.00" in page  # the quote currency beside USD


def test_new_quote_without_customer_offers_a_search(rep_client, customer, other_rep):
    german_buyer(owner=other_rep, name="Kurpfalz Fremd GmbH")
    response = rep_client.get(reverse("quotes:create") + "?q=kurpfalz")
    assert [c.pk for c in response.context["customers"]] == [customer.pk]


def test_builder_saves_a_two_line_draft(rep_client, customer):
    response = rep_client.post(
        reverse("quotes:create") + f"?customer={customer.pk}", builder_post(customer)
    )
    quote = Quote.objects.get()
    assert response.status_code == 302 and response.url == reverse("quotes:detail", args=[quote.pk])
    assert quote.status == S.DRAFT and quote.lead_time == "3 weeks"
    assert [line.product_code for line in quote.lines.all()] == ["MG9990", "AZ91D"]
    page = rep_client.get(response.url).content.decode()
    assert "MFN duty · EU · EU TARIC 810411 (example)" in page
    assert "Landed cost per MT" in page and "CIF basis" in page


def test_builder_shows_errors_inline_and_saves_nothing(rep_client, customer):
    data = builder_post(customer, **{"lines-1-quantity_mt": "-3", "destination_port": "USHOU"})
    response = rep_client.post(reverse("quotes:create") + f"?customer={customer.pk}", data)
    assert response.status_code == 200 and not Quote.objects.exists()
    body = response.content.decode()
    assert 'id="id_lines-1-quantity_mt_error"' in body and "errorlist" in body
    assert (
        'aria-invalid="true"' in body and 'aria-describedby="id_lines-1-quantity_mt_error"' in body
    )
    assert 'id="error-summary"' in body and 'href="#id_lines-1-quantity_mt"' in body


def test_builder_adds_and_removes_lines_keeping_the_header(rep_client, customer):
    url = reverse("quotes:create") + f"?customer={customer.pk}"
    data = builder_post(customer, add_line="1")
    del data["save"]
    response = rep_client.post(url, data)
    assert response.context["lines"].total_form_count() == 3
    assert response.context["header"]["lead_time"].value() == "3 weeks"
    data = builder_post(customer, remove_line="0")
    del data["save"]
    response = rep_client.post(url, data)
    assert [f["product"].value() for f in response.context["lines"]] == ["AZ91D"]
    assert not Quote.objects.exists()


def test_edit_an_approved_quote_voids_the_approval(rep_client, manager, customer):
    quote = quote_for(customer=customer, discount="5")
    services.quote_submit_for_approval(quote=quote, by=customer.owner)
    services.quote_approve(quote=quote, by=manager)
    page = rep_client.get(reverse("quotes:edit", args=[quote.pk]))
    assert page.context["lines"].total_form_count() == 2
    assert "needs approval again" in page.content.decode()
    data = builder_post(customer, **{"lines-0-discount_percent": "5", "lead_time": "2 weeks"})
    rep_client.post(reverse("quotes:edit", args=[quote.pk]), data)
    quote.refresh_from_db()
    assert quote.status == S.DRAFT and quote.approved_by is None and quote.lead_time == "2 weeks"


def test_a_sent_quote_cannot_be_edited(rep_client, draft):
    sent(draft)
    response = rep_client.get(reverse("quotes:edit", args=[draft.pk]))
    assert response.status_code == 302 and response.url == reverse("quotes:detail", args=[draft.pk])


# ------------------------------------------------------------------ quote page and actions


def _actions(client, quote):
    return client.get(reverse("quotes:detail", args=[quote.pk])).context["allowed"]


def test_quote_page_offers_only_what_the_state_allows(rep_client, customer, draft):
    allowed = _actions(rep_client, draft)
    assert allowed["edit"] and allowed["send"] and not allowed["submit"]
    assert not allowed["revise"] and not allowed["decide"] and not allowed["approve"]
    discounted = quote_for(customer=customer, discount="5")
    allowed = _actions(rep_client, discounted)
    assert allowed["submit"] and not allowed["send"]
    sent(draft)
    allowed = _actions(rep_client, draft)
    assert allowed["revise"] and allowed["decide"] and not allowed["edit"]


def test_submit_then_manager_approves_from_the_queue(rep_client, client, manager, customer):
    quote = quote_for(customer=customer, discount="5")
    rep_client.post(reverse("quotes:submit", args=[quote.pk]))
    assert Quote.objects.get(pk=quote.pk).status == S.PENDING_APPROVAL
    assert rep_client.get(reverse("quotes:approvals")).status_code == 403
    assert rep_client.post(reverse("quotes:approve", args=[quote.pk])).status_code == 403
    client.force_login(manager)
    queue = client.get(reverse("quotes:approvals"))
    assert [q.pk for q in queue.context["quotes"]] == [quote.pk]
    assert "discount 5.00 %, above the 3 % threshold" in queue.content.decode()
    response = client.post(
        reverse("quotes:approve", args=[quote.pk]),
        {"comment": "OK for 500 MT/yr", "next": reverse("quotes:approvals")},
    )
    assert response.url == reverse("quotes:approvals")
    quote.refresh_from_db()
    assert quote.status == S.APPROVED and quote.approved_by == manager


def test_manager_cannot_approve_own_quote_on_the_page(manager_client, manager):
    quote = quote_for(customer=german_buyer(owner=manager), discount="5")
    services.quote_submit_for_approval(quote=quote, by=manager)
    page = manager_client.get(reverse("quotes:detail", args=[quote.pk]))
    assert not page.context["allowed"]["approve"] and page.context["allowed"]["own_pending"]
    response = manager_client.post(reverse("quotes:approve", args=[quote.pk]), follow=True)
    assert "cannot approve your own quote" in response.content.decode()
    assert Quote.objects.get(pk=quote.pk).status == S.PENDING_APPROVAL


def test_return_needs_a_comment(manager_client, customer):
    quote = quote_for(customer=customer, discount="5")
    services.quote_submit_for_approval(quote=quote, by=customer.owner)
    response = manager_client.post(reverse("quotes:return", args=[quote.pk]), follow=True)
    assert "Say what needs to change." in response.content.decode()
    manager_client.post(reverse("quotes:return", args=[quote.pk]), {"comment": "3 % max"})
    quote.refresh_from_db()
    assert quote.status == S.DRAFT and quote.approval_comment == "3 % max"


def test_accept_and_reject_on_the_buyers_behalf(rep_client, customer, draft):
    sent(draft)
    rep_client.post(reverse("quotes:accept", args=[draft.pk]), {"buyer_name": "A. Beispiel"})
    draft.refresh_from_db()
    assert draft.status == S.ACCEPTED and draft.accepted_by_name == "A. Beispiel"
    other = quote_for(customer=customer)
    sent(other)
    rep_client.post(
        reverse("quotes:reject", args=[other.pk]),
        {
            "reason": services.RejectionReason.objects.get(code="lost_to_competitor").pk,
            "competitor": "Anatolia Metals",
            "competitor_origin": "TR",
            "competitor_price_usd_per_mt": "2380",
        },
    )
    other.refresh_from_db()
    assert other.status == S.REJECTED and other.competitor_price_usd_per_mt == Decimal("2380")
    page = rep_client.get(reverse("quotes:detail", args=[other.pk])).content.decode()
    assert "Anatolia Metals (TR)" in page and "Lost to competitor" in page


def test_revise_shows_the_new_version_with_a_diff(rep_client, admin_user, draft):
    sent(draft)
    TariffRule.objects.filter(hs_prefix="810411").update(rate_percent=Decimal("6.5"))
    response = rep_client.post(reverse("quotes:revise", args=[draft.pk]))
    new = Quote.objects.get(number=draft.number, version=2)
    assert response.url == reverse("quotes:detail", args=[new.pk])
    page = rep_client.get(response.url)
    versions = page.context["versions"]
    assert [v.quote.version for v in versions] == [2, 1]
    labels = {c.label for c in versions[0].diff.fields}
    assert {"Duty rules", "Duties (USD)", "Landed cost per MT (USD)"} <= labels
    assert "mfn 5.30 % (CIF)" in page.content.decode()


def test_clone_to_another_customer_from_the_page(rep_client, rep, draft):
    other = german_buyer(owner=rep, name="Zweitkunde Leichtbau GmbH")
    picker = rep_client.get(reverse("quotes:clone", args=[draft.pk]) + "?q=zweitkunde")
    assert [c.pk for c in picker.context["customers"]] == [other.pk]
    response = rep_client.post(reverse("quotes:clone", args=[draft.pk]), {"customer": other.pk})
    new = Quote.objects.get(customer=other)
    assert response.url == reverse("quotes:detail", args=[new.pk]) and new.status == S.DRAFT


def test_activity_log_lists_every_event(rep_client, draft):
    sent(draft)
    events = list(rep_client.get(reverse("quotes:detail", args=[draft.pk])).context["events"])
    assert [e.action for e in events] == ["created", "sent"]


# ------------------------------------------------------------------ version diff (unit)


def test_version_diff_names_changed_fields_and_lines(rep, draft):
    sent(draft)
    new = services.quote_revise(quote=draft, by=rep)
    terms = services.QuoteTerms.from_quote(new)
    terms.lines = [{"product": "MG9990", "quantity_mt": "60"}]
    terms.lead_time = "2 weeks"
    new = services.quote_update(quote=new, by=rep, terms=terms)
    diff = versions.quote_version_diff(draft, new)
    labels = {c.label: c for c in diff.fields}
    assert labels["Lead time"].new == "2 weeks"
    assert labels["Total quantity (MT)"].old == Decimal("70.000")
    kinds = {(line.product, line.kind) for line in diff.lines}
    assert kinds == {("MG9990", "changed"), ("AZ91D", "removed")}
    mg = next(line for line in diff.lines if line.product == "MG9990")
    assert {"Quantity (MT)", "Goods value (USD)"} <= {c.label for c in mg.changes}
    assert not versions.quote_version_diff(draft, draft).changed


# ------------------------------------------------------------------ other apps' pages


def test_customer_page_has_new_quote_and_its_quotes(rep_client, customer, draft):
    body = rep_client.get(reverse("customers:detail", args=[customer.pk])).content.decode()
    assert f"/quotes/new/?customer={customer.pk}" in body
    assert draft.number in body


def test_my_day_lists_my_quotes_expiring_soon(rep_client, customer, draft):
    later = quote_for(customer=customer, valid_until=timezone.localdate() + timedelta(days=30))
    body = rep_client.get(reverse("customers:my_day")).content.decode()
    assert draft.reference in body and later.reference not in body
