from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from products import selectors, services
from products.models import Product, ProductPrice, SpecLimit
from tests.products.factories import ProductFactory, ProductPriceFactory, SpecLimitFactory

pytestmark = pytest.mark.django_db

ALLOY = {
    "code": "AZ91D",
    "name": "AZ91D alloy ingot",
    "category": "alloy",
    "hs_code": "8104.19.00",
    "standard": "ASTM B93 AZ91D",
}


@pytest.mark.parametrize(
    ("hs_code", "stored"),
    [
        ("8104.11", "8104.11.00"),
        (" 8104.11.00 ", "8104.11.00"),
        ("8104.11.00.10", "8104.11.00.10"),
    ],
)
def test_valid_hs_codes_are_stored_as_nnnn_nn_nn(hs_code, stored):
    product = services.product_create(**{**ALLOY, "hs_code": hs_code})
    assert product.hs_code == stored


def test_8104_19_and_8104_19_00_are_one_code():
    product = services.product_create(**{**ALLOY, "hs_code": "8104.19"})
    product = services.product_update(product=product, hs_code="8104.19.00")
    assert Product.objects.filter(hs_code="8104.19.00").count() == 1
    assert product.hs_code == "8104.19.00"


@pytest.mark.parametrize("element", ["Mg", "Al", "RE", "re", "Others each", "Others total", "Nd"])
def test_spec_elements_are_symbols_re_or_others(element):
    product = services.product_create(
        **{**ALLOY, "code": "AE44", "spec": [{"element": element, "max_percent": "4.5"}]}
    )
    assert product.spec_limits.get().element == ("RE" if element == "re" else element)


@pytest.mark.parametrize("element", ["Xx", "Rare earths", "MG", "Mgg"])
def test_unknown_spec_elements_are_refused(element):
    with pytest.raises(ValidationError):
        services.product_create(
            **{**ALLOY, "code": "AE44", "spec": [{"element": element, "max_percent": "4.5"}]}
        )


def test_exchange_rate_currency_is_upper_cased_on_save():
    rate = services.exchange_rate_create(
        currency="eur", rate_per_usd=Decimal("0.9"), date=date(2026, 11, 2)
    )
    assert rate.currency == "EUR"


@pytest.mark.parametrize("hs_code", ["810411", "8104.1", "8104-11-00", "ABCD.11", "8104.11.000"])
def test_malformed_hs_codes_are_refused(hs_code):
    with pytest.raises(ValidationError) as exc:
        services.product_create(**{**ALLOY, "hs_code": hs_code})
    assert "hs_code" in exc.value.message_dict


def test_pure_ingot_requires_purity_and_alloy_refuses_it():
    with pytest.raises(ValidationError) as exc:
        services.product_create(code="MG9990", name="Ingot", category="ingot", hs_code="8104.11.00")
    assert "purity_percent" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        services.product_create(**ALLOY, purity_percent=Decimal("99.9"))
    assert "purity_percent" in exc.value.message_dict


def test_spec_rows_are_validated_min_le_max_and_within_0_100():
    with pytest.raises(ValidationError) as exc:
        services.product_create(
            **ALLOY,
            spec=[
                {"element": "Al", "min_percent": Decimal("9.5"), "max_percent": Decimal("8.5")},
                {"element": "Fe", "max_percent": Decimal("120")},
                {"element": "Cu"},
            ],
        )
    errors = exc.value.message_dict["spec"]
    assert len(errors) == 3
    assert errors[0].startswith("Row 1 (Al)")
    assert not Product.objects.filter(code="AZ91D").exists()  # nothing half-saved


def test_spec_replaces_the_whole_table_on_update():
    product = services.product_create(
        **ALLOY, spec=[{"element": "Al", "min_percent": "8.5", "max_percent": "9.5"}]
    )
    services.product_update(product=product, spec=[{"element": "Zn", "max_percent": "0.9"}])
    assert list(product.spec_limits.values_list("element", flat=True)) == ["Zn"]


def test_dangerous_goods_need_un_number_and_class_together():
    with pytest.raises(ValidationError) as exc:
        services.product_create(
            code="MG-GRAN",
            name="Granules",
            category="granules",
            hs_code="8104.30.00",
            un_number="UN2950",
        )
    assert "dg_class" in exc.value.message_dict


