"""Helpers for the server-rendered pages."""

from django import forms
from django.core.exceptions import ValidationError

from mgtrade.errors import validation_error_dict


def add_service_errors(form: forms.Form, exc: ValidationError) -> None:
    """Show a service's ValidationError on the form: on its field when the form has it."""
    for field, messages in validation_error_dict(exc).items():
        target = field if field in form.fields else None
        for message in messages:
            form.add_error(target, message)
