"""seed_bulk: customers with contacts and priced quotes with lines, in bulk, numbered from
the counter so the app's own numbering carries on after them."""

import io
from collections import Counter
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.urls import reverse

from customers.models import Contact, Customer
from pricing.engine import PricingResult
from quotes.models import Quote, QuoteLine, QuoteNumberCounter
from quotes.services import quote_number_allocate

pytestmark = pytest.mark.django_db


def test_seed_bulk_creates_priced_numbered_quotes(rep, other_rep, manager, manager_client):
    call_command("seed_bulk", customers=30, quotes=120, seed=7, stdout=io.StringIO())

    assert Customer.objects.count() == 30
    assert Contact.objects.filter(is_primary=True).count() == 30
    assert set(Customer.objects.values_list("owner", flat=True)) == {rep.pk, other_rep.pk}
    quotes = list(Quote.objects.prefetch_related("lines"))
    assert len(quotes) == 120
    assert len({q.number for q in quotes}) == 120
    assert all(1 <= len(q.lines.all()) <= 3 for q in quotes)
    assert len(Counter(q.status for q in quotes)) >= 5
    for quote in quotes[:20]:
        result = PricingResult.from_dict(quote.pricing)
        assert result.usd.quote_total == quote.total_usd
        assert sum(line.goods_value_usd for line in quote.lines.all()) == result.usd.goods_value
        assert quote.owner_id == quote.customer.owner_id and quote.contact_id
        assert quote.region == quote.customer.region != ""
        assert quote.valid_until > quote.quote_date
    assert QuoteLine.objects.filter(goods_value_usd__lte=Decimal("0")).count() == 0
    # numbering carries on after the seeded quotes
    for year, last in QuoteNumberCounter.objects.values_list("year", "last"):
        seeded = Quote.objects.filter(number__startswith=f"Q-{year}-").count()
        assert last == seeded
    assert quote_number_allocate(year=quotes[0].quote_date.year).endswith(
        f"{QuoteNumberCounter.objects.get(year=quotes[0].quote_date.year).last:05d}"
    )
    # the pages show them
    assert manager_client.get(reverse("quotes:list")).status_code == 200
    assert manager_client.get(reverse("quotes:detail", args=[quotes[0].pk])).status_code == 200


def test_seed_bulk_contracts_and_ships_some_accepted_quotes(rep, other_rep, manager):
    from orders.models import ON_BOARD_STATUSES, ContractLine, LotAllocation, SalesContract
    from reports.models import ReportLine
    from reports.refresh import report_lines_refresh

    call_command("seed_bulk", customers=30, quotes=200, seed=7, stdout=io.StringIO())
    contracts = SalesContract.objects.all()
    assert contracts.exists()
    assert not contracts.exclude(quote__status="accepted").exists()
    for contract in contracts.prefetch_related("lines", "quote__lines")[:10]:
        assert [(cl.product_code, cl.quantity_mt) for cl in contract.lines.all()] == [
            (ql.product_code, ql.quantity_mt) for ql in contract.quote.lines.all()
        ]
    allocations = LotAllocation.objects.all()
    assert allocations.exists()
    assert not allocations.exclude(shipment__status__in=ON_BOARD_STATUSES).exists()
    assert not allocations.filter(shipment__contract__status="cancelled").exists()
    # a second run adds none for the quotes it already saw
    counts = (SalesContract.objects.count(), ContractLine.objects.count())
    call_command("seed_bulk", customers=0, quotes=0, seed=8, stdout=io.StringIO())
    assert (SalesContract.objects.count(), ContractLine.objects.count()) == counts
    # the reports' flat table carries them
    report_lines_refresh()
    assert ReportLine.objects.filter(shipped_mt__gt=0).exists()
    assert ReportLine.objects.filter(contracted_mt__gt=0).exists()
