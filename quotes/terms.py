"""Commercial terms of a quote: the terms template chosen (default: the customer's) and the
bank account for the quote's currency, copied into ``Quote.commercial_terms`` so what was
sent never changes when an admin edits a template or an account.

The clauses this module words (payment, partial shipments, transhipment, tolerance) are
``gettext`` strings: ``terms_localize`` words them again from the snapshot's values in the
active language when a buyer's document is built (``quotes.documents.context``)."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext, gettext_lazy, pgettext

from customers.models import Customer
from mgtrade.i18n import ENGLISH
from mgtrade.translations import TRANSLATIONS, field_text, in_language, translated_texts

from .models import BankAccount, CustomerTermsDefault, PaymentMethod, TermsTemplate

INSURED_INCOTERMS = ("CIF", "CIP")


def _percent(value: Decimal) -> str:
    return f"{value.normalize():f}"


# When the T/T balance is paid, as the payment clause words it.
BALANCE_WORDS = {
    # Translators: completes "100 % T/T …" and "the balance of 70 % by T/T …"; B/L = bill of lading.
    "against_bl_copy": gettext_lazy("against copy of B/L"),
    "before_shipment": gettext_lazy("before shipment"),
}


def payment_wording(
    *, method: str, advance_percent: Decimal, balance: str, lc_issuing_bank: str = ""
) -> str:
    """The payment term in the words exporters use, in the active language (T/T, L/C, CAD
    and B/L stay as the trade writes them)."""
    if method == PaymentMethod.TT:
        advance = Decimal(str(advance_percent))
        when = str(BALANCE_WORDS.get(balance, balance))
        if advance >= 100:
            return gettext("100 % T/T in advance")
        if advance <= 0:
            # Translators: %(balance)s is e.g. "against copy of B/L".
            return gettext("100 %% T/T %(balance)s") % {"balance": when}
        # Translators: e.g. "30 % T/T in advance, the balance of 70 % by T/T against copy of B/L".
        return gettext(
            "%(advance)s %% T/T in advance, the balance of %(rest)s %% by T/T %(balance)s"
        ) % {
            "advance": _percent(advance),
            "rest": _percent(Decimal("100") - advance),
            "balance": when,
        }
    if method == PaymentMethod.LC_SIGHT:
        text = gettext("100 % by irrevocable L/C at sight")
        if lc_issuing_bank:
            text += f", {lc_issuing_bank}"
        return text
    return gettext("Cash against documents (CAD)")


def payment_text(template: TermsTemplate) -> str:
    """The payment term of ``template`` (``payment_wording``)."""
    return payment_wording(
        method=template.payment_method,
        advance_percent=Decimal(str(template.advance_percent)),
        balance=template.balance,
        lc_issuing_bank=template.lc_issuing_bank,
    )


def allowed_wording(value: str) -> str:
    """``allowed`` / ``not allowed`` (partial shipments, transhipment) in the active language."""
    if value == "allowed":
        # Translators: partial shipments / transhipment: "Allowed".
        return pgettext("shipments", "allowed")
    if value == "not allowed":
        return pgettext("shipments", "not allowed")
    return value


def tolerance_wording(percent: str) -> str:
    # Translators: quantity tolerance clause, e.g. "± 5 % at the seller's option".
    return gettext("± %(percent)s %% at the seller's option") % {"percent": percent}


def terms_localize(snapshot: dict[str, Any]) -> dict[str, Any]:
    """The snapshot's clauses worded again in the active language from its values (the
    payment method, advance and balance; allowed or not; the tolerance). Texts an admin
    wrote (shipment period, claims, law…) are printed as written. Older snapshots without
    a value keep their English wording."""
    terms = dict(snapshot)
    if terms.get("payment_method") and (
        terms["payment_method"] != PaymentMethod.LC_SIGHT or "lc_issuing_bank" in terms
    ):
        terms["payment"] = payment_wording(
            method=terms["payment_method"],
            advance_percent=Decimal(terms.get("advance_percent") or "0"),
            balance=terms.get("balance", ""),
            lc_issuing_bank=terms.get("lc_issuing_bank", ""),
        )
    for key in ("partial_shipments", "transhipment"):
        if terms.get(key):
            terms[key] = allowed_wording(terms[key])
    if terms.get("quantity_tolerance_percent"):
        terms["quantity_tolerance"] = tolerance_wording(terms["quantity_tolerance_percent"])
    return terms


def template_for(*, customer: Customer) -> TermsTemplate | None:
    """The customer's default terms template (an active one), if any."""
    row = (
        CustomerTermsDefault.objects.select_related("template")
        .filter(customer=customer, template__active=True)
        .first()
    )
    return row.template if row else None


