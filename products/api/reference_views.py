"""Reference data for pricing: ports, freight rates, exchange rates, tariff rules.

Read: any signed-in user. Write: admins (model permissions). Writes go through services.
"""

import django_filters
from django.utils import timezone
from drf_spectacular.utils import extend_schema
from rest_framework import viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied
from rest_framework.response import Response

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
    """Import duties by destination (country or EU), origin, HS prefix and kind, with their
    public legal citation, internal source note and last verification. Rates must be checked
    against the official tariff before use.

    PATCH/PUT change a rule the way history allows: text in place; an earlier end date
    closes the rule; a new rate, specific duty, basis or later end date needs
    ``effective_from`` and answers with the new version (the old row ends the day before)."""

    serializer_class = TariffRuleSerializer
    filterset_fields = ["destination", "origin_country", "hs_prefix", "kind", "basis"]

    def get_queryset(self):
        return selectors.tariff_rule_list()

    def perform_create(self, serializer):
        data = dict(serializer.validated_data)
        data.pop("effective_from", None)
        verified = data.pop("verified", False)
        serializer.instance = services.tariff_rule_create(
            by=self.request.user,
            verified_on=timezone.localdate() if verified else None,
            **data,
        )

    def perform_update(self, serializer):
        data = dict(serializer.validated_data)
        data.pop("verified", None)
        serializer.instance = services.tariff_rule_change(
            rule=serializer.instance, by=self.request.user, **data
        )

    @extend_schema(request=None, responses=TariffRuleSerializer)
    @action(detail=True, methods=["post"])
    def verify(self, request, pk=None):
        """Record that the caller checked the rule against the official tariff today (admins)."""
        if not request.user.has_perm("products.change_tariffrule"):
            raise PermissionDenied()
        rule = services.tariff_rule_verify(rule=self.get_object(), by=request.user)
        return Response(TariffRuleSerializer(rule).data)
