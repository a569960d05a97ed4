"""A burst of sends through real workers on Redis to a real SMTP receiver: how long the
first e-mail and the median e-mail wait, PDFs per minute, none lost or doubled.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/mgtrade REDIS_URL=redis://127.0.0.1:6379/9 \\
        .venv/bin/python bench/send_burst.py [--sends 60] [--layout split|single]

Builds a throw-away PostgreSQL database next to DATABASE_URL's (``<name>_burst``: migrate,
load_demo, then ``--sends`` approved demo quotes), empties the Redis queues, starts an
aiosmtpd receiver on 127.0.0.1 and the workers, then sends every quote at once from 8
threads (``quote_send``: the render task is published on commit). Each e-mail's latency is
from its quote's Send to its arrival at the receiver.

``--layout split`` (default) starts the two worker command lines of docs/deploy.md exactly
("Queues and worker command lines": an e-mail worker on ``email``, a render worker on
``render,celery``, ``--concurrency 2`` each); ``single`` one worker on every queue with
``--concurrency 2``, the shape before the e-mail queue existed. Goal (issue 19): the first
e-mail of a 60-send burst under 1.5 s, none lost or doubled. Uses Redis db from REDIS_URL:
pick one nothing else uses (the queues are purged).
"""

import argparse
import asyncio
import os
import shlex
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from email import message_from_bytes, policy
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


class Receiver:
    """aiosmtpd handler: the arrival time of every message, by Message-ID."""

    def __init__(self) -> None:
        self.arrivals: list[tuple[float, str]] = []

    async def handle_DATA(self, server, session, envelope):
        message = message_from_bytes(envelope.content, policy=policy.default)
        self.arrivals.append((time.monotonic(), str(message["Message-ID"])))
        await asyncio.sleep(0)
        return "250 Message accepted for delivery"


def worker_commands(layout: str) -> list[list[str]]:
    if layout == "single":
        return [shlex.split("celery -A mgtrade worker -Q email,render,celery --concurrency 2")]
    text = (ROOT / "docs" / "deploy.md").read_text()
    block = text.split("<!-- worker-commands", 1)[1].split("```sh", 1)[1].split("```", 1)[0]
    return [
        shlex.split(line)
        for line in block.splitlines()
        if line.startswith("celery -A mgtrade worker")
    ]


