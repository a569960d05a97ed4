"""Migrations 0012-0014 move each quote e-mail's state from its delivery row to its e-mail
row: rows written by the earlier code keep their meaning after ``migrate``."""

from datetime import timedelta

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from tests.quotes.factories import german_buyer, quote_for

BEFORE = [("quotes", "0012_email_row_fields")]
AFTER = None  # the latest migrations: the database as the other tests expect it


def migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    targets = targets or executor.loader.graph.leaf_nodes()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


def migrate_to_latest():
    """Leave the test database fully migrated (later migrations than AFTER exist)."""
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())


@pytest.mark.django_db(transaction=True)
def test_old_delivery_rows_become_a_render_row_and_one_email_row(worked_example_data, rep):
    quotes = [quote_for(customer=german_buyer(owner=rep)) for _ in range(4)]
    now = timezone.now()
    try:
        old = migrate(BEFORE)
        Delivery = old.get_model("quotes", "QuoteDelivery")
        Email = old.get_model("quotes", "QuoteEmail")
        common = {"to": ["buyer@example.de"], "cc": ["rep@example.com"], "subject": "Quotation"}
        rendered = {"pdf": "quotes/pdf/x.pdf", "pdf_sha256": "ab" * 32, "pdf_size": 10}
        # Sent: the log row mirrored the delivery.
        sent = Delivery.objects.create(
            quote_id=quotes[0].pk,
            render_status="sent",
            message_id="<m1@x>",
            sent_at=now,
            attempts=2,
            **common,
            **rendered,
        )
        Email.objects.create(quote_id=quotes[0].pk, delivery=sent, kind="quote", status="sent")
        # Rendered and waiting for the e-mail step: no log row yet.
        waiting = Delivery.objects.create(
            quote_id=quotes[1].pk, render_status="queued", **common, **rendered
        )
        # A worker rendering, claimed.
        rendering = Delivery.objects.create(
            quote_id=quotes[2].pk,
            render_status="rendering",
            claim_token="t",
            claimed_at=now - timedelta(minutes=1),
            **common,
        )
        # A worker died mid-send: the rep must decide.
        undecided = Delivery.objects.create(
            quote_id=quotes[3].pk,
            render_status="needs_decision",
            message_id="<m4@x>",
            last_error="may or may not",
            **common,
            **rendered,
        )
        Email.objects.create(
            quote_id=quotes[3].pk, delivery=undecided, kind="quote", status="needs_decision"
        )
        notice = Email.objects.create(
            quote_id=quotes[0].pk, kind="accepted", status="sending", subject="Accepted"
        )

        new = migrate(AFTER)
        Delivery = new.get_model("quotes", "QuoteDelivery")
        Email = new.get_model("quotes", "QuoteEmail")

        def email_of(delivery):
            (email,) = Email.objects.filter(delivery_id=delivery.pk, kind="quote")
            return email

        row = Delivery.objects.get(pk=sent.pk)
        email = email_of(sent)
        assert (row.render_status, row.attempts) == ("rendered", 0)
        assert (email.status, email.message_id, email.sent_at, email.attempts) == (
            "sent",
            "<m1@x>",
            now,
            2,
        )
        assert (email.to, email.cc) == (["buyer@example.de"], ["rep@example.com"])

        assert Delivery.objects.get(pk=waiting.pk).render_status == "rendered"
        assert (email_of(waiting).status, email_of(waiting).subject) == ("queued", "Quotation")

        row = Delivery.objects.get(pk=rendering.pk)
        assert (row.render_status, row.claim_token) == ("rendering", "t")
        assert email_of(rendering).status == "queued"  # waits for its PDF

        email = email_of(undecided)
        assert (email.status, email.message_id, email.last_error) == (
            "needs_decision",
            "<m4@x>",
            "may or may not",
        )
        assert Email.objects.get(pk=notice.pk).status == "in_flight"
    finally:
        migrate_to_latest()


@pytest.mark.django_db(transaction=True)
def test_migrating_back_puts_the_email_state_on_the_delivery_again(worked_example_data, rep):
    from quotes.models import QuoteDelivery, QuoteEmail

    quote = quote_for(customer=german_buyer(owner=rep))
    now = timezone.now()
    delivery = QuoteDelivery.objects.create(
        quote=quote, render_status="rendered", pdf="quotes/pdf/x.pdf", pdf_sha256="ab" * 32
    )
    QuoteEmail.objects.create(
        quote=quote,
        delivery=delivery,
        kind="quote",
        status="in_flight",
        subject="Quotation",
        to=["buyer@example.de"],
        message_id="<m@x>",
        claim_token="t",
        claimed_at=now,
    )
    try:
        old = migrate(BEFORE)
        row = old.get_model("quotes", "QuoteDelivery").objects.get(pk=delivery.pk)
        assert (row.render_status, row.to, row.subject) == (
            "sending",
            ["buyer@example.de"],
            "Quotation",
        )
        assert (row.message_id, row.claim_token, row.claimed_at) == ("<m@x>", "t", now)
        email = old.get_model("quotes", "QuoteEmail").objects.get(delivery_id=delivery.pk)
        assert email.status == "sending"
    finally:
        migrate_to_latest()
