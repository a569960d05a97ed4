"""From a confirmed and paid contract to the documents at the buyer: two lots (one out of
specification, allowed by the manager with a reason), one shipment with a container and
its B/L, the document set issued and sent.

Celery runs eagerly inside the live server and e-mail goes to Django's locmem outbox."""

import re

import pytest
from django.core import mail

from mgtrade.accounts.models import Role
from mgtrade.accounts.services import roles_sync
from orders.models import ShipmentStatus
from tests.accounts.factories import PASSWORD, UserFactory
from tests.e2e.conftest import login, screenshot
from tests.orders.factories import BankAccountFactory, confirmed_contract
from tests.orders.shipping_helpers import grade_limits, lot, pay_deposit
from tests.quotes.conftest import worked_example_data  # noqa: F401 (the reference data)

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("worked_example_data"),
]


def test_two_lots_one_overridden_shipped_and_documents_sent(live_server, page, media_root):
    roles_sync()
    for currency in ("EUR", "USD"):
        BankAccountFactory(currency=currency)
    grade_limits()
    manager = UserFactory(username="e2e_manager", role=Role.SALES_MANAGER)
    qc = UserFactory(username="e2e_qc", role=Role.QC, first_name="Hu", last_name="Jing")
    contract = pay_deposit(confirmed_contract(owner=manager), manager)
    good = lot(by=qc, code="MG9990", number="HT-2611-01", mt="50")
    bad = lot(by=qc, code="AZ91D", number="AZ-2611-07", mt="20", Fe="0.009")
    line = {ln.product_code: ln for ln in contract.lines.all()}

    login(page, live_server, "e2e_manager", PASSWORD)
    page.goto(f"{live_server.url}/contracts/{contract.pk}/")
    page.click("[data-testid=plan-shipment]")
    page.get_by_role("button", name="Save").click()
    page.wait_for_url(re.compile(r"/contracts/shipments/\d+/$"))
    shipment = contract.shipments.get()

    # The in-spec lot goes on; the out-of-spec one is refused until the manager gives a reason.
    page.select_option("#id_allocate-contract_line", str(line["MG9990"].pk))
    page.select_option("#id_allocate-lot", str(good.pk))
    page.get_by_role("button", name="Allocate").click()
    page.locator("#shipment-lots").get_by_role("link", name="HT-2611-01").wait_for()
    page.select_option("#id_allocate-contract_line", str(line["AZ91D"].pk))
    page.select_option("#id_allocate-lot", str(bad.pk))
    page.get_by_role("button", name="Allocate").click()
    page.locator(".error-summary, [role=alert]").first.wait_for()
    assert "out of specification" in page.content()
    page.fill("#id_allocate-override_reason", "Buyer accepts Fe 0.009 % (e-mail of 3 June)")
    page.get_by_role("button", name="Allocate").click()
    page.locator("#shipment-lots").get_by_text("Allowed by").wait_for()

    # One container with both lots, the booking, then the B/L.
    page.fill("#id_container-number", "MSKU1234565")
    page.fill("#id_container-seal", "CN8812034")
    page.fill("#id_container-net_weight_mt", "70")
    page.fill("#id_container-gross_weight_mt", "70.64")
    page.fill("#id_container-bundles", "70")
    page.check(f"#shipment-containers input[value='{good.pk}']")
    page.check(f"#shipment-containers input[value='{bad.pk}']")
    page.get_by_role("button", name="Add the container").click()
    page.locator("#shipment-containers td", has_text="MSKU1234565").wait_for()
    page.fill("#id_details-vessel", "CMA CGM Tage")
    page.fill("#id_details-booking_number", "TXG2611047")
    page.get_by_role("button", name="Save and mark booked").click()
    page.locator("#shipment-status").get_by_text("Booked").wait_for()
    page.fill("#id_load-bl_number", "CMDUTXG1104711")
    page.get_by_role("button", name="Record the B/L").click()
    page.locator("#shipment-status").get_by_text("Loaded").wait_for()
    page.locator("#balance-proforma").wait_for()
    screenshot(page, "shipment-on-board")

    # The document set: issued, then sent to the buyer as one delivery.
    page.click("[data-testid=issue-documents]")
    page.locator(".export-document").nth(3).wait_for()
    page.click("[data-testid=send-documents]")
    page.locator("[data-testid=documents-delivery]").get_by_text("Sent").wait_for()
    screenshot(page, "shipment-documents-sent")
    shipment.refresh_from_db()
    assert shipment.status == ShipmentStatus.LOADED
    [sent] = [m for m in mail.outbox if "Shipping documents" in m.subject]
    assert contract.buyer["contact_email"] in sent.to
    assert sent.attachments[0][0].endswith("-documents.pdf")
