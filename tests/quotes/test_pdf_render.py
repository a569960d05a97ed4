"""The quote PDF: content, pagination, fonts, metadata and number formats.

No ``db`` fixture anywhere here: pytest-django refuses database access, so these tests
also prove the renderer never touches the database.
"""

import ctypes.util
import logging
import shutil
import subprocess
from decimal import Decimal
from io import BytesIO

import pytest
from pypdf import PdfReader

from quotes.documents import pdf as pdf_module
from quotes.documents.pdf import render_pdf, render_template_pdf
from quotes.documents.presentation import duty_groups
from quotes.templatetags.amounts import duty_kind, money, percent, quantity
from tests.quotes.pdf_samples import sample_quote_context

NBSP = "\u00a0"


def pdf_text(data: bytes) -> str:
    """The PDF's text in content order (``pdftotext -raw``; no-break spaces made plain)."""
    assert shutil.which("pdftotext"), "poppler-utils (pdftotext) is needed for these tests"
    result = subprocess.run(
        ["pdftotext", "-raw", "-enc", "UTF-8", "-", "-"],
        input=data,
        capture_output=True,
        check=True,
        timeout=60,
    )
    return result.stdout.decode("utf-8").replace(NBSP, " ")


def one_line(text: str) -> str:
    return " ".join(text.split())


@pytest.fixture(scope="module")
def sample():
    return sample_quote_context()


@pytest.fixture(scope="module")
def sample_pdf(sample):
    return render_template_pdf("pdf/quote.html", sample)


@pytest.fixture(scope="module")
def sample_text(sample_pdf):
    return pdf_text(sample_pdf)


def test_sample_quote_renders_a4_pdf_with_number_and_version(sample_pdf, sample_text):
    assert sample_pdf.startswith(b"%PDF-")
    reader = PdfReader(BytesIO(sample_pdf))
    width, height = (float(v) for v in reader.pages[0].mediabox.upper_right)
    assert (round(width), round(height)) == (595, 842)  # A4 in points
    assert "Q-2026-0042" in sample_text
    assert "version 2" in sample_text
    assert "2026-03-09" in sample_text  # valid until


def test_every_line_and_every_duty_line_is_printed(sample, sample_text):
    flat = one_line(sample_text)
    for line in sample["lines"]:
        assert money(line["amount"]).replace(NBSP, " ") in flat
    # duty rows per HS code and adjustment (the lines of a grade share their tariff)
    grouped = duty_groups(sample["breakdown"]["duties"])
    assert len(grouped["rows"]) == 2 < len(sample["breakdown"]["duties"])
    for row in grouped["rows"]:
        assert f"{row['hs_code']} {row['grades']}" in flat
        assert f"{money(row['customs_value'])} {money(row['amount'])} [{row['note']}]" in flat
    assert flat.count("MFN duty") == len(grouped["rows"])
    # each legal citation once, as a numbered note under the table
    assert flat.count("CN 8104 11 (TARIC)") == 1
    assert "[1] EU Combined Nomenclature, CN 8104 11 (TARIC)" in flat
    total = money(sample["breakdown"]["duties_total"], "EUR").replace(NBSP, " ")
    assert f"Duties total {total}" in flat


def test_breakdown_and_landed_cost_per_mt_in_quote_currency(sample, sample_text):
    flat = one_line(sample_text)
    breakdown = sample["breakdown"]
    quote_total = money(breakdown["quote_total"], "EUR").replace(NBSP, " ")
    assert f"Total, CIF Rotterdam 265.000 {quote_total}" in flat
    per_mt = money(breakdown["landed_cost_per_mt"], "EUR").replace(NBSP, " ")
    assert "Total 265.000" in flat and per_mt in flat  # the landed cost table's total row


def test_footer_says_page_x_of_y_and_header_repeats_on_each_page(sample_text):
    pages = sample_text.split("\f")
    pages = [p for p in pages if p.strip()]
    assert len(pages) >= 2
    for number, page in enumerate(pages, start=1):
        assert f"Page {number} of {len(pages)}" in page
        assert "Q-2026-0042 · version 2" in page  # running footer reference


def test_line_table_header_repeats_when_lines_span_pages():
    text = pdf_text(render_template_pdf("pdf/quote.html", sample_quote_context(lines=40)))
    pages = [p for p in text.split("\f") if p.strip()]
    with_lines = [p for p in pages if "8104" in p and "Quantity" in p and "HS code" in p]
    assert len(with_lines) >= 2


