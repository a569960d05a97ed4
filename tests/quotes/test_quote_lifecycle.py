from datetime import date, timedelta
from decimal import Decimal
from importlib import import_module

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from customers.models import Customer
from mgtrade.errors import StateConflict
from products import services as product_services
from products.models import Product, TariffRule
from quotes import services
from quotes.models import Quote, QuoteEvent, QuoteStatus, RejectionReason
from tests.accounts.factories import UserFactory
from tests.quotes.factories import german_buyer, quote_for

S = QuoteStatus
pytestmark = pytest.mark.usefixtures("worked_example_data")


@pytest.fixture
def customer(rep):
    return german_buyer(owner=rep)


@pytest.fixture
def draft(customer):
    return quote_for(customer=customer)


@pytest.fixture
def reason():
    return RejectionReason.objects.get(code="price")


def sent(quote):
    return services.quote_mark_sent(quote=quote, by=quote.owner)


# -------------------------------------------------------------- creation and numbering


def test_new_quote_is_a_numbered_priced_draft(draft, customer):
    year = timezone.localdate().year
    assert draft.number == f"Q-{year}-00001" and draft.version == 1
    assert draft.status == S.DRAFT
    assert draft.owner == customer.owner
    assert draft.destination_country == "DE"
    assert draft.valid_until == draft.quote_date + timedelta(days=7)
    assert [line.product_code for line in draft.lines.all()] == ["MG9990", "AZ91D"]
    assert draft.pricing["lines"][0]["duties"][0]["kind"] == "mfn"
    assert draft.total_usd == Decimal(draft.pricing["usd"]["quote_total"])
    assert draft.events.get().action == QuoteEvent.Action.CREATED


def test_numbers_are_sequential_and_never_reused(customer):
    first = quote_for(customer=customer)
    second = quote_for(customer=customer)
    assert int(second.number[-5:]) == int(first.number[-5:]) + 1


def test_bad_input_saves_nothing(customer):
    with pytest.raises(ValidationError) as exc:
        quote_for(customer=customer, quantity="-5")
    assert "lines[0].quantity_mt" in exc.value.message_dict
    assert not Quote.objects.exists()


def test_contact_must_belong_to_the_customer(customer, rep):
    other = german_buyer(owner=rep)
    with pytest.raises(ValidationError) as exc:
        services.quote_create(
            customer=customer,
            by=rep,
            terms=services.QuoteTerms(
                incoterm="CIF",
                destination_port="DEHAM",
                contact=other.contacts.first(),
                lines=[{"product": "MG9990", "quantity_mt": "10"}],
            ),
        )
    assert "contact" in exc.value.message_dict


# -------------------------------------------------------------- state machine

ALL = set(S.values)
LEGAL = {
    S.DRAFT: {S.PENDING_APPROVAL, S.SENT, S.SUPERSEDED},
    S.PENDING_APPROVAL: {S.APPROVED, S.DRAFT},
    S.APPROVED: {S.SENT, S.DRAFT},
    S.SENT: {S.ACCEPTED, S.REJECTED, S.EXPIRED, S.SUPERSEDED},
    S.EXPIRED: {S.SUPERSEDED},
    S.REJECTED: {S.SUPERSEDED},
    S.ACCEPTED: set(),
    S.SUPERSEDED: set(),
}


def test_transition_table_is_the_documented_state_machine():
    assert services.TRANSITIONS == LEGAL


def _move_to(target, quote, *, manager, reason):
    """The public service that moves a quote to ``target``."""
    return {
        S.PENDING_APPROVAL: lambda: services.quote_submit_for_approval(quote=quote, by=quote.owner),
        S.APPROVED: lambda: services.quote_approve(quote=quote, by=manager),
        S.DRAFT: lambda: services.quote_return(quote=quote, by=manager, comment="Max 2 %"),
        S.SENT: lambda: services.quote_mark_sent(quote=quote, by=quote.owner),
        S.ACCEPTED: lambda: services.quote_accept(quote=quote, buyer_name="Anna Beispiel"),
        S.REJECTED: lambda: services.quote_reject(quote=quote, reason=reason),
        S.SUPERSEDED: lambda: services.quote_revise(quote=quote, by=quote.owner),
    }[target]()


ILLEGAL = [(a, b) for a in LEGAL for b in ALL - LEGAL[a] - {a} if b != S.EXPIRED]


