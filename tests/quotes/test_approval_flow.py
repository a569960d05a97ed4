"""The manager's day: submissions with a note notify every manager; approve and return
notify the rep (in the app, and by email when MGTRADE_NOTIFY_BY_EMAIL is on); My day and
the navigation show what waits; the queue is sorted by time waiting."""

from datetime import timedelta

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from mgtrade.accounts.models import Role
from quotes import services
from quotes.models import Notification, Quote, QuoteEmail, QuoteStatus
from tests.accounts.factories import UserFactory
from tests.quotes.factories import german_buyer, quote_for

pytestmark = pytest.mark.usefixtures("worked_example_data")
S = QuoteStatus


@pytest.fixture
def customer(rep):
    return german_buyer(owner=rep)


@pytest.fixture
def needs_approval(customer):
    return quote_for(customer=customer, discount="5")


@pytest.fixture
def second_manager(db):
    return UserFactory(username="manager2", role=Role.SALES_MANAGER, email="m2@example.com")


@pytest.fixture
def email_on(settings):
    settings.MGTRADE = {**settings.MGTRADE, "NOTIFY_BY_EMAIL": True}


def test_submission_with_a_note_notifies_every_manager_but_not_the_rep(
    needs_approval, rep, manager, second_manager, admin_user
):
    quote = services.quote_submit_for_approval(
        quote=needs_approval, by=rep, note="Key account, 500 MT a year"
    )
    assert quote.submission_note == "Key account, 500 MT a year" and quote.submitted_at
    notified = set(
        Notification.objects.filter(quote=quote).values_list("user__username", flat=True)
    )
    assert notified == {"manager", "manager2", "admin"}
    text = Notification.objects.filter(user=manager).get().text
    assert quote.reference in text and "Key account, 500 MT a year" in text
    assert quote.events.get(action="submitted").comment == "Key account, 500 MT a year"
    assert not QuoteEmail.objects.exists()  # e-mail is off by default


def test_with_email_on_managers_get_an_email_with_the_reasons(
    needs_approval, rep, manager, second_manager, email_on, django_capture_on_commit_callbacks
):
    manager.email = "m1@example.com"
    manager.save()
    with django_capture_on_commit_callbacks(execute=True):
        services.quote_submit_for_approval(quote=needs_approval, by=rep, note="Please")
    assert sorted(m.to[0] for m in mail.outbox) == ["m1@example.com", "m2@example.com"]
    body = mail.outbox[0].body
    assert "discount 5.00 %, above the 3 % threshold" in body and "Note: Please" in body
    assert mail.outbox[0].subject.startswith(f"Approval needed: {needs_approval.reference}")


def test_approve_notifies_the_rep_in_app_and_by_email_when_on(
    needs_approval, rep, manager, email_on, django_capture_on_commit_callbacks
):
    rep.email = "rep@example.com"
    rep.save()
    services.quote_submit_for_approval(quote=needs_approval, by=rep)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.quote_approve(quote=needs_approval, by=manager, comment="OK this once")
    (note,) = Notification.objects.filter(user=rep)
    assert "approved" in note.text and "OK this once" in note.text
    (message,) = mail.outbox
    assert message.to == ["rep@example.com"] and message.subject.startswith("Approved:")
    assert "OK this once" in message.body


def test_return_notifies_the_rep_with_what_must_change(needs_approval, rep, manager):
    services.quote_submit_for_approval(quote=needs_approval, by=rep)
    services.quote_return(quote=needs_approval, by=manager, comment="Max 3 % discount")
    (note,) = Notification.objects.filter(user=rep)
    assert "returned" in note.text and "Max 3 % discount" in note.text
    assert not mail.outbox  # e-mail off


def test_api_submit_takes_a_note(rep_api, needs_approval):
    response = rep_api.post(
        f"/api/v1/quotes/{needs_approval.pk}/submit/", {"note": "Urgent"}, format="json"
    )
    assert response.status_code == 200
    assert response.json()["submission_note"] == "Urgent"
    assert response.json()["status"] == "pending_approval"


def test_page_submit_takes_a_note(rep_client, needs_approval):
    rep_client.post(reverse("quotes:submit", args=[needs_approval.pk]), {"note": "From the page"})
    assert Quote.objects.get(pk=needs_approval.pk).submission_note == "From the page"


def test_managers_my_day_lists_the_approvals_waiting_and_the_nav_counts_them(
    needs_approval, rep, manager_client
):
    services.quote_submit_for_approval(quote=needs_approval, by=rep, note="n")
    page = manager_client.get(reverse("customers:my_day")).content.decode()
    assert 'id="approvals-waiting"' in page and needs_approval.reference in page
    assert "discount 5.00 %" in page
    assert 'data-testid="approvals-nav"' in page
    badge = manager_client.get(reverse("quotes:approvals_badge")).content.decode()
    assert '<span class="badge warn" data-testid="approvals-badge">1</span>' in badge
    rep_client = Client()
    rep_client.force_login(rep)
    rep_page = rep_client.get(reverse("customers:my_day")).content.decode()
    assert 'id="approvals-waiting"' not in rep_page and "approvals-nav" not in rep_page


def test_managers_my_day_says_when_nothing_waits(manager_client):
    page = manager_client.get(reverse("customers:my_day")).content.decode()
    assert "Nothing waiting for your approval." in page
    assert manager_client.get(reverse("quotes:approvals_badge")).content.decode().strip() == ""


def test_queue_is_sorted_by_time_waiting_and_shows_the_note(customer, rep, manager_client):
    first = quote_for(customer=customer, discount="5")
    second = quote_for(customer=customer, discount="6")
    services.quote_submit_for_approval(quote=second, by=rep, note="second")
    services.quote_submit_for_approval(quote=first, by=rep, note="first")
    Quote.objects.filter(pk=second.pk).update(submitted_at=timezone.now() - timedelta(days=2))
    page = manager_client.get(reverse("quotes:approvals"))
    assert [q.pk for q in page.context["quotes"]] == [second.pk, first.pk]
    assert "Rep's note: “second”" in page.content.decode()
    assert "waiting 2" in page.content.decode()


def test_quote_page_wording_says_who_approved(needs_approval, rep, manager, rep_client):
    services.quote_submit_for_approval(quote=needs_approval, by=rep)
    services.quote_approve(quote=needs_approval, by=manager)
    page = rep_client.get(reverse("quotes:detail", args=[needs_approval.pk])).content.decode()
    assert "Approval approved" not in page and "Approval <span" not in page
    assert "Approved by a manager" in page and "Zhang Min approved it on" in page
