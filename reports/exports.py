"""A report table as CSV or XLSX (openpyxl): the same columns and values the page shows."""

from __future__ import annotations

import csv
import io
from datetime import date
from decimal import Decimal

from openpyxl import Workbook

from .selectors import Table

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _cell(value):
    """A cell value: numbers stay numbers; text that a spreadsheet would run as a formula
    is quoted (CSV injection)."""
    if value is None:
        return ""
    if isinstance(value, (int, Decimal, date)):
        return value
    text = str(value)
    return "'" + text if text.startswith(FORMULA_START) else text


def table_csv(table: Table) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([label for _, label in table.columns])
    for row in table.rows:
        writer.writerow([_cell(row.get(key)) for key, _ in table.columns])
    return ("\ufeff" + out.getvalue()).encode("utf-8")  # BOM: Excel reads UTF-8


def table_xlsx(table: Table) -> bytes:
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=table.name[:31])
    sheet.append([label for _, label in table.columns])
    for row in table.rows:
        sheet.append([_cell(row.get(key)) for key, _ in table.columns])
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()
