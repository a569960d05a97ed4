"""The Monday digest: one PDF with SVG charts per manager (everyone's figures) and per rep
(their own), one e-mail each, never twice for a week, and none for who opted out."""

import smtplib
from datetime import date

import pytest
from django.core import mail

from reports import services
from reports.models import WeeklyDigest
from reports.tasks import weekly_digest_send_task, weekly_digests_task
from tests.accounts.factories import UserFactory
from tests.reports.conftest import TODAY

pytestmark = pytest.mark.django_db
MONDAY = date(2026, 6, 15)


@pytest.fixture
def eager(settings):
    settings.CELERY_TASK_ALWAYS_EAGER = True
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    from mgtrade.celery import app

    saved = app.conf.task_always_eager
    app.conf.task_always_eager = True
    yield
    app.conf.task_always_eager = saved  # restore, never force: later tests rely on eager


@pytest.fixture
def recipients(dataset, manager):
    manager.email = "manager@mgtrade.example"
    manager.save()
    dataset.rep.email = "rep@mgtrade.example"
    dataset.rep.save()
    dataset.other_rep.email = ""  # no address: nothing to send
    dataset.other_rep.save()
    return manager, dataset.rep


def test_digest_context_has_svg_charts_and_the_users_own_figures(recipients):
    manager, rep = recipients
    context = services.digest_context(user=rep, week=MONDAY)
    tables = {t["title"]: t for s in context["sections"] for t in s["tables"]}
    assert tables["Open quotes by state"]["svg"].startswith("<svg")
    assert tables["Open quotes by state"]["svg_url"].startswith("data:image/svg+xml;base64,")
    assert all("other_rep" not in str(row) for t in tables.values() for row in t["rows"])
    manager_tables = {
        t["title"]: t
        for s in services.digest_context(user=manager, week=MONDAY)["sections"]
        for t in s["tables"]
    }
    states = {row[0] for row in manager_tables["Open quotes by state"]["rows"]}
    assert states == {"Draft", "Sent"}  # other_rep's draft Q7 too
    assert {row[0] for row in tables["Open quotes by state"]["rows"]} == {"Sent"}


def test_monday_task_sends_one_pdf_per_user_and_is_idempotent(recipients, eager, time_machine):
    time_machine.move_to("2026-06-15 06:00:00+08:00")
    manager, _rep = recipients
    assert weekly_digests_task() == 2
    assert sorted(m.to[0] for m in mail.outbox) == [
        "manager@mgtrade.example",
        "rep@mgtrade.example",
    ]
    message = next(m for m in mail.outbox if m.to == ["manager@mgtrade.example"])
    name, pdf, mimetype = message.attachments[0]
    assert (name, mimetype) == ("digest-2026-06-15.pdf", "application/pdf")
    assert pdf.startswith(b"%PDF")
    assert message.subject == "Weekly digest, week of 2026-06-15"
    digest = WeeklyDigest.objects.get(user=manager)
    assert digest.status == WeeklyDigest.Status.SENT and digest.pdf_size == len(pdf)
    # beat (or a redelivery) runs again: nobody gets a second e-mail
    assert weekly_digests_task() == 0
    assert weekly_digest_send_task(digest.pk) == "skipped"
    assert len(mail.outbox) == 2


def test_pdf_embeds_the_charts_as_svg(recipients, monkeypatch):
    manager, _ = recipients
    seen = {}
    from quotes.documents import pdf as pdf_module

    real = pdf_module.render_pdf

    def spy(html, **kwargs):
        seen["html"] = html
        return real(html, **kwargs)

    monkeypatch.setattr(pdf_module, "render_pdf", spy)
    (digest_id,) = [
        d
        for d in services.digests_queue(week=MONDAY)
        if WeeklyDigest.objects.get(pk=d).user == manager
    ]
    assert services.digest_send(digest_id=digest_id) == "sent"
    assert seen["html"].count('src="data:image/svg+xml;base64,') >= 4


def test_opted_out_user_gets_no_digest(recipients, eager, client):
    _manager, rep = recipients
    client.force_login(rep)
    response = client.post("/reports/digest/", {})  # the box unticked
    assert response.status_code == 302
    services.digests_queue(week=MONDAY)
    assert not WeeklyDigest.objects.filter(user=rep).exists()
    client.post("/reports/digest/", {"weekly_digest": "on"})
    services.digests_queue(week=MONDAY)
    assert WeeklyDigest.objects.filter(user=rep).exists()


def test_mail_server_refusal_is_retried_then_sent_once(recipients, monkeypatch):
    manager, _ = recipients
    ids = services.digests_queue(week=MONDAY)
    digest = WeeklyDigest.objects.get(user=manager, pk__in=ids)
    calls = {"n": 0}
    from django.core.mail import EmailMessage

    real_send = EmailMessage.send

    def flaky(self, *args, **kwargs):
        calls["n"] += 1
        if calls["n"] == 1:
            raise smtplib.SMTPConnectError(421, "busy")
        return real_send(self, *args, **kwargs)

    monkeypatch.setattr(EmailMessage, "send", flaky)
    with pytest.raises(services.TransientDigestError):
        services.digest_send(digest_id=digest.pk)
    digest.refresh_from_db()
    assert (digest.status, digest.attempts) == (WeeklyDigest.Status.QUEUED, 1)
    assert services.digest_send(digest_id=digest.pk) == "sent"
    assert services.digest_send(digest_id=digest.pk) == "skipped"
    assert len(mail.outbox) == 1


def test_users_without_a_role_get_nothing(recipients):
    UserFactory(username="nobody", email="nobody@example.com").groups.clear()
    services.digests_queue(week=TODAY)
    assert not WeeklyDigest.objects.filter(user__username="nobody").exists()
