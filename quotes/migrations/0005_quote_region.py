"""The buyer's region on the quote (part of its snapshot), backfilled from the customer, and
the index the list's region filter uses."""

from django.db import migrations, models
from django.db.models import OuterRef, Subquery


def backfill_region(apps, schema_editor):
    """One UPDATE: every quote takes its customer's region."""
    Quote = apps.get_model("quotes", "Quote")
    Customer = apps.get_model("customers", "Customer")
    Quote.objects.update(
        region=Subquery(Customer.objects.filter(pk=OuterRef("customer_id")).values("region")[:1])
    )


class Migration(migrations.Migration):
    dependencies = [
        ("customers", "0002_last_activity_index"),
        ("quotes", "0004_list_indexes"),
    ]

    operations = [
        migrations.AddField(
            model_name="quote",
            name="region",
            field=models.CharField(
                choices=[
                    ("europe", "Europe"),
                    ("north_america", "North America"),
                    ("south_america", "South America"),
                    ("east_asia", "East Asia"),
                    ("south_asia", "South Asia"),
                    ("middle_east", "Middle East"),
                    ("africa", "Africa"),
                    ("oceania", "Oceania"),
                ],
                default="",
                editable=False,
                max_length=16,
            ),
            preserve_default=False,
        ),
        # Reversing drops the column (the AddField above), so nothing to undo here.
        migrations.RunPython(backfill_region, migrations.RunPython.noop),
        migrations.AddIndex(
            model_name="quote",
            index=models.Index(
                condition=models.Q(("status", "superseded"), _negated=True),
                fields=["region", "-created_at", "-id"],
                include=("owner", "customer"),
                name="quote_live_region",
            ),
        ),
    ]
