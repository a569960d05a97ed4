"""API for tariff watch: change events with their affected quotes (read; managers queue a
recomputation) and what-if scenarios (managers: list, create, read, run again)."""

from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response

from products.models import DutyBasis, TariffKind

from . import scenarios, selectors, services
from .models import TariffChangeEvent, TariffChangeImpact, TariffScenario


class TariffChangeImpactSerializer(serializers.ModelSerializer):
    quote = serializers.IntegerField(source="quote_id", read_only=True)
    reference = serializers.CharField(source="quote.reference", read_only=True)
    owner = serializers.CharField(source="owner.username", read_only=True)

    class Meta:
        model = TariffChangeImpact
        fields = [
            "quote",
            "reference",
            "owner",
            "currency",
            "total_quantity_mt",
            "old_duties_usd",
            "new_duties_usd",
            "old_landed_per_mt_usd",
            "new_landed_per_mt_usd",
            "change_per_mt_usd",
            "old_landed_per_mt_qc",
            "new_landed_per_mt_qc",
            "change_per_mt_qc",
            "change_total_usd",
        ]


class TariffChangeEventSerializer(serializers.ModelSerializer):
    class Meta:
        model = TariffChangeEvent
        fields = [
            "id",
            "kind",
            "effective_on",
            "destination",
            "hs_prefix",
            "summary",
            "added_rule_ids",
            "removed_rule_ids",
            "status",
            "progress_done",
            "progress_total",
            "quotes_checked",
            "affected_count",
            "tonnes_affected",
            "landed_change_usd",
            "created_at",
            "finished_at",
        ]


class TariffChangeEventViewSet(viewsets.ReadOnlyModelViewSet):
    """Tariff rule changes (added, new version, end date) and their computed impact."""

    serializer_class = TariffChangeEventSerializer
    permission_classes = [IsAuthenticated]
    filterset_fields = ["kind", "destination", "status"]

    def get_queryset(self):
        return selectors.tariff_change_list(affecting_only=False)

    @extend_schema(responses=TariffChangeImpactSerializer(many=True))
    @action(detail=True, methods=["get"], serializer_class=TariffChangeImpactSerializer)
    def impacts(self, request, pk=None):
        """The affected open quotes the caller may see, biggest change per MT first."""
        event = self.get_object()
        page = self.paginate_queryset(
            selectors.tariff_change_impacts(event=event, user=request.user)
        )
        return self.get_paginated_response(TariffChangeImpactSerializer(page, many=True).data)

    @extend_schema(request=None, responses={202: TariffChangeEventSerializer})
    @action(detail=True, methods=["post"])
    def recompute(self, request, pk=None):
        """Queue the impact again (managers); 409 while it is being computed."""
        if not request.user.is_manager:
            raise PermissionDenied()
        event = services.tariff_change_recompute(event=self.get_object())
        return Response(TariffChangeEventSerializer(event).data, status=status.HTTP_202_ACCEPTED)


class ScenarioRuleSerializer(serializers.Serializer):
    destination = serializers.CharField(max_length=2, help_text="Country code or EU")
    hs_prefix = serializers.CharField(max_length=12)
    kind = serializers.ChoiceField(choices=TariffKind.choices)
    rate_percent = serializers.DecimalField(max_digits=6, decimal_places=2, default="0")
    specific_usd_per_mt = serializers.DecimalField(max_digits=12, decimal_places=2, default="0")
    basis = serializers.ChoiceField(choices=DutyBasis.choices)
    valid_from = serializers.DateField(required=False, allow_null=True)


class TariffScenarioSerializer(serializers.ModelSerializer):
    rules = ScenarioRuleSerializer(many=True)
    created_by = serializers.CharField(source="created_by.username", read_only=True)
    summary = serializers.SerializerMethodField()

    class Meta:
        model = TariffScenario
        fields = [
            "id",
            "name",
            "description",
            "rules",
            "created_by",
            "status",
            "progress_done",
            "progress_total",
            "last_run_at",
            "summary",
        ]
        read_only_fields = ["status", "progress_done", "progress_total", "last_run_at"]

    def get_summary(self, obj) -> dict:
        """The last run's totals and groupings (the affected quotes are in the CSV)."""
        return {k: v for k, v in (obj.result or {}).items() if k != "rows"}


class TariffScenarioViewSet(
    mixins.CreateModelMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet,
):
    """What-if tariff scenarios (managers and admins)."""

    serializer_class = TariffScenarioSerializer
    permission_classes = [IsAuthenticated]

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return TariffScenario.objects.none()
        if not self.request.user.is_manager:
            raise PermissionDenied()
        return TariffScenario.objects.select_related("created_by").order_by("-updated_at")

    def perform_create(self, serializer):
        if not self.request.user.is_manager:
            raise PermissionDenied()
        data = serializer.validated_data
        serializer.instance = scenarios.scenario_create(
            name=data["name"],
            description=data.get("description", ""),
            rules=[dict(r) for r in data["rules"]],
            by=self.request.user,
        )

    @extend_schema(request=None, responses={202: TariffScenarioSerializer})
    @action(detail=True, methods=["post"])
    def run(self, request, pk=None):
        """Run the scenario again on today's quotes; 409 while it runs."""
        scenario = scenarios.scenario_rerun(scenario=self.get_object(), by=request.user)
        return Response(TariffScenarioSerializer(scenario).data, status=status.HTTP_202_ACCEPTED)
