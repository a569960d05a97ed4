"""A contact that a quote names cannot be deleted: 409 in the API, a message on the page
(docs/crm.md, "Contacts"); the quote keeps its recipient."""

import pytest
from django.urls import reverse

from customers.models import Contact
from tests.customers.factories import ContactFactory
from tests.quotes.factories import german_buyer, quote_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def used_contact(rep, worked_example_data):
    customer = german_buyer(owner=rep)
    quote = quote_for(customer=customer)
    ContactFactory(customer=customer, is_primary=False)  # a second one, free to delete
    return quote.contact, quote


def test_api_delete_of_a_contact_on_a_quote_is_409_with_the_quote_number(manager_api, used_contact):
    contact, quote = used_contact
    response = manager_api.delete(f"/api/v1/customers/{contact.customer_id}/contacts/{contact.pk}/")
    assert response.status_code == 409
    assert quote.number in response.json()["detail"]
    assert Contact.objects.filter(pk=contact.pk).exists()


def test_api_delete_of_an_unused_contact_still_works(manager_api, used_contact):
    contact, _quote = used_contact
    free = Contact.objects.filter(customer=contact.customer).exclude(pk=contact.pk).get()
    response = manager_api.delete(f"/api/v1/customers/{free.customer_id}/contacts/{free.pk}/")
    assert response.status_code == 204
    assert not Contact.objects.filter(pk=free.pk).exists()


def test_page_delete_of_a_contact_on_a_quote_shows_why(manager_client, used_contact):
    contact, quote = used_contact
    url = reverse("customers:contact_delete", args=[contact.customer_id, contact.pk])
    response = manager_client.post(url, follow=True)
    assert response.status_code == 200
    assert quote.number in response.content.decode()
    assert Contact.objects.filter(pk=contact.pk).exists()
