"""The buyer's signed link: view (recorded once), accept, decline, and closed links."""

from datetime import timedelta

import pytest
from django.core import mail
from django.test import Client
from django.utils import timezone

from quotes import services
from quotes.models import Notification, Quote, QuoteEmail, QuoteEvent, RejectionReason
from quotes.public.links import acceptance_token, acceptance_url
from quotes.sending import services as delivery_services
from tests.quotes.sending import sendable_draft

pytestmark = pytest.mark.django_db

UA = "Mozilla/5.0 (Buyer's browser)"


@pytest.fixture
def sent(worked_example_data, rep, media_root, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        delivery = delivery_services.quote_send(quote=sendable_draft(rep), by=rep)
    mail.outbox.clear()
    return Quote.objects.get(pk=delivery.quote_id)


def url(quote, suffix=""):
    return f"/q/{acceptance_token(quote)}/{suffix}"


def test_the_email_link_is_the_signed_public_page(sent, settings):
    settings.MGTRADE = {**settings.MGTRADE, "SITE_URL": "https://crm.example"}
    assert acceptance_url(sent) == "https://crm.example" + url(sent)


def test_first_open_records_viewed_once(sent, client):
    response = client.get(url(sent))
    assert response.status_code == 200
    assert sent.number.encode() in response.content
    assert b'data-testid="accept"' in response.content
    sent.refresh_from_db()
    first = sent.viewed_at
    assert first is not None
    client.get(url(sent))
    sent.refresh_from_db()
    assert sent.viewed_at == first
    assert QuoteEvent.objects.filter(quote=sent, action="viewed").count() == 1


def test_rep_sees_viewed_time_on_the_delivery_state(sent, client, rep_client):
    client.get(url(sent))
    page = rep_client.get(f"/quotes/{sent.pk}/delivery/")
    assert b"Viewed by the buyer" in page.content


def test_public_page_serves_the_stored_pdf(sent, client):
    response = client.get(url(sent, "pdf/"))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert b"".join(response.streaming_content).startswith(b"%PDF-")


def test_accept_records_name_time_ip_user_agent_and_tells_the_rep(
    sent, client, rep, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            url(sent, "accept/"),
            {"name": "  Hans Müller ", "confirm": "on"},
            REMOTE_ADDR="203.0.113.7",
            HTTP_USER_AGENT=UA,
        )
    assert response.status_code == 302
    sent.refresh_from_db()
    assert sent.status == "accepted"
    assert sent.accepted_by_name == "Hans Müller"
    assert sent.accepted_ip == "203.0.113.7"
    assert sent.accepted_user_agent == UA
    assert sent.decided_at is not None

    (note,) = Notification.objects.filter(user=rep)
    assert note.text == f"Hans Müller (Hamburg Leichtmetall GmbH) accepted {sent.number} v1"
    # The rep's notice; the buyer gets the order confirmation (tests/orders/test_sending.py).
    (message,) = [m for m in mail.outbox if m.to == [rep.email]]
    assert message.subject.startswith(f"Accepted: {sent.number} v1 by Hans Müller")
    assert "203.0.113.7" in message.body
    assert QuoteEmail.objects.get(quote=sent, kind="accepted").status == "sent"

    thanks = client.get(url(sent))
    assert b"is accepted" in thanks.content


def test_the_rep_sees_the_notification_count_and_list(sent, client, rep_client):
    client.post(url(sent, "accept/"), {"name": "Hans", "confirm": "on"})
    badge = rep_client.get("/notifications/badge/")
    assert b">1</span>" in badge.content
    page = rep_client.get("/notifications/")
    assert f"accepted {sent.number} v1".encode() in page.content
    rep_client.post("/notifications/read/")
    assert b"</span>" not in rep_client.get("/notifications/badge/").content


def test_accept_records_the_buyers_title_as_the_pdfs_confirmation_block_asks(
    sent, client, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            url(sent, "accept/"),
            {
                "name": "Hans Müller",
                "title": "Head of Purchasing",
                "po_number": "PO-77",
                "confirm": "on",
            },
        )
    assert response.status_code == 302
    sent.refresh_from_db()
    assert (sent.accepted_by_name, sent.accepted_by_title) == ("Hans Müller", "Head of Purchasing")
    assert sent.decided_at is not None


def test_accept_needs_a_name(sent, client):
    response = client.post(url(sent, "accept/"), {"name": "", "confirm": "on"})
    assert response.status_code == 400
    assert b"This field is required" in response.content
    sent.refresh_from_db()
    assert sent.status == "sent"


def test_decline_records_the_reason(sent, client, rep, django_capture_on_commit_callbacks):
    reason = RejectionReason.objects.filter(active=True).first()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url(sent, "decline/"), {"reason": reason.pk, "note": "Too far"})
    assert response.status_code == 302
    sent.refresh_from_db()
    assert (sent.status, sent.rejection_reason, sent.rejection_note) == (
        "rejected",
        reason,
        "Too far",
    )
    assert Notification.objects.filter(user=rep, text__contains="declined").exists()
    assert mail.outbox[0].subject.startswith(f"Declined: {sent.number} v1")
    assert b"was declined" in client.get(url(sent)).content


