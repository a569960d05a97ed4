"""CSV import (parse and validate every row) and export of customers.

Columns (header row required, order free, unknown columns refused)::

    name,country,industry,status,owner,city,postal_code,address,website,vat_id,
    default_incoterm,default_destination_port,default_currency,payment_terms,notes,
    contact_name,contact_email,contact_phone,contact_job_title,contact_language

Only ``name``, ``country`` and ``industry`` are required. ``country`` is an ISO code (DE)
or an English name (Germany); ``owner`` a username (empty: the importer); ``status``
defaults to lead. The export writes the same columns, so an export can be re-imported.
"""

import csv
import io
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django_countries import countries

from mgtrade.accounts.models import User

from . import selectors
from .models import Contact, Customer, Industry, Status
from .normalize import duplicate_key, normalize_name
from .regions import region_for

CUSTOMER_COLUMNS = [
    "name",
    "country",
    "industry",
    "status",
    "owner",
    "city",
    "postal_code",
    "address",
    "website",
    "vat_id",
    "default_incoterm",
    "default_destination_port",
    "default_currency",
    "payment_terms",
    "notes",
]
CONTACT_COLUMNS = {
    "contact_name": "name",
    "contact_email": "email",
    "contact_phone": "phone",
    "contact_job_title": "job_title",
    "contact_language": "language",
}
COLUMNS = CUSTOMER_COLUMNS + list(CONTACT_COLUMNS)
REQUIRED = ("name", "country", "industry")
MAX_ROWS = 5000
MAX_BYTES = 2 * 1024 * 1024


@dataclass
class ImportRow:
    line: int
    raw: dict[str, str]
    customer_fields: dict[str, Any] = field(default_factory=dict)
    contact_fields: dict[str, Any] = field(default_factory=dict)
    owner: User | None = None
    errors: list[str] = field(default_factory=list)


@dataclass
class ImportPreview:
    rows: list[ImportRow] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)  # whole-file problems

    @property
    def ok(self) -> bool:
        return not self.errors and bool(self.rows) and not any(r.errors for r in self.rows)

    @property
    def error_count(self) -> int:
        return len(self.errors) + sum(1 for r in self.rows if r.errors)


def _nul_error(text: str) -> str | None:
    """The message for a NUL character (PostgreSQL cannot store one), naming its line."""
    at = text.find("\x00")
    if at < 0:
        return None
    line = text.count("\n", 0, at) + 1
    return (
        f"The file contains a NUL character (line {line}), so it is not a text CSV: "
        "save it as CSV UTF-8 and upload it again."
    )


def decode_upload(data: bytes) -> str:
    """UTF-8 (with or without BOM) text without NUL characters; a clear error otherwise."""
    if len(data) > MAX_BYTES:
        raise ValidationError({"file": f"The file is larger than {MAX_BYTES // 1024} KB."})
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ValidationError({"file": "Save the file as CSV UTF-8 and upload it again."}) from None
    error = _nul_error(text)
    if error:
        raise ValidationError({"file": error})
    return text


ALIASES = {"usa": "US", "united states": "US", "uk": "GB", "great britain": "GB", "korea": "KR"}


def _country_code(value: str) -> str | None:
    """An ISO alpha-2 or alpha-3 code, an English name (old or new: Turkey, Türkiye) or alias."""
    value = value.strip()
    if not value:
        return None
    if len(value) in (2, 3) and value.isalpha():
        code = countries.alpha2(value.upper())
        if code:
            return code
    return countries.by_name(value, insensitive=True) or ALIASES.get(value.casefold()) or None


def _choice(value: str, choices) -> str | None:
    value = value.strip()
    for key, label in choices:
        if value.lower() in (key.lower(), str(label).lower()):
            return key
    return None


def _rows(reader: csv.DictReader, preview: ImportPreview) -> Iterator[dict[str, str]]:
    """The reader's rows; a malformed one (a cell over the CSV module's field limit, an
    unclosed quote) ends the file with a whole-file error naming its line."""
    while True:
        try:
            yield next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            line, message = reader.line_num, str(exc)
            if "field larger than field limit" in message:
                # raised before the line is counted
                line, message = (
                    line + 1,
                    f"a cell is longer than {csv.field_size_limit():,} characters",
                )
            preview.errors.append(f"Line {line}: {message}; nothing was imported.")
            return


