"""CSV import and export of tariff rules (docs/tariff-watch.md).

Columns (header row required, order free, unknown columns refused)::

    id,destination,origin_country,hs_prefix,kind,rate_percent,specific_usd_per_mt,basis,
    transport_mode,min_usd_per_entry,max_usd_per_entry,valid_from,valid_to,effective_from,
    legal_citation,source_note,verified_on

``kind`` is a duty kind or a fee kind (``entry_fee``, ``port_fee``); ``min_usd_per_entry``
and ``max_usd_per_entry`` are a per-entry fee's limits and ``transport_mode`` the one mode a
rule applies to (``ocean`` for the harbor maintenance fee). Like ``valid_to``, these three
columns, when present, say the whole truth: an empty cell is "none" (no limit, any mode),
so a change to an existing rule can remove a limit; leave the column out to keep them.

A row without ``id`` adds a rule; a row with the ``id`` of an existing rule changes it
through ``services.tariff_rule_change`` (text in place, an earlier ``valid_to`` ends it,
other figures need ``effective_from`` and make a new version). ``verified_on`` on a new
rule, or a later date on an existing one, records the importer as the verifier. An
exported file imports again as "unchanged" row by row.

All or nothing: every row is applied inside one transaction, each in its own savepoint so
every row's errors are collected; the preview rolls the whole transaction back, the import
rolls it back unless every row succeeded.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction

from mgtrade.accounts.models import User

from . import services
from .models import DutyBasis, TariffKind, TariffRule, TransportMode

COLUMNS = [
    "id",
    "destination",
    "origin_country",
    "hs_prefix",
    "kind",
    "rate_percent",
    "specific_usd_per_mt",
    "basis",
    "transport_mode",
    "min_usd_per_entry",
    "max_usd_per_entry",
    "valid_from",
    "valid_to",
    "effective_from",
    "legal_citation",
    "source_note",
    "verified_on",
]
NEW_RULE_REQUIRED = (
    "destination",
    "hs_prefix",
    "kind",
    "basis",
    "valid_from",
    "legal_citation",
    "source_note",
)
MAX_ROWS = 2000
MAX_BYTES = 2 * 1024 * 1024


@dataclass
class RuleImportRow:
    line: int
    raw: dict[str, str]
    action: str = ""  # "add", "new version", "end", "text", "verify", "unchanged"
    detail: str = ""
    errors: list[str] = field(default_factory=list)


@dataclass
class RuleImportResult:
    rows: list[RuleImportRow] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)  # whole-file problems
    applied: bool = False

    @property
    def ok(self) -> bool:
        return not self.errors and bool(self.rows) and not any(r.errors for r in self.rows)

    @property
    def error_count(self) -> int:
        return len(self.errors) + sum(1 for r in self.rows if r.errors)


class _Rollback(Exception):
    pass


def decode_upload(data: bytes) -> str:
    if len(data) > MAX_BYTES:
        raise ValidationError({"file": f"The file is larger than {MAX_BYTES // 1024} KB."})
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ValidationError({"file": "Save the file as CSV UTF-8 and upload it again."}) from None


def _date(raw: dict[str, str], name: str, errors: list[str]) -> date | None:
    value = raw.get(name, "")
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        errors.append(f"{name}: “{value}” is not a date like 2026-07-24.")
        return None


def _decimal(raw: dict[str, str], name: str, errors: list[str]) -> Decimal | None:
    value = raw.get(name, "")
    if not value:
        return None
    try:
        number = Decimal(value.replace(",", ""))
    except InvalidOperation:
        errors.append(f"{name}: “{value}” is not a number.")
        return None
    if not number.is_finite():
        errors.append(f"{name}: “{value}” is not a number.")
        return None
    return number


def _choice(value: str, choices) -> str | None:
    value = value.strip()
    for key, label in choices:
        if value.lower() in (str(key).lower(), str(label).lower()):
            return key
    return None


def _fields(raw: dict[str, str], errors: list[str]) -> dict[str, Any]:
    """The row's given fields as model values (absent or empty columns are left out)."""
    out: dict[str, Any] = {}
    for name in ("destination", "origin_country"):
        if raw.get(name):
            out[name] = raw[name].upper()
    if raw.get("hs_prefix"):
        out["hs_prefix"] = raw["hs_prefix"].replace(".", "")
    if raw.get("kind"):
        kind = _choice(raw["kind"], TariffKind.choices)
        if kind is None:
            errors.append(f"kind: unknown “{raw['kind']}” ({', '.join(TariffKind.values)}).")
        else:
            out["kind"] = kind
    if raw.get("basis"):
        basis = _choice(raw["basis"], DutyBasis.choices)
        if basis is None:
            errors.append(f"basis: unknown “{raw['basis']}” (CIF or FOB).")
        else:
            out["basis"] = basis
    for name in ("rate_percent", "specific_usd_per_mt"):
        number = _decimal(raw, name, errors)
        if number is not None:
            out[name] = number
    # present columns are the whole truth: empty is "no limit" / "any mode"
    for name in ("min_usd_per_entry", "max_usd_per_entry"):
        if name in raw:
            out[name] = _decimal(raw, name, errors)
    if "transport_mode" in raw:
        mode = (
            _choice(raw["transport_mode"], TransportMode.choices) if raw["transport_mode"] else ""
        )
        if mode is None:
            errors.append(
                f"transport_mode: unknown “{raw['transport_mode']}” "
                f"({', '.join(TransportMode.values)}, or empty for any mode)."
            )
        else:
            out["transport_mode"] = mode
    for name in ("valid_from", "valid_to"):
        if name in raw:
            value = _date(raw, name, errors)
            if value is not None or name == "valid_to":
                out[name] = value
    for name in ("legal_citation", "source_note"):
        if raw.get(name):
            out[name] = raw[name]
    return out


