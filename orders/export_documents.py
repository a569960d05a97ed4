"""The export document set of a shipment: commercial invoice, packing list and a
certificate of analysis per lot; the L/C presentation check; sending the set.

Issuing freezes each document's content into an ``ExportDocument`` row (numbers
``CI-``/``PL-``/``COA-<year>-<5 digits>`` from the locked counter) inside the transaction;
the PDF is rendered after the commit (``export_document_render``: the quotes' WeasyPrint
renderer, slow I/O outside the transaction) and stored with its SHA-256. An issued
document never changes: rendering its frozen content again gives the same bytes, and a
correction is a new revision of the same number (the earlier one marked superseded).

The set goes to the buyer (and the L/C's bank contact) as one delivery through the quotes'
sending pipeline: one PDF holding every current document, rendered and e-mailed once by
the worker. Under an L/C it goes only once the presentation check is clean or a manager
has acknowledged its discrepancies.

Language: the documents are issued in the buyer's language (``document_language``), the
frozen content records it and every render runs inside ``translation.override`` of it, so
the stored PDF and a re-render agree. Under an L/C they are in English: UCP 600 examines
the documents against the credit, which is written in English.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext_noop

from mgtrade.accounts.models import User
from mgtrade.errors import StateConflict
from mgtrade.i18n import ENGLISH
from products.models import Product
from quotes.documents.context import document_freeze, document_render, pdf_sha256
from quotes.documents.pdf import company_context

from . import services, shipping
from .models import (
    ContractEvent,
    ExportDocument,
    ExportDocumentKind,
    Lot,
    Shipment,
    ShipmentStatus,
)
from .presentation_check import Presentation, presentation_discrepancies

K = ExportDocumentKind
TEMPLATE = "pdf/export_document.html"
PREFIX = {K.COMMERCIAL_INVOICE: "CI", K.PACKING_LIST: "PL", K.CERTIFICATE_OF_ANALYSIS: "COA"}
SET_TEMPLATE = "pdf/export_set.html"
# Stored in English in the frozen content; the template prints them through the catalogues.
COUNTRY_OF_ORIGIN = gettext_noop("People's Republic of China")
KIND_NAMES = (
    gettext_noop("Commercial invoice"),
    gettext_noop("Packing list"),
    gettext_noop("Certificate of analysis"),
)
ZERO = Decimal("0")


def _mt(value: Decimal) -> str:
    return f"{value:,.3f}"


def _dangerous_goods(products: Iterable[Product]) -> list[dict[str, str]]:
    """The DG line for granules and powder (UN number, class, proper shipping name)."""
    seen, lines = set(), []
    for product in products:
        if shipping.is_dangerous(product) and product.un_number not in seen:
            seen.add(product.un_number)
            lines.append(
                {
                    "un_number": product.un_number,
                    "dg_class": product.dg_class,
                    "name": "MAGNESIUM POWDER"
                    if product.category == "powder"
                    else "MAGNESIUM, PELLETS, TURNINGS OR RIBBONS",
                    "grade": product.code,
                }
            )
    return lines


def _header(shipment: Shipment) -> dict[str, Any]:
    contract = shipment.contract
    lc = getattr(contract, "letter_of_credit", None) if contract.uses_lc else None
    company = company_context()
    return {
        "company": company,
        "buyer": dict(contract.buyer),
        "consignee": contract.consignee,
        "contract": {
            "number": contract.number,
            "date": contract.contract_date.isoformat(),
            "buyer_po_number": contract.buyer_po_number,
            "currency": contract.currency,
            "incoterm": contract.incoterm,
            "named_place": contract.named_place,
            "payment_terms": contract.payment_terms_label,
        },
        "lc": {"number": lc.number, "issuing_bank": lc.issuing_bank} if lc else None,
        "shipment": {
            "reference": shipment.reference,
            "port_of_loading": shipment.port_of_loading,
            "port_of_discharge": shipment.port_of_discharge,
            "vessel": shipment.vessel,
            "voyage": shipment.voyage,
            "bl_number": shipment.bl_number,
            "on_board_date": shipment.on_board_date.isoformat() if shipment.on_board_date else "",
        },
        "marks": [
            contract.buyer.get("name", ""),
            f"{contract.number} / {shipment.sequence}",
            f"{shipment.port_of_discharge}",
            "MADE IN CHINA",
        ],
        "country_of_origin": COUNTRY_OF_ORIGIN,
    }


def invoice_context(shipment: Shipment, *, number: str, issued_on: date) -> dict[str, Any]:
    """Quantities from the shipment (not the contract), amounts pro rata of the contract's
    line amounts, less the deposit applied, the balance, the bank account."""
    contract = shipment.contract
    rows = shipping.shipment_line_values(shipment)
    lots_by_line: dict[int, list[str]] = {}
    for a in shipment.allocations.select_related("lot"):
        lots_by_line.setdefault(a.contract_line_id, []).append(a.lot.number)
    total = sum((amount for _, _, amount in rows), ZERO)
    deposit = shipment.deposit_applied
    if not shipment.balance_proforma_id and deposit == 0 and contract.advance_percent:
        deposit = ZERO
    balance = total - deposit
    proforma = shipment.balance_proforma
    bank = proforma.bank if proforma else None
    if bank is None:
        account = services.bank_account_for(currency=contract.currency)
        bank = account.snapshot()
    products = [line.product for line, _, _ in rows]
    return {
        **_header(shipment),
        "kind": "Commercial invoice",
        "number": number,
        "issued_on_text": issued_on.isoformat(),
        "lines": [
            {
                "grade": line.product_code,
                "name": (line.product_name_translations or {}).get(translation.get_language())
                or line.product_name,
                "hs_code": line.hs_code,
                "standard": line.standard,
                "lots": ", ".join(lots_by_line.get(line.pk, [])),
                "quantity_mt": qty,
                "unit_price": line.unit_price,
                "amount": amount,
            }
            for line, qty, amount in rows
        ],
        "totals": {
            "quantity_mt": sum((qty for _, qty, _ in rows), ZERO),
            "amount": total,
        },
        "deposit": {"amount": deposit},
        "balance": {"amount": balance},
        "balance_proforma": proforma.number if proforma else "",
        "balance_due": proforma.due_date.isoformat() if proforma else "",
        "bank": bank,
        "dangerous_goods": _dangerous_goods(products),
    }


def packing_list_context(shipment: Shipment, *, number: str, issued_on: date) -> dict[str, Any]:
    allocations = list(shipment.allocations.select_related("lot", "lot__product"))
    lot_weights = {a.lot_id: a for a in allocations}
    containers = []
    for c in shipment.containers.prefetch_related("lots"):
        containers.append(
            {
                "number": c.number,
                "seal": c.seal,
                "type": c.type,
                "bundles": c.bundles,
                "net": _mt(c.net_weight_mt),
                "gross": _mt(c.gross_weight_mt),
                "lots": [
                    {
                        "number": lot.number,
                        "grade": lot.product.code if hasattr(lot, "product") else "",
                        "bundles": lot.bundles,
                        "net": _mt(lot_weights[lot.pk].quantity_mt)
                        if lot.pk in lot_weights
                        else "",
                    }
                    for lot in c.lots.all()
                ],
            }
        )
    totals = {
        "containers": len(containers),
        "bundles": sum(c.bundles for c in shipment.containers.all()),
        "net": _mt(sum((c.net_weight_mt for c in shipment.containers.all()), ZERO)),
        "gross": _mt(sum((c.gross_weight_mt for c in shipment.containers.all()), ZERO)),
    }
    return {
        **_header(shipment),
        "kind": "Packing list",
        "number": number,
        "issued_on_text": issued_on.isoformat(),
        "containers": containers,
        "totals": totals,
        "lots": [
            {
                "number": a.lot.number,
                "grade": a.lot.product.code,
                "net": _mt(a.quantity_mt),
                "bundles": a.lot.bundles,
                "ingots": a.lot.ingots,
            }
            for a in allocations
        ],
        "dangerous_goods": _dangerous_goods({a.lot.product for a in allocations}),
    }


def certificate_context(
    shipment: Shipment, lot: Lot, *, number: str, issued_on: date, signed_by: User
) -> dict[str, Any]:
    """Measured values next to the grade's limits and, where set, the buyer's; pass per
    element; the lot's weights; signed by QC (or the issuing admin)."""
    contract = shipment.contract
    findings = shipping.lot_check(lot=lot, contract=contract)
    by_element: dict[str, dict[str, Any]] = {}
    for a in lot.analyses.all():
        by_element[a.element] = {
            "element": a.element,
            "measured": f"{a.measured_percent.normalize():f}",
            "grade": "",
            "customer": "",
            "passed": True,
        }
    for f in findings:
        row = by_element.setdefault(
            f.element,
            {"element": f.element, "measured": "—", "grade": "", "customer": "", "passed": True},
        )
        row[f.source] = f.limit
        row["passed"] = row["passed"] and f.passed
    allocation = shipment.allocations.filter(lot=lot).first()
    return {
        **_header(shipment),
        "kind": "Certificate of analysis",
        "number": number,
        "issued_on_text": issued_on.isoformat(),
        "lot": {
            "number": lot.number,
            "grade": lot.product.code,
            "grade_name": lot.product.name,
            "standard": lot.product.standard,
            "production_date": lot.production_date.isoformat(),
            "net": _mt(lot.net_weight_mt),
            "shipped": _mt(allocation.quantity_mt) if allocation else "",
            "ingots": lot.ingots,
            "bundles": lot.bundles,
        },
        "rows": list(by_element.values()),
        "has_customer_spec": any(f.source == "customer" for f in findings),
        "all_passed": all(f.passed for f in findings),
        "override": allocation.override_reason if allocation and allocation.findings else "",
        "signed_by": {
            "name": signed_by.get_full_name() or signed_by.username,
            "title": "Quality control",
        },
        "dangerous_goods": _dangerous_goods([lot.product]),
    }


