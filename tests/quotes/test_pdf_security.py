"""Text a rep types (notes, terms) must never read local files, embed them or reach the
network: hostile notes go through the real template, escaped and (worst case) marked safe.

Three witnesses: the fetcher's own record of refusals, a local HTTP server that counts
requests, and a guard on ``socket`` that fails on any connection attempt or DNS lookup.
A control test shows the same payloads *do* leak with WeasyPrint's default fetcher, so the
assertions would catch a leak.
"""

import http.server
import logging
import os
import socket
import threading
from io import BytesIO
from pathlib import Path

import pytest
from django.template.loader import render_to_string
from django.utils.safestring import mark_safe
from pypdf import PdfReader
from weasyprint import HTML
from weasyprint.urls import URLFetcher

from quotes.documents.pdf import (
    PDF_BASE_URL,
    FetchRefused,
    SafeURLFetcher,
    company_context,
    render_pdf,
    render_template_pdf,
)
from tests.quotes.pdf_samples import sample_quote_context
from tests.quotes.test_pdf_render import pdf_text

PASSWD_MARK = "root:"


@pytest.fixture
def local_server():
    """An HTTP server on 127.0.0.1 that counts the requests it receives."""
    hits = []

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            hits.append(self.path)
            body = b"p { color: red }" if self.path.endswith(".css") else b"secret-from-net"
            self.send_response(200)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", hits
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture
def no_network(monkeypatch):
    """Record and refuse every outgoing connection and DNS lookup made during the test."""
    attempts = []

    def refuse(*args, **kwargs):
        attempts.append(args)
        raise OSError("network disabled in this test")

    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(socket, "getaddrinfo", refuse)
    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket.socket, "connect_ex", refuse)
    return attempts


def hostile_payloads(net: str) -> list[tuple[str, list[str]]]:
    """``(html a rep might type, URLs that the fetcher must refuse)``."""
    static_dir = Path(__file__).resolve().parents[2] / "static"
    return [
        ('<img src="file:///etc/passwd">', ["file:///etc/passwd"]),
        (
            '<img src="http://169.254.169.254/latest/meta-data/">',
            ["http://169.254.169.254/latest/meta-data/"],
        ),
        (f'<img src="{net}/pixel.png">', [f"{net}/pixel.png"]),
        ('<img src="https://example.com/x.png">', ["https://example.com/x.png"]),
        ('<img src="ftp://example.com/x.png">', ["ftp://example.com/x.png"]),
        ("<style>@import url(file:///etc/passwd);</style>", ["file:///etc/passwd"]),
        (f'<style>@import url("{net}/evil.css");</style>', [f"{net}/evil.css"]),
        ('<link rel="stylesheet" href="file:///etc/passwd">', ["file:///etc/passwd"]),
        (f'<link rel="stylesheet" href="{net}/linked.css">', [f"{net}/linked.css"]),
        (
            "<style>@font-face { font-family: X; src: url(file:///etc/passwd); }"
            " p { font-family: X }</style>",
            ["file:///etc/passwd"],
        ),
        (
            '<p style="background: url(file:///etc/hostname)">bg</p>',
            ["file:///etc/hostname"],
        ),
        (
            '<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink"'
            ' width="20" height="20"><image href="file:///etc/hostname" width="20" height="20"/>'
            f'<image xlink:href="{net}/svg.png" width="20" height="20"/></svg>',
            ["file:///etc/hostname", f"{net}/svg.png"],
        ),
        ('<object data="file:///etc/passwd" type="image/png"></object>', ["file:///etc/passwd"]),
        ('<embed src="file:///etc/passwd" type="image/png">', ["file:///etc/passwd"]),
        ('<img src="file:///dev/urandom">', ["file:///dev/urandom"]),
        ('<img src="/dev/urandom">', [PDF_BASE_URL + "dev/urandom"]),
        (
            '<img src="/static/%2e%2e/%2e%2e/etc/passwd">',
            [PDF_BASE_URL + "static/%2e%2e/%2e%2e/etc/passwd"],
        ),
        (
            '<img src="/static/..%2f..%2fetc/passwd">',
            [PDF_BASE_URL + "static/..%2f..%2fetc/passwd"],
        ),
        (
            f'<img src="file://{static_dir}/../../../../etc/passwd">',
            [f"file://{static_dir}/../../../../etc/passwd"],
        ),
        ('<img src="file://otherhost/etc/passwd">', ["file://otherhost/etc/passwd"]),
    ]


