"""The PDF renderer: Django template -> HTML -> WeasyPrint -> PDF bytes.

No ORM, no network, no request: callers hand in plain data and get bytes back. Render in
a long-lived worker process (Celery), never in a web request; the font configuration is
built once per process and reused.

Public API
----------
``render_pdf(html, *, url_fetcher=None) -> bytes``
    Render an HTML string. Relative and ``{% static %}`` URLs resolve against
    ``PDF_BASE_URL`` and go through :class:`SafeURLFetcher`.
``render_template_pdf(template_name, context) -> bytes``
    Render a Django template (``templates/pdf/...``) with ``context`` plus ``company``
    (from ``settings.MGTRADE``), then ``render_pdf``.
``SafeURLFetcher``
    The only way the renderer reads anything: the app's own static files and ``data:``
    URLs. Everything else (other ``file://`` paths, devices, any network URL) is refused,
    logged at WARNING on the ``quotes.documents.pdf`` logger and recorded in ``fetcher.refused``;
    WeasyPrint then skips the image, stylesheet or font and the render goes on.

Embedded files (``<link rel=attachment>``, ``<a rel=attachment>``) are dropped before the
PDF is written, so they are never even fetched: a quote PDF carries no attachments.

Context of ``pdf/quote.html``
-----------------------------
Plain Python values only (dicts, lists, ``str``, ``int``, ``Decimal``, ``date``), never
model instances: the PDF of a sent version is built from its stored snapshot. Amounts are
``Decimal`` (or strings ``Decimal`` accepts). Text is autoescaped; multi-line text keeps
its line breaks. Keys marked ``?`` are optional::

    {
      "draft": bool,                      # True: DRAFT watermark on every page
      "quote": {
        "number": "Q-2026-0042", "version": 2,
        "issued_on": date, "valid_until": date,
        "currency": "EUR",                # ISO 4217: the quote-level amounts' currency
        "fx_rate": "0.9250",              # units of currency per 1 USD, as stored
        "incoterm": "CIF", "named_place": "Hamburg",
        "origin_port": "Tianjin Xingang (CNTXG)", "destination_port": "Hamburg (DEHAM)",
        "payment_terms": str, "packaging": str, "terms": str, "notes"?: str,
        "rep"?: {"name": str, "email"?: str, "phone"?: str},
      },
      "buyer": {"name": str, "address": str (multi-line), "country"?: str,
                "tax_id"?: str, "lang"?: "ja" | "ko" | "zh" | "tr" | ...},
      "contact": {"name": str, "email"?: str, "phone"?: str, "lang"?: str},
      "lines": [                          # per-line amounts in USD (pricing.md)
        {"grade": "Mg9990", "name"?: str, "standard": "GB/T 3499-2011",
         "hs_code": "8104110000", "quantity_mt": Decimal,
         "unit_price": Decimal,           # USD per MT, before discount
         "discount_percent": Decimal, "amount": Decimal},
      ],
      "lines_currency": "USD",
      "lines_total"?: {"quantity_mt": Decimal, "amount": Decimal},
      "breakdown": {                      # quote-level, in quote.currency
        "incoterm": "CIF", "currency": "EUR",
        "rows": [{"label": "Goods value", "amount": Decimal,
                  "kind": "add" | "less"}],       # less: shown with a minus sign
        "quote_total": Decimal,
        "duties_currency": "USD",         # duty lines are per line, in USD
        "duties": [{"grade": str, "hs_code": str,
                    "kind": "mfn" | "anti_dumping" | "countervailing" | "safeguard"
                            | "retaliatory" | "other",
                    "kind_label"?: str,   # defaults to a label for ``kind``
                    "rate_percent": Decimal, "specific_usd_per_mt"?: Decimal,
                    "basis": "CIF" | "FOB", "customs_value": Decimal,
                    "amount": Decimal, "reference": str}],
        "duties_total": Decimal,          # in duties_currency
        "landed_cost": Decimal, "landed_cost_per_mt": Decimal,  # in currency
      },
      "specifications": [                 # appendix, one per quoted grade
        {"grade": "Mg9990", "name"?: str, "standard": str, "source"?: str,
         "limits": [{"element": "Fe", "min_percent": Decimal | None,
                     "max_percent": Decimal | None}]},
      ],
    }

``render_template_pdf`` adds ``company`` (``name``, ``address``, ``contact``) from
``settings.MGTRADE`` unless the context already has it.
"""

