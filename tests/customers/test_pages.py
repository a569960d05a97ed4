from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from customers.models import Activity, Contact, Customer
from tests.customers.factories import ActivityFactory, ContactFactory, CustomerFactory

pytestmark = pytest.mark.django_db

FORM = {
    "name": "Fonderia Lombarda S.p.A.",
    "country": "IT",
    "industry": "aluminium_alloying",
    "status": "prospect",
    "city": "Brescia",
    "default_incoterm": "CIF",
    "default_destination_port": "ITGOA",
    "default_currency": "EUR",
}


def test_home_redirects_to_my_day(rep_client):
    response = rep_client.get("/")
    assert response.status_code == 302 and response.url == reverse("customers:my_day")


@pytest.mark.parametrize(
    "name", ["customers:list", "customers:my_day", "customers:create", "customers:export"]
)
def test_anonymous_is_sent_to_sign_in(client, name):
    response = client.get(reverse(name))
    assert response.status_code == 302 and "/accounts/login/" in response.url


def test_rep_gets_404_for_another_reps_customer_pages(other_rep, rep_client):
    theirs = CustomerFactory(owner=other_rep)
    contact = ContactFactory(customer=theirs)
    for name, args in [
        ("customers:detail", [theirs.pk]),
        ("customers:edit", [theirs.pk]),
        ("customers:contact_create", [theirs.pk]),
        ("customers:contact_edit", [theirs.pk, contact.pk]),
    ]:
        assert rep_client.get(reverse(name, args=args)).status_code == 404, name
    url = reverse("customers:activity_create", args=[theirs.pk])
    assert rep_client.post(url, {"kind": "call", "summary": "x"}).status_code == 404
    activity = ActivityFactory(customer=theirs, follow_up_on=timezone.localdate())
    url = reverse("customers:follow_up_done", args=[activity.pk])
    assert rep_client.post(url).status_code == 404
    activity.refresh_from_db()
    assert not activity.done


def test_manager_sees_any_customer_page_and_history(rep, manager_client):
    customer = CustomerFactory(owner=rep)
    assert manager_client.get(reverse("customers:detail", args=[customer.pk])).status_code == 200
    history = manager_client.get(reverse("customers:history", args=[customer.pk]))
    assert history.status_code == 200 and b"created" in history.content


def test_rep_cannot_open_reassign_history_or_import(rep, rep_client):
    customer = CustomerFactory(owner=rep)
    assert rep_client.get(reverse("customers:reassign", args=[customer.pk])).status_code == 403
    assert rep_client.get(reverse("customers:history", args=[customer.pk])).status_code == 403
    assert rep_client.get(reverse("customers:import")).status_code == 403


def test_list_shows_only_own_customers_to_a_rep(rep, other_rep, rep_client):
    CustomerFactory(owner=rep, name="Mine Metall GmbH")
    CustomerFactory(owner=other_rep, name="Theirs Alloys Inc.")
    body = rep_client.get(reverse("customers:list")).content.decode()
    assert "Mine Metall GmbH" in body and "Theirs Alloys" not in body


def test_list_filters_search_and_sorts(rep, rep_client):
    CustomerFactory(owner=rep, name="Alpha Guss", country="DE", city="Aalen")
    CustomerFactory(owner=rep, name="Zeta Alloys", country="US", city="Detroit")
    body = rep_client.get(reverse("customers:list"), {"search": "detroit"}).content.decode()
    assert "Zeta Alloys" in body and "Alpha Guss" not in body
    body = rep_client.get(reverse("customers:list"), {"region": "europe"}).content.decode()
    assert "Alpha Guss" in body and "Zeta Alloys" not in body
    body = rep_client.get(reverse("customers:list"), {"sort": "-name"}).content.decode()
    assert body.index("Zeta Alloys") < body.index("Alpha Guss")


def test_list_page_query_count_is_fixed_whatever_the_rows(
    rep, manager, manager_client, django_assert_max_num_queries
):
    def make(n):
        for _ in range(n):
            ContactFactory(customer=CustomerFactory(owner=rep))

    make(2)
    with django_assert_max_num_queries(10) as small:
        manager_client.get(reverse("customers:list"))
    make(60)
    with django_assert_max_num_queries(10) as large:
        response = manager_client.get(reverse("customers:list"), {"search": "testwerk"})
    assert response.status_code == 200
    assert len(large.captured_queries) == len(small.captured_queries)


def test_create_page_creates_and_redirects(rep, rep_client):
    response = rep_client.post(reverse("customers:create"), FORM)
    customer = Customer.objects.get()
    assert response.status_code == 302 and response.url == reverse(
        "customers:detail", args=[customer.pk]
    )
    assert customer.owner == rep and customer.region == "europe"


def test_create_page_shows_field_errors_and_keeps_input(rep_client):
    response = rep_client.post(
        reverse("customers:create"),
        {**FORM, "default_destination_port": "Genoa", "website": "not a url", "country": ""},
    )
    assert response.status_code == 200
    form = response.context["form"]
    assert set(form.errors) >= {"default_destination_port", "website", "country"}
    assert b"UN/LOCODE" in response.content and b"Fonderia Lombarda" in response.content
    assert not Customer.objects.exists()


def test_create_page_warns_about_a_duplicate_and_needs_confirmation(rep, rep_client):
    existing = CustomerFactory(owner=rep, name="Fonderia Lombarda SpA", country="IT")
    response = rep_client.post(reverse("customers:create"), FORM)
    assert response.status_code == 200
    body = response.content.decode()
    assert "Possible duplicate" in body
    assert reverse("customers:detail", args=[existing.pk]) in body
    assert Customer.objects.count() == 1
    response = rep_client.post(reverse("customers:create"), {**FORM, "confirm_duplicate": "on"})
    assert response.status_code == 302 and Customer.objects.count() == 2


