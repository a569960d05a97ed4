"""Each report's figures against the hand-computed dataset of conftest.py."""

from dataclasses import replace
from datetime import UTC
from decimal import Decimal

import pytest

from reports.selectors import (
    report_pipeline,
    report_realisation,
    report_speed,
    report_volumes,
    report_winloss,
)
from tests.reports.conftest import RANGE, TODAY, rows_by, table

pytestmark = pytest.mark.django_db
D = Decimal


def test_win_rate_by_count_and_by_tonnes_for_a_manager(dataset, manager):
    summary = table(report_winloss(user=manager, filters=RANGE), "summary").rows[0]
    # closed: Q1 Q2 (won), Q3 Q4 (rejected), Q5 (expired); the superseded Q8 is left out
    assert (summary["closed"], summary["won"]) == (5, 2)
    assert summary["win_rate_count"] == D("40.0")
    assert (summary["closed_mt"], summary["won_mt"]) == (D("80.000"), D("30.000"))
    assert summary["win_rate_mt"] == D("37.5")


def test_win_rate_per_rep_region_grade_and_month(dataset, manager):
    tables = report_winloss(user=manager, filters=RANGE)
    by_rep = rows_by(table(tables, "by_rep"), "rep")
    assert by_rep["rep"]["win_rate_mt"] == D("75.0")  # 30 of 40 MT
    assert by_rep["other_rep"]["win_rate_count"] == D("0.0")
    by_grade = rows_by(table(tables, "by_grade"), "grade")
    assert by_grade["MGA"]["closed_mt"] == D("70.000")
    assert by_grade["MGB"]["won"] == 0
    by_month = rows_by(table(tables, "by_month"), "month")
    assert by_month["2026-02"]["closed"] == 2  # Q1, Q5
    assert by_month["2026-02"]["win_rate_count"] == D("50.0")
    reasons = rows_by(table(tables, "reasons"), "reason")
    assert reasons["Price"]["quotes"] == 1
    assert reasons["Lost to competitor"]["tonnes"] == D("30.000")


def test_competitor_gap_is_weighted_by_tonnes(dataset, manager):
    competitors = table(report_winloss(user=manager, filters=RANGE), "competitors").rows
    assert len(competitors) == 1
    tr = competitors[0]
    assert tr["origin"] == "TR"
    assert tr["tonnes"] == D("40.000")
    assert tr["ours"] == D("2350.00")  # (31000 + 63000) / 40
    assert tr["theirs"] == D("2237.50")  # (2950×10 + 2000×30) / 40
    assert tr["gap"] == D("112.50")


def test_realised_price_against_list_in_force_and_floor(dataset, manager):
    tables = report_realisation(user=manager, filters=RANGE)
    mga = rows_by(table(tables, "by_grade"), "grade")["MGA"]
    assert mga["tonnes"] == D("30.000")
    assert mga["net"] == D("1996.67")  # (20000 + 39900) / 30
    assert mga["list"] == D("2066.67")  # (2000×10 + 2100×20) / 30: the list on each date
    assert mga["vs_list"] == D("-70.00")
    assert mga["vs_list_pct"] == D("-3.4")
    assert mga["floor"] == D("1900.00")
    assert mga["vs_floor"] == D("96.67")
    months = rows_by(table(tables, "by_month"), "month")
    assert months["2026-04"]["net"] == D("1995.00")  # 39900 / 20
    assert months["2026-04"]["list"] == D("2100.00")


def test_concessions_discount_absorption_and_top_list(dataset, manager):
    tables = report_realisation(user=manager, filters=RANGE)
    concessions = rows_by(table(tables, "concessions"), "what")
    assert concessions["Line discounts"]["amount"] == D("2100.00")  # 5 % of 42000
    assert concessions["Line discounts"]["percent"] == D("3.4")  # of 62000 list value
    assert concessions["Tariff absorbed"]["amount"] == D("150.00")
    top = table(tables, "top_concessions").rows
    assert [r["quote"] for r in top] == ["Q-2026-00002 v1"]
    assert top[0]["concession"] == D("2100.00")
    assert top[0]["customer"] == dataset.quotes["Q2"].customer.name
    assert top[0]["rep"] == dataset.rep.username


