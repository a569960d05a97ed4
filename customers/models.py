from typing import TYPE_CHECKING

from django.conf import global_settings, settings
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django_countries.fields import CountryField
from simple_history.models import HistoricalRecords

from .regions import Region

if TYPE_CHECKING:
    from mgtrade.accounts.models import User

UNLOCODE_VALIDATOR = RegexValidator(
    r"^[A-Z]{2}[A-Z2-9]{3}$", "Enter a UN/LOCODE port code: 5 capitals like DEHAM or NLRTM."
)
CURRENCY_VALIDATOR = RegexValidator(r"^[A-Z]{3}$", "Enter an ISO 4217 currency code like EUR.")


class Industry(models.TextChoices):
    AUTOMOTIVE = "automotive", "Automotive"
    AEROSPACE = "aerospace", "Aerospace"
    STEEL_DESULFURIZATION = "steel_desulfurization", "Steel desulfurization"
    ALUMINIUM_ALLOYING = "aluminium_alloying", "Aluminium alloying"
    ELECTRONICS = "electronics", "Electronics"
    METAL_REDUCTION = "metal_reduction", "Metal reduction"
    DEFENCE = "defence", "Defence"
    ENERGY_STORAGE = "energy_storage", "Energy storage"
    OTHER = "other", "Other"


class Status(models.TextChoices):
    LEAD = "lead", "Lead"
    PROSPECT = "prospect", "Prospect"
    ACTIVE = "active", "Active"
    DORMANT = "dormant", "Dormant"


class Incoterm(models.TextChoices):
    """Incoterms 2020."""

    EXW = "EXW", "EXW – Ex Works"
    FCA = "FCA", "FCA – Free Carrier"
    FOB = "FOB", "FOB – Free On Board"
    CFR = "CFR", "CFR – Cost and Freight"
    CIF = "CIF", "CIF – Cost, Insurance and Freight"
    CPT = "CPT", "CPT – Carriage Paid To"
    CIP = "CIP", "CIP – Carriage and Insurance Paid To"
    DAP = "DAP", "DAP – Delivered At Place"
    DPU = "DPU", "DPU – Delivered at Place Unloaded"
    DDP = "DDP", "DDP – Delivered Duty Paid"


class Customer(models.Model):
    """A foreign buyer, owned by one sales rep. Written only through ``customers.services``."""

    name = models.CharField(max_length=200)
    normalized_name = models.CharField(
        max_length=200,
        editable=False,
        help_text="Casefolded, without punctuation and legal suffixes; for duplicates and search.",
    )
    duplicate_key = models.CharField(
        max_length=200,
        editable=False,
        default="",
        help_text="The normalized name with look-alike letters folded (Cyrillic а → a, "
        "ü → ue); the duplicate guard compares it.",
    )
    country = CountryField()
    region = models.CharField(max_length=16, choices=Region.choices, editable=False)
    industry = models.CharField(max_length=32, choices=Industry.choices)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.LEAD)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="customers"
    )
    default_incoterm = models.CharField(
        "default Incoterm", max_length=3, choices=Incoterm.choices, blank=True
    )
    default_destination_port = models.CharField(
        "default destination port",
        max_length=5,
        blank=True,
        validators=[UNLOCODE_VALIDATOR],
        help_text="UN/LOCODE, e.g. DEHAM (Hamburg), NLRTM (Rotterdam).",
    )
    default_currency = models.CharField(
        max_length=3, blank=True, validators=[CURRENCY_VALIDATOR], help_text="e.g. USD, EUR."
    )
    payment_terms = models.CharField(
        max_length=200,
        blank=True,
        help_text="e.g. T/T 30% advance, 70% against B/L copy; irrevocable L/C at sight.",
    )
    vat_id = models.CharField("tax / VAT id", max_length=40, blank=True)
    website = models.URLField(blank=True)
    address = models.TextField(blank=True, help_text="Street and building.")
    postal_code = models.CharField(max_length=20, blank=True)
    city = models.CharField(max_length=100, blank=True)
    notes = models.TextField(blank=True)
    last_activity_on = models.DateField(null=True, blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(default=timezone.now, editable=False)

    history = HistoricalRecords(excluded_fields=["updated_at", "last_activity_on"])
    # Set by services before save(): who made the change and why, for the history row.
    _history_user: "User | None"
    _change_reason: str

    class Meta:
        ordering = ["normalized_name", "id"]
        indexes = [
            models.Index(fields=["owner", "normalized_name"], name="customer_owner_name"),
            models.Index(fields=["normalized_name", "country"], name="customer_name_country"),
            models.Index(fields=["duplicate_key", "country"], name="customer_dupkey_country"),
            models.Index(fields=["region", "normalized_name"], name="customer_region_name"),
            models.Index(fields=["country", "normalized_name"], name="customer_country_name"),
            models.Index(fields=["industry", "normalized_name"], name="customer_industry_name"),
            models.Index(fields=["status", "normalized_name"], name="customer_status_name"),
            models.Index(fields=["updated_at"], name="customer_updated"),
            models.Index(fields=["owner", "updated_at"], name="customer_owner_updated"),
            models.Index(fields=["city"], name="customer_city"),
            models.Index(fields=["last_activity_on"], name="customer_last_activity"),
        ]

    def __str__(self) -> str:
        return self.name


class Contact(models.Model):
    """A person at a customer. Exactly one primary contact once any exist."""

    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="contacts")
    name = models.CharField(max_length=200)
    job_title = models.CharField(max_length=120, blank=True)
    email = models.EmailField(blank=True, help_text="Unique within the customer.")
    phone = models.CharField(max_length=40, blank=True)
    language = models.CharField(
        "preferred language", max_length=10, choices=global_settings.LANGUAGES, blank=True
    )
    is_primary = models.BooleanField("primary contact", default=False)
    email_opt_out = models.BooleanField("opted out of email", default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["-is_primary", "name", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["customer", "email"],
                condition=~Q(email=""),
                name="contact_unique_email_per_customer",
            ),
            models.UniqueConstraint(
                fields=["customer"],
                condition=Q(is_primary=True),
                name="contact_one_primary_per_customer",
            ),
        ]
        indexes = [
            models.Index(fields=["email"], name="contact_email"),
            models.Index(fields=["name"], name="contact_name"),
        ]

    def __str__(self) -> str:
        return self.name


