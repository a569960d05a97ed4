"""Customer search: every field it covers, and on PostgreSQL its trigram indexes."""

import pytest
from django.db import connection

from customers.models import Customer
from customers.selectors import customer_search
from tests.customers.factories import ContactFactory, CustomerFactory


@pytest.fixture
def buyers(rep):
    ulm = CustomerFactory(owner=rep, name="Schwaben Druckguss GmbH", city="Ulm")
    osaka = CustomerFactory(owner=rep, name="Keikinzoku K.K.", city="Osaka")
    ContactFactory(customer=osaka, name="山田 太郎", email="yamada@keikinzoku.example")
    ContactFactory(
        customer=osaka, name="Second Contact", email="second@keikinzoku.example", is_primary=False
    )
    return ulm, osaka


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("druckguss", "ulm"),  # name, case-folded
        ("SCHWABEN DRUCK", "ulm"),
        ("ulm", "ulm"),  # city
        ("OSAKA", "osaka"),
        ("山田", "osaka"),  # contact name
        ("yamada@kei", "osaka"),  # contact email
        ("keikinzoku.example", "osaka"),  # two matching contacts: the customer once
        ("nowhere", None),
    ],
)
def test_search_matches_name_city_and_contacts(buyers, query, expected):
    ulm, osaka = buyers
    found = list(customer_search(qs=Customer.objects.all(), query=query))
    assert found == ([] if expected is None else [{"ulm": ulm, "osaka": osaka}[expected]])


def test_search_keeps_the_callers_filters(buyers, other_rep):
    CustomerFactory(owner=other_rep, name="Other Druckguss AG", city="Ulm")
    mine = customer_search(qs=Customer.objects.filter(owner=buyers[0].owner), query="ulm")
    assert list(mine) == [buyers[0]]


@pytest.mark.postgres
def test_search_uses_the_trigram_indexes_on_postgresql(postgres_only, buyers):
    """Each condition of the search can use its index (migration 0003), so a search does
    not scan the customers or contacts (docs/crm.md)."""
    query = customer_search(qs=Customer.objects.all(), query="keikinzoku.example")
    sql, params = query.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")  # a tiny table would be scanned
        cursor.execute(f"EXPLAIN {sql}", params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    for index in (
        "customer_name_trgm",
        "customer_city_trgm",
        "contact_name_trgm",
        "contact_email_trgm",
    ):
        assert index in plan, plan
    assert "Seq Scan" not in plan, plan
