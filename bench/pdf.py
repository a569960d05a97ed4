"""PDF rendering speed and memory: the sample quote (10 lines unless --lines), in one process.

    .venv/bin/python bench/pdf.py [--runs 30] [--memory-pdfs 300] [--lines 10]

Prints, for ``quotes.documents.pdf.render_template_pdf("pdf/quote.html", sample)``, the app's whole
render step (template, SafeURLFetcher, attachment drop, WeasyPrint):
- its median time (wall clock and process CPU time: on a shared machine CPU time is the
  steadier of the two), and the median of WeasyPrint alone on the same HTML
  (``HTML(string=html, base_url=...).write_pdf(font_config=...)`` with the same warm
  FontConfiguration and WeasyPrint's default fetcher). The HTML is the one the app
  renders; only its ``/static/...`` URLs are rewritten to ``file://`` paths of the same
  files, since the default fetcher cannot resolve the app's internal base URL (it would
  try DNS). Both read the same stylesheet and logo. The two are interleaved, run by run,
  so machine noise hits both alike; the headline ratio is the median of the per-pair
  ratios (also shown: ratio of medians, wall and CPU, and of best runs). Target: <= 1.15.
- the template's own share (``render_to_string``).
- PDFs per minute for this one process (60 s / median app time).
- RSS growth over --memory-pdfs renders after warm-up (VmRSS from /proc/self/status;
  peak from getrusage). Target: < 50 MB.

With ``--peers`` (the default), also a side-by-side run against what peers ship, on the
same HTML (``/static/`` URLs as ``file://`` paths), interleaved run by run:
- wkhtmltopdf 0.12.6 (``/usr/bin/wkhtmltopdf``, Debian's package, the engine Odoo ships),
  one process per document as Odoo runs it;
- a persistent headless Chromium (Playwright driving ``/usr/bin/chromium``) printing the
  same HTML file to an A4 PDF, page reused.
Prints the medians and the ratios app/wkhtmltopdf (target <= 1.0) and app/Chromium.

Uses ``mgtrade.settings.local``; no database is touched.
"""

import argparse
import gc
import os
import resource
import statistics
import sys
import time
from io import BytesIO
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mgtrade.settings.local")
os.environ.setdefault("LOG_LEVEL", "WARNING")


def rss_mb() -> float:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    raise RuntimeError("no VmRSS in /proc/self/status")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=30, help="timed runs of each (default 30)")
    parser.add_argument("--memory-pdfs", type=int, default=300, help="PDFs for RSS growth")
    parser.add_argument("--lines", type=int, default=10, help="lines of the sample quote")
    parser.add_argument(
        "--no-peers", dest="peers", action="store_false", help="skip wkhtmltopdf and Chromium"
    )
    parser.add_argument("--peer-runs", type=int, default=15, help="timed runs vs the peers")
    args = parser.parse_args()

    import django

    django.setup()
    from django.conf import settings
    from django.template.loader import render_to_string
    from pypdf import PdfReader
    from weasyprint import HTML

    from quotes.documents.pdf import (
        PDF_BASE_URL,
        company_context,
        font_config,
        render_template_pdf,
        warm_up,
    )
    from tests.quotes.pdf_samples import sample_quote_context

    context = sample_quote_context(lines=args.lines)
    html = render_to_string("pdf/quote.html", {"company": company_context(), **context})
    static_dir = Path(settings.STATICFILES_DIRS[0]).resolve()
    plain_html = html.replace('"/static/', f'"file://{static_dir}/')
    assert plain_html != html
    fonts = font_config()

    def app_step() -> bytes:
        return render_template_pdf("pdf/quote.html", context)

    def weasyprint_alone() -> bytes:
        return HTML(string=plain_html, base_url=PDF_BASE_URL).write_pdf(font_config=fonts)

    warm_up()  # as every render worker child does at start (mgtrade.celery)
    for _ in range(3):  # warm-up: fonts, template cache, imports
        app_step()
        weasyprint_alone()

    wall = {app_step: [], weasyprint_alone: []}
    cpu = {app_step: [], weasyprint_alone: []}
    for i in range(args.runs):
        order = (app_step, weasyprint_alone) if i % 2 == 0 else (weasyprint_alone, app_step)
        for func in order:
            start, start_cpu = time.perf_counter(), time.process_time()
            func()
            cpu[func].append(time.process_time() - start_cpu)
            wall[func].append(time.perf_counter() - start)

    pages = len(PdfReader(BytesIO(app_step())).pages)
    print(f"sample quote: {args.lines} lines, {pages} pages, {args.runs} runs each (interleaved)")
    print(f"{'':40} {'median wall':>12} {'median CPU':>11} {'best wall':>10}")
    rows = (
        ("app render step (render_template_pdf)", app_step),
        ("WeasyPrint alone, same HTML", weasyprint_alone),
    )
    for label, func in rows:
        print(
            f"{label:40} {statistics.median(wall[func]) * 1000:9.1f} ms"
            f" {statistics.median(cpu[func]) * 1000:8.1f} ms {min(wall[func]) * 1000:7.1f} ms"
        )

    def ratio(times):
        return statistics.median(times[app_step]) / statistics.median(times[weasyprint_alone])

    # Pairs are adjacent runs, so a pair sees the same machine load: the steadiest figure.
    paired = statistics.median(
        a / b for a, b in zip(wall[app_step], wall[weasyprint_alone], strict=True)
    )
    best = min(wall[app_step]) / min(wall[weasyprint_alone])
    print(
        f"ratio app / WeasyPrint alone (target <= 1.15): median of paired runs {paired:.3f};"
        f" medians wall {ratio(wall):.3f}, CPU {ratio(cpu):.3f}; best {best:.3f}"
    )
    template_times = []
    full_context = {"company": company_context(), **context}
    for _ in range(50):
        start = time.perf_counter()
        render_to_string("pdf/quote.html", full_context)
        template_times.append(time.perf_counter() - start)
    print(
        f"of which the template (render_to_string), median: "
        f"{statistics.median(template_times) * 1000:.1f} ms"
    )
    print(f"PDFs per minute, one process: {60 / statistics.median(wall[app_step]):.0f}")
    sys.stdout.flush()

    if args.peers:
        peers(app_step, plain_html, args.peer_runs)

    gc.collect()
    before = rss_mb()
    start = time.perf_counter()
    for _ in range(args.memory_pdfs):
        app_step()
    seconds = time.perf_counter() - start
    gc.collect()
    after = rss_mb()
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(
        f"RSS over {args.memory_pdfs} PDFs: {before:.1f} MB -> {after:.1f} MB, growth "
        f"{after - before:+.1f} MB (target < 50 MB); peak {peak:.1f} MB; "
        f"{args.memory_pdfs / seconds * 60:.0f} PDFs/min in that loop"
    )


