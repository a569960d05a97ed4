"""Demo quotes: one in each interesting state, on lanes the demo reference data prices.

Idempotent: a customer that already has a quote gets none. The sent one goes through
``quote_send``, so with ``make run`` the worker renders and "emails" it to ``var/outbox``.
"""

from decimal import Decimal
from pathlib import Path

from customers.models import Customer
from mgtrade.accounts.models import User

from . import services
from .documents.seller import company_profile_get, company_profile_update
from .models import (
    BankAccount,
    CustomerTermsDefault,
    PaymentMethod,
    Quote,
    TermsTemplate,
    TTBalance,
)
from .sending.services import quote_send

BENEFICIARY = "Helan Magnesium Export Co., Ltd."
BENEFICIARY_ADDRESS = "88 Binhe Road, Jinfeng District, Yinchuan, Ningxia 750001, China"
# currency, bank, bank address, SWIFT, account / IBAN, intermediary
BANK_ACCOUNTS = [
    (
        "USD",
        "Bank of China, Ningxia Branch",
        "170 Jiefang West Street, Yinchuan, China",
        "BKCHCNBJ880",
        "1047 2233 0188 4401",
        "Bank of China New York Branch, SWIFT BKCHUS33",
    ),
    (
        "EUR",
        "Bank of China, Ningxia Branch",
        "170 Jiefang West Street, Yinchuan, China",
        "BKCHCNBJ880",
        "1047 2233 0188 4402",
        "Bank of China Frankfurt Branch, SWIFT BKCHDEFF",
    ),
    (
        "JPY",
        "Bank of China, Ningxia Branch",
        "170 Jiefang West Street, Yinchuan, China",
        "BKCHCNBJ880",
        "1047 2233 0188 4403",
        "Bank of China Tokyo Branch, SWIFT BKCHJPJT",
    ),
]

# name, payment style, template fields
TERMS_TEMPLATES = [
    (
        "T/T 30 % advance, balance against copy of B/L",
        {"payment_method": PaymentMethod.TT, "advance_percent": Decimal("30")},
    ),
    (
        "T/T 100 % before shipment",
        {
            "payment_method": PaymentMethod.TT,
            "advance_percent": Decimal("0"),
            "balance": TTBalance.BEFORE_SHIPMENT,
        },
    ),
    (
        "Irrevocable L/C at sight",
        {
            "payment_method": PaymentMethod.LC_SIGHT,
            "lc_issuing_bank": "issued or confirmed by a first-class bank acceptable to the seller",
        },
    ),
    ("Cash against documents", {"payment_method": PaymentMethod.CAD}),
]
COMMON_TERMS = {
    "shipment_period": "Within 30 days after receipt of the deposit or the L/C",
    "latest_shipment_days": 60,
    "quality_claims": "The seller's certificate of analysis per lot governs. Quality claims "
    "within 30 days of arrival, supported by a report of SGS as referee laboratory.",
    "force_majeure": "Neither party is liable for delay or non-performance caused by events "
    "beyond its reasonable control; the affected party notifies the other within 14 days.",
    "governing_law": "The laws of the People's Republic of China. Disputes are submitted to "
    "the China International Economic and Trade Arbitration Commission (CIETAC), Beijing.",
}
# customer → its default template (the first TERMS_TEMPLATES entry otherwise)
CUSTOMER_TERMS = {
    "Elbtal Aerostruktur AG": "Irrevocable L/C at sight",
    "Sierra Ridge Defense Materials LLC": "T/T 100 % before shipment",
    "Osaka Keikinzoku Kogyo K.K.": "Cash against documents",
}

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


def bank_accounts() -> list[BankAccount]:
    """The exporter's accounts, the first per currency its default (idempotent)."""
    accounts = []
    for currency, bank, address, swift, account, intermediary in BANK_ACCOUNTS:
        row = BankAccount.objects.filter(currency=currency, account=account).first()
        if row is None:
            row = BankAccount.objects.create(
                currency=currency,
                beneficiary=BENEFICIARY,
                beneficiary_address=BENEFICIARY_ADDRESS,
                bank_name=bank,
                bank_address=address,
                swift=swift,
                account=account,
                intermediary_bank=intermediary,
                is_default=not BankAccount.objects.filter(
                    currency=currency, is_default=True
                ).exists(),
            )
        accounts.append(row)
    return accounts


def terms_templates() -> dict[str, TermsTemplate]:
    """One template per payment style (idempotent)."""
    templates = {}
    for name, fields in TERMS_TEMPLATES:
        templates[name], _ = TermsTemplate.objects.get_or_create(
            name=name, defaults={**COMMON_TERMS, **fields}
        )
    return templates


DEMO_STAMP = Path(__file__).with_name("demo_files") / "company-stamp.png"


def company_profile() -> None:
    """The demo's company stamp (a generated seal, not a real one), stored through the
    configured storage like an admin's upload; an existing stamp is kept (idempotent)."""
    profile = company_profile_get()
    if profile is None or not profile.stamp:
        company_profile_update(
            by=None, stamp=DEMO_STAMP.read_bytes(), stamp_name="company-stamp.png"
        )


def load(users: dict[str, User]) -> list[Quote]:
    bank_accounts()
    company_profile()
    templates = terms_templates()
    first = templates[TERMS_TEMPLATES[0][0]]
    for customer in Customer.objects.all():
        template = templates.get(CUSTOMER_TERMS.get(customer.name, ""), first)
        CustomerTermsDefault.objects.get_or_create(
            customer=customer, defaults={"template": template}
        )
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
