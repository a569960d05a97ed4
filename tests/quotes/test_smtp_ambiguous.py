"""An SMTP failure after the message was transmitted is ambiguous: the server may have
stored it. Such an e-mail (the quote or a notice) goes to "needs decision" and is never
sent again by itself; a failure before the transmission is still retried.

A real SMTP server (aiosmtpd on 127.0.0.1) stores each message, then delays its reply to
DATA beyond the client's timeout, as a slow mail server does.
"""

import asyncio
import socket
from datetime import timedelta

import pytest
from django.core import mail

from quotes.models import EmailStatus, Notification, QuoteEmail
from quotes.public import services as public_services
from quotes.sending import services as delivery_services
from quotes.tasks import quote_email_task
from tests.quotes.sending import sendable_draft, state_of

pytestmark = pytest.mark.django_db
CLIENT_TIMEOUT = 1  # seconds; the server answers after 3


def free_port() -> int:
    for port in range(8200, 8300):
        with socket.socket() as probe:
            try:
                probe.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    pytest.skip("no free port in 8200-8299")


class MailServer:
    """Keeps every message it receives; answers DATA (or RCPT) after a delay."""

    def __init__(self, *, data_delay: float = 0, rcpt_delay: float = 0):
        self.data_delay, self.rcpt_delay = data_delay, rcpt_delay
        self.messages: list[bytes] = []

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        await asyncio.sleep(self.rcpt_delay)
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        self.messages.append(envelope.content)  # stored before the reply
        await asyncio.sleep(self.data_delay)
        return "250 Message accepted for delivery"


@pytest.fixture
def smtp(settings, monkeypatch):
    """Start a server with ``smtp(handler)``; e-mail goes to it through Django's SMTP
    backend with a 1-second client timeout."""
    from aiosmtpd.controller import Controller

    started = []

    def start(handler: MailServer) -> MailServer:
        controller = Controller(handler, hostname="127.0.0.1", port=free_port())
        controller.start()
        started.append(controller)
        settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
        settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", controller.port
        settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
        settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
        return handler

    monkeypatch.setattr(delivery_services, "SMTP_TIMEOUT_SECONDS", CLIENT_TIMEOUT)
    yield start
    for controller in started:
        controller.stop()


@pytest.fixture
def draft(worked_example_data, rep, media_root):
    return sendable_draft(rep)


def test_a_quote_whose_data_reply_times_out_needs_a_decision_and_is_never_resent(
    draft, rep, smtp, django_capture_on_commit_callbacks
):
    server = smtp(MailServer(data_delay=3))
    with django_capture_on_commit_callbacks(execute=True):
        delivery = delivery_services.quote_send(quote=draft, by=rep)

    state = state_of(delivery)
    assert state.status == "needs_decision"
    assert "Unknown whether it was delivered" in state.last_error
    assert len(server.messages) == 1  # the buyer has it; the app does not know
    assert Notification.objects.filter(user=rep, text__contains="needs your decision").exists()

    # Neither the sweep nor a redelivered task sends it again.
    delivery_services.deliveries_recover_stale(older_than=timedelta(0))
    assert quote_email_task.delay(delivery.pk).get() == "skipped"
    assert len(server.messages) == 1
    assert state_of(delivery).status == "needs_decision"


def test_a_notice_whose_data_reply_times_out_needs_a_decision(
    draft, rep, settings, smtp, django_capture_on_commit_callbacks
):
    rep.email = "rep@mgtrade.example"
    rep.save()
    with django_capture_on_commit_callbacks(execute=True):  # sent through locmem
        delivery_services.quote_send(quote=draft, by=rep)
    draft.refresh_from_db()
    assert len(mail.outbox) == 1

    server = smtp(MailServer(data_delay=3))
    with django_capture_on_commit_callbacks(execute=True):
        public_services.public_quote_accept(
            quote=draft, buyer_name="Hans Weber", ip=None, user_agent="UA"
        )
    notice = QuoteEmail.objects.get(quote=draft, kind="accepted")
    assert notice.status == EmailStatus.NEEDS_DECISION
    assert "Unknown whether it was delivered" in notice.last_error

    def to_rep():  # the buyer's confirmation of the acceptance goes to the same server
        return [m for m in server.messages if b"\nTo: rep@mgtrade.example" in m]

    assert len(to_rep()) == 1
    delivery_services.deliveries_recover_stale(older_than=timedelta(0))
    assert delivery_services.email_send(email_id=notice.pk) == "skipped"
    assert len(to_rep()) == 1


def test_a_timeout_before_the_message_was_transmitted_is_retried(
    draft, rep, smtp, django_capture_on_commit_callbacks
):
    server = smtp(MailServer(rcpt_delay=3))
    with django_capture_on_commit_callbacks(execute=False):
        delivery = delivery_services.quote_send(quote=draft, by=rep)
    delivery_services.delivery_render(delivery_id=delivery.pk)
    with pytest.raises(delivery_services.TransientDeliveryError):
        delivery_services.delivery_email(delivery_id=delivery.pk)
    assert state_of(delivery).status == "retrying"
    assert server.messages == []


def test_a_prompt_server_gets_the_quote_once(draft, rep, smtp, django_capture_on_commit_callbacks):
    server = smtp(MailServer())
    with django_capture_on_commit_callbacks(execute=True):
        delivery = delivery_services.quote_send(quote=draft, by=rep)
    assert state_of(delivery).status == "sent"
    assert len(server.messages) == 1
    assert state_of(delivery).message_id.encode() in server.messages[0]
