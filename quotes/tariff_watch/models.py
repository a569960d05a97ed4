"""Tariff watch rows: a change of tariff rules and what it does to open quotes; what-if
scenarios. Imported by ``quotes.models`` so they belong to the quotes app."""

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.db.models import Q


class RunStatus(models.TextChoices):
    """A computation as a row with a status (the Celery task claims it)."""

    PENDING = "pending", "Waiting for a worker"
    RUNNING = "running", "Computing"
    DONE = "done", "Done"
    FAILED = "failed", "Failed"


class TariffChangeEvent(models.Model):
    """Tariff rules that change on ``effective_on`` and the open quotes the change touches.

    ``added_rule_ids`` come into force, ``removed_rule_ids`` stop applying. Raised by the
    rule services (a rule added, a new version, a rule ended) and by the daily look-ahead
    (a rule reaching its end date); ``key`` makes each change one event whoever raises it.
    """

    class Kind(models.TextChoices):
        ADDED = "added", "Rule added"
        CHANGED = "changed", "New version of a rule"
        ENDED = "ended", "Rule ends"

    key = models.CharField(max_length=80, unique=True)
    kind = models.CharField(max_length=8, choices=Kind.choices)
    effective_on = models.DateField(help_text="First day the new rules apply.")
    destination = models.CharField(max_length=2)
    hs_prefix = models.CharField(max_length=10)
    summary = models.CharField(max_length=300)
    added_rule_ids = models.JSONField(default=list)
    removed_rule_ids = models.JSONField(default=list)
    raised_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    status = models.CharField(max_length=8, choices=RunStatus.choices, default=RunStatus.PENDING)
    progress_done = models.PositiveIntegerField(default=0)
    progress_total = models.PositiveIntegerField(default=0)
    claim_token = models.CharField(max_length=32, blank=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    error = models.TextField(blank=True)
    # Totals of the last computation (the impact rows hold the details).
    quotes_checked = models.PositiveIntegerField(default=0)
    affected_count = models.PositiveIntegerField(default=0)
    tonnes_affected = models.DecimalField(max_digits=14, decimal_places=3, default=0)
    landed_change_usd = models.DecimalField(max_digits=16, decimal_places=2, default=0)

    class Meta:
        ordering = ["-effective_on", "-id"]
        indexes = [models.Index(fields=["-effective_on", "-id"], name="tariffchange_effective")]

    def __str__(self) -> str:
        return f"{self.effective_on}: {self.summary}"


class TariffChangeImpact(models.Model):
    """What one change does to one open quote: duties and landed cost per MT before (the
    quote's snapshot) and after (the same inputs under the new rules), in USD and the
    quote's currency."""

    event = models.ForeignKey(TariffChangeEvent, on_delete=models.CASCADE, related_name="impacts")
    quote = models.ForeignKey(
        "quotes.Quote", on_delete=models.CASCADE, related_name="tariff_impacts"
    )
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    currency = models.CharField(max_length=3)
    total_quantity_mt = models.DecimalField(max_digits=12, decimal_places=3)
    old_duties_usd = models.DecimalField(max_digits=14, decimal_places=2)
    new_duties_usd = models.DecimalField(max_digits=14, decimal_places=2)
    old_landed_per_mt_usd = models.DecimalField(max_digits=14, decimal_places=2)
    new_landed_per_mt_usd = models.DecimalField(max_digits=14, decimal_places=2)
    change_per_mt_usd = models.DecimalField(max_digits=14, decimal_places=2)
    old_landed_per_mt_qc = models.DecimalField(max_digits=18, decimal_places=3)
    new_landed_per_mt_qc = models.DecimalField(max_digits=18, decimal_places=3)
    change_per_mt_qc = models.DecimalField(max_digits=18, decimal_places=3)
    change_total_usd = models.DecimalField(max_digits=16, decimal_places=2)

    class Meta:
        ordering = ["event", "-change_per_mt_usd", "quote_id"]
        constraints = [
            models.UniqueConstraint(fields=["event", "quote"], name="tariffimpact_once_per_quote")
        ]
        indexes = [models.Index(fields=["quote", "event"], name="tariffimpact_quote")]

    def __str__(self) -> str:
        return f"{self.quote_id}: {self.change_per_mt_usd:+} USD/MT"


class TariffScenario(models.Model):
    """A manager's what-if: hypothetical tariff rules (``rules``, plain data) re-pricing the
    open quotes and the last 12 months' accepted quotes without touching them. ``result``
    holds the last run's aggregates and affected quotes (exported as CSV)."""

    name = models.CharField(max_length=120)
    description = models.TextField(blank=True)
    rules = models.JSONField(
        default=list,
        encoder=DjangoJSONEncoder,
        help_text="[{destination, hs_prefix, kind, rate_percent, specific_usd_per_mt, basis, "
        "valid_from}]",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    status = models.CharField(max_length=8, choices=RunStatus.choices, default=RunStatus.PENDING)
    claim_token = models.CharField(max_length=32, blank=True)
    progress_done = models.PositiveIntegerField(default=0)
    progress_total = models.PositiveIntegerField(default=0)
    started_at = models.DateTimeField(null=True, blank=True)
    last_run_at = models.DateTimeField(null=True, blank=True)
    error = models.TextField(blank=True)
    result = models.JSONField(default=dict, blank=True, encoder=DjangoJSONEncoder)

    class Meta:
        ordering = ["-updated_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=~Q(name=""), name="tariffscenario_has_name")
        ]

    def __str__(self) -> str:
        return self.name
