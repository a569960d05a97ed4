"""Contract and proforma numbers, and one contract per quote version, under concurrency
(20 threads on PostgreSQL)."""

import threading

import pytest
from django.db import connections

from mgtrade.errors import StateConflict
from orders import services
from orders.models import Proforma, SalesContract
from quotes import services as quote_services
from tests.orders.factories import BankAccountFactory, sent_quote
from tests.quotes.factories import german_buyer

THREADS = 20


def _run(target, args_list) -> list[BaseException]:
    errors: list[BaseException] = []
    start = threading.Barrier(len(args_list))

    def run(*args) -> None:
        try:
            start.wait()
            target(*args)
        except BaseException as exc:
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=args) for args in args_list]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return errors


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_twenty_acceptances_and_confirmations_at_once_get_distinct_numbers(
    postgres_only, worked_example_data, rep
):
    BankAccountFactory(currency="EUR")
    customer = german_buyer(owner=rep)
    quotes = [sent_quote(customer=customer) for _ in range(THREADS)]

    def accept_and_confirm(quote) -> None:
        quote_services.quote_accept(quote=quote, by=rep, po_number=f"PO-{quote.pk}")
        services.contract_confirm(contract=SalesContract.objects.get(quote=quote), by=rep)

    assert _run(accept_and_confirm, [(q,) for q in quotes]) == []
    numbers = list(SalesContract.objects.values_list("number", flat=True))
    assert len(set(numbers)) == THREADS
    assert sorted(int(n[-5:]) for n in numbers) == list(range(1, THREADS + 1))
    proformas = list(Proforma.objects.values_list("number", flat=True))
    assert len(set(proformas)) == THREADS
    assert sorted(int(n[-5:]) for n in proformas) == list(range(1, THREADS + 1))


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_twenty_clicks_on_accept_make_exactly_one_contract(postgres_only, worked_example_data, rep):
    quote = sent_quote(customer=german_buyer(owner=rep))
    conflicts: list[int] = []

    def accept() -> None:
        try:
            quote_services.quote_accept(quote=quote, by=rep, po_number="PO-1")
        except StateConflict:
            conflicts.append(1)

    assert _run(accept, [() for _ in range(THREADS)]) == []
    assert len(conflicts) == THREADS - 1
    assert SalesContract.objects.filter(quote=quote).count() == 1

    # Repeated creation (a redelivered hook) returns the same contract.
    same: list[int] = []
    assert (
        _run(
            lambda: same.append(services.contract_create_from_quote(quote=quote).pk),
            [() for _ in range(THREADS)],
        )
        == []
    )
    assert set(same) == {SalesContract.objects.get(quote=quote).pk}