WKHTMLTOPDF = "/usr/bin/wkhtmltopdf"
CHROMIUM = "/usr/bin/chromium"


def peers(app_step, plain_html: str, runs: int) -> None:
    """The app's render step vs wkhtmltopdf (a process per document) and a persistent
    headless Chromium, on the same HTML, interleaved (the order rotates each run)."""
    import subprocess
    import tempfile

    from playwright.sync_api import sync_playwright

    tmp = Path(tempfile.mkdtemp(prefix="bench-pdf-"))
    html_file = tmp / "quote.html"
    html_file.write_text(plain_html, encoding="utf-8")

    def wkhtmltopdf() -> bytes:
        out = subprocess.run(
            [
                WKHTMLTOPDF,
                "--quiet",
                "--enable-local-file-access",
                "--page-size",
                "A4",
                str(html_file),
                "-",
            ],
            capture_output=True,
            check=True,
            timeout=120,
        )
        return out.stdout

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        page = browser.new_page()

        def chromium() -> bytes:
            page.goto(html_file.as_uri(), wait_until="load")
            return page.pdf(format="A4", print_background=True)

        funcs = (app_step, wkhtmltopdf, chromium)
        for func in funcs:  # warm-up
            func()
        wall: dict = {func: [] for func in funcs}
        for i in range(runs):
            order = funcs[i % 3 :] + funcs[: i % 3]
            for func in order:
                start = time.perf_counter()
                func()
                wall[func].append(time.perf_counter() - start)
        browser.close()

    med = {func: statistics.median(times) for func, times in wall.items()}
    print(f"peers: {runs} runs each, interleaved (wkhtmltopdf: one process per document)")
    for label, func in (
        ("app render step", app_step),
        ("wkhtmltopdf 0.12.6 (process per PDF)", wkhtmltopdf),
        ("Chromium headless (persistent page)", chromium),
    ):
        print(f"{label:40} {med[func] * 1000:9.1f} ms median, best {min(wall[func]) * 1000:.1f} ms")
    paired = statistics.median(
        a / b for a, b in zip(wall[app_step], wall[wkhtmltopdf], strict=True)
    )
    print(
        f"ratio app / wkhtmltopdf (target <= 1.0): medians {med[app_step] / med[wkhtmltopdf]:.3f}"
        f", paired {paired:.3f}; app / Chromium: {med[app_step] / med[chromium]:.3f}"
    )
    sys.stdout.flush()


if __name__ == "__main__":
    main()
