"""Every write to contracts, proformas, payments and letters of credit goes through here.

Contract transitions lock the row (``select_for_update``), check the state machine and log
a ``ContractEvent``; illegal moves raise ``StateConflict`` (HTTP 409), bad input Django's
``ValidationError`` with the field at fault (HTTP 400). Numbers ``SC-<year>-<5 digits>``
and ``PI-<year>-<5 digits>`` come from a counter row locked inside the saving transaction.
"""

from __future__ import annotations

import re
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext_noop

from customers.models import Customer, Status
from customers.services import customer_update, timeline_record
from mgtrade.accounts.models import User
from mgtrade.errors import StateConflict
from pricing.engine import currency_quantum
from products import selectors as products_selectors
from quotes.models import BankAccount, Quote, QuoteStatus

from .lc_check import lc_discrepancies
from .models import (
    AcceptedVia,
    BalanceTerms,
    ContractEvent,
    ContractLine,
    ContractStatus,
    DocumentNumberCounter,
    LCAmendment,
    LCStatus,
    LetterOfCredit,
    Payment,
    PaymentAllocation,
    PaymentMethod,
    Proforma,
    ProformaKind,
    ProformaStatus,
    SalesContract,
)
from .quantities import contract_fully_shipped

S = ContractStatus
Action = ContractEvent.Action
ZERO = Decimal("0")
HUNDRED = Decimal("100")

TRANSITIONS: dict[str, set[str]] = {
    S.DRAFT: {S.CONFIRMED, S.CANCELLED},
    S.CONFIRMED: {S.IN_PROGRESS, S.CANCELLED},
    S.IN_PROGRESS: {S.COMPLETED, S.CANCELLED},
    S.COMPLETED: set(),
    S.CANCELLED: set(),
}
ACTIVE_STATUSES = (S.CONFIRMED, S.IN_PROGRESS)

# Defaults of a new contract's terms where the quote says nothing (editable in draft).
DEFAULT_ADVANCE_PERCENT = Decimal("30")
DEFAULT_SHIPMENT_DAYS = 45
DEFAULT_TOLERANCE_PERCENT = Decimal("5")
# Stored in English on the contract; the documents print them through the catalogues.
DEFAULT_DOCUMENTS = [
    gettext_noop("Commercial invoice"),
    gettext_noop("Packing list"),
    # Translators: the standard shipping document set; B/L = bill of lading.
    gettext_noop("Full set of clean on board bills of lading"),
    gettext_noop("Certificate of origin"),
    gettext_noop("Certificate of analysis per lot"),
]
# Translators: ICC (A) are the Institute Cargo Clauses (A); keep the abbreviation.
# xgettext:no-python-format
INSURANCE_DOCUMENT = gettext_noop("Insurance certificate (ICC (A), 110 % of invoice value)")
ORIGIN_PLACE_TERMS = ("EXW", "FCA", "FOB")

CONTRACT_TERM_FIELDS = (
    "consignee",
    "buyer_po_number",
    "payment_method",
    "advance_percent",
    "balance_terms",
    "balance_days_after_bl",
    "shipment_from",
    "latest_shipment_date",
    "tolerance_percent",
    "partial_shipments",
    "transhipment",
    "documents",
    "terms_text",
)
LC_FIELDS = (
    "number",
    "issue_date",
    "issuing_bank",
    "advising_bank",
    "applicant",
    "beneficiary",
    "currency",
    "amount",
    "tolerance_percent",
    "expiry_date",
    "expiry_place",
    "latest_shipment_date",
    "presentation_days",
    "partial_shipments_allowed",
    "transhipment_allowed",
    "port_of_loading",
    "port_of_discharge",
    "incoterm",
    "documents_required",
    "additional_conditions",
)


def _check_fields(fields: dict[str, Any], allowed: tuple[str, ...]) -> None:
    unknown = set(fields) - set(allowed)
    if unknown:
        raise TypeError(f"Unknown fields: {sorted(unknown)}")


def _round(amount: Decimal, currency: str) -> Decimal:
    """To the currency's smallest unit (cents; whole yen), half up."""
    return amount.quantize(currency_quantum(currency), ROUND_HALF_UP)


def _ensure_can_act(*, contract: SalesContract, by: User) -> None:
    if not (by.is_manager or contract.owner_id == by.pk or contract.customer.owner_id == by.pk):
        raise PermissionDenied("You can only work on your own customers' contracts.")


# ------------------------------------------------------------------ numbering


def document_number_allocate(*, prefix: str, year: int) -> str:
    """The next ``<prefix>-<year>-<5 digits>`` from a counter row locked until the caller
    commits: a rolled-back document gives its number back, two never share one."""
    DocumentNumberCounter.objects.get_or_create(prefix=prefix, year=year)
    counter = DocumentNumberCounter.objects.select_for_update().get(prefix=prefix, year=year)
    counter.last += 1
    counter.save(update_fields=["last"])
    return f"{prefix}-{year}-{counter.last:05d}"


# ------------------------------------------------------------------ helpers


def _log(
    contract: SalesContract,
    action: str,
    *,
    by: User | None,
    from_status: str = "",
    comment: str = "",
    data: dict | None = None,
) -> ContractEvent:
    return ContractEvent.objects.create(
        contract=contract,
        action=action,
        by=by,
        from_status=from_status,
        to_status=contract.status,
        comment=comment,
        data=data or {},
    )


