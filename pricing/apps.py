from django.apps import AppConfig


class PricingConfig(AppConfig):
    """The pricing engine, its inputs, the calculator page and the preview API (no models)."""

    name = "pricing"
    verbose_name = "Pricing"
