"""Delivery tracking: stale-claim recovery, the rep's page fragments, the API, the PDF
endpoints' visibility, fonts for buyers' names, and the demo outbox."""

import hashlib
import io
from datetime import timedelta
from unittest import mock

import pytest
from django.core import mail
from django.utils import timezone
from pypdf import PdfReader

from quotes.models import DeliveryStatus, Notification, QuoteDelivery, QuoteEmail
from quotes.sending import services as delivery_services
from quotes.tasks import quote_email_task
from tests.quotes.factories import german_buyer, quote_for
from tests.quotes.sending import assert_quote_pdf, pdf_text, sendable_draft, state_of

pytestmark = pytest.mark.django_db
D = DeliveryStatus


@pytest.fixture
def draft(worked_example_data, rep, media_root):
    return sendable_draft(rep)


def queued(draft, rep, capture):
    with capture(execute=False):
        return delivery_services.quote_send(quote=draft, by=rep)


def age_claim(delivery, status, minutes=30):
    """A claim taken ``minutes`` ago by a worker that vanished: the render's (RENDERING) or
    the quote e-mail's (SENDING: in flight)."""
    stale = {
        "claim_token": "deadworker",
        "claimed_at": timezone.now() - timedelta(minutes=minutes),
        "updated_at": timezone.now() - timedelta(minutes=minutes),
    }
    if status == D.RENDERING:
        QuoteDelivery.objects.filter(pk=delivery.pk).update(render_status="rendering", **stale)
    else:
        QuoteEmail.objects.filter(delivery=delivery).update(status="in_flight", **stale)


# ------------------------------------------------------------------ stale claims


def test_a_stale_render_claim_is_rendered_again_and_sent(
    draft, rep, django_capture_on_commit_callbacks
):
    delivery = queued(draft, rep, django_capture_on_commit_callbacks)
    age_claim(delivery, D.RENDERING)
    counts = delivery_services.deliveries_recover_stale()  # eager: runs the steps now
    assert counts["rendering"] == 1
    delivery.refresh_from_db()
    assert state_of(delivery).status == D.SENT
    assert len(mail.outbox) == 1


def test_a_fresh_claim_is_left_alone(draft, rep, django_capture_on_commit_callbacks):
    delivery = queued(draft, rep, django_capture_on_commit_callbacks)
    delivery_services.delivery_render(delivery_id=delivery.pk)
    age_claim(delivery, D.SENDING, minutes=1)
    assert delivery_services.deliveries_recover_stale()["sending"] == 0
    assert state_of(delivery).status == D.SENDING


def test_a_stale_send_claim_needs_a_decision_and_never_sends_by_itself(
    draft, rep, rep_client, django_capture_on_commit_callbacks
):
    delivery = queued(draft, rep, django_capture_on_commit_callbacks)
    delivery_services.delivery_render(delivery_id=delivery.pk)
    age_claim(delivery, D.SENDING)

    assert delivery_services.deliveries_recover_stale()["sending"] == 1
    assert delivery_services.deliveries_recover_stale()["sending"] == 0  # safe to run twice
    delivery.refresh_from_db()
    assert state_of(delivery).status == D.NEEDS_DECISION
    assert "may or may not" in state_of(delivery).last_error
    assert Notification.objects.filter(user=rep, text__contains="needs your decision").exists()
    # A redelivered email task finds nothing to claim.
    quote_email_task.delay(delivery.pk)
    assert mail.outbox == []

    page = rep_client.get(f"/quotes/{draft.pk}/delivery/")
    assert b'data-testid="delivery-send-again"' in page.content
    assert b'data-testid="delivery-mark-sent"' in page.content
    assert b"every 2s" not in page.content


def test_the_rep_sends_again_after_a_stale_send(
    draft, rep, rep_client, django_capture_on_commit_callbacks
):
    delivery = queued(draft, rep, django_capture_on_commit_callbacks)
    delivery_services.delivery_render(delivery_id=delivery.pk)
    age_claim(delivery, D.SENDING)
    delivery_services.deliveries_recover_stale()
    with django_capture_on_commit_callbacks(execute=True):
        rep_client.post(f"/quotes/{draft.pk}/delivery/resolve/", {"decision": "send_again"})
    delivery.refresh_from_db()
    assert state_of(delivery).status == D.SENT
    assert len(mail.outbox) == 1


