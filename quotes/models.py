"""Quotes: numbered, versioned offers to a buyer, with the pricing engine's result frozen in.

A quote is written only through ``quotes.services``; every state change is a
``QuoteEvent``. Lines copy the grade's code, name, HS code and standard so the document
never changes when the catalogue does; ``pricing`` holds the engine's full result
(``pricing.engine.PricingResult.to_dict()``), including the tariff rules applied and the
exchange rate.
"""

from decimal import Decimal

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy, gettext_noop

from customers.models import CURRENCY_VALIDATOR, Contact, Customer, Incoterm
from customers.regions import Region
from mgtrade.translations import translated_texts


class QuoteStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    PENDING_APPROVAL = "pending_approval", "Pending approval"
    APPROVED = "approved", "Approved"
    SENT = "sent", "Sent"
    ACCEPTED = "accepted", "Accepted"
    REJECTED = "rejected", "Rejected"
    EXPIRED = "expired", "Expired"
    SUPERSEDED = "superseded", "Superseded"


EDITABLE_STATUSES = (QuoteStatus.DRAFT, QuoteStatus.PENDING_APPROVAL, QuoteStatus.APPROVED)
OPEN_STATUSES = (*EDITABLE_STATUSES, QuoteStatus.SENT)


class QuoteNumberCounter(models.Model):
    """The last number issued in a year; locked while the next one is taken."""

    year = models.PositiveSmallIntegerField(primary_key=True)
    last = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.year}: {self.last}"


class RejectionReason(models.Model):
    """The managed list of reasons a buyer declined (price, lead time, lost to competitor…)."""

    code = models.SlugField(max_length=32, unique=True)
    label = models.CharField(max_length=80)
    asks_competitor = models.BooleanField(
        default=False, help_text="Offer the competitor, its origin and its price per MT."
    )
    active = models.BooleanField(default=True)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "label"]

    def __str__(self) -> str:
        return self.label


