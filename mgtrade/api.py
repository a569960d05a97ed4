"""API conventions shared by every app: pagination and one exception handler."""

from django.core.exceptions import ValidationError as DjangoValidationError
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
