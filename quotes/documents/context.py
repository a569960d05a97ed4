"""The quote's printed document: the ``pdf/quote.html`` context built from a quote's snapshot.

``quote_pdf_context(quote)`` reads only what the quote stored when it was priced (the
engine's result in ``quote.pricing``, the lines' copied code, name, HS code and standard)
plus who it is for (customer, contact, rep) and the grades' chemical specifications. The
shape is the one documented in ``quotes.documents.pdf``.

A sent version's context is frozen into its ``QuoteDelivery.document`` (``document_freeze``,
JSON) inside the send transaction, and the stored PDF is rendered from that copy
(``document_thaw``): renaming the customer or editing a specification afterwards never
changes an issued document. Previews of drafts are built fresh on each request.
"""

from __future__ import annotations

import hashlib
import json
from datetime import date
from decimal import Decimal
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder
from django.utils import translation
from django.utils.translation import gettext, gettext_lazy, pgettext_lazy

from mgtrade.i18n import ENGLISH, buyer_language
from pricing.engine import (
    COMPONENT_LABELS,
    PricingResult,
    allocate,
    currency_quantum,
    document_lines,
    named_place_port,
    total_composition,
)
from products import selectors as products_selectors
from products.models import Port, Product, SpecLimit
from quotes.models import EDITABLE_STATUSES, Quote
from quotes.terms import terms_in_language, terms_localize

from .pdf import render_template_pdf
from .seller import seller_document_context

TEMPLATE = "pdf/quote.html"

# Script of a name → the lang the PDF stylesheet maps to a CJK font.
_LANG_PREFIXES = ("ja", "ko", "zh", "tr")

# Keys whose values are amounts/rates (Decimal in the template) or dates after thawing.
DECIMAL_KEYS = frozenset(
    {
        "quantity_mt",
        "unit_price",
        "discount_percent",
        "amount",
        "quote_total",
        "rate_percent",
        "specific_usd_per_mt",
        "customs_value",
        "duties_total",
        "landed_cost",
        "landed_cost_per_mt",
        "duties_amount",
        "min_percent",
        "max_percent",
        "rounding",
    }
)
DATE_KEYS = frozenset({"issued_on", "valid_until", "fx_date"})

# The price components as the buyer's document names them (the engine, pure, keeps its
# English labels for the rep's pages: pricing.engine.COMPONENT_LABELS, same keys).
COMPONENT_NAMES = {
    "goods_value": gettext_lazy("Goods value"),
    # Translators: charges at the port of loading deducted from an ex-works style price.
    "origin_deduction": gettext_lazy("Origin charges"),
    "freight": gettext_lazy("Ocean freight"),
    # Translators: cargo insurance (a price component under CIF/CIP).
    "insurance": pgettext_lazy("price component", "Insurance"),
    "duties": gettext_lazy("Import duties"),
    "destination_charges": gettext_lazy("Destination charges"),
    # Translators: part of the buyer's import tariff that the seller pays (a discount line).
    "tariff_absorption": gettext_lazy("Tariff absorbed by the seller"),
}


def quote_language(quote: Quote) -> str:
    """The language a quote's documents are written in by default: its contact's
    (``mgtrade.i18n.buyer_language``)."""
    return buyer_language(contact_language=quote.contact.language if quote.contact else None)


def _lang(code: str | None) -> str | None:
    code = (code or "").lower()
    for prefix in _LANG_PREFIXES:
        if code.startswith(prefix):
            return prefix
    return None


def _guess_lang(text: str) -> str | None:
    """A lang for names in CJK scripts without a stated language (font selection only)."""
    for ch in text:
        o = ord(ch)
        if 0x3040 <= o <= 0x30FF:
            return "ja"
        if 0xAC00 <= o <= 0xD7AF or 0x1100 <= o <= 0x11FF:
            return "ko"
    for ch in text:
        if 0x4E00 <= ord(ch) <= 0x9FFF:
            return "zh"
    return None


def _port_label(code: str, name: str | None) -> str:
    return f"{name} ({code})" if name else code


