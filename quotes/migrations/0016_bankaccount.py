"""Move BankAccount from orders to quotes (quotes print it too; quotes never import orders).

State-only: the table keeps its name ``orders_bankaccount`` and its rows, so nothing is
copied; orders' migration 0002 drops the model from orders' state and repoints the FK.
"""

import django.core.validators
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("orders", "0001_initial"),
        ("quotes", "0015_delivery_other_documents"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[],
            state_operations=[
                migrations.CreateModel(
                    name="BankAccount",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True,
                                primary_key=True,
                                serialize=False,
                                verbose_name="ID",
                            ),
                        ),
                        (
                            "currency",
                            models.CharField(
                                max_length=3,
                                validators=[
                                    django.core.validators.RegexValidator(
                                        "^[A-Z]{3}$", "Enter an ISO 4217 currency code like EUR."
                                    )
                                ],
                            ),
                        ),
                        ("beneficiary", models.CharField(max_length=200)),
                        ("beneficiary_address", models.CharField(blank=True, max_length=300)),
                        ("bank_name", models.CharField(max_length=200)),
                        ("bank_address", models.CharField(blank=True, max_length=300)),
                        (
                            "swift",
                            models.CharField(
                                help_text="8 or 11 characters, e.g. BKCHCNBJ110",
                                max_length=11,
                                verbose_name="SWIFT/BIC",
                            ),
                        ),
                        (
                            "account",
                            models.CharField(max_length=40, verbose_name="account number or IBAN"),
                        ),
                        ("intermediary_bank", models.CharField(blank=True, max_length=300)),
                        (
                            "is_default",
                            models.BooleanField(
                                default=False,
                                help_text="Printed on quotes and proformas.",
                                verbose_name="default for its currency",
                            ),
                        ),
                        ("active", models.BooleanField(default=True)),
                    ],
                    options={
                        "ordering": ["currency", "-is_default", "bank_name", "id"],
                        "db_table": "orders_bankaccount",
                        "constraints": [
                            models.UniqueConstraint(
                                condition=models.Q(("is_default", True)),
                                fields=("currency",),
                                name="bankaccount_one_default_per_currency",
                            )
                        ],
                    },
                ),
            ],
        ),
    ]
