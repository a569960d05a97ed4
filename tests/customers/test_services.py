from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from customers import selectors, services
from customers.models import Activity, ActivityKind, Contact, Customer
from tests.customers.factories import ActivityFactory, ContactFactory, CustomerFactory

pytestmark = pytest.mark.django_db

BASE = {"name": "Rijnmond Metals B.V.", "country": "NL", "industry": "steel_desulfurization"}


def test_create_derives_region_and_normalized_name(rep):
    customer = services.customer_create(by=rep, **BASE)
    assert customer.owner == rep
    assert customer.region == "europe"
    assert customer.normalized_name == "rijnmond metals"


def test_create_refuses_bad_port_currency_and_country_with_field_errors(rep):
    with pytest.raises(ValidationError) as exc:
        services.customer_create(
            by=rep,
            **{**BASE, "country": "XX"},
            default_destination_port="Hamburg",
            default_currency="euro",
        )
    errors = exc.value.message_dict
    assert set(errors) >= {"country", "default_destination_port", "default_currency"}
    assert Customer.objects.count() == 0


def test_duplicate_name_in_same_country_warns_with_the_existing_id(rep):
    existing = services.customer_create(by=rep, **BASE)
    with pytest.raises(services.DuplicateError) as exc:
        services.customer_create(by=rep, **{**BASE, "name": "RIJNMOND METALS bv"})
    assert exc.value.existing == [existing]
    assert f"#{existing.pk}" in exc.value.message_dict["name"][0]
    again = services.customer_create(
        by=rep, confirm_duplicate=True, **{**BASE, "name": "Rijnmond Metals"}
    )
    assert again.pk != existing.pk


def test_same_name_in_another_country_is_not_a_duplicate(rep):
    services.customer_create(by=rep, **BASE)
    services.customer_create(by=rep, **{**BASE, "country": "BE"})
    assert Customer.objects.count() == 2


def test_duplicate_owned_by_another_rep_is_named_by_id_only(rep, other_rep):
    existing = services.customer_create(by=other_rep, **BASE)
    with pytest.raises(services.DuplicateError) as exc:
        services.customer_create(by=rep, **BASE)
    message = exc.value.message_dict["name"][0]
    assert f"#{existing.pk}" in message and "Rijnmond" not in message


def test_renaming_into_a_duplicate_warns(rep):
    services.customer_create(by=rep, **BASE)
    other = services.customer_create(by=rep, **{**BASE, "name": "Delta Alloys"})
    with pytest.raises(services.DuplicateError):
        services.customer_update(customer=other, by=rep, name="Rijnmond Metals NV")


def test_rep_cannot_change_or_create_for_another_rep(rep, other_rep):
    customer = CustomerFactory(owner=other_rep)
    with pytest.raises(PermissionDenied):
        services.customer_update(customer=customer, by=rep, notes="x")
    with pytest.raises(PermissionDenied):
        services.customer_create(by=rep, owner=other_rep, **BASE)


def test_every_change_is_in_the_history_with_who(rep):
    customer = services.customer_create(by=rep, **BASE)
    services.customer_update(customer=customer, by=rep, status="active", city="Rotterdam")
    entries = selectors.customer_history(customer=customer)
    assert [e.kind for e in entries] == ["changed", "created"]
    assert entries[0].who == rep
    changed = {label for label, _old, _new in entries[0].changes}
    assert changed == {"status", "city"}


def test_reassign_is_manager_only_logged_and_in_history(rep, other_rep, manager):
    customer = CustomerFactory(owner=rep)
    with pytest.raises(PermissionDenied):
        services.customer_reassign(customer=customer, owner=other_rep, by=rep)
    services.customer_reassign(customer=customer, owner=other_rep, by=manager, note="Territory")
    customer.refresh_from_db()
    assert customer.owner == other_rep
    note = Activity.objects.get(customer=customer)
    assert note.kind == ActivityKind.NOTE and note.logged_by == manager
    assert "Territory" in note.summary and str(rep) in note.summary
    latest = selectors.customer_history(customer=customer)[0]
    assert latest.who == manager
    assert ("owner", str(rep), str(other_rep)) in latest.changes
    assert "Reassigned" in latest.reason


def test_first_contact_becomes_primary_and_a_new_primary_demotes_the_old(rep):
    customer = CustomerFactory(owner=rep)
    first = services.contact_create(customer=customer, by=rep, name="A", email="a@x.com")
    assert first.is_primary
    second = services.contact_create(
        customer=customer, by=rep, name="B", email="b@x.com", is_primary=True
    )
    first.refresh_from_db()
    assert second.is_primary and not first.is_primary
    assert customer.contacts.filter(is_primary=True).count() == 1


