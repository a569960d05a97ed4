"""Orders: what follows an accepted quote.

A **sales contract** is made from exactly one accepted quote version (one-to-one) and is a
snapshot of it: buyer, consignee, lines, prices in the contract currency on the Incoterm
basis, and the commercial terms (payment, shipment period, tolerance, partial shipments and
transhipment, documents). Its **proforma invoices** request payment (a deposit on
confirmation, the balance later); **payments** received are allocated to proformas; a
**letter of credit** is checked against the contract. Everything is written only through
``orders.services``; every contract transition is a ``ContractEvent``.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.db.models import Q

from customers.models import CURRENCY_VALIDATOR, Customer, Incoterm
from quotes.models import BankAccount

ZERO = Decimal("0")


class DocumentNumberCounter(models.Model):
    """The last number issued per document prefix (SC, PI) and year; locked while taken."""

    prefix = models.CharField(max_length=4)
    year = models.PositiveSmallIntegerField()
    last = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["prefix", "year"], name="docnumber_prefix_year")
        ]

    def __str__(self) -> str:
        return f"{self.prefix}-{self.year}: {self.last}"


class ContractStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    CONFIRMED = "confirmed", "Confirmed"
    IN_PROGRESS = "in_progress", "In progress"
    COMPLETED = "completed", "Completed"
    CANCELLED = "cancelled", "Cancelled"


OPEN_CONTRACT_STATUSES = (
    ContractStatus.DRAFT,
    ContractStatus.CONFIRMED,
    ContractStatus.IN_PROGRESS,
)


class PaymentMethod(models.TextChoices):
    TT = "tt", "T/T (telegraphic transfer)"
    LC_SIGHT = "lc_sight", "Irrevocable L/C at sight"
    CAD = "cad", "Cash against documents"


class BalanceTerms(models.TextChoices):
    AGAINST_BL_COPY = "against_bl_copy", "against copy of B/L"
    BEFORE_SHIPMENT = "before_shipment", "before shipment"


class AcceptedVia(models.TextChoices):
    BUYER_ONLINE = "buyer_online", "Accepted online by the buyer"
    REP = "rep", "Recorded by the rep"


class SalesContract(models.Model):
    """The contract made from one accepted quote version; a snapshot (see module doc)."""

    number = models.CharField(max_length=16, unique=True, editable=False)
    quote = models.OneToOneField(
        "quotes.Quote", on_delete=models.PROTECT, related_name="contract", editable=False
    )
    customer = models.ForeignKey(Customer, on_delete=models.PROTECT, related_name="contracts")
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="contracts"
    )
    status = models.CharField(
        max_length=16,
        choices=ContractStatus.choices,
        default=ContractStatus.DRAFT,
        editable=False,
    )
    contract_date = models.DateField()

    # Parties (copied: renaming the customer later changes nothing here).
    buyer = models.JSONField(help_text="name, address, country, tax_id, contact name/email")
    consignee = models.TextField(blank=True, help_text="Empty: the buyer.")
    buyer_po_number = models.CharField("buyer's PO number", max_length=60, blank=True)
    accepted_via = models.CharField(max_length=16, choices=AcceptedVia.choices)
    accepted_by_name = models.CharField(max_length=200, blank=True)
    accepted_at = models.DateTimeField()

    # Commercial snapshot.
    currency = models.CharField(max_length=3)
    incoterm = models.CharField(max_length=3, choices=Incoterm.choices)
    named_place = models.CharField(max_length=120)
    port_of_loading = models.CharField(max_length=5)
    port_of_discharge = models.CharField(max_length=5)
    total_quantity_mt = models.DecimalField(max_digits=12, decimal_places=3)
    total_amount = models.DecimalField(max_digits=14, decimal_places=2)

    # Terms snapshot.
    payment_method = models.CharField(
        max_length=12, choices=PaymentMethod.choices, default=PaymentMethod.TT
    )
    advance_percent = models.DecimalField(
        max_digits=5,
        decimal_places=2,
        default=Decimal("30"),
        validators=[MinValueValidator(ZERO), MaxValueValidator(Decimal("100"))],
        help_text="T/T: the share paid in advance on confirmation.",
    )
    balance_terms = models.CharField(
        max_length=20, choices=BalanceTerms.choices, default=BalanceTerms.AGAINST_BL_COPY
    )
    balance_days_after_bl = models.PositiveSmallIntegerField(
        "balance due days after B/L date",
        default=0,
        validators=[MaxValueValidator(180)],
        help_text="0: the balance is due on the on-board date (against copy of B/L).",
    )
    payment_terms_text = models.CharField(
        max_length=300, blank=True, help_text="The quote's payment terms as written."
    )
    shipment_from = models.DateField("shipment period from")
    latest_shipment_date = models.DateField()
    tolerance_percent = models.DecimalField(
        "quantity tolerance ±%",
        max_digits=5,
        decimal_places=2,
        default=Decimal("5"),
        validators=[MinValueValidator(ZERO), MaxValueValidator(Decimal("20"))],
    )
    partial_shipments = models.BooleanField("partial shipments allowed", default=True)
    transhipment = models.BooleanField("transhipment allowed", default=False)
    documents = models.JSONField(default=list, help_text="The documents the seller supplies.")
    terms_text = models.TextField(blank=True, help_text="Other terms, copied from the quote.")

    # Lifecycle.
    confirmed_at = models.DateTimeField(null=True, blank=True, editable=False)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    countersigned_on = models.DateField("buyer countersigned on", null=True, blank=True)
    countersigned_by_name = models.CharField(max_length=200, blank=True)
    countersigned_by_title = models.CharField(max_length=120, blank=True)
    ready_to_ship_at = models.DateTimeField(null=True, blank=True, editable=False)
    delivery = models.OneToOneField(
        "quotes.QuoteDelivery",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        editable=False,
        help_text="The contract's PDF and e-mail to the buyer (the quotes' sending pipeline).",
    )
    cancel_reason = models.TextField(blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(latest_shipment_date__gte=models.F("shipment_from")),
                name="contract_shipment_period_ordered",
            ),
            models.CheckConstraint(
                condition=~Q(status="cancelled") | ~Q(cancel_reason=""),
                name="contract_cancel_has_reason",
            ),
        ]
        indexes = [
            models.Index(fields=["owner", "status", "-created_at"], name="contract_owner_status"),
            models.Index(fields=["customer", "-created_at"], name="contract_customer"),
            models.Index(fields=["status", "-created_at"], name="contract_status"),
        ]

    def __str__(self) -> str:
        return self.number

    @property
    def is_ready_to_ship(self) -> bool:
        return self.ready_to_ship_at is not None

    @property
    def uses_lc(self) -> bool:
        return self.payment_method == PaymentMethod.LC_SIGHT

    @property
    def payment_terms_label(self) -> str:
        if self.payment_method == PaymentMethod.TT:
            advance = self.advance_percent.normalize()
            if self.advance_percent >= 100:
                return "100% T/T in advance"
            if self.advance_percent <= 0:
                return f"T/T, 100% {self.get_balance_terms_display()}"
            return (
                f"{advance:f}% T/T in advance on confirmation, balance "
                f"{self.get_balance_terms_display()}"
            )
        return self.get_payment_method_display()


class ContractLine(models.Model):
    """One grade on the contract, copied from the quote line, priced in the contract
    currency on the Incoterm basis (the lines add up exactly to the contract total)."""

    contract = models.ForeignKey(SalesContract, on_delete=models.CASCADE, related_name="lines")
    position = models.PositiveSmallIntegerField()
    product = models.ForeignKey("products.Product", on_delete=models.PROTECT, related_name="+")
    product_code = models.CharField(max_length=32)
    product_name = models.CharField(max_length=120)
    product_name_translations = models.JSONField(
        default=dict,
        blank=True,
        help_text="The grade's name in every other language that had one when the contract "
        "was made ({language: name}); the documents print the buyer's, else the English.",
    )
    hs_code = models.CharField(max_length=14)
    standard = models.CharField(max_length=80, blank=True)
    quantity_mt = models.DecimalField(max_digits=12, decimal_places=3)
    unit_price = models.DecimalField(
        max_digits=14, decimal_places=2, help_text="Per MT, contract currency, Incoterm basis."
    )
    amount = models.DecimalField(max_digits=14, decimal_places=2)

    class Meta:
        ordering = ["contract", "position"]
        constraints = [
            models.UniqueConstraint(
                fields=["contract", "position"], name="contractline_position_unique"
            ),
            models.CheckConstraint(condition=Q(quantity_mt__gt=0), name="contractline_qty_pos"),
        ]

    def __str__(self) -> str:
        return f"{self.product_code} × {self.quantity_mt} MT"


class ContractEvent(models.Model):
    """The contract's log: every transition and recorded fact, with who and when."""

    class Action(models.TextChoices):
        CREATED = "created", "Created from the accepted quote"
        EDITED = "edited", "Terms edited"
        CONFIRMED = "confirmed", "Confirmed"
        COUNTERSIGNED = "countersigned", "Buyer countersignature recorded"
        SENT = "sent", "Sent to the buyer"
        STARTED = "started", "In progress"
        COMPLETED = "completed", "Completed"
        CANCELLED = "cancelled", "Cancelled"
        PROFORMA = "proforma", "Proforma issued"
        PAYMENT = "payment", "Payment allocated"
        WRITE_OFF = "write_off", "Difference written off"
        READY = "ready", "Ready to ship"
        LC_ENTERED = "lc_entered", "L/C entered"
        LC_AMENDED = "lc_amended", "L/C amended"
        LC_AMENDMENT_REQUESTED = "lc_amend_req", "L/C amendment requested"
        LC_ACCEPTED = "lc_accepted", "L/C accepted"
        SHIPMENT = "shipment", "Shipment"
        LOT_OVERRIDE = "lot_override", "Out-of-spec lot allowed"

    contract = models.ForeignKey(SalesContract, on_delete=models.CASCADE, related_name="events")
    at = models.DateTimeField(auto_now_add=True)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    action = models.CharField(max_length=16, choices=Action.choices)
    from_status = models.CharField(max_length=16, blank=True)
    to_status = models.CharField(max_length=16, blank=True)
    comment = models.TextField(blank=True)
    data = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["contract", "at", "id"]
        indexes = [models.Index(fields=["contract", "at"], name="contractevent_contract_at")]

    def __str__(self) -> str:
        return f"{self.contract} {self.action}"


