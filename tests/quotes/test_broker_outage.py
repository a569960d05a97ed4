"""A broker outage the user never sees (issue 19, defect 2).

The broker is really down here: Celery publishes to a closed port on 127.0.0.1 (kombu
raises ``OperationalError`` after its publish retries). The tests that go through a page
run with real commits (``transaction=True``), so the on-commit publish runs inside the
request, as in production. Before the fix each of these requests raised the broker's
error after the quote was saved (a 500), and ``load_demo`` crashed.
"""

import socket
from datetime import timedelta
from unittest import mock

import pytest
from celery import current_app
from django.contrib.messages import get_messages
from django.core import mail
from django.core.management import call_command
from django.utils import timezone
from kombu.exceptions import OperationalError

from quotes.models import Quote, QuoteDelivery, QuoteEmail, RenderStatus
from quotes.public.links import acceptance_token
from quotes.sending import enqueue
from quotes.sending import services as delivery_services
from tests.quotes.sending import sendable_draft


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def broker_down():
    """Point Celery at a port nobody listens on (not eager: really publish)."""
    conf = current_app.conf
    saved = conf.broker_url, conf.task_always_eager
    conf.broker_url = f"redis://127.0.0.1:{_closed_port()}/0"
    conf.task_always_eager = False
    current_app._after_fork()  # forget any connection pool to the old broker
    yield
    conf.broker_url, conf.task_always_eager = saved
    current_app._after_fork()


def broker_back():
    current_app.conf.task_always_eager = True


@pytest.mark.django_db(transaction=True)
def test_send_page_api_and_accept_answer_normally_then_the_relay_sends_everything_once(
    worked_example_data, rep, rep_client, rep_api, client, media_root, broker_down
):
    by_page = sendable_draft(rep)
    form = {"to": [by_page.contact.pk], "message": "Our quotation, as discussed."}
    response = rep_client.post(f"/quotes/{by_page.pk}/send/", form)
    assert response.status_code == 302
    (message,) = get_messages(response.wsgi_request)
    assert message.level_tag == "warning"
    assert "queued; it will go out when the sending service is back" in message.message
    by_page.refresh_from_db()
    assert by_page.status == "sent"
    delivery = QuoteDelivery.objects.get(quote=by_page)
    assert delivery.render_status == RenderStatus.QUEUED
    assert delivery.last_error == enqueue.OUTAGE_NOTE
    fragment = rep_client.get(f"/quotes/{by_page.pk}/delivery/")
    assert b'data-testid="delivery-waiting"' in fragment.content
    assert b"it will go out when the sending service is back" in fragment.content
    again = rep_client.post(f"/quotes/{by_page.pk}/send/", form)  # the rep retries: no new row
    assert again.status_code == 302
    assert QuoteDelivery.objects.filter(quote=by_page).count() == 1

    by_api = sendable_draft(rep, name="Bremer Gießerei GmbH")
    response = rep_api.post(f"/api/v1/quotes/{by_api.pk}/send/")
    assert response.status_code == 202
    assert response.json()["status"] == "queued"
    assert response.json()["last_error"] == enqueue.OUTAGE_NOTE

    accepted = client.post(
        f"/q/{acceptance_token(by_page)}/accept/", {"name": "Hans Müller", "confirm": "on"}
    )
    assert accepted.status_code == 302
    page = client.get(accepted["Location"])
    assert page.status_code == 200
    assert b"is accepted" in page.content
    assert (
        b"Our confirmation e-mail is queued; it will go out when the sending service is back."
        in page.content
    )
    by_page.refresh_from_db()
    assert by_page.status == "accepted"
    notices = QuoteEmail.objects.filter(quote=by_page, delivery__isnull=True)
    assert notices.exists()
    assert {e.status for e in notices} == {"queued"}
    assert {e.last_error for e in notices} == {enqueue.OUTAGE_NOTE}
    assert len(mail.outbox) == 0

    # Still down: the relay tries, stops at the first failure, and leaves every row queued.
    down = delivery_services.deliveries_relay(older_than=timedelta(0))
    assert down == {"renders": 0, "emails": 0, "unreachable": 1}

    broker_back()
    first = delivery_services.deliveries_relay(older_than=timedelta(0))
    assert first["renders"] >= 2
    # The relay publishes each render; its task queues the quote e-mail (eager: sent now).
    rows = QuoteEmail.objects.all()
    assert {e.status for e in rows} == {"sent"}
    assert {e.last_error for e in rows} == {""}
    assert len(mail.outbox) == rows.count()
    for quote in (by_page, by_api):
        assert QuoteDelivery.objects.get(quote=quote).is_rendered
    assert delivery_services.deliveries_relay(older_than=timedelta(0)) == {
        "renders": 0,
        "emails": 0,
        "unreachable": 0,
    }
    assert len(mail.outbox) == rows.count()  # none sent twice


