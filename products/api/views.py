from drf_spectacular.utils import extend_schema
from rest_framework import status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied
from rest_framework.response import Response

from mgtrade.permissions import ReadAnyWriteModelPerms
from products import selectors, services

from .serializers import ProductPriceSerializer, ProductSerializer


class ProductViewSet(viewsets.ModelViewSet):
    """Product grades. Read: any signed-in user. Write: admins. Deactivate rather than delete."""

    serializer_class = ProductSerializer
    permission_classes = [ReadAnyWriteModelPerms]
    lookup_field = "code"
    http_method_names = ["get", "post", "put", "patch", "head", "options"]
    filterset_fields = ["category", "active", "hs_code"]

    def get_queryset(self):
        return selectors.product_list()

    def perform_create(self, serializer):
        product = services.product_create(**serializer.validated_data)
        serializer.instance = selectors.product_get(code=product.code)

    def perform_update(self, serializer):
        product = services.product_update(product=serializer.instance, **serializer.validated_data)
        serializer.instance = selectors.product_get(code=product.code)

    @extend_schema(request=ProductPriceSerializer, responses=ProductPriceSerializer(many=True))
    @action(detail=True, methods=["get", "post"], serializer_class=ProductPriceSerializer)
    def prices(self, request, code=None):
        """List price history (newest first); POST adds a price from a date (admins)."""
        product = self.get_object()
        if request.method == "GET":
            page = self.paginate_queryset(selectors.product_price_history(product=product))
            return self.get_paginated_response(ProductPriceSerializer(page, many=True).data)
        if not request.user.has_perm("products.add_productprice"):
            raise PermissionDenied()
        serializer = ProductPriceSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        price = services.product_price_add(
            product=product, by=request.user, **serializer.validated_data
        )
        return Response(ProductPriceSerializer(price).data, status=status.HTTP_201_CREATED)
