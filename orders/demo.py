"""Demo orders: the exporter's bank accounts, one confirmed contract awaiting its deposit and
one under L/C whose L/C has discrepancies.

Idempotent: bank accounts are found by currency and account number; a customer that already
has a contract gets none. The quotes are marked sent (no e-mail: the demo's accepted deals
happened before the demo starts) and accepted by the rep with the buyer's PO number.
"""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from django.utils import timezone

from customers.models import Customer
from mgtrade.accounts.models import User
from quotes import demo as quotes_demo
from quotes import services as quote_services
from quotes.demo import BENEFICIARY

from . import services
from .models import SalesContract

# customer, lines (grade, MT), PO number, what happens after confirmation
DEMO_CONTRACTS = [
    ("Schwabenguss Leichtmetall GmbH", [("AZ91D", "40")], "SG-4500-2291", "awaiting_deposit"),
    ("Elbtal Aerostruktur AG", [("MG9995", "20")], "EA-PO-77120", "lc_discrepancy"),
]


def _accepted_quote(
    customer: Customer, lines: list[tuple[str, str]], po_number: str, manager: User | None
):
    terms = quote_services.QuoteTerms(
        incoterm=customer.default_incoterm or "CIF",
        destination_port=customer.default_destination_port,
        currency=customer.default_currency or "USD",
        contact=customer.contacts.filter(is_primary=True).first(),
        payment_terms=customer.payment_terms,
        lead_time="3–4 weeks after deposit",
        lines=[
            {"product": code, "quantity_mt": Decimal(qty), "discount_percent": Decimal("0")}
            for code, qty in lines
        ],
    )
    quote = quote_services.quote_create(customer=customer, by=customer.owner, terms=terms)
    if quote.needs_approval and manager is not None:
        quote = quote_services.quote_submit_for_approval(quote=quote, by=customer.owner)
        quote = quote_services.quote_approve(
            quote=quote, by=manager, comment="Agreed with the buyer on the phone."
        )
    quote = quote_services.quote_mark_sent(quote=quote, by=customer.owner)
    contact = customer.contacts.filter(is_primary=True).first()
    return quote_services.quote_accept(
        quote=quote,
        by=customer.owner,
        buyer_name=contact.name if contact else "",
        po_number=po_number,
    )


def _lc_with_discrepancies(contract: SalesContract, by: User) -> None:
    """An L/C as banks often open it: the latest shipment date two weeks early, no
    tolerance, and a third-party inspection certificate we do not issue."""
    services.lc_record(
        contract=contract,
        by=by,
        number="DEUT-DLC-2026-11873",
        issue_date=timezone.localdate(),
        issuing_bank="Deutsche Bank AG, Dresden",
        advising_bank="Bank of China, Ningxia Branch",
        applicant=contract.buyer["name"],
        beneficiary=BENEFICIARY,
        currency=contract.currency,
        amount=contract.total_amount,
        tolerance_percent=Decimal("0"),
        expiry_date=contract.latest_shipment_date + timedelta(days=7),
        expiry_place="Dresden, Germany",
        latest_shipment_date=contract.latest_shipment_date - timedelta(days=14),
        presentation_days=None,
        partial_shipments_allowed=True,
        transhipment_allowed=False,
        port_of_loading=contract.port_of_loading,
        port_of_discharge=contract.port_of_discharge,
        incoterm=contract.incoterm,
        documents_required=[
            "Signed commercial invoice in 3 originals indicating the L/C number",
            "Packing list",
            "Full set of clean on board ocean bills of lading made out to order",
            "Certificate of origin issued by CCPIT",
            "Certificate of analysis issued by the manufacturer",
            "Insurance certificate for 110 % of the invoice value, ICC (A)",
            "Inspection certificate issued by SGS at the port of loading",
        ],
        additional_conditions="All documents must show the L/C number and the buyer's PO.",
    )


def load(users: dict[str, User]) -> list[SalesContract]:
    quotes_demo.bank_accounts()
    contracts = []
    for name, lines, po_number, then in DEMO_CONTRACTS:
        customer = Customer.objects.filter(name=name).first()
        if customer is None or SalesContract.objects.filter(customer=customer).exists():
            continue
        quote = _accepted_quote(customer, lines, po_number, users.get("manager"))
        contract = SalesContract.objects.get(quote=quote)
        contract = services.contract_confirm(contract=contract, by=customer.owner)
        if then == "lc_discrepancy":
            _lc_with_discrepancies(contract, customer.owner)
        contracts.append(contract)
    return contracts