@pytest.mark.parametrize(("start", "target"), ILLEGAL)
def test_every_illegal_transition_is_refused_by_the_services(draft, manager, reason, start, target):
    Quote.objects.filter(pk=draft.pk).update(status=start)
    draft.refresh_from_db()
    events = draft.events.count()
    with pytest.raises(StateConflict):
        _move_to(target, draft, manager=manager, reason=reason)
    draft.refresh_from_db()
    assert draft.status == start
    assert draft.events.count() == events


@pytest.mark.parametrize("start", [a for a in LEGAL if S.EXPIRED not in LEGAL[a]])
def test_only_sent_quotes_expire(draft, start):
    Quote.objects.filter(pk=draft.pk).update(status=start)
    assert services.quotes_expire_due(today=draft.valid_until + timedelta(days=1)) == 0
    draft.refresh_from_db()
    assert draft.status == start


def test_send_accept(draft, rep):
    quote = sent(draft)
    assert quote.status == S.SENT and quote.sent_at
    quote = services.quote_accept(
        quote=quote, buyer_name="Anna Beispiel", ip="203.0.113.9", user_agent="UA"
    )
    assert quote.status == S.ACCEPTED and quote.accepted_by_name == "Anna Beispiel"
    assert quote.accepted_ip == "203.0.113.9"
    actions = list(quote.events.values_list("action", "by"))
    assert actions == [("created", rep.pk), ("sent", rep.pk), ("accepted", None)]


def test_buyer_must_type_a_name_to_accept(draft):
    with pytest.raises(ValidationError):
        services.quote_accept(quote=sent(draft), buyer_name="  ")


def test_reject_records_reason_and_competitor(draft):
    reason = RejectionReason.objects.get(code="lost_to_competitor")
    quote = services.quote_reject(
        quote=sent(draft),
        reason=reason,
        note="Cheaper offer",
        competitor="Other smelter",
        competitor_origin="il",
        competitor_price_usd_per_mt=Decimal("2390.00"),
    )
    assert quote.status == S.REJECTED
    assert (quote.competitor_origin, quote.competitor_price_usd_per_mt) == (
        "IL",
        Decimal("2390.00"),
    )


def test_cannot_accept_a_draft_or_reject_twice(draft, reason):
    with pytest.raises(StateConflict):
        services.quote_accept(quote=draft, buyer_name="X")
    quote = services.quote_reject(quote=sent(draft), reason=reason)
    with pytest.raises(StateConflict):
        services.quote_reject(quote=quote, reason=reason)


def test_sent_quote_is_read_only(draft):
    quote = sent(draft)
    with pytest.raises(StateConflict):
        services.quote_update(
            quote=quote, by=quote.owner, terms=services.QuoteTerms.from_quote(quote)
        )


def test_cannot_send_without_a_contact_email(customer, rep):
    quote = quote_for(customer=customer)
    quote.contact = None
    quote.save()
    with pytest.raises(StateConflict):
        sent(quote)


# -------------------------------------------------------------- approval


def test_discount_above_threshold_needs_approval(customer, settings):
    settings.MGTRADE = {**settings.MGTRADE, "APPROVAL_DISCOUNT_THRESHOLD_PERCENT": Decimal("3")}
    assert not quote_for(customer=customer, discount="3").needs_approval
    quote = quote_for(customer=customer, discount="5")
    assert quote.needs_approval
    assert quote.approval_reasons[0]["code"] == "concession_above_threshold"
    assert "discount 5.00 %, above the 3 % threshold" in quote.approval_reasons[0]["message"]
    with pytest.raises(StateConflict):
        sent(quote)


def test_price_below_floor_needs_approval(customer):
    Product.objects.filter(code="MG9990").update(floor_price_usd_per_mt=Decimal("2400.00"))
    quote = quote_for(customer=customer, unit_price="2390.00")
    assert any("below the floor" in r["message"] for r in quote.approval_reasons)


def test_manager_approves_then_rep_sends(customer, manager):
    quote = quote_for(customer=customer, discount="5")
    quote = services.quote_submit_for_approval(quote=quote, by=quote.owner)
    assert quote.status == S.PENDING_APPROVAL
    quote = services.quote_approve(quote=quote, by=manager, comment="OK for this volume")
    assert quote.status == S.APPROVED and quote.approved_by == manager
    assert sent(quote).status == S.SENT