def test_contact_form_adds_a_primary_contact_and_warns_on_email_used_elsewhere(rep, rep_client):
    customer = CustomerFactory(owner=rep)
    url = reverse("customers:contact_create", args=[customer.pk])
    response = rep_client.post(url, {"name": "Marco Rossi", "email": "marco@lombarda.example"})
    assert response.status_code == 302
    assert Contact.objects.get().is_primary
    other = CustomerFactory(owner=rep)
    url = reverse("customers:contact_create", args=[other.pk])
    response = rep_client.post(url, {"name": "Marco Rossi", "email": "marco@lombarda.example"})
    assert response.status_code == 200 and b"Possible duplicate" in response.content
    bad = rep_client.post(url, {"name": "", "email": "nope"})
    assert set(bad.context["form"].errors) >= {"name", "email"}


def test_customer_page_logs_activity_via_htmx_and_shows_timeline(rep, rep_client):
    customer = CustomerFactory(owner=rep)
    ContactFactory(customer=customer, name="Hans Weber")
    url = reverse("customers:activity_create", args=[customer.pk])
    today = timezone.localdate().isoformat()
    response = rep_client.post(
        url,
        {"kind": "call", "date": today, "summary": "Asked for 40 MT MG9990", "follow_up_on": today},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 200
    assert b"Asked for 40 MT MG9990" in response.content
    assert b"<html" not in response.content
    page = rep_client.get(reverse("customers:detail", args=[customer.pk])).content.decode()
    assert "Asked for 40 MT MG9990" in page and "Hans Weber" in page


def test_my_day_lists_follow_ups_and_marks_done_with_a_next_step(rep, rep_client):
    today = timezone.localdate()
    customer = CustomerFactory(owner=rep, name="Hanbit Alloy")
    overdue = ActivityFactory(
        customer=customer,
        date=today - timedelta(days=3),
        follow_up_on=today - timedelta(days=1),
        summary="Send AZ91D spec",
    )
    ActivityFactory(customer=customer, follow_up_on=today, summary="Call about tonnage")
    page = rep_client.get(reverse("customers:my_day")).content.decode()
    assert "Send AZ91D spec" in page and "Call about tonnage" in page
    response = rep_client.post(
        reverse("customers:follow_up_done", args=[overdue.pk]),
        {"kind": "email", "summary": "Spec sent", "follow_up_on": ""},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 200 and "Done" in response.content.decode()
    overdue.refresh_from_db()
    assert overdue.done
    assert Activity.objects.filter(customer=customer, summary="Spec sent", kind="email").exists()


def test_my_day_quick_log_needs_a_summary(rep, rep_client):
    customer = CustomerFactory(owner=rep)
    url = reverse("customers:quick_log", args=[customer.pk])
    bad = rep_client.post(url, {"kind": "call", "summary": ""}, HTTP_HX_REQUEST="true")
    assert bad.status_code == 400 and b"Say what happened" in bad.content
    ok = rep_client.post(url, {"kind": "visit", "summary": "Plant visit"}, HTTP_HX_REQUEST="true")
    assert ok.status_code == 200 and Activity.objects.filter(kind="visit").count() == 1


def test_manager_reassigns_from_the_page(rep, other_rep, manager_client):
    customer = CustomerFactory(owner=rep)
    url = reverse("customers:reassign", args=[customer.pk])
    response = manager_client.post(url, {"owner": other_rep.pk, "note": "Americas desk"})
    assert response.status_code == 302
    customer.refresh_from_db()
    assert customer.owner == other_rep
    history = manager_client.get(reverse("customers:history", args=[customer.pk])).content.decode()
    assert "Reassigned" in history


def test_edit_page_changes_are_in_the_history(rep, manager, rep_client):
    customer = CustomerFactory(owner=rep, status="lead")
    url = reverse("customers:edit", args=[customer.pk])
    data = {**FORM, "name": customer.name, "country": "DE", "status": "active"}
    assert rep_client.post(url, data).status_code == 302
    rep_client.force_login(manager)  # the same test client, now signed in as the manager
    history = rep_client.get(reverse("customers:history", args=[customer.pk]))
    assert history.context["entries"][0].who == rep
    assert ("status", "lead", "active") in history.context["entries"][0].changes


def test_date_inputs_show_and_accept_iso_dates_only(rep_client, rep):
    from customers.forms import ActivityForm

    customer = CustomerFactory(owner=rep)
    data = {"kind": "call", "date": "30/11/2026", "summary": "x"}
    form = ActivityForm(data=data, customer=customer)
    assert not form.is_valid() and "YYYY-MM-DD" in form.errors["date"][0]
    form = ActivityForm(data={**data, "date": "2026-11-30"}, customer=customer)
    assert form.is_valid(), form.errors
    html = str(ActivityForm(customer=customer, initial={"date": "2026-11-30"})["date"])
    assert 'placeholder="YYYY-MM-DD"' in html and 'type="text"' in html


def test_customer_form_offers_port_and_currency_pickers_backed_by_the_tables(rep_client, rep):
    customer = CustomerFactory(owner=rep)
    page = rep_client.get(reverse("customers:edit", args=[customer.pk])).content.decode()
    port_url = reverse("quotes:port_picker") + "?role=any&amp;for=id_default_destination_port"
    currency_url = reverse("quotes:currency_picker") + "?for=id_default_currency"
    assert f'hx-get="{port_url}"' in page
    assert f'hx-get="{currency_url}"' in page
    assert 'aria-controls="id_default_destination_port-options"' in page
    assert '<label for="id_default_currency-search" class="visually-hidden">' in page
