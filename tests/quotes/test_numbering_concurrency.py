"""Quote numbers under concurrency: 20 threads × 10 quotes on PostgreSQL."""

import threading

import pytest
from django.db import connections

from quotes.models import Quote
from tests.quotes.factories import german_buyer, quote_for


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_twenty_reps_creating_ten_quotes_each_get_200_distinct_numbers(
    postgres_only, worked_example_data, rep
):
    customer = german_buyer(owner=rep)
    errors: list[BaseException] = []
    start = threading.Barrier(20)

    def create_ten() -> None:
        try:
            start.wait()
            for _ in range(10):
                quote_for(customer=customer)
        except BaseException as exc:
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=create_ten) for _ in range(20)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)

    assert errors == []
    numbers = list(Quote.objects.values_list("number", flat=True))
    assert len(numbers) == 200
    assert len(set(numbers)) == 200
    assert sorted(int(n[-5:]) for n in numbers) == list(range(1, 201))