def _apply_row(row: RuleImportRow, by: User) -> None:
    raw, errors = row.raw, row.errors
    fields = _fields(raw, errors)
    effective_from = _date(raw, "effective_from", errors)
    verified_on = _date(raw, "verified_on", errors)
    if errors:
        return
    if not raw.get("id"):
        missing = [name for name in NEW_RULE_REQUIRED if not raw.get(name)]
        if missing:
            errors.append(f"A new rule needs {', '.join(missing)}.")
            return
        if effective_from is not None:
            errors.append("effective_from is for changing an existing rule (give its id).")
            return
        fields.setdefault("origin_country", "CN")
        fields.setdefault("valid_to", None)
        services.tariff_rule_create(by=by, verified_on=verified_on, **fields)
        row.action, row.detail = "add", f"from {fields['valid_from']}"
        return
    try:
        rule = TariffRule.objects.get(pk=int(raw["id"]))
    except (ValueError, TariffRule.DoesNotExist):
        errors.append(f"id: no tariff rule #{raw['id']}.")
        return
    if "valid_to" not in raw:
        fields.pop("valid_to", None)
    plan = services.tariff_rule_change_plan(rule=rule, effective_from=effective_from, **fields)
    changed = plan.kind != "text" or plan.text
    after = rule
    if changed:
        after = services.tariff_rule_change(
            rule=rule, by=by, effective_from=effective_from, **fields
        )
    verify = verified_on is not None and (
        after.verified_on is None or verified_on > after.verified_on
    )
    if verify:
        services.tariff_rule_verify(rule=after, by=by, on=verified_on)
    if plan.kind == "changed":
        row.action, row.detail = "new version", f"#{after.pk} from {plan.effective_on}"
    elif plan.kind == "ended":
        row.action, row.detail = "end", f"last day {plan.effective_on - timedelta(days=1)}"
    elif plan.text:
        row.action, row.detail = "text", ", ".join(plan.text)
    elif verify:
        row.action, row.detail = "verify", str(verified_on)
    else:
        row.action = "unchanged"


def tariff_rules_import(*, text: str, by: User, commit: bool) -> RuleImportResult:
    """Check (``commit=False``: the preview) or import every row; all or nothing."""
    result = RuleImportResult()
    reader = csv.DictReader(io.StringIO(text))
    header = [h.strip() for h in (reader.fieldnames or [])]
    if not header:
        result.errors.append("The file is empty: it needs a header row and at least one row.")
        return result
    reader.fieldnames = header
    unknown = [h for h in header if h not in COLUMNS]
    if unknown:
        result.errors.append(
            f"Unknown columns: {', '.join(unknown)}. Allowed: {', '.join(COLUMNS)}."
        )
        return result
    rows = []
    for raw in reader:
        raw = {k: (v or "").strip() for k, v in raw.items() if k}
        if not any(raw.values()):
            continue
        if len(rows) >= MAX_ROWS:
            result.errors.append(f"At most {MAX_ROWS} rows per file; split it.")
            return result
        rows.append(RuleImportRow(line=reader.line_num, raw=raw))
    if not rows:
        result.errors.append("The file has a header but no rows.")
        return result
    result.rows = rows
    try:
        with transaction.atomic():
            for row in rows:
                try:
                    with transaction.atomic():
                        _apply_row(row, by)
                        if row.errors:
                            raise _Rollback
                except _Rollback:
                    pass
                except ValidationError as exc:
                    row.errors.extend(
                        f"{name}: {' '.join(messages)}" if name != "__all__" else " ".join(messages)
                        for name, messages in exc.message_dict.items()
                    )
            if not commit or not result.ok:
                raise _Rollback
    except _Rollback:
        return result
    result.applied = True
    return result


def export_rows(*, rules: Iterable[TariffRule]) -> Iterator[list[str]]:
    """The header, then one row per rule (``effective_from`` empty)."""
    yield COLUMNS
    for rule in rules:
        yield [
            str(rule.pk),
            rule.destination,
            rule.origin_country.code,
            rule.hs_prefix,
            rule.kind,
            str(rule.rate_percent),
            str(rule.specific_usd_per_mt),
            rule.basis,
            rule.transport_mode,
            "" if rule.min_usd_per_entry is None else str(rule.min_usd_per_entry),
            "" if rule.max_usd_per_entry is None else str(rule.max_usd_per_entry),
            rule.valid_from.isoformat(),
            rule.valid_to.isoformat() if rule.valid_to else "",
            "",
            rule.legal_citation,
            rule.source_note,
            rule.verified_on.isoformat() if rule.verified_on else "",
        ]
