"""Approval reasons become structured ({code, message, figures, warning}): the plain-text
reasons stored before keep their text as the message."""

from django.db import migrations


def forwards(apps, schema_editor):
    Quote = apps.get_model("quotes", "Quote")
    for quote in Quote.objects.exclude(approval_reasons=[]).only("pk", "approval_reasons"):
        reasons = quote.approval_reasons or []
        if all(isinstance(r, dict) for r in reasons):
            continue
        quote.approval_reasons = [
            r
            if isinstance(r, dict)
            else {"code": "", "message": str(r), "figures": {}, "warning": False}
            for r in reasons
        ]
        quote.save(update_fields=["approval_reasons"])


class Migration(migrations.Migration):
    dependencies = [("quotes", "0006_live_created_index")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