# ------------------------------------------------------------------ proformas and payments


class ProformaKind(models.TextChoices):
    DEPOSIT = "deposit", "Deposit"
    BALANCE = "balance", "Balance"


class ProformaStatus(models.TextChoices):
    ISSUED = "issued", "Issued"
    PAID = "paid", "Paid"
    CANCELLED = "cancelled", "Cancelled"


class Proforma(models.Model):
    """A request for payment (not an accounting entry), in the contract currency."""

    number = models.CharField(max_length=16, unique=True, editable=False)
    contract = models.ForeignKey(SalesContract, on_delete=models.PROTECT, related_name="proformas")
    kind = models.CharField(max_length=10, choices=ProformaKind.choices)
    status = models.CharField(
        max_length=10, choices=ProformaStatus.choices, default=ProformaStatus.ISSUED
    )
    percent = models.DecimalField(
        max_digits=5, decimal_places=2, null=True, blank=True, help_text="Share of the contract."
    )
    currency = models.CharField(max_length=3)
    amount = models.DecimalField(max_digits=14, decimal_places=2)
    issue_date = models.DateField()
    due_date = models.DateField()
    bank_account = models.ForeignKey(
        BankAccount, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    bank = models.JSONField(help_text="The bank account as printed (snapshot).")
    received_amount = models.DecimalField(
        max_digits=14, decimal_places=2, default=ZERO, editable=False
    )
    written_off_amount = models.DecimalField(
        max_digits=14, decimal_places=2, default=ZERO, editable=False
    )
    written_off_reason = models.TextField(blank=True, editable=False)
    written_off_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    written_off_at = models.DateTimeField(null=True, blank=True, editable=False)
    paid_at = models.DateTimeField(null=True, blank=True, editable=False)
    overdue_since = models.DateField(
        null=True, blank=True, editable=False, help_text="Set by the daily overdue task."
    )
    delivery = models.OneToOneField(
        "quotes.QuoteDelivery",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        editable=False,
        help_text="The proforma's PDF and e-mail to the buyer (the quotes' sending pipeline).",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["contract", "issue_date", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="proforma_amount_positive"),
            models.CheckConstraint(
                condition=Q(due_date__gte=models.F("issue_date")), name="proforma_due_after_issue"
            ),
            models.CheckConstraint(
                condition=Q(received_amount__gte=0, written_off_amount__gte=0),
                name="proforma_received_nonnegative",
            ),
        ]
        indexes = [
            models.Index(fields=["status", "due_date"], name="proforma_status_due"),
        ]

    def __str__(self) -> str:
        return self.number

    @property
    def outstanding(self) -> Decimal:
        """Still to be paid (negative: paid more than asked)."""
        return self.amount - self.received_amount - self.written_off_amount

    @property
    def is_settled(self) -> bool:
        return self.outstanding <= 0


class Payment(models.Model):
    """Money received from a buyer, allocated to one or more of its proformas."""

    customer = models.ForeignKey(Customer, on_delete=models.PROTECT, related_name="payments")
    amount = models.DecimalField(max_digits=14, decimal_places=2)
    currency = models.CharField(max_length=3, validators=[CURRENCY_VALIDATOR])
    value_date = models.DateField()
    bank_reference = models.CharField(max_length=60)
    payer = models.CharField(max_length=200)
    note = models.TextField(blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-value_date", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="payment_amount_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.currency} {self.amount} ({self.bank_reference})"


class PaymentAllocation(models.Model):
    """The part of a payment that pays a proforma."""

    payment = models.ForeignKey(Payment, on_delete=models.PROTECT, related_name="allocations")
    proforma = models.ForeignKey(Proforma, on_delete=models.PROTECT, related_name="allocations")
    amount = models.DecimalField(max_digits=14, decimal_places=2)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["payment", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="allocation_amount_positive"),
            models.UniqueConstraint(
                fields=["payment", "proforma"], name="allocation_one_per_proforma"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.payment} → {self.proforma}: {self.amount}"


# ------------------------------------------------------------------ letters of credit


class LCStatus(models.TextChoices):
    RECEIVED = "received", "Received, to check"
    AMENDMENT_REQUESTED = "amendment_requested", "Amendment requested"
    ACCEPTED = "accepted", "Accepted"


class LetterOfCredit(models.Model):
    """The buyer's documentary credit for a contract under "L/C at sight"."""

    contract = models.OneToOneField(
        SalesContract, on_delete=models.PROTECT, related_name="letter_of_credit"
    )
    number = models.CharField("L/C number", max_length=40)
    status = models.CharField(
        max_length=20, choices=LCStatus.choices, default=LCStatus.RECEIVED, editable=False
    )
    issue_date = models.DateField(null=True, blank=True)
    issuing_bank = models.CharField(max_length=200)
    advising_bank = models.CharField(max_length=200, blank=True)
    applicant = models.CharField(max_length=300, help_text="The buyer as the L/C names it.")
    beneficiary = models.CharField(max_length=300, help_text="The exporter as the L/C names it.")
    currency = models.CharField(max_length=3, validators=[CURRENCY_VALIDATOR])
    amount = models.DecimalField(max_digits=14, decimal_places=2)
    tolerance_percent = models.DecimalField(
        "amount tolerance ±%",
        max_digits=5,
        decimal_places=2,
        default=ZERO,
        validators=[MinValueValidator(ZERO), MaxValueValidator(Decimal("20"))],
    )
    expiry_date = models.DateField()
    expiry_place = models.CharField(max_length=120, blank=True)
    latest_shipment_date = models.DateField()
    presentation_days = models.PositiveSmallIntegerField(
        null=True,
        blank=True,
        help_text="Days after shipment to present documents; empty when the L/C is silent "
        "(21 days, UCP 600 art. 14(c)).",
    )
    partial_shipments_allowed = models.BooleanField(default=True)
    transhipment_allowed = models.BooleanField(default=False)
    port_of_loading = models.CharField(max_length=5, blank=True)
    port_of_discharge = models.CharField(max_length=5, blank=True)
    incoterm = models.CharField(max_length=3, choices=Incoterm.choices, blank=True)
    documents_required = models.JSONField(
        "documents required (46A)", default=list, help_text="One document a line."
    )
    additional_conditions = models.TextField("additional conditions (47A)", blank=True)
    discrepancies = models.JSONField(
        default=list, blank=True, editable=False, help_text="The last consistency check."
    )
    checked_at = models.DateTimeField(null=True, blank=True, editable=False)
    amendment_request = models.TextField(blank=True, editable=False)
    accepted_at = models.DateTimeField(null=True, blank=True, editable=False)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "letter of credit"
        verbose_name_plural = "letters of credit"
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="lc_amount_positive"),
        ]

    def __str__(self) -> str:
        return f"L/C {self.number}"

    @property
    def effective_presentation_days(self) -> int:
        return 21 if self.presentation_days is None else self.presentation_days