ATTACHMENT_PAYLOADS = [
    '<link rel="attachment" href="file:///etc/passwd">',
    '<a rel="attachment" href="file:///etc/passwd">passwd</a>',
    '<a rel="attachment" href="/static/css/pdf.css">static file</a>',
    '<link rel="attachment" href="/static/img/logo.svg">',
]


def quote_html(notes, *, fetcher_terms=None) -> str:
    context = sample_quote_context(lines=2, quote={"notes": notes})
    if fetcher_terms is not None:
        context["quote"]["terms"] = fetcher_terms
    return render_to_string("pdf/quote.html", {"company": company_context(), **context})


def assert_no_leak(data: bytes) -> None:
    reader = PdfReader(BytesIO(data))
    assert reader.attachments == {}
    text = pdf_text(data)
    assert PASSWD_MARK not in text
    assert "secret-from-net" not in text
    hostname = Path("/etc/hostname").read_text().strip() if Path("/etc/hostname").exists() else ""
    if len(hostname) >= 6:
        assert hostname not in text
    for page in reader.pages:
        assert "/Annots" not in page or all(
            a.get_object().get("/Subtype") != "/FileAttachment" for a in page["/Annots"]
        )


def test_hostile_notes_marked_safe_are_refused_and_never_reach_the_network(
    local_server, no_network, caplog
):
    net, hits = local_server
    payloads = hostile_payloads(net)
    notes = mark_safe("\n".join(html for html, _ in payloads))
    fetcher = SafeURLFetcher()
    with caplog.at_level(logging.WARNING, logger="quotes.documents.pdf"):
        data = render_pdf(quote_html(notes), url_fetcher=fetcher)

    refused_urls = {url for url, _reason in fetcher.refused}
    for _html, urls in payloads:
        for url in urls:
            assert url in refused_urls, f"not refused: {url}"
    assert hits == []
    assert no_network == []
    assert "PDF fetcher refused file:///etc/passwd" in caplog.text
    # Only the app's own static files and nothing else were read.
    assert all(url.startswith(PDF_BASE_URL + "static/") for url in fetcher.fetched)
    assert PDF_BASE_URL + "static/img/logo.svg" in fetcher.fetched
    # the print stylesheet is parsed once per process, not fetched per document
    assert PDF_BASE_URL + "static/css/pdf.css" not in fetcher.fetched
    assert_no_leak(data)


def test_hostile_notes_are_escaped_in_the_normal_template(local_server, no_network):
    net, hits = local_server
    payloads = hostile_payloads(net)
    notes = "\n".join(html for html, _ in payloads)
    fetcher = SafeURLFetcher()
    data = render_pdf(quote_html(notes), url_fetcher=fetcher)
    assert fetcher.refused == []  # escaped text is never fetched at all
    assert hits == [] and no_network == []
    text = pdf_text(data)
    assert '<img src="file:///etc/passwd">' in text  # shown as the text the rep typed
    assert_no_leak(data)


def test_hostile_terms_through_render_template_pdf_log_refusals(local_server, no_network, caplog):
    net, hits = local_server
    context = sample_quote_context(
        lines=1,
        quote={
            "terms": mark_safe(
                f'<img src="file:///etc/passwd"><img src="{net}/t.png">'
                '<img src="http://169.254.169.254/latest/meta-data/">'
            )
        },
    )
    with caplog.at_level(logging.WARNING, logger="quotes.documents.pdf"):
        data = render_template_pdf("pdf/quote.html", context)
    assert "refused file:///etc/passwd" in caplog.text
    assert "refused http://169.254.169.254/latest/meta-data/" in caplog.text
    assert f"refused {net}/t.png" in caplog.text
    assert hits == [] and no_network == []
    assert_no_leak(data)


def test_no_attachment_is_ever_embedded(local_server, no_network):
    net, hits = local_server
    notes = mark_safe(
        "\n".join([*ATTACHMENT_PAYLOADS, f'<a rel="attachment" href="{net}/a.bin">net</a>'])
    )
    fetcher = SafeURLFetcher()
    data = render_pdf(quote_html(notes), url_fetcher=fetcher)
    # Attachments are dropped before writing, so not even the static ones are fetched:
    # the logo is read once, for the page itself (the stylesheet is parsed once per process).
    assert fetcher.fetched.count(PDF_BASE_URL + "static/css/pdf.css") == 0
    assert fetcher.fetched.count(PDF_BASE_URL + "static/img/logo.svg") == 1
    assert all("passwd" not in url for url in fetcher.fetched)
    assert hits == [] and no_network == []
    assert_no_leak(data)