def test_the_rep_marks_a_stale_send_as_sent(
    draft, rep, rep_client, django_capture_on_commit_callbacks
):
    delivery = queued(draft, rep, django_capture_on_commit_callbacks)
    delivery_services.delivery_render(delivery_id=delivery.pk)
    age_claim(delivery, D.SENDING)
    delivery_services.deliveries_recover_stale()
    with django_capture_on_commit_callbacks(execute=True):
        rep_client.post(f"/quotes/{draft.pk}/delivery/resolve/", {"decision": "mark_sent"})
    delivery.refresh_from_db()
    assert state_of(delivery).status == D.SENT and state_of(delivery).sent_at is not None
    assert "Marked as sent" in state_of(delivery).last_error
    assert mail.outbox == []


def test_a_lost_task_message_is_queued_again(draft, rep, django_capture_on_commit_callbacks):
    delivery = queued(draft, rep, django_capture_on_commit_callbacks)  # never enqueued
    QuoteDelivery.objects.filter(pk=delivery.pk).update(
        updated_at=timezone.now() - timedelta(hours=1)
    )
    assert delivery_services.deliveries_recover_stale()["requeued"] == 1
    assert state_of(delivery).status == D.SENT
    assert len(mail.outbox) == 1


def test_a_slow_worker_that_finishes_after_recovery_still_records_the_send(
    draft, rep, failing_mail, django_capture_on_commit_callbacks
):
    """The claim was declared stale while the worker was in SMTP; the send then completed."""
    delivery = queued(draft, rep, django_capture_on_commit_callbacks)
    delivery_services.delivery_render(delivery_id=delivery.pk)
    failing_mail.on_send = lambda: delivery_services.deliveries_recover_stale(
        older_than=timedelta(0)
    )
    delivery_services.delivery_email(delivery_id=delivery.pk)
    delivery.refresh_from_db()
    assert state_of(delivery).status == D.SENT
    assert len(mail.outbox) == 1


# ------------------------------------------------------------------ the rep's page


def test_the_quote_page_offers_send_and_preview_and_includes_delivery(draft, rep_client):
    page = rep_client.get(f"/quotes/{draft.pk}/")
    assert b'data-testid="send"' in page.content
    assert f'href="/quotes/{draft.pk}/pdf/"'.encode() in page.content


