"""CSV files that used to break the import or slip past the formula guard (docs/crm.md)."""

import csv
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from customers.csvio import csv_lines, decode_upload, import_parse
from customers.models import Customer
from tests.customers.factories import ContactFactory, CustomerFactory

pytestmark = pytest.mark.django_db

HEADER = "name,country,industry,notes\n"


def _upload(client, data: bytes):
    return client.post(
        reverse("customers:import"),
        {"file": SimpleUploadedFile("customers.csv", data, content_type="text/csv")},
    )


def test_a_cell_over_the_csv_field_limit_is_a_line_error_not_a_crash(manager):
    text = HEADER + "Ok Metals,DE,automotive,fine\n" + "Big,DE,automotive," + "x" * 131_073 + "\n"
    preview = import_parse(text=text, by=manager)
    assert not preview.ok
    assert any("Line 3" in e and "131,072" in e for e in preview.errors), preview.errors


def test_page_with_an_oversized_cell_shows_the_error(manager_client):
    data = (HEADER + "Big,DE,automotive," + "x" * 140_000 + "\n").encode()
    response = _upload(manager_client, data)
    assert response.status_code == 200
    assert b"131,072" in response.content
    assert b"Import all" not in response.content


def test_a_file_with_a_nul_byte_is_refused_with_its_line(manager):
    data = (HEADER + "Ok Metals,DE,automotive,fine\nNul\x00 Metals,DE,automotive,\n").encode()
    with pytest.raises(Exception) as excinfo:
        decode_upload(data)
    assert "NUL" in str(excinfo.value) and "line 3" in str(excinfo.value)


def test_page_upload_with_a_nul_byte_shows_the_error_and_no_import_button(manager_client):
    data = (HEADER + "Nul\x00 Metals,DE,automotive,\n").encode()
    response = _upload(manager_client, data)
    assert response.status_code == 200
    assert b"NUL" in response.content
    assert b"Import all" not in response.content
    assert Customer.objects.count() == 0


def test_parse_refuses_nul_in_text_too(manager):
    preview = import_parse(text=HEADER + "A\x00,DE,automotive,\n", by=manager)
    assert not preview.ok
    assert any("NUL" in e for e in preview.errors)


OWASP_PAYLOADS = [
    "=1+1",
    "+1+1",
    "-1+1",
    "@SUM(1+1)",
    "\t=1+1",
    "\r=1+1",
    "-1+1+cmd|' /C calc'!A0",
    "+49 40 123456",
    "-5",
]


@pytest.mark.parametrize("payload", OWASP_PAYLOADS)
def test_export_prefixes_every_formula_trigger_with_a_quote(payload):
    (line,) = list(csv_lines([[payload]]))
    (cell,) = next(csv.reader(io.StringIO(line)))
    assert cell == "'" + payload


def test_ordinary_cells_are_left_alone():
    (line,) = list(csv_lines([["Rijnmond Metals B.V.", "2450.00", "a=b"]]))
    assert next(csv.reader(io.StringIO(line))) == ["Rijnmond Metals B.V.", "2450.00", "a=b"]


def test_export_of_the_calc_payload_and_a_phone_round_trips_through_import(
    rep, rep_client, manager
):
    customer = CustomerFactory(owner=rep, name="Formula Metals", notes="-1+1+cmd|' /C calc'!A0")
    ContactFactory(customer=customer, name="Ana", email="ana@formula.example", phone="+49 40 1")
    text = b"".join(rep_client.get(reverse("customers:export")).streaming_content).decode()
    (exported,) = list(csv.DictReader(io.StringIO(text)))
    assert exported["notes"] == "'-1+1+cmd|' /C calc'!A0"
    assert exported["contact_phone"] == "'+49 40 1"
    Customer.objects.all().delete()
    preview = import_parse(text=text, by=manager)
    assert preview.ok, [r.errors for r in preview.rows]
    (row,) = preview.rows
    assert row.customer_fields["notes"] == "-1+1+cmd|' /C calc'!A0"
    assert row.contact_fields["phone"] == "+49 40 1"