# ------------------------------------------------------------------ issuing and rendering


def _current(shipment: Shipment) -> list[ExportDocument]:
    return list(
        shipment.documents.filter(superseded_at__isnull=True)
        .select_related("lot")
        .order_by("kind", "number")
    )


def _context(
    kind: str, shipment: Shipment, *, number: str, lot: Lot | None, by: User, revision: int = 0
) -> dict[str, Any]:
    """``{"doc": <the document's content>}``: what the template renders, frozen as issued,
    in the buyer's language (``document_language``; the grade names in it)."""
    today = timezone.localdate()
    language = document_language(shipment)
    with translation.override(language):
        if kind == K.COMMERCIAL_INVOICE:
            doc = invoice_context(shipment, number=number, issued_on=today)
        elif kind == K.PACKING_LIST:
            doc = packing_list_context(shipment, number=number, issued_on=today)
        else:
            assert lot is not None
            signer = lot.created_by if lot.created_by.is_qc else by  # QC signs what QC analysed
            doc = certificate_context(
                shipment, lot, number=number, issued_on=today, signed_by=signer
            )
    doc["revision"] = revision
    return {"company": doc["company"], "doc": doc, "language": language}


def document_language(shipment: Shipment) -> str:
    """The language of a shipment's export documents: English under an L/C (the credit's
    language, against which the bank examines them), else the contract's."""
    from .selectors import contract_language

    contract = shipment.contract
    return ENGLISH if contract.uses_lc else contract_language(contract)


