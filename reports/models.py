"""The weekly digest's bookkeeping: who opted out, and one row per (user, week) sent, so
the Monday task never e-mails anyone twice for the same week."""

from django.conf import settings
from django.db import models
from django.db.models import Q


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
