"""Sending for real: a Celery worker subprocess on the Redis broker, a real SMTP server
(aiosmtpd on localhost), the test's PostgreSQL database.

Needs ``REDIS_URL`` and a database another process can open (PostgreSQL via
``DATABASE_URL``); locally these skip without them, in CI (``MGTRADE_REQUIRE_SERVICES=1``)
they fail. Run them alone with::

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/mgtrade REDIS_URL=redis://127.0.0.1:6379/0 \\
        .venv/bin/pytest tests/quotes/test_send_integration.py -m integration
"""

import asyncio
import email
import hashlib
import os
import shlex
import signal
import socket
import subprocess
import sys
import threading
import time
from datetime import timedelta
from email import policy
from pathlib import Path
from unittest import mock
from urllib.parse import quote as urlquote
from urllib.parse import urlsplit

import environ
import pytest
from django.conf import settings
from django.db import connection
from django.test import Client

from mgtrade.celery import app as celery_app
from mgtrade.settings.base import document_storage
from quotes.models import DeliveryStatus, QuoteDelivery
from quotes.public.links import acceptance_token
from quotes.sending import services as delivery_services
from quotes.tasks import quote_email_task
from tests.conftest import REQUIRE_SERVICES, require_service
from tests.quotes.sending import assert_quote_pdf, sendable_draft, state_of

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]

ROOT = Path(__file__).resolve().parents[2]
WAIT_SECONDS = 90


def _skip_or_fail(message: str) -> None:
    if REQUIRE_SERVICES:
        pytest.fail(message)
    pytest.skip(message)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(predicate, *, timeout=WAIT_SECONDS, what="condition", interval=0.2):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(interval)
    pytest.fail(f"timed out after {timeout} s waiting for {what}")


# ------------------------------------------------------------------ services


@pytest.fixture
def redis_url():
    url = os.environ.get("REDIS_URL", "")
    if not url:
        _skip_or_fail("REDIS_URL is not set (the integration tests need the Redis broker)")
    parts = urlsplit(url)
    require_service("Redis", parts.hostname or "127.0.0.1", parts.port or 6379)
    return url


@pytest.fixture
def database_url():
    """The test database as a URL the worker subprocess can open."""
    conf = connection.settings_dict
    if connection.vendor != "postgresql":
        _skip_or_fail(
            "needs PostgreSQL (set DATABASE_URL=postgres://…): the worker subprocess cannot "
            "open pytest's in-memory SQLite database"
        )
    user = urlquote(conf.get("USER") or "", safe="")
    password = urlquote(conf.get("PASSWORD") or "", safe="")
    auth = f"{user}:{password}@" if password else (f"{user}@" if user else "")
    host = conf.get("HOST") or "127.0.0.1"
    port = conf.get("PORT") or "5432"
    return f"postgres://{auth}{host}:{port}/{conf['NAME']}"


class Recorder:
    """An aiosmtpd handler that keeps every message; optionally holds DATA until released."""

    def __init__(self, *, hold: bool = False):
        self.messages: list[tuple[list[str], email.message.EmailMessage]] = []
        self.hold = hold
        self.data_started = threading.Event()
        self.release = threading.Event()

    async def handle_DATA(self, server, session, envelope):
        message = email.message_from_bytes(envelope.content, policy=policy.default)
        # Recorded as soon as the server has it: the worst case for a killed sender.
        self.messages.append((list(envelope.rcpt_tos), message))
        self.data_started.set()
        while self.hold and not self.release.is_set():
            await asyncio.sleep(0.05)
        return "250 Message accepted for delivery"


def smtp_server(handler):
    from aiosmtpd.controller import Controller

    controller = Controller(handler, hostname="127.0.0.1", port=free_port())
    controller.start()
    return controller


@pytest.fixture
def broker_not_eager(redis_url):
    """The test process publishes to Redis like the web process does."""
    previous = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = False
    with celery_app.connection_for_write() as conn:
        for queue in settings.CELERY_TASK_QUEUES:
            conn.default_channel.queue_purge(queue)
    yield
    celery_app.conf.task_always_eager = previous