def _frozen_language(document: dict[str, Any]) -> str:
    """The language a frozen document was issued in (English before languages existed)."""
    return document.get("language") or ENGLISH


@transaction.atomic
def shipment_documents_issue(*, shipment: Shipment, by: User) -> list[ExportDocument]:
    """Issue what the loaded shipment does not have yet: its commercial invoice, packing
    list and a certificate of analysis per lot. PDFs follow after the commit."""
    shipment = shipping._locked_shipment(shipment)
    services._ensure_can_act(contract=shipment.contract, by=by)
    if shipment.status in (ShipmentStatus.PLANNED, ShipmentStatus.BOOKED):
        raise StateConflict("The documents are issued once the goods are on board (B/L).")
    have = {(d.kind, d.lot_id) for d in _current(shipment)}
    wanted = [(K.COMMERCIAL_INVOICE, None), (K.PACKING_LIST, None)] + [
        (K.CERTIFICATE_OF_ANALYSIS, a.lot) for a in shipment.allocations.select_related("lot")
    ]
    year = timezone.localdate().year
    issued = []
    for kind, lot in wanted:
        if (kind, lot.pk if lot else None) in have:
            continue
        number = services.document_number_allocate(prefix=PREFIX[kind], year=year)
        issued.append(
            ExportDocument.objects.create(
                shipment=shipment,
                kind=kind,
                lot=lot,
                number=number,
                template=TEMPLATE,
                document=document_freeze(_context(kind, shipment, number=number, lot=lot, by=by)),
                issued_by=by,
            )
        )
    if issued:
        services._log(
            shipment.contract,
            ContractEvent.Action.SHIPMENT,
            by=by,
            from_status=shipment.contract.status,
            comment=f"Documents of {shipment.reference} issued: "
            + ", ".join(d.number for d in issued),
            data={"shipment": shipment.pk},
        )
        ids = [d.pk for d in issued]
        transaction.on_commit(lambda: _enqueue_render(ids))
    return issued