def bank_snapshot(*, currency: str) -> dict[str, str] | None:
    account = BankAccount.objects.filter(currency=currency, is_default=True, active=True).first()
    return account.snapshot() if account else None


def terms_snapshot(
    *, template: TermsTemplate | None, quote_date: date, incoterm: str, currency: str
) -> dict[str, Any]:
    """What the quote prints: the template's values (none: only the bank) and the bank."""
    snapshot: dict[str, Any] = {"bank": bank_snapshot(currency=currency)}
    if template is None:
        return snapshot
    latest = (
        (quote_date + timedelta(days=template.latest_shipment_days)).isoformat()
        if template.latest_shipment_days is not None
        else ""
    )
    tolerance = _percent(Decimal(str(template.quantity_tolerance_percent)))
    snapshot.update(
        {
            "template_id": template.pk,
            "template_name": template.name,
            "payment_method": template.payment_method,
            "advance_percent": f"{Decimal(str(template.advance_percent)):.2f}",
            "balance": template.balance,
            "lc_issuing_bank": template.lc_issuing_bank,
            "payment": payment_text(template),
            "shipment_period": template.shipment_period,
            "latest_shipment_date": latest,
            "partial_shipments": "allowed" if template.partial_shipments_allowed else "not allowed",
            "transhipment": "allowed" if template.transhipment_allowed else "not allowed",
            "quantity_tolerance_percent": tolerance,
            "quantity_tolerance": tolerance_wording(tolerance),
            "insurance": template.insurance_clause if incoterm in INSURED_INCOTERMS else "",
            "documents": list(template.documents or []),
            "quality_claims": template.quality_claims,
            "validity": template.validity,
            "force_majeure": template.force_majeure,
            "governing_law": template.governing_law,
        }
    )
    snapshot.update(_clause_texts(template, incoterm=incoterm))
    return snapshot


# The snapshot's keys of the template's free-text clauses (quotes/translation.py).
CLAUSE_KEYS = {
    "shipment_period": "shipment_period",
    "insurance": "insurance_clause",
    "quality_claims": "quality_claims",
    "validity": "validity",
    "force_majeure": "force_majeure",
    "governing_law": "governing_law",
    "lc_issuing_bank": "lc_issuing_bank",
}


def _clause_texts(template: TermsTemplate, *, incoterm: str) -> dict[str, Any]:
    """The free-text clauses in English (the source, whatever language is active) and in
    every other language that has them, so the snapshot prints in the send's language
    and never changes with later edits (``mgtrade.translations.in_language``)."""
    keys = {
        k: f for k, f in CLAUSE_KEYS.items() if k != "insurance" or incoterm in INSURED_INCOTERMS
    }
    english = {k: field_text(template, f, ENGLISH) for k, f in keys.items()}
    translations: dict[str, dict[str, str]] = {}
    for language, texts in translated_texts(template, keys.values()).items():
        translations[language] = {k: texts[f] for k, f in keys.items() if f in texts}
    return {**english, TRANSLATIONS: translations}


def terms_in_language(terms: dict[str, Any] | None, language: str | None) -> dict[str, Any]:
    """A quote's ``commercial_terms`` snapshot as printed in ``language``: each free-text
    clause and the bank's instructions in that language where the snapshot has it, else
    the English copied at the time (never the template's or account's text today)."""
    language = language or ENGLISH
    printed = in_language(terms, language)
    if printed.get("bank"):
        printed["bank"] = in_language(printed["bank"], language)
    return printed
