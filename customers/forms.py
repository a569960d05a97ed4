from django import forms
from django.db import models
from django_countries import countries

from mgtrade.accounts.models import User
from mgtrade.web import IsoDateField, IsoDateInput

from . import selectors
from .models import Activity, ActivityKind, Contact, Customer, Industry, Status
from .regions import Region
from .services import CONTACT_FIELDS, CUSTOMER_FIELDS


def _formfield(field, **kwargs):
    if isinstance(field, models.URLField):
        kwargs.setdefault("assume_scheme", "https")
    return field.formfield(**kwargs)


DATE = IsoDateInput()


class CustomerForm(forms.ModelForm):
    confirm_duplicate = forms.BooleanField(
        required=False, label="Create anyway: this is a different company"
    )

    class Meta:
        model = Customer
        fields = list(CUSTOMER_FIELDS)
        formfield_callback = _formfield
        widgets = {
            "address": forms.Textarea(attrs={"rows": 2}),
            "notes": forms.Textarea(attrs={"rows": 3}),
        }


class CustomerCreateForm(CustomerForm):
    owner = forms.ModelChoiceField(
        queryset=User.objects.none(), required=False, help_text="Default: you."
    )

    def __init__(self, *args, user: User, **kwargs):
        super().__init__(*args, **kwargs)
        if user.is_manager:
            self.fields["owner"].queryset = selectors.owner_choices()
        else:
            del self.fields["owner"]


class ContactForm(forms.ModelForm):
    confirm_duplicate = forms.BooleanField(
        required=False, label="Add anyway: the email is used at another customer"
    )

    class Meta:
        model = Contact
        fields = list(CONTACT_FIELDS)


class ActivityForm(forms.ModelForm):
    class Meta:
        model = Activity
        fields = ["kind", "date", "contact", "summary", "follow_up_on"]
        field_classes = {"date": IsoDateField, "follow_up_on": IsoDateField}
        widgets = {
            "date": DATE,
            "follow_up_on": DATE,
            "summary": forms.Textarea(attrs={"rows": 2}),
        }

    def __init__(self, *args, customer: Customer, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["contact"].queryset = customer.contacts.all()
        self.fields["contact"].required = False


class QuickLogForm(forms.Form):
    """My day: mark a follow-up done and, optionally, log what happened next."""

    kind = forms.ChoiceField(choices=ActivityKind.choices, initial=ActivityKind.CALL)
    summary = forms.CharField(required=False, widget=forms.TextInput)
    follow_up_on = IsoDateField(required=False, label="Next follow-up", help_text="YYYY-MM-DD")


class ReassignForm(forms.Form):
    owner = forms.ModelChoiceField(queryset=User.objects.none(), label="New owner")
    note = forms.CharField(required=False, max_length=300)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = selectors.owner_choices()


def _blank(choices, label="All"):
    return [("", label), *choices]


class CustomerFilterForm(forms.Form):
    search = forms.CharField(
        required=False,
        widget=forms.TextInput(
            attrs={"type": "search", "placeholder": "Name, contact, email, city"}
        ),
    )
    region = forms.ChoiceField(required=False, choices=_blank(Region.choices))
    country = forms.ChoiceField(required=False, choices=_blank(list(countries)))
    industry = forms.ChoiceField(required=False, choices=_blank(Industry.choices))
    status = forms.ChoiceField(required=False, choices=_blank(Status.choices))
    owner = forms.ModelChoiceField(required=False, queryset=User.objects.none(), empty_label="All")
    sort = forms.ChoiceField(
        required=False, choices=[(k, k) for k in selectors.SORTS], widget=forms.HiddenInput
    )

    def __init__(self, *args, user: User, **kwargs):
        super().__init__(*args, **kwargs)
        if user.is_manager:
            self.fields["owner"].queryset = selectors.owner_choices()
        else:
            del self.fields["owner"]

    def selector_kwargs(self) -> dict:
        data = dict(self.cleaned_data) if self.is_valid() else {}
        if data.get("owner") is not None:
            data["owner"] = data["owner"].pk
        return data


class ImportUploadForm(forms.Form):
    file = forms.FileField(label="CSV file (UTF-8)")


class ImportConfirmForm(forms.Form):
    csv_text = forms.CharField(widget=forms.HiddenInput)
