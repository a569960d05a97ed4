"""Reference data for pricing: validation, services, API permissions, demo seed."""

from datetime import date
from decimal import Decimal as D

import pytest
from django.core.exceptions import ValidationError

from products import reference_demo, selectors, services
from products.models import ExchangeRate, FreightRate, Port, TariffRule

pytestmark = pytest.mark.django_db


@pytest.fixture
def ports():
    return {
        "CNTXG": services.port_create(
            code="CNTXG", name="Tianjin Xingang", country="CN", origin_charges_usd_per_mt=D("18")
        ),
        "DEHAM": services.port_create(
            code="DEHAM", name="Hamburg", country="DE", destination_charges_usd_per_mt=D("28")
        ),
    }


def rate(ports, **changes):
    fields = {
        "origin_port": ports["CNTXG"],
        "destination_port": ports["DEHAM"],
        "usd_per_container": D("2100"),
        "mt_per_container": D("22"),
        "valid_from": date(2026, 1, 1),
        "valid_to": None,
    } | changes
    return services.freight_rate_create(**fields)


def rule(**changes):
    fields = {
        "destination": "EU",
        "hs_prefix": "810411",
        "kind": "mfn",
        "rate_percent": D("5.3"),
        "basis": "CIF",
        "valid_from": date(2026, 1, 1),
        "legal_citation": "EU TARIC",
        "source_note": "test",
    } | changes
    return services.tariff_rule_create(**fields)


@pytest.mark.parametrize("code", ["deham", "DEHA", "DEHAMB", "DE-HM", "DEHA1", "12HAM"])
def test_port_code_must_be_a_un_locode(code):
    with pytest.raises(ValidationError) as exc:
        services.port_create(code=code, name="x", country="DE")
    assert "code" in exc.value.message_dict


def test_port_code_starts_with_its_country():
    with pytest.raises(ValidationError) as exc:
        services.port_create(code="NLHAM", name="x", country="DE")
    assert "code" in exc.value.message_dict
    assert services.port_create(code="DEHA2", name="ok", country="DE").code == "DEHA2"


def test_port_charges_cannot_be_negative():
    with pytest.raises(ValidationError) as exc:
        services.port_create(
            code="DEHAM", name="x", country="DE", destination_charges_usd_per_mt=D("-1")
        )
    assert "destination_charges_usd_per_mt" in exc.value.message_dict


def test_freight_rates_for_a_route_cannot_overlap(ports):
    rate(ports, valid_to=date(2026, 6, 30))
    with pytest.raises(ValidationError) as exc:
        rate(ports, valid_from=date(2026, 6, 30))
    assert "valid_from" in exc.value.message_dict
    rate(ports, valid_from=date(2026, 7, 1))  # the next period is fine
    with pytest.raises(ValidationError):
        rate(ports, valid_from=date(2025, 1, 1), valid_to=None)  # open end reaches 2026


def test_freight_rate_in_force_on_a_date(ports):
    old = rate(ports, valid_to=date(2026, 6, 30))
    new = rate(ports, valid_from=date(2026, 7, 1), usd_per_container=D("1900"))
    find = selectors.freight_rate_in_force
    assert find(origin=ports["CNTXG"], destination=ports["DEHAM"], on=date(2026, 6, 30)) == old
    assert find(origin=ports["CNTXG"], destination=ports["DEHAM"], on=date(2026, 7, 1)) == new
    assert find(origin=ports["CNTXG"], destination=ports["DEHAM"], on=date(2025, 1, 1)) is None


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"mt_per_container": D("0")}, "mt_per_container"),
        ({"usd_per_container": D("-1")}, "usd_per_container"),
        ({"valid_to": date(2025, 12, 31)}, "valid_to"),
    ],
)
def test_freight_rate_bounds(ports, changes, field):
    with pytest.raises(ValidationError) as exc:
        rate(ports, **changes)
    assert field in exc.value.message_dict


def test_freight_route_needs_two_ports(ports):
    with pytest.raises(ValidationError) as exc:
        rate(ports, destination_port=ports["CNTXG"])
    assert "destination_port" in exc.value.message_dict