@pytest.mark.django_db(transaction=True)
def test_load_demo_completes_with_the_broker_down(media_root, broker_down, capsys):
    call_command("load_demo")
    assert "it will go out when the sending service is back" in capsys.readouterr().out
    queued = QuoteDelivery.objects.filter(render_status=RenderStatus.QUEUED)
    assert queued.exists()
    assert {d.last_error for d in queued} == {enqueue.OUTAGE_NOTE}


@pytest.mark.django_db
def test_a_failed_publish_is_logged_and_reported(worked_example_data, rep, media_root, caplog):
    draft = sendable_draft(rep)
    down = OperationalError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")
    with (
        mock.patch("celery.app.task.Task.apply_async", side_effect=down),
        enqueue.watch() as watch,
    ):
        delivery = delivery_services.quote_send(quote=draft, by=rep)
        assert enqueue.render_pdf(delivery.pk) is False
    assert watch.failed == [
        (enqueue.RENDER_PDF, (delivery.pk, "en"))
    ]  # the language is an argument
    assert "the relay will queue it again" in caplog.text
    delivery.refresh_from_db()
    assert delivery.last_error == enqueue.OUTAGE_NOTE


@pytest.mark.django_db
def test_the_relay_is_prompt_for_never_started_rows_only(
    worked_example_data, rep, media_root, django_capture_on_commit_callbacks
):
    """Queued and never started: published again after a minute. Claimed by a worker
    (rendering, or an e-mail in flight): left to the stale sweep's ten minutes."""
    with (
        mock.patch.object(enqueue, "queue_task", return_value=False),
        django_capture_on_commit_callbacks(execute=True),
    ):
        waiting = delivery_services.quote_send(quote=sendable_draft(rep), by=rep)
        claimed = delivery_services.quote_send(
            quote=sendable_draft(rep, name="Bremer Gießerei GmbH"), by=rep
        )
    minute_ago = timezone.now() - timedelta(seconds=61)
    QuoteDelivery.objects.filter(pk=claimed.pk).update(
        render_status=RenderStatus.RENDERING, attempts=1, claimed_at=minute_ago
    )
    fresh = delivery_services.quote_send(
        quote=sendable_draft(rep, name="Kieler Druckguss GmbH"), by=rep
    )
    QuoteDelivery.objects.exclude(pk=fresh.pk).update(updated_at=minute_ago)

    with mock.patch.object(enqueue, "queue_task", return_value=True) as publish:
        counts = delivery_services.deliveries_relay()
        assert counts == {"renders": 1, "emails": 0, "unreachable": 0}
        publish.assert_called_once_with(enqueue.RENDER_PDF, waiting.pk, waiting.language)
        assert delivery_services.deliveries_recover_stale() == {
            "rendering": 0,
            "sending": 0,
            "requeued": 0,
            "notices": 0,
        }
    waiting.refresh_from_db()
    assert waiting.last_error == ""  # the outage note goes once the publish went through
    assert Quote.objects.filter(status="sent").count() == 3
