"""``POST pricing/preview/``: price a request without saving anything, with the reasons a
quote priced like this would need a manager's approval (the same builders as the quote
builder and the calculator: ``pricing.approval``)."""

from drf_spectacular.utils import OpenApiExample, OpenApiResponse, extend_schema
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from pricing.approval import reasons_as_dicts
from pricing.inputs import approval_reasons_check, pricing_run

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


class PricingPreviewView(APIView):
    """Price a quote without saving anything: per-line duties, components, landed cost, and
    the approval reasons (``approval_reasons``, empty when a rep could send it as priced)."""

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
        serializer.is_valid(raise_exception=True)
        result, products = pricing_run(**serializer.validated_data)
        reasons = reasons_as_dicts(approval_reasons_check(result=result, products=products))
        return Response(
            {**result.to_dict(), "approval_reasons": reasons, "needs_approval": bool(reasons)}
        )