from __future__ import annotations

import ctypes.util
import gc
import logging
import mimetypes
import os
import stat
import threading
import time
from pathlib import Path
from urllib.parse import unquote, urljoin, urlsplit
from urllib.request import url2pathname

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import translation
from weasyprint import CSS, HTML
from weasyprint.html import UA_COUNTER_STYLE
from weasyprint.text.fonts import FontConfiguration
from weasyprint.urls import UNICODE_SCHEME_RE, URLFetcher, URLFetcherResponse

from mgtrade.accounts.checks import harfbuzz_subset_check

__all__ = [
    "PDF_BASE_URL",
    "FetchRefused",
    "SafeURLFetcher",
    "font_config",
    "render_pdf",
    "render_template_pdf",
]

logger = logging.getLogger(__name__)

# The document's base URL. ``.invalid`` never resolves (RFC 6761), so even a URL that
# slipped past the fetcher could not reach a host; the fetcher maps URLs under
# ``PDF_BASE_URL + STATIC_URL`` to files in the static roots and refuses the rest.
PDF_BASE_URL = "https://mgtrade-pdf.invalid/"

# Static files the PDF may use are small (CSS, logo); a bigger one is refused.
MAX_STATIC_BYTES = 5 * 1024 * 1024


class FetchRefused(ValueError):
    """A resource the PDF renderer must not read. WeasyPrint catches it and skips it."""


def _static_roots() -> list[tuple[str, Path]]:
    """``(url prefix, resolved directory)`` for ``STATICFILES_DIRS`` and ``STATIC_ROOT``."""
    roots: list[tuple[str, Path]] = []
    for entry in settings.STATICFILES_DIRS:
        prefix, directory = entry if isinstance(entry, (tuple, list)) else ("", entry)
        prefix = prefix.strip("/") + "/" if prefix else ""
        roots.append((prefix, Path(directory).resolve()))
    if settings.STATIC_ROOT:
        roots.append(("", Path(settings.STATIC_ROOT).resolve()))
    return roots


