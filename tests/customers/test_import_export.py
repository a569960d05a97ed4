import csv
import io

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from customers import services
from customers.csvio import COLUMNS, import_parse
from customers.models import Contact, Customer, CustomerImport
from tests.customers.factories import ContactFactory, CustomerFactory

pytestmark = pytest.mark.django_db

GOOD = """name,country,industry,status,owner,city,default_incoterm,default_destination_port,contact_name,contact_email
Rijnmond Metals B.V.,NL,steel_desulfurization,active,rep,Rotterdam,CIF,NLRTM,Joost de Vries,joost@rijnmond.example
Great Lakes Alloys Inc.,United States,Aluminium alloying,prospect,,Cleveland,FOB,,,
"""


def _upload(client, text: str, name="customers.csv"):
    return client.post(
        reverse("customers:import"),
        {"file": SimpleUploadedFile(name, text.encode("utf-8"), content_type="text/csv")},
    )


def test_preview_accepts_a_valid_file_and_resolves_names(rep, manager):
    preview = import_parse(text=GOOD, by=manager)
    assert preview.ok, [r.errors for r in preview.rows]
    first, second = preview.rows
    assert first.owner == rep and first.contact_fields["email"] == "joost@rijnmond.example"
    assert second.owner == manager  # empty owner: the importer
    assert second.customer_fields["country"] == "US"
    assert second.customer_fields["industry"] == "aluminium_alloying"


def test_every_row_error_is_reported_and_nothing_is_imported(rep, manager):
    CustomerFactory(owner=rep, name="Fonderia Lombarda SpA", country="IT")
    ContactFactory(email="taken@example.com")
    before = Customer.objects.count()
    text = (
        "name,country,industry,contact_name,contact_email\n"
        "Good Company,DE,automotive,,\n"
        "Atlantis Metals,Atlantis,automotive,,\n"
        "Bad Email Ltd,GB,defence,Jo,not-an-email\n"
        "Fonderia Lombarda S.p.A.,IT,aluminium_alloying,,\n"
        "Dup In File,FR,other,,\n"
        "Dup in file SA,FR,other,,\n"
        "Taken Email,ES,other,Ana,taken@example.com\n"
        ",DE,toys,,\n"
    )
    preview = import_parse(text=text, by=manager)
    errors = {row.line: " ".join(row.errors) for row in preview.rows}
    assert not preview.ok
    assert errors[2] == ""
    assert "Unknown country" in errors[3]
    assert "email" in errors[4].lower()
    assert "Duplicate: customer #" in errors[5]
    assert "line 6" in errors[7]
    assert "already used at customer" in errors[8]
    assert "name is required" in errors[9] and "Unknown industry" in errors[9]
    with pytest.raises(ValidationError):
        services.customer_import_start(text=text, by=manager)
    assert Customer.objects.count() == before
    assert not CustomerImport.objects.exists()


def test_import_creates_all_rows_with_contacts(rep, manager):
    job = services.customer_import_start(text=GOOD, by=manager)
    services.customer_import_run(import_id=job.pk)
    assert Customer.objects.count() == 2
    rijnmond = Customer.objects.get(name="Rijnmond Metals B.V.")
    assert rijnmond.owner == rep and rijnmond.region == "europe"
    assert Contact.objects.get(customer=rijnmond).is_primary


def test_only_managers_import(rep):
    with pytest.raises(PermissionDenied):
        services.customer_import_start(text=GOOD, by=rep)


def test_unknown_columns_and_empty_files_are_refused(manager):
    assert (
        "Unknown columns"
        in import_parse(text="name,country,industry,colour\n", by=manager).errors[0]
    )
    assert import_parse(text="", by=manager).errors
    assert "no rows" in import_parse(text="name,country,industry\n", by=manager).errors[0]


def test_import_page_previews_then_imports_all(
    rep, manager_client, django_capture_on_commit_callbacks
):
    response = _upload(manager_client, GOOD)
    assert response.status_code == 200
    assert b"all valid" in response.content and b"Import all 2 customers" in response.content
    assert Customer.objects.count() == 0
    with django_capture_on_commit_callbacks(execute=True):
        response = manager_client.post(reverse("customers:import"), {"csv_text": GOOD})
    job = CustomerImport.objects.get()
    assert response.status_code == 302
    assert response.url == reverse("customers:import_status", args=[job.pk])
    assert Customer.objects.count() == 2


def test_import_page_shows_row_errors_and_offers_no_import(manager_client):
    response = _upload(manager_client, "name,country,industry\nX,Narnia,automotive\n")
    assert b"Unknown country" in response.content
    assert b"Import all" not in response.content


def test_import_page_refuses_non_utf8(manager_client):
    response = _upload(manager_client, "")
    response = manager_client.post(
        reverse("customers:import"),
        {"file": SimpleUploadedFile("c.csv", "name\nMüller".encode("utf-16"))},
    )
    assert b"CSV UTF-8" in response.content


def test_export_is_the_filtered_visible_list_and_round_trips(rep, other_rep, rep_client, manager):
    mine = CustomerFactory(owner=rep, name="Schwaben Druckguss", country="DE")
    ContactFactory(customer=mine, name="Jörg Maier", email="j.maier@schwaben.example")
    CustomerFactory(owner=rep, name="Osaka Keikinzoku", country="JP")
    CustomerFactory(owner=other_rep, name="Not Mine GmbH", country="DE")
    response = rep_client.get(reverse("customers:export"), {"region": "europe"})
    assert response["Content-Type"].startswith("text/csv")
    text = b"".join(response.streaming_content).decode()
    rows = list(csv.DictReader(io.StringIO(text)))
    assert list(rows[0]) == COLUMNS
    assert [r["name"] for r in rows] == ["Schwaben Druckguss"]
    assert rows[0]["contact_email"] == "j.maier@schwaben.example" and rows[0]["owner"] == "rep"
    Customer.objects.all().delete()
    assert import_parse(text=text, by=manager).ok


def test_export_neutralises_spreadsheet_formulas(rep, rep_client):
    CustomerFactory(owner=rep, name="=HYPERLINK(1)", notes="@SUM(A1)")
    text = b"".join(rep_client.get(reverse("customers:export")).streaming_content).decode()
    assert "'=HYPERLINK(1)" in text and "'@SUM(A1)" in text
