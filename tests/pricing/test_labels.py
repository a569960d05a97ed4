"""One wording of the quote's components: the calculator's breakdown and the PDF say the
same, from ``pricing.engine.COMPONENT_LABELS``."""

from decimal import Decimal as D

import pytest

from pricing.engine import COMPONENT_LABELS, price
from pricing.views import breakdown_components
from tests.pricing.cases import worked

LABELS = {key: label for key, label, _landed in COMPONENT_LABELS}


def test_every_component_has_one_label_and_a_landed_sign():
    keys = [key for key, _label, _landed in COMPONENT_LABELS]
    assert keys == [
        "goods_value",
        "origin_deduction",
        "freight",
        "insurance",
        "duties",
        "destination_charges",
        "tariff_absorption",
    ]
    assert {landed for _k, _l, landed in COMPONENT_LABELS} <= {-1, 0, 1}


def test_breakdown_rows_take_the_table_and_the_landed_signs():
    result = price(worked(tariff_absorption_percent=D("50")))
    rows = breakdown_components(result)
    assert [row["label"] for row in rows] == list(LABELS.values())
    by_key = {row["key"]: row for row in rows}
    landed = sum(row["usd"] * row["landed"] for row in rows) + result.usd.destination_port_charges
    assert landed == result.usd.landed_cost
    assert by_key["tariff_absorption"]["landed"] == -1


@pytest.mark.usefixtures("worked_example_data")
def test_the_page_and_the_pdf_word_freight_alike(rep_client, rep):
    from tests.pricing.test_calculator import PAGE, form_data

    html = rep_client.post(PAGE, form_data()).content.decode()
    assert f"<td>{LABELS['freight']}</td>" in html
    assert "<td>Freight</td>" not in html

    from quotes.documents.context import quote_pdf_context
    from tests.quotes.factories import german_buyer, quote_for

    quote = quote_for(customer=german_buyer(owner=rep), incoterm="DDP")
    rows = quote_pdf_context(quote)["breakdown"]["rows"]
    assert [row["label"] for row in rows] == [
        LABELS["goods_value"],
        LABELS["freight"],
        LABELS["insurance"],
        LABELS["duties"],
        LABELS["destination_charges"],
    ]
