"""Every width: at 390 × 844 (a phone) the manager's and the rep's My day, a customer page
(contact details first, tap-to-call), a quote page and the builder have no horizontal page
scroll; at 1366 px a sent quote fits. Screenshots of each at both sizes are kept in
test-artifacts/."""

import pytest

from customers.models import Customer
from mgtrade.accounts.demo import DEMO_PASSWORD
from quotes.models import Quote, QuoteStatus
from tests.e2e.conftest import page_reflows, screenshot, storage_state_for
from tests.e2e.test_accessibility import demo  # noqa: F401 (the demo data fixture)

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]
SIZES = {"phone": {"width": 390, "height": 844}, "laptop": {"width": 1366, "height": 768}}


def test_main_pages_fit_a_phone_and_a_laptop(demo, browser, live_server):  # noqa: F811
    customer = (
        Customer.objects.filter(owner__username="rep", contacts__phone__gt="")
        .order_by("pk")
        .first()
    )
    draft = Quote.objects.filter(owner__username="rep", status=QuoteStatus.DRAFT).first()
    sent = Quote.objects.filter(status=QuoteStatus.SENT).first()
    pages = {
        "rep": [
            ("my-day", "/customers/my-day/"),
            ("customer", f"/customers/{customer.pk}/"),
            ("quote", f"/quotes/{draft.pk}/"),
            ("builder", f"/quotes/{draft.pk}/edit/"),
            ("sent-quote", f"/quotes/{sent.pk}/"),
        ],
        "manager": [("my-day", "/customers/my-day/"), ("approvals", "/quotes/approvals/")],
    }
    failures = []
    for role, routes in pages.items():
        state = storage_state_for(browser, live_server, role, DEMO_PASSWORD)
        for size, viewport in SIZES.items():
            context = browser.new_context(viewport=viewport, locale="en-GB", storage_state=state)
            page = context.new_page()
            page.set_default_timeout(10_000)
            for name, url in routes:
                page.goto(live_server.url + url)
                page.wait_for_load_state("networkidle")
                if not page_reflows(page):
                    failures.append(f"{role} {name} {size}: scrolls sideways")
                screenshot(page, f"width-{role}-{name}-{size}")
                if role == "manager" and name == "my-day":
                    assert page.locator("#approvals-waiting").is_visible()
                if role == "rep" and name == "customer":
                    assert page.locator("a[href^='tel:']").count() >= 1
            context.close()
    assert not failures, "\n".join(failures)