class Quote(models.Model):
    number = models.CharField(max_length=16, editable=False, help_text="Q-<year>-<5 digits>")
    version = models.PositiveIntegerField(default=1, editable=False)
    previous_version = models.OneToOneField(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="next_version"
    )
    status = models.CharField(
        max_length=20, choices=QuoteStatus.choices, default=QuoteStatus.DRAFT, editable=False
    )
    customer = models.ForeignKey(Customer, on_delete=models.PROTECT, related_name="quotes")
    # The buyer's region when the quote was priced (created, edited, revised, cloned): part
    # of the quote's snapshot like the ports and prices, and what the list's region filter
    # reads, so filtering needs no join to the customer (index quote_live_region).
    region = models.CharField(max_length=16, choices=Region.choices, editable=False)
    contact = models.ForeignKey(
        Contact, null=True, blank=True, on_delete=models.PROTECT, related_name="quotes"
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="quotes"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    quote_date = models.DateField()
    valid_until = models.DateField()
    incoterm = models.CharField(max_length=3, choices=Incoterm.choices)
    origin_port = models.CharField(max_length=5)
    destination_port = models.CharField(max_length=5)
    destination_country = models.CharField(max_length=2, editable=False)
    currency = models.CharField(max_length=3)
    insurance_rate_percent = models.DecimalField(
        max_digits=6, decimal_places=3, validators=[MinValueValidator(Decimal("0"))]
    )
    tariff_absorption_percent = models.DecimalField(
        max_digits=5,
        decimal_places=2,
        default=Decimal("0"),
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("100"))],
    )
    payment_terms = models.CharField(max_length=200, blank=True)
    lead_time = models.CharField(
        max_length=120, blank=True, help_text="e.g. 3–4 weeks after deposit"
    )
    buyer_reference = models.CharField(
        "buyer's reference",
        max_length=100,
        blank=True,
        help_text="The buyer's enquiry or PO number, printed on the quotation.",
    )
    packaging_notes = models.CharField(max_length=300, blank=True)
    terms = models.TextField(blank=True, help_text="Free-text terms printed on the quote.")
    # The commercial terms as printed: the chosen template's values copied at create, edit
    # and revise (``quotes.terms.terms_snapshot``) plus the currency's default bank account.
    terms_template = models.ForeignKey(
        "TermsTemplate", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    commercial_terms = models.JSONField(default=dict, blank=True, editable=False)
    bilingual_labels = models.BooleanField(
        "bilingual labels",
        default=False,
        help_text="Print the PDF's headings and labels in the buyer's language with English "
        "beneath them (for customs brokers and banks that need English).",
    )

    # The engine's full result and the figures lists need, copied out of it.
    pricing = models.JSONField(editable=False)
    fx_rate = models.DecimalField(max_digits=18, decimal_places=8, editable=False)
    total_quantity_mt = models.DecimalField(max_digits=12, decimal_places=3, editable=False)
    total_usd = models.DecimalField(max_digits=14, decimal_places=2, editable=False)
    total_quote_currency = models.DecimalField(max_digits=18, decimal_places=2, editable=False)
    landed_cost_per_mt_usd = models.DecimalField(
        max_digits=14,
        decimal_places=2,
        null=True,
        editable=False,
        help_text="Empty: unknown (an EXW/FCA/FOB quote on a lane without a freight rate).",
    )

    # Approval: why it is needed (empty: not needed), and who approved or returned it.
    approval_reasons = models.JSONField(default=list, blank=True, editable=False)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    approved_at = models.DateTimeField(null=True, blank=True)
    approval_comment = models.TextField(blank=True)
    submitted_at = models.DateTimeField(
        null=True, blank=True, editable=False, help_text="When it was last submitted for approval."
    )
    submission_note = models.TextField(
        blank=True, editable=False, help_text="The rep's note to the approver."
    )

    # Outcome.
    sent_at = models.DateTimeField(null=True, blank=True)
    viewed_at = models.DateTimeField(null=True, blank=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    accepted_by_name = models.CharField(max_length=200, blank=True)
    accepted_by_title = models.CharField(max_length=120, blank=True)
    accepted_ip = models.GenericIPAddressField(null=True, blank=True)
    accepted_user_agent = models.CharField(max_length=300, blank=True)
    rejection_reason = models.ForeignKey(
        RejectionReason, null=True, blank=True, on_delete=models.PROTECT, related_name="quotes"
    )
    rejection_note = models.TextField(blank=True)
    competitor = models.CharField(max_length=120, blank=True)
    competitor_origin = models.CharField(max_length=2, blank=True, help_text="ISO country code")
    competitor_price_usd_per_mt = models.DecimalField(
        max_digits=14, decimal_places=2, null=True, blank=True
    )

    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        permissions = [("approve_quote", "Can approve quotes that need approval")]
        constraints = [
            models.UniqueConstraint(
                fields=["number", "version"], name="quote_number_version_unique"
            ),
            models.UniqueConstraint(
                fields=["number"],
                condition=~Q(status="superseded"),
                name="quote_one_live_version",
            ),
            models.CheckConstraint(condition=Q(version__gte=1), name="quote_version_positive"),
            models.CheckConstraint(
                condition=Q(valid_until__gte=models.F("quote_date")), name="quote_valid_after_date"
            ),
        ]
        indexes = [
            models.Index(fields=["owner", "status", "-created_at"], name="quote_owner_status"),
            models.Index(fields=["customer", "-created_at"], name="quote_customer"),
            models.Index(fields=["-created_at", "-id"], name="quote_created"),
            models.Index(fields=["number"], name="quote_number"),
            # The list pages (docs/performance.md, bench/lists.py): counting the live quotes a
            # rep sees, and the open value / expiring stats, from the index alone;
            # quote_status_cover also serves the expiry task (status, valid_until).
            models.Index(
                fields=["owner", "customer"],
                condition=~Q(status="superseded"),
                name="quote_live_visibility",
            ),
            models.Index(
                fields=["status", "valid_until"],
                include=["owner", "customer", "total_usd"],
                name="quote_status_cover",
            ),
            # The region filter in the list's order; owner and customer included so a rep's
            # filtered count is answered from the index alone.
            models.Index(
                fields=["region", "-created_at", "-id"],
                include=["owner", "customer"],
                condition=~Q(status="superseded"),
                name="quote_live_region",
            ),
            # The live list in its order, owner and customer included: the ids of a page
            # (mgtrade.pagination.IdsFirst) from the index alone, a rep's visibility tested
            # on its entries, so deep pages skip index entries rather than rows.
            models.Index(
                fields=["-created_at", "-id"],
                include=["owner", "customer"],
                condition=~Q(status="superseded"),
                name="quote_live_created",
            ),
            # Search by number prefix (LIKE 'Q-2026-001%') whatever the collation.
            models.Index(
                fields=["number"], name="quote_number_prefix", opclasses=["varchar_pattern_ops"]
            ),
        ]

    def __str__(self) -> str:
        return self.reference

    @property
    def reference(self) -> str:
        return f"{self.number} v{self.version}"

    @property
    def is_editable(self) -> bool:
        return self.status in EDITABLE_STATUSES

    @property
    def named_place(self) -> str:
        """The port code the Incoterm names (pricing.md v2): the port of shipment for
        EXW/FCA/FOB, the destination for the C and D terms."""
        from pricing.engine import named_place_port

        return named_place_port(self.incoterm, self.origin_port, self.destination_port)

    @property
    def needs_approval(self) -> bool:
        return bool(self.approval_reasons)


class QuoteLine(models.Model):
    """One grade on a quote; code, name, HS code and standard are copied from the catalogue."""

    quote = models.ForeignKey(Quote, on_delete=models.CASCADE, related_name="lines")
    position = models.PositiveSmallIntegerField()
    product = models.ForeignKey("products.Product", on_delete=models.PROTECT, related_name="+")
    product_code = models.CharField(max_length=32)
    product_name = models.CharField(max_length=120)
    hs_code = models.CharField(max_length=14)
    standard = models.CharField(max_length=80, blank=True)
    quantity_mt = models.DecimalField(max_digits=12, decimal_places=3)
    unit_price_usd_per_mt = models.DecimalField(max_digits=14, decimal_places=2)
    discount_percent = models.DecimalField(max_digits=5, decimal_places=2, default=Decimal("0"))
    goods_value_usd = models.DecimalField(max_digits=14, decimal_places=2)
    # Netback: the price per MT entered in the quote currency on the quote's Incoterm basis
    # (the unit price above is then the FOB USD price the engine derived from it).
    term_price_per_mt = models.DecimalField(max_digits=14, decimal_places=2, null=True, blank=True)

    class Meta:
        ordering = ["quote", "position"]
        # The list's grade filter: the quotes with a line of this grade, from the index.
        indexes = [models.Index(fields=["product_code", "quote"], name="quoteline_grade")]
        constraints = [
            models.UniqueConstraint(fields=["quote", "position"], name="quoteline_position_unique"),
            models.CheckConstraint(condition=Q(quantity_mt__gt=0), name="quoteline_qty_positive"),
            models.CheckConstraint(
                condition=Q(discount_percent__gte=0, discount_percent__lte=100),
                name="quoteline_discount_0_100",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.product_code} × {self.quantity_mt} MT"


class QuoteEvent(models.Model):
    """The quote's log: every transition and edit, with who and when."""

    class Action(models.TextChoices):
        CREATED = "created", "Created"
        EDITED = "edited", "Edited"
        REPRICED = "repriced", "Repriced"
        SUBMITTED = "submitted", "Submitted for approval"
        APPROVED = "approved", "Approved"
        RETURNED = "returned", "Returned for changes"
        APPROVAL_VOIDED = "approval_voided", "Approval voided by a change"
        SENT = "sent", "Sent"
        VIEWED = "viewed", "Viewed by the buyer"
        ACCEPTED = "accepted", "Accepted"
        REJECTED = "rejected", "Rejected"
        EXPIRED = "expired", "Expired"
        SUPERSEDED = "superseded", "Superseded by a new version"
        REVISED = "revised", "New version"
        CLONED = "cloned", "Cloned"

    quote = models.ForeignKey(Quote, on_delete=models.CASCADE, related_name="events")
    at = models.DateTimeField(auto_now_add=True)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    action = models.CharField(max_length=20, choices=Action.choices)
    from_status = models.CharField(max_length=20, blank=True)
    to_status = models.CharField(max_length=20, blank=True)
    comment = models.TextField(blank=True)
    data = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["quote", "at", "id"]
        indexes = [models.Index(fields=["quote", "at"], name="quoteevent_quote_at")]

    def __str__(self) -> str:
        return f"{self.quote} {self.action} at {self.at:%Y-%m-%d %H:%M}"


# ------------------------------------------------------------------ sending


class RenderStatus(models.TextChoices):
    """The PDF step of a delivery. ``rendering`` is a claim held by a worker; ``retrying``
    waits for ``next_attempt_at`` after a transient error (storage, time limit)."""

    QUEUED = "queued", "Queued"
    RENDERING = "rendering", "Rendering PDF"
    RENDERED = "rendered", "Rendered"
    RETRYING = "retrying", "Retrying"
    FAILED = "failed", "Failed"


class EmailStatus(models.TextChoices):
    """One e-mail, as a side effect with a status (``quotes.sending.services``).

    ``queued`` waits for a worker (a quote e-mail also for its PDF); ``in_flight`` is a claim
    held by a worker talking to the mail server; ``retrying`` waits for ``next_attempt_at``
    after a transient error. ``needs_decision``: the worker stopped while the message may
    have reached the server (killed mid-send, an unclassified error), so it may or may not
    have gone out; only a person decides (send again / mark as sent), never an automatic
    second e-mail.
    """

    QUEUED = "queued", "Queued"
    IN_FLIGHT = "in_flight", "Sending"
    SENT = "sent", "Sent"
    RETRYING = "retrying", "Retrying"
    FAILED = "failed", "Failed"
    NEEDS_DECISION = "needs_decision", "Needs a decision"


class DeliveryStatus(models.TextChoices):
    """Where a sent quote stands as a whole, as the rep's page and the API show it: the PDF
    step (``QuoteDelivery.render_status``) until the PDF is stored, then its e-mail's step
    (``QuoteEmail.status``). Derived, never stored (``quotes.sending.selectors``)."""

    QUEUED = "queued", "Queued"
    RENDERING = "rendering", "Rendering PDF"
    SENDING = "sending", "Sending"
    SENT = "sent", "Sent"
    RETRYING = "retrying", "Retrying"
    FAILED = "failed", "Failed"
    NEEDS_DECISION = "needs_decision", "Needs a decision"


DELIVERY_FINAL_STATUSES = (DeliveryStatus.SENT, DeliveryStatus.FAILED)


def quote_pdf_upload_to(instance: "QuoteDelivery", filename: str) -> str:
    return f"quotes/pdf/{filename}"


class QuoteDelivery(models.Model):
    """The document and the PDF of one sent quote version; its e-mail is a ``QuoteEmail``.

    ``document`` is the PDF's context frozen when the quote was sent: the stored PDF is
    rendered from it, once. The render step is claimed with a conditional UPDATE
    (``render_status`` and ``claim_token``), so a redelivered or repeated task never renders
    a stored PDF again.

    The same row carries any other document of the deal that goes to the buyer through this
    pipeline (a sales contract, a proforma invoice: ``orders``): ``quote`` is then empty and
    ``template`` and ``filename`` say how to render and name it (``quotes.sending.services.
    document_send``); its e-mail's ``quote`` is the deal's quote.
    """

    quote = models.OneToOneField(
        Quote,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="delivery",
        help_text="The quote whose PDF this is; empty for another document of the deal.",
    )
    template = models.CharField(
        max_length=80, blank=True, help_text="PDF template of another document (pdf/…)."
    )
    filename = models.CharField(max_length=120, blank=True, help_text="Of another document.")
    language = models.CharField(
        max_length=10,
        default="en",
        help_text="The buyer's language this document is rendered in (settings.LANGUAGES); "
        "chosen at send time (mgtrade.i18n.buyer_language) and passed to every task.",
    )
    render_status = models.CharField(
        max_length=20, choices=RenderStatus.choices, default=RenderStatus.QUEUED
    )
    document = models.JSONField(
        default=dict, encoder=DjangoJSONEncoder, help_text="The PDF's frozen context."
    )
    pdf = models.FileField(upload_to=quote_pdf_upload_to, max_length=200, blank=True)
    pdf_sha256 = models.CharField(max_length=64, blank=True)
    pdf_size = models.PositiveIntegerField(null=True, blank=True)
    rendered_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0, help_text="Attempts at rendering.")
    last_error = models.TextField(blank=True)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    claim_token = models.CharField(max_length=32, blank=True)
    claimed_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name_plural = "quote deliveries"
        indexes = [
            models.Index(fields=["render_status", "claimed_at"], name="delivery_render_claimed")
        ]
        constraints = [
            models.CheckConstraint(
                condition=~Q(render_status="rendered") | ~Q(pdf_sha256=""),
                name="delivery_rendered_has_pdf",
            ),
            models.CheckConstraint(
                condition=Q(quote__isnull=False) | (~Q(template="") & ~Q(filename="")),
                name="delivery_quote_or_document",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.quote or self.filename} PDF ({self.render_status})"

    @property
    def is_rendered(self) -> bool:
        return bool(self.pdf_sha256)


class QuoteEmail(models.Model):
    """One e-mail about a quote: the quote itself to the buyer (``delivery`` set: its PDF is
    attached), or a notice to the rep (acceptance, decline). Each is its own side-effect row
    (``EmailStatus``), claimed with a conditional UPDATE on ``status`` and ``claim_token``, so
    a redelivered task never sends it twice. The subject is rendered when the row is queued;
    the body from the delivery's frozen document (quote) or ``context`` (notices)."""

    class Kind(models.TextChoices):
        QUOTE = "quote", "Quote to buyer"
        ACCEPTED = "accepted", "Acceptance notice to rep"
        DECLINED = "declined", "Decline notice to rep"
        APPROVAL_REQUEST = "approval_request", "Approval request to managers"
        APPROVED = "approved", "Approval notice to rep"
        RETURNED = "returned", "Return notice to rep"
        TARIFF_CHANGE = "tariff_change", "Tariff change notice to rep"
        CONFIRMATION = "confirmation", "Acceptance confirmation to buyer"
        CONTRACT = "contract", "Sales contract to buyer"
        PROFORMA = "proforma", "Proforma invoice to buyer"
        DOCUMENTS = "documents", "Shipping documents to buyer"

    quote = models.ForeignKey(Quote, on_delete=models.PROTECT, related_name="emails")
    delivery = models.ForeignKey(
        QuoteDelivery, null=True, blank=True, on_delete=models.PROTECT, related_name="emails"
    )
    kind = models.CharField(max_length=16, choices=Kind.choices)
    status = models.CharField(
        max_length=20, choices=EmailStatus.choices, default=EmailStatus.QUEUED
    )
    language = models.CharField(
        max_length=10,
        default="en",
        help_text="The language the e-mail is written in: the buyer's for e-mails to the "
        "buyer, English for notices to the team. Passed to the task that sends it.",
    )
    subject = models.CharField(max_length=250)
    to = models.JSONField(default=list)
    cc = models.JSONField(default=list, blank=True)
    reply_to = models.JSONField(default=list, blank=True)
    context = models.JSONField(default=dict, blank=True, encoder=DjangoJSONEncoder)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.TextField(blank=True)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    claim_token = models.CharField(max_length=32, blank=True)
    claimed_at = models.DateTimeField(null=True, blank=True)
    message_id = models.CharField(max_length=250, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["quote", "created_at", "id"]
        indexes = [
            models.Index(fields=["quote", "created_at"], name="quoteemail_quote_at"),
            models.Index(fields=["status", "claimed_at"], name="quoteemail_status_claimed"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~Q(status="sent") | Q(sent_at__isnull=False),
                name="quoteemail_sent_has_time",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.subject} ({self.status})"

    @property
    def is_final(self) -> bool:
        return self.status in (EmailStatus.SENT, EmailStatus.FAILED)


class Notification(models.Model):
    """An in-app message for a user (e.g. "Buyer accepted Q-2026-00042 v1")."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications"
    )
    quote = models.ForeignKey(
        Quote, null=True, blank=True, on_delete=models.CASCADE, related_name="notifications"
    )
    text = models.CharField(max_length=300)
    created_at = models.DateTimeField(auto_now_add=True)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["user", "read_at"], name="notification_user_unread")]

    def __str__(self) -> str:
        return self.text


# ------------------------------------------------------------------ tariff watch
from .tariff_watch.models import (  # noqa: E402, F401
    RunStatus,
    TariffChangeEvent,
    TariffChangeImpact,
    TariffScenario,
)


class BankAccount(models.Model):
    """The exporter's account that a buyer pays into: one default per currency (admin)."""

    currency = models.CharField(max_length=3, validators=[CURRENCY_VALIDATOR])
    beneficiary = models.CharField(max_length=200)
    beneficiary_address = models.CharField(max_length=300, blank=True)
    bank_name = models.CharField(max_length=200)
    bank_address = models.CharField(max_length=300, blank=True)
    swift = models.CharField(
        "SWIFT/BIC",
        max_length=11,
        help_text="8 or 11 characters, e.g. BKCHCNBJ110",
    )
    account = models.CharField("account number or IBAN", max_length=40)
    intermediary_bank = models.CharField(max_length=300, blank=True)
    instructions = models.TextField(
        "payment instructions",
        blank=True,
        help_text="Printed under the bank details, e.g. quote the proforma number as the "
        "payment reference. Per language; English is sent where a language has none.",
    )
    is_default = models.BooleanField(
        "default for its currency", default=False, help_text="Printed on quotes and proformas."
    )
    active = models.BooleanField(default=True)

    class Meta:
        # Moved here from orders: the table keeps its name (state-only migration).
        db_table = "orders_bankaccount"
        ordering = ["currency", "-is_default", "bank_name", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["currency"],
                condition=Q(is_default=True),
                name="bankaccount_one_default_per_currency",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.currency} · {self.bank_name} · {self.account}"

    def snapshot(self) -> dict[str, str]:
        """What a document prints (copied onto it, so later edits change nothing issued)."""
        return {
            "currency": self.currency,
            "beneficiary": self.beneficiary,
            "beneficiary_address": self.beneficiary_address,
            "bank_name": self.bank_name,
            "bank_address": self.bank_address,
            "swift": self.swift,
            "account": self.account,
            "intermediary_bank": self.intermediary_bank,
            "instructions": self.instructions_en or "",
            # The instructions in every language that has them (the buyer's is printed).
            "translations": translated_texts(self, ("instructions",)),
        }


class PaymentMethod(models.TextChoices):
    TT = "tt", "T/T (telegraphic transfer)"
    LC_SIGHT = "lc_sight", "Irrevocable L/C at sight"
    CAD = "cad", "Cash against documents (CAD)"


class TTBalance(models.TextChoices):
    AGAINST_BL_COPY = "against_bl_copy", "against copy of B/L"
    BEFORE_SHIPMENT = "before_shipment", "before shipment"


def default_documents() -> list[str]:
    # Stored in English; documents print them through the catalogues (orders.services).
    return [
        gettext_noop("Commercial invoice"),
        gettext_noop("Packing list"),
        gettext_noop("Full set of clean on board bills of lading"),
        gettext_noop("Certificate of origin"),
        gettext_noop("Certificate of analysis per lot"),
    ]


class TermsTemplate(models.Model):
    """Commercial terms an admin maintains; a quote copies the chosen one's values into its
    ``commercial_terms`` snapshot, so later edits here never change a quote already made."""

    name = models.CharField(max_length=80, unique=True)
    active = models.BooleanField(default=True)
    payment_method = models.CharField(
        max_length=12, choices=PaymentMethod.choices, default=PaymentMethod.TT
    )
    advance_percent = models.DecimalField(
        "T/T advance %",
        max_digits=5,
        decimal_places=2,
        default=Decimal("30"),
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("100"))],
        help_text="T/T only: the share paid in advance.",
    )
    balance = models.CharField(
        "T/T balance",
        max_length=20,
        choices=TTBalance.choices,
        default=TTBalance.AGAINST_BL_COPY,
        help_text="T/T only: when the balance is paid.",
    )
    lc_issuing_bank = models.CharField(
        "L/C issuing-bank requirement",
        max_length=200,
        blank=True,
        help_text="L/C only, e.g. issued or confirmed by a first-class bank acceptable to us.",
    )
    shipment_period = models.CharField(
        max_length=200, blank=True, help_text="e.g. within 30 days after receipt of the deposit"
    )
    latest_shipment_days = models.PositiveSmallIntegerField(
        null=True,
        blank=True,
        help_text="The latest shipment date is the quote date plus this many days (empty: none).",
    )
    partial_shipments_allowed = models.BooleanField(default=True)
    transhipment_allowed = models.BooleanField(default=True)
    quantity_tolerance_percent = models.DecimalField(
        "quantity tolerance ±%",
        max_digits=4,
        decimal_places=1,
        default=Decimal("5"),
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("20"))],
    )
    insurance_clause = models.CharField(
        max_length=300,
        blank=True,
        # A lazy default: modeltranslation gives each language's column its own wording.
        default=gettext_lazy(
            # xgettext:no-python-format
            "Covered by the seller for 110 % of the invoice value against Institute Cargo "
            "Clauses (A)."
        ),
        help_text="Printed on CIF and CIP quotes only.",
    )
    documents = models.JSONField(
        "documents to be supplied",
        default=default_documents,
        blank=True,
        help_text="A list of document names.",
    )
    quality_claims = models.TextField(
        "quality and claims",
        blank=True,
        help_text="Which analysis governs, the claim period, the referee laboratory.",
    )
    validity = models.CharField(
        max_length=200,
        blank=True,
        default=gettext_lazy("Subject to prior sale and our final confirmation."),
    )
    force_majeure = models.TextField(blank=True)
    governing_law = models.TextField(
        "governing law and arbitration",
        blank=True,
        help_text="e.g. the laws of the PRC; disputes to CIETAC, Beijing.",
    )

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        from django.core.exceptions import ValidationError

        if not isinstance(self.documents, list) or not all(
            isinstance(d, str) and d.strip() for d in self.documents
        ):
            raise ValidationError({"documents": "Give a list of document names."})


class CustomerTermsDefault(models.Model):
    """The terms template a customer's new quotes start from (admin)."""

    customer = models.OneToOneField(
        Customer, on_delete=models.CASCADE, primary_key=True, related_name="terms_default"
    )
    template = models.ForeignKey(
        TermsTemplate, on_delete=models.CASCADE, related_name="customer_defaults"
    )

    def __str__(self) -> str:
        return f"{self.customer} → {self.template}"


STAMP_MAX_BYTES = 256 * 1024
STAMP_MAX_PIXELS = 2000  # per side
STAMP_FORMATS = {"PNG": "image/png", "JPEG": "image/jpeg"}


def stamp_image_format(data: bytes) -> str:
    """``PNG`` or ``JPEG`` for an acceptable stamp image, else ``ValidationError``: at most
    256 KB, a PNG or JPEG that Pillow decodes (the name's extension is not trusted), at
    most 2,000 px a side."""
    from io import BytesIO

    from django.core.exceptions import ValidationError
    from PIL import Image, UnidentifiedImageError

    if len(data) > STAMP_MAX_BYTES:
        raise ValidationError(
            f"The stamp image is {len(data) // 1024} KB; at most {STAMP_MAX_BYTES // 1024} KB."
        )
    try:
        with Image.open(BytesIO(data)) as image:
            kind, size = image.format, image.size
            image.verify()
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
        raise ValidationError("Upload the stamp as a PNG or JPEG image.") from None
    if kind not in STAMP_FORMATS:
        raise ValidationError(f"The stamp is a {kind} image; upload a PNG or JPEG.")
    if max(size) > STAMP_MAX_PIXELS:
        raise ValidationError(
            f"The stamp is {size[0]}×{size[1]} px; at most {STAMP_MAX_PIXELS} px a side."
        )
    return kind


def validate_stamp_image(file) -> None:
    """Field validator of ``CompanyProfile.stamp`` (an upload, or the stored file)."""
    from django.core.exceptions import ValidationError

    if file.size is not None and file.size > STAMP_MAX_BYTES:
        raise ValidationError(
            f"The stamp image is {file.size // 1024} KB; at most {STAMP_MAX_BYTES // 1024} KB."
        )
    file.open("rb")  # an upload is rewound; a stored file is opened through the storage
    try:
        file.seek(0)
        data = file.read(STAMP_MAX_BYTES + 1)
    finally:
        file.seek(0)  # the upload is saved afterwards
    stamp_image_format(data)


def company_stamp_upload_to(instance: "CompanyProfile", filename: str) -> str:
    # A new name for every upload (the storage never overwrites): a document rendered
    # earlier keeps its own copy of the image anyway (quotes.seller).
    return f"company/stamp/{filename}"


class CompanyProfile(models.Model):
    """The exporter's signature block on its documents, managed by admins: one row.

    Who signs for the seller, the company stamp image (stored through the configured
    storage, local disk or S3), and the manufacturer and country of origin printed on
    quotations (empty: the settings' ``MGTRADE_MANUFACTURER`` / ``MGTRADE_COUNTRY_OF_ORIGIN``).
    A quotation copies what it printed into its frozen document when it is sent, so a
    later change never alters an issued quotation (``quotes.documents.seller``).
    """

    singleton = models.BooleanField(default=True, unique=True, editable=False)
    signatory_name = models.CharField(
        "signatory",
        max_length=120,
        blank=True,
        help_text="Who signs quotations for the seller. Empty: the quote's sales rep.",
    )
    signatory_title = models.CharField(
        "signatory's title", max_length=120, blank=True, help_text="e.g. Export Sales Director"
    )
    stamp = models.FileField(
        "company stamp",
        upload_to=company_stamp_upload_to,
        max_length=200,
        blank=True,
        validators=[validate_stamp_image],
        help_text="A PNG or JPEG image of the company stamp (chop), at most 256 KB, printed "
        "in the seller's signature block.",
    )
    manufacturer = models.CharField(
        max_length=200, blank=True, help_text="Empty: the settings' manufacturer (or company)."
    )
    country_of_origin = models.CharField(
        "country of origin",
        max_length=120,
        blank=True,
        help_text="Empty: the settings' country of origin (People's Republic of China).",
    )
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = "company profile (signature block)"
        verbose_name_plural = "company profile (signature block)"
        constraints = [
            models.CheckConstraint(condition=Q(singleton=True), name="companyprofile_one_row"),
        ]

    def __str__(self) -> str:
        return "Company profile"