def _locked(contract: SalesContract) -> SalesContract:
    return (
        SalesContract.objects.select_for_update(of=("self",))
        .select_related("customer", "quote")
        .get(pk=contract.pk)
    )


def _transition(
    contract: SalesContract,
    to: str,
    *,
    by: User | None,
    action: str,
    comment: str = "",
    data: dict | None = None,
    **fields: Any,
) -> SalesContract:
    if to not in TRANSITIONS[contract.status]:
        raise StateConflict(
            f"A {contract.get_status_display().lower()} contract cannot become "
            f"{S(to).label.lower()}."
        )
    from_status = contract.status
    contract.status = to
    for name, value in fields.items():
        setattr(contract, name, value)
    contract.save()
    _log(contract, action, by=by, from_status=from_status, comment=comment, data=data)
    return contract


def payment_terms_parse(text: str) -> dict[str, Any]:
    """Structured payment terms from a quote's text: "L/C at sight" → L/C; "CAD" → cash
    against documents; otherwise T/T with the first percentage as the advance (30 % when
    the text names none) and the balance before shipment or against a copy of the B/L."""
    folded = (text or "").lower()
    if re.search(r"\bl\s*/\s*c\b|letter of credit", folded):
        return {"payment_method": PaymentMethod.LC_SIGHT, "advance_percent": ZERO}
    if re.search(r"\bcad\b|cash against documents", folded):
        return {"payment_method": PaymentMethod.CAD, "advance_percent": ZERO}
    match = re.search(r"(\d{1,3}(?:\.\d+)?)\s*%", folded)
    advance = Decimal(match.group(1)) if match else DEFAULT_ADVANCE_PERCENT
    days = re.search(r"(\d{1,3})\s*days?\s*(?:after|of|from)\s*(?:the\s*)?b\s*/\s*l", folded)
    return {
        "balance_days_after_bl": int(days.group(1)) if days else 0,
        "payment_method": PaymentMethod.TT,
        "advance_percent": min(advance, HUNDRED),
        "balance_terms": (
            BalanceTerms.BEFORE_SHIPMENT
            if "before shipment" in folded
            else BalanceTerms.AGAINST_BL_COPY
        ),
    }


def _split_total(total: Decimal, weights: list[Decimal], currency: str) -> list[Decimal]:
    """``total`` split in proportion to ``weights``, rounded to the currency's unit, adding
    up exactly to ``total`` (the rounding remainder goes to the largest share)."""
    weight_sum = sum(weights, ZERO)
    if not weights:
        return []
    if weight_sum <= 0:
        shares = [ZERO] * len(weights)
        shares[0] = total
        return shares
    shares = [_round(total * w / weight_sum, currency) for w in weights]
    largest = max(range(len(shares)), key=lambda i: weights[i])
    shares[largest] += total - sum(shares, ZERO)
    return shares


def _buyer_snapshot(quote: Quote) -> dict[str, str]:
    customer, contact = quote.customer, quote.contact
    return {
        "name": customer.name,
        "address": customer.address,
        "city": " ".join(filter(None, [customer.postal_code, customer.city])),
        "country": customer.country.name if customer.country else "",
        "tax_id": customer.vat_id,
        "contact_name": contact.name if contact else "",
        "contact_email": contact.email if contact else "",
    }


def _port_names(codes: list[str]) -> dict[str, str]:
    from products.models import Port

    return dict(Port.objects.filter(code__in=codes).values_list("code", "name"))


# ------------------------------------------------------------------ contracts