def test_attachments_go_through_the_fetcher_too(no_network, caplog):
    """Even without render_pdf's attachment drop, WeasyPrint fetches attachments with
    the document's fetcher, which refuses them."""
    fetcher = SafeURLFetcher()
    html = HTML(
        string='<link rel="attachment" href="file:///etc/passwd">'
        '<a rel="attachment" href="file:///etc/shadow">x</a><p>hi</p>',
        base_url=PDF_BASE_URL,
        url_fetcher=fetcher,
    )
    data = html.write_pdf()
    assert {url for url, _ in fetcher.refused} == {"file:///etc/passwd", "file:///etc/shadow"}
    assert PdfReader(BytesIO(data)).attachments == {}


def test_control_default_fetcher_would_leak_local_files():
    """Proves the leak checks above can fail: WeasyPrint's default fetcher embeds
    /etc/passwd when a document asks for it."""
    data = HTML(
        string='<link rel="attachment" href="file:///etc/passwd"><p>hi</p>',
        base_url=PDF_BASE_URL,
        url_fetcher=URLFetcher(),
    ).write_pdf()
    attachments = PdfReader(BytesIO(data)).attachments
    assert attachments and PASSWD_MARK.encode() in next(iter(attachments.values()))[0]


# ---------------------------------------------------------------- the fetcher alone


@pytest.fixture
def static_root(tmp_path):
    root = tmp_path / "static"
    (root / "css").mkdir(parents=True)
    (root / "css" / "ok.css").write_text("p { color: blue }")
    outside = tmp_path / "secret.txt"
    outside.write_text("top secret")
    (root / "css" / "link-out.css").symlink_to(outside)
    (root / "dev-link").symlink_to("/dev/urandom")
    (root / "dir-link").symlink_to(tmp_path)
    os.mkfifo(root / "fifo.css")
    return root


def fetcher_for(root: Path) -> SafeURLFetcher:
    return SafeURLFetcher(static_url="/static/", roots=[("", root.resolve())])


def test_fetcher_serves_static_files_by_url_and_by_path(static_root):
    fetcher = fetcher_for(static_root)
    response = fetcher(PDF_BASE_URL + "static/css/ok.css")
    assert response.read() == b"p { color: blue }"
    assert response.content_type == "text/css"
    assert fetcher(f"file://{static_root}/css/ok.css").read() == b"p { color: blue }"
    assert fetcher("data:text/plain;base64,aGk=").read() == b"hi"


@pytest.mark.parametrize(
    "url",
    [
        "static/css/link-out.css",  # symlink escaping the root
        "static/dir-link/secret.txt",  # symlinked directory escaping the root
        "static/dev-link",  # symlink to a device
        "static/fifo.css",  # not a regular file (and must not block)
        "static/css/../../secret.txt",
        "static/css/%2e%2e/%2e%2e/secret.txt",
        "static/css//ok.css",
        "static/css/missing.css",
        "static/",
        "other/css/ok.css",
    ],
)
def test_fetcher_refuses_escapes_from_the_static_root(static_root, url):
    fetcher = fetcher_for(static_root)
    with pytest.raises(FetchRefused):
        fetcher(PDF_BASE_URL + url)
    assert fetcher.refused


@pytest.mark.parametrize(
    "url",
    [
        "file:///etc/passwd",
        "file:///dev/urandom",
        "file:///dev/zero",
        "file:///proc/self/environ",
        "http://169.254.169.254/latest/meta-data/",
        "https://mgtrade-pdf.invalid.evil.example/static/css/ok.css",
        "http://mgtrade-pdf.invalid/static/css/ok.css",  # wrong scheme
        "ftp://example.com/x",
        "gopher://127.0.0.1:6379/_INFO",
        "jar:file:///etc/passwd!/",
        "mgtrade-pdf.invalid/static/css/ok.css",  # not absolute
    ],
)
def test_fetcher_refuses_network_devices_and_foreign_files(static_root, url, no_network):
    fetcher = fetcher_for(static_root)
    with pytest.raises(FetchRefused):
        fetcher(url)
    assert no_network == []


def test_fetcher_follows_no_redirects():
    fetcher = SafeURLFetcher()
    assert not any(type(h).__name__ == "HTTPRedirectHandler" for h in fetcher.handlers)
    assert fetcher._allowed_protocols == ("data",)
