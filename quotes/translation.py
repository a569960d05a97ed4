"""Commercial texts a buyer reads, per language (django-modeltranslation; docs/i18n.md).

A terms template's free-text clauses and a bank account's payment instructions have a
column per language; English is the required source and the fallback. Structured choices
(payment method, balance, shipments allowed) are translated by the catalogues instead.
"""

from modeltranslation.translator import TranslationOptions, register

from .models import BankAccount, TermsTemplate

# The clauses of a terms template an admin writes as free text (printed on the quote).
TERMS_TEXT_FIELDS = (
    "lc_issuing_bank",
    "shipment_period",
    "insurance_clause",
    "quality_claims",
    "validity",
    "force_majeure",
    "governing_law",
)
BANK_TEXT_FIELDS = ("instructions",)


@register(TermsTemplate)
class TermsTemplateTranslationOptions(TranslationOptions):
    fields = TERMS_TEXT_FIELDS


@register(BankAccount)
class BankAccountTranslationOptions(TranslationOptions):
    fields = BANK_TEXT_FIELDS
