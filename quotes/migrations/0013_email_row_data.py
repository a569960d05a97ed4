"""One row per e-mail, step 2 of 3: move each quote e-mail's state from its delivery row
onto its e-mail row.

Before: ``QuoteDelivery.status`` held the render step until the PDF was stored, then the
e-mail step (queued → sending → sent | retrying | failed | needs_decision), and the quote's
``QuoteEmail`` row mirrored the e-mail step (created when the e-mail step first claimed).
After: the delivery row holds only the render step (``rendered`` once the PDF is stored)
and the latest quote e-mail row of the delivery holds the e-mail step (created here when
it did not exist yet; ``sending`` is now ``in_flight``).
"""

from django.db import migrations

EMAIL_FROM_DELIVERY = {
    "queued": "queued",
    "rendering": "queued",
    "sending": "in_flight",
    "sent": "sent",
    "retrying": "retrying",
    "failed": "failed",
    "needs_decision": "needs_decision",
}
STEP_FIELDS = ("attempts", "last_error", "next_attempt_at", "claim_token", "claimed_at")


def _quote_email(Email, delivery):
    email = Email.objects.filter(delivery=delivery, kind="quote").order_by("-id").first()
    if email is None:
        email = Email(
            quote_id=delivery.quote_id,
            delivery=delivery,
            kind="quote",
            subject=delivery.subject,
            to=delivery.to,
            cc=delivery.cc,
        )
    return email


def forward(apps, schema_editor):
    Delivery = apps.get_model("quotes", "QuoteDelivery")
    Email = apps.get_model("quotes", "QuoteEmail")
    Email.objects.filter(status="sending").update(status="in_flight")
    for delivery in Delivery.objects.order_by("pk").iterator():
        email = _quote_email(Email, delivery)
        email.reply_to = delivery.reply_to
        email.subject = email.subject or delivery.subject
        email.to, email.cc = email.to or delivery.to, email.cc or delivery.cc
        old = delivery.render_status  # the old combined status, under its new name
        if delivery.pdf_sha256:
            email.status = EMAIL_FROM_DELIVERY.get(old, "queued")
            email.message_id = delivery.message_id or email.message_id
            email.sent_at = delivery.sent_at or email.sent_at
            if email.status == "sent" and email.sent_at is None:
                email.sent_at = delivery.updated_at
            for field in STEP_FIELDS:
                setattr(email, field, getattr(delivery, field))
            delivery.render_status = "rendered"
            delivery.attempts, delivery.last_error = 0, ""
            delivery.next_attempt_at, delivery.claim_token, delivery.claimed_at = None, "", None
        else:
            email.status = "queued"  # waits for its PDF
            if old not in ("queued", "rendering", "retrying", "failed"):
                delivery.render_status = "queued"
        email.save()
        delivery.save()


def backward(apps, schema_editor):
    Delivery = apps.get_model("quotes", "QuoteDelivery")
    Email = apps.get_model("quotes", "QuoteEmail")
    for delivery in Delivery.objects.order_by("pk").iterator():
        email = Email.objects.filter(delivery=delivery, kind="quote").order_by("-id").first()
        if email is not None:
            delivery.to, delivery.cc = email.to, email.cc
            delivery.reply_to, delivery.subject = email.reply_to, email.subject
        if delivery.render_status == "rendered":
            if email is None:
                delivery.render_status = "queued"
            else:
                status = "sending" if email.status == "in_flight" else email.status
                delivery.render_status = status
                delivery.message_id, delivery.sent_at = email.message_id, email.sent_at
                for field in STEP_FIELDS:
                    setattr(delivery, field, getattr(email, field))
        delivery.save()
    Email.objects.filter(status="in_flight").update(status="sending")


class Migration(migrations.Migration):
    dependencies = [
        ("quotes", "0012_email_row_fields"),
    ]

    operations = [migrations.RunPython(forward, backward)]
