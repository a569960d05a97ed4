"""Reference data of docs/pricing.md's worked example, in the database."""

from datetime import date, timedelta
from decimal import Decimal as D

import pytest
from django.utils import timezone

from products import reference_demo, services
from products.models import Category
from tests.products.factories import ProductFactory, ProductPriceFactory


@pytest.fixture
def worked_example_data(db):
    """CNTXG→DEHAM 2,100 USD/20GP, 22 MT; EUR 0.9250; EU MFN 5.3 % (8104.11), 4 % (8104.19)."""
    cntxg = services.port_create(
        code="CNTXG", name="Tianjin Xingang", country="CN", origin_charges_usd_per_mt=D("18")
    )
    deham = services.port_create(
        code="DEHAM", name="Hamburg", country="DE", destination_charges_usd_per_mt=D("28")
    )
    services.port_create(
        code="USHOU", name="Houston", country="US", destination_charges_usd_per_mt=D("30")
    )
    services.port_create(code="JPYOK", name="Yokohama", country="JP")
    services.freight_rate_create(
        origin_port=cntxg,
        destination_port=deham,
        usd_per_container=D("2100"),
        mt_per_container=D("22"),
        valid_from=date(2026, 1, 1),
    )
    services.exchange_rate_create(currency="EUR", rate_per_usd=D("0.9250"), date=date(2026, 11, 2))
    for prefix, rate in (("810411", D("5.3")), ("810419", D("4"))):
        services.tariff_rule_create(
            destination="EU",
            hs_prefix=prefix,
            kind="mfn",
            rate_percent=rate,
            basis="CIF",
            valid_from=date(2026, 1, 1),
            legal_citation=f"EU TARIC {prefix} (example)",
            source_note="pricing.md worked example",
            verified_on=timezone.localdate(),
        )
    mg = ProductFactory(code="MG9990", name="Magnesium ingot 99.90%", hs_code="8104.11.00")
    az = ProductFactory(
        code="AZ91D",
        name="AZ91D alloy ingot",
        hs_code="8104.19.00",
        category=Category.ALLOY,
        purity_percent=None,
    )
    ProductPriceFactory(product=mg, usd_per_mt=D("2450.00"), effective_from=date(2026, 1, 1))
    ProductPriceFactory(product=az, usd_per_mt=D("3100.00"), effective_from=date(2026, 1, 1))
    ProductFactory(code="MG9980", name="Old grade", active=False)
    # Quotes dated today see fresh reference data (the same figures carried forward to
    # yesterday, as load_demo does to its today; tests may still add today's rows); the
    # worked example's own dates stay in force before that.
    reference_demo.refresh_dates(today=timezone.localdate() - timedelta(days=1))
    return {"cntxg": cntxg, "deham": deham}


WORKED_REQUEST = {
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
        },
        {"product": "AZ91D", "quantity_mt": "20", "unit_price_usd_per_mt": "3100.00"},
    ],
}


@pytest.fixture
def failing_mail(settings):
    """E-mail goes through ``ScriptedFailureBackend``: set ``.script`` (exceptions to raise,
    in order) and ``.on_send`` (run at each send); ``.calls`` counts the sends tried."""
    from tests.quotes.mail_backends import ScriptedFailureBackend

    settings.EMAIL_BACKEND = "tests.quotes.mail_backends.ScriptedFailureBackend"
    ScriptedFailureBackend.reset()
    yield ScriptedFailureBackend
    ScriptedFailureBackend.reset()
