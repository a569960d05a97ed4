"""The amounts filters format for the reader: house format in English, CLDR elsewhere."""

from decimal import Decimal

import pytest
from django.template import Context, Template
from django.utils import translation

from mgtrade.i18n import babel_locale, buyer_language

NBSP = "\u00a0"


def render(source: str, language: str, **context) -> str:
    with translation.override(language):
        return Template("{% load amounts %}" + source).render(Context(context))


@pytest.mark.parametrize(
    ("language", "currency", "value", "expected"),
    [
        ("en", "EUR", "1099.98", f"EUR{NBSP}1,099.98"),
        ("de", "EUR", "1099.98", f"1.099,98{NBSP}€"),
        ("ja", "JPY", "1099.5", "￥1,100"),
        ("pt-br", "BRL", "1099.98", f"R${NBSP}1.099,98"),
        ("tr", "EUR", "1099.98", "€1.099,98"),
        ("ko", "KRW", "1234567.4", "₩1,234,567"),
        ("de", "USD", "0.005", f"0,01{NBSP}$"),  # half-up, as the engine rounds
        ("de", "EUR", "-0.001", f"0,00{NBSP}€"),  # never "-0,00"
    ],
)
def test_money_follows_the_readers_locale_and_keeps_the_currency(
    language, currency, value, expected
):
    assert render("{{ v|money:c }}", language, v=Decimal(value), c=currency) == expected


def test_numbers_and_percent_use_the_locales_separators():
    assert render("{{ q|quantity }}", "de", q=Decimal("1250")) == "1.250,000"
    assert render("{{ q|quantity }}", "en", q=Decimal("1250")) == "1,250.000"
    assert render("{{ p|percent }}", "de", p=Decimal("108.26")) == f"108,26{NBSP}%"
    assert render("{{ p|percent }}", "en", p=Decimal("5.30")) == f"5.3{NBSP}%"
    assert render("{{ a|amount:'JPY' }}", "ja", a=Decimal("1234567.5")) == "1,234,568"


def test_a_float_still_refuses_to_render_in_any_language():
    with pytest.raises(ValueError):
        render("{{ v|money:'EUR' }}", "de", v=1.5)


@pytest.mark.parametrize(
    ("contact", "expected"),
    [
        ("de", "de"),
        ("de-at", "de"),
        ("pt", "pt-br"),
        ("pt-br", "pt-br"),
        ("zh-hans", "zh-hans"),
        ("ja", "ja"),
        ("nl", "en"),  # no Dutch catalogue: English, the language of trade documents
        ("", "en"),
        (None, "en"),
    ],
)
def test_the_buyers_language_comes_from_the_contact(contact, expected):
    assert buyer_language(contact_language=contact) == expected


def test_the_reps_override_wins_and_an_unknown_one_is_refused():
    assert buyer_language(contact_language="de", override="tr") == "tr"
    with pytest.raises(ValueError, match="not one of"):
        buyer_language(contact_language="de", override="xx")


def test_english_has_no_babel_locale():
    assert babel_locale("en") is None
    assert babel_locale("pt-br") == "pt_BR"