def test_price_in_force_is_the_latest_on_or_before_the_date():
    product = ProductFactory()
    ProductPriceFactory(
        product=product, usd_per_mt=Decimal("2250.00"), effective_from=date(2025, 6, 23)
    )
    ProductPriceFactory(
        product=product, usd_per_mt=Decimal("2285.00"), effective_from=date(2025, 7, 21)
    )
    assert selectors.product_price_on(product=product, on=date(2025, 6, 22)) is None
    assert selectors.product_price_on(product=product, on=date(2025, 6, 23)) == Decimal("2250.00")
    assert selectors.product_price_on(product=product, on=date(2025, 7, 20)) == Decimal("2250.00")
    assert selectors.product_price_on(product=product, on=date(2025, 7, 21)) == Decimal("2285.00")
    assert selectors.product_list(on=date(2025, 7, 1)).get(pk=product.pk).list_price == Decimal(
        "2250.00"
    )


def test_price_history_is_never_overwritten():
    product = ProductFactory()
    services.product_price_add(
        product=product, usd_per_mt=Decimal("2250.00"), effective_from=date(2025, 6, 23)
    )
    with pytest.raises(ValidationError) as exc:
        services.product_price_add(
            product=product, usd_per_mt=Decimal("1.00"), effective_from=date(2025, 6, 23)
        )
    assert "effective_from" in exc.value.message_dict
    assert ProductPrice.objects.get(product=product).usd_per_mt == Decimal("2250.00")


def test_demo_data_is_idempotent():
    call_command("load_demo")
    counts = (Product.objects.count(), SpecLimit.objects.count(), ProductPrice.objects.count())
    stamps = list(Product.objects.order_by("pk").values_list("updated_at", flat=True))
    call_command("load_demo")
    assert (
        Product.objects.count(),
        SpecLimit.objects.count(),
        ProductPrice.objects.count(),
    ) == counts
    assert list(Product.objects.order_by("pk").values_list("updated_at", flat=True)) == stamps
    assert {
        "MG9990",
        "MG9995",
        "MG9998",
        "AZ91D",
        "AM60B",
        "AM50A",
        "MG-GRAN97",
        "MG-CHIPS",
    } <= set(Product.objects.values_list("code", flat=True))


def test_catalogue_groups_grades_and_shows_price_in_force(rep_client):
    product = ProductFactory(code="MG9990", name="Magnesium ingot 99.90%")
    ProductPriceFactory(
        product=product, usd_per_mt=Decimal("2285.00"), effective_from=date(2025, 7, 21)
    )
    ProductFactory(code="AZ91D", category="alloy", purity_percent=None, hs_code="8104.19.00")
    response = rep_client.get(reverse("products:catalogue"))
    html = response.content.decode()
    assert response.status_code == 200
    assert "Ingot" in html and "Alloy" in html
    assert "2,285.00" in html


def _grades(start: int, n: int) -> None:
    for i in range(start, start + n):
        product = ProductFactory(code=f"MG{i:04d}")
        SpecLimitFactory(product=product)
        ProductPriceFactory(product=product)


def test_catalogue_query_count_does_not_grow_with_grades(rep_client):
    _grades(0, 1)
    with CaptureQueriesContext(connection) as one:
        assert rep_client.get(reverse("products:catalogue")).status_code == 200
    _grades(1, 30)
    with CaptureQueriesContext(connection) as many:
        assert rep_client.get(reverse("products:catalogue")).status_code == 200
    assert len(many) == len(one) <= 10


def test_grade_page_shows_spec_and_history(rep_client):
    product = services.product_create(
        **ALLOY, spec=[{"element": "Al", "min_percent": "8.5", "max_percent": "9.5"}]
    )
    ProductPriceFactory(
        product=product, usd_per_mt=Decimal("2505.00"), effective_from=date(2025, 7, 21)
    )
    html = rep_client.get(reverse("products:detail", args=["az91d"])).content.decode()
    assert ">8.5<" in html and ">9.5<" in html and "2,505.00" in html and "2025-07-21" in html


def test_unknown_grade_page_is_404(rep_client):
    assert rep_client.get(reverse("products:detail", args=["NOPE"])).status_code == 404


def test_demo_quotes_cover_the_main_states():
    from quotes.models import Quote

    call_command("load_demo")
    statuses = set(Quote.objects.values_list("status", flat=True))
    assert {"draft", "pending_approval", "sent"} <= statuses
    assert Quote.objects.filter(currency="JPY").exists()
    count = Quote.objects.count()
    call_command("load_demo")
    assert Quote.objects.count() == count
