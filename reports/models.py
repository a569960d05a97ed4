"""The weekly digest's bookkeeping: who opted out, and one row per (user, week) sent, so
the Monday task never e-mails anyone twice for the same week."""

from django.conf import settings
from django.db import models
from django.db.models import Q

from quotes.models import OPEN_STATUSES


class DigestPreference(models.Model):
    """A user's choice about the Monday digest (no row: they get it)."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="digest_preference",
    )
    weekly_digest = models.BooleanField(
        "e-mail me the weekly digest", default=True, help_text="A PDF every Monday morning."
    )
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"{self.user}: {'on' if self.weekly_digest else 'off'}"


class WeeklyDigest(models.Model):
    """One user's digest of one week (``week`` is that week's Monday): a side effect with a
    status, claimed with a conditional UPDATE so a redelivered task never sends it twice."""

    class Status(models.TextChoices):
        QUEUED = "queued", "Queued"
        SENDING = "sending", "Sending"
        SENT = "sent", "Sent"
        FAILED = "failed", "Failed"

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="weekly_digests"
    )
    week = models.DateField(help_text="The Monday of the week the digest is for.")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.TextField(blank=True)
    pdf_size = models.PositiveIntegerField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-week", "user"]
        constraints = [
            models.UniqueConstraint(fields=["user", "week"], name="weeklydigest_one_per_week"),
            models.CheckConstraint(
                condition=~Q(status="sent") | Q(sent_at__isnull=False),
                name="weeklydigest_sent_has_time",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} {self.week} ({self.status})"


class ReportLine(models.Model):
    """One live quote line with everything the reports group and sum by, copied flat
    (``reports.services.report_lines_refresh``): the reports scan this narrow table instead
    of joining quotes, lines, customers and list prices (docs/reports.md, figures in the
    README). Rebuilt as a whole in one transaction by a periodic task, so its figures are at
    most ten minutes old (``CELERY_BEAT_SCHEDULE``); never written otherwise.

    Quote-level values (``quote_*``, times, outcome) repeat on each line; ``is_first`` marks
    one line per quote, which quote-level figures count."""

    quote = models.ForeignKey(
        "quotes.Quote", on_delete=models.DO_NOTHING, db_constraint=False, related_name="+"
    )
    is_first = models.BooleanField(help_text="The quote's first line: one row per quote.")
    grade_first = models.BooleanField(help_text="The quote's first line of this grade.")
    quote_date = models.DateField()
    month = models.DateField(help_text="The first day of the quote date's month.")
    valid_until = models.DateField()
    status = models.CharField(max_length=20)
    owner_id = models.IntegerField()
    customer_owner_id = models.IntegerField(null=True)
    region = models.CharField(max_length=16)
    country = models.CharField(max_length=2)
    industry = models.CharField(max_length=32)
    currency = models.CharField(max_length=3)
    quote_mt = models.DecimalField(max_digits=12, decimal_places=3)
    quote_usd = models.DecimalField(max_digits=14, decimal_places=2)
    quote_qc = models.DecimalField(max_digits=18, decimal_places=2)
    absorbed_usd = models.DecimalField(max_digits=14, decimal_places=2, null=True)
    sent_at = models.DateTimeField(null=True)
    viewed_at = models.DateTimeField(null=True)
    decided_at = models.DateTimeField(null=True)
    enquiry_on = models.DateField(
        null=True, help_text="The customer's last activity on or before the quote date."
    )
    rejection_reason = models.CharField(max_length=80, blank=True)
    competitor_origin = models.CharField(max_length=2, blank=True)
    competitor_price = models.DecimalField(max_digits=14, decimal_places=2, null=True)
    product_code = models.CharField(max_length=32)
    qty = models.DecimalField(max_digits=12, decimal_places=3)
    unit_price = models.DecimalField(max_digits=14, decimal_places=2)
    goods_usd = models.DecimalField(max_digits=14, decimal_places=2)
    list_price = models.DecimalField(
        max_digits=14, decimal_places=2, null=True, help_text="In force on the quote date."
    )
    floor_price = models.DecimalField(max_digits=14, decimal_places=2, null=True)
    contracted_mt = models.DecimalField(
        max_digits=12,
        decimal_places=3,
        null=True,
        help_text="This grade's tonnes on the quote's sales contract (not cancelled), on the "
        "quote's first line of the grade.",
    )
    shipped_mt = models.DecimalField(
        max_digits=12,
        decimal_places=3,
        null=True,
        help_text="This grade's tonnes shipped on the quote's contract: lots allocated to its "
        "shipments that are on board (B/L issued: loaded, arrived, completed), on the quote's "
        "first line of the grade.",
    )

    class Meta:
        indexes = [
            # The rebuild stores the rows in quote date order, so a date range is a run of
            # adjacent pages (Volumes reads two years of every state that way).
            models.Index(fields=["quote_date"], name="reportline_date"),
            models.Index(fields=["status", "quote_date"], name="reportline_status_date"),
            # The pipeline: open quotes only, a small share of the range once quotes close.
            models.Index(
                fields=["quote_date"],
                condition=Q(status__in=[str(status) for status in OPEN_STATUSES]),
                name="reportline_open_date",
            ),
            models.Index(fields=["valid_until", "quote_id"], name="reportline_valid_until"),
        ]

    def __str__(self) -> str:
        return f"{self.quote_id} {self.product_code} {self.qty}"
