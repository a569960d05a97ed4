"""BankAccount moved to quotes (same table): drop it from orders' state, repoint the FK."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("orders", "0002_document_delivery"),
        ("quotes", "0016_bankaccount"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[],
            state_operations=[
                migrations.AlterField(
                    model_name="proforma",
                    name="bank_account",
                    field=models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to="quotes.bankaccount",
                    ),
                ),
                migrations.DeleteModel(name="BankAccount"),
            ],
        ),
    ]