def deploy_worker_commands() -> list[list[str]]:
    """The worker command lines of docs/deploy.md ("Queues and worker command lines"), as
    argument lists: the test runs what the deployment runs."""
    text = (ROOT / "docs" / "deploy.md").read_text()
    block = text.split("<!-- worker-commands", 1)[1].split("```sh", 1)[1].split("```", 1)[0]
    commands = [
        shlex.split(line)
        for line in block.splitlines()
        if line.startswith("celery -A mgtrade worker")
    ]
    assert commands, "docs/deploy.md lists no worker command line"
    return commands


EMAIL_WORKER, RENDER_WORKER = deploy_worker_commands()


def test_the_deploy_command_lines_cover_every_routed_queue():
    served = {
        q for cmd in (EMAIL_WORKER, RENDER_WORKER) for q in cmd[cmd.index("-Q") + 1].split(",")
    }
    routed = {route["queue"] for route in settings.CELERY_TASK_ROUTES.values()}
    assert routed | {settings.CELERY_TASK_DEFAULT_QUEUE} <= served
    assert EMAIL_WORKER[EMAIL_WORKER.index("-Q") + 1] == "email"  # e-mails wait for no render


class Worker:
    def __init__(self, env: dict, log: Path, command: list[str]):
        self.log = log
        self.handle = log.open("wb")
        # The documented command line, run by this interpreter; the test adds a unique node
        # name and the solo pool (one process: a SIGKILL stops the send it interrupts).
        assert command[0] == "celery"
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                *command,
                "--pool=solo",
                "-l",
                "INFO",
                "--without-heartbeat",
                "--without-gossip",
                "--without-mingle",
                "-n",
                f"it-{os.getpid()}-{time.monotonic_ns()}@%h",
            ],
            cwd=ROOT,
            env=env,
            stdout=self.handle,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    def output(self) -> str:
        return self.log.read_text(errors="replace")

    def kill(self) -> None:
        if self.process.poll() is None:
            os.kill(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=10)

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.kill()
        self.handle.close()


@pytest.fixture
def worker_env(database_url, redis_url, broker_not_eager, settings, media_root):
    def env_for(smtp_port: int) -> dict:
        return {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "mgtrade.settings.local",
            "DEBUG": "false",
            "DATABASE_URL": database_url,
            "REDIS_URL": redis_url,
            "EMAIL_URL": f"smtp://127.0.0.1:{smtp_port}",
            "CELERY_TASK_ALWAYS_EAGER": "false",
            "MEDIA_ROOT": settings.MEDIA_ROOT,
            "SECRET_KEY": settings.SECRET_KEY,
            "LOG_LEVEL": "INFO",
        }

    return env_for


@pytest.fixture
def workers(tmp_path):
    started: list[Worker] = []

    def start(env: dict, command: list[str]) -> Worker:
        worker = Worker(env, tmp_path / f"worker-{len(started)}.log", command)
        started.append(worker)
        return worker

    yield start
    for worker in started:
        worker.stop()


def delivery_status(pk: int) -> str:
    return state_of(QuoteDelivery.objects.get(pk=pk)).status


# ------------------------------------------------------------------ tests


def test_a_real_worker_renders_and_emails_the_quote_through_smtp(
    worked_example_data, rep, worker_env, workers
):
    handler = Recorder()
    controller = smtp_server(handler)
    try:
        env = worker_env(controller.port)
        renderer, mailer = workers(env, RENDER_WORKER), workers(env, EMAIL_WORKER)
        quote = sendable_draft(rep)
        contact_email = quote.contact.email
        delivery = delivery_services.quote_send(quote=quote, by=rep)

        final = wait_for(
            lambda: (
                delivery_status(delivery.pk) in ("sent", "failed") and delivery_status(delivery.pk)
            ),
            what=f"delivery {delivery.pk} to be sent; worker output:\n"
            f"{renderer.output()[-2000:]}\n{mailer.output()[-2000:]}",
        )
    finally:
        controller.stop()
    delivery.refresh_from_db()
    assert final == "sent", (state_of(delivery).last_error, mailer.output()[-3000:])
    assert "quote_render_pdf_task[" in renderer.output()  # each queue to its own worker
    assert "quote_email_task[" in mailer.output()
    assert "quote_email_task[" not in renderer.output()

    assert len(handler.messages) == 1
    rcpt_tos, message = handler.messages[0]
    assert sorted(rcpt_tos) == sorted([contact_email, rep.email])
    assert message["To"] == contact_email
    assert message["Cc"] == rep.email
    assert (
        message["Subject"]
        == f"Quotation {quote.number} (version 1), CIF Hamburg, from {settings.MGTRADE['COMPANY_NAME']}"
    )
    assert message["Message-ID"] == state_of(delivery).message_id
    (attachment,) = list(message.iter_attachments())
    assert attachment.get_filename() == f"{quote.number}-v1.pdf"
    assert attachment.get_content_type() == "application/pdf"
    data = attachment.get_payload(decode=True)
    assert_quote_pdf(data, quote)
    import hashlib

    assert hashlib.sha256(data).hexdigest() == delivery.pdf_sha256
    assert "/q/" in message.get_body(("plain",)).get_content()


