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


# ---------------------------------------------------------------- a capped or floored MPF

US_PORT = replace(WORKED.destination_port, code="USHOU", country="US", name="Houston")


def _mpf(basis: str, rate: D, low: D | None = None, high: D | None = None):
    from pricing.engine import TariffRuleData

    return TariffRuleData(
        destination="US",
        hs_prefix="8104",
        kind="entry_fee",
        rate_percent=rate,
        basis=basis,
        min_usd_per_entry=low,
        max_usd_per_entry=high,
    )


@st.composite
def capped_ddp(draw):
    """A DDP quote into the US from ``inputs`` whose MPF total hits its maximum or its
    minimum (the limit drawn as a share or a multiple of the uncapped fee total), beside
    the drawn duties."""
    inp = draw(inputs)
    inp = replace(
        inp,
        incoterm="DDP",
        tariff_absorption_percent=D("0"),
        destination_port=US_PORT,
        currency=draw(st.sampled_from(["EUR", "USD"])),
    )
    basis = draw(st.sampled_from(["FOB", "CIF"]))
    rate = draw(st.sampled_from([D("0.3464"), D("1.5"), D("12")]))
    uncapped = replace(inp, tariff_rules=(*inp.tariff_rules, _mpf(basis, rate)))
    try:
        result = price(uncapped)
    except PricingError:
        assume(False)
    raw_total = sum(d.amount for d in result.duty_lines if d.kind == "entry_fee")
    assume(raw_total > 0)
    branch = draw(st.sampled_from(["max", "min"]))
    if branch == "max":
        limit = (raw_total * draw(st.decimals("0.05", "0.95", places=2))).quantize(CENT)
        fee = _mpf(basis, rate, high=limit)
    else:
        limit = max(CENT, (raw_total * draw(st.decimals("1.05", "20", places=2))).quantize(CENT))
        fee = _mpf(basis, rate, low=limit)
    return replace(inp, tariff_rules=(*inp.tariff_rules, fee)), branch


@FAST
@given(case=capped_ddp())
def test_fob_to_term_price_and_back_within_a_cent_when_the_mpf_hits_its_limit(case):
    """The closed form solved per branch of the per-entry fee: FOB → term price (4
    decimals) → FOB returns within 0.01/MT when the entry's fee is its maximum or minimum."""
    inp, _branch = case
    assume(inp.fx_rate >= D("0.1"))
    for index, line in enumerate(inp.lines):
        assume(line.discount_percent <= 90)
        term = term_price_from_fob(inp, index, line.unit_price_usd_per_mt).quantize(D("0.0001"))
        assume(term > 0)
        back = fob_from_term_price(inp, index, term)
        assert abs(back - line.unit_price_usd_per_mt) <= CENT


@FAST
@given(case=capped_ddp())
def test_the_term_price_includes_the_fee_the_engine_charges(case):
    """term_price_from_fob agrees with the priced quote: the lines' term values at their
    FOB prices add up to the USD quote total (to the cents of its rounded parts)."""
    inp, branch = case
    result = priced(inp)
    fees = sum(d.amount for d in result.duty_lines if d.kind == "entry_fee")
    rule = next(r for r in inp.tariff_rules if r.kind == "entry_fee")
    limit = rule.max_usd_per_entry if branch == "max" else rule.min_usd_per_entry
    assert abs(fees - limit) <= CENT * len(inp.lines)  # each line's share rounded once
    usd_fx = replace(inp, fx_rate=D("1"))
    total = sum(
        term_price_from_fob(usd_fx, i, line.unit_price_usd_per_mt) * line.quantity_mt
        for i, line in enumerate(inp.lines)
    )
    # each shown amount is rounded once: the duty lines, goods, freight, insurance, charges
    slack = CENT * (4 + len(inp.lines) * (1 + len(inp.tariff_rules)))
    assert abs(total - result.usd.quote_total) <= slack


@FAST
@given(case=capped_ddp())
def test_netback_lines_under_a_capped_mpf_are_found_together(case):
    """Every line entered at a term price: the entry's limit is shared by the lines, so a
    line's fee depends on the others' prices and the lines are derived together. Each
    derived FOB price (to the cent) is the cent nearest the solution: at it, with the other
    lines at theirs, the line's term price is within half a cent's move of the one entered."""
    inp, _branch = case
    assume(all(line.discount_percent <= 90 for line in inp.lines))
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
    half = D("0.005")
    for index, (line, term) in enumerate(zip(derived.lines, terms, strict=True)):
        fob = line.unit_price_usd_per_mt
        at = term_price_from_fob(derived, index, fob)
        move = max(
            abs(term_price_from_fob(derived, index, fob + half) - at),
            abs(term_price_from_fob(derived, index, fob - half) - at),
        )
        assert abs(at - term) <= move * D("1.0001") + D("1e-9")
    result = priced(netback)
    assert sum(d.amount for d in document_lines(result)) == result.quote_currency.quote_total


def test_a_capped_mpf_netback_line_round_trips_to_the_cent():
    """The issue's case: a DDP quote whose MPF hits its maximum; a netback line at the term
    price of USD 2,450.00/MT FOB gives back 2,450.00 (the uncapped closed form was off)."""
    inp = replace(
        WORKED,
        incoterm="DDP",
        destination_port=US_PORT,
        currency="USD",
        fx_rate=D("1"),
        tariff_rules=(_mpf("FOB", D("0.3464"), high=D("538.40")),),
    )
    fees = [d.amount for d in price(inp).duty_lines]
    assert sum(fees) == D("538.40")  # capped: the raw fee is 630.62
    first = inp.lines[0]
    term = term_price_from_fob(inp, 0, first.unit_price_usd_per_mt).quantize(CENT)
    netback = replace(inp, lines=(replace(first, term_price_per_mt=term), *inp.lines[1:]))
    result = price(netback)
    assert result.lines[0].unit_price_usd_per_mt == first.unit_price_usd_per_mt
    # the uncapped closed form (the fee at its plain rate) misses it by cents per MT
    k, c = _term_linear(inp, 0)
    net = (100 - first.discount_percent) / 100
    plain = ((term * first.quantity_mt - c) / k / (first.quantity_mt * net)).quantize(CENT)
    assert plain != first.unit_price_usd_per_mt