def _unquote(cell: str) -> str:
    """Undo the export's formula guard: ``'=x`` → ``=x`` (only before a trigger character)."""
    if cell[:1] == "'" and cell[1:2] in FORMULA_TRIGGERS:
        return cell[1:]
    return cell


def import_parse(*, text: str, by: User) -> ImportPreview:
    """Validate every row of a customers CSV without writing anything."""
    preview = ImportPreview()
    nul = _nul_error(text)
    if nul:
        preview.errors.append(nul)
        return preview
    reader = csv.DictReader(io.StringIO(text))
    try:
        fieldnames = reader.fieldnames
    except csv.Error as exc:
        preview.errors.append(f"Line 1: {exc}.")
        return preview
    header = [h.strip() for h in (fieldnames or [])]
    if not header:
        preview.errors.append("The file is empty: it needs a header row and at least one row.")
        return preview
    reader.fieldnames = header
    unknown = [h for h in header if h not in COLUMNS]
    missing = [h for h in REQUIRED if h not in header]
    if unknown:
        preview.errors.append(
            f"Unknown columns: {', '.join(unknown)}. Allowed: {', '.join(COLUMNS)}."
        )
    if missing:
        preview.errors.append(f"Missing required columns: {', '.join(missing)}.")
    if preview.errors:
        return preview
    owners = {u.username.lower(): u for u in selectors.owner_choices()}
    seen_names: dict[tuple[str, str], int] = {}
    seen_emails: dict[str, int] = {}
    checks: list[tuple[ImportRow, str, str, str, str | None, list[str]]] = []
    for raw in _rows(reader, preview):
        line = reader.line_num
        if len(preview.rows) >= MAX_ROWS:
            preview.errors.append(f"At most {MAX_ROWS} rows per file; split it.")
            break
        raw = {k: _unquote((v or "").strip()) for k, v in raw.items() if k and isinstance(v, str)}
        if not any(raw.values()):
            continue
        row = ImportRow(line=line, raw=raw)
        preview.rows.append(row)
        _parse_row(row=row, by=by, owners=owners)
        if row.errors:
            continue
        name, country = row.customer_fields["name"], row.customer_fields["country"]
        key = (duplicate_key(name), country)
        in_file = []
        if key in seen_names:
            in_file.append(f"Same company as line {seen_names[key]} of this file.")
        seen_names.setdefault(key, line)
        email = row.contact_fields.get("email") or None
        if email:
            if email in seen_emails:
                in_file.append(f"Contact email also on line {seen_emails[email]}.")
            seen_emails.setdefault(email, line)
        checks.append((row, normalize_name(name), key[0], country, email, in_file))
    # What exists already: two queries for the whole file (not two per row).
    existing = selectors.customers_matching_names(
        keys=[(normalized, dup, country) for _, normalized, dup, country, _, _ in checks]
    )
    used = selectors.contacts_by_emails(emails=[c[4] for c in checks if c[4]])
    for row, normalized, dup, country, email, in_file in checks:
        same_file_name = [e for e in in_file if e.startswith("Same company")]
        row.errors.extend(same_file_name)
        match = existing.get(("name", normalized, country)) or existing.get(("key", dup, country))
        if match:
            row.errors.append(
                f"Duplicate: customer #{match.pk} “{match.name}” already exists in "
                f"{match.country.name}."
            )
        row.errors.extend(e for e in in_file if e not in same_file_name)
        if email and email in used:
            row.errors.append(
                f"Contact email {email} is already used at customer #{used[email].customer_id}."
            )
    if not preview.rows and not preview.errors:
        preview.errors.append("The file has a header but no rows.")
    return preview


