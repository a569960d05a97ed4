"""The exporter's signature block on its quotations (``CompanyProfile``, managed by admins).

``company_profile_update`` is the one write (the admin saves through it);
``seller_document_context`` is what a quotation prints: ``company_context()`` (name,
address, contact from the settings) with the profile's signatory, manufacturer and country
of origin, and the stamp image read **through the storage** (local disk or S3) as a
``data:`` URI. The PDF renderer's fetcher accepts ``data:`` URIs and nothing from the
network, and the URI travels inside the document frozen at send time, so re-rendering a
sent quotation prints the stamp it was sent with, whatever the profile says later.
"""

from __future__ import annotations

import base64
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction

from mgtrade.accounts.models import User
from quotes.models import STAMP_FORMATS, CompanyProfile, stamp_image_format

from .pdf import company_context

PROFILE_FIELDS = ("signatory_name", "signatory_title", "manufacturer", "country_of_origin")


def company_profile_get() -> CompanyProfile | None:
    return CompanyProfile.objects.filter(singleton=True).first()


def company_profile_update(
    *,
    by: User | None,
    stamp: bytes | None = None,
    stamp_name: str = "stamp.png",
    clear_stamp: bool = False,
    **fields: Any,
) -> CompanyProfile:
    """Create or change the one profile: text fields, and a new stamp image (its bytes,
    checked: PNG or JPEG, at most 256 KB and 2,000 px a side) or none (``clear_stamp``).
    The old image stays in the storage: sent quotations carry their own copy anyway."""
    unknown = set(fields) - set(PROFILE_FIELDS)
    if unknown:
        raise TypeError(f"Unknown fields for CompanyProfile: {sorted(unknown)}")
    stored = _stamp_store(stamp, stamp_name) if stamp is not None else None
    return _profile_save(by=by, fields=fields, stamp=stored, clear_stamp=clear_stamp)


def _stamp_store(stamp: bytes, name: str) -> str:
    """Check the image and store it, before the row is locked: a storage write (S3 in
    production) never runs inside the transaction. Returns the stored name."""
    try:
        kind = stamp_image_format(stamp)
    except ValidationError as exc:
        raise ValidationError({"stamp": exc.messages}) from None
    extension = "png" if kind == "PNG" else "jpg"
    base = (name.rsplit(".", 1)[0] or "stamp")[:60]
    field = CompanyProfile._meta.get_field("stamp")
    return field.storage.save(
        field.generate_filename(None, f"{base}.{extension}"), ContentFile(stamp)
    )


@transaction.atomic
def _profile_save(
    *, by: User | None, fields: dict[str, Any], stamp: str | None, clear_stamp: bool
) -> CompanyProfile:
    profile = CompanyProfile.objects.select_for_update().filter(singleton=True).first()
    if profile is None:
        profile = CompanyProfile()
    for name, value in fields.items():
        setattr(profile, name, (value or "").strip())
    if stamp is not None:
        profile.stamp = stamp
    elif clear_stamp:
        profile.stamp = ""
    profile.updated_by = by
    # The image was checked from its bytes (_stamp_store): the field's validator would read
    # the stored file back through the storage inside this transaction.
    profile.full_clean(exclude=["stamp"])
    profile.save()
    return profile


def stamp_data_uri(profile: CompanyProfile | None) -> str:
    """The profile's stamp as a ``data:`` URI read through the storage ("" if none, or if
    the stored file is missing or no longer a PNG/JPEG: the document then prints an empty
    box for a hand stamp rather than fail)."""
    if profile is None or not profile.stamp:
        return ""
    try:
        with profile.stamp.storage.open(profile.stamp.name, "rb") as handle:
            data = handle.read()
        kind = stamp_image_format(data)
    except (OSError, ValidationError):
        return ""
    return f"data:{STAMP_FORMATS[kind]};base64,{base64.b64encode(data).decode('ascii')}"


def seller_document_context() -> dict[str, Any]:
    """``company`` for a quotation: the settings' company with the admin-managed signature
    block (signatory, stamp image as a ``data:`` URI, manufacturer, country of origin; the
    settings' values where the profile is empty)."""
    company = company_context()
    profile = company_profile_get()
    company["signatory_name"] = profile.signatory_name if profile else ""
    company["signatory_title"] = profile.signatory_title if profile else ""
    company["stamp_data_uri"] = stamp_data_uri(profile)
    if profile and profile.manufacturer:
        company["manufacturer"] = profile.manufacturer
    if profile and profile.country_of_origin:
        company["country_of_origin"] = profile.country_of_origin
    return company
