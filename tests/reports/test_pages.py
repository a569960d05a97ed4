"""Report pages, downloads and the API: filters from the URL, visibility, CSV/XLSX contents,
a bounded number of queries."""

import csv
import io
from decimal import Decimal

import pytest
from openpyxl import load_workbook

from reports.refresh import report_lines_refresh
from reports.selectors import REPORTS

pytestmark = pytest.mark.django_db
RANGE_QS = "date_from=2026-01-01&date_to=2026-06-30"


@pytest.mark.parametrize("name", REPORTS)
def test_every_report_page_answers_with_charts_tables_and_bounded_queries(
    dataset, manager_client, name, django_assert_max_num_queries
):
    with django_assert_max_num_queries(20):
        response = manager_client.get(f"/reports/{name}/?{RANGE_QS}")
    assert response.status_code == 200
    body = response.content.decode()
    assert 'class="table-wrap"' in body
    assert "data-vega-spec=" in body
    assert "vendor/vega/vega-interpreter.js" in body
    assert "unsafe" not in response["Content-Security-Policy"]


def test_dashboard_is_the_pipeline_and_in_the_main_nav(dataset, rep_client):
    response = rep_client.get("/reports/")
    assert response.status_code == 200
    assert b'href="/reports/"' in response.content
    assert b"Open quotes by state" in response.content


def test_rep_page_shows_only_their_figures(dataset, rep_client):
    body = rep_client.get(f"/reports/winloss/?{RANGE_QS}").content.decode()
    assert "other_rep" not in body
    assert 'name="rep"' not in body  # no rep filter for a rep


def test_rep_cannot_see_another_reps_figures_through_the_rep_filter(dataset, rep_api):
    other = dataset.other_rep.pk
    data = rep_api.get(f"/api/v1/reports/winloss/?{RANGE_QS}&rep={other}").json()
    summary = data["tables"][0]["rows"][0]
    assert summary["closed"] == 3  # the rep's own Q1–Q3, the filter ignored


def test_manager_filters_from_the_url(dataset, manager_api):
    data = manager_api.get(f"/api/v1/reports/winloss/?{RANGE_QS}&grade=MGB").json()
    assert data["filters"]["grade"] == "MGB"
    assert data["tables"][0]["rows"][0]["closed"] == 1
    assert data["tables"][0]["columns"][0] == {"key": "scope", "label": "Scope"}


def test_api_gives_money_as_strings(dataset, manager_api):
    data = manager_api.get(f"/api/v1/reports/realisation/?{RANGE_QS}").json()
    mga = next(r for r in data["tables"][0]["rows"] if r["grade"] == "MGA")
    assert mga["net"] == "1996.67" and mga["vs_floor"] == "96.67"


def test_api_bad_filters_are_a_400_with_field_errors(dataset, manager_api):
    response = manager_api.get("/api/v1/reports/pipeline/?date_from=2026-06-30&date_to=2026-01-01")
    assert response.status_code == 400
    assert "date_to" in response.json()


def test_api_unknown_report_is_404_and_anonymous_401(dataset, manager_api, api_client):
    assert manager_api.get("/api/v1/reports/nope/").status_code == 404
    assert api_client.get("/api/v1/reports/pipeline/").status_code == 401


def test_page_bad_filters_show_the_error_and_the_default_figures(dataset, manager_client):
    response = manager_client.get("/reports/speed/?date_from=2026-06-30&date_to=2026-01-01")
    assert response.status_code == 200
    assert b"The end date must be on or after the start date." in response.content


def test_csv_download_has_the_tables_columns_and_rows(dataset, manager_client):
    response = manager_client.get(f"/reports/winloss/competitors.csv?{RANGE_QS}")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows == [
        [
            "Competitor origin",
            "Quotes",
            "MT",
            "Our price USD/MT",
            "Their price USD/MT",
            "Gap USD/MT",
        ],
        ["TR", "2", "40.000", "2350.00", "2237.50", "112.50"],
    ]


def test_xlsx_download_keeps_numbers_as_numbers(dataset, manager_client):
    response = manager_client.get(f"/reports/realisation/by_grade.xlsx?{RANGE_QS}&grade=MGA")
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:3] == ("Grade", "MT", "Net FOB USD/MT")
    assert rows[1][0] == "MGA"
    assert Decimal(str(rows[1][2])) == Decimal("1996.67")


def test_volumes_shipped_tonnes_in_the_csv_xlsx_and_api(dataset, manager_client, manager_api):
    """Shipped columns beside contracted ones, this period's and the year before's (the
    figures themselves: test_figures.py)."""
    csv_rows = list(
        csv.reader(
            io.StringIO(
                manager_client.get(f"/reports/volumes/by_grade.csv?{RANGE_QS}").content.decode(
                    "utf-8-sig"
                )
            )
        )
    )
    assert csv_rows[0] == [
        "Grade",
        "Quoted MT",
        "Accepted MT",
        "Contracted MT",
        "Shipped MT",
        "Quoted MT, year before",
        "Accepted MT, year before",
        "Contracted MT, year before",
        "Shipped MT, year before",
    ]
    assert csv_rows[1][0] == "MGA" and csv_rows[1][4] == "0.000"
    xlsx = manager_client.get(f"/reports/volumes/by_month.xlsx?{RANGE_QS}")
    header = next(load_workbook(io.BytesIO(xlsx.content)).active.iter_rows(values_only=True))
    assert "Shipped MT" in header and "Shipped MT, year before" in header
    api = manager_api.get(f"/api/v1/reports/volumes/?{RANGE_QS}").json()
    by_month = next(t for t in api["tables"] if t["name"] == "by_month")
    assert {"shipped", "shipped_prev"} <= {c["key"] for c in by_month["columns"]}
    assert by_month["rows"][0]["shipped"] == "0.000"


def test_download_of_a_rep_holds_only_their_rows(dataset, rep_client):
    response = rep_client.get(f"/reports/winloss/by_rep.csv?{RANGE_QS}")
    text = response.content.decode("utf-8-sig")
    assert "other_rep" not in text and "\nrep," in text


def test_unknown_table_or_report_is_404(dataset, manager_client):
    assert manager_client.get("/reports/winloss/nope.csv").status_code == 404
    assert manager_client.get("/reports/nope/").status_code == 404


def test_csv_quotes_text_that_a_spreadsheet_would_run(dataset, manager_client):
    dataset.quotes["Q4"].competitor_origin = "=1"  # not a country, but a stored string
    dataset.quotes["Q4"].save(update_fields=["competitor_origin"])
    report_lines_refresh()
    text = manager_client.get(f"/reports/winloss/competitors.csv?{RANGE_QS}").content.decode()
    assert "\n'=1," in text


def test_anonymous_is_sent_to_sign_in(client):
    assert client.get("/reports/pipeline/").status_code == 302


def test_table_text_is_escaped(dataset, manager_client):
    customer = dataset.quotes["Q2"].customer
    customer.name = "<b>Acme</b> & Co"
    customer.save(update_fields=["name"])
    body = manager_client.get(f"/reports/realisation/?{RANGE_QS}").content.decode()
    assert "<td>&lt;b&gt;Acme&lt;/b&gt; &amp; Co</td>" in body
    assert "<b>Acme</b>" not in body
