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


MPF = {
    "destination": "US",
    "hs_prefix": "8104",
    "kind": "entry_fee",
    "rate_percent": "0.3464",
    "basis": "FOB",
    "min_usd_per_entry": "32.71",
    "max_usd_per_entry": "634.62",
    "valid_from": "2026-01-01",
    "legal_citation": "19 U.S.C. 58c(a)(9)",
    "source_note": "CBP fiscal-year notice (test figures)",
}
HMF = {
    "destination": "US",
    "hs_prefix": "8104",
    "kind": "port_fee",
    "rate_percent": "0.125",
    "basis": "FOB",
    "transport_mode": "ocean",
    "valid_from": "2026-01-01",
    "legal_citation": "26 U.S.C. 4461",
    "source_note": "freightos (M)",
}


def _exported(client) -> list[dict]:
    response = client.get("/tariffs/rules/export.csv")
    text = b"".join(response.streaming_content).decode()
    return text, list(csv.DictReader(io.StringIO(text)))


def test_fee_kinds_limits_and_transport_mode_round_trip(admin_client_, admin_user):
    """Imported fees keep their kind, minimum/maximum per entry and mode; the export
    carries them and imports again as unchanged."""
    result = tariff_rules_import(text=as_csv(MPF, HMF), by=admin_user, commit=True)
    assert result.applied, [r.errors for r in result.rows]
    mpf = TariffRule.objects.get(kind="entry_fee")
    hmf = TariffRule.objects.get(kind="port_fee")
    assert (mpf.min_usd_per_entry, mpf.max_usd_per_entry) == (D("32.71"), D("634.62"))
    assert mpf.transport_mode == "" and hmf.transport_mode == "ocean"
    assert hmf.min_usd_per_entry is None and hmf.max_usd_per_entry is None

    text, rows = _exported(admin_client_)
    by_kind = {row["kind"]: row for row in rows}
    assert by_kind["entry_fee"]["min_usd_per_entry"] == "32.71"
    assert by_kind["entry_fee"]["max_usd_per_entry"] == "634.62"
    assert by_kind["port_fee"]["transport_mode"] == "ocean"
    assert by_kind["port_fee"]["min_usd_per_entry"] == ""
    again = tariff_rules_import(text=text, by=admin_user, commit=True)
    assert again.applied and {r.action for r in again.rows} == {"unchanged"}


def test_a_new_fiscal_years_limits_are_a_new_version(admin_user):
    tariff_rules_import(text=as_csv(MPF), by=admin_user, commit=True)
    mpf = TariffRule.objects.get(kind="entry_fee")
    change = {
        "id": mpf.pk,
        "min_usd_per_entry": "33.58",
        "max_usd_per_entry": "651.50",
        "effective_from": "2026-10-01",
    }
    result = tariff_rules_import(text=as_csv(change), by=admin_user, commit=True)
    assert result.applied, [r.errors for r in result.rows]
    assert result.rows[0].action == "new version"
    new = TariffRule.objects.get(previous_version=mpf)
    assert (new.min_usd_per_entry, new.max_usd_per_entry) == (D("33.58"), D("651.50"))
    assert new.valid_from == date(2026, 10, 1)


@pytest.mark.parametrize(
    ("row", "field"),
    [
        (MPF | {"kind": "mfn"}, "min_usd_per_entry"),
        (MPF | {"min_usd_per_entry": "700"}, "max_usd_per_entry"),
        (HMF | {"transport_mode": "ship"}, "transport_mode"),
        (MPF | {"max_usd_per_entry": "a lot"}, "max_usd_per_entry"),
    ],
)
def test_fee_columns_are_checked(admin_user, row, field):
    result = tariff_rules_import(text=as_csv(row), by=admin_user, commit=True)
    assert not result.applied
    assert field in " ".join(result.rows[0].errors)


def test_the_rule_page_shows_a_fees_limits_and_mode(rep_client, admin_user):
    tariff_rules_import(text=as_csv(MPF, HMF), by=admin_user, commit=True)
    mpf = TariffRule.objects.get(kind="entry_fee")
    hmf = TariffRule.objects.get(kind="port_fee")
    body = rep_client.get(f"/tariffs/rules/{mpf.pk}/").content.decode()
    assert "at least 32.71 USD, at most 634.62 USD (a quote is one entry)" in body
    assert "any mode" in body
    body = rep_client.get(f"/tariffs/rules/{hmf.pk}/").content.decode()
    assert "Ocean only" in body and "Per customs entry" not in body