@transaction.atomic
def contract_create_from_quote(
    *, quote: Quote, by: User | None = None, po_number: str = ""
) -> SalesContract:
    """The draft contract of an accepted quote version; the existing one if it has one.

    Idempotent: the quote row is locked, so a double click or a repeated call returns the
    same contract (and the one-to-one ``quote`` column forbids a second at the database).
    ``by`` is the rep who recorded the acceptance; ``None`` when the buyer accepted online.
    """
    quote = Quote.objects.select_for_update().get(pk=quote.pk)
    existing = SalesContract.objects.filter(quote=quote).first()
    if existing is not None:
        return existing
    if quote.status != QuoteStatus.ACCEPTED:
        raise StateConflict("Only an accepted quote becomes a contract.")
    quote = Quote.objects.select_related("customer", "contact", "owner").get(pk=quote.pk)
    today = timezone.localdate()
    currency = quote.currency
    total = _round(Decimal(quote.total_quote_currency), currency)
    quote_lines = list(quote.lines.order_by("position"))
    amounts = _split_total(total, [ln.goods_value_usd for ln in quote_lines], currency)
    ports = _port_names([quote.origin_port, quote.destination_port])
    place_code = (
        quote.origin_port if quote.incoterm in ORIGIN_PLACE_TERMS else (quote.destination_port)
    )
    documents = list(DEFAULT_DOCUMENTS)
    if quote.incoterm in ("CIF", "CIP"):
        documents.append(INSURANCE_DOCUMENT)
    terms = payment_terms_parse(quote.payment_terms or quote.customer.payment_terms)
    contract = SalesContract(
        number=document_number_allocate(prefix="SC", year=today.year),
        quote=quote,
        customer=quote.customer,
        owner=quote.owner,
        contract_date=today,
        buyer=_buyer_snapshot(quote),
        buyer_po_number=po_number.strip()[:60],
        accepted_via=AcceptedVia.BUYER_ONLINE if by is None else AcceptedVia.REP,
        accepted_by_name=quote.accepted_by_name or (str(by) if by else ""),
        accepted_at=quote.decided_at or timezone.now(),
        currency=currency,
        incoterm=quote.incoterm,
        named_place=ports.get(place_code, place_code),
        port_of_loading=quote.origin_port,
        port_of_discharge=quote.destination_port,
        total_quantity_mt=quote.total_quantity_mt,
        total_amount=total,
        payment_terms_text=(quote.payment_terms or "")[:300],
        shipment_from=today,
        latest_shipment_date=today + timedelta(days=DEFAULT_SHIPMENT_DAYS),
        tolerance_percent=DEFAULT_TOLERANCE_PERCENT,
        documents=documents,
        terms_text="\n".join(
            filter(None, [quote.lead_time and f"Lead time: {quote.lead_time}", quote.terms])
        ),
        **terms,
    )
    contract.full_clean(exclude=["quote", "customer", "owner"])
    contract.save()
    quantum = currency_quantum(currency)
    # The grade names in the buyer's languages are copied too: documents never read the
    # catalogue again (products/translation.py).
    names = products_selectors.grade_name_translations(
        product_ids=[ln.product_id for ln in quote_lines]
    )
    ContractLine.objects.bulk_create(
        ContractLine(
            contract=contract,
            position=index,
            product_id=ln.product_id,
            product_code=ln.product_code,
            product_name=ln.product_name,
            product_name_translations=names.get(ln.product_id, {}),
            hs_code=ln.hs_code,
            standard=ln.standard,
            quantity_mt=ln.quantity_mt,
            unit_price=(amount / ln.quantity_mt).quantize(quantum, ROUND_HALF_UP),
            amount=amount,
        )
        for index, (ln, amount) in enumerate(zip(quote_lines, amounts, strict=True), start=1)
    )
    who = contract.accepted_by_name or "the buyer"
    po = f", PO {contract.buyer_po_number}" if contract.buyer_po_number else ""
    _log(
        contract,
        Action.CREATED,
        by=by,
        comment=f"From {quote.reference}, accepted by {who}{po}",
        data={"quote": quote.pk, "via": contract.accepted_via},
    )
    timeline_record(
        customer=quote.customer,
        by=by,
        summary=f"{quote.reference} accepted by {who}{po}: contract {contract.number} "
        f"({currency} {total:,.2f}) drafted.",
    )
    _confirm_acceptance_to_buyer(contract)
    return contract


@transaction.atomic
def contract_update(*, contract: SalesContract, by: User, **fields: Any) -> SalesContract:
    """Change a draft contract's terms (after confirmation the contract is fixed: 409)."""
    _check_fields(fields, CONTRACT_TERM_FIELDS)
    contract = _locked(contract)
    _ensure_can_act(contract=contract, by=by)
    if contract.status != S.DRAFT:
        raise StateConflict("Only a draft contract can be edited.")
    changed = {}
    for name, value in fields.items():
        if name in ("consignee", "buyer_po_number", "terms_text") and isinstance(value, str):
            value = value.strip()
        if name == "documents":
            value = [str(d).strip() for d in value or [] if str(d).strip()]
        if getattr(contract, name) != value:
            changed[name] = str(value)
            setattr(contract, name, value)
    if contract.payment_method != PaymentMethod.TT:
        contract.advance_percent = ZERO
    contract.full_clean(exclude=["quote", "customer", "owner"])
    if contract.latest_shipment_date < contract.shipment_from:
        raise ValidationError(
            {"latest_shipment_date": "The latest shipment date is before the period starts."}
        )
    contract.save()
    if changed:
        _log(contract, Action.EDITED, by=by, from_status=contract.status, data=changed)
    return contract


def _required_advance(contract: SalesContract) -> Decimal:
    if contract.payment_method != PaymentMethod.TT:
        return ZERO
    return _round(contract.total_amount * contract.advance_percent / HUNDRED, contract.currency)


def _ready_condition(contract: SalesContract) -> bool:
    """Ready to ship: active, and the advance received (or written off within tolerance),
    or the L/C accepted; contracts with no advance (CAD, T/T 0 %) are ready when active."""
    if contract.status not in ACTIVE_STATUSES:
        return False
    if contract.payment_method == PaymentMethod.LC_SIGHT:
        return LetterOfCredit.objects.filter(contract=contract, status=LCStatus.ACCEPTED).exists()
    if _required_advance(contract) <= 0:
        return True
    deposits = list(
        contract.proformas.filter(kind=ProformaKind.DEPOSIT).exclude(
            status=ProformaStatus.CANCELLED
        )
    )
    return bool(deposits) and all(p.is_settled for p in deposits)


def _refresh_ready(contract: SalesContract, *, by: User | None) -> SalesContract:
    """Set (or clear) ``ready_to_ship_at`` from the condition; logged when it becomes ready."""
    ready = _ready_condition(contract)
    if ready and contract.ready_to_ship_at is None:
        contract.ready_to_ship_at = timezone.now()
        contract.save(update_fields=["ready_to_ship_at", "updated_at"])
        _log(contract, Action.READY, by=by, from_status=contract.status)
    elif (
        not ready and contract.ready_to_ship_at is not None and contract.status in (ACTIVE_STATUSES)
    ):
        contract.ready_to_ship_at = None
        contract.save(update_fields=["ready_to_ship_at", "updated_at"])
    return contract


