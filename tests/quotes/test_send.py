"""Sending a quote: one email with the PDF, to the contact, CC the rep; idempotent tasks.

Eager Celery and the locmem email backend (mgtrade.settings.test); on-commit callbacks run
through ``django_capture_on_commit_callbacks(execute=True)``.
"""

import hashlib
import smtplib
from unittest import mock

import pytest
from django.core import mail

from mgtrade.errors import StateConflict
from products.models import Product
from quotes.models import (
    DeliveryStatus,
    Quote,
    QuoteDelivery,
    QuoteEmail,
    QuoteStatus,
    RenderStatus,
)
from quotes.sending import services as delivery_services
from quotes.tasks import quote_email_task, quote_render_pdf_task
from tests.quotes.factories import german_buyer, quote_for
from tests.quotes.sending import assert_quote_pdf, pdf_text, sendable_draft, state_of

pytestmark = pytest.mark.django_db


@pytest.fixture
def draft(worked_example_data, rep, media_root):
    return sendable_draft(rep)


def send(quote, by, capture):
    with capture(execute=True):
        return delivery_services.quote_send(quote=quote, by=by)


def test_send_emails_one_message_with_the_pdf_to_the_contact_cc_the_rep(
    draft, rep, django_capture_on_commit_callbacks
):
    contact = draft.contact
    delivery = send(draft, rep, django_capture_on_commit_callbacks)

    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == [contact.email]
    assert message.cc == [rep.email]
    assert message.reply_to == [rep.email]
    assert (
        message.subject
        == f"Quotation {draft.number} (version 1), CIF Hamburg, from Helan Magnesium Export Co., Ltd."
    )
    assert "/q/" in message.body  # the signed acceptance link
    html = message.alternatives[0]
    assert html[1] == "text/html" and "/q/" in html[0]
    ((filename, data, mimetype),) = message.attachments
    assert filename == f"{draft.number}-v1.pdf"
    assert mimetype == "application/pdf"
    assert_quote_pdf(data, draft)

    delivery.refresh_from_db()
    assert state_of(delivery).status == DeliveryStatus.SENT
    assert state_of(delivery).sent_at is not None
    assert (
        state_of(delivery).message_id
        and message.extra_headers["Message-ID"] == state_of(delivery).message_id
    )
    assert delivery.pdf_sha256 == hashlib.sha256(data).hexdigest()
    assert delivery.pdf.name == f"quotes/pdf/{draft.number}-v1.pdf"
    with delivery.pdf.open("rb") as stored:
        assert hashlib.sha256(stored.read()).hexdigest() == delivery.pdf_sha256
    draft.refresh_from_db()
    assert draft.status == QuoteStatus.SENT
    (log,) = QuoteEmail.objects.filter(quote=draft)
    assert (log.kind, log.status, log.to, log.cc) == ("quote", "sent", [contact.email], [rep.email])


