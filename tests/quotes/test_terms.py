"""Commercial terms: bank accounts (moved from orders to quotes) and terms templates."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from quotes.models import BankAccount

BEFORE = [("orders", "0001_initial"), ("quotes", "0014_email_row_cleanup")]
AFTER = [("orders", "0002_bankaccount_moved_to_quotes"), ("quotes", "0015_bankaccount")]


@pytest.mark.django_db(transaction=True)
def test_moving_bank_accounts_to_quotes_keeps_the_rows_and_proforma_links():
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    old = executor.loader.project_state(BEFORE).apps
    account = old.get_model("orders", "BankAccount").objects.create(
        currency="EUR",
        beneficiary="Shanxi Magnesium Trading Co., Ltd.",
        bank_name="Bank of China Frankfurt",
        swift="BKCHDEFF",
        account="DE89 3704 0044 0532 0130 00",
        is_default=True,
    )

    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(AFTER)
    new = executor.loader.project_state(AFTER).apps
    moved = new.get_model("quotes", "BankAccount").objects.get(pk=account.pk)
    assert (moved.currency, moved.account, moved.is_default) == (
        "EUR",
        "DE89 3704 0044 0532 0130 00",
        True,
    )
    proforma_fk = new.get_model("orders", "Proforma")._meta.get_field("bank_account")
    assert proforma_fk.related_model._meta.label == "quotes.BankAccount"

    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())
    assert BankAccount.objects.get(pk=account.pk).bank_name == "Bank of China Frankfurt"
