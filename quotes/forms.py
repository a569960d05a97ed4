"""Forms for pricing (the price calculator, reused by the quote builder) and quotes."""

from decimal import Decimal

from django import forms
from django.conf import settings
from django.utils import timezone

from customers.models import Contact, Customer
from customers.regions import Region
from mgtrade.web import IsoDateField
from pricing.engine import INCOTERMS, check_line, check_terms

from .models import QuoteStatus, RejectionReason, TermsTemplate

INCOTERM_CHOICES = [(t, t) for t in INCOTERMS]
NUMBER = {"inputmode": "decimal", "autocomplete": "off"}


class PricingTermsForm(forms.Form):
    destination_port = forms.ChoiceField(label="Destination port")
    incoterm = forms.ChoiceField(choices=INCOTERM_CHOICES, initial="CIF", label="Incoterm")
    currency = forms.ChoiceField(label="Currency", initial="USD")
    origin_port = forms.ChoiceField(label="Origin port")
    quote_date = IsoDateField(label="Quote date", help_text="YYYY-MM-DD")
    insurance_rate_percent = forms.DecimalField(
        label="Insurance %", max_digits=9, decimal_places=4, widget=forms.TextInput(attrs=NUMBER)
    )
    tariff_absorption_percent = forms.DecimalField(
        label="Tariff absorption %",
        max_digits=7,
        decimal_places=2,
        initial=Decimal("0"),
        widget=forms.TextInput(attrs=NUMBER),
        help_text="Share of the buyer's duties the seller absorbs (not under DDP).",
    )

    def __init__(self, *args, choices, **kwargs):
        super().__init__(*args, **kwargs)
        blank = [("", "— choose —")]
        self.fields["destination_port"].choices = blank + choices["ports"]
        self.fields["origin_port"].choices = choices["ports"]
        self.fields["currency"].choices = choices["currencies"]
        self.fields["origin_port"].initial = settings.MGTRADE["DEFAULT_ORIGIN_PORT"]
        self.fields["quote_date"].initial = timezone.localdate
        self.fields["insurance_rate_percent"].initial = settings.MGTRADE[
            "DEFAULT_INSURANCE_RATE_PERCENT"
        ]

    def clean(self):
        data = super().clean()
        needed = ("incoterm", "origin_port", "destination_port", "insurance_rate_percent")
        if all(data.get(name) is not None for name in (*needed, "tariff_absorption_percent")):
            for name, messages in check_terms(
                **{n: data[n] for n in needed},
                tariff_absorption_percent=data["tariff_absorption_percent"],
            ).items():
                for message in messages:
                    self.add_error(name, message)
        return data


class PricingLineForm(forms.Form):
    product = forms.ChoiceField(label="Grade")
    quantity_mt = forms.DecimalField(
        label="Quantity (MT)", max_digits=12, decimal_places=3, widget=forms.TextInput(attrs=NUMBER)
    )
    unit_price_usd_per_mt = forms.DecimalField(
        label="Unit price (USD/MT FOB)",
        max_digits=14,
        decimal_places=2,
        required=False,
        widget=forms.TextInput(attrs=NUMBER | {"placeholder": "list price"}),
    )
    discount_percent = forms.DecimalField(
        label="Discount %",
        max_digits=7,
        decimal_places=2,
        required=False,
        widget=forms.TextInput(attrs=NUMBER | {"placeholder": "0"}),
    )

    def __init__(self, *args, choices, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["product"].choices = [("", "— grade —"), *choices["products"]]
        for field in self.fields.values():  # shown in a table: the header is the label
            field.widget.attrs["aria-label"] = field.label

    def clean(self):
        data = super().clean()
        if data.get("quantity_mt") is not None:
            errors = check_line(
                quantity_mt=data["quantity_mt"],
                unit_price_usd_per_mt=data.get("unit_price_usd_per_mt"),
                discount_percent=data.get("discount_percent") or Decimal("0"),
            )
            for name, messages in errors.items():
                for message in messages:
                    self.add_error(name, message)
        return data


PricingLineFormSet = forms.formset_factory(PricingLineForm, extra=0, max_num=50, absolute_max=50)


# ------------------------------------------------------------------ quotes


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
    packaging_notes = forms.CharField(
        label="Packaging",
        max_length=300,
        required=False,
        widget=forms.TextInput(attrs={"placeholder": "e.g. 1 MT jumbo bags on pallets"}),
    )
    terms = forms.CharField(
        label="Other terms", required=False, widget=forms.Textarea(attrs={"rows": 3})
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