def test_nothing_is_queued_before_the_transaction_commits(
    draft, rep, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        delivery = delivery_services.quote_send(quote=draft, by=rep)
    assert len(callbacks) == 1
    assert mail.outbox == []
    assert state_of(delivery).status == DeliveryStatus.QUEUED


def test_tasks_run_twice_send_one_email_and_never_render_again(
    draft, rep, django_capture_on_commit_callbacks
):
    delivery = send(draft, rep, django_capture_on_commit_callbacks)
    delivery.refresh_from_db()
    rendered_at, digest = delivery.rendered_at, delivery.pdf_sha256

    assert quote_render_pdf_task.delay(delivery.pk).get() == "skipped"
    assert quote_email_task.delay(delivery.pk).get() == "skipped"
    assert quote_email_task.delay(delivery.pk).get() == "skipped"

    assert len(mail.outbox) == 1
    delivery.refresh_from_db()
    assert (delivery.rendered_at, delivery.pdf_sha256) == (rendered_at, digest)


def test_a_redelivered_render_task_after_a_crash_queues_the_email_once(
    draft, rep, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False):
        delivery = delivery_services.quote_send(quote=draft, by=rep)
    # The worker rendered, then died before queueing the email step.
    assert delivery_services.delivery_render(delivery_id=delivery.pk) == "rendered"
    assert mail.outbox == []
    # The broker redelivers the render task (acks_late): it must not render again.
    quote_render_pdf_task.delay(delivery.pk)
    quote_render_pdf_task.delay(delivery.pk)
    assert len(mail.outbox) == 1
    assert state_of(delivery).status == DeliveryStatus.SENT


def test_a_render_whose_row_update_was_lost_reuses_the_stored_file(
    draft, rep, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False):
        delivery = delivery_services.quote_send(quote=draft, by=rep)
    delivery_services.delivery_render(delivery_id=delivery.pk)
    first = QuoteDelivery.objects.get(pk=delivery.pk)
    # As if the process died between storing the file and recording it.
    QuoteDelivery.objects.filter(pk=delivery.pk).update(
        render_status=RenderStatus.QUEUED, pdf="", pdf_sha256=""
    )
    delivery_services.delivery_render(delivery_id=delivery.pk)
    second = QuoteDelivery.objects.get(pk=delivery.pk)
    assert second.pdf.name == first.pdf.name
    assert second.pdf_sha256 == first.pdf_sha256


def test_the_sent_pdf_never_changes_when_the_catalogue_or_customer_does(
    draft, rep, rep_client, django_capture_on_commit_callbacks
):
    delivery = send(draft, rep, django_capture_on_commit_callbacks)
    delivery.refresh_from_db()
    Product.objects.filter(code="MG9990").update(name="Renamed grade")
    draft.customer.name = "Someone Else AG"
    draft.customer.save()

    response = rep_client.get(f"/quotes/{draft.pk}/pdf/")
    assert response.status_code == 200
    data = b"".join(response.streaming_content)
    assert hashlib.sha256(data).hexdigest() == delivery.pdf_sha256
    assert "Someone Else" not in pdf_text(data)


def test_a_quote_needing_approval_is_not_sent(worked_example_data, rep, media_root):
    quote = quote_for(customer=german_buyer(owner=rep), discount="10")
    with pytest.raises(StateConflict):
        delivery_services.quote_send(quote=quote, by=rep)
    assert not QuoteDelivery.objects.exists()
    assert Quote.objects.get(pk=quote.pk).status == QuoteStatus.DRAFT


# ------------------------------------------------------------------ errors and retries


def test_a_transient_smtp_error_is_retried_then_sent(
    draft, rep, failing_mail, django_capture_on_commit_callbacks
):
    seen = []
    failing_mail.on_send = lambda: seen.append(
        state_of(QuoteDelivery.objects.get(quote=draft)).status
    )
    failing_mail.script = [smtplib.SMTPServerDisconnected("Connection unexpectedly closed")]
    with mock.patch("quotes.sending.services.backoff_seconds", return_value=7) as backoff:
        delivery = send(draft, rep, django_capture_on_commit_callbacks)

    assert backoff.call_args.args == (1,)
    assert seen == ["sending", "sending"]
    delivery.refresh_from_db()
    assert state_of(delivery).status == DeliveryStatus.SENT
    assert state_of(delivery).attempts == 2
    assert len(mail.outbox) == 1


def test_a_4xx_reply_marks_the_delivery_retrying_with_the_error(
    draft, rep, failing_mail, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False):
        delivery = delivery_services.quote_send(quote=draft, by=rep)
    delivery_services.delivery_render(delivery_id=delivery.pk)
    failing_mail.script = [
        smtplib.SMTPDataError(451, b"4.3.0 Mail server temporarily rejected message")
    ]
    with pytest.raises(delivery_services.TransientDeliveryError) as exc:
        delivery_services.delivery_email(delivery_id=delivery.pk)
    assert 30 <= exc.value.countdown <= 60
    delivery.refresh_from_db()
    assert state_of(delivery).status == DeliveryStatus.RETRYING
    assert "451" in state_of(delivery).last_error
    assert state_of(delivery).next_attempt_at is not None


def test_a_permanent_5xx_refusal_fails_without_retry_and_retry_sends_it(
    draft, rep, rep_client, failing_mail, django_capture_on_commit_callbacks
):
    failing_mail.script = [
        smtplib.SMTPRecipientsRefused({draft.contact.email: (550, b"5.1.1 No such user here")})
    ]
    delivery = send(draft, rep, django_capture_on_commit_callbacks)
    assert failing_mail.calls == 1
    delivery.refresh_from_db()
    assert state_of(delivery).status == DeliveryStatus.FAILED
    assert (
        "550" in state_of(delivery).last_error and "No such user" in state_of(delivery).last_error
    )
    assert mail.outbox == []

    page = rep_client.get(f"/quotes/{draft.pk}/delivery/")
    assert b'data-testid="delivery-retry"' in page.content
    assert b"No such user" in page.content
    assert b"every 2s" not in page.content  # final: no more polling

    with django_capture_on_commit_callbacks(execute=True):
        response = rep_client.post(f"/quotes/{draft.pk}/delivery/retry/")
    assert response.status_code == 302
    delivery.refresh_from_db()
    assert state_of(delivery).status == DeliveryStatus.SENT
    assert len(mail.outbox) == 1
    logs = list(QuoteEmail.objects.filter(quote=draft).values_list("status", flat=True))
    assert sorted(logs) == ["failed", "sent"]


def test_transient_errors_give_up_after_the_last_attempt(
    draft, rep, settings, failing_mail, django_capture_on_commit_callbacks
):
    settings.MGTRADE = {**settings.MGTRADE, "DELIVERY_MAX_ATTEMPTS": 3}
    failing_mail.script = [ConnectionRefusedError(111, "refused")] * 4
    delivery = send(draft, rep, django_capture_on_commit_callbacks)
    assert failing_mail.calls == 3
    delivery.refresh_from_db()
    assert state_of(delivery).status == DeliveryStatus.FAILED
    assert "gave up after 3 attempts" in state_of(delivery).last_error


def test_a_storage_error_while_rendering_is_retried(draft, rep, django_capture_on_commit_callbacks):
    real_store = delivery_services._store_pdf
    calls = []

    def flaky(*args):
        calls.append(1)
        if len(calls) == 1:
            raise OSError(28, "No space left on device")
        return real_store(*args)

    with mock.patch("quotes.sending.services._store_pdf", side_effect=flaky):
        delivery = send(draft, rep, django_capture_on_commit_callbacks)
    delivery.refresh_from_db()
    assert len(calls) == 2
    assert state_of(delivery).status == DeliveryStatus.SENT
    assert len(mail.outbox) == 1


def test_backoff_grows_exponentially_with_jitter_and_a_cap():
    for attempt, base in ((1, 30), (2, 60), (3, 120), (4, 240)):
        values = {delivery_services.backoff_seconds(attempt) for _ in range(50)}
        assert all(base <= v <= base + 30 for v in values)
        assert len(values) > 1  # jitter
    assert delivery_services.backoff_seconds(20) <= 30 * 60 + 30