@transaction.atomic
def contract_confirm(*, contract: SalesContract, by: User) -> SalesContract:
    """The rep confirms the draft: the deposit proforma is issued from the payment terms,
    the customer becomes active on its first confirmed contract, the timeline says so."""
    contract = _locked(contract)
    _ensure_can_act(contract=contract, by=by)
    if contract.status == S.DRAFT and _required_advance(contract) > 0:
        bank_account_for(currency=contract.currency)  # refuse before anything is written
    contract = _transition(
        contract,
        S.CONFIRMED,
        by=by,
        action=Action.CONFIRMED,
        confirmed_at=timezone.now(),
        confirmed_by=by,
    )
    advance = _required_advance(contract)
    if advance > 0:
        _proforma_issue(
            contract=contract,
            by=by,
            kind=ProformaKind.DEPOSIT,
            amount=advance,
            percent=contract.advance_percent,
        )
    customer = Customer.objects.select_for_update().get(pk=contract.customer_id)
    if customer.status in (Status.LEAD, Status.PROSPECT):
        customer_update(customer=customer, by=_customer_actor(customer, by), status=Status.ACTIVE)
    timeline_record(
        customer=customer,
        by=by,
        summary=f"Contract {contract.number} confirmed ({contract.currency} "
        f"{contract.total_amount:,.2f}, {contract.payment_terms_label}).",
    )
    return _refresh_ready(contract, by=by)


def _customer_actor(customer: Customer, by: User) -> User:
    """Who the customer's status change is recorded as: the rep, or the owner when a
    colleague (a manager) confirmed."""
    return by if (by.is_manager or customer.owner_id == by.pk) else customer.owner


@transaction.atomic
def contract_record_countersignature(
    *, contract: SalesContract, by: User, name: str, title: str = "", signed_on: date
) -> SalesContract:
    """The buyer's countersigned copy came back: who signed, as what, when."""
    contract = _locked(contract)
    _ensure_can_act(contract=contract, by=by)
    if contract.status not in ACTIVE_STATUSES:
        raise StateConflict("Record the countersignature on a confirmed contract.")
    if not name.strip():
        raise ValidationError({"name": "Enter the name of the buyer's signatory."})
    if signed_on > timezone.localdate():
        raise ValidationError({"signed_on": "The date cannot be in the future."})
    contract.countersigned_by_name = name.strip()[:200]
    contract.countersigned_by_title = title.strip()[:120]
    contract.countersigned_on = signed_on
    contract.save()
    _log(
        contract,
        Action.COUNTERSIGNED,
        by=by,
        from_status=contract.status,
        comment=f"{contract.countersigned_by_name} on {signed_on.isoformat()}",
    )
    return contract


@transaction.atomic
def contract_start(*, contract: SalesContract, by: User) -> SalesContract:
    """Production or shipping has started."""
    contract = _locked(contract)
    _ensure_can_act(contract=contract, by=by)
    return _transition(contract, S.IN_PROGRESS, by=by, action=Action.STARTED)


@transaction.atomic
def contract_complete(*, contract: SalesContract, by: User) -> SalesContract:
    """Shipped and paid: every proforma settled."""
    contract = _locked(contract)
    _ensure_can_act(contract=contract, by=by)
    if contract.status == S.IN_PROGRESS:
        if not contract_fully_shipped(contract=contract):
            raise StateConflict(
                "Not every line is shipped within the quantity tolerance yet: record the "
                "shipments first."
            )
        open_proformas = [
            p.number
            for p in contract.proformas.filter(status=ProformaStatus.ISSUED)
            if not p.is_settled
        ]
        if open_proformas:
            raise StateConflict(
                f"Proformas still unpaid: {', '.join(open_proformas)}. Record their "
                "payments (or cancel them) first."
            )
    return _transition(contract, S.COMPLETED, by=by, action=Action.COMPLETED)


@transaction.atomic
def contract_cancel(*, contract: SalesContract, by: User, reason: str) -> SalesContract:
    """Cancel with a reason; its unpaid proformas are cancelled with it."""
    contract = _locked(contract)
    _ensure_can_act(contract=contract, by=by)
    if not reason.strip():
        raise ValidationError({"reason": "Say why the contract is cancelled."})
    contract = _transition(
        contract,
        S.CANCELLED,
        by=by,
        action=Action.CANCELLED,
        comment=reason.strip(),
        cancel_reason=reason.strip(),
    )
    contract.proformas.filter(status=ProformaStatus.ISSUED, received_amount=0).update(
        status=ProformaStatus.CANCELLED
    )
    timeline_record(
        customer=contract.customer,
        by=by,
        summary=f"Contract {contract.number} cancelled: {reason.strip()}",
    )
    return contract


# ------------------------------------------------------------------ proformas


def bank_account_for(*, currency: str) -> BankAccount:
    """The default active account for ``currency``; a field error when there is none."""
    account = BankAccount.objects.filter(currency=currency, is_default=True, active=True).first()
    if account is None:
        raise ValidationError(
            {
                "bank_account": f"There is no default bank account for {currency}: an admin "
                "adds one (Admin → Bank accounts) before a proforma can be issued."
            }
        )
    return account


