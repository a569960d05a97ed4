"""``make run``'s send path end to end: Send → email written, through a real Celery worker on
the filesystem broker, at several polling intervals; and what the idle worker costs.

    .venv/bin/python bench/embedded_send.py [--sends 20] [--intervals 1.0,0.1] [--idle 20]

Builds a throw-away SQLite database and var/ folder under a temporary directory (migrate +
load_demo), then for each interval starts a worker (``--concurrency 2``, as the Procfile)
with that ``polling_interval`` and sends ``--sends`` copies of a demo quote one after the
other through ``quote_send`` (the PDF task queued on commit, then the email task), timing
each from the call to its delivery row turning ``sent`` (the message is in the outbox).
Pauses of 0.2-0.6 s between sends put them at random points of the polling cycle. Then the
worker sits idle for ``--idle`` seconds and its CPU time (main process and children) is
read from /proc.
"""

import argparse
import os
import random
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

WORKER = """
import sys
from mgtrade.celery import app
options = dict(app.conf.broker_transport_options, polling_interval=float(sys.argv[1]))
app.conf.broker_transport_options = options
app.worker_main(["worker", "--concurrency=2", "--loglevel=WARNING"])
"""


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of ``pid`` and its children, in seconds."""
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0.0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        this, parent = int(stat.parent.name), int(fields[1])
        if pid in (this, parent):
            total += (int(fields[11]) + int(fields[12])) / ticks
    return total


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sends", type=int, default=20)
    parser.add_argument("--intervals", default="1.0,0.1")
    parser.add_argument("--idle", type=float, default=20.0)
    args = parser.parse_args()

    tmp = Path(tempfile.mkdtemp(prefix="mgtrade-bench-embedded-"))
    os.environ.update(
        DJANGO_SETTINGS_MODULE="mgtrade.settings.local",
        DATABASE_URL=f"sqlite:///{tmp / 'bench.sqlite3'}",
        MGTRADE_VAR_DIR=str(tmp / "var"),
        EMAIL_URL=f"filemail:///{tmp / 'outbox'}",  # four slashes: an absolute path
        MEDIA_ROOT=str(tmp / "media"),
        LOG_LEVEL="WARNING",
        DEBUG="false",
    )
    os.environ.pop("REDIS_URL", None)
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    call_command("load_demo", verbosity=0)

    from quotes.models import DeliveryStatus, Quote, QuoteDelivery
    from quotes.sending.selectors import delivery_state
    from quotes.sending.services import quote_send
    from quotes.services import quote_clone

    source = Quote.objects.select_related("customer", "owner", "contact").order_by("pk").first()
    assert source is not None, "load_demo made no quote"

    def all_sent(timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while any(
            delivery_state(delivery=d).status != DeliveryStatus.SENT
            for d in QuoteDelivery.objects.all()
        ):
            if time.monotonic() > deadline:
                raise SystemExit("deliveries did not finish: is the worker running?")
            time.sleep(0.05)

    print(f"{args.sends} sends of a copy of {source.reference} ({source.customer}), one at a time")
    for interval in [float(value) for value in args.intervals.split(",")]:
        worker = subprocess.Popen(
            [sys.executable, "-c", WORKER, str(interval)],
            cwd=ROOT,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        try:
            all_sent(timeout=120)  # the demo's own send: the worker is up
            times = []
            for _ in range(args.sends):
                quote = quote_clone(
                    quote=source, customer=source.customer, by=source.owner, contact=source.contact
                )
                time.sleep(random.uniform(0.2, 0.6))
                start = time.perf_counter()
                delivery = quote_send(quote=quote, by=source.owner)
                while (
                    delivery_state(delivery=QuoteDelivery.objects.get(pk=delivery.pk)).status
                    != DeliveryStatus.SENT
                ):
                    time.sleep(0.005)
                times.append(time.perf_counter() - start)
            time.sleep(1)
            before = cpu_seconds(worker.pid)
            time.sleep(args.idle)
            idle_share = (cpu_seconds(worker.pid) - before) / args.idle
        finally:
            worker.send_signal(signal.SIGTERM)
            worker.wait(timeout=60)
        times.sort()
        print(
            f"polling every {interval:g} s: Send → email written p50 "
            f"{statistics.median(times) * 1000:.0f} ms, p90 "
            f"{times[int(len(times) * 0.9) - 1] * 1000:.0f} ms, best {times[0] * 1000:.0f} ms; "
            f"idle worker {idle_share * 100:.1f} % of one core"
        )


if __name__ == "__main__":
    main()
