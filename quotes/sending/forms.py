"""The Send dialog's form: recipients from the customer's contacts and the e-mail's message.

The rules (a contact of this customer, with an address, not opted out; at least one
recipient; a message) are ``services.quote_send_check``'s, so the page and the API refuse
the same things with the same words; this form only offers the choices.
"""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.utils.translation import get_language_info

from customers.models import Contact
from mgtrade.i18n import buyer_language
from quotes.models import Quote


def language_choices(contact_language: str) -> list[tuple[str, str]]:
    """``("de", "German (Deutsch), the contact's language")``: each language in English and
    in itself; the contact's marked."""
    choices = []
    for code, _name in settings.LANGUAGES:
        info = get_language_info(code)
        label = info["name"]
        if info["name_local"] != info["name"]:
            label += f" ({info['name_local']})"
        if code == contact_language:
            label += ", the contact's language"
        choices.append((code, label))
    return choices


def contact_label(contact: Contact) -> str:
    label = f"{contact.name} <{contact.email}>"
    if contact.job_title:
        label += f", {contact.job_title}"
    if contact.email_opt_out:
        label += " (opted out of email: cannot receive quotes)"
    return label


class ContactChoiceField(forms.ModelMultipleChoiceField):
    widget = forms.CheckboxSelectMultiple

    def label_from_instance(self, obj: Contact) -> str:  # type: ignore[override]
        return contact_label(obj)


class QuoteSendForm(forms.Form):
    to = ContactChoiceField(
        label="To",
        queryset=Contact.objects.none(),
        required=False,  # "choose at least one" comes from the service, worded once
    )
    cc = ContactChoiceField(label="Cc", queryset=Contact.objects.none(), required=False)
    message = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 9}),
        required=False,  # blank and too long are the service's errors
        help_text="For this send only. The quotation's figures, its link to accept online "
        "and your signature follow it; the PDF is attached. At most 5,000 characters.",
    )
    language = forms.ChoiceField(
        label="Language",
        choices=(),
        required=False,  # empty: the contact's
        help_text="Of the PDF, the e-mail and the buyer's page. The message above is rewritten "
        "in the language chosen unless you edited it.",
    )

    def __init__(self, *args, quote: Quote, message: str, **kwargs):
        super().__init__(*args, **kwargs)
        contacts = quote.customer.contacts.exclude(email="").order_by("-is_primary", "name", "id")
        self.fields["to"].queryset = contacts
        self.fields["cc"].queryset = contacts
        self.contact_language = buyer_language(
            contact_language=quote.contact.language if quote.contact else None
        )
        self.fields["language"].choices = language_choices(self.contact_language)
        if not self.is_bound:
            self.initial.setdefault("language", self.contact_language)
            self.initial.setdefault("to", [quote.contact_id] if quote.contact_id else [])
            self.initial.setdefault("message", message)