def _proforma_issue(
    *,
    contract: SalesContract,
    by: User | None,
    kind: str,
    amount: Decimal,
    percent: Decimal | None = None,
    due_date: date | None = None,
) -> Proforma:
    today = timezone.localdate()
    account = bank_account_for(currency=contract.currency)
    due = due_date or today + timedelta(days=int(settings.MGTRADE["PROFORMA_DUE_DAYS"]))
    if due < today:
        raise ValidationError({"due_date": "The due date cannot be in the past."})
    proforma = Proforma.objects.create(
        number=document_number_allocate(prefix="PI", year=today.year),
        contract=contract,
        kind=kind,
        percent=percent,
        currency=contract.currency,
        amount=amount,
        issue_date=today,
        due_date=due,
        bank_account=account,
        bank=account.snapshot(),
        created_by=by,
    )
    _log(
        contract,
        Action.PROFORMA,
        by=by,
        from_status=contract.status,
        comment=f"{proforma.number} {proforma.get_kind_display().lower()} "
        f"{proforma.currency} {proforma.amount:,.2f} due {due.isoformat()}",
        data={"proforma": proforma.pk},
    )
    return proforma


@transaction.atomic
def proforma_create_balance(
    *, contract: SalesContract, by: User, due_date: date | None = None
) -> Proforma:
    """The balance proforma: the contract value less every proforma not cancelled."""
    contract = _locked(contract)
    _ensure_can_act(contract=contract, by=by)
    if contract.status not in ACTIVE_STATUSES:
        raise StateConflict("Issue proformas on a confirmed contract.")
    if contract.payment_method == PaymentMethod.LC_SIGHT:
        raise StateConflict("This contract is paid by letter of credit, not by proforma.")
    requested = (
        contract.proformas.exclude(status=ProformaStatus.CANCELLED).aggregate(total=Sum("amount"))[
            "total"
        ]
        or ZERO
    )
    balance = contract.total_amount - requested
    if balance <= 0:
        raise StateConflict("Proformas already request the whole contract value.")
    return _proforma_issue(
        contract=contract,
        by=by,
        kind=ProformaKind.BALANCE,
        amount=balance,
        percent=(HUNDRED - contract.advance_percent) if contract.advance_percent else HUNDRED,
        due_date=due_date,
    )


def _usd(amount: Decimal, contract: SalesContract) -> Decimal:
    """An amount in the contract currency at the quote's rate (quote currency per USD)."""
    rate = Decimal(contract.quote.fx_rate or 1)
    return (amount / rate).quantize(Decimal("0.01"), ROUND_HALF_UP) if rate else amount


@transaction.atomic
def proforma_write_off(*, proforma: Proforma, by: User, reason: str) -> Proforma:
    """A manager writes off what is still outstanding (bank charges) within the tolerance."""
    proforma = Proforma.objects.select_for_update().get(pk=proforma.pk)
    contract = _locked(proforma.contract)
    if not by.is_manager:
        raise PermissionDenied("Only a manager can write off a payment difference.")
    if not reason.strip():
        raise ValidationError({"reason": "Say why the difference is written off."})
    if proforma.status != ProformaStatus.ISSUED:
        raise StateConflict(
            f"A {proforma.get_status_display().lower()} proforma has nothing to write off."
        )
    outstanding = proforma.outstanding
    if outstanding <= 0:
        raise StateConflict("Nothing is outstanding on this proforma.")
    if proforma.received_amount <= 0:
        raise StateConflict("Nothing has been received yet: this is not a bank charge.")
    tolerance = Decimal(settings.MGTRADE["PAYMENT_WRITE_OFF_TOLERANCE_USD"])
    in_usd = _usd(outstanding, contract)
    if in_usd > tolerance:
        raise ValidationError(
            {
                "amount": f"{proforma.currency} {outstanding:,.2f} (USD {in_usd:,.2f}) is more "
                f"than the USD {tolerance:,.2f} that may be written off."
            }
        )
    proforma.written_off_amount = outstanding
    proforma.written_off_reason = reason.strip()
    proforma.written_off_by = by
    proforma.written_off_at = timezone.now()
    _settle(proforma)
    _log(
        contract,
        Action.WRITE_OFF,
        by=by,
        from_status=contract.status,
        comment=f"{proforma.number}: {proforma.currency} {outstanding:,.2f} written off "
        f"({reason.strip()})",
        data={"proforma": proforma.pk, "amount": str(outstanding)},
    )
    _refresh_ready(contract, by=by)
    return proforma


def _settle(proforma: Proforma) -> None:
    if proforma.is_settled and proforma.status == ProformaStatus.ISSUED:
        proforma.status = ProformaStatus.PAID
        proforma.paid_at = timezone.now()
        proforma.overdue_since = None
    proforma.save()


def proformas_flag_overdue(*, today: date | None = None) -> int:
    """Daily: flag issued proformas past their due date and unpaid (My day lists them);
    unflag those since paid. Returns how many are overdue. Safe to run twice."""
    today = today or timezone.localdate()
    Proforma.objects.exclude(status=ProformaStatus.ISSUED).exclude(overdue_since=None).update(
        overdue_since=None
    )
    Proforma.objects.filter(
        status=ProformaStatus.ISSUED, due_date__lt=today, overdue_since=None
    ).update(overdue_since=today)
    return Proforma.objects.filter(status=ProformaStatus.ISSUED, due_date__lt=today).count()


# ------------------------------------------------------------------ payments


