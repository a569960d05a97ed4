from datetime import date
from decimal import Decimal

import factory

from products.models import Category, Product, ProductPrice, SpecLimit


class ProductFactory(factory.django.DjangoModelFactory):
    """A pure ingot grade by default; pass ``category="alloy", purity_percent=None`` for alloys."""

    class Meta:
        model = Product
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"MG{9900 + n}")
    name = factory.LazyAttribute(lambda p: f"Magnesium ingot {p.code}")
    category = Category.INGOT
    hs_code = "8104.11.00"
    purity_percent = Decimal("99.90")
    standard = "GB/T 3499 Mg9990"
    packaging = "7.5 kg ingots, 1 MT bundles"
    active = True


class SpecLimitFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SpecLimit

    product = factory.SubFactory(ProductFactory)
    element = "Fe"
    max_percent = Decimal("0.004")


class ProductPriceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ProductPrice

    product = factory.SubFactory(ProductFactory)
    usd_per_mt = Decimal("2450.00")
    effective_from = date(2026, 1, 1)
