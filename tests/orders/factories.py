"""Orders are made through the services: these helpers take a quote to an accepted one."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import factory
from django.utils import timezone

from customers.models import Customer
from mgtrade.accounts.models import User
from orders import services
from orders.models import SalesContract
from products import services as product_services
from quotes import services as quote_services
from quotes.models import BankAccount, Quote
from tests.quotes.factories import german_buyer


class BankAccountFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = BankAccount

    currency = "EUR"
    beneficiary = "Helan Magnesium Export Co., Ltd."
    bank_name = factory.LazyAttribute(lambda o: f"Bank of China Ningxia Branch ({o.currency})")
    swift = "BKCHCNBJ880"
    account = factory.Sequence(lambda n: f"1047 0000 {n:04d} {n:04d}")
    is_default = True


def sent_quote(
    *,
    customer: Customer,
    currency: str = "EUR",
    payment_terms: str = "T/T 30% advance, 70% against copy of B/L",
    incoterm: str = "CIF",
) -> Quote:
    """A sent CIF Hamburg quote of 50 MT MG9990 + 20 MT AZ91D (``worked_example_data``)."""
    if currency == "JPY":
        product_services.exchange_rate_create(
            currency="JPY",
            rate_per_usd=Decimal("155.2000"),
            date=timezone.localdate() - timedelta(days=1),
        )
    quote = quote_services.quote_create(
        customer=customer,
        by=customer.owner,
        terms=quote_services.QuoteTerms(
            incoterm=incoterm,
            destination_port="DEHAM",
            origin_port="CNTXG",
            currency=currency,
            contact=customer.contacts.first(),
            payment_terms=payment_terms,
            lines=[
                {"product": "MG9990", "quantity_mt": "50", "discount_percent": "0"},
                {"product": "AZ91D", "quantity_mt": "20", "discount_percent": "0"},
            ],
        ),
    )
    return quote_services.quote_mark_sent(quote=quote, by=customer.owner)


def draft_contract(
    *, owner: User, po_number: str = "PO-4711", contact_language: str = "en", **quote_kw
) -> SalesContract:
    """A quote sent to a new German buyer of ``owner`` (whose contact reads
    ``contact_language``) and accepted by the rep."""
    customer = german_buyer(owner=owner, status="prospect", contact_language=contact_language)
    quote = sent_quote(customer=customer, **quote_kw)
    quote_services.quote_accept(
        quote=quote, by=owner, buyer_name="Anna Schmidt", po_number=po_number
    )
    return SalesContract.objects.get(quote=quote)


def confirmed_contract(*, owner: User, **kw) -> SalesContract:
    contract = draft_contract(owner=owner, **kw)
    return services.contract_confirm(contract=contract, by=owner)