@transaction.atomic
def payment_record(
    *,
    customer: Customer,
    by: User,
    amount: Decimal,
    currency: str,
    value_date: date,
    bank_reference: str,
    payer: str,
    allocations: list[tuple[Proforma, Decimal]],
    note: str = "",
) -> Payment:
    """Money received from ``customer``, allocated to its proformas (one payment may pay
    several; a proforma may be paid in parts; what is not allocated stays on the payment
    as unallocated, shown as an over-payment)."""
    if not (by.is_manager or customer.owner_id == by.pk):
        raise PermissionDenied("You can only record payments of your own customers.")
    currency = (currency or "").upper()
    if amount is None or amount <= 0:
        raise ValidationError({"amount": "Enter the amount received."})
    if _round(amount, currency) != amount:
        raise ValidationError(
            {
                "amount": f"{currency} amounts have no smaller unit than "
                f"{currency_quantum(currency)}."
            }
        )
    if value_date > timezone.localdate():
        raise ValidationError({"value_date": "The value date cannot be in the future."})
    if not bank_reference.strip():
        raise ValidationError({"bank_reference": "Enter the bank's reference."})
    payment = Payment(
        customer=customer,
        amount=amount,
        currency=currency,
        value_date=value_date,
        bank_reference=bank_reference.strip(),
        payer=payer.strip() or customer.name,
        note=note.strip(),
        recorded_by=by,
    )
    payment.full_clean(exclude=["customer", "recorded_by"])
    payment.save()
    _allocate(payment=payment, allocations=allocations, by=by)
    timeline_record(
        customer=customer,
        by=by,
        on=value_date,
        summary=f"Payment received: {currency} {amount:,.2f} from {payment.payer} "
        f"(ref. {payment.bank_reference})"
        + (
            f" for {', '.join(p.number for p, _a in allocations)}."
            if allocations
            else ", not allocated yet."
        ),
    )
    return payment


@transaction.atomic
def payment_allocate(
    *, payment: Payment, by: User, allocations: list[tuple[Proforma, Decimal]]
) -> Payment:
    """Allocate what is still unallocated on a payment."""
    payment = Payment.objects.select_for_update().select_related("customer").get(pk=payment.pk)
    if not (by.is_manager or payment.customer.owner_id == by.pk):
        raise PermissionDenied("You can only allocate payments of your own customers.")
    if not allocations:
        raise ValidationError({"allocations": "Choose a proforma and an amount."})
    _allocate(payment=payment, allocations=allocations, by=by)
    return payment


def payment_unallocated(payment: Payment) -> Decimal:
    allocated = payment.allocations.aggregate(total=Sum("amount"))["total"] or ZERO
    return payment.amount - allocated


def _allocate(*, payment: Payment, allocations: list[tuple[Proforma, Decimal]], by: User) -> None:
    seen: set[int] = set()
    available = payment_unallocated(payment)
    total = sum((a for _p, a in allocations), ZERO)
    if total > available:
        raise ValidationError(
            {
                "allocations": f"The allocations ({payment.currency} {total:,.2f}) are more than "
                f"the payment leaves unallocated ({payment.currency} {available:,.2f})."
            }
        )
    touched: list[Proforma] = []
    for proforma, amount in allocations:
        proforma = (
            Proforma.objects.select_for_update()
            .select_related("contract", "contract__quote")
            .get(pk=proforma.pk)
        )
        if proforma.pk in seen:
            raise ValidationError({"allocations": f"{proforma.number} is listed twice."})
        seen.add(proforma.pk)
        if proforma.contract.customer_id != payment.customer_id:
            raise ValidationError({"allocations": f"{proforma.number} is another customer's."})
        if proforma.currency != payment.currency:
            raise ValidationError(
                {
                    "allocations": f"{proforma.number} is in {proforma.currency}, the payment in "
                    f"{payment.currency}."
                }
            )
        if proforma.status == ProformaStatus.CANCELLED:
            raise ValidationError({"allocations": f"{proforma.number} is cancelled."})
        if amount is None or amount <= 0 or _round(amount, payment.currency) != amount:
            raise ValidationError(
                {"allocations": f"Enter a positive amount for {proforma.number}."}
            )
        existing = PaymentAllocation.objects.filter(payment=payment, proforma=proforma).first()
        if existing:
            existing.amount += amount
            existing.save(update_fields=["amount"])
        else:
            PaymentAllocation.objects.create(payment=payment, proforma=proforma, amount=amount)
        proforma.received_amount = (
            proforma.allocations.aggregate(total=Sum("amount"))["total"] or ZERO
        )
        _settle(proforma)
        touched.append(proforma)
        _log(
            proforma.contract,
            Action.PAYMENT,
            by=by,
            from_status=proforma.contract.status,
            comment=f"{payment.currency} {amount:,.2f} of payment {payment.bank_reference} "
            f"to {proforma.number}",
            data={"payment": payment.pk, "proforma": proforma.pk, "amount": str(amount)},
        )
    for contract_pk in {p.contract_id for p in touched}:
        _refresh_ready(_locked(SalesContract(pk=contract_pk)), by=by)


# ------------------------------------------------------------------ letters of credit