def psql_args(url: str) -> list[str]:
    parts = urlsplit(url)
    return [
        "-h",
        parts.hostname or "127.0.0.1",
        "-p",
        str(parts.port or 5432),
        "-U",
        parts.username or "postgres",
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sends", type=int, default=60)
    parser.add_argument("--layout", choices=("split", "single"), default="split")
    parser.add_argument("--timeout", type=float, default=600)
    args = parser.parse_args()

    base = os.environ.get("DATABASE_URL", "")
    redis_url = os.environ.get("REDIS_URL", "")
    if not base.startswith("postgres") or not redis_url:
        sys.exit("Set DATABASE_URL=postgres://… and REDIS_URL=redis://… (workers share both).")
    parts = urlsplit(base)
    name = parts.path.lstrip("/") + "_burst"
    url = urlunsplit(parts._replace(path="/" + name))
    subprocess.run(["dropdb", "--if-exists", *psql_args(base), name], check=True)
    subprocess.run(["createdb", *psql_args(base), name], check=True)

    from aiosmtpd.controller import Controller

    receiver = Receiver()
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        smtp_port = probe.getsockname()[1]
    smtp = Controller(receiver, hostname="127.0.0.1", port=smtp_port)
    smtp.start()

    tmp = Path(tempfile.mkdtemp(prefix="mgtrade-bench-burst-"))
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "mgtrade.settings.local",
        "DATABASE_URL": url,
        "REDIS_URL": redis_url,
        "EMAIL_URL": f"smtp://127.0.0.1:{smtp_port}",
        "MEDIA_ROOT": str(tmp / "media"),
        "MGTRADE_VAR_DIR": str(tmp / "var"),
        "LOG_LEVEL": "WARNING",
        "DEBUG": "false",
    }
    os.environ.update(env)
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from mgtrade.accounts.models import User
    from mgtrade.celery import app
    from quotes import services
    from quotes.models import Quote, QuoteDelivery, QuoteEmail
    from quotes.sending import services as sending

    call_command("migrate", verbosity=0)
    call_command("load_demo", verbosity=0)
    rep = User.objects.get(username="rep")
    manager = User.objects.get(username="manager")
    template = Quote.objects.filter(owner=rep, status="sent").select_related("customer").first()
    quotes = []
    for _ in range(args.sends):
        quote = services.quote_create(
            customer=template.customer, by=rep, terms=services.QuoteTerms.from_quote(template)
        )
        if quote.needs_approval:
            quote = services.quote_submit_for_approval(quote=quote, by=rep)
            quote = services.quote_approve(quote=quote, by=manager)
        quotes.append(quote.pk)
    with app.connection_for_write() as conn:  # load_demo's own sends: not part of the burst
        for queue in ("email", "render", "celery"):
            conn.default_channel.queue_purge(queue)
    # Nor may a worker's start-up relay pick them up.
    QuoteEmail.objects.exclude(status="sent").update(status="failed", last_error="bench")
    QuoteDelivery.objects.exclude(render_status="rendered").update(render_status="failed")

    workers = []
    for i, command in enumerate(worker_commands(args.layout)):
        log = (tmp / f"worker-{i}.log").open("wb")
        workers.append(
            subprocess.Popen(
                [sys.executable, "-m", *command, "-l", "INFO", "-n", f"burst{i}-{os.getpid()}@%h"],
                cwd=ROOT,
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        )
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        logs = [(tmp / f"worker-{i}.log").read_text(errors="replace") for i in range(len(workers))]
        if all(" ready." in text for text in logs):
            break
        time.sleep(0.5)
    else:
        sys.exit(f"workers not ready; logs under {tmp}")
    time.sleep(2)  # children forked and idle

    sent_at: dict[int, float] = {}

    def send(pk: int) -> None:
        quote = Quote.objects.get(pk=pk)
        delivery = sending.quote_send(quote=quote, by=rep)
        sent_at[delivery.pk] = time.monotonic()
        connection.close()

    start = time.monotonic()
    with ThreadPoolExecutor(max_workers=8) as pool:
        list(pool.map(send, quotes))
    burst_seconds = time.monotonic() - start
    deadline = time.monotonic() + args.timeout
    while time.monotonic() < deadline and len(receiver.arrivals) < args.sends:
        time.sleep(0.2)
    time.sleep(3)  # a late duplicate would arrive now

    for worker in workers:
        os.killpg(worker.pid, signal.SIGTERM)
    for worker in workers:
        worker.wait(timeout=30)
    smtp.stop()

    emails = {
        e.message_id: e.delivery_id
        for e in QuoteEmail.objects.filter(delivery_id__in=sent_at, status="sent")
    }
    arrived: dict[int, list[float]] = {}
    for when, message_id in receiver.arrivals:
        if message_id in emails:
            arrived.setdefault(emails[message_id], []).append(when)
    latencies = sorted(times[0] - sent_at[pk] for pk, times in arrived.items())
    lost = len(sent_at) - len(arrived)
    doubled = sum(1 for times in arrived.values() if len(times) > 1)
    rendered = list(
        QuoteDelivery.objects.filter(pk__in=sent_at, render_status="rendered").values_list(
            "rendered_at", flat=True
        )
    )
    print(f"layout {args.layout}: {[' '.join(c) for c in worker_commands(args.layout)]}")
    print(f"{args.sends} sends issued in {burst_seconds:.2f} s from 8 threads")
    if latencies:
        first = min(min(t) for t in arrived.values()) - start
        print(
            f"first e-mail at the SMTP server {first:.2f} s after the burst began; "
            f"latency per e-mail p50 {statistics.median(latencies):.2f} s, "
            f"p90 {latencies[int(len(latencies) * 0.9) - 1]:.2f} s, max {latencies[-1]:.2f} s"
        )
    if len(rendered) > 1:
        span = (max(rendered) - min(rendered)).total_seconds()
        print(f"PDFs rendered: {len(rendered)}, {len(rendered) / span * 60:.0f} PDFs/min")
    print(f"lost: {lost}, doubled: {doubled}")
    connection.close()
    subprocess.run(["dropdb", "--if-exists", *psql_args(base), name], check=False)


if __name__ == "__main__":
    main()
