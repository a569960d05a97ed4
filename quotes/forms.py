"""Forms for pricing: the price calculator (and reusable by the quote builder)."""

from decimal import Decimal

from django import forms
from django.conf import settings
from django.utils import timezone

from .pricing import INCOTERMS, check_line, check_terms

INCOTERM_CHOICES = [(t, t) for t in INCOTERMS]
NUMBER = {"inputmode": "decimal", "autocomplete": "off"}


class PricingTermsForm(forms.Form):
    destination_port = forms.ChoiceField(label="Destination port")
    incoterm = forms.ChoiceField(choices=INCOTERM_CHOICES, initial="CIF", label="Incoterm")
    currency = forms.ChoiceField(label="Currency", initial="USD")
    origin_port = forms.ChoiceField(label="Origin port")
    quote_date = forms.DateField(
        label="Quote date", widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
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
