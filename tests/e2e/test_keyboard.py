"""Keyboard-only journeys (no mouse): sign in, open the menu on a phone and at 200 % zoom and
sign out; open a customer, log an activity and keep focus; mark a follow-up done on My day;
build a two-line quote with Add line and save it. After every htmx swap focus is somewhere
sensible, never on <body> (a watcher installed before the page's scripts records any swap
that leaves it there). Runs under the Content-Security-Policy; also checks the Swagger UI
still works under its own policy."""

import contextlib
import re

import pytest
from django.core.management import call_command

from customers.models import Activity, Customer
from mgtrade.accounts.demo import DEMO_PASSWORD
from mgtrade.accounts.services import roles_sync
from products.models import FreightRate
from quotes.models import Quote
from tests.e2e.conftest import VIEWPORTS, PageProblems, screenshot, storage_state_for

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

# Records every htmx swap after which focus was on <body> although it was elsewhere before.
FOCUS_WATCH = """
window.__focusLost = [];
const focusBefore = new WeakMap();  // per request: swaps can overlap
document.addEventListener('htmx:beforeSwap', (event) => {
  focusBefore.set(event.detail.xhr,
    !!document.activeElement && document.activeElement !== document.body);
});
document.addEventListener('htmx:afterSettle', (event) => {
  const hadFocus = focusBefore.get(event.detail.xhr);
  setTimeout(() => {
    if (hadFocus && (!document.activeElement || document.activeElement === document.body)) {
      window.__focusLost.push(event.detail.pathInfo ? event.detail.pathInfo.requestPath : '?');
    }
  }, 50);
});
"""


@pytest.fixture
def demo(settings, live_server):
    roles_sync()
    settings.MGTRADE = {**settings.MGTRADE, "SITE_URL": live_server.url}
    call_command("load_demo", verbosity=0)


def keyboard_page(browser, viewport, state=None):
    context = browser.new_context(viewport=viewport, locale="en-GB", storage_state=state)
    context.add_init_script(FOCUS_WATCH)
    page = context.new_page()
    page.set_default_timeout(10_000)
    problems = PageProblems()
    problems.watch(page)
    return context, page, problems


def focus_settles_on(page, element_id: str) -> str:
    """Where focus is once the swap has settled (app.js moves it on htmx:afterSettle, a
    moment after the status sentence is announced): waits up to 5 s for ``element_id``."""
    with contextlib.suppress(Exception):  # on a timeout, report where focus is instead
        page.wait_for_function(
            "id => document.activeElement && document.activeElement.id === id",
            arg=element_id,
            timeout=5_000,
        )
    return focused(page)


def focused(page) -> str:
    """A short description of the focused element: '#id', 'tag.class' or 'body'."""
    return page.evaluate(
        """() => { const e = document.activeElement;
        if (!e || e === document.body) return 'body';
        return e.id ? '#' + e.id : e.tagName.toLowerCase() + '.' + e.className; }"""
    )


def tab_to(page, selector: str, *, backwards: bool = False, limit: int = 80) -> None:
    """Press Tab (or Shift+Tab) until the element matching ``selector`` has focus."""
    key = "Shift+Tab" if backwards else "Tab"
    for _ in range(limit):
        if page.evaluate("s => document.activeElement.matches(s)", selector):
            return
        page.keyboard.press(key)
    raise AssertionError(f"{selector} not reached with {key} (focus on {focused(page)})")


def status_text(page) -> str:
    return page.locator("#status").text_content()


def settle_htmx(page) -> None:
    """Wait as a person would: past the form's 300 ms re-price delay, and until no htmx
    request is in flight, so a late re-price cannot answer after the next step's swap."""
    page.wait_for_timeout(400)
    page.wait_for_function("() => !document.querySelector('.htmx-request')")


def wait_for_status(page, text: str) -> None:
    try:
        page.wait_for_function(
            "text => document.getElementById('status').textContent.includes(text)", arg=text
        )
    except Exception as exc:
        raise AssertionError(f"status {status_text(page)!r}, not {text!r}") from exc


def assert_focus_never_lost(page) -> None:
    page.wait_for_timeout(100)
    assert page.evaluate("() => window.__focusLost") == []


