from django.db import migrations

REASONS = [
    ("price", "Price", False),
    ("lead_time", "Lead time", False),
    ("lost_to_competitor", "Lost to competitor", True),
    ("tariff", "Tariff / duties", False),
    ("no_demand", "No demand", False),
    ("other", "Other", False),
]


def seed(apps, schema_editor):
    RejectionReason = apps.get_model("quotes", "RejectionReason")
    for position, (code, label, asks_competitor) in enumerate(REASONS):
        RejectionReason.objects.get_or_create(
            code=code,
            defaults={"label": label, "asks_competitor": asks_competitor, "position": position},
        )


class Migration(migrations.Migration):
    dependencies = [("quotes", "0001_quotes")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
