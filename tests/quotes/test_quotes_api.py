"""The quotes API: visibility, create/update with field errors, 409s, every action, filters,
and query counts that do not grow with the page."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from quotes import services
from quotes.models import Quote, QuoteStatus
from tests.customers.factories import CustomerFactory
from tests.quotes.factories import german_buyer, quote_for

S = QuoteStatus
URL = "/api/v1/quotes/"
pytestmark = pytest.mark.usefixtures("worked_example_data")

LINES = [
    {"product": "MG9990", "quantity_mt": "50", "discount_percent": "2"},
    {"product": "AZ91D", "quantity_mt": "20"},
]


@pytest.fixture
def customer(rep):
    return german_buyer(owner=rep)


@pytest.fixture
def draft(customer):
    return quote_for(customer=customer)


def sent(quote):
    return services.quote_mark_sent(quote=quote, by=quote.owner)


def action(client, quote, name, data=None):
    return client.post(f"{URL}{quote.pk}/{name}/", data or {}, format="json")


# ------------------------------------------------------------------ visibility


def test_anonymous_gets_401(api_client, draft):
    assert api_client.get(URL).status_code == 401
    assert api_client.get(f"{URL}{draft.pk}/").status_code == 401


def test_rep_lists_only_their_customers_quotes(rep_api, other_rep, draft):
    theirs = quote_for(customer=german_buyer(owner=other_rep))
    ids = [q["id"] for q in rep_api.get(URL).json()["results"]]
    assert ids == [draft.pk]
    assert rep_api.get(f"{URL}{theirs.pk}/").status_code == 404


def test_other_rep_gets_404_for_the_quote_and_its_actions(other_rep_api, draft):
    assert other_rep_api.get(URL).json()["count"] == 0
    assert other_rep_api.get(f"{URL}{draft.pk}/").status_code == 404
    assert other_rep_api.patch(f"{URL}{draft.pk}/", {"lead_time": "x"}).status_code == 404
    for name in ("submit", "revise", "accept", "clone"):
        assert action(other_rep_api, draft, name).status_code == 404, name
    assert other_rep_api.get(f"{URL}{draft.pk}/events/").status_code == 404


def test_manager_sees_every_quote(manager_api, other_rep, draft):
    theirs = quote_for(customer=german_buyer(owner=other_rep))
    ids = {q["id"] for q in manager_api.get(URL).json()["results"]}
    assert ids == {draft.pk, theirs.pk}


def test_rep_still_sees_quotes_they_own_after_the_customer_moves(rep, other_rep, rep_api, draft):
    draft.customer.owner = other_rep
    draft.customer.save()
    assert rep_api.get(f"{URL}{draft.pk}/").status_code == 200


# ------------------------------------------------------------------ create and update


def test_create_prefills_the_customers_defaults_and_returns_the_pricing(rep_api, customer):
    response = rep_api.post(URL, {"customer": customer.pk, "lines": LINES}, format="json")
    assert response.status_code == 201, response.json()
    body = response.json()
    year = timezone.localdate().year
    assert body["number"] == f"Q-{year}-00001" and body["version"] == 1
    assert body["status"] == "draft"
    assert (body["incoterm"], body["destination_port"], body["currency"]) == (
        "CIF",
        "DEHAM",
        "EUR",
    )
    assert body["contact"] == customer.contacts.get().pk
    assert body["payment_terms"] == customer.payment_terms
    assert body["valid_until"] == (timezone.localdate() + timedelta(days=7)).isoformat()
    assert [line["product"] for line in body["lines"]] == ["MG9990", "AZ91D"]
    duty = body["pricing"]["lines"][0]["duties"][0]
    assert (duty["kind"], duty["destination"], duty["basis"]) == ("mfn", "EU", "CIF")
    assert body["pricing"]["usd"]["quote_total"] == body["total_usd"]


def test_create_reports_field_errors_and_saves_nothing(rep_api, customer):
    bad_line = {
        "customer": customer.pk,
        "lines": [LINES[0], {"product": "AZ91D", "quantity_mt": "-5"}],
    }
    response = rep_api.post(URL, bad_line, format="json")
    assert response.status_code == 400
    assert response.json()["lines"][0] == {} and "quantity_mt" in response.json()["lines"][1]

    response = rep_api.post(
        URL, {"customer": customer.pk, "destination_port": "USHOU", "lines": LINES}, format="json"
    )
    assert response.status_code == 400
    assert "No freight rate" in response.json()["destination_port"][0]

    response = rep_api.post(URL, {"customer": customer.pk, "lines": []}, format="json")
    assert response.status_code == 400 and "lines" in response.json()
    response = rep_api.post(
        URL,
        {"customer": customer.pk, "lines": [{"product": "NOPE", "quantity_mt": "1"}]},
        format="json",
    )
    assert response.status_code == 400 and "product" in response.json()["lines"][0]
    assert not Quote.objects.exists()


def test_rep_cannot_quote_a_customer_they_cannot_see(rep_api, other_rep):
    theirs = german_buyer(owner=other_rep)
    response = rep_api.post(URL, {"customer": theirs.pk, "lines": LINES}, format="json")
    assert response.status_code == 400 and "customer" in response.json()


def test_contact_must_be_the_customers(rep_api, rep, customer):
    stranger = german_buyer(owner=rep).contacts.get()
    response = rep_api.post(
        URL, {"customer": customer.pk, "contact": stranger.pk, "lines": LINES}, format="json"
    )
    assert response.status_code == 400 and "contact" in response.json()


def test_another_reps_contact_is_an_invalid_id_like_a_missing_one(rep_api, other_rep, customer):
    hidden = german_buyer(owner=other_rep).contacts.get()
    errors = [
        rep_api.post(URL, {"customer": customer.pk, "contact": pk, "lines": LINES}, format="json")
        for pk in (hidden.pk, 999999)
    ]
    assert [e.status_code for e in errors] == [400, 400]
    messages = [e.json()["contact"][0] for e in errors]
    assert messages[0].replace(str(hidden.pk), "N") == messages[1].replace("999999", "N")


def test_patch_a_draft_reprices_it(rep_api, draft):
    response = rep_api.patch(
        f"{URL}{draft.pk}/",
        {"lines": [{"product": "MG9990", "quantity_mt": "22"}], "lead_time": "3 weeks"},
        format="json",
    )
    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["lead_time"] == "3 weeks" and body["total_quantity_mt"] == "22.000"
    assert len(body["lines"]) == 1 and body["incoterm"] == "CIF"
    assert body["quote_date"] == draft.quote_date.isoformat()


def test_patch_after_approval_needs_approval_again(rep_api, manager, customer):
    quote = quote_for(customer=customer, discount="5")
    services.quote_submit_for_approval(quote=quote, by=customer.owner)
    services.quote_approve(quote=quote, by=manager)
    response = rep_api.patch(f"{URL}{quote.pk}/", {"terms": "FCL only"}, format="json")
    assert response.status_code == 200
    assert response.json()["status"] == "draft" and response.json()["approved_by"] is None


def test_editing_a_sent_quote_is_a_conflict(rep_api, draft):
    sent(draft)
    response = rep_api.patch(f"{URL}{draft.pk}/", {"lead_time": "x"}, format="json")
    assert response.status_code == 409 and "read-only" in response.json()["detail"]
    response = rep_api.put(f"{URL}{draft.pk}/", {"lines": LINES}, format="json")
    assert response.status_code == 409


# ------------------------------------------------------------------ actions


def test_discounted_quote_goes_through_approval(rep_api, manager_api, customer):
    quote = quote_for(customer=customer, discount="5")
    assert action(rep_api, quote, "approve").status_code == 403  # reps never approve
    response = action(rep_api, quote, "submit")
    assert response.status_code == 200 and response.json()["status"] == "pending_approval"
    assert action(rep_api, quote, "submit").status_code == 409
    response = action(manager_api, quote, "approve", {"comment": "Volume justifies it."})
    assert response.status_code == 200
    assert response.json()["status"] == "approved" and response.json()["approved_by"] is not None


def test_quote_without_reasons_cannot_be_submitted(rep_api, draft):
    response = action(rep_api, draft, "submit")
    assert response.status_code == 409 and "needs no approval" in response.json()["detail"]


def test_manager_cannot_approve_their_own_quote(manager, manager_api):
    quote = quote_for(customer=german_buyer(owner=manager), discount="5")
    services.quote_submit_for_approval(quote=quote, by=manager)
    response = action(manager_api, quote, "approve")
    assert response.status_code == 409 and "your own quote" in response.json()["detail"]
    assert Quote.objects.get(pk=quote.pk).status == S.PENDING_APPROVAL


def test_return_needs_a_comment(rep, manager_api, customer):
    quote = quote_for(customer=customer, discount="5")
    services.quote_submit_for_approval(quote=quote, by=rep)
    assert action(manager_api, quote, "return").status_code == 400
    response = action(manager_api, quote, "return", {"comment": "Max 3 % for this buyer."})
    assert response.status_code == 200 and response.json()["status"] == "draft"
    assert response.json()["approval_comment"] == "Max 3 % for this buyer."


def test_accept_on_the_buyers_behalf(rep_api, draft):
    assert action(rep_api, draft, "accept").status_code == 409  # a draft was never sent
    sent(draft)
    response = action(rep_api, draft, "accept", {"buyer_name": "Anna Beispiel"})
    assert response.status_code == 200
    assert response.json()["status"] == "accepted"
    assert response.json()["accepted_by_name"] == "Anna Beispiel"


def test_reject_with_reason_and_competitor(rep_api, draft):
    sent(draft)
    bad = action(rep_api, draft, "reject", {"reason": "nonsense"})
    assert bad.status_code == 400 and "reason" in bad.json()
    response = action(
        rep_api,
        draft,
        "reject",
        {
            "reason": "lost_to_competitor",
            "note": "Went with a Turkish trader.",
            "competitor": "Anatolia Metals",
            "competitor_origin": "tr",
            "competitor_price_usd_per_mt": "2380.00",
        },
    )
    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["status"] == "rejected" and body["rejection_reason"] == "lost_to_competitor"
    assert (body["competitor"], body["competitor_origin"]) == ("Anatolia Metals", "TR")
    assert body["competitor_price_usd_per_mt"] == "2380.00"


def test_revise_makes_a_new_draft_version(rep_api, draft):
    assert action(rep_api, draft, "revise").status_code == 409  # drafts are edited
    sent(draft)
    response = action(rep_api, draft, "revise")
    assert response.status_code == 201
    body = response.json()
    assert (body["number"], body["version"], body["status"]) == (draft.number, 2, "draft")
    assert body["previous_version"] == draft.pk
    assert Quote.objects.get(pk=draft.pk).status == S.SUPERSEDED


def test_clone_to_another_visible_customer(rep_api, rep, other_rep, draft):
    mine = german_buyer(owner=rep, name="Zweitkunde GmbH")
    response = action(rep_api, draft, "clone", {"customer": mine.pk})
    assert response.status_code == 201
    body = response.json()
    assert body["customer"] == mine.pk and body["number"] != draft.number
    assert body["status"] == "draft"
    theirs = german_buyer(owner=other_rep)
    response = action(rep_api, draft, "clone", {"customer": theirs.pk})
    assert response.status_code == 400 and "customer" in response.json()


def test_events_log_each_transition_with_who(rep_api, rep, draft):
    sent(draft)
    action(rep_api, draft, "accept")
    events = rep_api.get(f"{URL}{draft.pk}/events/").json()
    assert [e["action"] for e in events] == ["created", "sent", "accepted"]
    assert events[-1]["by"] == rep.pk and events[-1]["to_status"] == "accepted"


# ------------------------------------------------------------------ filters and queries


def test_filters_named_after_fields(rep_api, rep, customer, draft):
    spain = german_buyer(owner=rep, name="Fundiciones Ibéricas SA", country="ES")
    es_quote = quote_for(customer=spain)
    sent(es_quote)
    services.quote_revise(quote=es_quote, by=rep)  # v1 superseded, v2 draft

    def ids(query):
        return sorted(q["id"] for q in rep_api.get(f"{URL}?{query}").json()["results"])

    v2 = Quote.objects.get(number=es_quote.number, version=2)
    assert ids("") == sorted([draft.pk, v2.pk])  # superseded versions are left out
    assert ids("status=superseded") == [es_quote.pk]
    assert ids(f"customer={customer.pk}") == [draft.pk]
    assert ids("region=europe") == sorted([draft.pk, v2.pk])
    assert ids("region=east_asia") == []
    assert ids("product=az91d") == sorted([draft.pk, v2.pk])
    assert ids("product=MG9980") == []
    assert ids(f"search={draft.number}") == [draft.pk]
    assert ids("search=ibericas") == [v2.pk]
    assert ids("expiring_within_days=7") == sorted([draft.pk, v2.pk])
    Quote.objects.filter(pk=draft.pk).update(valid_until=timezone.localdate() + timedelta(days=30))
    assert ids("expiring_within_days=7") == [v2.pk]
    assert rep_api.get(f"{URL}?expiring_within_days=x").status_code == 400


def _queries(client, url):
    client.get(url)  # the user's permissions are cached on the (forced) user after this
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return len(ctx.captured_queries), response


@pytest.mark.parametrize("who", ["rep", "manager"])
def test_list_query_count_does_not_grow_with_rows_or_page_size(who, rep, manager, customer):
    from rest_framework.test import APIClient

    client = APIClient()
    client.force_authenticate(user=rep if who == "rep" else manager)
    for _ in range(2):
        quote_for(customer=customer)
    few, _ = _queries(client, f"{URL}?page_size=2")
    for _ in range(4):
        quote_for(customer=CustomerFactory(owner=rep))
    many, response = _queries(client, f"{URL}?page_size=200")
    assert len(response.json()["results"]) == 6
    assert few == many <= 6  # incl. the page's ids (mgtrade.pagination.IdsFirst)


def test_schema_documents_the_quote_actions(rep_api):
    schema = rep_api.get("/api/schema/?format=json").json()
    for path in ("approve", "return", "reject", "clone", "revise", "submit", "accept", "events"):
        assert f"/api/v1/quotes/{{id}}/{path}/" in schema["paths"], path


def test_fast_serializer_matches_drfs_field_by_field_output(rep, manager, rep_api, customer):
    from rest_framework import serializers as drf

    from quotes.api.serializers import QuoteLineSerializer, QuoteSerializer
    from quotes.api.views import LIST_UNUSED_FIELDS
    from quotes.models import RejectionReason

    approved = quote_for(customer=customer, discount="5")
    services.quote_submit_for_approval(quote=approved, by=rep)
    services.quote_approve(quote=approved, by=manager, comment="ok")
    rejected = quote_for(customer=customer)
    sent(rejected)
    services.quote_reject(
        quote=rejected,
        reason=RejectionReason.objects.get(code="lost_to_competitor"),
        by=rep,
        competitor="X",
        competitor_price_usd_per_mt=Decimal("2300.5"),
    )
    for quote in Quote.objects.filter(pk__in=[approved.pk, rejected.pk]):
        fast = QuoteSerializer(quote).data
        slow = drf.ModelSerializer.to_representation(QuoteSerializer(), quote)
        slow["lines"] = [
            drf.ModelSerializer.to_representation(QuoteLineSerializer(), line)
            for line in quote.lines.all()
        ]
        assert dict(fast) == dict(slow)
    listed = {q["id"]: q for q in rep_api.get(URL).json()["results"]}
    for quote in (approved, rejected):
        detail = rep_api.get(f"{URL}{quote.pk}/").json()
        assert "pricing" not in listed[quote.pk]  # the list leaves the full pricing out
        assert listed[quote.pk] == {k: v for k, v in detail.items() if k != "pricing"}
    # and does not read the columns it never outputs
    assert set(LIST_UNUSED_FIELDS) == {"pricing", "region", "accepted_ip", "accepted_user_agent"}


def test_list_pages_keep_the_order_ids_first(manager, customer):
    """Pages are cut ids first (mgtrade.pagination.IdsFirst): each page holds its rows in
    the list's order, and the pages together are the whole list, newest first."""
    from rest_framework.test import APIClient

    client = APIClient()
    client.force_authenticate(user=manager)
    for _ in range(5):
        quote_for(customer=customer)
    expected = list(Quote.objects.order_by("-created_at", "-id").values_list("pk", flat=True))
    seen, url = [], f"{URL}?page_size=2"
    while url:
        body = client.get(url).json()
        assert body["count"] == 5
        seen += [row["id"] for row in body["results"]]
        url = body["next"]
    assert seen == expected


def test_the_fast_serializer_refuses_a_field_type_it_does_not_know(customer):
    """A field added to QuoteSerializer without a converter fails loudly on first use
    instead of being output as the raw attribute."""
    from django.core.exceptions import ImproperlyConfigured
    from rest_framework import serializers as drf_serializers

    from quotes.api.serializers import QuoteSerializer

    class WithAMethodField(QuoteSerializer):
        shout = drf_serializers.SerializerMethodField()

        class Meta(QuoteSerializer.Meta):
            fields = [*QuoteSerializer.Meta.fields, "shout"]
            read_only_fields = fields

        def get_shout(self, quote) -> str:
            return quote.number.upper()

    quote = quote_for(customer=customer)
    with pytest.raises(ImproperlyConfigured, match="SerializerMethodField 'shout'"):
        _ = WithAMethodField(quote).data
    assert QuoteSerializer(quote).data["number"] == quote.number  # the known fields still work
