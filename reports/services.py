"""The weekly digest: which users get one this week (a row each), and sending one.

A digest is a side effect with a status (``WeeklyDigest``): ``digests_queue`` makes at
most one row per (user, week) by constraint; ``digest_send`` claims a queued row with a
conditional UPDATE, renders the PDF (charts as SVG, through ``quotes.documents.pdf``) and
e-mails it. A redelivered or repeated task finds the row claimed or sent and does nothing,
so nobody is e-mailed twice for a week. A worker killed mid-send leaves the row
``sending``: never retried automatically (the e-mail may have left).
"""

from __future__ import annotations

import base64
import logging
import smtplib
from datetime import date, timedelta

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import transaction
from django.db.models import Q
from django.template.loader import render_to_string
from django.utils import timezone

from mgtrade.accounts.models import Role, User
from quotes.documents.pdf import render_template_pdf

from .charts import chart_spec, chart_svg
from .models import DigestPreference, WeeklyDigest
from .selectors import REPORT_TITLES, ReportFilters, Table, report_tables

logger = logging.getLogger(__name__)
MAX_ATTEMPTS = 5
# The digest's sections: (report, tables shown); the charts are those tables' charts.
DIGEST_SECTIONS = {
    "pipeline": ("by_status", "by_grade", "by_region", "expiring"),
    "winloss": ("summary", "by_rep", "reasons", "competitors"),
    "realisation": ("by_grade", "concessions"),
}


class TransientDigestError(Exception):
    """Sending failed in a way worth retrying (the mail server)."""

    def __init__(self, message: str, countdown: int):
        super().__init__(message)
        self.countdown = countdown


def week_monday(day: date) -> date:
    return day - timedelta(days=day.weekday())


def digest_recipients() -> list[User]:
    """Active managers and reps with an e-mail address who have not opted out."""
    return list(
        User.objects.filter(
            is_active=True, groups__name__in=[Role.SALES_MANAGER, Role.SALES_REP, Role.ADMIN]
        )
        .exclude(email="")
        .exclude(Q(digest_preference__weekly_digest=False))
        .distinct()
        .order_by("id")
    )


def digests_queue(*, week: date) -> list[int]:
    """The ids of this week's digests still to send (made if missing; one per user)."""
    week = week_monday(week)
    for user in digest_recipients():
        WeeklyDigest.objects.get_or_create(user=user, week=week)
    return list(
        WeeklyDigest.objects.filter(week=week, status=WeeklyDigest.Status.QUEUED)
        .exclude(user__digest_preference__weekly_digest=False)
        .values_list("id", flat=True)
    )


def digest_preference_set(*, user: User, weekly_digest: bool) -> DigestPreference:
    pref, _ = DigestPreference.objects.update_or_create(
        user=user, defaults={"weekly_digest": weekly_digest}
    )
    return pref


def digest_context(*, user: User, week: date) -> dict:
    """The digest's figures as plain data: the last 13 weeks to the Sunday before ``week``
    (the pipeline and what expires: as of ``week``), each chart as SVG (a data: URL)."""
    end = week - timedelta(days=1)
    filters = ReportFilters(date_from=end - timedelta(weeks=13) + timedelta(days=1), date_to=end)
    pipeline_filters = ReportFilters(date_from=end - timedelta(days=365), date_to=week)
    sections = []
    for name, wanted in DIGEST_SECTIONS.items():
        tables: list[Table] = report_tables(
            name=name, user=user, filters=pipeline_filters if name == "pipeline" else filters
        )
        shown = []
        for table in tables:
            if table.name not in wanted:
                continue
            spec = chart_spec(table)
            svg = chart_svg(spec) if spec else ""
            shown.append(
                {
                    "title": table.title,
                    "columns": [label for _, label in table.columns],
                    "rows": [[row.get(key) for key, _ in table.columns] for row in table.rows],
                    "svg": svg,
                    "svg_url": "data:image/svg+xml;base64,"
                    + base64.b64encode(svg.encode()).decode()
                    if svg
                    else "",
                }
            )
        sections.append({"title": REPORT_TITLES[name], "tables": shown})
    return {
        "user": str(user),
        "scope": "all reps" if user.is_manager else "your quotes and your customers' quotes",
        "week": week,
        "date_from": filters.date_from,
        "date_to": filters.date_to,
        "sections": sections,
    }


def digest_send(*, digest_id: int) -> str:
    """Render and e-mail one digest; returns what happened (``sent``, ``skipped``)."""
    claimed = WeeklyDigest.objects.filter(pk=digest_id, status=WeeklyDigest.Status.QUEUED).update(
        status=WeeklyDigest.Status.SENDING, updated_at=timezone.now()
    )
    if claimed != 1:
        return "skipped"  # gone, claimed by another worker, or already sent
    digest = WeeklyDigest.objects.select_related("user").get(pk=digest_id)
    user = digest.user
    context = digest_context(user=user, week=digest.week)
    pdf = render_template_pdf("pdf/reports_digest.html", context)
    subject = render_to_string("emails/reports-digest-subject.txt", context).strip()
    body = render_to_string("emails/reports-digest-body.txt", context)
    message = EmailMessage(
        subject=subject, body=body, from_email=settings.DEFAULT_FROM_EMAIL, to=[user.email]
    )
    message.attach(f"digest-{digest.week}.pdf", pdf, "application/pdf")
    try:
        message.send()
    except (smtplib.SMTPServerDisconnected, smtplib.SMTPConnectError, ConnectionError) as exc:
        # Refused before the message was accepted: safe to try again later.
        attempts = digest.attempts + 1
        status = (
            WeeklyDigest.Status.FAILED if attempts >= MAX_ATTEMPTS else WeeklyDigest.Status.QUEUED
        )
        WeeklyDigest.objects.filter(pk=digest_id).update(
            status=status, attempts=attempts, last_error=str(exc)[:2000]
        )
        if status == WeeklyDigest.Status.QUEUED:
            raise TransientDigestError(str(exc), countdown=60 * 2**attempts) from exc
        return "failed"
    with transaction.atomic():
        WeeklyDigest.objects.filter(pk=digest_id).update(
            status=WeeklyDigest.Status.SENT,
            sent_at=timezone.now(),
            attempts=digest.attempts + 1,
            pdf_size=len(pdf),
            last_error="",
        )
    logger.info("Weekly digest %s sent to %s (%d bytes)", digest.week, user.email, len(pdf))
    return "sent"
