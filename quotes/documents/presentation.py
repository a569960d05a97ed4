"""How the buyer's document groups what the context lists: pure functions, no ORM.

The context (``quotes/documents/context.py``, frozen with each sent version) keeps one entry
per quote line; the printed document reads better, and lays out faster, grouped:

- ``duty_groups``: one duty row per HS code and adjustment (the lines of one grade share
  their tariff), each distinct legal citation printed once as a numbered note;
- ``spec_tables``: the grades' certified limits as one element-by-grade matrix (at most
  ``SPEC_GRADES_PER_TABLE`` grades side by side), the way mills print a composition table;
- ``packing_groups``: each packing text once, with the grades it applies to.

They run at render time (template filters in ``quotes.templatetags.documents``), so
versions sent before the grouping existed print the same way.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

SPEC_GRADES_PER_TABLE = 5


def _unique(values: list[str]) -> list[str]:
    return list(dict.fromkeys(v for v in values if v))


def duty_groups(duties: list[dict[str, Any]]) -> dict[str, list]:
    """``{"rows": [...], "references": [str, ...]}``: duty rows summed per HS code, kind,
    rate, basis and citation (customs values and amounts added up, so the rows still add up
    to the duties total); ``row["note"]`` is the 1-based number of its citation in
    ``references`` (``None`` without one)."""
    references: list[str] = []
    rows: dict[tuple, dict[str, Any]] = {}
    for duty in duties:
        reference = duty.get("reference") or ""
        key = (
            duty.get("hs_code", ""),
            duty.get("kind", ""),
            duty.get("kind_label", ""),
            duty.get("rate_percent"),
            duty.get("specific_usd_per_mt"),
            duty.get("basis", ""),
            reference,
        )
        row = rows.get(key)
        if row is None:
            if reference and reference not in references:
                references.append(reference)
            row = rows[key] = {
                **{k: v for k, v in duty.items() if k not in ("grade", "reference")},
                "grades": [],
                "customs_value": Decimal("0"),
                "amount": Decimal("0"),
                "note": references.index(reference) + 1 if reference else None,
            }
        row["grades"].append(duty.get("grade", ""))
        row["customs_value"] += Decimal(duty.get("customs_value") or 0)
        row["amount"] += Decimal(duty.get("amount") or 0)
    for row in rows.values():
        row["grades"] = ", ".join(_unique(row["grades"]))
    return {"rows": list(rows.values()), "references": references}


def limit_text(minimum: Decimal | None, maximum: Decimal | None) -> str:
    """``8.5–9.5``, ``≥ 99.90``, ``≤ 0.005`` or ``–`` (the grade sets no limit)."""
    if minimum is not None and maximum is not None:
        return f"{minimum}–{maximum}"
    if minimum is not None:
        return f"≥ {minimum}"
    if maximum is not None:
        return f"≤ {maximum}"
    return "–"


def spec_tables(
    specifications: list[dict[str, Any]], *, per_table: int = SPEC_GRADES_PER_TABLE
) -> list[dict[str, Any]]:
    """The specifications as element-by-grade tables: ``[{"grades": [spec, ...], "rows":
    [{"element": "Al", "cells": ["8.5–9.5", "–", ...]}]}]``, elements in the order the
    grades list them (magnesium first), ``per_table`` grades per table."""
    tables = []
    for start in range(0, len(specifications), per_table):
        grades = specifications[start : start + per_table]
        elements = _unique([lim["element"] for spec in grades for lim in spec["limits"]])
        elements.sort(key=lambda element: element != "Mg")  # stable: Mg first, rest as listed
        by_grade = [{lim["element"]: lim for lim in spec["limits"]} for spec in grades]
        rows = [
            {
                "element": element,
                "cells": [
                    limit_text(lim.get("min_percent"), lim.get("max_percent"))
                    if (lim := limits.get(element))
                    else "–"
                    for limits in by_grade
                ],
            }
            for element in elements
        ]
        tables.append({"grades": grades, "rows": rows})
    return tables


def packing_groups(lines: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """``[{"grades": "Mg9990, AZ91D", "packing": "7.5 kg ingots, …", "every_line": False}]``:
    each packing text once, with the grades packed that way, in the order of the lines;
    ``every_line`` when one packing applies to all the lines."""
    groups: dict[str, list[str]] = {}
    for line in lines:
        if line.get("packing"):
            groups.setdefault(line["packing"], []).append(line.get("grade", ""))
    every_line = len(groups) == 1 and all(line.get("packing") for line in lines)
    return [
        {"grades": ", ".join(_unique(g)), "packing": p, "every_line": every_line}
        for p, g in groups.items()
    ]
