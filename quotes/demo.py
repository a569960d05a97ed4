"""Demo quotes: one in each interesting state, on lanes the demo reference data prices.

Idempotent: a customer that already has a quote gets none. The sent one goes through
``quote_send``, so with ``make run`` the worker renders and "emails" it to ``var/outbox``.
"""

from decimal import Decimal

from customers.models import Customer
from mgtrade.accounts.models import User

from . import services
from .models import Quote
from .sending.services import quote_send

# customer name, overrides of the customer's defaults, lines, what to do after creating
DEMO_QUOTES = [
    (
        "Schwabenguss Leichtmetall GmbH",
        {},
        [("MG9990", "50", "0"), ("AZ91D", "20", "0")],
        "draft",
    ),
    ("Elbtal Aerostruktur AG", {}, [("MG9995", "24", "5")], "submit"),
    ("Rijnmond Staalbehandeling B.V.", {}, [("MG-GRAN97", "22", "0")], "send"),
    (
        "Sierra Ridge Defense Materials LLC",
        {"destination_port": "USNYC"},
        [("MG9990", "44", "0")],
        "draft",
    ),
    (
        "Osaka Keikinzoku Kogyo K.K.",
        {"destination_port": "JPYOK"},
        [("MG9990", "22", "0"), ("AM60B", "22", "1.5")],
        "draft",
    ),
]


def load(users: dict[str, User]) -> list[Quote]:
    quotes = []
    for name, overrides, lines, then in DEMO_QUOTES:
        customer = Customer.objects.filter(name=name).first()
        if customer is None or customer.quotes.exists():
            continue
        terms = services.QuoteTerms(
            incoterm=overrides.get("incoterm", customer.default_incoterm or "CIF"),
            destination_port=overrides.get("destination_port", customer.default_destination_port),
            currency=customer.default_currency or "USD",
            contact=customer.contacts.filter(is_primary=True).first(),
            lead_time="3–4 weeks after deposit",
            lines=[
                {"product": code, "quantity_mt": Decimal(qty), "discount_percent": Decimal(disc)}
                for code, qty, disc in lines
            ],
        )
        quote = services.quote_create(customer=customer, by=customer.owner, terms=terms)
        if then == "submit":
            quote = services.quote_submit_for_approval(quote=quote, by=customer.owner)
        elif then == "send":
            if quote.needs_approval:
                # e.g. a seeded tariff rule not verified recently: the manager approves.
                quote = services.quote_submit_for_approval(quote=quote, by=customer.owner)
                quote = services.quote_approve(
                    quote=quote,
                    by=users["manager"],
                    comment="Demo: duties to be confirmed against the official tariff.",
                )
            quote_send(quote=quote, by=customer.owner)
        quotes.append(quote)
    return quotes