def spec_limit_printed(value: Decimal | None) -> Decimal | None:
    """A specification limit (mass %) to the precision its standard states, not the
    column's four places: trailing zeros dropped, at least two decimals (``99.9000`` ->
    ``99.90``, ``0.0040`` -> ``0.004``, ``0.0005`` stays), as GB/T 3499 and ASTM B93 print
    them. The document freezes the value so, printed as it is (``str``)."""
    if value is None:
        return None
    places = max(2, -int(value.normalize().as_tuple().exponent))
    return value.quantize(Decimal(1).scaleb(-places))


def _specifications(product_ids: list[int], lines: list[dict]) -> list[dict]:
    limits: dict[int, list[dict]] = {}
    for limit in SpecLimit.objects.filter(product_id__in=product_ids).order_by(
        "product_id", "position", "id"
    ):
        limits.setdefault(limit.product_id, []).append(
            {
                "element": limit.element,
                "min_percent": spec_limit_printed(limit.min_percent),
                "max_percent": spec_limit_printed(limit.max_percent),
            }
        )
    specs, seen = [], set()
    for product_id, line in zip(product_ids, lines, strict=True):
        if line["grade"] in seen or product_id not in limits:
            continue
        seen.add(line["grade"])
        specs.append(
            {
                "grade": line["grade"],
                "name": line.get("name", ""),
                "standard": line.get("standard", ""),
                "limits": limits[product_id],
            }
        )
    return specs


def quote_pdf_context(
    quote: Quote, *, draft: bool | None = None, language: str | None = None
) -> dict[str, Any]:
    """The ``pdf/quote.html`` context of ``quote`` from its stored pricing and line copies,
    its words (price components, terms clauses) in ``language`` (default: the contact's).

    ``draft`` defaults to "the quote is still editable" (DRAFT watermark). Costs a few
    queries (lines, customer, contact, owner, specification limits, spec sources).
    """
    language = language or quote_language(quote)
    with translation.override(language):
        context = _quote_pdf_context(quote, draft=draft)
    context["language"] = language
    context["bilingual_labels"] = bool(quote.bilingual_labels) and language != ENGLISH
    return context