def test_a_worker_killed_mid_send_never_sends_twice_and_the_delivery_needs_a_decision(
    worked_example_data, rep, worker_env, workers
):
    handler = Recorder(hold=True)
    controller = smtp_server(handler)
    try:
        env = worker_env(controller.port)
        workers(env, RENDER_WORKER)
        first = workers(env, EMAIL_WORKER)
        quote = sendable_draft(rep)
        delivery = delivery_services.quote_send(quote=quote, by=rep)

        if not handler.data_started.wait(WAIT_SECONDS):
            pytest.fail(f"the worker never reached SMTP DATA:\n{first.output()[-3000:]}")
        assert delivery_status(delivery.pk) == DeliveryStatus.SENDING
        first.kill()  # SIGKILL while the SMTP server holds the DATA reply
        handler.release.set()
        assert delivery_status(delivery.pk) == DeliveryStatus.SENDING

        # Beat's recovery, after the stale-claim timeout (here: now).
        counts = delivery_services.deliveries_recover_stale(older_than=timedelta(0))
        assert counts["sending"] == 1
        assert delivery_status(delivery.pk) == DeliveryStatus.NEEDS_DECISION

        # The broker redelivers the unacknowledged task to a new worker (simulated by
        # publishing it again: Redis would do so after its visibility timeout).
        second = workers(env, EMAIL_WORKER)
        quote_email_task.delay(delivery.pk)
        wait_for(
            lambda: "succeeded" in second.output() and "'skipped'" in second.output(),
            what=f"the redelivered task to run:\n{second.output()[-3000:]}",
        )
        time.sleep(1)
    finally:
        handler.release.set()
        controller.stop()

    assert len(handler.messages) == 1  # the one that may have gone out; never a second
    delivery.refresh_from_db()
    assert state_of(delivery).status == DeliveryStatus.NEEDS_DECISION
    assert "may or may not" in state_of(delivery).last_error


# ------------------------------------------------------------------ object storage

# .ci/run starts moto's standalone S3 server here (moto[server]); set this to use another.
S3_ENDPOINT = os.environ.get("MGTRADE_TEST_S3_ENDPOINT", "http://127.0.0.1:5055")


@pytest.fixture
def s3_bucket(settings, tmp_path):
    """A fresh bucket on the S3 server, and this (web) process storing documents in it with
    a MEDIA_ROOT of its own, from the same variables a deployment sets."""
    import boto3

    parts = urlsplit(S3_ENDPOINT)
    require_service("The S3 server (moto)", parts.hostname or "127.0.0.1", parts.port or 80)
    bucket = f"mgtrade-it-{os.getpid()}-{time.monotonic_ns()}"
    variables = {
        "MGTRADE_S3_BUCKET": bucket,
        "MGTRADE_S3_ENDPOINT_URL": S3_ENDPOINT,
        "MGTRADE_S3_ACCESS_KEY_ID": "mgtrade-test",
        "MGTRADE_S3_SECRET_ACCESS_KEY": "mgtrade-test-secret",
        "MGTRADE_S3_REGION": "us-east-1",
    }
    client = boto3.client(
        "s3",
        endpoint_url=S3_ENDPOINT,
        aws_access_key_id="mgtrade-test",
        aws_secret_access_key="mgtrade-test-secret",
        region_name="us-east-1",
    )
    client.create_bucket(Bucket=bucket)
    with mock.patch.dict(os.environ, variables):
        storage = document_storage(environ.Env())
    assert storage["BACKEND"] == "storages.backends.s3.S3Storage"
    settings.STORAGES = {**settings.STORAGES, "default": storage}
    settings.MEDIA_ROOT = str(tmp_path / "web-media")
    return bucket, variables, client


