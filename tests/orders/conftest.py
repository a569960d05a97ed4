"""The worked example's reference data (quotes can be priced), plus the bank accounts."""

import pytest

from tests.orders.factories import BankAccountFactory
from tests.quotes.conftest import worked_example_data  # noqa: F401 (a fixture)


@pytest.fixture
def bank_accounts(db):
    return {
        currency: BankAccountFactory(currency=currency, is_default=True)
        for currency in ("EUR", "USD", "JPY")
    }