def test_rep_cannot_approve(customer, other_rep):
    quote = services.quote_submit_for_approval(
        quote=quote_for(customer=customer, discount="5"), by=customer.owner
    )
    # not a question of the quote's state: a permission (403 in the API and on the page)
    with pytest.raises(PermissionDenied):
        services.quote_approve(quote=quote, by=other_rep)
    with pytest.raises(PermissionDenied):
        services.quote_return(quote=quote, by=other_rep, comment="")
    quote.refresh_from_db()
    assert quote.status == S.PENDING_APPROVAL


def test_the_page_and_the_api_answer_a_rep_approving_with_403(customer, other_rep, client):
    from django.urls import reverse
    from rest_framework.test import APIClient

    quote = services.quote_submit_for_approval(
        quote=quote_for(customer=customer, discount="5"), by=customer.owner
    )
    client.force_login(customer.owner)
    assert client.post(reverse("quotes:approve", args=[quote.pk])).status_code == 403
    api = APIClient()
    api.force_authenticate(customer.owner)
    response = api.post(f"/api/v1/quotes/{quote.pk}/approve/", {}, format="json")
    assert response.status_code == 403


def test_allowed_actions_follow_the_state_machine(customer, manager):
    quote = services.quote_submit_for_approval(
        quote=quote_for(customer=customer, discount="5"), by=customer.owner
    )
    as_rep = services.quote_allowed_actions(quote=quote, user=customer.owner)
    as_manager = services.quote_allowed_actions(quote=quote, user=manager)
    assert not as_rep["approve"] and not as_rep["send"] and as_rep["edit"]
    assert as_manager["approve"] and not as_manager["own_pending"]
    for action, allowed in as_manager.items():
        if action in {"approve", "send", "decide"} and allowed:
            target = {"approve": S.APPROVED, "send": S.SENT, "decide": S.ACCEPTED}[action]
            assert target in services.TRANSITIONS[quote.status]


def test_terms_default_to_the_customers_or_cif_and_usd(customer):
    from quotes import selectors

    assert selectors.quote_terms_defaults(customer=Customer(name="New")) == {
        "incoterm": "CIF",
        "destination_port": "",
        "currency": "USD",
    }
    customer.default_incoterm, customer.default_currency = "FOB", "EUR"
    defaults = selectors.quote_terms_defaults(customer=customer)
    assert (defaults["incoterm"], defaults["currency"]) == ("FOB", "EUR")


def test_manager_cannot_approve_own_quote(manager):
    customer = german_buyer(owner=manager)
    quote = services.quote_submit_for_approval(
        quote=quote_for(customer=customer, discount="5"), by=manager
    )
    with pytest.raises(StateConflict, match="your own"):
        services.quote_approve(quote=quote, by=manager)
    another = UserFactory(username="manager2", role="Sales manager")
    assert services.quote_approve(quote=quote, by=another).status == S.APPROVED


def test_manager_returns_with_a_comment(customer, manager):
    quote = services.quote_submit_for_approval(
        quote=quote_for(customer=customer, discount="5"), by=customer.owner
    )
    with pytest.raises(ValidationError):
        services.quote_return(quote=quote, by=manager, comment=" ")
    quote = services.quote_return(quote=quote, by=manager, comment="Max 4% on this volume")
    assert quote.status == S.DRAFT and quote.approval_comment == "Max 4% on this volume"


def test_a_change_after_approval_needs_approval_again(customer, manager):
    quote = quote_for(customer=customer, discount="5")
    quote = services.quote_approve(
        quote=services.quote_submit_for_approval(quote=quote, by=quote.owner), by=manager
    )
    terms = services.QuoteTerms.from_quote(quote)
    terms.lines[1]["quantity_mt"] = Decimal("21")
    quote = services.quote_update(quote=quote, by=quote.owner, terms=terms)
    assert quote.status == S.DRAFT and quote.approved_by is None
    assert quote.events.filter(action="approval_voided").exists()
    with pytest.raises(StateConflict):
        sent(quote)


def test_revision_and_clone_never_inherit_approval(customer, manager, rep):
    quote = quote_for(customer=customer, discount="5")
    quote = services.quote_approve(
        quote=services.quote_submit_for_approval(quote=quote, by=rep), by=manager
    )
    quote = sent(quote)
    revised = services.quote_revise(quote=quote, by=rep)
    assert revised.status == S.DRAFT and revised.needs_approval and revised.approved_by is None
    clone = services.quote_clone(quote=quote, customer=german_buyer(owner=rep), by=rep)
    assert clone.status == S.DRAFT and clone.approved_by is None
    with pytest.raises(StateConflict):
        sent(revised)


