"""A rep signs in, creates a customer with a contact, logs a call with a follow-up for
today, and finds it on "My day" (then marks it done there without leaving the page)."""

import re

import pytest
from django.utils import timezone

from mgtrade.accounts.models import Role
from mgtrade.accounts.services import roles_sync
from tests.accounts.factories import PASSWORD, UserFactory
from tests.e2e.conftest import login, screenshot

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_rep_creates_customer_logs_call_and_finds_follow_up_on_my_day(live_server, page):
    roles_sync()  # live_server tests flush the database; the role groups must exist
    UserFactory(username="e2e_rep", role=Role.SALES_REP, first_name="Li", last_name="Wei")
    login(page, live_server, "e2e_rep", PASSWORD)
    assert "/customers/my-day/" in page.url

    page.click("text=New customer")
    page.fill("#id_name", "Kurpfalz Druckguss GmbH")
    page.select_option("#id_country", "DE")
    page.select_option("#id_industry", "automotive")
    page.select_option("#id_status", "prospect")
    page.fill("#id_city", "Mannheim")
    page.select_option("#id_default_incoterm", "CIF")
    page.fill("#id_default_destination_port", "DEHAM")
    page.fill("#id_default_currency", "EUR")
    page.click("button:has-text('Save')")
    page.wait_for_url(re.compile(r"/customers/\d+/$"))
    assert page.locator("h1").inner_text() == "Kurpfalz Druckguss GmbH"

    page.click("text=Add contact")
    page.fill("#id_name", "Sabine Krüger")
    page.fill("#id_job_title", "Einkaufsleiterin")
    page.fill("#id_email", "s.krueger@kurpfalz-druckguss.example")
    page.click("button:has-text('Save contact')")
    page.wait_for_url(re.compile(r"/customers/\d+/$"))
    assert page.locator("#contacts").get_by_text("Sabine Krüger").is_visible()
    assert page.locator("#contacts").get_by_text("primary").is_visible()

    today = timezone.localdate().isoformat()
    timeline = page.locator("#timeline")
    timeline.locator("#id_kind").select_option("call")
    timeline.locator("#id_contact").select_option(label="Sabine Krüger")
    timeline.locator("#id_follow_up_on").fill(today)
    timeline.locator("#id_summary").fill("Wants 60 MT MG9990 CIF Hamburg; call back with price.")
    timeline.locator("button:has-text('Log activity')").click()
    page.locator("#timeline").get_by_text("Wants 60 MT MG9990").wait_for()  # swapped by htmx
    screenshot(page, "crm-customer-page")

    page.click("nav.mainnav >> text=My day")
    page.wait_for_url(re.compile(r"/customers/my-day/$"))
    due_today = page.locator("#due-today")
    assert due_today.get_by_text("Kurpfalz Druckguss GmbH").is_visible()
    assert due_today.get_by_text("Wants 60 MT MG9990").is_visible()
    screenshot(page, "crm-my-day")

    row = due_today.locator(".crm-follow-up").first
    row.locator("input[name=summary]").fill("Price sent by email.")
    row.locator("button:has-text('Mark done')").click()
    due_today.get_by_text("✓ Done").wait_for()
    assert "/customers/my-day/" in page.url  # never left the page
    screenshot(page, "crm-my-day-done")