def _quote_pdf_context(quote: Quote, *, draft: bool | None) -> dict[str, Any]:
    if draft is None:
        draft = quote.status in EDITABLE_STATUSES
    pricing = quote.pricing or {}
    qc = pricing.get("quote_currency", {})
    currency = pricing.get("currency", quote.currency)
    quote_lines = list(quote.lines.all().order_by("position"))
    # the catalogue's packing per grade (frozen with the document when the quote is sent)
    packing = {
        pk: ", ".join(filter(None, [form, packaging]))
        for pk, form, packaging in Product.objects.filter(
            pk__in=[ln.product_id for ln in quote_lines]
        ).values_list("pk", "form", "packaging")
    }
    # Every amount on the buyer's document is in the quote currency: each line's share of
    # the quote total on the Incoterm basis (pricing.engine.document_lines), adding up to
    # the printed total exactly. Quotes priced before a line's pricing was stored fall
    # back to the line rows (USD).
    # i18n-orders hook: a grade's name in the language being rendered, where it has one
    # (products/translation.py); English (the line's copy) otherwise.
    translated_names = products_selectors.grade_names_in(
        product_ids=[ln.product_id for ln in quote_lines],
        language=translation.get_language() or "en",
    )
    quantum = currency_quantum(currency)
    priced_lines = pricing.get("lines", [])
    doc_lines = (
        document_lines(PricingResult.from_dict(pricing))
        if len(priced_lines) == len(quote_lines) and quote_lines
        else ()
    )
    lines = []
    for index, ln in enumerate(quote_lines):
        doc = doc_lines[index] if doc_lines else None
        lines.append(
            {
                "grade": ln.product_code,
                "name": translated_names.get(ln.product_id) or ln.product_name,
                "standard": ln.standard,
                "hs_code": ln.hs_code,
                "quantity_mt": ln.quantity_mt,
                "unit_price": doc.unit_price if doc else ln.unit_price_usd_per_mt,
                "discount_percent": ln.discount_percent,
                "amount": doc.amount if doc else ln.goods_value_usd,
                "duties_amount": doc.duties if doc else None,
                "landed_cost": doc.landed_cost if doc else None,
                "landed_cost_per_mt": doc.landed_cost_per_mt if doc else None,
                "packing": packing.get(ln.product_id, ""),
                "rounding": doc.rounding if doc else Decimal("0"),
            }
        )
    # The line whose amount is not exactly its quantity × unit price (the last one, which
    # takes the rounding so the amounts add up): the document says so under the lines.
    rounding = next(
        (
            {"line": number, "amount": abs(line["rounding"])}
            for number, line in enumerate(lines, 1)
            if line["rounding"]
        ),
        None,
    )
    duties = []
    for ln, priced in zip(quote_lines, priced_lines, strict=False):
        for duty in priced.get("duties", []):
            duties.append(
                {
                    "grade": ln.product_code,
                    "hs_code": ln.hs_code,
                    "kind": duty["kind"],
                    "rate_percent": Decimal(duty["rate_percent"]),
                    "specific_usd_per_mt": Decimal(duty.get("specific_usd_per_mt") or "0"),
                    "basis": duty["basis"],
                    "customs_value_usd": Decimal(duty["customs_value"]),
                    "amount_usd": Decimal(duty["amount"]),
                    # the public legal citation only (the rule's source note stays internal)
                    "reference": duty.get("reference", ""),
                }
            )
    fx_rate = Decimal(str(pricing.get("fx_rate", quote.fx_rate) or "1"))
    duties_total = Decimal(qc.get("duties") or "0")
    # Duty lines in the quote currency: customs values converted one by one (shown for
    # reference), amounts allocated so they add up to the converted duties total.
    for duty, share in zip(
        duties, allocate(duties_total, [d["amount_usd"] for d in duties], quantum), strict=True
    ):
        duty["customs_value"] = (duty.pop("customs_value_usd") * fx_rate).quantize(quantum)
        duty["amount"] = share
        del duty["amount_usd"]
    usd_shown = currency != "USD" and any(d["specific_usd_per_mt"] for d in duties)
    fx = None
    if usd_shown:
        rate = products_selectors.exchange_rate_on(currency=currency, on=quote.quote_date)
        fx = {"rate": pricing.get("fx_rate", str(quote.fx_rate)), "fx_date": rate and rate.date}

    def amount(key: str) -> Decimal:
        return Decimal(qc.get(key) or "0")

    # The quote total's components under this Incoterm, worded as on every breakdown.
    composition = total_composition(quote.incoterm)
    rows = []
    for key, label, _landed in COMPONENT_LABELS:
        sign = composition[key]
        if sign and (key == "goods_value" or amount(key)):
            rows.append(
                {
                    "label": str(COMPONENT_NAMES.get(key, label)),
                    "amount": amount(key),
                    "kind": "add" if sign > 0 else "less",
                }
            )
    named_code = named_place_port(quote.incoterm, quote.origin_port, quote.destination_port)

    ports = dict(
        Port.objects.filter(code__in=[quote.origin_port, quote.destination_port]).values_list(
            "code", "name"
        )
    )
    customer, contact, owner = quote.customer, quote.contact, quote.owner
    address = "\n".join(
        part
        for part in (
            customer.address,
            " ".join(filter(None, [customer.postal_code, customer.city])),
        )
        if part
    )
    contact_name = contact.name if contact else ""
    context = {
        "draft": bool(draft),
        # the settings' company with the admin-managed signature block (quotes.documents.seller)
        "company": seller_document_context(),
        "quote": {
            "number": quote.number,
            "version": quote.version,
            "issued_on": quote.quote_date,
            "valid_until": quote.valid_until,
            "currency": currency,
            "fx_rate": pricing.get("fx_rate", str(quote.fx_rate)),
            # The rate and its date, only when a USD figure is printed (else None).
            "fx": fx,
            "incoterm": quote.incoterm,
            "named_place": ports.get(named_code, named_code),
            "origin_port": _port_label(quote.origin_port, ports.get(quote.origin_port)),
            "destination_port": _port_label(
                quote.destination_port, ports.get(quote.destination_port)
            ),
            "payment_terms": quote.payment_terms,
            "packaging": quote.packaging_notes,
            "terms": "\n".join(
                filter(
                    None,
                    [
                        quote.lead_time
                        # Translators: the rep's free text follows, e.g. "3-4 weeks after deposit".
                        and gettext("Lead time: %(lead_time)s") % {"lead_time": quote.lead_time},
                        quote.terms,
                    ],
                )
            ),
            "rep": {
                "name": owner.get_full_name() or owner.username,
                "email": owner.email,
                "phone": owner.phone,
                "title": owner.title,
            },
            "buyer_reference": quote.buyer_reference,
        },
        "buyer": {
            "name": customer.name,
            "address": address,
            "country": customer.country.name if customer.country else "",
            "tax_id": customer.vat_id,
            "lang": _guess_lang(customer.name),
        },
        "contact": {
            "name": contact_name,
            "email": contact.email if contact else "",
            "phone": contact.phone if contact else "",
            "lang": _lang(contact.language if contact else None) or _guess_lang(contact_name),
        },
        "lines": lines,
        "lines_currency": currency if doc_lines else "USD",
        "lines_rounding": rounding,
        "lines_total": {
            "quantity_mt": quote.total_quantity_mt,
            "amount": sum((ln["amount"] for ln in lines), Decimal("0")),
        },
        # Landed cost per grade ("for your information"): only when it is known.
        "landed_lines": [ln for ln in lines if ln["landed_cost"] is not None],
        "breakdown": {
            "incoterm": quote.incoterm,
            "currency": currency,
            "rows": rows,
            "quote_total": amount("quote_total"),
            "duties_currency": currency,
            "duties": duties,
            "duties_total": sum((d["amount"] for d in duties), Decimal("0")),
            # The engine's warnings (e.g. no tariff rule on file for a line's HS code).
            "warnings": list(quote.pricing.get("warnings", [])),
            # None: unknown (an EXW/FCA/FOB quote on a lane without a freight rate)
            "landed_cost": None if qc.get("landed_cost") is None else amount("landed_cost"),
            "landed_cost_per_mt": (
                None if qc.get("landed_cost_per_mt") is None else amount("landed_cost_per_mt")
            ),
        },
        "specifications": _specifications([ln.product_id for ln in quote_lines], lines),
        # The snapshot of the terms template and the currency's bank account (quotes.terms).
        # Clauses an admin wrote and the bank's instructions in the rendered language (as
        # snapshotted), the structured ones worded again in it.
        "commercial_terms": terms_localize(
            terms_in_language(quote.commercial_terms, translation.get_language())
        ),
    }
    return context