def _parse_row(*, row: ImportRow, by: User, owners: dict[str, User]) -> None:
    raw, errors = row.raw, row.errors
    for column in REQUIRED:
        if not raw.get(column):
            errors.append(f"{column} is required.")
    fields: dict[str, Any] = {c: raw.get(c, "") for c in CUSTOMER_COLUMNS if c != "owner"}
    if raw.get("country"):
        code = _country_code(raw["country"])
        if code is None:
            errors.append(f"Unknown country “{raw['country']}” (use an ISO code like DE).")
        fields["country"] = code or ""
    if raw.get("industry"):
        fields["industry"] = _choice(raw["industry"], Industry.choices) or ""
        if not fields["industry"]:
            errors.append(f"Unknown industry “{raw['industry']}”.")
    fields["status"] = _choice(raw.get("status") or "lead", Status.choices) or ""
    if not fields["status"]:
        errors.append(f"Unknown status “{raw.get('status')}” (lead, prospect, active, dormant).")
    for key in ("default_incoterm", "default_destination_port", "default_currency"):
        fields[key] = fields[key].upper()
    username = raw.get("owner", "").lower()
    row.owner = owners.get(username) if username else by
    if row.owner is None:
        errors.append(f"Unknown owner “{raw['owner']}” (a rep's or manager's username).")
    row.customer_fields = fields
    if not errors:
        customer = Customer(owner=row.owner, **fields)
        customer.normalized_name = normalize_name(customer.name)
        customer.duplicate_key = duplicate_key(customer.name)
        customer.region = region_for(customer.country)
        try:
            # the country is already a code django-countries knows (_country_code); its
            # choices check costs more than the rest of the row
            customer.full_clean(exclude=["owner", "country"])
        except ValidationError as exc:
            errors.extend(f"{k}: {' '.join(v)}" for k, v in exc.message_dict.items())
    contact = {target: raw.get(column, "") for column, target in CONTACT_COLUMNS.items()}
    if any(contact.values()):
        contact["email"] = contact["email"].lower()
        if not contact["name"]:
            errors.append("contact_name is required when other contact columns are given.")
        try:
            Contact(**contact).full_clean(exclude=["customer"], validate_constraints=False)
        except ValidationError as exc:
            errors.extend(
                f"contact_{k}: {' '.join(v)}"
                for k, v in exc.message_dict.items()
                if not (k == "name" and not contact["name"])
            )
        row.contact_fields = contact


def export_rows(*, customers: QuerySet[Customer]) -> Iterator[list[str]]:
    """The header, then one row per customer with its primary contact (chunks of 2000)."""
    yield COLUMNS
    qs = customers.select_related("owner").prefetch_related(None)
    batch: list[Customer] = []
    for customer in qs.iterator(chunk_size=2000):
        batch.append(customer)
        if len(batch) == 2000:
            yield from _export_batch(batch)
            batch = []
    yield from _export_batch(batch)


def _export_batch(batch: Iterable[Customer]) -> Iterator[list[str]]:
    batch = list(batch)
    primary = {
        c.customer_id: c
        for c in Contact.objects.filter(customer__in=[c.pk for c in batch], is_primary=True)
    }
    for customer in batch:
        row = [
            str(customer.owner.username if column == "owner" else getattr(customer, column))
            for column in CUSTOMER_COLUMNS
        ]
        contact = primary.get(customer.pk)
        row += [
            getattr(contact, target, "") if contact else "" for target in CONTACT_COLUMNS.values()
        ]
        yield row


class Echo:
    def write(self, value: str) -> str:
        return value


# OWASP "CSV Injection": a cell starting with one of these may be run as a formula.
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


def _safe(cell: str) -> str:
    """Keep spreadsheet apps from running a cell as a formula (CSV injection, OWASP).

    Every cell starting with a trigger gets a leading ``'``, numbers included
    (``-5``, ``+49 40 …``): the export has no numeric columns, and a number that looks
    like ``-1+1`` is exactly how ``-1+1+cmd|' /C calc'!A0`` got through before. The
    import removes that one quote again, so an export re-imports unchanged.
    """
    if cell[:1] in FORMULA_TRIGGERS:
        return "'" + cell
    return cell


def csv_lines(rows: Iterable[list[str]]) -> Iterator[str]:
    writer = csv.writer(Echo())
    for row in rows:
        yield writer.writerow([_safe(str(cell)) for cell in row])