RENDER_TASK = "orders.tasks.export_document_render_task"


def _enqueue_render(ids: list[int]) -> None:
    """By the task's name (``orders.tasks`` imports this module; OrdersConfig.ready
    registers the tasks)."""
    from quotes.sending.enqueue import queue_task

    for doc in ExportDocument.objects.filter(pk__in=ids).only("pk", "document"):
        queue_task(RENDER_TASK, doc.pk, _frozen_language(doc.document))


def export_document_render(*, document_id: int, language: str | None = None) -> str:
    """Render and store the PDF of an issued document, once (idempotent), inside
    ``translation.override(language)`` (the task's argument; ``None``, from a message
    queued before languages existed: the language the document records)."""
    doc = ExportDocument.objects.filter(pk=document_id).first()
    if doc is None:
        return "gone"
    if doc.pdf_sha256:
        return "skipped"
    data = document_render(
        doc.document, doc.template, language=language or _frozen_language(doc.document)
    )
    digest = pdf_sha256(data)
    name = doc.pdf.storage.save(
        doc.pdf.field.generate_filename(doc, doc.filename), ContentFile(data)
    )
    updated = ExportDocument.objects.filter(pk=doc.pk, pdf_sha256="").update(
        pdf=name, pdf_sha256=digest, pdf_size=len(data)
    )
    return "rendered" if updated else "skipped"


def export_document_pdf(doc: ExportDocument) -> bytes:
    """The stored PDF, checked against its checksum (rendered from the frozen content when
    not stored yet)."""
    if doc.pdf_sha256 and doc.pdf:
        with doc.pdf.open("rb") as handle:
            data = handle.read()
        if pdf_sha256(data) != doc.pdf_sha256:
            raise StateConflict(f"The stored PDF of {doc} does not match its checksum.")
        return data
    return document_render(doc.document, doc.template, language=_frozen_language(doc.document))


