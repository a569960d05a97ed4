"""``{% bilingual %}``: the buyer's language, with English beneath it when the document asks."""

from django.template import Context, Template
from django.utils import translation

TEMPLATE = Template(
    '{% load i18n document_i18n %}{% bilingual %}{% translate "Date" %}{% endbilingual %}'
)


def render(language: str, *, bilingual: bool) -> str:
    with translation.override(language):
        return TEMPLATE.render(Context({"bilingual_labels": bilingual}))


def test_english_document_prints_the_label_once():
    assert render("en", bilingual=True) == "Date"


def test_without_the_option_only_the_buyers_language():
    assert "label-en" not in render("de", bilingual=False)


def test_bilingual_prints_english_beneath_a_translated_label():
    with translation.override("de"):
        german = translation.gettext("Date")
    html = render("de", bilingual=True)
    if german == "Date":  # no catalogue yet: nothing to add
        assert html == "Date"
    else:
        assert html == f'{german}<span class="label-en" lang="en">Date</span>'
