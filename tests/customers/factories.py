import factory
from django.utils import timezone

from customers.models import Activity, ActivityKind, Contact, Customer, Industry, Status
from customers.normalize import duplicate_key, normalize_name
from customers.regions import region_for
from tests.accounts.factories import UserFactory


class CustomerFactory(factory.django.DjangoModelFactory):
    """A German automotive buyer by default. Derived fields are filled like the service does."""

    class Meta:
        model = Customer

    name = factory.Sequence(lambda n: f"Testwerk Leichtmetall {n} GmbH")
    country = "DE"
    industry = Industry.AUTOMOTIVE
    status = Status.ACTIVE
    owner = factory.SubFactory(UserFactory)
    city = "Stuttgart"
    default_incoterm = "CIF"
    default_destination_port = "DEHAM"
    default_currency = "EUR"
    payment_terms = "T/T 30% advance, 70% against B/L copy"
    normalized_name = factory.LazyAttribute(lambda c: normalize_name(c.name))
    duplicate_key = factory.LazyAttribute(lambda c: duplicate_key(c.name))
    region = factory.LazyAttribute(lambda c: region_for(str(c.country)))
    updated_at = factory.LazyFunction(timezone.now)


class ContactFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Contact

    customer = factory.SubFactory(CustomerFactory)
    name = factory.Sequence(lambda n: f"Anna Beispiel {n}")
    job_title = "Purchasing manager"
    email = factory.Sequence(lambda n: f"buyer{n}@example.com")
    language = "de"
    is_primary = True


class ActivityFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Activity

    customer = factory.SubFactory(CustomerFactory)
    kind = ActivityKind.CALL
    date = factory.LazyFunction(timezone.localdate)
    summary = "Discussed Q3 tonnage for MG9990."
    logged_by = factory.LazyAttribute(lambda a: a.customer.owner)
    follow_up_on = None
    done = False
