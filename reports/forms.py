"""The reports' filters, read from the URL's query string (a view can be bookmarked)."""

from __future__ import annotations

from django import forms
from django_countries import countries

from customers.models import Industry
from customers.regions import Region
from customers.selectors import owner_choices
from mgtrade.accounts.models import User

from .selectors import ReportFilters, report_choices


def _blank(choices) -> list[tuple[str, str]]:
    return [("", "All"), *choices]


class ReportFilterForm(forms.Form):
    date_from = forms.DateField(
        label="From", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    date_to = forms.DateField(
        label="To", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    rep = forms.ModelChoiceField(required=False, queryset=User.objects.none(), empty_label="All")
    region = forms.ChoiceField(required=False, choices=_blank(Region.choices))
    country = forms.ChoiceField(required=False, choices=_blank(list(countries)))
    grade = forms.ChoiceField(required=False)
    industry = forms.ChoiceField(required=False, choices=_blank(Industry.choices))
    currency = forms.ChoiceField(
        required=False,
        help_text="Only quotes in this currency, values shown in it (empty: all, in USD).",
    )

    def __init__(self, *args, user: User, **kwargs):
        super().__init__(*args, **kwargs)
        choices = report_choices()
        self.fields["grade"].choices = _blank(choices["grades"])
        self.fields["currency"].choices = _blank(choices["currencies"])
        if user.is_manager:
            self.fields["rep"].queryset = owner_choices()
        else:
            del self.fields["rep"]  # a rep sees their own figures only

    def clean(self):
        data = super().clean()
        start, end = data.get("date_from"), data.get("date_to")
        if start and end and start > end:
            self.add_error("date_to", "The end date must be on or after the start date.")
        if start and end and (end - start).days > 3 * 366:
            self.add_error("date_from", "Choose a range of at most three years.")
        return data

    def filters(self) -> ReportFilters:
        """The filters asked for (the defaults where a field is empty or the form invalid)."""
        default = ReportFilters.default()
        data = self.cleaned_data if self.is_bound and self.is_valid() else {}
        rep = data.get("rep")
        return ReportFilters(
            date_from=data.get("date_from") or default.date_from,
            date_to=data.get("date_to") or default.date_to,
            rep=rep.pk if rep else None,
            region=data.get("region") or "",
            country=data.get("country") or "",
            grade=data.get("grade") or "",
            industry=data.get("industry") or "",
            currency=data.get("currency") or "",
        )


class DigestPreferenceForm(forms.Form):
    weekly_digest = forms.BooleanField(
        label="E-mail me the weekly digest (PDF, Mondays)", required=False
    )
