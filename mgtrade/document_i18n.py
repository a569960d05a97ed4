"""Template tags for what leaves the company in the buyer's language (``{% load document_i18n %}``).

``{% bilingual %}{% translate "Unit price" %}{% endbilingual %}`` prints the label in the
active language and, when the document asks for bilingual labels (``bilingual_labels`` in
the context, for customs brokers and banks that need English) and the language is not
English, the same label again in English beneath it. The English copy is the block rendered
a second time inside ``translation.override("en")``: the strings stay plain
``{% translate %}`` tags, so ``makemessages`` extracts them as usual and nothing is written
twice.
"""

from django import template
from django.utils import translation
from django.utils.html import format_html

from mgtrade.i18n import ENGLISH

register = template.Library()


class BilingualNode(template.Node):
    def __init__(self, nodelist: template.NodeList) -> None:
        self.nodelist = nodelist

    def render(self, context: template.Context) -> str:
        text = self.nodelist.render(context)
        language = translation.get_language() or ENGLISH
        if not context.get("bilingual_labels") or language.split("-")[0] == ENGLISH:
            return text
        with translation.override(ENGLISH):
            english = self.nodelist.render(context)
        if english.strip() == text.strip():
            return text
        return format_html('{}<span class="label-en" lang="en">{}</span>', text, english)


@register.tag
def bilingual(parser: template.base.Parser, token: template.base.Token) -> BilingualNode:
    nodelist = parser.parse(("endbilingual",))
    parser.delete_first_token()
    return BilingualNode(nodelist)
