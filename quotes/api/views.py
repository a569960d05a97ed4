from drf_spectacular.utils import OpenApiExample, OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from quotes import selectors

from .serializers import PreviewRequestSerializer, PreviewResponseSerializer

EXAMPLE_REQUEST = {
    "quote_date": "2026-11-20",
    "incoterm": "CIF",
    "origin_port": "CNTXG",
    "destination_port": "DEHAM",
    "currency": "EUR",
    "insurance_rate_percent": "0.15",
    "tariff_absorption_percent": "0",
    "lines": [
        {
            "product": "MG9990",
            "quantity_mt": "50",
            "unit_price_usd_per_mt": "2450.00",
            "discount_percent": "2",
        }
    ],
}


def _line_errors_as_list(errors, data):
    """DRF reports list items' errors as ``{index: errors}``; the engine's errors are a list
    with one dict per line (``[{}, {"quantity_mt": [...]}]``). Answer in one shape."""
    errors = dict(errors)
    lines = errors.get("lines")
    if isinstance(lines, dict) and "non_field_errors" in lines:
        errors["lines"] = list(lines["non_field_errors"])
    elif isinstance(lines, dict):
        count = len(data.get("lines") or []) if hasattr(data, "get") else 0
        count = max(count, max((int(i) for i in lines), default=-1) + 1)
        errors["lines"] = [lines.get(i, lines.get(str(i), {})) for i in range(count)]
    return errors


class PricingPreviewView(APIView):
    """Price a quote without saving anything: per-line duties, components, landed cost."""

    permission_classes = [IsAuthenticated]

    @extend_schema(
        operation_id="pricing_preview",
        request=PreviewRequestSerializer,
        responses={
            200: PreviewResponseSerializer,
            400: OpenApiResponse(
                description='Field errors, e.g. {"destination_port": ["No freight rate ..."]} '
                'or {"lines": [{}, {"quantity_mt": ["..."]}]}.'
            ),
        },
        examples=[OpenApiExample("CIF Hamburg", value=EXAMPLE_REQUEST, request_only=True)],
        tags=["pricing"],
    )
    def post(self, request):
        serializer = PreviewRequestSerializer(data=request.data)
        if not serializer.is_valid():
            return Response(
                _line_errors_as_list(serializer.errors, request.data),
                status=status.HTTP_400_BAD_REQUEST,
            )
        try:
            result = selectors.pricing_preview(**serializer.validated_data)
        except selectors.PricingValidationError as exc:
            return Response(exc.nested, status=status.HTTP_400_BAD_REQUEST)
        return Response(result.to_dict())
