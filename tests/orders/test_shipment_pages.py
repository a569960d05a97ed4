"""The lot and shipment pages and API: who may do what, forms and their errors, fixed query
counts on the lists."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from mgtrade.accounts.models import Role
from orders import shipping
from orders.models import Lot, Shipment, ShipmentStatus
from tests.accounts.factories import UserFactory
from tests.orders.factories import confirmed_contract
from tests.orders.shipping_helpers import grade_limits, lot, pay_deposit

pytestmark = pytest.mark.usefixtures("worked_example_data", "bank_accounts")


@pytest.fixture
def qc(db):
    return UserFactory(username="qc", role=Role.QC)


@pytest.fixture
def ready(rep):
    grade_limits()
    return pay_deposit(confirmed_contract(owner=rep), rep)


def test_qc_enters_a_lot_with_its_analysis_on_the_page(client, qc):
    grade_limits()
    client.force_login(qc)
    from products.models import Product

    response = client.post(
        reverse("orders:lots"),
        {
            "lot-number": "h-900",
            "lot-product": Product.objects.get(code="MG9990").pk,
            "lot-production_date": timezone.localdate().isoformat(),
            "lot-net_weight_mt": "24.5",
            "lot-ingots": "3266",
            "lot-bundles": "25",
            "lot-analyses": "Mg 99.92\nFe: 0.05\nSi 0.01",
        },
    )
    lot_ = Lot.objects.get(number="H-900")
    assert response.status_code == 302
    page = client.get(reverse("orders:lot", args=[lot_.pk])).content.decode()
    assert "out of spec" in page and "pass" in page


def test_rep_cannot_enter_lots(rep_client):
    assert rep_client.post(reverse("orders:lots"), {}).status_code == 403
    assert "New lot" not in rep_client.get(reverse("orders:lots")).content.decode()


def test_bad_lot_form_shows_errors(client, qc):
    client.force_login(qc)
    response = client.post(reverse("orders:lots"), {"lot-number": "", "lot-analyses": "Fe x"})
    assert response.status_code == 400
    assert "is not a number" in response.content.decode()


def test_analyses_csv_import_page(client, qc):
    grade_limits()
    lot(by=qc, code="MG9990", number="H-901")
    client.force_login(qc)
    bad = SimpleUploadedFile("a.csv", b"lot,element,measured_percent\nH-999,Fe,0.01\n")
    response = client.post(reverse("orders:analyses_import"), {"csv-file": bad})
    assert response.status_code == 400 and "no lot" in response.content.decode()
    good = SimpleUploadedFile("a.csv", b"lot,element,measured_percent\nH-901,Cu,0.001\n")
    response = client.post(reverse("orders:analyses_import"), {"csv-file": good})
    assert response.status_code == 302
    assert Lot.objects.get(number="H-901").analyses.filter(element="Cu").exists()


def test_lot_list_has_a_fixed_number_of_queries(client, qc, django_assert_max_num_queries):
    grade_limits()
    for n in range(8):
        lot(by=qc, code="MG9990", number=f"H-{n}")
    client.force_login(qc)
    with django_assert_max_num_queries(12):
        response = client.get(reverse("orders:lots"))
    assert response.content.decode().count('class="lot-row"') == 8


def test_shipment_journey_on_the_pages(rep_client, rep, manager, client, qc, ready):
    good = lot(by=qc, code="MG9990", number="H-910", mt="50")
    bad = lot(by=qc, code="AZ91D", number="A-910", mt="20", Fe="0.009")
    response = rep_client.post(reverse("orders:shipment_create", args=[ready.pk]), {})
    shipment = Shipment.objects.get(contract=ready)
    assert response.url == reverse("orders:shipment", args=[shipment.pk])
    line = {line.product_code: line for line in ready.lines.all()}
    url = reverse("orders:shipment_allocate", args=[shipment.pk])
    rep_client.post(url, {"allocate-contract_line": line["MG9990"].pk, "allocate-lot": good.pk})
    refused = rep_client.post(
        url, {"allocate-contract_line": line["AZ91D"].pk, "allocate-lot": bad.pk}
    )
    assert refused.status_code == 400
    assert "out of specification" in refused.content.decode()
    client.force_login(manager)
    client.post(
        url,
        {
            "allocate-contract_line": line["AZ91D"].pk,
            "allocate-lot": bad.pk,
            "allocate-override_reason": "Buyer accepts Fe 0.009 (e-mail 3 June)",
        },
    )
    assert shipment.allocations.count() == 2
    rep_client.post(
        reverse("orders:shipment_container", args=[shipment.pk]),
        {
            "container-number": "MSKU1234565",
            "container-seal": "SL1",
            "container-type": "20GP",
            "container-net_weight_mt": "70",
            "container-gross_weight_mt": "70.6",
            "container-bundles": "70",
            "container-lots": [good.pk, bad.pk],
        },
    )
    rep_client.post(
        reverse("orders:shipment_details", args=[shipment.pk]),
        {
            "details-port_of_loading": "CNTXG",
            "details-port_of_discharge": "DEHAM",
            "details-vessel": "CMA CGM Tage",
            "details-voyage": "0FL3",
            "details-booking_number": "BK-77",
            "book": "1",
        },
    )
    response = rep_client.post(
        reverse("orders:shipment_load", args=[shipment.pk]),
        {"load-bl_number": "CMDU777", "load-on_board_date": timezone.localdate().isoformat()},
    )
    shipment.refresh_from_db()
    assert response.status_code == 302, response.content.decode()[:2000]
    assert shipment.status == ShipmentStatus.LOADED
    page = rep_client.get(reverse("orders:shipment", args=[shipment.pk])).content.decode()
    assert "Buyer accepts Fe 0.009" in page and shipment.balance_proforma.number in page
    board = rep_client.get(reverse("orders:shipments")).content.decode()
    assert shipment.reference in board
    contract_page = rep_client.get(reverse("orders:detail", args=[ready.pk])).content.decode()
    assert "CMDU777" in contract_page and "override" in contract_page


def test_other_reps_shipments_are_404(client, other_rep, rep, ready):
    shipment = shipping.shipment_create(contract=ready, by=rep)
    client.force_login(other_rep)
    assert client.get(reverse("orders:shipment", args=[shipment.pk])).status_code == 404
    assert shipment.reference not in client.get(reverse("orders:shipments")).content.decode()


def test_shipments_board_has_a_fixed_number_of_queries(
    rep_client, rep, manager, django_assert_max_num_queries
):
    grade_limits()
    for _ in range(3):
        contract = pay_deposit(confirmed_contract(owner=rep), rep)
        shipping.shipment_create(contract=contract, by=rep)
    with django_assert_max_num_queries(12):
        response = rep_client.get(reverse("orders:shipments"))
    assert response.content.decode().count('class="shipment-row"') == 3


# ------------------------------------------------------------------ API


def test_api_lot_create_needs_qc(rep_api, qc):
    grade_limits()
    body = {
        "number": "H-950",
        "product": "MG9990",
        "production_date": timezone.localdate().isoformat(),
        "net_weight_mt": "25",
        "analyses": [{"element": "Fe", "measured_percent": "0.01"}],
    }
    assert rep_api.post("/api/v1/lots/", body, format="json").status_code == 403
    from rest_framework.test import APIClient

    api = APIClient()
    api.force_authenticate(qc)
    response = api.post("/api/v1/lots/", body, format="json")
    assert response.status_code == 201, response.json()
    findings = {f["element"]: f["passed"] for f in response.json()["findings"]}
    assert findings == {"Mg": False, "Fe": True, "Si": False}  # Mg and Si not measured
    bad = api.post(
        "/api/v1/lots/import-analyses/",
        {"text": "lot,element,measured_percent\nH-950,Fe,abc\n"},
        format="json",
    )
    assert bad.status_code == 400 and bad.json()["errors"]


def test_api_shipment_flow_with_override(rep_api, manager_api, rep, qc, ready):
    good = lot(by=qc, code="MG9990", number="H-960", mt="50")
    bad = lot(by=qc, code="AZ91D", number="A-960", mt="20", Ni="0.01")
    created = rep_api.post("/api/v1/shipments/", {"contract": ready.pk}, format="json")
    assert created.status_code == 201, created.json()
    sid = created.json()["id"]
    line = {line.product_code: line.pk for line in ready.lines.all()}
    ok = rep_api.post(
        f"/api/v1/shipments/{sid}/allocate/",
        {"contract_line": line["MG9990"], "lot": good.pk},
        format="json",
    )
    assert ok.status_code == 200
    refused = rep_api.post(
        f"/api/v1/shipments/{sid}/allocate/",
        {"contract_line": line["AZ91D"], "lot": bad.pk},
        format="json",
    )
    assert refused.status_code == 400 and "lot" in refused.json()
    allowed = manager_api.post(
        f"/api/v1/shipments/{sid}/allocate/",
        {"contract_line": line["AZ91D"], "lot": bad.pk, "override_reason": "Agreed"},
        format="json",
    )
    assert allowed.json()["allocations"][1]["override_reason"] == "Agreed"
    rep_api.post(
        f"/api/v1/shipments/{sid}/containers/",
        {
            "number": "MSKU1234565",
            "seal": "S",
            "type": "20GP",
            "net_weight_mt": "70",
            "gross_weight_mt": "70.5",
            "bundles": 70,
            "lots": [good.pk, bad.pk],
        },
        format="json",
    )
    assert rep_api.post(f"/api/v1/shipments/{sid}/book/", {}, format="json").status_code == 400
    booked = rep_api.post(
        f"/api/v1/shipments/{sid}/book/",
        {"booking_number": "BK", "vessel": "Maersk Kyoto"},
        format="json",
    )
    assert booked.json()["status"] == "booked"
    loaded = rep_api.post(
        f"/api/v1/shipments/{sid}/load/",
        {"bl_number": "MAEU1", "on_board_date": timezone.localdate().isoformat()},
        format="json",
    )
    assert loaded.status_code == 200 and loaded.json()["balance_proforma"]
    again = rep_api.post(
        f"/api/v1/shipments/{sid}/load/",
        {"bl_number": "MAEU1", "on_board_date": timezone.localdate().isoformat()},
        format="json",
    )
    assert again.status_code == 409
    assert Decimal(loaded.json()["deposit_applied"]) > 0


def test_api_other_rep_gets_404(other_rep_api, rep, ready):
    shipment = shipping.shipment_create(contract=ready, by=rep)
    assert other_rep_api.get(f"/api/v1/shipments/{shipment.pk}/").status_code == 404


def test_rep_sets_a_stricter_buyer_spec_on_the_contract_page(rep_client, ready):
    from products.models import Product

    response = rep_client.post(
        reverse("orders:customer_spec", args=[ready.pk]),
        {
            "spec-product": Product.objects.get(code="AZ91D").pk,
            "spec-element": "fe",
            "spec-max_percent": "0.003",
            "spec-this_contract_only": "on",
        },
    )
    assert response.status_code == 302
    page = rep_client.get(reverse("orders:detail", args=[ready.pk])).content.decode()
    assert "≤ 0.003" in page and "this contract" in page
    limit = ready.spec_limits.get()
    assert (limit.element, limit.max_percent) == ("Fe", Decimal("0.003"))


def test_api_lists_have_a_fixed_number_of_queries(rep, rep_api, qc, django_assert_max_num_queries):
    grade_limits()
    for n in range(6):
        lot(by=qc, code="MG9990", number=f"H-Q{n}")
    for _ in range(3):
        contract = pay_deposit(confirmed_contract(owner=rep), rep)
        shipment = shipping.shipment_create(contract=contract, by=rep)
        shipping.lot_allocate(
            shipment=shipment,
            by=rep,
            contract_line=contract.lines.get(product_code="AZ91D"),
            lot=lot(by=qc, code="AZ91D", number=f"A-Q{shipment.pk}", mt="20"),
        )
    with django_assert_max_num_queries(10):
        lots = rep_api.get("/api/v1/lots/")
    assert lots.json()["count"] == 9
    with django_assert_max_num_queries(12):
        shipments = rep_api.get("/api/v1/shipments/")
    assert shipments.json()["count"] == 3
