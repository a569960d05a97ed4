"""Per-language master data in snapshots (django-modeltranslation; docs/i18n.md).

A document copies what it prints, so it never changes when an admin edits a grade, a terms
template or a bank account. For a buyer in another language the copy holds every
language's text, not only the English: ``translated_texts`` collects them from the
model's ``<field>_<lang>`` columns into ``{"de": {"instructions": "…"}, …}`` (only the
languages that have text), ``in_language`` reads a snapshot back in one language, English
where that language has none (the same fallback modeltranslation applies to live rows).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from django.db import models
from modeltranslation.utils import build_localized_fieldname

from .i18n import ENGLISH, buyer_languages

TRANSLATIONS = "translations"


def other_languages() -> list[str]:
    """The languages a document may be in besides English (the source)."""
    return [code for code in buyer_languages() if code != ENGLISH]


def field_text(instance: models.Model, field: str, language: str) -> str:
    """The stored text of ``field`` in ``language``, without fallback ("" when none)."""
    value = getattr(instance, build_localized_fieldname(field, language), None)
    return (value or "").strip()


def translated_texts(instance: models.Model, fields: Iterable[str]) -> dict[str, dict[str, str]]:
    """``{language: {field: text}}`` for every non-English language with text."""
    fields = list(fields)
    texts: dict[str, dict[str, str]] = {}
    for language in other_languages():
        found = {f: t for f in fields if (t := field_text(instance, f, language))}
        if found:
            texts[language] = found
    return texts


def missing_fields(instance: models.Model, fields: Iterable[str], language: str) -> list[str]:
    """The fields with English text but none in ``language`` (English will be printed)."""
    if language == ENGLISH:
        return []
    return [
        f
        for f in fields
        if field_text(instance, f, ENGLISH) and not field_text(instance, f, language)
    ]


def in_language(snapshot: Mapping[str, Any] | None, language: str) -> dict[str, Any]:
    """A copy of ``snapshot`` with its texts in ``language`` where it has them."""
    if not snapshot:
        return {}
    result = {k: v for k, v in snapshot.items() if k != TRANSLATIONS}
    result.update((snapshot.get(TRANSLATIONS) or {}).get(language) or {})
    return result


def snapshot_missing(
    snapshot: Mapping[str, Any] | None, fields: Iterable[str], language: str
) -> list[str]:
    """The fields of a snapshot with English text but none in ``language``."""
    if not snapshot or language == ENGLISH:
        return []
    texts = (snapshot.get(TRANSLATIONS) or {}).get(language) or {}
    return [f for f in fields if snapshot.get(f) and not texts.get(f)]


def language_fieldsets(fields: Iterable[str]) -> list[tuple[str, dict[str, Any]]]:
    """Admin fieldsets, one per non-English language, of ``fields``' columns in it
    (collapsed: optional, English is printed where one is empty). The English columns
    (``<field>_en``) sit in the model's own fieldsets."""
    from django.conf import settings
    from django.utils.translation import get_language_info

    native = dict(settings.LANGUAGES)
    fields = list(fields)
    return [
        (
            f"{get_language_info(code)['name']} ({native[code]})",
            {
                "fields": [build_localized_fieldname(f, code) for f in fields],
                "classes": ["collapse"],
                "description": "Optional. Where a text is empty, the English one is printed "
                "and the rep is told before sending.",
            },
        )
        for code in other_languages()
    ]
