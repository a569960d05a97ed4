"""Reference data for pricing: ports, freight rates, exchange rates, tariff rules.

Read: any signed-in user. Write: admins (model permissions). Writes go through services.
"""

import django_filters
from rest_framework import viewsets

from mgtrade.permissions import ReadAnyWriteModelPerms
from products import selectors, services
from products.models import FreightRate

from .serializers import (
    ExchangeRateSerializer,
    FreightRateSerializer,
    PortSerializer,
    TariffRuleSerializer,
)


class FreightRateFilter(django_filters.FilterSet):
    origin_port = django_filters.CharFilter(field_name="origin_port__code")
    destination_port = django_filters.CharFilter(field_name="destination_port__code")

    class Meta:
        model = FreightRate
        fields = ["origin_port", "destination_port", "container_type"]


class _ServiceViewSet(viewsets.ModelViewSet):
    """Writes go through the app's services. No DELETE: end a period instead (admin can)."""

    permission_classes = [ReadAnyWriteModelPerms]
    http_method_names = ["get", "post", "put", "patch", "head", "options"]
    create_service = None
    update_service = None
    instance_kwarg = ""

    def perform_create(self, serializer):
        serializer.instance = type(self).create_service(**serializer.validated_data)

    def perform_update(self, serializer):
        serializer.instance = type(self).update_service(
            **{self.instance_kwarg: serializer.instance}, **serializer.validated_data
        )


class PortViewSet(_ServiceViewSet):
    """Sea ports by UN/LOCODE with their origin and destination charges (USD/MT)."""

    serializer_class = PortSerializer
    lookup_field = "code"
    filterset_fields = ["country"]
    create_service = staticmethod(services.port_create)
    update_service = staticmethod(services.port_update)
    instance_kwarg = "port"

    def get_queryset(self):
        return selectors.port_list()


class FreightRateViewSet(_ServiceViewSet):
    """Ocean freight per container for a route, with its validity period."""

    serializer_class = FreightRateSerializer
    filterset_class = FreightRateFilter
    create_service = staticmethod(services.freight_rate_create)
    update_service = staticmethod(services.freight_rate_update)
    instance_kwarg = "rate"

    def get_queryset(self):
        return selectors.freight_rate_list()


class ExchangeRateViewSet(_ServiceViewSet):
    """Units of a currency per 1 USD on a date."""

    serializer_class = ExchangeRateSerializer
    filterset_fields = ["currency", "date"]
    create_service = staticmethod(services.exchange_rate_create)
    update_service = staticmethod(services.exchange_rate_update)
    instance_kwarg = "rate"

    def get_queryset(self):
        return selectors.exchange_rate_list()


class TariffRuleViewSet(_ServiceViewSet):
    """Import duties by destination (country or EU), origin, HS prefix and kind.
    Rates must be checked against the official tariff before use."""

    serializer_class = TariffRuleSerializer
    filterset_fields = ["destination", "origin_country", "hs_prefix", "kind", "basis"]
    create_service = staticmethod(services.tariff_rule_create)
    update_service = staticmethod(services.tariff_rule_update)
    instance_kwarg = "rule"

    def get_queryset(self):
        return selectors.tariff_rule_list()
