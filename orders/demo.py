"""Demo orders: the exporter's bank accounts, lots with their analysis for the demo grades, one
confirmed contract awaiting its deposit, one shipped (B/L, documents issued) and
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
    ("Rijnmond Staalbehandeling B.V.", [("MG9990", "40")], "RS-2026-0415", "shipped"),
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
    if users.get("qc"):
        lots(users["qc"])
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
        if then == "shipped":
            _shipped(contract, users)
        contracts.append(contract)
    return contracts


def _measured(limit, *, over: bool = False) -> Decimal:
    """A plausible value inside the limit (or just over its maximum when ``over``)."""
    low, high = limit.min_percent, limit.max_percent
    if over and high is not None:
        return (high * Decimal("1.5")).quantize(Decimal("0.0001"))
    if low is not None and high is not None:
        return ((low + high) / 2).quantize(Decimal("0.0001"))
    if high is not None:
        return (high / 3).quantize(Decimal("0.0001"))
    return min(low + (Decimal("100") - low) / 3, Decimal("100")).quantize(Decimal("0.0001"))


def lots(qc: User) -> list:
    """Two lots per demo grade with a chemical specification, analysed within it; the
    second AZ91D lot is over its first maximum (to show the override)."""
    from products.models import Product

    from . import shipping
    from .models import Lot

    made = []
    today = timezone.localdate()
    products = Product.objects.filter(active=True).prefetch_related("spec_limits").order_by("code")
    for product in products:
        limits = list(product.spec_limits.all())
        if not limits:
            continue
        for n in (1, 2):
            number = f"{product.code.replace('-', '')}-{today:%y%m}-{n:02d}"
            if Lot.objects.filter(number=number).exists():
                continue
            over = product.code == "AZ91D" and n == 2
            with_max = next((lim for lim in limits if lim.max_percent is not None), None)
            analyses = {
                lim.element: _measured(lim, over=over and lim is with_max) for lim in limits
            }
            made.append(
                shipping.lot_create(
                    by=qc,
                    number=number,
                    product=product,
                    production_date=today - timedelta(days=10 + n),
                    net_weight_mt=Decimal("20.000"),
                    ingots=2666,
                    bundles=20,
                    analyses=analyses,
                )
            )
    return made


def _shipped(contract: SalesContract, users: dict[str, User]) -> None:
    """Deposit paid, both MG9990 lots shipped in one container, B/L recorded, documents
    issued: the balance proforma is due on the on-board date."""
    from . import export_documents, shipping
    from .models import Lot, ProformaKind

    rep = contract.owner
    deposit = contract.proformas.filter(kind=ProformaKind.DEPOSIT).first()
    if deposit is not None:
        services.payment_record(
            customer=contract.customer,
            by=rep,
            amount=deposit.amount,
            currency=contract.currency,
            value_date=timezone.localdate() - timedelta(days=5),
            bank_reference="FT26DEMO0415",
            payer=contract.buyer["name"],
            allocations=[(deposit, deposit.amount)],
        )
    contract.refresh_from_db()
    line = contract.lines.get()
    lots_ = list(Lot.objects.filter(product_id=line.product_id).order_by("number")[:2])
    if len(lots_) < 2:
        return
    shipment = shipping.shipment_create(
        contract=contract, by=rep, vessel="CMA CGM Tage", voyage="0FL3NW1MA"
    )
    for lot in lots_:
        shipping.lot_allocate(shipment=shipment, by=rep, contract_line=line, lot=lot)
    shipping.shipment_book(shipment=shipment, by=rep, booking_number="TXG2611047")
    net = sum((lot.net_weight_mt for lot in lots_), Decimal("0"))
    shipping.container_add(
        shipment=shipment,
        by=rep,
        number="CMAU4127785",
        seal="CN8812034",
        type="20GP",
        net_weight_mt=net,
        gross_weight_mt=net + Decimal("0.640"),
        bundles=sum(lot.bundles for lot in lots_),
        lots=lots_,
    )
    today = timezone.localdate()
    shipment = shipping.shipment_update(
        shipment=shipment, by=rep, etd=today, eta=today + timedelta(days=34)
    )
    shipment = shipping.shipment_load(
        shipment=shipment, by=rep, bl_number="CMDUTXG1104711", on_board_date=today
    )
    export_documents.shipment_documents_issue(shipment=shipment, by=rep)
