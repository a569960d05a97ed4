"""The pricing preview's request and response shapes."""

from collections.abc import Mapping
from typing import Any

from rest_framework import serializers

from customers.models import Incoterm
from products.customs import DUTY_BASES, TARIFF_KINDS


class PreviewLineSerializer(serializers.Serializer):
    product = serializers.CharField(max_length=32, help_text="Grade code, e.g. MG9990.")
    quantity_mt = serializers.DecimalField(
        max_digits=12, decimal_places=3, help_text="Metric tonnes, more than 0, at most 100,000."
    )
    unit_price_usd_per_mt = serializers.DecimalField(
        max_digits=14,
        decimal_places=2,
        required=False,
        allow_null=True,
        help_text="FOB origin port, USD/MT. Default: the list price in force on the quote date.",
    )
    term_price_per_mt = serializers.DecimalField(
        max_digits=14,
        decimal_places=2,
        required=False,
        allow_null=True,
        help_text=(
            "Netback: the price per MT in the quote currency on the quote's Incoterm basis "
            "(e.g. EUR 2,390/MT CIF Hamburg). When set, the FOB USD price is derived from it "
            "and unit_price_usd_per_mt is ignored."
        ),
    )
    discount_percent = serializers.DecimalField(
        max_digits=7, decimal_places=2, required=False, help_text="0–100, default 0."
    )


def line_errors_as_list(errors: Mapping[str, Any], data: Any) -> dict[str, Any]:
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


# Its ``errors`` give line errors in the engine's shape (a list with one dict per line), so
# a 400 reads the same whether DRF or the engine found the error.
class PreviewRequestSerializer(serializers.Serializer):
    quote_date = serializers.DateField(required=False, help_text="Default: today.")
    incoterm = serializers.ChoiceField(choices=Incoterm.choices)
    origin_port = serializers.CharField(
        max_length=5, required=False, help_text="UN/LOCODE. Default from settings (CNTXG)."
    )
    destination_port = serializers.CharField(max_length=5, help_text="UN/LOCODE, e.g. DEHAM.")
    currency = serializers.CharField(
        max_length=3, required=False, help_text="ISO 4217. Default USD."
    )
    insurance_rate_percent = serializers.DecimalField(
        max_digits=9, decimal_places=4, required=False, help_text="Default from settings (0.15)."
    )
    tariff_absorption_percent = serializers.DecimalField(
        max_digits=7,
        decimal_places=2,
        required=False,
        help_text="Share of the buyer's duties the seller absorbs (0–100; must be 0 under DDP).",
    )
    lines = PreviewLineSerializer(many=True, allow_empty=False)

    @property
    def errors(self):
        return line_errors_as_list(super().errors, getattr(self, "initial_data", {}))


# ---- response (documentation of PricingResult.to_dict(); the view returns that dict)


class DutySerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=TARIFF_KINDS)
    destination = serializers.CharField(help_text="Country code or EU.")
    origin_country = serializers.CharField()
    hs_prefix = serializers.CharField()
    rate_percent = serializers.DecimalField(max_digits=6, decimal_places=2)
    specific_usd_per_mt = serializers.DecimalField(max_digits=12, decimal_places=2)
    basis = serializers.ChoiceField(choices=DUTY_BASES)
    customs_value = serializers.DecimalField(max_digits=14, decimal_places=2)
    amount = serializers.DecimalField(max_digits=14, decimal_places=2)
    reference = serializers.CharField(help_text="Legal source of the rate.")
    rule_id = serializers.IntegerField(allow_null=True)
    min_usd_per_entry = serializers.DecimalField(
        max_digits=12,
        decimal_places=2,
        required=False,
        help_text="A per-entry fee's minimum per entry (only when the rule has one).",
    )
    max_usd_per_entry = serializers.DecimalField(
        max_digits=12,
        decimal_places=2,
        required=False,
        help_text="A per-entry fee's maximum per entry (only when the rule has one).",
    )
    transport_mode = serializers.CharField(
        required=False, help_text="The one transport mode the rule applies to, e.g. ocean."
    )


