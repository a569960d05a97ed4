"""The send worker's render step on a real stored quote snapshot: PDFs per minute and memory.

    .venv/bin/python bench/send.py [--lines 10] [--runs 30] [--memory-pdfs 300]

Builds a throw-away SQLite database under a temporary directory (migrate + load_demo),
creates a quote with ``--lines`` lines through the services, sends it with
``quotes.sending.services.quote_send`` (the task queueing is switched off: nothing reaches the
broker) so its document is frozen exactly as in production, then runs the worker's whole
step ``quotes.sending.services.delivery_render`` (claim UPDATE, thaw the frozen context, template,
WeasyPrint, SHA-256, store in Django storage, finishing UPDATE) again and again in this one
process, resetting the row and deleting the file between runs.

Prints the median step time, the PDFs one worker process (``--pool=solo`` or one prefork
child) makes per minute, and the RSS growth over ``--memory-pdfs`` steps after warm-up
(target: under 50 MB; workers also recycle at ``CELERY_WORKER_MAX_MEMORY_PER_CHILD``).
``bench/pdf.py`` measures the renderer alone on the sample context.
"""

import argparse
import gc
import os
import resource
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path
from unittest import mock

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def rss_mb() -> float:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    raise RuntimeError("no VmRSS in /proc/self/status")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lines", type=int, default=10)
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--memory-pdfs", type=int, default=300)
    args = parser.parse_args()

    tmp = Path(tempfile.mkdtemp(prefix="mgtrade-bench-send-"))
    os.environ.update(
        DJANGO_SETTINGS_MODULE="mgtrade.settings.local",
        DATABASE_URL=f"sqlite:///{tmp / 'bench.sqlite3'}",
        MEDIA_ROOT=str(tmp / "media"),
        LOG_LEVEL="WARNING",
        DEBUG="false",
    )
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    call_command("load_demo", verbosity=0)

    from customers.models import Customer
    from mgtrade.accounts.models import User
    from products.models import Port, Product
    from quotes import services
    from quotes.models import QuoteDelivery, RenderStatus
    from quotes.sending import services as delivery

    rep = User.objects.get(username="rep")
    customer = (
        Customer.objects.filter(
            owner=rep,
            contacts__email__gt="",
            default_destination_port__in=Port.objects.values("code"),
        )
        .distinct()
        .first()
    )
    grades = list(Product.objects.filter(active=True).values_list("code", flat=True))
    lines = [
        {"product": grades[i % len(grades)], "quantity_mt": str(20 + 2 * i)}
        for i in range(args.lines)
    ]
    quote = None
    for grade_count in range(len(grades), 0, -1):  # grades without a list price are skipped
        try:
            quote = services.quote_create(
                customer=customer,
                by=rep,
                terms=services.QuoteTerms(
                    incoterm=customer.default_incoterm or "CIF",
                    destination_port=customer.default_destination_port,
                    currency=customer.default_currency or "USD",
                    contact=customer.contacts.exclude(email="").first(),
                    lines=lines,
                ),
            )
            break
        except Exception:
            grades = grades[: grade_count - 1]
            lines = [
                {"product": grades[i % len(grades)], "quantity_mt": str(20 + 2 * i)}
                for i in range(args.lines)
            ]
    if quote.needs_approval:  # e.g. the demo's tariff rules are not verified yet
        quote = services.quote_submit_for_approval(quote=quote, by=rep)
        quote = services.quote_approve(quote=quote, by=User.objects.get(username="manager"))
    with mock.patch("quotes.sending.enqueue.render_pdf"):
        sent = delivery.quote_send(quote=quote, by=rep)
    storage = sent.pdf.storage

    def step() -> float:
        row = QuoteDelivery.objects.get(pk=sent.pk)
        if row.pdf:
            storage.delete(row.pdf.name)
        QuoteDelivery.objects.filter(pk=sent.pk).update(
            render_status=RenderStatus.QUEUED, pdf="", pdf_sha256="", attempts=0
        )
        start = time.perf_counter()
        assert delivery.delivery_render(delivery_id=sent.pk) == delivery.RENDERED
        return time.perf_counter() - start

    for _ in range(3):
        step()
    times = [step() for _ in range(args.runs)]
    row = QuoteDelivery.objects.get(pk=sent.pk)
    from pypdf import PdfReader

    with row.pdf.open("rb") as f:
        pages = len(PdfReader(f).pages)
    median = statistics.median(times)
    print(
        f"quote {quote.reference}: {args.lines} lines ({len(set(grades))} grades), "
        f"{quote.incoterm} {quote.destination_port}, {pages} pages, {row.pdf_size / 1024:.1f} KB"
    )
    print(
        f"worker render step (delivery_render), {args.runs} runs: median "
        f"{median * 1000:.1f} ms, best {min(times) * 1000:.1f} ms, "
        f"p90 {sorted(times)[int(len(times) * 0.9) - 1] * 1000:.1f} ms"
    )
    print(f"PDFs per minute, one worker process: {60 / median:.0f}")
    sys.stdout.flush()

    gc.collect()
    before = rss_mb()
    start = time.perf_counter()
    for _ in range(args.memory_pdfs):
        step()
    seconds = time.perf_counter() - start
    gc.collect()
    after = rss_mb()
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(
        f"RSS over {args.memory_pdfs} render steps: {before:.1f} MB -> {after:.1f} MB, growth "
        f"{after - before:+.1f} MB (target < 50 MB); peak {peak:.1f} MB; "
        f"{args.memory_pdfs / seconds * 60:.0f} PDFs/min in that loop"
    )
    shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