@transaction.atomic
def export_document_revise(*, document: ExportDocument, by: User, reason: str) -> ExportDocument:
    """A correction: a new revision of the same number from the shipment's current data;
    the earlier revision stays, marked superseded."""
    doc = ExportDocument.objects.select_for_update().get(pk=document.pk)
    shipment = shipping._locked_shipment(doc.shipment)
    services._ensure_can_act(contract=shipment.contract, by=by)
    if not (reason or "").strip():
        raise ValidationError({"reason": "Say what the correction is."})
    if doc.superseded_at is not None:
        raise StateConflict(f"{doc} is already superseded by a later revision.")
    if shipment.documents_delivery_id:
        raise StateConflict("The set has been sent; a correction is sent as a new set.")
    doc.superseded_at = timezone.now()
    doc.save(update_fields=["superseded_at"])
    new = ExportDocument.objects.create(
        shipment=shipment,
        kind=doc.kind,
        lot=doc.lot,
        number=doc.number,
        revision=doc.revision + 1,
        template=doc.template,
        document=document_freeze(
            _context(
                doc.kind, shipment, number=doc.number, lot=doc.lot, by=by, revision=doc.revision + 1
            )
        ),
        issued_by=by,
        correction_reason=reason.strip(),
    )
    transaction.on_commit(lambda: _enqueue_render([new.pk]))
    return new


# ------------------------------------------------------------------ the L/C presentation check


def _first_line(text: str) -> str:
    return (text or "").strip().splitlines()[0] if (text or "").strip() else ""


@transaction.atomic
def presentation_check(*, shipment: Shipment, by: User | None, on: date | None = None) -> list:
    """Check the current documents against the L/C (for a presentation ``on``, default
    today), store the discrepancies on the shipment; a new check clears an earlier
    acknowledgement when the discrepancies changed."""
    shipment = shipping._locked_shipment(shipment)
    contract = shipment.contract
    lc = getattr(contract, "letter_of_credit", None) if contract.uses_lc else None
    if lc is None:
        return []
    docs = _current(shipment)
    invoice = next((d for d in docs if d.kind == K.COMMERCIAL_INVOICE), None)
    invoice_amount = Decimal(invoice.document["doc"]["totals"]["amount"]) if invoice else ZERO
    earlier = (
        ExportDocument.objects.filter(
            shipment__contract=contract,
            kind=K.COMMERCIAL_INVOICE,
            superseded_at__isnull=True,
        )
        .exclude(shipment=shipment)
        .values_list("document", flat=True)
    )
    drawn_before = sum((Decimal(d["doc"]["totals"]["amount"]) for d in earlier), ZERO)
    found = presentation_discrepancies(
        Presentation(
            lc_number=lc.number,
            lc_currency=lc.currency,
            lc_amount=lc.amount,
            lc_tolerance_percent=lc.tolerance_percent,
            lc_latest_shipment=lc.latest_shipment_date,
            lc_expiry=lc.expiry_date,
            lc_presentation_days=lc.effective_presentation_days,
            lc_partial_allowed=lc.partial_shipments_allowed,
            lc_documents=tuple(lc.documents_required or []),
            lc_applicant=_first_line(lc.applicant),
            lc_beneficiary=_first_line(lc.beneficiary),
            invoice_amount=invoice_amount,
            drawn_before=drawn_before,
            on_board_date=shipment.on_board_date or timezone.localdate(),
            presentation_date=on or timezone.localdate(),
            shipments=contract.shipments.count(),
            kinds_presented=tuple({d.kind for d in docs} | {"bill_of_lading"}),
            doc_lc_numbers=tuple(
                (d.document["doc"].get("lc") or {}).get("number", "") for d in docs
            ),
            doc_applicants=tuple(d.document["doc"]["buyer"].get("name", "") for d in docs),
            doc_beneficiaries=tuple(d.document["doc"]["company"]["name"] for d in docs),
        )
    )
    as_dicts = [d.to_dict() for d in found]
    if as_dicts != shipment.presentation_discrepancies:
        shipment.discrepancies_acknowledged_by = None
        shipment.discrepancies_acknowledged_at = None
        shipment.discrepancies_note = ""
    shipment.presentation_discrepancies = as_dicts
    shipment.presentation_checked_at = timezone.now()
    shipment.save()
    return as_dicts


