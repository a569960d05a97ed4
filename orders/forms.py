"""Forms of the contract pages. They check shapes; the services check the rules."""

from __future__ import annotations

from decimal import Decimal

from django import forms
from django.utils import timezone

from customers.selectors import customer_list_visible, owner_choices

from .models import ContractStatus, LetterOfCredit, SalesContract
from .services import CONTRACT_TERM_FIELDS, LC_FIELDS

DATE = forms.DateInput(attrs={"type": "date"})


class LinesField(forms.CharField):
    """A list of strings edited as one line each."""

    widget = forms.Textarea(attrs={"rows": 6})

    def prepare_value(self, value):
        if isinstance(value, list):
            return "\n".join(value)
        return value

    def to_python(self, value):
        return [line.strip() for line in (value or "").splitlines() if line.strip()]


class ContractFilterForm(forms.Form):
    status = forms.ChoiceField(
        choices=[("", "Any status"), *ContractStatus.choices], required=False
    )
    customer = forms.ModelChoiceField(queryset=None, required=False, empty_label="Any customer")
    owner = forms.ModelChoiceField(queryset=None, required=False, empty_label="Any rep")
    overdue = forms.TypedChoiceField(
        label="Payments",
        choices=[("", "Any"), ("1", "With an overdue proforma")],
        required=False,
        coerce=lambda v: v == "1",
        empty_value=None,
    )
    search = forms.CharField(label="Number, customer or PO", required=False)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["customer"].queryset = customer_list_visible(user=user).order_by(
            "normalized_name"
        )
        if user.is_manager:
            self.fields["owner"].queryset = owner_choices()
        else:
            del self.fields["owner"]

    def selector_kwargs(self) -> dict:
        if not self.is_valid():
            return {}
        data = self.cleaned_data
        return {
            "status": data.get("status") or None,
            "customer": data["customer"].pk if data.get("customer") else None,
            "owner": data["owner"].pk if data.get("owner") else None,
            "overdue": data.get("overdue") or None,
            "search": data.get("search") or None,
        }


class ContractTermsForm(forms.ModelForm):
    documents = LinesField(label="Documents the seller supplies (one a line)", required=False)
    balance_days_after_bl = forms.IntegerField(
        label="Balance due days after the B/L date",
        required=False,
        min_value=0,
        max_value=180,
        help_text="Empty or 0: due on the on-board date.",
    )

    def clean_balance_days_after_bl(self) -> int:
        return self.cleaned_data.get("balance_days_after_bl") or 0

    class Meta:
        model = SalesContract
        fields = list(CONTRACT_TERM_FIELDS)
        widgets = {
            "shipment_from": DATE,
            "latest_shipment_date": DATE,
            "consignee": forms.Textarea(attrs={"rows": 3}),
            "terms_text": forms.Textarea(attrs={"rows": 4}),
        }


class CountersignForm(forms.Form):
    name = forms.CharField(label="Signed by (at the buyer)", max_length=200)
    title = forms.CharField(label="Title", max_length=120, required=False)
    signed_on = forms.DateField(label="Signed on", widget=DATE, initial=timezone.localdate)


class CancelForm(forms.Form):
    reason = forms.CharField(label="Why is the contract cancelled?", max_length=2000)


class WriteOffForm(forms.Form):
    reason = forms.CharField(label="Reason for writing off the difference", max_length=500)


class PaymentForm(forms.Form):
    amount = forms.DecimalField(label="Amount received", max_digits=14, decimal_places=2)
    currency = forms.CharField(max_length=3)
    value_date = forms.DateField(label="Value date", widget=DATE, initial=timezone.localdate)
    bank_reference = forms.CharField(label="Bank reference", max_length=60)
    payer = forms.CharField(max_length=200, required=False, help_text="Empty: the buyer.")
    note = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, proformas, **kwargs):
        super().__init__(*args, **kwargs)
        self.proformas = list(proformas)
        for proforma in self.proformas:
            self.fields[f"alloc_{proforma.pk}"] = forms.DecimalField(
                label=f"Allocate to {proforma.number} ({proforma.get_kind_display().lower()}, "
                f"outstanding {proforma.currency} {proforma.outstanding:,.2f})",
                max_digits=14,
                decimal_places=2,
                min_value=Decimal("0"),
                required=False,
            )

    def allocations(self) -> list:
        return [
            (proforma, self.cleaned_data[f"alloc_{proforma.pk}"])
            for proforma in self.proformas
            if self.cleaned_data.get(f"alloc_{proforma.pk}")
        ]

    def allocation_fields(self):
        return [self[f"alloc_{p.pk}"] for p in self.proformas]

    def payment_fields(self):
        return [
            self[name]
            for name in ("amount", "currency", "value_date", "bank_reference", "payer", "note")
        ]


class LetterOfCreditForm(forms.ModelForm):
    documents_required = LinesField(label="Documents required (46A), one a line", required=False)

    class Meta:
        model = LetterOfCredit
        fields = list(LC_FIELDS)
        widgets = {
            "issue_date": DATE,
            "expiry_date": DATE,
            "latest_shipment_date": DATE,
            "additional_conditions": forms.Textarea(attrs={"rows": 4}),
        }


class LCAmendmentForm(LetterOfCreditForm):
    amendment_date = forms.DateField(
        label="Amendment date", widget=DATE, initial=timezone.localdate
    )
    amendment_note = forms.CharField(label="Note", required=False, max_length=2000)

    def changes(self) -> dict:
        return {name: self.cleaned_data[name] for name in LC_FIELDS if name in self.changed_data}


class AmendmentRequestForm(forms.Form):
    text = forms.CharField(
        label="What should the buyer have amended?",
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=4000,
    )


class LCAcceptForm(forms.Form):
    note = forms.CharField(
        label="Note (required when the L/C has discrepancies)", required=False, max_length=2000
    )
