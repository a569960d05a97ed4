"""The buyer's document groups its per-line data (quotes.documents.presentation), and the
documents' trimmed user-agent stylesheet draws exactly what WeasyPrint's full one draws."""

import subprocess
from decimal import Decimal
from pathlib import Path

import pytest
from django.template.loader import render_to_string
from hypothesis import given
from hypothesis import strategies as st
from weasyprint import HTML

from quotes.documents import pdf as pdf_module
from quotes.documents.presentation import duty_groups, limit_text, packing_groups, spec_tables
from tests.quotes.pdf_samples import sample_quote_context

DUTY = {
    "hs_code": "8104110000",
    "kind": "mfn",
    "rate_percent": Decimal("5.3"),
    "specific_usd_per_mt": Decimal("0"),
    "basis": "CIF",
    "reference": "EU CN 8104 11",
}


def test_duty_rows_per_hs_code_and_kind_with_each_citation_once():
    duties = [
        {**DUTY, "grade": "Mg9990", "customs_value": Decimal("100.00"), "amount": Decimal("5.30")},
        {**DUTY, "grade": "Mg9980", "customs_value": Decimal("200.00"), "amount": Decimal("10.60")},
        {**DUTY, "grade": "Mg9990", "customs_value": Decimal("50.00"), "amount": Decimal("2.65")},
        {
            **DUTY,
            "grade": "Mg9990",
            "kind": "anti_dumping",
            "rate_percent": Decimal("31.7"),
            "reference": "Regulation (EU) 2026/1",
            "customs_value": Decimal("350.00"),
            "amount": Decimal("110.95"),
        },
        {
            **DUTY,
            "grade": "AZ91D",
            "hs_code": "8104190000",
            "reference": "EU CN 8104 11",
            "customs_value": Decimal("10.00"),
            "amount": Decimal("0.53"),
        },
    ]
    grouped = duty_groups(duties)
    rows = grouped["rows"]
    assert [(r["hs_code"], r["kind"], r["grades"]) for r in rows] == [
        ("8104110000", "mfn", "Mg9990, Mg9980"),
        ("8104110000", "anti_dumping", "Mg9990"),
        ("8104190000", "mfn", "AZ91D"),
    ]
    assert rows[0]["customs_value"] == Decimal("350.00") and rows[0]["amount"] == Decimal("18.55")
    assert grouped["references"] == ["EU CN 8104 11", "Regulation (EU) 2026/1"]
    assert [r["note"] for r in rows] == [1, 2, 1]


def test_a_duty_without_a_citation_has_no_note():
    grouped = duty_groups(
        [{**DUTY, "grade": "X", "reference": "", "amount": "1", "customs_value": "2"}]
    )
    assert grouped["references"] == [] and grouped["rows"][0]["note"] is None


amounts = st.decimals(min_value=0, max_value=10**7, places=2, allow_nan=False)


@given(
    st.lists(
        st.tuples(
            st.sampled_from(["8104110000", "8104190000"]),
            st.sampled_from(["mfn", "anti_dumping"]),
            amounts,
        ),
        max_size=30,
    )
)
def test_grouped_duties_add_up_to_the_same_total(entries):
    duties = [
        {
            **DUTY,
            "grade": f"G{i % 4}",
            "hs_code": hs,
            "kind": kind,
            "amount": amount,
            "customs_value": amount * 10,
        }
        for i, (hs, kind, amount) in enumerate(entries)
    ]
    rows = duty_groups(duties)["rows"]
    assert sum((r["amount"] for r in rows), Decimal(0)) == sum(
        (d["amount"] for d in duties), Decimal(0)
    )
    assert len(rows) <= 4


def test_limits_read_as_a_range_a_minimum_or_a_maximum():
    assert limit_text(Decimal("8.5"), Decimal("9.5")) == "8.5–9.5"
    assert limit_text(Decimal("99.90"), None) == "≥ 99.90"
    assert limit_text(None, Decimal("0.005")) == "≤ 0.005"
    assert limit_text(None, None) == "–"


def spec(grade, *limits):
    return {
        "grade": grade,
        "standard": "S",
        "limits": [{"element": e, "min_percent": lo, "max_percent": hi} for e, lo, hi in limits],
    }


def test_specifications_as_an_element_by_grade_matrix_magnesium_first():
    tables = spec_tables(
        [
            spec("AZ91D", ("Al", Decimal("8.5"), Decimal("9.5")), ("Fe", None, Decimal("0.005"))),
            spec("Mg9990", ("Mg", Decimal("99.90"), None), ("Fe", None, Decimal("0.04"))),
        ]
    )
    assert len(tables) == 1
    assert [g["grade"] for g in tables[0]["grades"]] == ["AZ91D", "Mg9990"]
    assert tables[0]["rows"] == [
        {"element": "Mg", "cells": ["–", "≥ 99.90"]},
        {"element": "Al", "cells": ["8.5–9.5", "–"]},
        {"element": "Fe", "cells": ["≤ 0.005", "≤ 0.04"]},
    ]


def test_more_grades_than_fit_across_the_page_make_more_tables():
    tables = spec_tables([spec(f"G{i}", ("Fe", None, Decimal("0.01"))) for i in range(7)])
    assert [len(t["grades"]) for t in tables] == [5, 2]


def test_packing_printed_once_per_text_with_its_grades():
    lines = [
        {"grade": "Mg9990", "packing": "7.5 kg ingots"},
        {"grade": "AZ91D", "packing": "7.5 kg ingots"},
        {"grade": "Mg9990", "packing": "7.5 kg ingots"},
        {"grade": "Chips", "packing": "1 MT big bags"},
        {"grade": "Other", "packing": ""},
    ]
    assert packing_groups(lines) == [
        {"grades": "Mg9990, AZ91D", "packing": "7.5 kg ingots", "every_line": False},
        {"grades": "Chips", "packing": "1 MT big bags", "every_line": False},
    ]
    assert packing_groups(lines[:3])[0]["every_line"] is True


def rasterize(pdf: bytes, directory: Path, name: str) -> list[bytes]:
    path = directory / f"{name}.pdf"
    path.write_bytes(pdf)
    subprocess.run(["pdftoppm", "-r", "50", "-png", str(path), str(directory / name)], check=True)
    return [p.read_bytes() for p in sorted(directory.glob(f"{name}-*.png"))]


@pytest.mark.parametrize(
    "template, context",
    [
        ("pdf/quote.html", sample_quote_context(lines=12, draft=True)),
        ("pdf/warm_up.html", {}),
    ],
)
def test_the_trimmed_user_agent_stylesheet_draws_the_same_pages(tmp_path, template, context):
    html = render_to_string(template, {"company": pdf_module.company_context(), **context})
    ours = pdf_module.render_pdf(html)
    link, stylesheet = pdf_module._pdf_stylesheet()
    theirs = (
        HTML(
            string=html.replace(link, "", 1),
            base_url=pdf_module.PDF_BASE_URL,
            url_fetcher=pdf_module.SafeURLFetcher(),
        )
        .render(font_config=pdf_module.font_config(), stylesheets=[stylesheet])
        .write_pdf()
    )
    ours_pages, their_pages = (
        rasterize(ours, tmp_path, "ours"),
        rasterize(theirs, tmp_path, "theirs"),
    )
    assert len(ours_pages) == len(their_pages) >= 1
    assert ours_pages == their_pages