def test_send_button_sends_and_the_state_polls_until_final(
    draft, rep_client, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = rep_client.post(
            f"/quotes/{draft.pk}/send/", {"to": [draft.contact_id], "message": "Hello."}
        )
    assert response.status_code == 302
    fragment = rep_client.get(f"/quotes/{draft.pk}/delivery/")
    assert b'hx-trigger="every 2s"' in fragment.content
    assert b'data-status="queued"' in fragment.content
    page = rep_client.get(f"/quotes/{draft.pk}/")
    assert f'hx-get="/quotes/{draft.pk}/delivery/"'.encode() in page.content
    assert f'hx-get="/quotes/{draft.pk}/emails/"'.encode() in page.content

    for callback in callbacks:
        callback()
    fragment = rep_client.get(f"/quotes/{draft.pk}/delivery/")
    assert b'data-status="sent"' in fragment.content
    assert b"every 2s" not in fragment.content
    emails = rep_client.get(f"/quotes/{draft.pk}/emails/")
    assert draft.number.encode() in emails.content
    assert draft.contact.email.encode() in emails.content


def test_send_refused_in_the_wrong_state_shows_a_message(
    draft, rep, rep_client, django_capture_on_commit_callbacks
):
    queued(draft, rep, django_capture_on_commit_callbacks)
    response = rep_client.post(f"/quotes/{draft.pk}/send/", follow=True)
    assert b"cannot be sent" in response.content
    assert QuoteDelivery.objects.count() == 1


def test_preview_of_a_draft_is_marked_draft(draft, rep_client):
    response = rep_client.get(f"/quotes/{draft.pk}/pdf/")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert "-DRAFT.pdf" in response["Content-Disposition"]
    assert "Draft, not an offer" in pdf_text(response.content)


def test_a_preview_over_the_line_cap_is_refused_without_rendering(
    draft, rep_client, rep_api, settings
):
    settings.MGTRADE = {**settings.MGTRADE, "PDF_PREVIEW_MAX_LINES": 1}  # the draft has 2
    with mock.patch("quotes.documents.files.document_render") as render:
        page = rep_client.get(f"/quotes/{draft.pk}/pdf/", follow=True)
        api = rep_api.get(f"/api/v1/quotes/{draft.pk}/pdf/")
    render.assert_not_called()
    assert page.redirect_chain[-1][0] == f"/quotes/{draft.pk}/"
    assert "limited to 1 lines" in page.content.decode()
    assert api.status_code == 409 and "limited to 1 lines" in api.json()["detail"]


def test_the_stored_pdf_is_served_whatever_the_line_cap(
    draft, rep, rep_api, settings, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        delivery_services.quote_send(quote=draft, by=rep)
    settings.MGTRADE = {**settings.MGTRADE, "PDF_PREVIEW_MAX_LINES": 1}
    response = rep_api.get(f"/api/v1/quotes/{draft.pk}/pdf/")
    assert response.status_code == 200
    data = b"".join(response.streaming_content)
    assert hashlib.sha256(data).hexdigest() == QuoteDelivery.objects.get().pdf_sha256


def test_other_reps_cannot_see_or_send_the_quote(draft, client, other_rep, manager):
    client.force_login(other_rep)
    assert client.get(f"/quotes/{draft.pk}/pdf/").status_code == 404
    assert client.get(f"/quotes/{draft.pk}/delivery/").status_code == 404
    assert client.post(f"/quotes/{draft.pk}/send/").status_code == 404
    client.force_login(manager)
    assert client.get(f"/quotes/{draft.pk}/pdf/").status_code == 200


def test_anonymous_users_are_sent_to_login(draft, client):
    response = client.get(f"/quotes/{draft.pk}/pdf/")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


# ------------------------------------------------------------------ API


def test_api_send_returns_202_with_the_delivery_state(
    draft, rep_api, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = rep_api.post(f"/api/v1/quotes/{draft.pk}/send/")
    assert response.status_code == 202
    assert response.json()["status"] == "queued"
    assert response.json()["to"] == [draft.contact.email]
    for callback in callbacks:
        callback()
    state = rep_api.get(f"/api/v1/quotes/{draft.pk}/delivery/").json()
    assert state["status"] == "sent"
    assert state["pdf_filename"] == f"{draft.number}-v1.pdf"
    again = rep_api.post(f"/api/v1/quotes/{draft.pk}/send/")
    assert again.status_code == 409


def test_api_pdf_is_the_stored_pdf_once_sent(
    draft, rep, rep_api, django_capture_on_commit_callbacks
):
    preview = rep_api.get(f"/api/v1/quotes/{draft.pk}/pdf/")
    assert preview.status_code == 200 and preview["Content-Type"] == "application/pdf"
    assert "Draft, not an offer" in pdf_text(preview.content)
    with django_capture_on_commit_callbacks(execute=True):
        delivery_services.quote_send(quote=draft, by=rep)
    response = rep_api.get(f"/api/v1/quotes/{draft.pk}/pdf/")
    data = b"".join(response.streaming_content)
    assert hashlib.sha256(data).hexdigest() == QuoteDelivery.objects.get().pdf_sha256
    assert "Draft, not an offer" not in pdf_text(data)
    assert_quote_pdf(data, draft)


def test_api_visibility(draft, other_rep_api, manager_api, api_client):
    assert other_rep_api.get(f"/api/v1/quotes/{draft.pk}/pdf/").status_code == 404
    assert other_rep_api.post(f"/api/v1/quotes/{draft.pk}/send/").status_code == 404
    assert other_rep_api.get(f"/api/v1/quotes/{draft.pk}/delivery/").status_code == 404
    assert api_client.get(f"/api/v1/quotes/{draft.pk}/pdf/").status_code in (401, 403)
    assert manager_api.get(f"/api/v1/quotes/{draft.pk}/delivery/").status_code == 404  # not sent
    assert manager_api.get(f"/api/v1/quotes/{draft.pk}/pdf/").status_code == 200


# ------------------------------------------------------------------ fonts


def test_japanese_korean_chinese_and_turkish_names_render(
    worked_example_data, rep, media_root, django_capture_on_commit_callbacks
):
    names = {
        "ja": ("株式会社マグネ東京", "山田太郎"),
        "ko": ("한국마그네슘 주식회사", "김민준"),
        "zh": ("上海镁业有限公司", "王小明"),
        "tr": ("Öztürk Döküm Sanayi A.Ş.", "Şükrü Çağlar Ğümüş"),
    }
    for lang, (company, person) in names.items():
        customer = german_buyer(owner=rep, name=company)
        customer.contacts.update(name=person, email=f"{lang}@buyer.example", language=lang)
        quote = quote_for(customer=customer)
        with django_capture_on_commit_callbacks(execute=True):
            delivery_services.quote_send(quote=quote, by=rep)
    for message in mail.outbox:
        data = message.attachments[0][1]
        text = pdf_text(data)
        lang = message.to[0].split("@")[0]
        company, person = names[lang]
        assert company in text, (lang, text[:400])
        assert person in text, (lang, text[:400])
        fonts = {
            str(font.get("/BaseFont"))
            for page in PdfReader(io.BytesIO(data)).pages
            for font in (page.get("/Resources", {}).get("/Font", {}) or {}).values()
            for font in [font.get_object()]
        }
        if lang in ("ja", "ko", "zh"):
            assert any("CJK" in f for f in fonts), fonts
    assert len(mail.outbox) == 4


# ------------------------------------------------------------------ outbox


@pytest.fixture
def file_email(settings, tmp_path):
    settings.EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
    settings.EMAIL_FILE_PATH = str(tmp_path / "outbox")
    return tmp_path / "outbox"


def test_outbox_lists_written_messages_with_the_pdf(
    draft, rep, admin_client_, file_email, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        delivery_services.quote_send(quote=draft, by=rep)
    page = admin_client_.get("/outbox/")
    assert page.status_code == 200
    assert f"Quotation {draft.number}".encode() in page.content
    file = next(file_email.iterdir()).name
    message = admin_client_.get(f"/outbox/{file}/0/")
    assert draft.contact.email.encode() in message.content
    assert b"/q/" in message.content
    pdf = admin_client_.get(f"/outbox/{file}/0/attachments/0/")
    assert pdf["Content-Type"] == "application/pdf"
    assert hashlib.sha256(pdf.content).hexdigest() == QuoteDelivery.objects.get().pdf_sha256


def test_outbox_is_for_admins_only(draft, rep_client, file_email):
    assert rep_client.get("/outbox/").status_code == 403


def test_outbox_is_hidden_in_production(admin_client_, settings):
    settings.DEBUG = False
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    assert admin_client_.get("/outbox/").status_code == 404


def test_outbox_rejects_path_tricks(admin_client_, file_email):
    file_email.mkdir()
    for path in ("/outbox/..%2f..%2fetc%2fpasswd/0/", "/outbox/x.txt/0/", "/outbox/a.log/0/"):
        assert admin_client_.get(path).status_code == 404


def test_email_log_lists_every_email_of_the_quote(
    draft, rep, rep_client, client, django_capture_on_commit_callbacks
):
    from quotes.public.links import acceptance_token

    with django_capture_on_commit_callbacks(execute=True):
        delivery_services.quote_send(quote=draft, by=rep)
        client.post(f"/q/{acceptance_token(draft)}/accept/", {"name": "Hans", "confirm": "on"})
    kinds = sorted(QuoteEmail.objects.filter(quote=draft).values_list("kind", "status"))
    # The quote, the notice to the rep, the buyer's confirmation of the acceptance (orders).
    assert kinds == [("accepted", "sent"), ("confirmation", "sent"), ("quote", "sent")]
    log = rep_client.get(f"/quotes/{draft.pk}/emails/")
    assert log.content.count(b'data-testid="email-row"') == 3


@pytest.mark.parametrize("incoterm", ["FOB", "CFR", "CIF", "DAP", "DDP"])
def test_the_pdf_breakdown_adds_up_to_the_quote_total(worked_example_data, rep, incoterm):
    from quotes.documents.context import quote_pdf_context

    quote = quote_for(customer=german_buyer(owner=rep), incoterm=incoterm)
    breakdown = quote_pdf_context(quote)["breakdown"]
    signed = sum(r["amount"] if r["kind"] == "add" else -r["amount"] for r in breakdown["rows"])
    assert signed == breakdown["quote_total"]
    assert str(breakdown["quote_total"]) == quote.pricing["quote_currency"]["quote_total"]


def test_pdf_says_duties_are_not_included_when_no_tariff_rule_is_on_file(worked_example_data, rep):
    from django.template.loader import render_to_string

    from products.models import TariffRule
    from quotes.documents.context import quote_pdf_context
    from tests.quotes.factories import german_buyer, quote_for

    TariffRule.objects.all().delete()
    quote = quote_for(customer=german_buyer(owner=rep))
    assert quote.pricing["warnings"]
    html = render_to_string("pdf/quote.html", quote_pdf_context(quote, draft=True))
    assert "no tariff rule on file" in html
    assert "as far as we know" not in html