def test_appendix_lists_each_grade_specification(sample, sample_text):
    flat = one_line(sample_text)
    assert "Appendix: chemical specifications" in flat
    for spec in sample["specifications"]:
        assert spec["grade"] in flat
    # one element-by-grade matrix: AZ91D, AM60B and AM50A's nickel limits in one row
    assert "Ni – – ≤ 0.002 ≤ 0.002 ≤ 0.001" in flat
    assert "Al – – 8.5–9.5 5.5–6.5 4.5–5.3" in flat
    assert "Mg ≥ 99.90 ≥ 99.80 – – –" in flat


def test_cjk_and_turkish_names_come_back_as_text():
    context = sample_quote_context(
        buyer={"name": "山田軽金属株式会社", "lang": "ja", "address": "東京都港区芝公園4-2-8"},
        contact={"name": "김민준", "lang": "ko"},
        quote={
            "rep": {"name": "王芳"},
            "notes": "Öztürk Döküm Sanayi A.Ş. — Şükrü Çağlar, İzmir",
        },
    )
    data = render_template_pdf("pdf/quote.html", context)
    text = pdf_text(data)
    for name in (
        "山田軽金属株式会社",
        "東京都港区",
        "김민준",
        "王芳",
        "Şükrü Çağlar",
        "İzmir",
        "A.Ş.",
    ):
        assert name in text
    fonts = subprocess.run(["pdffonts", "-"], input=data, capture_output=True, check=True)
    assert b"NotoSansCJK" in fonts.stdout.replace(b"-", b"")


def test_draft_watermark_only_on_drafts():
    draft = pdf_text(render_template_pdf("pdf/quote.html", sample_quote_context(draft=True)))
    final = pdf_text(render_template_pdf("pdf/quote.html", sample_quote_context(draft=False)))
    assert "Draft, not an offer" in draft
    assert "Draft" not in final and "DRAFT" not in final.replace(" ", "")


def test_pdf_metadata_names_the_quote_and_the_company(sample_pdf):
    meta = PdfReader(BytesIO(sample_pdf)).metadata
    assert meta.title == "Quotation Q-2026-0042 v2"
    assert meta.author == "Helan Magnesium Export Co., Ltd."
    assert meta["/CreationDate"].startswith("D:20260302")


def test_same_context_renders_byte_identical_pdf(sample, sample_pdf):
    assert render_template_pdf("pdf/quote.html", sample) == sample_pdf


def test_user_text_is_escaped_not_interpreted(sample):
    context = sample_quote_context(quote={"notes": "<b>bold?</b> & <i>x</i>"})
    text = pdf_text(render_template_pdf("pdf/quote.html", context))
    assert "<b>bold?</b> & <i>x</i>" in text


def test_one_font_configuration_per_process():
    assert pdf_module.font_config() is pdf_module.font_config()


def test_missing_harfbuzz_subset_is_logged_loudly(monkeypatch, caplog):
    monkeypatch.setattr(ctypes.util, "find_library", lambda name: None)
    monkeypatch.setattr(pdf_module, "_font_config", None)
    with caplog.at_level(logging.WARNING, logger="quotes.documents.pdf"):
        render_pdf("<p>hello</p>")
    assert "libharfbuzz-subset0 is not installed" in caplog.text
    assert "mgtrade.W001" in caplog.text


@pytest.mark.parametrize(
    ("value", "currency", "expected"),
    [
        (Decimal("1234567.5"), "EUR", "EUR 1,234,567.50"),
        ("1234567.5", "JPY", "JPY 1,234,568"),
        (Decimal("987654.49"), "KRW", "KRW 987,654"),
        (Decimal("12.3456"), "KWD", "KWD 12.346"),
        (Decimal("-0.004"), "USD", "USD 0.00"),
        (Decimal("-1500"), "TRY", "TRY -1,500.00"),
        (0, "CNY", "CNY 0.00"),
        (Decimal("2450"), "", "2,450.00"),
        (None, "EUR", ""),
    ],
)
def test_money_uses_currency_minor_units_half_up_and_separators(value, currency, expected):
    assert money(value, currency).replace(NBSP, " ") == expected


@pytest.mark.parametrize("bad", [1.1, "abc", "NaN", True])
def test_money_refuses_floats_and_garbage(bad):
    with pytest.raises(ValueError):
        money(bad, "EUR")


def test_duty_kinds_use_the_catalogue_labels():
    assert duty_kind("anti_dumping") == "Anti-dumping duty"
    assert duty_kind("mfn") == "MFN duty"
    assert duty_kind("ieepa_fentanyl") == "Ieepa fentanyl"


def test_quantity_and_percent_formats():
    assert quantity(Decimal("1250")) == "1,250.000"
    assert percent(Decimal("5.30")).replace(NBSP, " ") == "5.3 %"
    assert percent(Decimal("108.26")).replace(NBSP, " ") == "108.26 %"
    assert percent(Decimal("4.0")).replace(NBSP, " ") == "4 %"
