"""Quotes are made through the service, so factories here are thin helpers around it."""

from decimal import Decimal

from customers.models import Customer
from mgtrade.accounts.models import User
from quotes import services
from quotes.models import Quote
from tests.customers.factories import ContactFactory, CustomerFactory


def german_buyer(*, owner: User, contact_language: str = "en", **fields) -> Customer:
    """A German customer whose contact reads ``contact_language`` (English by default: the
    sending tests read English; the languages of a send are tested in tests/i18n/)."""
    customer = CustomerFactory(owner=owner, **fields)
    ContactFactory(
        customer=customer, email=f"buyer{customer.pk}@example.de", language=contact_language
    )
    return customer


def quote_for(
    *,
    customer: Customer,
    by: User | None = None,
    incoterm: str = "CIF",
    discount: str = "0",
    unit_price: str | None = None,
    quantity: str = "50",
    currency: str = "EUR",
    **terms,
) -> Quote:
    """A CIF Hamburg draft (needs the ``worked_example_data`` fixture) of MG9990 + AZ91D."""
    line = {"product": "MG9990", "quantity_mt": quantity, "discount_percent": discount}
    if unit_price is not None:
        line["unit_price_usd_per_mt"] = unit_price
    return services.quote_create(
        customer=customer,
        by=by or customer.owner,
        terms=services.QuoteTerms(
            incoterm=incoterm,
            destination_port="DEHAM",
            origin_port="CNTXG",
            currency=currency,
            contact=customer.contacts.first(),
            lines=[
                line,
                {"product": "AZ91D", "quantity_mt": "20", "discount_percent": Decimal("0")},
            ],
            **terms,
        ),
    )