def test_a_pdf_rendered_by_a_worker_is_served_by_another_host_from_object_storage(
    worked_example_data, rep, rep_client, other_rep, worker_env, workers, s3_bucket, tmp_path
):
    bucket, variables, client = s3_bucket
    handler = Recorder()
    controller = smtp_server(handler)
    worker_media = tmp_path / "worker-media"
    try:
        env = {**worker_env(controller.port), **variables, "MEDIA_ROOT": str(worker_media)}
        renderer, mailer = workers(env, RENDER_WORKER), workers(env, EMAIL_WORKER)
        quote = sendable_draft(rep)
        delivery = delivery_services.quote_send(quote=quote, by=rep)
        final = wait_for(
            lambda: (
                delivery_status(delivery.pk) in ("sent", "failed") and delivery_status(delivery.pk)
            ),
            what=f"delivery {delivery.pk} to be sent:\n{renderer.output()[-2000:]}\n"
            f"{mailer.output()[-2000:]}",
        )
    finally:
        controller.stop()
    delivery.refresh_from_db()
    assert final == "sent", (state_of(delivery).last_error, renderer.output()[-3000:])

    # The worker stored the PDF in the bucket, on no host's disk.
    keys = [item["Key"] for item in client.list_objects_v2(Bucket=bucket)["Contents"]]
    assert keys == [delivery.pdf.name]
    assert not worker_media.exists() or not any(worker_media.rglob("*"))
    stored = client.get_object(Bucket=bucket, Key=delivery.pdf.name)["Body"].read()
    assert hashlib.sha256(stored).hexdigest() == delivery.pdf_sha256

    # This process (another MEDIA_ROOT, nothing on its disk) serves it through the app's
    # views, with their visibility rules: the rep's page, the buyer's link; not another rep.
    response = rep_client.get(f"/quotes/{quote.pk}/pdf/")
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == stored
    buyer = Client().get(f"/q/{acceptance_token(quote)}/pdf/")
    assert buyer.status_code == 200
    assert b"".join(buyer.streaming_content) == stored
    stranger = Client()
    stranger.force_login(other_rep)
    assert stranger.get(f"/quotes/{quote.pk}/pdf/").status_code == 404
    assert not (tmp_path / "web-media").exists()
    # The e-mail carried the same bytes.
    ((_, message),) = handler.messages
    (attachment,) = list(message.iter_attachments())
    assert attachment.get_content() == stored


def test_the_company_stamp_is_stored_in_and_printed_from_object_storage(
    worked_example_data, rep, s3_bucket, tmp_path
):
    """The admin's stamp upload goes to the bucket (no disk), and a quotation built by this
    process reads it back through the storage API into its frozen document."""
    import base64
    import io

    from PIL import Image

    from quotes.documents.context import quote_pdf_context
    from quotes.documents.seller import company_profile_update
    from tests.quotes.factories import german_buyer, quote_for

    bucket, _variables, client = s3_bucket
    out = io.BytesIO()
    Image.new("RGB", (80, 80), (200, 16, 30)).save(out, "PNG")
    png = out.getvalue()
    profile = company_profile_update(by=None, stamp=png, stamp_name="chop.png")

    keys = [item["Key"] for item in client.list_objects_v2(Bucket=bucket)["Contents"]]
    assert keys == [profile.stamp.name]
    context = quote_pdf_context(quote_for(customer=german_buyer(owner=rep)))
    uri = context["company"]["stamp_data_uri"]
    assert uri.startswith("data:image/png;base64,")
    assert base64.b64decode(uri.split(",", 1)[1]) == png
    assert not (tmp_path / "web-media").exists()