class LCAmendment(models.Model):
    """One amendment of an L/C: a dated change, with what it changed (old → new)."""

    letter_of_credit = models.ForeignKey(
        LetterOfCredit, on_delete=models.CASCADE, related_name="amendments"
    )
    sequence = models.PositiveSmallIntegerField()
    date = models.DateField()
    changes = models.JSONField(help_text='{"field": ["old", "new"], …}')
    note = models.TextField(blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["letter_of_credit", "sequence"]
        constraints = [
            models.UniqueConstraint(
                fields=["letter_of_credit", "sequence"], name="lcamendment_sequence_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.letter_of_credit} amendment {self.sequence}"


# ------------------------------------------------------------------ lots and their analysis


class Lot(models.Model):
    """A production lot (heat or batch) of one grade, with its chemical analysis."""

    number = models.CharField("heat/batch number", max_length=40, unique=True)
    product = models.ForeignKey("products.Product", on_delete=models.PROTECT, related_name="+")
    production_date = models.DateField()
    net_weight_mt = models.DecimalField("net weight (MT)", max_digits=12, decimal_places=3)
    ingots = models.PositiveIntegerField("ingots / pieces", default=0)
    bundles = models.PositiveIntegerField(default=0)
    notes = models.TextField(blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-production_date", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(net_weight_mt__gt=0), name="lot_weight_positive"),
        ]

    def __str__(self) -> str:
        return self.number


class LotAnalysis(models.Model):
    """One measured element of a lot (mass %)."""

    lot = models.ForeignKey(Lot, on_delete=models.CASCADE, related_name="analyses")
    element = models.CharField(max_length=24)
    measured_percent = models.DecimalField(max_digits=8, decimal_places=5)

    class Meta:
        ordering = ["lot", "id"]
        verbose_name_plural = "lot analyses"
        constraints = [
            models.UniqueConstraint(fields=["lot", "element"], name="lotanalysis_unique_element"),
            models.CheckConstraint(
                condition=Q(measured_percent__gte=0, measured_percent__lte=100),
                name="lotanalysis_percent_0_100",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.lot} {self.element} {self.measured_percent}%"


class CustomerSpecLimit(models.Model):
    """A buyer's own limit for one element of one grade, stricter than the standard
    (e.g. Fe ≤ 0.003 % for a die-caster). With a contract it holds for that contract only."""

    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="spec_limits")
    contract = models.ForeignKey(
        SalesContract, null=True, blank=True, on_delete=models.CASCADE, related_name="spec_limits"
    )
    product = models.ForeignKey("products.Product", on_delete=models.CASCADE, related_name="+")
    element = models.CharField(max_length=24)
    min_percent = models.DecimalField(max_digits=8, decimal_places=5, null=True, blank=True)
    max_percent = models.DecimalField(max_digits=8, decimal_places=5, null=True, blank=True)

    class Meta:
        ordering = ["customer", "product", "element"]
        constraints = [
            models.CheckConstraint(
                condition=Q(min_percent__isnull=False) | Q(max_percent__isnull=False),
                name="customerspec_has_a_limit",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.customer} {self.element} {self.min_percent or ''}–{self.max_percent or ''}%"


# ------------------------------------------------------------------ shipments


class ShipmentStatus(models.TextChoices):
    PLANNED = "planned", "Planned"
    BOOKED = "booked", "Booked"
    LOADED = "loaded", "Loaded (on board)"
    ARRIVED = "arrived", "Arrived"
    COMPLETED = "completed", "Completed"


# Shipped: on board, its B/L issued (``shipment_load``), and every state after.
ON_BOARD_STATUSES = (ShipmentStatus.LOADED, ShipmentStatus.ARRIVED, ShipmentStatus.COMPLETED)


class Shipment(models.Model):
    """One shipment of a contract (several only when partial shipments are allowed)."""

    contract = models.ForeignKey(SalesContract, on_delete=models.PROTECT, related_name="shipments")
    sequence = models.PositiveSmallIntegerField(editable=False)
    status = models.CharField(
        max_length=10,
        choices=ShipmentStatus.choices,
        default=ShipmentStatus.PLANNED,
        editable=False,
    )
    port_of_loading = models.CharField(max_length=5)
    port_of_discharge = models.CharField(max_length=5)
    vessel = models.CharField(max_length=80, blank=True)
    voyage = models.CharField(max_length=30, blank=True)
    booking_number = models.CharField(max_length=40, blank=True)
    etd = models.DateField("ETD", null=True, blank=True)
    eta = models.DateField("ETA", null=True, blank=True)
    bl_number = models.CharField("B/L number", max_length=40, blank=True)
    on_board_date = models.DateField(null=True, blank=True)
    arrived_on = models.DateField(null=True, blank=True)
    deposit_applied = models.DecimalField(
        max_digits=14, decimal_places=2, default=ZERO, editable=False
    )
    balance_proforma = models.OneToOneField(
        Proforma,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="shipment",
        editable=False,
    )
    presentation_discrepancies = models.JSONField(
        default=list, blank=True, editable=False, help_text="The last L/C presentation check."
    )
    presentation_checked_at = models.DateTimeField(null=True, blank=True, editable=False)
    discrepancies_acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    discrepancies_acknowledged_at = models.DateTimeField(null=True, blank=True, editable=False)
    discrepancies_note = models.TextField(blank=True, editable=False)
    documents_delivery = models.OneToOneField(
        "quotes.QuoteDelivery",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        editable=False,
        help_text="The document set's PDF and e-mail (the quotes' sending pipeline).",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["contract", "sequence"]
        constraints = [
            models.UniqueConstraint(
                fields=["contract", "sequence"], name="shipment_sequence_unique"
            ),
            models.CheckConstraint(
                condition=Q(status__in=["planned", "booked"]) | Q(on_board_date__isnull=False),
                name="shipment_loaded_has_on_board_date",
            ),
        ]
        indexes = [models.Index(fields=["status", "eta"], name="shipment_status_eta")]

    def __str__(self) -> str:
        return f"{self.contract.number}/{self.sequence}"

    @property
    def reference(self) -> str:
        return f"{self.contract.number}/{self.sequence}"


class LotAllocation(models.Model):
    """A quantity of a lot shipped against one contract line; an out-of-spec lot only with
    a manager's override (reason recorded)."""

    shipment = models.ForeignKey(Shipment, on_delete=models.CASCADE, related_name="allocations")
    contract_line = models.ForeignKey(
        ContractLine, on_delete=models.PROTECT, related_name="allocations"
    )
    lot = models.ForeignKey(Lot, on_delete=models.PROTECT, related_name="allocations")
    quantity_mt = models.DecimalField(max_digits=12, decimal_places=3)
    findings = models.JSONField(
        default=list, blank=True, help_text="The spec check's failures when allocated."
    )
    override_reason = models.TextField(blank=True)
    override_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    allocated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["shipment", "contract_line__position", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(quantity_mt__gt=0), name="allocation_qty_positive"),
            models.UniqueConstraint(fields=["shipment", "lot"], name="allocation_lot_once"),
            models.CheckConstraint(
                condition=Q(findings=[]) | ~Q(override_reason=""),
                name="allocation_out_of_spec_overridden",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.lot} → {self.shipment} ({self.quantity_mt} MT)"


class Container(models.Model):
    shipment = models.ForeignKey(Shipment, on_delete=models.CASCADE, related_name="containers")
    number = models.CharField(
        max_length=11,
        validators=[
            RegexValidator(r"^[A-Z]{4}\d{7}$", "Enter an ISO 6346 number like MSKU1234565.")
        ],
    )
    seal = models.CharField(max_length=30)
    type = models.CharField(max_length=8, default="20GP")
    net_weight_mt = models.DecimalField("net weight (MT)", max_digits=10, decimal_places=3)
    gross_weight_mt = models.DecimalField("gross weight (MT)", max_digits=10, decimal_places=3)
    bundles = models.PositiveIntegerField()
    lots = models.ManyToManyField(Lot, blank=True, related_name="+")

    class Meta:
        ordering = ["shipment", "id"]
        constraints = [
            models.UniqueConstraint(fields=["shipment", "number"], name="container_once"),
            models.CheckConstraint(
                condition=Q(gross_weight_mt__gte=models.F("net_weight_mt"), net_weight_mt__gt=0),
                name="container_gross_ge_net",
            ),
        ]

    def __str__(self) -> str:
        return self.number


# ------------------------------------------------------------------ export documents


class ExportDocumentKind(models.TextChoices):
    COMMERCIAL_INVOICE = "commercial_invoice", "Commercial invoice"
    PACKING_LIST = "packing_list", "Packing list"
    CERTIFICATE_OF_ANALYSIS = "certificate_of_analysis", "Certificate of analysis"


def export_pdf_upload_to(instance: ExportDocument, filename: str) -> str:
    return f"orders/documents/{filename}"


class ExportDocument(models.Model):
    """An issued shipping document: its frozen content (``document``) and, once rendered,
    its PDF with the checksum. Never edited: a correction is a new revision of the same
    number, and the earlier one is marked superseded."""

    shipment = models.ForeignKey(Shipment, on_delete=models.PROTECT, related_name="documents")
    kind = models.CharField(max_length=24, choices=ExportDocumentKind.choices)
    lot = models.ForeignKey(
        Lot, null=True, blank=True, on_delete=models.PROTECT, related_name="certificates"
    )
    number = models.CharField(max_length=20)
    revision = models.PositiveSmallIntegerField(default=0)
    template = models.CharField(max_length=80)
    document = models.JSONField(help_text="The content as issued (frozen).")
    pdf = models.FileField(upload_to=export_pdf_upload_to, max_length=200, blank=True)
    pdf_sha256 = models.CharField(max_length=64, blank=True)
    pdf_size = models.PositiveIntegerField(null=True, blank=True)
    issued_at = models.DateTimeField(auto_now_add=True)
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    correction_reason = models.TextField(blank=True)
    superseded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["shipment", "kind", "number", "revision"]
        constraints = [
            models.UniqueConstraint(fields=["number", "revision"], name="exportdoc_number_rev"),
            models.CheckConstraint(
                condition=~Q(kind="certificate_of_analysis") | Q(lot__isnull=False),
                name="exportdoc_coa_has_lot",
            ),
        ]

    def __str__(self) -> str:
        return self.filename.removesuffix(".pdf")

    @property
    def filename(self) -> str:
        return f"{self.number}{f'-R{self.revision}' if self.revision else ''}.pdf"
