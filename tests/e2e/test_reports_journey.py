"""A manager opens the reports: the charts are drawn in the browser by the vendored Vega
(vega-interpreter: no eval) under the Content-Security-Policy, with no console error, a
table under every chart, and the filters kept in the URL from report to report."""

import re

import pytest

from tests.accounts.factories import PASSWORD
from tests.e2e.conftest import PageProblems, axe_violations, login, page_reflows, screenshot
from tests.reports.conftest import dataset  # noqa: F401 (a fixture)

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]
RANGE = "date_from=2026-01-01&date_to=2026-06-30"


@pytest.mark.usefixtures("dataset")
def test_manager_opens_the_dashboard_and_sees_rendered_charts(live_server, page, manager):
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    problems = PageProblems()
    problems.watch(page)
    login(page, live_server, manager.username, PASSWORD)

    response = page.goto(f"{live_server.url}/reports/?{RANGE}")
    policy = response.headers["content-security-policy"]
    assert "script-src 'self'" in policy and "unsafe-eval" not in policy
    page.wait_for_selector(".vega-chart[data-rendered=yes] svg")
    charts = page.locator(".vega-chart")
    assert charts.count() >= 3
    page.wait_for_function(
        "n => document.querySelectorAll('.vega-chart[data-rendered=yes] svg').length >= n",
        arg=charts.count(),
    )
    # marks drawn: the bars of "Open quotes by state" (Draft and Sent)
    first = page.locator(".vega-chart").first
    assert first.locator("svg path, svg rect").count() > 2
    assert page.locator("[data-testid=report-by_status] tbody tr").count() == 2
    assert axe_violations(page) == []
    screenshot(page, "reports-pipeline")

    page.click(".report-tabs >> text=Win/loss")
    page.wait_for_url(re.compile(r"/reports/winloss/\?date_from=2026-01-01"))
    page.wait_for_selector(".vega-chart[data-rendered=yes] svg")
    assert page.locator("[data-testid=report-summary] tbody td").nth(3).inner_text() == "40.0"
    assert axe_violations(page) == []
    page.set_viewport_size({"width": 390, "height": 844})
    page.wait_for_timeout(300)  # the charts follow their container's width
    assert page_reflows(page)
    screenshot(page, "reports-winloss-phone")

    assert not problems.items, problems.items
    assert not errors, errors
