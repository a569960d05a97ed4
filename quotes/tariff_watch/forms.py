from django import forms

from products.models import (
    HS_PREFIX_VALIDATOR,
    TARIFF_RATE_VALIDATORS,
    DutyBasis,
    TariffKind,
    _destination_choices,
)


class ScenarioForm(forms.Form):
    name = forms.CharField(max_length=120, help_text="e.g. US adds 25 % on 8104.19 from 2027")
    description = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), required=False)


class ScenarioRuleForm(forms.Form):
    destination = forms.ChoiceField(choices=[("", "—"), *_destination_choices()])
    hs_prefix = forms.CharField(
        label="HS prefix", max_length=10, validators=[HS_PREFIX_VALIDATOR], help_text="e.g. 810419"
    )
    kind = forms.ChoiceField(choices=TariffKind.choices)
    rate_percent = forms.DecimalField(
        label="Rate %", max_digits=6, decimal_places=2, initial=0, validators=TARIFF_RATE_VALIDATORS
    )
    specific_usd_per_mt = forms.DecimalField(
        label="Specific duty (USD/MT)", max_digits=12, decimal_places=2, initial=0, min_value=0
    )
    basis = forms.ChoiceField(choices=DutyBasis.choices)
    valid_from = forms.DateField(label="From", required=False, help_text="YYYY-MM-DD")

    def clean_hs_prefix(self):
        return self.cleaned_data["hs_prefix"].replace(".", "")


ScenarioRuleFormSet = forms.formset_factory(
    ScenarioRuleForm, extra=3, min_num=1, validate_min=True, max_num=20
)