def test_volumes_with_the_previous_year_beside(dataset, manager):
    tables = report_volumes(user=manager, filters=RANGE)
    feb = rows_by(table(tables, "by_month"), "month")["2026-02"]
    assert (feb["quoted"], feb["accepted"]) == (D("20.000"), D("10.000"))  # Q1 + Q5
    assert (feb["quoted_prev"], feb["accepted_prev"]) == (D("15.000"), D("15.000"))  # Q9
    mga = rows_by(table(tables, "by_grade"), "grade")["MGA"]
    assert (mga["quoted"], mga["accepted"], mga["quoted_prev"]) == (
        D("75.000"),
        D("30.000"),
        D("15.000"),
    )
    assert "2025-02" not in rows_by(table(tables, "by_month"), "month")


def test_speed_enquiry_to_quote_and_send_to_view_and_decision(dataset, manager):
    summary = table(report_speed(user=manager, filters=RANGE), "summary").rows[0]
    # customer A's quotes: Q1 3 days after 02-07, Q2 4 after 04-01, Q3 22, Q6 70 → 24.75
    assert summary["enquiry_to_quote_days"] == D("24.8")
    assert summary["send_to_viewed_h"] == D("2.0")
    assert summary["send_to_decision_h"] == D("30.0")  # (24 + 36) / 2


def test_pipeline_by_state_age_and_what_expires(dataset, manager):
    tables = report_pipeline(user=manager, filters=RANGE, today=TODAY)
    by_status = rows_by(table(tables, "by_status"), "status")
    assert by_status["Draft"]["tonnes"] == D("8.000")
    assert by_status["Sent"]["value"] == D("10500.00")
    ages = rows_by(table(tables, "by_age"), "age")
    assert ages["0–7 days"]["quotes"] == 1 and ages["8–30 days"]["quotes"] == 1
    assert [r["quote"] for r in table(tables, "expiring").rows] == ["Q-2026-00006 v1"]
    assert rows_by(table(tables, "by_grade"), "grade")["MGB"]["tonnes"] == D("8.000")


def test_rep_sees_only_their_own_figures(dataset):
    rep = dataset.rep
    summary = table(report_winloss(user=rep, filters=RANGE), "summary").rows[0]
    assert (summary["closed"], summary["won"], summary["win_rate_mt"]) == (3, 2, D("75.0"))
    gap = table(report_winloss(user=rep, filters=RANGE), "competitors").rows[0]
    assert gap["gap"] == D("150.00")  # Q3 alone: 3100 − 2950
    pipeline = report_pipeline(user=rep, filters=RANGE, today=TODAY)
    assert list(rows_by(table(pipeline, "by_status"), "status")) == ["Sent"]
    assert rows_by(table(pipeline, "by_rep"), "rep").keys() == {"rep"}


def test_filters_grade_currency_country_industry_and_rep(dataset, manager, other_rep):
    def closed(**changes):
        rows = table(report_winloss(user=manager, filters=replace(RANGE, **changes)), "summary")
        return rows.rows[0]["closed"] if rows.rows else 0

    assert closed(grade="MGB") == 1  # Q3
    assert closed(country="US") == 2  # Q4, Q5
    assert closed(industry="automotive") == 3
    assert closed(rep=other_rep.pk) == 2
    assert closed(region="europe") + closed(country="US") == 5
    eur = report_pipeline(user=manager, filters=replace(RANGE, currency="EUR"), today=TODAY)
    assert [(r["status"], r["value"]) for r in table(eur, "by_status").rows] == [
        ("Draft", D("22000.00"))
    ]
    assert table(eur, "by_status").columns[-1] == ("value", "Value (EUR)")


def _contract(quote, *, tonnes: str, status: str, number: str):
    from datetime import datetime

    from orders.models import ContractLine, SalesContract

    line = quote.lines.get()
    contract = SalesContract.objects.create(
        number=number,
        quote=quote,
        customer=quote.customer,
        owner=quote.owner,
        status=status,
        contract_date=quote.quote_date,
        buyer={"name": "Buyer"},
        accepted_via="rep",
        accepted_at=datetime(2026, 2, 11, tzinfo=UTC),
        currency="USD",
        incoterm="CIF",
        named_place="Hamburg",
        port_of_loading="CNTXG",
        port_of_discharge="DEHAM",
        total_quantity_mt=D(tonnes),
        total_amount=D("1000.00"),
        shipment_from=quote.quote_date,
        latest_shipment_date=quote.quote_date,
        cancel_reason="Buyer withdrew" if status == "cancelled" else "",
    )
    return ContractLine.objects.create(
        contract=contract,
        position=1,
        product=line.product,
        product_code=line.product_code,
        product_name=line.product_name,
        hs_code=line.hs_code,
        quantity_mt=D(tonnes),
        unit_price=D("100.00"),
        amount=D("1000.00"),
    )


