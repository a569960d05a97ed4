"""Grade texts a buyer reads, per language (django-modeltranslation; docs/i18n.md).

The name and the form/packing texts print on the buyer's documents; the English column is
the required source and the fallback. The standard (``GB/T 3499 Mg9990``), codes and
limits are references and stay as they are in every language.
"""

from modeltranslation.translator import TranslationOptions, register

from .models import Product


@register(Product)
class ProductTranslationOptions(TranslationOptions):
    fields = ("name", "form", "packaging")
    required_languages = ("en",)
