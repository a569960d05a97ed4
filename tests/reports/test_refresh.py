"""The reports' flat table (``ReportLine``): what it holds and that its visibility is the
quotes' visibility."""

from decimal import Decimal

import pytest
from django.core.management import call_command

from quotes.models import QuoteStatus
from quotes.selectors import quote_list_visible
from reports.models import ReportLine
from reports.refresh import report_lines_refresh
from reports.selectors import _visible_lines

pytestmark = pytest.mark.django_db


def test_one_row_per_live_line_and_one_first_line_per_quote(dataset):
    rows = ReportLine.objects.all()
    assert rows.count() == 8  # nine quotes of one line each, less the superseded Q8
    assert not rows.filter(status=QuoteStatus.SUPERSEDED).exists()
    assert rows.filter(is_first=True).count() == 8
    q2 = rows.get(quote=dataset.quotes["Q2"])
    assert (q2.list_price, q2.floor_price, q2.absorbed_usd) == (
        Decimal("2100.00"),
        Decimal("1900.00"),
        Decimal("150.00"),
    )
    assert str(q2.enquiry_on) == "2026-04-01"


@pytest.mark.parametrize("who", ["rep", "other_rep", "manager"])
def test_visibility_is_the_quotes_visibility(dataset, manager, who):
    user = {"rep": dataset.rep, "other_rep": dataset.other_rep, "manager": manager}[who]
    quotes = set(
        quote_list_visible(user=user)
        .exclude(status=QuoteStatus.SUPERSEDED)
        .values_list("pk", flat=True)
    )
    assert set(_visible_lines(user).values_list("quote_id", flat=True)) == quotes


def test_a_reassigned_customers_quotes_follow_after_the_refresh(dataset):
    customer = dataset.quotes["Q4"].customer
    customer.owner = dataset.rep
    customer.save(update_fields=["owner"])
    call_command("reports_refresh", verbosity=0)
    seen = set(_visible_lines(dataset.rep).values_list("quote_id", flat=True))
    assert dataset.quotes["Q4"].pk in seen  # the rep's customer now, as on the quote list


def test_refresh_is_repeatable(dataset):
    assert report_lines_refresh() == report_lines_refresh() == 8
