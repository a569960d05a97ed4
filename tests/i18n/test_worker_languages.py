"""Two sends in two languages processed by ONE real Celery worker whose default language is a
third: each PDF and e-mail in its own language (the language is a task argument, and every
render and e-mail runs inside ``translation.override``).

Needs PostgreSQL and Redis like tests/quotes/test_send_integration.py::

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/mgtrade_x REDIS_URL=redis://127.0.0.1:6379/3 \\
        .venv/bin/pytest tests/i18n/test_worker_languages.py -m integration
"""

import pytest

from quotes.models import QuoteDelivery
from quotes.sending import services as delivery_services
from tests.quotes.sending import pdf_text, sendable_draft, state_of
from tests.quotes.test_send_integration import Recorder, smtp_server, wait_for

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]

# One worker reading every queue (as `make run`'s), its Django default language Korean.
ONE_WORKER = ["celery", "-A", "mgtrade", "worker", "-Q", "render,email,celery"]


def test_one_worker_renders_and_emails_each_send_in_its_own_language(
    worked_example_data, rep, worker_env, workers
):
    handler = Recorder()
    controller = smtp_server(handler)
    try:
        env = {
            **worker_env(controller.port),
            "DJANGO_SETTINGS_MODULE": "tests.i18n.worker_ko_settings",
        }
        worker = workers(env, ONE_WORKER)
        german = sendable_draft(rep, name="Elbtal Aerostruktur AG")
        turkish = sendable_draft(rep, name="Anadolu Döküm A.Ş.")
        one = delivery_services.quote_send(quote=german, by=rep, language="de")
        two = delivery_services.quote_send(quote=turkish, by=rep, language="tr")
        wait_for(
            lambda: all(
                state_of(QuoteDelivery.objects.get(pk=d.pk)).status in ("sent", "failed")
                for d in (one, two)
            ),
            what=f"both deliveries to be sent; worker output:\n{worker.output()[-3000:]}",
        )
    finally:
        controller.stop()
    assert "tests.i18n.worker_ko_settings" in env["DJANGO_SETTINGS_MODULE"]
    assert len(handler.messages) == 2
    by_to = {rcpt[0] if rcpt[0] != rep.email else rcpt[1]: msg for rcpt, msg in handler.messages}
    for quote, delivery, word, heading, regards in (
        (german, one, "Angebot", "Käufer", "Mit freundlichen Grüßen"),
        (turkish, two, "Teklif", "Alıcı", "Saygılarımızla"),
    ):
        message = by_to[quote.contact.email]
        assert str(message["Subject"]).strip().startswith(word), message["Subject"]
        body = message.get_body(("plain",)).get_content()
        assert regards in body and "감사합니다" not in body
        (attachment,) = list(message.iter_attachments())
        text = " ".join(pdf_text(attachment.get_payload(decode=True)).split())
        assert heading in text and "견적서" not in text and "구매자" not in text
        delivery.refresh_from_db()
        assert state_of(delivery).status == "sent"
    assert "worker default language: ko" in worker.output()
    assert "quote_render_pdf_task[" in worker.output() and "quote_email_task[" in worker.output()