def test_tariff_rules_with_the_same_key_cannot_overlap():
    rule(valid_to=date(2026, 12, 31))
    with pytest.raises(ValidationError) as exc:
        rule(valid_from=date(2026, 12, 1))
    assert "valid_from" in exc.value.message_dict
    rule(valid_from=date(2027, 1, 1))
    # another kind, prefix or destination is another key: duties stack
    rule(kind="anti_dumping", rate_percent=D("10"))
    rule(hs_prefix="810419")
    rule(destination="US", basis="FOB")


def test_member_state_rule_cannot_double_an_eu_rule():
    rule()
    with pytest.raises(ValidationError) as exc:
        rule(destination="DE")
    assert "destination" in exc.value.message_dict
    TariffRule.objects.all().delete()
    rule(destination="FR")
    with pytest.raises(ValidationError):
        rule(destination="EU")


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"rate_percent": D("1000.01")}, "rate_percent"),
        ({"rate_percent": D("-1")}, "rate_percent"),
        ({"specific_usd_per_mt": D("-1")}, "specific_usd_per_mt"),
        ({"hs_prefix": "81"}, "hs_prefix"),
        ({"hs_prefix": "8104ab"}, "hs_prefix"),
        ({"destination": "XX"}, "destination"),
        ({"basis": "DDP"}, "basis"),
        ({"kind": "vat"}, "kind"),
        ({"legal_citation": ""}, "legal_citation"),
        ({"source_note": ""}, "source_note"),
        ({"kind": "anti_dumping", "rate_percent": D("0")}, "rate_percent"),
    ],
)
def test_tariff_rule_validation(changes, field):
    with pytest.raises(ValidationError) as exc:
        rule(**changes)
    assert field in exc.value.message_dict


def test_hs_prefix_dots_are_dropped():
    assert rule(hs_prefix="8104.11").hs_prefix == "810411"


def test_exchange_rate_one_per_currency_and_day_and_latest_on_or_before():
    services.exchange_rate_create(currency="EUR", rate_per_usd=D("0.92"), date=date(2026, 11, 1))
    services.exchange_rate_create(currency="EUR", rate_per_usd=D("0.925"), date=date(2026, 11, 20))
    with pytest.raises(ValidationError):
        services.exchange_rate_create(currency="EUR", rate_per_usd=D("1"), date=date(2026, 11, 1))
    with pytest.raises(ValidationError):
        services.exchange_rate_create(currency="USD", rate_per_usd=D("2"), date=date(2026, 11, 1))
    with pytest.raises(ValidationError):
        services.exchange_rate_create(currency="EU", rate_per_usd=D("2"), date=date(2026, 11, 1))
    on = selectors.exchange_rate_on
    assert on(currency="EUR", on=date(2026, 11, 19)).rate_per_usd == D("0.92")
    assert on(currency="EUR", on=date(2026, 11, 29)).rate_per_usd == D("0.925")
    assert on(currency="EUR", on=date(2026, 10, 31)) is None


def test_demo_reference_data_is_sourced_and_idempotent():
    first = reference_demo.load()
    # + Section 122 and the US import fees (MPF, HMF)
    assert first["tariff_rules"] == len(reference_demo.TARIFFS) + 1 + len(
        reference_demo.US_ENTRY_FEES
    )
    assert reference_demo.load() == {k: 0 for k in first}
    assert all(r.legal_citation.strip() and r.source_note.strip() for r in TariffRule.objects.all())
    # no rule for the unsourced destinations
    assert not TariffRule.objects.filter(destination__in=["JP", "KR", "TR"]).exists()
    # Tianjin lanes and FEU halving are labelled assumptions
    for fr in FreightRate.objects.filter(origin_port__code="CNTXG"):
        assert "ASSUMPTION" in fr.note
    assert all("DEMO" in fx.source for fx in ExchangeRate.objects.all())
    reciprocal = TariffRule.objects.get(destination="US", hs_prefix="8104", kind="retaliatory")
    assert reciprocal.valid_to == date(2026, 11, 10)
    assert Port.objects.get(code="DEHAM").destination_charges_usd_per_mt == D("28")


# ---------------------------------------------------------------- API

