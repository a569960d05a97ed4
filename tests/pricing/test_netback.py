"""Netback: a line priced per MT in the quote currency on the Incoterm basis; the engine
derives the FOB USD price in closed form (docs/pricing.md, "Netback")."""

from dataclasses import replace
from decimal import Decimal as D

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from pricing.engine import (
    INCOTERMS,
    PricingError,
    _term_linear,
    document_lines,
    fob_from_term_price,
    price,
    term_price_from_fob,
    with_netback,
)
from tests.pricing.cases import WORKED
from tests.pricing.test_properties import inputs, priced

FAST = settings(max_examples=80, deadline=None)

CENT = D("0.01")


def _no_absorption_under_ddp(inp, incoterm):
    inp = replace(inp, incoterm=incoterm)
    if incoterm == "DDP":
        inp = replace(inp, tariff_absorption_percent=D("0"))
    return inp


@FAST
@given(inp=inputs, incoterm=st.sampled_from(INCOTERMS))
def test_fob_to_term_price_and_back_returns_within_a_cent_per_mt(inp, incoterm):
    inp = _no_absorption_under_ddp(inp, incoterm)
    # a term price written to 4 decimals is within 0.00005 of the exact one: in USD per MT
    # of list price that is 0.00005 / FX rate / (1 - discount), under half a cent for real
    # currencies (0.1 per USD and up) and discounts up to 90 %
    assume(inp.fx_rate >= D("0.1"))
    for index, line in enumerate(inp.lines):
        assume(line.discount_percent <= 90)
        term = term_price_from_fob(inp, index, line.unit_price_usd_per_mt).quantize(D("0.0001"))
        assume(term > 0)
        back = fob_from_term_price(inp, index, term)
        assert abs(back - line.unit_price_usd_per_mt) <= CENT


@FAST
@given(inp=inputs, incoterm=st.sampled_from(INCOTERMS))
def test_a_documents_lines_add_up_exactly_to_its_total(inp, incoterm):
    result = priced(_no_absorption_under_ddp(inp, incoterm))
    lines = document_lines(result)
    assert sum(line.amount for line in lines) == result.quote_currency.quote_total
    if result.quote_currency.landed_cost is not None:
        assert sum(line.landed_cost for line in lines) == result.quote_currency.landed_cost
    assert sum(line.duties for line in lines) == result.quote_currency.duties


@FAST
@given(inp=inputs, incoterm=st.sampled_from(INCOTERMS))
def test_netback_lines_price_like_their_derived_fob_price(inp, incoterm):
    """Entering the term price of a FOB price gives back that FOB price (to the cent),
    and the quote priced from it adds up."""
    inp = _no_absorption_under_ddp(inp, incoterm)
    assume(all(line.discount_percent < 100 for line in inp.lines))
    terms = [
        term_price_from_fob(inp, i, line.unit_price_usd_per_mt).quantize(CENT)
        for i, line in enumerate(inp.lines)
    ]
    assume(all(t > 0 for t in terms))
    netback = replace(
        inp,
        lines=tuple(
            replace(line, unit_price_usd_per_mt=D("0"), term_price_per_mt=t)
            for line, t in zip(inp.lines, terms, strict=True)
        ),
    )
    try:
        derived = with_netback(netback)
    except PricingError:
        assume(False)
    for index, (line, original) in enumerate(zip(derived.lines, inp.lines, strict=True)):
        # the term price is rounded to the cent of the quote currency: at most half a cent
        # per MT of it, back through the FX rate, the discount and the term's factor K
        # (below 1 under tariff absorption), on top of the cent rounding of the FOB price
        k = _term_linear(inp, index).k
        slack = CENT + D("0.005") / inp.fx_rate / ((100 - original.discount_percent) / 100) / k
        assert abs(line.unit_price_usd_per_mt - original.unit_price_usd_per_mt) <= slack
    result = priced(netback)
    assert sum(d.amount for d in document_lines(result)) == result.quote_currency.quote_total


def test_a_term_price_below_the_freight_is_refused_on_the_line():
    inp = replace(WORKED, lines=tuple(replace(ln, term_price_per_mt=D("1")) for ln in WORKED.lines))
    with pytest.raises(PricingError) as caught:
        price(inp)
    assert "term_price_per_mt" in caught.value.errors["lines"][0]


def test_eur_2390_cif_hamburg_derives_the_fob_price_and_prints_2390():
    """The issue's example: EUR 2,390/MT CIF Hamburg on the worked example's lanes."""
    inp = replace(
        WORKED,
        currency="EUR",
        lines=tuple(replace(ln, term_price_per_mt=D("2390")) for ln in WORKED.lines),
    )
    result = price(inp)
    fob = result.lines[0].unit_price_usd_per_mt
    expected = fob_from_term_price(inp, 0, D("2390")).quantize(CENT)
    assert fob == expected and fob < D("2390") / inp.fx_rate  # freight and insurance off
    first = document_lines(result)[0]
    assert first.unit_price == D("2390.00")
