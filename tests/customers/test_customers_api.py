from datetime import timedelta

import pytest
from django.utils import timezone

from customers.models import Activity, Customer
from tests.customers.factories import ActivityFactory, ContactFactory, CustomerFactory

pytestmark = pytest.mark.django_db

NEW = {
    "name": "Anadolu Döküm A.Ş.",
    "country": "TR",
    "industry": "steel_desulfurization",
    "status": "prospect",
    "default_incoterm": "CIF",
    "default_destination_port": "TRMER",
    "default_currency": "USD",
    "payment_terms": "irrevocable L/C at sight",
}


def test_anonymous_gets_401(api_client):
    assert api_client.get("/api/v1/customers/").status_code == 401


def test_rep_lists_only_own_customers_manager_and_admin_all(
    rep, other_rep, rep_api, manager_api, admin_api
):
    mine = CustomerFactory(owner=rep)
    theirs = CustomerFactory(owner=other_rep)
    ids = [c["id"] for c in rep_api.get("/api/v1/customers/").json()["results"]]
    assert ids == [mine.pk]
    for client in (manager_api, admin_api):
        ids = {c["id"] for c in client.get("/api/v1/customers/").json()["results"]}
        assert ids == {mine.pk, theirs.pk}


def test_rep_gets_404_for_another_reps_customer_and_its_children(other_rep, rep_api):
    theirs = CustomerFactory(owner=other_rep)
    contact = ContactFactory(customer=theirs)
    base = f"/api/v1/customers/{theirs.pk}/"
    assert rep_api.get(base).status_code == 404
    assert rep_api.patch(base, {"notes": "x"}, format="json").status_code == 404
    assert rep_api.get(base + "contacts/").status_code == 404
    assert rep_api.get(f"{base}contacts/{contact.pk}/").status_code == 404
    assert rep_api.post(base + "activities/", {}, format="json").status_code == 404


def test_rep_creates_a_customer_owned_by_them_with_derived_region(rep, rep_api):
    response = rep_api.post("/api/v1/customers/", NEW, format="json")
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["owner"] == rep.pk
    assert body["region"] == "europe"
    assert body["country"] == "TR"
    assert "confirm_duplicate" not in body


def test_region_is_read_only(rep_api):
    response = rep_api.post("/api/v1/customers/", {**NEW, "region": "africa"}, format="json")
    assert response.json()["region"] == "europe"


def test_bad_fields_give_400_field_errors(rep_api):
    response = rep_api.post(
        "/api/v1/customers/",
        {**NEW, "country": "XX", "default_destination_port": "hamburg", "industry": "toys"},
        format="json",
    )
    assert response.status_code == 400
    assert set(response.json()) >= {"country", "default_destination_port", "industry"}


def test_duplicate_gives_400_naming_the_existing_id_unless_confirmed(rep, rep_api):
    existing = CustomerFactory(owner=rep, name="Anadolu Dokum AS", country="TR")
    response = rep_api.post("/api/v1/customers/", NEW, format="json")
    assert response.status_code == 400
    assert f"#{existing.pk}" in response.json()["name"][0]
    response = rep_api.post("/api/v1/customers/", {**NEW, "confirm_duplicate": True}, format="json")
    assert response.status_code == 201


def test_rep_cannot_reassign_manager_can_and_it_is_logged(rep, other_rep, rep_api, manager_api):
    customer = CustomerFactory(owner=rep, notes="before")
    url = f"/api/v1/customers/{customer.pk}/"
    refused = rep_api.patch(url, {"notes": "after", "owner": other_rep.pk}, format="json")
    assert refused.status_code == 403
    customer.refresh_from_db()
    assert (customer.owner, customer.notes) == (rep, "before")  # nothing of it was saved
    response = manager_api.patch(url, {"owner": other_rep.pk}, format="json")
    assert response.status_code == 200
    assert response.json()["owner"] == other_rep.pk
    assert Activity.objects.filter(customer=customer, kind="note").count() == 1


def test_filters_and_search(rep, manager_api):
    de = CustomerFactory(owner=rep, name="Schwaben Druckguss", country="DE", city="Ulm")
    jp = CustomerFactory(owner=rep, name="Osaka Keikinzoku", country="JP", industry="electronics")
    ContactFactory(customer=jp, name="山田 太郎", email="yamada@osaka-keikinzoku.example")
    br = CustomerFactory(owner=rep, name="Paulista Ligas", country="BR", status="lead")

    def ids(query):
        response = manager_api.get(f"/api/v1/customers/?{query}")
        assert response.status_code == 200, response.json()
        return {c["id"] for c in response.json()["results"]}

    assert ids("region=east_asia") == {jp.pk}
    assert ids("country=br") == {br.pk}
    assert ids("industry=electronics") == {jp.pk}
    assert ids("status=lead") == {br.pk}
    assert ids(f"owner={rep.pk}") == {de.pk, jp.pk, br.pk}
    assert ids("search=ulm") == {de.pk}
    assert ids("search=SCHWABEN") == {de.pk}
    assert ids("search=山田") == {jp.pk}
    assert ids("search=yamada@osaka") == {jp.pk}
    assert manager_api.get("/api/v1/customers/?region=mars").status_code == 400


