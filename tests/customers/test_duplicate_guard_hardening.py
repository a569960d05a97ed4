"""The duplicate guard holds against look-alike letters and against two creations at the
same moment (docs/crm.md, "Duplicates")."""

import threading

import pytest
from django.db import connection

from customers import services
from customers.models import Customer
from customers.normalize import duplicate_key

BASE = {"country": "DE", "industry": "automotive"}


@pytest.mark.parametrize(
    ("first", "second"),
    [
        ("Rijnmond Metals", "Rijnmond Metаls"),  # Cyrillic а
        ("Nordmetall", "Nоrdmetall"),  # Cyrillic о
        ("Pacific Alloys", "Ρacific Αlloys"),  # Greek Ρ and Α
        ("Acme Metals", "Ａｃｍｅ Metals"),  # fullwidth
        ("Müller Magnesium GmbH", "Mueller Magnesium GmbH"),
        ("Schröder Guss", "Schroeder Guss"),
        ("Bäcker Leichtmetall", "Baecker Leichtmetall"),
        ("Großmann Alloys", "Grossmann Alloys"),
        ("Müller Magnesium GmbH", "MULLER MAGNESIUM"),  # still: accents dropped
    ],
)
@pytest.mark.django_db
def test_look_alike_names_are_duplicates(rep, first, second):
    services.customer_create(by=rep, name=first, **BASE)
    with pytest.raises(services.DuplicateError):
        services.customer_create(by=rep, name=second, **BASE)
    services.customer_create(by=rep, name=second, confirm_duplicate=True, **BASE)
    assert Customer.objects.count() == 2


def test_duplicate_key_folds_look_alikes_but_keeps_different_names_apart():
    assert duplicate_key("Rijnmond Metаls B.V.") == duplicate_key("rijnmond metals")
    assert duplicate_key("Grünwald GmbH") == "gruenwald"
    assert duplicate_key("Nordmetall") != duplicate_key("Nordmetal")
    assert duplicate_key("大阪軽金属株式会社") == duplicate_key("大阪軽金属")


@pytest.mark.django_db
def test_renaming_into_a_look_alike_warns(rep):
    services.customer_create(by=rep, name="Rijnmond Metals", **BASE)
    other = services.customer_create(by=rep, name="Other Metals", **BASE)
    with pytest.raises(services.DuplicateError):
        services.customer_update(customer=other, by=rep, name="Rijnmоnd Metals")


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_parallel_creations_of_one_customer_create_it_once(rep, postgres_only):
    """Ten rounds of two threads creating the same customer at once: one wins each round,
    the other gets the duplicate warning (before the fix, most rounds created two)."""
    for round_ in range(10):
        name = f"Parallel Metals {round_}"
        barrier = threading.Barrier(2)
        outcomes: list[str] = []

        def create(name=name, barrier=barrier, outcomes=outcomes):
            try:
                barrier.wait()
                services.customer_create(by=rep, name=name, **BASE)
                outcomes.append("created")
            except services.DuplicateError:
                outcomes.append("duplicate")
            finally:
                connection.close()

        threads = [threading.Thread(target=create) for _ in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert sorted(outcomes) == ["created", "duplicate"], (round_, outcomes)
    assert Customer.objects.count() == 10