def document_freeze(context: dict[str, Any]) -> dict[str, Any]:
    """The context as JSON data (Decimals and dates as strings) for ``QuoteDelivery.document``."""
    return json.loads(json.dumps(context, cls=DjangoJSONEncoder))


def document_thaw(data: Any, key: str | None = None) -> Any:
    """Undo ``document_freeze``: amounts back to ``Decimal``, dates back to ``date``."""
    if isinstance(data, dict):
        return {k: document_thaw(v, k) for k, v in data.items()}
    if isinstance(data, list):
        return [document_thaw(v, key) for v in data]
    if isinstance(data, str) and key in DECIMAL_KEYS and data != "":
        return Decimal(data)
    if isinstance(data, str) and key in DATE_KEYS:
        return date.fromisoformat(data)
    return data


def document_render(
    document: dict[str, Any], template: str = "", *, language: str = ENGLISH
) -> bytes:
    """PDF bytes of a frozen document (or a fresh context) with ``template`` (default: the
    quote's), rendered inside ``translation.override(language)``: the language is always
    the caller's explicit choice (a delivery's), never the process's ambient one. Slow:
    never inside a transaction."""
    with translation.override(language):
        return render_template_pdf(template or TEMPLATE, document_thaw(document))


def pdf_sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def quote_pdf_filename(quote: Quote, *, draft: bool = False) -> str:
    """``Q-2026-00042-v2.pdf`` (``-DRAFT`` for previews of editable quotes)."""
    return f"{quote.number}-v{quote.version}{'-DRAFT' if draft else ''}.pdf"