def _lc_clean(fields: dict[str, Any]) -> dict[str, Any]:
    fields = dict(fields)
    for key in ("currency", "port_of_loading", "port_of_discharge", "incoterm"):
        if isinstance(fields.get(key), str):
            fields[key] = fields[key].strip().upper()
    if "documents_required" in fields:
        docs = fields["documents_required"]
        if isinstance(docs, str):
            docs = docs.splitlines()
        fields["documents_required"] = [str(d).strip() for d in docs or [] if str(d).strip()]
    return fields


def _lc_check(lc: LetterOfCredit, contract: SalesContract) -> None:
    lc.discrepancies = [d.to_dict() for d in lc_discrepancies(lc, contract)]
    lc.checked_at = timezone.now()


@transaction.atomic
def lc_record(*, contract: SalesContract, by: User, **fields: Any) -> LetterOfCredit:
    """Enter the L/C the buyer's bank opened, and check it against the contract."""
    _check_fields(fields, LC_FIELDS)
    contract = _locked(contract)
    _ensure_can_act(contract=contract, by=by)
    if contract.payment_method != PaymentMethod.LC_SIGHT:
        raise StateConflict("This contract is not paid by letter of credit.")
    if contract.status not in (S.DRAFT, *ACTIVE_STATUSES):
        raise StateConflict(f"A {contract.get_status_display().lower()} contract takes no L/C.")
    if LetterOfCredit.objects.filter(contract=contract).exists():
        raise StateConflict("This contract has its L/C: record an amendment instead.")
    lc = LetterOfCredit(contract=contract, **_lc_clean(fields))
    lc.full_clean(exclude=["contract"])
    _lc_check(lc, contract)
    lc.save()
    _log(
        contract,
        Action.LC_ENTERED,
        by=by,
        from_status=contract.status,
        comment=f"L/C {lc.number}, {len(lc.discrepancies)} discrepancies",
        data={"discrepancies": lc.discrepancies},
    )
    return lc


@transaction.atomic
def lc_amend(
    *, lc: LetterOfCredit, by: User, date: date, note: str = "", **changes: Any
) -> LCAmendment:
    """An amendment: the changed fields (old → new) as a dated record; checked again, and
    an accepted L/C needs accepting again."""
    _check_fields(changes, LC_FIELDS)
    lc = LetterOfCredit.objects.select_for_update().get(pk=lc.pk)
    contract = _locked(lc.contract)
    _ensure_can_act(contract=contract, by=by)
    if contract.status not in (S.DRAFT, *ACTIVE_STATUSES):
        raise StateConflict(f"A {contract.get_status_display().lower()} contract's L/C is closed.")
    changed: dict[str, list[str]] = {}
    for name, value in _lc_clean(changes).items():
        old = getattr(lc, name)
        if old != value:
            changed[name] = [_plain(old), _plain(value)]
            setattr(lc, name, value)
    if not changed:
        raise ValidationError({"__all__": "The amendment changes nothing."})
    lc.full_clean(exclude=["contract"])
    _lc_check(lc, contract)
    was_accepted = lc.status == LCStatus.ACCEPTED
    lc.status = LCStatus.RECEIVED
    lc.accepted_at = None
    lc.accepted_by = None
    lc.save()
    sequence = lc.amendments.count() + 1
    amendment = LCAmendment.objects.create(
        letter_of_credit=lc,
        sequence=sequence,
        date=date,
        changes=changed,
        note=note.strip(),
        recorded_by=by,
    )
    _log(
        contract,
        Action.LC_AMENDED,
        by=by,
        from_status=contract.status,
        comment=f"Amendment {sequence}: {', '.join(changed)}; "
        f"{len(lc.discrepancies)} discrepancies"
        + ("; to be accepted again" if was_accepted else ""),
        data={"changes": changed, "discrepancies": lc.discrepancies},
    )
    _refresh_ready(contract, by=by)
    return amendment


def _plain(value: Any) -> Any:
    if isinstance(value, (date, Decimal)):
        return str(value)
    return value


@transaction.atomic
def lc_request_amendment(*, lc: LetterOfCredit, by: User, text: str) -> LetterOfCredit:
    """The rep asks the buyer to amend the L/C (what to change, as sent to the buyer)."""
    lc = LetterOfCredit.objects.select_for_update().get(pk=lc.pk)
    contract = _locked(lc.contract)
    _ensure_can_act(contract=contract, by=by)
    if lc.status == LCStatus.ACCEPTED:
        raise StateConflict("This L/C is accepted.")
    if not text.strip():
        raise ValidationError({"text": "Say what the buyer should have amended."})
    lc.status = LCStatus.AMENDMENT_REQUESTED
    lc.amendment_request = text.strip()
    lc.save()
    _log(
        contract,
        Action.LC_AMENDMENT_REQUESTED,
        by=by,
        from_status=contract.status,
        comment=lc.amendment_request,
    )
    return lc


@transaction.atomic
def lc_accept(*, lc: LetterOfCredit, by: User, note: str = "") -> LetterOfCredit:
    """The rep accepts the L/C explicitly (with any discrepancies listed, knowingly)."""
    lc = LetterOfCredit.objects.select_for_update().get(pk=lc.pk)
    contract = _locked(lc.contract)
    _ensure_can_act(contract=contract, by=by)
    if lc.status == LCStatus.ACCEPTED:
        raise StateConflict("This L/C is already accepted.")
    if lc.discrepancies and not note.strip():
        raise ValidationError(
            {"note": "The L/C has discrepancies: say why you accept it as it is."}
        )
    lc.status = LCStatus.ACCEPTED
    lc.accepted_at = timezone.now()
    lc.accepted_by = by
    lc.save()
    _log(
        contract,
        Action.LC_ACCEPTED,
        by=by,
        from_status=contract.status,
        comment=note.strip(),
        data={"discrepancies_accepted": lc.discrepancies},
    )
    _refresh_ready(contract, by=by)
    return lc