@pytest.mark.parametrize(
    "viewport", [VIEWPORTS["phone"], {"width": 640, "height": 400}], ids=["390px", "zoom200"]
)
def test_sign_in_open_the_menu_and_sign_out_by_keyboard(demo, browser, live_server, viewport):
    context, page, problems = keyboard_page(browser, viewport)
    page.goto(live_server.url + "/accounts/login/")
    assert focused(page) == "#id_username"  # Django's autofocus
    page.keyboard.type("rep")
    page.keyboard.press("Tab")
    page.keyboard.type("wrong password")
    page.keyboard.press("Enter")
    page.wait_for_load_state()
    # The failed sign-in: focus on the error summary, the error tied to both fields.
    page.wait_for_function("() => document.activeElement.id === 'error-summary'")
    assert page.get_attribute("#id_username", "aria-invalid") == "true"
    assert page.get_attribute("#id_password", "aria-describedby") == "login-errors"
    tab_to(page, "#id_password")
    page.keyboard.type(DEMO_PASSWORD)
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/customers/my-day/$"))

    # The menu is closed behind a real button; Enter opens it, Escape closes it.
    sign_out = page.locator("#sign-out")
    assert not sign_out.is_visible()
    page.keyboard.press("Tab")
    assert focused(page) == "a.skip-link"
    tab_to(page, "#nav-toggle")
    assert page.get_attribute("#nav-toggle", "aria-expanded") == "false"
    page.keyboard.press("Enter")
    assert page.get_attribute("#nav-toggle", "aria-expanded") == "true"
    assert sign_out.is_visible()
    page.keyboard.press("Escape")
    assert page.get_attribute("#nav-toggle", "aria-expanded") == "false"
    assert focused(page) == "#nav-toggle"
    page.keyboard.press("Space")
    assert page.get_attribute("#nav-toggle", "aria-expanded") == "true"
    screenshot(page, f"keyboard-menu-open-{viewport['width']}")
    tab_to(page, "#sign-out")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/accounts/login/"))
    assert not problems.items, problems.items
    context.close()


def test_open_a_customer_log_an_activity_and_keep_focus(demo, browser, live_server):
    state = storage_state_for(browser, live_server, "rep", DEMO_PASSWORD)
    context, page, problems = keyboard_page(browser, VIEWPORTS["desktop"], state)
    customer = Customer.objects.filter(owner__username="rep").order_by("name").first()
    page.goto(live_server.url + "/customers/")
    # The skip link jumps over the menu to the page's content.
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    assert focused(page) == "#main"
    tab_to(page, f"a[href='/customers/{customer.pk}/']")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(rf"/customers/{customer.pk}/$"))

    # Submitting empty: focus moves to the first invalid field, the error is tied to it.
    tab_to(page, "#log-activity")
    page.keyboard.press("Enter")
    wait_for_status(page, "Not logged")
    page.wait_for_function("() => document.activeElement.getAttribute('aria-invalid') === 'true'")
    assert page.get_attribute("#id_summary", "aria-invalid") == "true"
    assert "id_summary_error" in page.get_attribute("#id_summary", "aria-describedby")

    tab_to(page, "#id_kind", backwards=True)
    page.keyboard.type("Call")  # a closed <select> picks by typing
    tab_to(page, "#id_summary")
    page.keyboard.type("Called about the Q1 volumes; wants a price for 40 MT.")
    tab_to(page, "#log-activity")
    page.keyboard.press("Enter")
    page.locator("#timeline").get_by_text("Called about the Q1 volumes").wait_for()
    wait_for_status(page, "✓ Logged call")
    assert focused(page) == "#log-activity"  # focus kept on the button after the swap
    assert page.get_attribute("#id_summary", "aria-invalid") is None

    # The Notifications count is polled; the link keeps focus while it changes.
    tab_to(page, "#notifications-link", backwards=True)
    page.evaluate(
        "() => htmx.ajax('GET', '/notifications/badge/', {target: '#notifications-count'})"
    )
    page.wait_for_timeout(300)
    assert focused(page) == "#notifications-link"
    assert_focus_never_lost(page)
    assert not problems.items, problems.items
    context.close()


