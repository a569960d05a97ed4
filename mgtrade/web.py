"""Helpers for the server-rendered pages (and the one file response the API shares)."""

from typing import IO

from django import forms
from django.core.exceptions import ValidationError
from django.http import FileResponse, HttpResponse

from mgtrade.errors import validation_error_dict

ISO_DATE_FORMAT = "%Y-%m-%d"


class IsoDateInput(forms.DateInput):
    """A date typed and shown as YYYY-MM-DD, like every date the app prints (a browser's
    ``type=date`` picker shows the browser's locale, e.g. 11/30/2026). Pair with
    ``IsoDateField`` (or ``input_formats=[ISO_DATE_FORMAT]``)."""

    def __init__(self, attrs=None):
        base = {
            "placeholder": "YYYY-MM-DD",
            "inputmode": "numeric",
            "pattern": r"\d{4}-\d{2}-\d{2}",
            "autocomplete": "off",
            "size": "10",
        }
        super().__init__(attrs={**base, **(attrs or {})}, format=ISO_DATE_FORMAT)


class IsoDateField(forms.DateField):
    """A form date that accepts exactly YYYY-MM-DD."""

    widget = IsoDateInput
    input_formats = [ISO_DATE_FORMAT]
    default_error_messages = {"invalid": "Enter the date as YYYY-MM-DD, e.g. 2026-11-30."}


def add_service_errors(form: forms.Form, exc: ValidationError) -> None:
    """Show a service's ValidationError on the form: on its field when the form has it."""
    for field, messages in validation_error_dict(exc).items():
        target = field if field in form.fields else None
        for message in messages:
            form.add_error(target, message)


def pdf_response(*, filename: str, data: bytes | None = None, handle: IO[bytes] | None = None):
    """An inline PDF: a stored file streamed from its open ``handle``, or ``data`` rendered
    for this request."""
    if handle is not None:
        return FileResponse(handle, content_type="application/pdf", filename=filename)
    response = HttpResponse(data, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    return response