# ------------------------------------------------------------------ sending to the buyer
# The contract and proforma PDFs go through the quotes' pipeline (``quotes.sending``): a
# delivery row renders the frozen document once, an e-mail row sends it once.


def _buyer_addresses(contract: SalesContract) -> tuple[list[str], list[str], list[str]]:
    """To the buyer's contact on the contract, a copy to the rep, replies to the rep."""
    buyer = contract.buyer.get("contact_email", "")
    if not buyer:
        raise StateConflict(
            "The contract names no buyer contact with an e-mail address: add one to the "
            "quote's contact before the contract was made, or send the PDF yourself."
        )
    rep = contract.owner.email
    return [buyer], [rep] if rep and rep != buyer else [], [rep] if rep else []


def _buyer_opted_out(contract: SalesContract) -> bool:
    contact = contract.quote.contact
    return bool(contact and contact.email_opt_out)


def document_language(*, contract: SalesContract, override: str | None = None) -> str:
    """The language of a document sent to the buyer: the rep's ``override`` (a language we
    ship, else ``ValidationError`` on ``language``), else the contract's
    (``selectors.contract_language``)."""
    from mgtrade.i18n import buyer_language

    from .selectors import contract_language

    if not override:
        return contract_language(contract)
    try:
        return buyer_language(contact_language=None, override=override)
    except ValueError:
        raise ValidationError(
            {"language": f"{override!r} is not a language we send documents in."}
        ) from None


@transaction.atomic
def contract_send(
    *, contract: SalesContract, by: User, language: str | None = None
) -> SalesContract:
    """E-mail the contract PDF (both signature blocks) to the buyer for countersignature,
    once: rendered and sent in the worker, tracked like a quote's delivery. ``language``:
    the rep's choice (default: the contract's, ``document_language``)."""
    from quotes.sending.services import document_send

    from . import documents, emails

    contract = _locked(contract)
    _ensure_can_act(contract=contract, by=by)
    if contract.status not in ACTIVE_STATUSES:
        raise StateConflict("Confirm the contract before sending it to the buyer.")
    if contract.delivery_id is not None:
        raise StateConflict("The contract has been sent; its delivery shows where it stands.")
    to, cc, reply_to = _buyer_addresses(contract)
    language = document_language(contract=contract, override=language)
    contract.delivery = document_send(
        quote=contract.quote,
        kind="contract",
        template=documents.CONTRACT_TEMPLATE,
        filename=documents.contract_pdf_filename(contract),
        document=documents.contract_document(contract, language=language),
        to=to,
        cc=cc,
        reply_to=reply_to,
        context=emails.contract_context(contract),
        by=by,
        language=language,
    )
    contract.save(update_fields=["delivery", "updated_at"])
    _log(
        contract,
        Action.SENT,
        by=by,
        from_status=contract.status,
        comment=f"Contract {contract.number} to {', '.join(to)}",
    )
    return contract


@transaction.atomic
def proforma_send(*, proforma: Proforma, by: User, language: str | None = None) -> Proforma:
    """E-mail a proforma PDF (amount, due date, bank account) to the buyer, once, in
    ``language`` (default: the contract's, ``document_language``)."""
    from quotes.sending.services import document_send

    from . import documents, emails

    proforma = Proforma.objects.select_for_update().get(pk=proforma.pk)
    contract = _locked(proforma.contract)
    _ensure_can_act(contract=contract, by=by)
    if proforma.status != ProformaStatus.ISSUED:
        raise StateConflict(f"A {proforma.get_status_display().lower()} proforma is not sent.")
    if proforma.delivery_id is not None:
        raise StateConflict("The proforma has been sent; its delivery shows where it stands.")
    proforma.contract = contract
    to, cc, reply_to = _buyer_addresses(contract)
    language = document_language(contract=contract, override=language)
    proforma.delivery = document_send(
        quote=contract.quote,
        kind="proforma",
        template=documents.PROFORMA_TEMPLATE,
        filename=documents.proforma_pdf_filename(proforma),
        document=documents.proforma_document(proforma, language=language),
        to=to,
        cc=cc,
        reply_to=reply_to,
        context=emails.proforma_context(proforma),
        by=by,
        language=language,
    )
    proforma.save(update_fields=["delivery"])
    _log(
        contract,
        Action.SENT,
        by=by,
        from_status=contract.status,
        comment=f"Proforma {proforma.number} to {', '.join(to)}",
        data={"proforma": proforma.pk},
    )
    return proforma


def _confirm_acceptance_to_buyer(contract: SalesContract) -> None:
    """The buyer's confirmation e-mail on acceptance (queued, sent once on commit)."""
    from quotes.sending.services import buyer_email_queue

    from . import emails

    if _buyer_opted_out(contract) or not contract.buyer.get("contact_email"):
        return
    to, cc, reply_to = _buyer_addresses(contract)
    buyer_email_queue(
        quote=contract.quote,
        kind="confirmation",
        to=to,
        cc=cc,
        reply_to=reply_to,
        context=emails.confirmation_context(contract),
    )
