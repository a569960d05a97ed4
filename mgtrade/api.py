"""API conventions shared by every app: pagination and one exception handler."""

from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import JsonResponse
from django.views import defaults
from rest_framework import status
from rest_framework.exceptions import ValidationError
from rest_framework.pagination import PageNumberPagination
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from mgtrade.errors import StateConflict, validation_error_dict
from mgtrade.pagination import IdsFirst
from pricing.inputs import PricingValidationError


class Pagination(PageNumberPagination):
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 200


class IdsFirstPagination(Pagination):
    """``Pagination`` for large ordered lists: the page's ids first, then its rows
    (``mgtrade.pagination.IdsFirst``); the same response, one query more."""

    def paginate_queryset(self, queryset, request, view=None):
        return super().paginate_queryset(IdsFirst(queryset), request, view)


def filter_values(filterset_class, request) -> dict:
    """A list's filters from the query string, checked by its ``FilterSet``: an invalid
    value answers 400 with the field's errors, exactly as ``DjangoFilterBackend`` does for
    the lists it filters itself. For lists whose selector applies the filters."""
    filterset = filterset_class(request.query_params)
    if not filterset.is_valid():
        raise ValidationError(detail=dict(filterset.errors))
    return filterset.form.cleaned_data


def exception_handler(exc, context):
    """DRF's handler, plus services' errors: ValidationError → 400, StateConflict → 409.

    Pricing input errors answer in the engine's shape, with line errors as a list of one
    dict per line (``{"lines": [{}, {"quantity_mt": [...]}]}``), wherever they arise.
    """
    if isinstance(exc, PricingValidationError):
        exc = ValidationError(detail=exc.nested)
    elif isinstance(exc, DjangoValidationError):
        exc = ValidationError(detail=validation_error_dict(exc))
    if isinstance(exc, StateConflict):
        return Response({"detail": exc.message}, status=status.HTTP_409_CONFLICT)
    return drf_exception_handler(exc, context)


# OpenAPI: the error answers every operation can give ------------------------------------

_ERROR_SCHEMA = {
    "type": "object",
    "properties": {"detail": {"type": "string"}},
    "required": ["detail"],
}
_FIELD_ERRORS_SCHEMA = {
    "type": "object",
    "description": "Field name → messages (`non_field_errors` for the whole request); a "
    "request refused as a whole (a NUL character, malformed JSON) has `detail` instead.",
    "additionalProperties": True,
}
_ERRORS = {
    "400": ("Invalid input: field errors, or `detail`.", "FieldErrors"),
    "401": ("Not signed in, or the token has ended.", "Error"),
    "403": ("Signed in, but not allowed.", "Error"),
    "404": (
        "Not found, or not visible to the caller (also a page number past the end).",
        "Error",
    ),
    "409": ("The object's state forbids this action.", "Error"),
    "415": ("Unsupported media type.", "Error"),
}
_WRITE_ONLY_CODES = {"409", "415"}


def document_error_responses(result, generator, request, public):
    """drf-spectacular postprocessing hook: add the error answers of the conventions in
    docs/api.md to every operation under ``/api/v1/`` that does not describe them itself."""
    schemas = result.setdefault("components", {}).setdefault("schemas", {})
    schemas.setdefault("Error", _ERROR_SCHEMA)
    schemas.setdefault("FieldErrors", _FIELD_ERRORS_SCHEMA)
    for path, operations in result.get("paths", {}).items():
        if not path.startswith("/api/v1/"):
            continue
        for method, operation in operations.items():
            if method not in {"get", "post", "put", "patch", "delete"}:
                continue
            responses = operation.setdefault("responses", {})
            for code, (description, schema) in _ERRORS.items():
                if code in responses:
                    continue
                if code in _WRITE_ONLY_CODES and method == "get":
                    continue
                responses[code] = {
                    "description": description,
                    "content": {
                        "application/json": {"schema": {"$ref": f"#/components/schemas/{schema}"}}
                    },
                }
    return result


def not_found(request, exception=None):
    """The site's 404 (``handler404``): under ``/api/`` the API's JSON error, as DRF answers
    for an object it cannot find, also when no URL matched (an id that is not a number);
    the HTML page elsewhere."""
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": "Not found."}, status=404)
    return defaults.page_not_found(request, exception)
