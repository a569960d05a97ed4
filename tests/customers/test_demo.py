import pytest
from django.utils import timezone

from customers import demo, selectors
from customers.models import Activity, Contact, Customer
from mgtrade.accounts import demo as accounts_demo

pytestmark = pytest.mark.django_db


def test_demo_customers_load_idempotently_across_markets_and_reps():
    users = accounts_demo.load()
    demo.load(users)
    counts = (Customer.objects.count(), Contact.objects.count(), Activity.objects.count())
    demo.load(users)
    assert (Customer.objects.count(), Contact.objects.count(), Activity.objects.count()) == counts
    assert counts[0] >= 15
    countries = set(Customer.objects.values_list("country", flat=True))
    assert {"DE", "NL", "IT", "US", "JP", "KR", "TR", "BR", "IN"} <= countries
    assert set(Customer.objects.values_list("owner__username", flat=True)) == {"rep", "rep2"}
    assert Contact.objects.filter(name__contains="山田").exists()
    day = selectors.my_day(user=users["rep"], today=timezone.localdate())
    assert day.overdue and day.due_today