class ActivityKind(models.TextChoices):
    CALL = "call", "Call"
    EMAIL = "email", "Email"
    MEETING = "meeting", "Meeting"
    VISIT = "visit", "Visit"
    NOTE = "note", "Note"


class Activity(models.Model):
    """Something that happened with a customer, optionally with a follow-up due date."""

    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="activities")
    contact = models.ForeignKey(
        Contact, null=True, blank=True, on_delete=models.SET_NULL, related_name="activities"
    )
    kind = models.CharField(max_length=16, choices=ActivityKind.choices)
    date = models.DateField(default=timezone.localdate)
    summary = models.TextField()
    logged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    follow_up_on = models.DateField("follow up on", null=True, blank=True)
    done = models.BooleanField(default=False, help_text="The follow-up has been done.")
    done_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-date", "-id"]
        verbose_name_plural = "activities"
        indexes = [
            models.Index(fields=["customer", "-date"], name="activity_customer_date"),
            models.Index(
                fields=["follow_up_on"],
                condition=Q(done=False, follow_up_on__isnull=False),
                name="activity_open_follow_ups",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.date}: {self.summary[:40]}"

    @property
    def is_overdue(self) -> bool:
        return (
            not self.done
            and self.follow_up_on is not None
            and self.follow_up_on < timezone.localdate()
        )


class CustomerImport(models.Model):
    """A confirmed CSV import, run by a worker row by row (``customers.tasks``).

    The preview has checked every row before the import is created; the worker creates each
    row's customer in its own transaction and records the outcome on the row, so the page
    can show progress and a redelivered task never creates a customer twice.
    """

    class Status(models.TextChoices):
        QUEUED = "queued", "Queued"
        RUNNING = "running", "Running"
        DONE = "done", "Done"

    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    total_rows = models.PositiveIntegerField()
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["status", "updated_at"], name="customer_import_status")]

    def __str__(self) -> str:
        return f"Import #{self.pk} ({self.total_rows} rows, {self.get_status_display()})"


class CustomerImportRow(models.Model):
    """One CSV row of an import: what to create, and what happened (a side effect with a
    status: pending → created | failed)."""

    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        CREATED = "created", "Created"
        FAILED = "failed", "Failed"

    customer_import = models.ForeignKey(
        CustomerImport, on_delete=models.CASCADE, related_name="rows"
    )
    line = models.PositiveIntegerField(help_text="Line in the CSV file.")
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    customer_fields = models.JSONField()
    contact_fields = models.JSONField(default=dict, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    customer = models.ForeignKey(
        Customer, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    error = models.TextField(blank=True)

    class Meta:
        ordering = ["line"]
        constraints = [
            models.UniqueConstraint(
                fields=["customer_import", "line"], name="customer_import_row_line"
            )
        ]

    def __str__(self) -> str:
        return f"Line {self.line}: {self.get_status_display()}"