def test_the_primary_cannot_be_unset_but_deleting_it_promotes_another(rep, manager):
    customer = CustomerFactory(owner=rep)
    first = services.contact_create(customer=customer, by=rep, name="A", email="a@x.com")
    second = services.contact_create(customer=customer, by=rep, name="B", email="b@x.com")
    with pytest.raises(ValidationError) as exc:
        services.contact_update(contact=first, by=rep, is_primary=False)
    assert "is_primary" in exc.value.message_dict
    services.contact_delete(contact=Contact.objects.get(pk=first.pk), by=manager)
    second.refresh_from_db()
    assert second.is_primary


def test_database_refuses_two_primaries(rep):
    customer = CustomerFactory(owner=rep)
    ContactFactory(customer=customer, is_primary=True)
    with pytest.raises(IntegrityError), transaction.atomic():
        ContactFactory(customer=customer, is_primary=True)


def test_contact_email_unique_per_customer_and_warned_across_customers(rep):
    customer = CustomerFactory(owner=rep)
    services.contact_create(customer=customer, by=rep, name="A", email="Anna@Example.com")
    with pytest.raises(ValidationError) as exc:
        services.contact_create(customer=customer, by=rep, name="B", email="anna@example.com")
    assert not isinstance(exc.value, services.DuplicateError)
    other = CustomerFactory(owner=rep)
    with pytest.raises(services.DuplicateError) as dup:
        services.contact_create(customer=other, by=rep, name="A", email="anna@example.com")
    assert f"#{customer.pk}" in dup.value.message_dict["email"][0]
    services.contact_create(
        customer=other, by=rep, name="A", email="anna@example.com", confirm_duplicate=True
    )


def test_bad_email_is_a_field_error(rep):
    customer = CustomerFactory(owner=rep)
    with pytest.raises(ValidationError) as exc:
        services.contact_create(customer=customer, by=rep, name="A", email="not-an-email")
    assert "email" in exc.value.message_dict


def test_logging_an_activity_touches_the_account(rep):
    customer = CustomerFactory(owner=rep, updated_at=timezone.now() - timedelta(days=30))
    today = timezone.localdate()
    activity = services.activity_log(
        customer=customer, by=rep, kind="call", summary="Price check", follow_up_on=today
    )
    customer.refresh_from_db()
    assert customer.last_activity_on == today
    assert customer.updated_at > timezone.now() - timedelta(minutes=1)
    assert activity.logged_by == rep
    assert customer.history.count() == 1  # only the creation: touching is not audited


def test_follow_up_before_the_activity_date_is_refused(rep):
    customer = CustomerFactory(owner=rep)
    with pytest.raises(ValidationError) as exc:
        services.activity_log(
            customer=customer,
            by=rep,
            kind="call",
            summary="x",
            follow_up_on=timezone.localdate() - timedelta(days=1),
        )
    assert "follow_up_on" in exc.value.message_dict


def test_mark_done_is_idempotent(rep):
    activity = ActivityFactory(customer__owner=rep, follow_up_on=timezone.localdate())
    services.activity_mark_done(activity=activity, by=rep)
    first_done_at = activity.done_at
    services.activity_mark_done(activity=activity, by=rep)
    assert activity.done and activity.done_at == first_done_at


def test_my_day_splits_overdue_today_and_recent(rep, other_rep):
    today = timezone.localdate()
    mine = CustomerFactory(owner=rep)
    overdue = ActivityFactory(
        customer=mine, date=today - timedelta(days=5), follow_up_on=today - timedelta(days=2)
    )
    due = ActivityFactory(customer=mine, follow_up_on=today)
    ActivityFactory(customer=mine, follow_up_on=today, done=True)
    ActivityFactory(customer__owner=other_rep, follow_up_on=today)
    day = selectors.my_day(user=rep)
    assert day.overdue == [overdue]
    assert day.due_today == [due]
    assert day.recent == [mine]


def test_my_day_drops_my_follow_ups_on_a_customer_since_reassigned(rep, other_rep, manager):
    """Follow-ups go with the customer: its former rep no longer sees them (nor could act)."""
    today = timezone.localdate()
    customer = CustomerFactory(owner=rep)
    ActivityFactory(customer=customer, logged_by=rep, follow_up_on=today)
    assert len(selectors.my_day(user=rep).due_today) == 1
    services.customer_reassign(customer=customer, owner=other_rep, by=manager)
    assert selectors.my_day(user=rep).due_today == []
    assert len(selectors.my_day(user=other_rep).due_today) == 1