RESOURCES = {
    "ports/": {"code": "NLRTM", "name": "Rotterdam", "country": "NL"},
    "fx-rates/": {"currency": "EUR", "rate_per_usd": "0.925000", "date": "2026-11-20"},
    "tariff-rules/": {
        "destination": "EU",
        "hs_prefix": "810411",
        "kind": "mfn",
        "rate_percent": "5.30",
        "basis": "CIF",
        "valid_from": "2026-01-01",
        "legal_citation": "EU TARIC",
        "source_note": "test",
    },
}


@pytest.mark.parametrize("resource", ["ports/", "freight-rates/", "fx-rates/", "tariff-rules/"])
def test_anonymous_gets_401(api_client, resource):
    assert api_client.get(f"/api/v1/{resource}").status_code == 401


@pytest.mark.parametrize("resource", list(RESOURCES))
def test_rep_reads_but_cannot_write(rep_api, resource):
    assert rep_api.get(f"/api/v1/{resource}").status_code == 200
    response = rep_api.post(f"/api/v1/{resource}", RESOURCES[resource], format="json")
    assert response.status_code == 403


@pytest.mark.parametrize("resource", list(RESOURCES))
def test_admin_creates_reference_rows(admin_api, resource):
    response = admin_api.post(f"/api/v1/{resource}", RESOURCES[resource], format="json")
    assert response.status_code == 201, response.json()


def test_ports_api_shape_and_lookup_by_code(rep_api, ports):
    body = rep_api.get("/api/v1/ports/DEHAM/").json()
    assert body == {
        "code": "DEHAM",
        "name": "Hamburg",
        "country": "DE",
        "origin_charges_usd_per_mt": "0.00",
        "destination_charges_usd_per_mt": "28.00",
        "note": "",
    }


def test_freight_rate_api_uses_port_codes_and_reports_overlaps(admin_api, ports):
    payload = {
        "origin_port": "CNTXG",
        "destination_port": "DEHAM",
        "container_type": "20GP",
        "usd_per_container": "2100.00",
        "mt_per_container": "22.000",
        "valid_from": "2026-01-01",
        "valid_to": None,
    }
    response = admin_api.post("/api/v1/freight-rates/", payload, format="json")
    assert response.status_code == 201, response.json()
    assert response.json()["origin_port"] == "CNTXG"
    response = admin_api.post("/api/v1/freight-rates/", payload, format="json")
    assert response.status_code == 400
    assert "valid_from" in response.json()
    listed = admin_api.get("/api/v1/freight-rates/?destination_port=DEHAM").json()
    assert listed["count"] == 1
    assert admin_api.get("/api/v1/freight-rates/?destination_port=NLRTM").json()["count"] == 0


def test_tariff_rule_api_rejects_rates_out_of_bounds(admin_api):
    payload = RESOURCES["tariff-rules/"] | {"rate_percent": "1500"}
    response = admin_api.post("/api/v1/tariff-rules/", payload, format="json")
    assert response.status_code == 400
    assert "rate_percent" in response.json()


def test_reference_lists_cost_a_fixed_number_of_queries(
    rep_api, ports, django_assert_max_num_queries
):
    for year in range(2000, 2020):
        rate(ports, valid_from=date(year, 1, 1), valid_to=date(year, 12, 31))
    with django_assert_max_num_queries(4):
        assert rep_api.get("/api/v1/freight-rates/").json()["count"] == 20


def test_tariff_rule_origin_defaults_to_china_and_must_be_a_country(admin_api):
    response = admin_api.post("/api/v1/tariff-rules/", RESOURCES["tariff-rules/"], format="json")
    assert response.status_code == 201
    assert response.json()["origin_country"] == "CN"
    bad = RESOURCES["tariff-rules/"] | {"origin_country": "ZZ", "hs_prefix": "810419"}
    response = admin_api.post("/api/v1/tariff-rules/", bad, format="json")
    assert response.status_code == 400
    assert "origin_country" in response.json()


def test_tariff_rule_admin_warns_to_check_the_official_tariff(admin_client_):
    response = admin_client_.get("/admin/products/tariffrule/", follow=True)
    assert response.status_code == 200
    assert "must be checked against the official tariff" in response.content.decode()
