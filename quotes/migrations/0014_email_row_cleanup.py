"""One row per e-mail, step 3 of 3: the delivery row no longer carries the e-mail."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("quotes", "0013_email_row_data"),
    ]

    operations = [
        migrations.RemoveField(model_name="quotedelivery", name="to"),
        migrations.RemoveField(model_name="quotedelivery", name="cc"),
        migrations.RemoveField(model_name="quotedelivery", name="reply_to"),
        migrations.RemoveField(model_name="quotedelivery", name="subject"),
        migrations.RemoveField(model_name="quotedelivery", name="message_id"),
        migrations.RemoveField(model_name="quotedelivery", name="sent_at"),
        migrations.AlterField(
            model_name="quotedelivery",
            name="attempts",
            field=models.PositiveSmallIntegerField(default=0, help_text="Attempts at rendering."),
        ),
        migrations.AddIndex(
            model_name="quotedelivery",
            index=models.Index(
                fields=["render_status", "claimed_at"], name="delivery_render_claimed"
            ),
        ),
        migrations.AddConstraint(
            model_name="quotedelivery",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    models.Q(("render_status", "rendered"), _negated=True),
                    models.Q(("pdf_sha256", ""), _negated=True),
                    _connector="OR",
                ),
                name="delivery_rendered_has_pdf",
            ),
        ),
        migrations.AddIndex(
            model_name="quoteemail",
            index=models.Index(fields=["status", "claimed_at"], name="quoteemail_status_claimed"),
        ),
        migrations.AddConstraint(
            model_name="quoteemail",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    models.Q(("status", "sent"), _negated=True),
                    ("sent_at__isnull", False),
                    _connector="OR",
                ),
                name="quoteemail_sent_has_time",
            ),
        ),
    ]