@transaction.atomic
def discrepancies_acknowledge(*, shipment: Shipment, by: User, note: str) -> Shipment:
    """A manager takes the discrepancies knowingly (the bank may refuse or charge)."""
    if not by.is_manager:
        raise PermissionDenied("A manager acknowledges presentation discrepancies.")
    shipment = shipping._locked_shipment(shipment)
    if not shipment.presentation_discrepancies:
        raise StateConflict("There are no discrepancies to acknowledge.")
    if not (note or "").strip():
        raise ValidationError({"note": "Say why the documents go despite the discrepancies."})
    shipment.discrepancies_acknowledged_by = by
    shipment.discrepancies_acknowledged_at = timezone.now()
    shipment.discrepancies_note = note.strip()
    shipment.save()
    services._log(
        shipment.contract,
        ContractEvent.Action.SHIPMENT,
        by=by,
        from_status=shipment.contract.status,
        comment=f"Presentation discrepancies of {shipment.reference} acknowledged: {note.strip()}",
        data={"shipment": shipment.pk, "discrepancies": shipment.presentation_discrepancies},
    )
    return shipment


# ------------------------------------------------------------------ sending the set


def documents_email_context(shipment: Shipment, docs: list[ExportDocument]) -> dict[str, Any]:
    from .emails import _common

    contract = shipment.contract
    return {
        **_common(contract),
        "shipment": shipment.reference,
        "bl_number": shipment.bl_number,
        "vessel": shipment.vessel,
        "documents": [f"{d.get_kind_display()} {d}" for d in docs],
    }


def set_context(shipment: Shipment) -> dict[str, Any]:
    docs = _current(shipment)
    return {
        "language": document_language(shipment),
        "company": company_context(),
        "shipment": {"reference": shipment.reference},
        "documents": [{"doc": d.document["doc"]} for d in docs],
    }


def shipment_documents_send(*, shipment: Shipment, by: User, bank_email: str = "") -> Shipment:
    """Send the current set to the buyer (and the bank contact under an L/C), once."""
    presentation_check(shipment=shipment, by=by)
    return _send(shipment=shipment, by=by, bank_email=bank_email)


@transaction.atomic
def _send(*, shipment: Shipment, by: User, bank_email: str) -> Shipment:
    from quotes.sending.services import document_send

    shipment = shipping._locked_shipment(shipment)
    contract = services._locked(shipment.contract)
    services._ensure_can_act(contract=contract, by=by)
    if shipment.documents_delivery_id:
        raise StateConflict("The document set has been sent; its delivery shows where it stands.")
    docs = _current(shipment)
    if not docs:
        raise StateConflict("Issue the documents first.")
    if contract.uses_lc:
        if shipment.presentation_discrepancies and shipment.discrepancies_acknowledged_at is None:
            raise StateConflict(
                "The presentation check found discrepancies: a manager acknowledges them "
                "before the documents go."
            )
        if not bank_email:
            raise ValidationError({"bank_email": "Give the bank contact's e-mail for the L/C."})
    to, cc, reply_to = services._buyer_addresses(contract)
    if bank_email:
        to = [*to, bank_email]
    document = set_context(shipment)
    shipment.documents_delivery = document_send(
        quote=contract.quote,
        kind="documents",
        template=SET_TEMPLATE,
        filename=f"{contract.number}-{shipment.sequence}-documents.pdf",
        document=document,
        to=to,
        cc=cc,
        reply_to=reply_to,
        context=documents_email_context(shipment, docs),
        by=by,
        language=document["language"],
    )
    shipment.save(update_fields=["documents_delivery", "updated_at"])
    services._log(
        contract,
        ContractEvent.Action.SENT,
        by=by,
        from_status=contract.status,
        comment=f"Documents of {shipment.reference} to {', '.join(to)}",
        data={"shipment": shipment.pk},
    )
    return shipment