class SafeURLFetcher(URLFetcher):
    """Reads the app's static files and ``data:`` URLs; refuses everything else.

    - ``data:`` URLs: decoded by the parent class, whose opener is limited to the ``data``
      protocol, with redirects off.
    - ``<PDF_BASE_URL><STATIC_URL>path`` (what ``{% static %}`` produces; or ``STATIC_URL``
      itself when it is absolute): ``path`` must have no empty, ``.`` or ``..`` segment;
      it is looked up in each static root and the file, resolved with ``Path.resolve()``
      (symlinks followed), must still be inside that root and be a regular file.
    - ``file://`` URLs: the same check on the path (inside a static root after resolving).
    - Anything else (``http``, ``https``, ``ftp``, other hosts, devices, ``..`` escapes,
      symlinks out of the root, directories, FIFOs, files over ``MAX_STATIC_BYTES``):
      :class:`FetchRefused`, logged at WARNING and appended to ``self.refused``.
    """

    def __init__(self, *, static_url: str | None = None, roots=None, **kwargs):
        kwargs.update(allowed_protocols=("data",), allow_redirects=False, timeout=5)
        super().__init__(**kwargs)
        static_url = urljoin(PDF_BASE_URL, static_url or settings.STATIC_URL)
        parts = urlsplit(static_url)
        self._static_origin = (parts.scheme.lower(), parts.netloc.lower())
        self._static_path = parts.path if parts.path.endswith("/") else parts.path + "/"
        self._roots = _static_roots() if roots is None else roots
        self.fetched: list[str] = []
        self.refused: list[tuple[str, str]] = []

    # WeasyPrint calls fetch() (through __call__) for every image, stylesheet, font,
    # SVG reference and attachment of the document.
    def fetch(self, url, headers=None):
        match = UNICODE_SCHEME_RE.match(url)
        scheme = match[1].lower() if match else ""
        if scheme == "data":
            response = super().fetch(url, headers)
            self.fetched.append("data:")
            return response
        try:
            path = self._local_path(url, scheme)
        except (ValueError, OSError) as exc:
            self._refuse(url, str(exc))
        return self._file_response(url, path)

    def _refuse(self, url: str, reason: str):
        shown = url if len(url) < 300 else url[:300] + "…"
        self.refused.append((url, reason))
        logger.warning("PDF fetcher refused %s: %s", shown, reason)
        raise FetchRefused(f"refused {shown}: {reason}")

    def _local_path(self, url: str, scheme: str) -> Path:
        parts = urlsplit(url)
        if scheme == "file":
            if parts.netloc not in ("", "localhost"):
                raise ValueError("file URL with a host")
            candidate = Path(url2pathname(parts.path))
            if not candidate.is_absolute():
                raise ValueError("relative file path")
            for _prefix, root in self._roots:
                if (path := self._inside(candidate, root)) is not None:
                    return path
            raise ValueError("outside the static roots")
        if (scheme, parts.netloc.lower()) != self._static_origin or not parts.path.startswith(
            self._static_path
        ):
            raise ValueError("not a static file of this app (network and other URLs are off)")
        relative = unquote(parts.path[len(self._static_path) :])
        segments = relative.split("/")
        if any(s in ("", ".", "..") for s in segments) or "\\" in relative or "\0" in relative:
            raise ValueError("bad static path")
        for prefix, root in self._roots:
            if prefix and not relative.startswith(prefix):
                continue
            path = self._inside(root / relative[len(prefix) :], root)
            if path is not None:
                return path
        raise ValueError("no such static file")

    @staticmethod
    def _inside(candidate: Path, root: Path) -> Path | None:
        """The resolved regular file if it exists inside ``root``; else ``None``."""
        try:
            resolved = candidate.resolve(strict=True)
        except (OSError, RuntimeError):
            return None
        if not resolved.is_relative_to(root):
            return None
        return resolved

    def _file_response(self, url: str, path: Path) -> URLFetcherResponse:
        try:
            fd = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | os.O_NONBLOCK)
        except OSError as exc:
            self._refuse(url, f"cannot open: {exc.strerror}")
        with os.fdopen(fd, "rb") as file:
            info = os.fstat(file.fileno())
            if not stat.S_ISREG(info.st_mode):
                self._refuse(url, "not a regular file")
            if info.st_size > MAX_STATIC_BYTES:
                self._refuse(url, f"larger than {MAX_STATIC_BYTES} bytes")
            body = file.read(MAX_STATIC_BYTES + 1)
        mime_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        if mime_type.startswith("text/") or mime_type == "image/svg+xml":
            mime_type += "; charset=utf-8"
        self.fetched.append(url)
        return URLFetcherResponse(url, body=body, headers={"Content-Type": mime_type})


# ---------------------------------------------------------------- fonts

_font_config: FontConfiguration | None = None
_font_config_pid: int | None = None
_font_lock = threading.Lock()


def _warn_if_slow_subsetting() -> None:
    """Log the ``mgtrade.W001`` system check's warning where workers will see it."""
    if ctypes.util.find_library("harfbuzz-subset"):
        return
    for warning in harfbuzz_subset_check(None):
        logger.warning("%s (%s) %s", warning.msg, warning.id, warning.hint)


def font_config() -> FontConfiguration:
    """The process's one ``FontConfiguration``: built on first use, again after a fork."""
    global _font_config, _font_config_pid
    pid = os.getpid()
    if _font_config is None or _font_config_pid != pid:
        with _font_lock:
            if _font_config is None or _font_config_pid != pid:
                _warn_if_slow_subsetting()
                _font_config = FontConfiguration()
                _font_config_pid = pid
    return _font_config


# ---------------------------------------------------------------- rendering


PDF_STYLESHEET = "css/pdf.css"
UA_STYLESHEET = Path(__file__).with_name("ua.css")
_stylesheet_lock = threading.Lock()
_ua_stylesheet: CSS | None = None


class DocumentHTML(HTML):
    """WeasyPrint's ``HTML`` with the documents' own, smaller user-agent stylesheet
    (``ua.css``), parsed once per process."""

    def _ua_stylesheets(self, forms: bool = False) -> list[CSS]:
        global _ua_stylesheet
        if _ua_stylesheet is None:
            with _stylesheet_lock:
                if _ua_stylesheet is None:
                    _ua_stylesheet = CSS(
                        filename=str(UA_STYLESHEET), counter_style=UA_COUNTER_STYLE
                    )
        return [_ua_stylesheet]


