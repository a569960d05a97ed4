"""One row per e-mail, step 1 of 3: the e-mail row gains what the delivery row held for the
quote e-mail (reply-to, next attempt); the delivery's status becomes its render step's."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("quotes", "0011_landed_cost_unknown"),
    ]

    operations = [
        migrations.RemoveIndex(model_name="quotedelivery", name="delivery_status_claimed"),
        migrations.RemoveConstraint(model_name="quotedelivery", name="delivery_sent_has_time"),
        migrations.AddField(
            model_name="quoteemail",
            name="reply_to",
            field=models.JSONField(blank=True, default=list),
        ),
        migrations.AddField(
            model_name="quoteemail",
            name="next_attempt_at",
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.AlterField(
            model_name="quoteemail",
            name="status",
            field=models.CharField(
                choices=[
                    ("queued", "Queued"),
                    ("in_flight", "Sending"),
                    ("sent", "Sent"),
                    ("retrying", "Retrying"),
                    ("failed", "Failed"),
                    ("needs_decision", "Needs a decision"),
                ],
                default="queued",
                max_length=20,
            ),
        ),
        migrations.RenameField(
            model_name="quotedelivery", old_name="status", new_name="render_status"
        ),
        migrations.AlterField(
            model_name="quotedelivery",
            name="render_status",
            field=models.CharField(
                choices=[
                    ("queued", "Queued"),
                    ("rendering", "Rendering PDF"),
                    ("rendered", "Rendered"),
                    ("retrying", "Retrying"),
                    ("failed", "Failed"),
                ],
                default="queued",
                max_length=20,
            ),
        ),
    ]