def test_decline_offers_only_active_reasons(sent, client):
    reason = RejectionReason.objects.first()
    reason.active = False
    reason.save()
    page = client.get(url(sent))
    assert f'value="{reason.pk}"'.encode() not in page.content
    response = client.post(url(sent, "decline/"), {"reason": reason.pk})
    assert response.status_code == 400
    sent.refresh_from_db()
    assert sent.status == "sent"


def test_a_decided_quote_cannot_be_accepted_again(sent, client):
    client.post(url(sent, "accept/"), {"name": "Hans", "confirm": "on"})
    response = client.post(url(sent, "accept/"), {"name": "Mallory", "confirm": "on"})
    assert response.status_code == 200
    assert b"is accepted" in response.content
    sent.refresh_from_db()
    assert sent.accepted_by_name == "Hans"


def test_an_expired_quote_link_says_so(sent, client):
    Quote.objects.filter(pk=sent.pk).update(
        quote_date=timezone.localdate() - timedelta(days=20),
        valid_until=timezone.localdate() - timedelta(days=1),
    )
    response = client.get(url(sent))
    assert response.status_code == 410
    assert b"has expired" in response.content
    response = client.post(url(sent, "accept/"), {"name": "Hans", "confirm": "on"})
    assert response.status_code == 410
    assert client.get(url(sent, "pdf/")).status_code == 410
    sent.refresh_from_db()
    assert sent.status == "sent" and sent.viewed_at is None


def test_a_superseded_quote_link_points_to_the_newer_version(sent, client, rep):
    services.quote_revise(quote=sent, by=rep)
    response = client.get(url(sent))
    assert response.status_code == 410
    assert b"replaced by version 2" in response.content


def test_a_draft_quote_link_is_not_available(worked_example_data, rep, client, media_root):
    draft = sendable_draft(rep)
    response = client.get(url(draft))
    assert response.status_code == 404
    assert b"not available" in response.content


@pytest.mark.parametrize(
    "mangle",
    [
        lambda t: t[:-2] + ("AA" if not t.endswith("AA") else "BB"),
        lambda t: "x" + t,
        lambda t: "not-a-token",
        lambda t: t.split(":")[0],
    ],
)
def test_a_tampered_token_gets_a_clear_404_page(sent, client, mangle):
    token = mangle(acceptance_token(sent))
    for suffix in ("", "pdf/"):
        response = client.get(f"/q/{token}/{suffix}")
        assert response.status_code == 404
        assert b"This link is not valid" in response.content
    response = client.post(f"/q/{token}/accept/", {"name": "Eve", "confirm": "on"})
    assert response.status_code == 404
    sent.refresh_from_db()
    assert sent.status == "sent"


def test_a_token_for_another_version_does_not_open_this_one(sent, client):
    from django.core import signing

    from quotes.public.links import SALT

    forged = signing.dumps({"q": sent.pk, "v": sent.version + 1}, salt=SALT)
    assert client.get(f"/q/{forged}/").status_code == 404
    other_salt = signing.dumps({"q": sent.pk, "v": sent.version})
    assert client.get(f"/q/{other_salt}/").status_code == 404


def test_csrf_stays_on(sent):
    strict = Client(enforce_csrf_checks=True)
    response = strict.post(url(sent, "accept/"), {"name": "Hans", "confirm": "on"})
    assert response.status_code == 403
    sent.refresh_from_db()
    assert sent.status == "sent"
