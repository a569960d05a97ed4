"""Forms of the lot and shipment pages: shapes only, the rules are orders.shipping's."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from django import forms
from django.utils import timezone

from products.models import ContainerType, Product

from .forms import DATE
from .models import ContractLine, Lot, Shipment
from .shipping import SHIPMENT_FIELDS

MT = {"min_value": Decimal("0.001"), "max_digits": 12, "decimal_places": 3}


class AnalysesField(forms.CharField):
    """Measured values, one ``element value`` a line (``Fe 0.003``, ``Fe: 0.003``)."""

    widget = forms.Textarea(attrs={"rows": 6})

    def to_python(self, value):
        result: dict[str, str] = {}
        for number, line in enumerate((value or "").splitlines(), start=1):
            text = line.replace(":", " ").replace("=", " ").replace("%", " ").strip()
            if not text:
                continue
            parts = text.rsplit(None, 1)
            if len(parts) != 2:
                raise forms.ValidationError(f"Line {number}: write the element and its value.")
            try:
                Decimal(parts[1].replace(",", "."))
            except InvalidOperation:
                raise forms.ValidationError(
                    f"Line {number}: {parts[1]!r} is not a number."
                ) from None
            result[parts[0].strip()] = parts[1]
        return result


class LotForm(forms.ModelForm):
    analyses = AnalysesField(
        label="Analysis (one element and its measured % a line, e.g. Fe 0.003)", required=False
    )

    class Meta:
        model = Lot
        fields = [
            "number",
            "product",
            "production_date",
            "net_weight_mt",
            "ingots",
            "bundles",
            "notes",
        ]
        widgets = {"production_date": DATE, "notes": forms.Textarea(attrs={"rows": 2})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["product"].queryset = Product.objects.filter(active=True).order_by("code")
        self.fields["product"].label = "Grade"
        self.fields["production_date"].initial = timezone.localdate


class AnalysesForm(forms.Form):
    analyses = AnalysesField(label="Measured values (one element and its % a line)")


class AnalysisImportForm(forms.Form):
    file = forms.FileField(
        label="CSV file (columns lot, element, measured_percent)",
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,text/csv"}),
    )


class ShipmentForm(forms.ModelForm):
    class Meta:
        model = Shipment
        fields = list(SHIPMENT_FIELDS)
        widgets = {"etd": DATE, "eta": DATE}
        help_texts = {
            "port_of_loading": "UN/LOCODE; empty: the contract's.",
            "port_of_discharge": "UN/LOCODE; empty: the contract's.",
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("port_of_loading", "port_of_discharge"):
            self.fields[name].required = False

    def _post_clean(self):
        """The service validates the shipment (the ports default to the contract's)."""


class AllocateForm(forms.Form):
    contract_line = forms.ModelChoiceField(
        label="Contract line", queryset=ContractLine.objects.none()
    )
    lot = forms.ModelChoiceField(label="Lot", queryset=Lot.objects.none())
    quantity_mt = forms.DecimalField(
        label="Quantity (MT; empty: what is left of the lot)", required=False, **MT
    )
    override_reason = forms.CharField(
        label="Manager's reason to ship an out-of-specification lot",
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args, shipment: Shipment, **kwargs):
        super().__init__(*args, **kwargs)
        lines = shipment.contract.lines.all()
        self.fields["contract_line"].queryset = lines
        self.fields["contract_line"].label_from_instance = lambda line: (
            f"{line.position}. {line.product_code} × {line.quantity_mt:f} MT"
        )
        self.fields["lot"].queryset = (
            Lot.objects.filter(product_id__in=[line.product_id for line in lines])
            .select_related("product")
            .order_by("-production_date", "number")
        )
        self.fields["lot"].label_from_instance = lambda lot: (
            f"{lot.number} · {lot.product.code} · {lot.net_weight_mt:f} MT"
        )


class ContainerForm(forms.Form):
    number = forms.CharField(label="Container number", max_length=13)
    seal = forms.CharField(label="Seal", max_length=30)
    type = forms.ChoiceField(
        label="Type", choices=[*ContainerType.choices, ("40GP", "40 ft general purpose")]
    )
    net_weight_mt = forms.DecimalField(label="Net weight (MT)", **MT)
    gross_weight_mt = forms.DecimalField(label="Gross weight (MT)", **MT)
    bundles = forms.IntegerField(label="Bundles", min_value=1)
    lots = forms.ModelMultipleChoiceField(
        label="Lots in it",
        queryset=Lot.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args, shipment: Shipment, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["lots"].queryset = Lot.objects.filter(allocations__shipment=shipment)


class LoadForm(forms.Form):
    bl_number = forms.CharField(label="B/L number", max_length=40)
    on_board_date = forms.DateField(label="On-board date", widget=DATE, initial=timezone.localdate)


class ArriveForm(forms.Form):
    arrived_on = forms.DateField(label="Arrived on", widget=DATE, initial=timezone.localdate)


class CorrectionForm(forms.Form):
    reason = forms.CharField(label="What is corrected", max_length=500)


class AcknowledgeForm(forms.Form):
    note = forms.CharField(
        label="Why the documents go despite the discrepancies",
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class SendDocumentsForm(forms.Form):
    bank_email = forms.EmailField(
        label="Bank contact's e-mail (L/C deals: the set goes to the bank too)", required=False
    )


class CustomerSpecForm(forms.Form):
    product = forms.ModelChoiceField(label="Grade", queryset=Product.objects.none())
    element = forms.CharField(label="Element (Fe, Ni, Cu…)", max_length=24)
    min_percent = forms.DecimalField(
        label="Minimum %", required=False, max_digits=8, decimal_places=5, min_value=0
    )
    max_percent = forms.DecimalField(
        label="Maximum %", required=False, max_digits=8, decimal_places=5, min_value=0
    )
    this_contract_only = forms.BooleanField(label="For this contract only", required=False)

    def __init__(self, *args, contract, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["product"].queryset = Product.objects.filter(
            pk__in=[line.product_id for line in contract.lines.all()]
        ).order_by("code")