_stylesheet: tuple[str, float, CSS] | None = None


def _pdf_stylesheet() -> tuple[str, CSS] | None:
    """The print stylesheet's ``<link>`` as the templates write it and the stylesheet,
    parsed once per process (again only when the file changes): WeasyPrint would otherwise
    fetch and parse it for every document."""
    global _stylesheet
    link = f'<link rel="stylesheet" href="{settings.STATIC_URL}{PDF_STYLESHEET}">'
    for _prefix, root in _static_roots():
        path = root / PDF_STYLESHEET
        try:
            mtime = path.stat().st_mtime
        except OSError:
            continue
        with _stylesheet_lock:
            cached = _stylesheet
            if cached is None or cached[0] != str(path) or cached[1] != mtime:
                css = CSS(
                    filename=str(path), font_config=font_config(), url_fetcher=SafeURLFetcher()
                )
                cached = _stylesheet = (str(path), mtime, css)
        return link, cached[2]
    return None


# Outside English the footer numbers the pages "1 / 2": pdf.css's "Page 1 of 2" has words a
# stylesheet cannot translate. Added here, not in the template: the templates pass the
# Content-Security-Policy (no <style> blocks) when a browser shows them as a preview.
NEUTRAL_PAGE_NUMBERS = '@page { @bottom-right { content: counter(page) " / " counter(pages); } }'
_neutral_page_numbers: CSS | None = None


def _page_number_stylesheets() -> list[CSS]:
    global _neutral_page_numbers
    if (translation.get_language() or "en").split("-")[0] == "en":
        return []
    if _neutral_page_numbers is None:
        _neutral_page_numbers = CSS(string=NEUTRAL_PAGE_NUMBERS, font_config=font_config())
    return [_neutral_page_numbers]


def render_pdf(html: str, *, url_fetcher: URLFetcher | None = None) -> bytes:
    """The PDF bytes for ``html``: static files and ``data:`` URLs only, no attachments."""
    fetcher = url_fetcher if url_fetcher is not None else SafeURLFetcher()
    stylesheets = []
    parsed = _pdf_stylesheet()
    if parsed is not None and parsed[0] in html:
        html = html.replace(parsed[0], "", 1)
        stylesheets.append(parsed[1])
    stylesheets += _page_number_stylesheets()
    document = DocumentHTML(string=html, base_url=PDF_BASE_URL, url_fetcher=fetcher).render(
        font_config=font_config(), stylesheets=stylesheets
    )
    # Embedded files: <link rel=attachment> lands in the metadata, <a rel=attachment> in
    # the pages' links. Drop both before write_pdf() would fetch and embed them.
    document.metadata.attachments = []
    for page in document.pages:
        page.links = [link for link in page.links if link[0] != "attachment"]
    return document.write_pdf()


def company_context() -> dict[str, str]:
    conf = settings.MGTRADE
    return {
        "name": conf["COMPANY_NAME"],
        "address": conf["COMPANY_ADDRESS"],
        "contact": conf["COMPANY_CONTACT"],
        "logo": conf["COMPANY_LOGO"],
        "stamp": conf.get("COMPANY_STAMP", ""),
        "country_of_origin": conf.get("COUNTRY_OF_ORIGIN", ""),
        "manufacturer": conf.get("MANUFACTURER", "") or conf["COMPANY_NAME"],
    }


def render_template_pdf(template_name: str, context: dict) -> bytes:
    """Render ``template_name`` (no request, so no context processors) to PDF bytes."""
    context = {"company": company_context(), **context}
    return render_pdf(render_to_string(template_name, context))


def warm_up() -> float:
    """Render a one-page letterhead PDF (``pdf/warm_up.html``) so that this process has its
    fonts (Latin and CJK), stylesheet, logo and base template loaded before its first real
    PDF: a cold first render took ~0.5 s against ~0.2 s warm, and it delayed the first
    e-mail of a burst. Called in every render worker child (``mgtrade.celery``). Returns
    the seconds it took."""
    started = time.perf_counter()
    render_template_pdf("pdf/warm_up.html", {})
    # What is loaded now (Django, WeasyPrint, fonts, templates, stylesheets) lives as long
    # as the process: out of the collector's sight, a full collection during a render no
    # longer walks it (about 5 % of a render's time).
    gc.collect()
    gc.freeze()
    return time.perf_counter() - started
