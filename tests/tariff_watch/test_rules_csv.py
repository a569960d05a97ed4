"""CSV import (preview with row errors, all or nothing) and export of tariff rules."""

import csv
import io
from datetime import date
from decimal import Decimal as D

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from products.models import TariffRule
from products.tariff_csv import COLUMNS, tariff_rules_import

pytestmark = pytest.mark.usefixtures("worked_example_data")

NEW_US = {
    "destination": "US",
    "hs_prefix": "810419",
    "kind": "mfn",
    "rate_percent": "6.5",
    "basis": "FOB",
    "valid_from": "2026-01-01",
    "legal_citation": "HTSUS 8104.19.00",
    "source_note": "htshub, H",
    "verified_on": "2026-11-02",
}


def as_csv(*rows: dict) -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=COLUMNS)
    writer.writeheader()
    for row in rows:
        writer.writerow(row)
    return out.getvalue()


def test_one_bad_row_imports_nothing_and_the_preview_names_it(admin_user):
    change = {
        "id": TariffRule.objects.get(hs_prefix="810411").pk,
        "rate_percent": "6",
        "effective_from": "2027-01-01",
    }
    bad = NEW_US | {"hs_prefix": "81.0", "kind": "tariff"}
    text = as_csv(NEW_US, change, bad)
    before = list(TariffRule.objects.order_by("pk").values())

    result = tariff_rules_import(text=text, by=admin_user, commit=True)

    assert not result.applied and result.error_count == 1
    assert [r.errors == [] for r in result.rows] == [True, True, False]
    assert "kind" in result.rows[2].errors[0]
    assert [r.action for r in result.rows[:2]] == ["add", "new version"]
    assert list(TariffRule.objects.order_by("pk").values()) == before


def test_a_valid_file_imports_every_row(admin_user):
    rule = TariffRule.objects.get(hs_prefix="810411")
    change = {"id": rule.pk, "rate_percent": "6", "effective_from": "2027-01-01"}
    result = tariff_rules_import(text=as_csv(NEW_US, change), by=admin_user, commit=True)
    assert result.applied, [r.errors for r in result.rows]
    added = TariffRule.objects.get(destination="US")
    assert (added.verified_on, added.verified_by) == (date(2026, 11, 2), admin_user)
    new = TariffRule.objects.get(previous_version=rule)
    assert (new.rate_percent, new.valid_from) == (D("6.00"), date(2027, 1, 1))


def test_preview_writes_nothing(admin_user):
    result = tariff_rules_import(text=as_csv(NEW_US), by=admin_user, commit=False)
    assert result.ok and not result.applied
    assert not TariffRule.objects.filter(destination="US").exists()


def test_export_imports_again_as_unchanged(admin_client_, admin_user):
    response = admin_client_.get("/tariffs/rules/export.csv")
    text = b"".join(response.streaming_content).decode()
    assert text.splitlines()[0] == ",".join(COLUMNS)
    result = tariff_rules_import(text=text, by=admin_user, commit=True)
    assert result.applied and {r.action for r in result.rows} == {"unchanged"}


def test_import_page_previews_then_imports(admin_client_):
    upload = SimpleUploadedFile("rules.csv", as_csv(NEW_US).encode(), content_type="text/csv")
    body = admin_client_.post("/tariffs/rules/import/", {"file": upload}).content.decode()
    assert "all valid" in body and "Import all 1 rows" in body
    assert not TariffRule.objects.filter(destination="US").exists()
    response = admin_client_.post("/tariffs/rules/import/", {"csv_text": as_csv(NEW_US)})
    assert response.status_code == 302
    assert TariffRule.objects.filter(destination="US").exists()


def test_reps_cannot_import(rep_client):
    assert rep_client.get("/tariffs/rules/import/").status_code == 403
