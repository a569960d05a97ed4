"""Forms for quotes (the pricing terms and lines are ``pricing.forms``)."""

from django import forms

from customers.models import Contact, Customer
from customers.regions import Region
from mgtrade.web import IsoDateField
from pricing.forms import NUMBER

from .models import QuoteStatus, RejectionReason, TermsTemplate


class QuoteHeaderForm(forms.Form):
    """What the quote builder asks besides the pricing terms and lines."""

    contact = forms.ModelChoiceField(
        queryset=Contact.objects.none(), required=False, empty_label="— no contact yet —"
    )
    valid_until = IsoDateField(
        required=False, help_text="YYYY-MM-DD; empty: the quote date + the validity setting."
    )
    payment_terms = forms.CharField(max_length=200, required=False)
    terms_template = forms.ModelChoiceField(
        label="Commercial terms",
        queryset=TermsTemplate.objects.filter(active=True),
        required=False,
        empty_label="— the customer's default —",
        help_text="Copied onto the quote when saved; later template edits do not change it.",
    )
    lead_time = forms.CharField(
        max_length=120,
        required=False,
        widget=forms.TextInput(attrs={"placeholder": "e.g. 3–4 weeks after deposit"}),
    )
    buyer_reference = forms.CharField(
        label="Buyer's reference",
        max_length=100,
        required=False,
        help_text="Their enquiry or PO number; printed on the quotation.",
    )
    packaging_notes = forms.CharField(
        label="Packaging",
        max_length=300,
        required=False,
        widget=forms.TextInput(attrs={"placeholder": "e.g. 1 MT jumbo bags on pallets"}),
    )
    terms = forms.CharField(
        label="Other terms", required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    bilingual_labels = forms.BooleanField(
        label="Bilingual labels on the PDF",
        required=False,
        help_text="Headings and labels in the buyer's language with English beneath them, "
        "for customs brokers and banks that need English.",
    )

    def __init__(self, *args, customer: Customer, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["contact"].queryset = customer.contacts.order_by("-is_primary", "name", "id")


def _blank(choices):
    return [("", "All"), *choices]


class QuoteFilterForm(forms.Form):
    search = forms.CharField(
        required=False,
        widget=forms.TextInput(attrs={"type": "search", "placeholder": "Number or customer"}),
    )
    status = forms.ChoiceField(required=False, choices=_blank(QuoteStatus.choices))
    region = forms.ChoiceField(required=False, choices=_blank(Region.choices))
    product = forms.ChoiceField(label="Grade", required=False)
    expiring_within_days = forms.IntegerField(
        label="Expiring within (days)", required=False, min_value=0, max_value=366
    )
    customer = forms.IntegerField(required=False, widget=forms.HiddenInput)
    scope = forms.ChoiceField(
        label="Quotes",
        required=False,
        choices=[("all", "All"), ("mine", "Mine")],
    )

    def __init__(self, *args, user, grades: list[tuple[str, str]], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["product"].choices = _blank(grades)
        if not user.is_manager:
            del self.fields["scope"]  # a rep's list is theirs already

    def selector_kwargs(self) -> dict:
        data = dict(self.cleaned_data) if self.is_valid() else {}
        data["mine"] = data.pop("scope", "") == "mine"
        return {k: v for k, v in data.items() if v not in (None, "")}


class QuoteCommentForm(forms.Form):
    comment = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 2}))


class QuoteSubmitForm(forms.Form):
    note = forms.CharField(
        label="Note to the manager (optional)",
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class QuoteAcceptForm(forms.Form):
    buyer_name = forms.CharField(label="Accepted by (at the buyer)", max_length=200, required=False)
    po_number = forms.CharField(
        label="Buyer's PO number",
        max_length=60,
        required=False,
        help_text="Printed on the sales contract made from this quote.",
    )


class QuoteRejectForm(forms.Form):
    reason = forms.ModelChoiceField(
        queryset=RejectionReason.objects.filter(active=True), empty_label="— why? —"
    )
    note = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 2}))
    competitor = forms.CharField(max_length=120, required=False)
    competitor_origin = forms.CharField(
        label="Competitor's origin (country code)",
        max_length=2,
        required=False,
        widget=forms.TextInput(attrs={"placeholder": "e.g. TR", "size": 3}),
    )
    competitor_price_usd_per_mt = forms.DecimalField(
        label="Competitor's price (USD/MT)",
        max_digits=14,
        decimal_places=2,
        required=False,
        widget=forms.TextInput(attrs=NUMBER),
    )