class LineResultSerializer(serializers.Serializer):
    product = serializers.CharField()
    name = serializers.CharField()
    hs_code = serializers.CharField()
    quantity_mt = serializers.DecimalField(max_digits=12, decimal_places=3)
    unit_price_usd_per_mt = serializers.DecimalField(max_digits=14, decimal_places=2)
    discount_percent = serializers.DecimalField(max_digits=5, decimal_places=2)
    goods_value = serializers.DecimalField(max_digits=14, decimal_places=2, help_text="USD")
    duties = DutySerializer(many=True)
    duties_total = serializers.DecimalField(max_digits=14, decimal_places=2, help_text="USD")
    term_price_per_mt = serializers.DecimalField(
        max_digits=14,
        decimal_places=2,
        required=False,
        help_text="Netback lines only: the price entered, quote currency per MT, Incoterm basis.",
    )


class ComponentsSerializer(serializers.Serializer):
    goods_value = serializers.DecimalField(max_digits=14, decimal_places=2)
    origin_deduction = serializers.DecimalField(
        max_digits=14, decimal_places=2, help_text="EXW only; subtracted."
    )
    freight = serializers.DecimalField(max_digits=14, decimal_places=2)
    insurance = serializers.DecimalField(max_digits=14, decimal_places=2)
    duties = serializers.DecimalField(max_digits=14, decimal_places=2)
    destination_charges = serializers.DecimalField(
        max_digits=14, decimal_places=2, help_text="The seller's (DAP/DPU/DDP only)."
    )
    tariff_absorption = serializers.DecimalField(
        max_digits=14, decimal_places=2, help_text="Subtracted."
    )
    quote_total = serializers.DecimalField(max_digits=14, decimal_places=2)
    landed_cost = serializers.DecimalField(
        max_digits=14,
        decimal_places=2,
        allow_null=True,
        help_text="null: unknown (no freight rate).",
    )
    landed_cost_per_mt = serializers.DecimalField(
        max_digits=14,
        decimal_places=2,
        allow_null=True,
        help_text="null: unknown (no freight rate).",
    )
    destination_port_charges = serializers.DecimalField(
        max_digits=14,
        decimal_places=2,
        help_text="The destination port's charges, always in the landed cost.",
    )


class ApprovalReasonSerializer(serializers.Serializer):
    """One reason (``pricing.approval.Reason.to_dict``); codes listed in docs/quotes.md."""

    code = serializers.CharField(help_text="e.g. below_floor, stale_fx_rate (docs/quotes.md).")
    message = serializers.CharField()
    figures = serializers.DictField(
        child=serializers.CharField(), help_text="The figures the approver sees, as text."
    )
    warning = serializers.BooleanField(help_text="Also a visible warning (stale reference data).")


class PreviewResponseSerializer(serializers.Serializer):
    quote_date = serializers.DateField()
    incoterm = serializers.ChoiceField(choices=Incoterm.choices)
    origin_port = serializers.CharField()
    destination_port = serializers.CharField()
    origin_country = serializers.CharField()
    destination_country = serializers.CharField()
    currency = serializers.CharField()
    fx_rate = serializers.DecimalField(
        max_digits=20, decimal_places=8, help_text="Units of the currency per USD."
    )
    insurance_rate_percent = serializers.DecimalField(max_digits=9, decimal_places=4)
    tariff_absorption_percent = serializers.DecimalField(max_digits=7, decimal_places=2)
    containers = serializers.IntegerField()
    total_quantity_mt = serializers.DecimalField(max_digits=12, decimal_places=3)
    freight_usd_per_container = serializers.DecimalField(max_digits=12, decimal_places=2)
    mt_per_container = serializers.DecimalField(max_digits=7, decimal_places=3)
    lines = LineResultSerializer(many=True)
    usd = ComponentsSerializer()
    quote_currency = ComponentsSerializer(help_text="The same components, converted one by one.")
    warnings = serializers.ListField(child=serializers.CharField())
    # Not required: a quote's stored result (this shape) predates them and carries its
    # reasons in the quote's own ``approval_reasons``; the preview always returns both.
    approval_reasons = ApprovalReasonSerializer(
        many=True,
        required=False,
        help_text="Why a quote priced like this needs a manager's approval (the preview).",
    )
    needs_approval = serializers.BooleanField(required=False)