def test_list_endpoint_query_count_does_not_grow_with_rows(
    rep, manager_api, django_assert_max_num_queries
):
    def make(n):
        for _ in range(n):
            customer = CustomerFactory(owner=rep)
            ContactFactory(customer=customer)

    make(3)
    with django_assert_max_num_queries(5):
        small = manager_api.get("/api/v1/customers/?page_size=200")
    make(40)
    with django_assert_max_num_queries(5):
        large = manager_api.get("/api/v1/customers/?page_size=200&search=testwerk")
    assert small.json()["count"] == 3 and large.json()["count"] == 43


def test_nested_contacts_crud_and_primary_rule(rep, rep_api):
    customer = CustomerFactory(owner=rep)
    url = f"/api/v1/customers/{customer.pk}/contacts/"
    first = rep_api.post(url, {"name": "Ayşe Yılmaz", "email": "ayse@example.com"}, format="json")
    assert first.status_code == 201, first.json()
    assert first.json()["is_primary"] is True
    second = rep_api.post(
        url, {"name": "Mehmet Demir", "email": "mehmet@example.com", "is_primary": True}
    )
    assert second.json()["is_primary"] is True
    listed = rep_api.get(url).json()["results"]
    assert [c["is_primary"] for c in listed] == [True, False]
    dup = rep_api.post(url, {"name": "X", "email": "AYSE@example.com"}, format="json")
    assert dup.status_code == 400 and "email" in dup.json()
    bad = rep_api.post(url, {"name": "X", "email": "nope"}, format="json")
    assert bad.status_code == 400 and "email" in bad.json()


def test_contact_email_at_another_customer_needs_confirmation(rep, other_rep, rep_api):
    elsewhere = ContactFactory(customer__owner=other_rep, email="shared@example.com")
    customer = CustomerFactory(owner=rep)
    url = f"/api/v1/customers/{customer.pk}/contacts/"
    response = rep_api.post(url, {"name": "S", "email": "shared@example.com"}, format="json")
    assert response.status_code == 400
    assert f"#{elsewhere.customer_id}" in response.json()["email"][0]
    response = rep_api.post(
        url, {"name": "S", "email": "shared@example.com", "confirm_duplicate": True}, format="json"
    )
    assert response.status_code == 201


def test_nested_activities_log_and_mark_done(rep, rep_api):
    customer = CustomerFactory(owner=rep)
    url = f"/api/v1/customers/{customer.pk}/activities/"
    today = timezone.localdate().isoformat()
    response = rep_api.post(
        url,
        {"kind": "call", "summary": "Asked for AZ91D price", "follow_up_on": today},
        format="json",
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["logged_by"] == rep.pk and body["done"] is False and body["date"] == today
    done = rep_api.patch(f"{url}{body['id']}/", {"done": True, "logged_by": 999}, format="json")
    assert done.status_code == 200 and done.json()["done"] is True
    assert done.json()["logged_by"] == rep.pk
    assert rep_api.post(url, {"kind": "fax", "summary": "x"}, format="json").status_code == 400


def test_activity_with_another_customers_contact_is_refused(rep, rep_api):
    customer = CustomerFactory(owner=rep)
    stranger = ContactFactory()
    response = rep_api.post(
        f"/api/v1/customers/{customer.pk}/activities/",
        {"kind": "call", "summary": "x", "contact": stranger.pk},
        format="json",
    )
    assert response.status_code == 400 and "contact" in response.json()


def test_activities_listed_newest_first(rep, rep_api):
    """Newest date first, whatever the creation order: the older activity is created last
    (higher id), so an id order would list it first."""
    customer = CustomerFactory(owner=rep)
    today = timezone.localdate()
    newest = ActivityFactory(customer=customer, date=today)
    middle = ActivityFactory(customer=customer, date=today - timedelta(days=3))
    oldest = ActivityFactory(customer=customer, date=today - timedelta(days=30))
    results = rep_api.get(f"/api/v1/customers/{customer.pk}/activities/").json()["results"]
    assert [r["id"] for r in results] == [newest.pk, middle.pk, oldest.pk]
    assert [r["date"] for r in results] == [
        str(today),
        str(today - timedelta(days=3)),
        str(today - timedelta(days=30)),
    ]


def test_openapi_schema_builds(rep_api):
    response = rep_api.get("/api/schema/")
    assert response.status_code == 200
    assert b"/api/v1/customers/{customer_pk}/contacts/" in response.content
    assert Customer.objects.count() == 0


def test_a_contact_the_caller_cannot_see_is_an_invalid_id(rep, other_rep, rep_api):
    mine = CustomerFactory(owner=rep)
    theirs = ContactFactory(customer=CustomerFactory(owner=other_rep))
    url = f"/api/v1/customers/{mine.pk}/activities/"
    body = {"kind": "call", "summary": "Called", "date": "2026-11-20"}
    hidden = rep_api.post(url, {**body, "contact": theirs.pk}, format="json")
    missing = rep_api.post(url, {**body, "contact": 999999}, format="json")
    assert hidden.status_code == missing.status_code == 400
    assert hidden.json()["contact"][0].replace(str(theirs.pk), "N") == missing.json()["contact"][
        0
    ].replace("999999", "N")


def test_the_api_schema_needs_a_login(api_client, rep_api):
    assert api_client.get("/api/schema/").status_code in (401, 403)
    assert api_client.get("/api/docs/").status_code in (401, 403)
    assert rep_api.get("/api/schema/").status_code == 200