# -------------------------------------------------------------- versions, snapshot, expiry


def test_revise_keeps_number_raises_version_and_supersedes(draft, rep):
    quote = sent(draft)
    revised = services.quote_revise(quote=quote, by=rep)
    quote.refresh_from_db()
    assert (revised.number, revised.version) == (quote.number, 2)
    assert quote.status == S.SUPERSEDED and revised.previous_version == quote
    with pytest.raises(StateConflict):
        services.quote_revise(quote=quote, by=rep)


def test_draft_cannot_be_revised(draft, rep):
    with pytest.raises(StateConflict, match="edit it instead"):
        services.quote_revise(quote=draft, by=rep)


def test_sent_quote_never_changes_when_prices_rates_or_rules_do(draft, admin_user):
    quote = sent(draft)
    before = (quote.pricing, list(quote.lines.values()), quote.fx_rate, quote.total_usd)
    mg = Product.objects.get(code="MG9990")
    product_services.product_update(product=mg, name="Renamed grade", hs_code="8104.19.00")
    product_services.product_price_add(
        product=mg, usd_per_mt=Decimal("9999"), effective_from=timezone.localdate()
    )
    TariffRule.objects.update(rate_percent=Decimal("50"))
    product_services.exchange_rate_create(
        currency="EUR", rate_per_usd=Decimal("2"), date=timezone.localdate()
    )
    quote.refresh_from_db()
    assert (quote.pricing, list(quote.lines.values()), quote.fx_rate, quote.total_usd) == before
    assert quote.lines.first().product_name == "Magnesium ingot 99.90%"


def test_clone_for_another_customer_is_repriced_today(draft, rep):
    mg = Product.objects.get(code="MG9990")
    product_services.product_price_add(
        product=mg, usd_per_mt=Decimal("2500.00"), effective_from=timezone.localdate()
    )
    other = german_buyer(owner=rep, name="Nordlicht Guss GmbH")
    clone = services.quote_clone(quote=draft, customer=other, by=rep)
    assert clone.customer == other and clone.number != draft.number
    assert clone.lines.first().unit_price_usd_per_mt == Decimal("2500.00")
    assert clone.events.filter(action="cloned").exists()


def test_quote_keeps_the_buyers_region_from_when_it_was_priced(draft, customer, rep):
    assert customer.region == "europe" and draft.region == "europe"
    revised = services.quote_revise(quote=sent(draft), by=rep)
    assert revised.region == "europe"
    us_buyer = german_buyer(owner=rep, name="Lakeshore Castings Inc.", country="US")
    clone = services.quote_clone(quote=draft, customer=us_buyer, by=rep)
    assert clone.region == "north_america"
    # a snapshot: the buyer moving region later does not move the quote
    Customer.objects.filter(pk=us_buyer.pk).update(country="JP", region="east_asia")
    clone.refresh_from_db()
    assert clone.region == "north_america"


def test_migration_backfills_the_region_from_the_customer(draft, rep):
    from django.apps import apps

    backfill = import_module("quotes.migrations.0005_quote_region").backfill_region
    us_quote = quote_for(customer=german_buyer(owner=rep, name="Lakeshore Inc.", country="US"))
    Quote.objects.update(region="")
    backfill(apps, None)
    assert dict(Quote.objects.values_list("pk", "region")) == {
        draft.pk: "europe",
        us_quote.pk: "north_america",
    }


def test_expiry_is_idempotent(draft):
    quote = sent(draft)
    later = quote.valid_until + timedelta(days=1)
    assert services.quotes_expire_due(today=quote.valid_until) == 0
    assert services.quotes_expire_due(today=later) == 1
    assert services.quotes_expire_due(today=later) == 0
    quote.refresh_from_db()
    assert quote.status == S.EXPIRED
    assert quote.events.filter(action="expired").count() == 1


def test_expiry_task_runs_the_service(draft):
    from quotes.tasks import quotes_expire_due_task

    quote = sent(draft)
    Quote.objects.filter(pk=quote.pk).update(
        valid_until=date(2026, 1, 1), quote_date=date(2026, 1, 1)
    )
    assert quotes_expire_due_task.delay().get() == 1
