"""The competitor's origin is a country code; a contact who opted out of email never
receives a quote (docs/quotes.md, "Recipient")."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from mgtrade.errors import StateConflict
from quotes import selectors, services
from quotes.models import QuoteStatus, RejectionReason
from tests.customers.factories import ContactFactory
from tests.quotes.factories import german_buyer, quote_for

S = QuoteStatus
pytestmark = pytest.mark.usefixtures("worked_example_data")
URL = "/api/v1/quotes/"


@pytest.fixture
def customer(rep):
    return german_buyer(owner=rep)


@pytest.fixture
def sent_quote(customer):
    quote = quote_for(customer=customer)
    return services.quote_mark_sent(quote=quote, by=quote.owner)


def _opt_out(contact):
    contact.email_opt_out = True
    contact.save()
    return contact


# ------------------------------------------------------------------ competitor origin


@pytest.mark.parametrize("origin", ["XX", "1T", "T", "ZZ"])
def test_reject_refuses_an_origin_that_is_not_a_country_code(sent_quote, origin):
    reason = RejectionReason.objects.get(code="lost_to_competitor")
    with pytest.raises(ValidationError) as excinfo:
        services.quote_reject(quote=sent_quote, reason=reason, competitor_origin=origin)
    assert "competitor_origin" in excinfo.value.message_dict
    sent_quote.refresh_from_db()
    assert sent_quote.status == S.SENT


def test_reject_accepts_a_lowercase_code_and_an_empty_origin(sent_quote, customer):
    reason = RejectionReason.objects.get(code="lost_to_competitor")
    quote = services.quote_reject(quote=sent_quote, reason=reason, competitor_origin="tr")
    assert quote.competitor_origin == "TR"
    other = services.quote_mark_sent(quote=quote_for(customer=customer), by=customer.owner)
    assert services.quote_reject(quote=other, reason=reason).competitor_origin == ""


def test_api_reject_with_a_bad_origin_is_400_on_the_field(rep_api, sent_quote):
    response = rep_api.post(
        f"{URL}{sent_quote.pk}/reject/",
        {"reason": "lost_to_competitor", "competitor_origin": "XX"},
        format="json",
    )
    assert response.status_code == 400
    assert "competitor_origin" in response.json()


def test_page_reject_with_a_bad_origin_says_so_and_keeps_the_quote_sent(rep_client, sent_quote):
    response = rep_client.post(
        reverse("quotes:reject", args=[sent_quote.pk]),
        {
            "reason": RejectionReason.objects.get(code="lost_to_competitor").pk,
            "competitor_origin": "XX",
            "competitor_price_usd_per_mt": "2380",
        },
        follow=True,
    )
    assert "country code" in response.content.decode()
    sent_quote.refresh_from_db()
    assert sent_quote.status == S.SENT and sent_quote.competitor_price_usd_per_mt is None


# ------------------------------------------------------------------ opted-out recipient


def test_quote_create_refuses_an_opted_out_contact(customer):
    contact = _opt_out(customer.contacts.get())
    with pytest.raises(ValidationError) as excinfo:
        quote_for(customer=customer)
    assert "opted out" in excinfo.value.message_dict["contact"][0]
    assert contact.name in excinfo.value.message_dict["contact"][0]


def test_quote_update_refuses_an_opted_out_contact(customer):
    quote = quote_for(customer=customer)
    _opt_out(quote.contact)
    terms = services.QuoteTerms.from_quote(quote)
    with pytest.raises(ValidationError) as excinfo:
        services.quote_update(quote=quote, by=quote.owner, terms=terms)
    assert "contact" in excinfo.value.message_dict


def test_send_refuses_a_contact_who_opted_out_after_the_quote_was_made(customer):
    quote = quote_for(customer=customer)
    _opt_out(quote.contact)
    with pytest.raises(StateConflict) as excinfo:
        services.quote_check_sendable(quote)
    assert "opted out" in excinfo.value.message


def test_api_send_to_an_opted_out_contact_is_409(rep_api, customer):
    quote = quote_for(customer=customer)
    _opt_out(quote.contact)
    response = rep_api.post(f"{URL}{quote.pk}/send/", {}, format="json")
    assert response.status_code == 409
    assert "opted out" in response.json()["detail"]
    quote.refresh_from_db()
    assert quote.status == S.DRAFT


def test_api_create_with_an_opted_out_contact_is_400(rep_api, customer):
    contact = _opt_out(customer.contacts.get())
    response = rep_api.post(
        URL,
        {
            "customer": customer.pk,
            "contact": contact.pk,
            "lines": [{"product": "MG9990", "quantity_mt": "10"}],
        },
        format="json",
    )
    assert response.status_code == 400
    assert "opted out" in response.json()["contact"][0]


def test_the_default_recipient_skips_opted_out_contacts(customer):
    _opt_out(customer.contacts.get())
    reachable = ContactFactory(customer=customer, is_primary=False, email="ok@buyer.example")
    assert selectors.quote_defaults_for(customer=customer)["contact"] == reachable


def test_page_builder_shows_the_opt_out_as_a_contact_error(rep_client, customer):
    from tests.quotes.test_quote_pages import builder_post

    _opt_out(customer.contacts.get())
    response = rep_client.post(
        reverse("quotes:create") + f"?customer={customer.pk}", builder_post(customer)
    )
    assert response.status_code == 200
    assert "opted out" in response.content.decode()