def test_mark_done_and_log_on_my_day_by_keyboard(demo, browser, live_server):
    state = storage_state_for(browser, live_server, "rep", DEMO_PASSWORD)
    context, page, problems = keyboard_page(browser, VIEWPORTS["desktop"], state)
    activity = (
        Activity.objects.filter(
            customer__owner__username="rep", follow_up_on__isnull=False, done=False
        )
        .order_by("follow_up_on")
        .first()
    )
    assert activity is not None, "the demo data has an open follow-up for the rep"
    page.goto(live_server.url + "/customers/my-day/")
    tab_to(page, f"#follow-up-{activity.pk}-summary")
    page.keyboard.type("Sent the price by email.")
    tab_to(page, f"#follow-up-{activity.pk}-submit")
    page.keyboard.press("Enter")
    # The form is gone: focus moves to the result, which says what happened.
    page.wait_for_function(
        "id => document.activeElement.id === id", arg=f"follow-up-{activity.pk}-result"
    )
    wait_for_status(page, "✓ Done")

    # Log on a recently touched account: focus stays on Log.
    details = page.locator(".crm-account details").first
    tab_to(page, ".crm-account details summary")
    page.keyboard.press("Enter")
    submit_id = details.locator("button[type=submit]").get_attribute("id")
    summary_id = details.locator("input[name=summary]").get_attribute("id")
    tab_to(page, f"#{summary_id}")
    page.keyboard.type("Quick call, all fine.")
    tab_to(page, f"#{submit_id}")
    page.keyboard.press("Enter")
    details.get_by_text("✓ Logged").wait_for()
    wait_for_status(page, "✓ Logged call")
    assert focused(page) == f"#{submit_id}"
    assert_focus_never_lost(page)
    assert not problems.items, problems.items
    context.close()


def choose_first_grade(page, select: str) -> None:
    """A closed <select> by keyboard: arrow down from the blank choice to the first grade."""
    tab_to(page, select)
    page.keyboard.press("ArrowDown")
    assert page.eval_on_selector(select, "e => e.value") != ""


def test_build_a_two_line_quote_with_add_line_by_keyboard(demo, browser, live_server):
    state = storage_state_for(browser, live_server, "rep", DEMO_PASSWORD)
    context, page, problems = keyboard_page(browser, VIEWPORTS["desktop"], state)
    # a customer without a quote whose usual port the demo freight rates serve
    priced_ports = FreightRate.objects.values("destination_port__code")
    customer = (
        Customer.objects.filter(owner__username="rep", default_destination_port__in=priced_ports)
        .order_by("name")
        .first()
    )
    quotes_before = set(customer.quotes.values_list("pk", flat=True))
    page.goto(live_server.url + f"/customers/{customer.pk}/")
    tab_to(page, "a.btn[href^='/quotes/new/']")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/quotes/new/\?customer="))

    choose_first_grade(page, "#id_lines-0-product")
    tab_to(page, "#id_lines-0-quantity_mt")
    page.keyboard.type("20")
    wait_for_status(page, "landed cost")  # the preview, in one sentence
    tab_to(page, "#add-line")
    page.keyboard.press("Enter")
    page.locator("#id_lines-1-product").wait_for()
    wait_for_status(page, "Line 2 added.")
    assert focus_settles_on(page, "add-line") == "#add-line"  # focus back on the same button

    choose_first_grade(page, "#id_lines-1-product")
    page.keyboard.press("ArrowDown")  # a second grade
    tab_to(page, "#id_lines-1-quantity_mt")
    page.keyboard.type("5")
    settle_htmx(page)
    tab_to(page, "#add-line")
    page.keyboard.press("Enter")
    page.locator("#id_lines-2-product").wait_for()
    settle_htmx(page)
    # Remove the blank third line: the last Remove button disappears, focus goes to Add line.
    tab_to(page, "#remove-line-3", backwards=True)
    page.keyboard.press("Enter")
    page.locator("#id_lines-2-product").wait_for(state="detached")
    wait_for_status(page, "2 lines left")
    assert focus_settles_on(page, "add-line") == "#add-line"

    assert_focus_never_lost(page)

    tab_to(page, "#save-draft")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/quotes/\d+/$"))
    (quote,) = Quote.objects.filter(customer=customer).exclude(pk__in=quotes_before)
    assert quote.lines.count() == 2
    assert page.url.endswith(f"/quotes/{quote.pk}/")
    assert not problems.items, problems.items
    context.close()


def test_swagger_ui_works_under_its_policy(demo, browser, live_server):
    state = storage_state_for(browser, live_server, "rep", DEMO_PASSWORD)
    context, page, problems = keyboard_page(browser, VIEWPORTS["desktop"], state)
    response = page.goto(live_server.url + "/api/docs/")
    assert "script-src 'self'" in response.headers["content-security-policy"]
    page.locator(".swagger-ui .opblock").first.wait_for()
    assert not problems.items, problems.items
    context.close()