def test_volumes_show_contracted_tonnes_not_cancelled_ones(dataset, manager):
    from reports.refresh import report_lines_refresh

    _contract(dataset.quotes["Q1"], tonnes="10", status="confirmed", number="SC-2026-00001")
    _contract(dataset.quotes["Q2"], tonnes="20", status="cancelled", number="SC-2026-00002")
    _contract(dataset.quotes["Q9"], tonnes="15", status="completed", number="SC-2025-00001")
    report_lines_refresh()
    tables = report_volumes(user=manager, filters=RANGE)
    mga = rows_by(table(tables, "by_grade"), "grade")["MGA"]
    assert (mga["contracted"], mga["contracted_prev"]) == (D("10.000"), D("15.000"))
    feb = rows_by(table(tables, "by_month"), "month")["2026-02"]
    assert (feb["contracted"], feb["contracted_prev"]) == (D("10.000"), D("15.000"))
    apr = rows_by(table(tables, "by_month"), "month")["2026-04"]
    assert apr["contracted"] == D("0.000")  # Q2's contract was cancelled


def _shipment(contract_line, *, status: str, allocated: list[str], sequence: int):
    """A shipment of the line's contract with one lot per tonnage ``allocated``."""
    from datetime import date

    from orders.models import Lot, LotAllocation, Shipment

    contract = contract_line.contract
    shipment = Shipment.objects.create(
        contract=contract,
        sequence=sequence,
        status=status,
        port_of_loading="CNTXG",
        port_of_discharge="DEHAM",
        bl_number="" if status in ("planned", "booked") else f"BL{contract.pk}{sequence}",
        on_board_date=None if status in ("planned", "booked") else date(2026, 3, 1),
        created_by=contract.owner,
    )
    for i, tonnes in enumerate(allocated):
        lot = Lot.objects.create(
            number=f"H-{contract.pk}-{sequence}-{i}",
            product=contract_line.product,
            production_date=date(2026, 2, 1),
            net_weight_mt=D("100"),
            created_by=contract.owner,
        )
        LotAllocation.objects.create(
            shipment=shipment,
            contract_line=contract_line,
            lot=lot,
            quantity_mt=D(tonnes),
            allocated_by=contract.owner,
        )


def test_volumes_show_shipped_tonnes_on_board_only_beside_the_year_before(dataset, manager):
    from reports.refresh import report_lines_refresh

    q1 = _contract(dataset.quotes["Q1"], tonnes="10", status="in_progress", number="SC-2026-1")
    q9 = _contract(dataset.quotes["Q9"], tonnes="15", status="completed", number="SC-2025-1")
    # Q1: 4 + 2 MT on board (B/L issued), 4 MT still only planned: 6 shipped
    _shipment(q1, status="loaded", allocated=["4", "2"], sequence=1)
    _shipment(q1, status="planned", allocated=["4"], sequence=2)
    # Q9 (the year before): 10 MT arrived and 5 MT completed: 15 shipped
    _shipment(q9, status="arrived", allocated=["10"], sequence=1)
    _shipment(q9, status="completed", allocated=["5"], sequence=2)
    report_lines_refresh()
    tables = report_volumes(user=manager, filters=RANGE)
    mga = rows_by(table(tables, "by_grade"), "grade")["MGA"]
    assert (mga["shipped"], mga["shipped_prev"]) == (D("6.000"), D("15.000"))
    assert (mga["contracted"], mga["contracted_prev"]) == (D("10.000"), D("15.000"))
    feb = rows_by(table(tables, "by_month"), "month")["2026-02"]
    assert (feb["shipped"], feb["shipped_prev"]) == (D("6.000"), D("15.000"))
    de = rows_by(table(tables, "by_country"), "country")["DE"]
    assert (de["shipped"], de["shipped_prev"]) == (D("6.000"), D("15.000"))
    us = rows_by(table(tables, "by_country"), "country")["US"]
    assert (us["shipped"], us["shipped_prev"]) == (D("0.000"), D("0.000"))
    chart = table(tables, "by_month").chart
    assert "shipped" in chart["y"]
