from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.db.models import Q
from django_countries.fields import CountryField
from simple_history.models import HistoricalRecords

from .customs import EU_GROUP
from .elements import normalize_hs_code, validate_spec_element

HS_CODE_VALIDATOR = RegexValidator(
    r"^\d{4}\.\d{2}(\.\d{2}){0,2}$",
    "Enter an HS code like 8104.11 or 8104.11.00 (4 digits, dot, 2 digits, optional .NN groups).",
)
PRODUCT_CODE_VALIDATOR = RegexValidator(
    r"^[A-Z0-9][A-Z0-9\-]{1,31}$", "Use capital letters, digits and dashes, e.g. MG9990."
)
PERCENT_VALIDATORS = [MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("100"))]


class Category(models.TextChoices):
    INGOT = "ingot", "Ingot"
    ALLOY = "alloy", "Alloy"
    CHIPS = "chips", "Chips"
    GRANULES = "granules", "Granules"
    POWDER = "powder", "Powder"
    OTHER = "other", "Other"


class Product(models.Model):
    """A product grade that reps quote, e.g. MG9990 (Mg ingot 99.90%) or AZ91D."""

    code = models.CharField(max_length=32, unique=True, validators=[PRODUCT_CODE_VALIDATOR])
    name = models.CharField(max_length=120)
    category = models.CharField(max_length=16, choices=Category.choices)
    hs_code = models.CharField("HS code", max_length=14, validators=[HS_CODE_VALIDATOR])
    purity_percent = models.DecimalField(
        "purity %",
        max_digits=6,
        decimal_places=3,
        null=True,
        blank=True,
        validators=PERCENT_VALIDATORS,
        help_text="Minimum Mg %. Required for pure ingot; empty for alloys.",
    )
    standard = models.CharField(
        max_length=80, blank=True, help_text="e.g. GB/T 3499 Mg9990, ASTM B93 AZ91D"
    )
    spec_source = models.CharField(
        "specification source",
        max_length=200,
        blank=True,
        help_text="Where the chemical limits come from. Leave the table empty rather than guess.",
    )
    form = models.CharField(
        max_length=120, blank=True, help_text="e.g. 7.5 kg trapezoidal ingots; granules 0.2–0.8 mm"
    )
    packaging = models.CharField(
        max_length=200, blank=True, help_text="e.g. 1 MT strapped bundles, shrink-wrapped"
    )
    un_number = models.CharField(
        "UN number",
        max_length=6,
        blank=True,
        validators=[RegexValidator(r"^UN\d{4}$", "Enter a UN number like UN1869.")],
    )
    dg_class = models.CharField(
        "dangerous-goods class",
        max_length=8,
        blank=True,
        validators=[RegexValidator(r"^[1-9](\.\d)?$", "Enter a class like 4.1 or 4.3.")],
    )
    min_order_qty_mt = models.DecimalField(
        "minimum order (MT)",
        max_digits=10,
        decimal_places=3,
        default=Decimal("1.000"),
        validators=[MinValueValidator(Decimal("0"))],
    )
    floor_price_usd_per_mt = models.DecimalField(
        "floor price (USD/MT)",
        max_digits=14,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0"))],
        help_text="A quoted unit price below this needs a manager's approval.",
    )
    active = models.BooleanField(default=True)
    notes = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["category", "code"]
        constraints = [
            models.CheckConstraint(
                condition=Q(purity_percent__isnull=True)
                | Q(purity_percent__gte=0, purity_percent__lte=100),
                name="product_purity_0_100",
            ),
            models.CheckConstraint(
                condition=~Q(category="ingot") | Q(purity_percent__isnull=False),
                name="product_ingot_has_purity",
            ),
            models.CheckConstraint(
                condition=~Q(category="alloy") | Q(purity_percent__isnull=True),
                name="product_alloy_has_no_purity",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} · {self.name}"

    def clean(self) -> None:
        from django.core.exceptions import ValidationError

        self.code = (self.code or "").strip().upper()
        errors = {}
        if self.category == Category.INGOT and self.purity_percent is None:
            errors["purity_percent"] = "Pure ingot needs its purity (e.g. 99.90)."
        if self.category == Category.ALLOY and self.purity_percent is not None:
            errors["purity_percent"] = "Alloys have no purity figure; leave it empty."
        if bool(self.un_number) != bool(self.dg_class):
            errors["dg_class"] = "Give both the UN number and the class, or neither."
        if errors:
            raise ValidationError(errors)

    def clean_fields(self, exclude=None) -> None:
        # "8104.19" and "8104.19.00" are one code: stored as NNNN.NN.NN before validation.
        self.hs_code = normalize_hs_code(self.hs_code)
        super().clean_fields(exclude=exclude)

    @property
    def hs_digits(self) -> str:
        return self.hs_code.replace(".", "")


class SpecLimit(models.Model):
    """One element's limits in a grade's chemical specification (mass %)."""

    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="spec_limits")
    element = models.CharField(
        max_length=24,
        validators=[validate_spec_element],
        help_text="A chemical symbol (Fe, Si), RE (rare earths in total) or 'Others each'/'Others total'.",
    )
    min_percent = models.DecimalField(
        max_digits=7, decimal_places=4, null=True, blank=True, validators=PERCENT_VALIDATORS
    )
    max_percent = models.DecimalField(
        max_digits=7, decimal_places=4, null=True, blank=True, validators=PERCENT_VALIDATORS
    )
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["product", "position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["product", "element"], name="speclimit_unique_element"),
            models.CheckConstraint(
                condition=Q(min_percent__isnull=True)
                | Q(max_percent__isnull=True)
                | Q(min_percent__lte=models.F("max_percent")),
                name="speclimit_min_le_max",
            ),
            models.CheckConstraint(
                condition=Q(min_percent__isnull=False) | Q(max_percent__isnull=False),
                name="speclimit_has_a_limit",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.element} {self.min_percent or ''}–{self.max_percent or ''}%"

    def clean_fields(self, exclude=None) -> None:
        self.element = (self.element or "").strip()
        if self.element.upper() == "RE":
            self.element = "RE"
        super().clean_fields(exclude=exclude)

    def clean(self) -> None:
        from django.core.exceptions import ValidationError

        if self.min_percent is None and self.max_percent is None:
            raise ValidationError("Give a minimum, a maximum or both.")
        if (
            self.min_percent is not None
            and self.max_percent is not None
            and self.min_percent > self.max_percent
        ):
            raise ValidationError({"max_percent": "The maximum must not be below the minimum."})


class ProductPrice(models.Model):
    """A list price (USD/MT, FOB origin port) in force from a date until the next one."""

    product = models.ForeignKey(Product, on_delete=models.PROTECT, related_name="prices")
    usd_per_mt = models.DecimalField(
        "USD/MT", max_digits=14, decimal_places=2, validators=[MinValueValidator(Decimal("0.01"))]
    )
    effective_from = models.DateField()
    note = models.CharField(
        max_length=200, blank=True, help_text="Source or reason, e.g. SMM FOB China 2025-07-21."
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["product", "-effective_from"]
        get_latest_by = "effective_from"
        constraints = [
            models.UniqueConstraint(
                fields=["product", "effective_from"], name="productprice_one_per_day"
            ),
            models.CheckConstraint(condition=Q(usd_per_mt__gt=0), name="productprice_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.product.code} {self.usd_per_mt} USD/MT from {self.effective_from}"


# ---------------------------------------------------------------- reference data for pricing
# Ports, freight rates, exchange rates and tariff rules: admin-managed, read by the pricing
# selector (quotes.selectors) and turned into the engine's plain dataclasses.

LOCODE_VALIDATOR = RegexValidator(
    r"^[A-Z]{2}[A-Z2-9]{3}$",
    "Enter a UN/LOCODE: the 2-letter country code and 3 letters or digits 2–9, e.g. DEHAM.",
)
CURRENCY_VALIDATOR = RegexValidator(r"^[A-Z]{3}$", "Enter an ISO 4217 code like EUR.")
HS_PREFIX_VALIDATOR = RegexValidator(
    r"^\d{4,10}$", "Enter 4 to 10 digits of the HS code without dots, e.g. 810411."
)
CHARGE_VALIDATORS = [MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("10000"))]
TARIFF_RATE_VALIDATORS = [MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("1000"))]


def _period_overlap(qs, valid_from, valid_to):
    """Rows of ``qs`` whose [valid_from, valid_to] (open end: None) meets the given period."""
    qs = qs.filter(Q(valid_to__isnull=True) | Q(valid_to__gte=valid_from))
    if valid_to is not None:
        qs = qs.filter(valid_from__lte=valid_to)
    return qs


class Port(models.Model):
    """A sea port by UN/LOCODE with its handling charges (USD/MT)."""

    code = models.CharField("UN/LOCODE", max_length=5, unique=True, validators=[LOCODE_VALIDATOR])
    name = models.CharField(max_length=80)
    country = CountryField()
    origin_charges_usd_per_mt = models.DecimalField(
        "origin charges (USD/MT)",
        max_digits=10,
        decimal_places=2,
        default=Decimal("0"),
        validators=CHARGE_VALIDATORS,
        help_text="Haulage, port handling and export clearance that an FOB price includes "
        "(deducted for EXW).",
    )
    destination_charges_usd_per_mt = models.DecimalField(
        "destination charges (USD/MT)",
        max_digits=10,
        decimal_places=2,
        default=Decimal("0"),
        validators=CHARGE_VALIDATORS,
        help_text="Unloading, port handling and import clearance at this port.",
    )
    note = models.CharField(max_length=300, blank=True, help_text="Source, or 'assumption'.")

    class Meta:
        ordering = ["code"]
        constraints = [
            models.CheckConstraint(
                condition=Q(origin_charges_usd_per_mt__gte=0)
                & Q(destination_charges_usd_per_mt__gte=0),
                name="port_charges_not_negative",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"

    def clean(self) -> None:
        from django.core.exceptions import ValidationError

        self.code = (self.code or "").strip().upper()
        if self.code[:2] and self.country and self.code[:2] != str(self.country):
            raise ValidationError(
                {"code": f"A UN/LOCODE starts with its country code ({self.country})."}
            )


class ContainerType(models.TextChoices):
    GP20 = "20GP", "20 ft general purpose"


class TransportMode(models.TextChoices):
    """How a lane's goods travel (a freight rate's mode; a tariff rule may apply to one
    mode only, e.g. the US harbor maintenance fee: ocean imports only)."""

    OCEAN = "ocean", "Ocean"
    RAIL = "rail", "Rail"
    ROAD = "road", "Road"
    AIR = "air", "Air"


class FreightRate(models.Model):
    """Ocean freight for a route and container type, in force over a period."""

    origin_port = models.ForeignKey(Port, on_delete=models.PROTECT, related_name="+")
    destination_port = models.ForeignKey(Port, on_delete=models.PROTECT, related_name="+")
    container_type = models.CharField(
        max_length=8, choices=ContainerType.choices, default=ContainerType.GP20
    )
    transport_mode = models.CharField(
        max_length=8,
        choices=TransportMode.choices,
        default=TransportMode.OCEAN,
        help_text="How the goods travel on this lane; a tariff rule for one mode only (e.g. "
        "the US harbor maintenance fee, ocean) applies only to quotes on a lane of that mode.",
    )
    usd_per_container = models.DecimalField(
        "USD per container",
        max_digits=12,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("100000"))],
    )
    mt_per_container = models.DecimalField(
        "MT per container",
        max_digits=7,
        decimal_places=3,
        validators=[MinValueValidator(Decimal("0.001")), MaxValueValidator(Decimal("40"))],
        help_text="Payload used to count containers.",
    )
    valid_from = models.DateField()
    valid_to = models.DateField(null=True, blank=True, help_text="Last day; empty: open.")
    note = models.CharField(max_length=300, blank=True, help_text="Source, or 'assumption'.")

    class Meta:
        ordering = ["origin_port__code", "destination_port__code", "-valid_from"]
        constraints = [
            models.CheckConstraint(
                condition=Q(valid_to__isnull=True) | Q(valid_to__gte=models.F("valid_from")),
                name="freightrate_period_ordered",
            ),
            models.CheckConstraint(
                condition=~Q(origin_port=models.F("destination_port")),
                name="freightrate_ports_differ",
            ),
            models.CheckConstraint(
                condition=Q(usd_per_container__gte=0) & Q(mt_per_container__gt=0),
                name="freightrate_amounts_positive",
            ),
        ]

    def __str__(self) -> str:
        route = (
            f"{self.origin_port.code}→{self.destination_port.code}"
            if self.origin_port_id and self.destination_port_id
            else "new route"
        )
        return f"{route} {self.container_type} from {self.valid_from}"

    def clean(self) -> None:
        from django.core.exceptions import ValidationError

        errors = {}
        if self.valid_to and self.valid_from and self.valid_to < self.valid_from:
            errors["valid_to"] = "The period ends before it starts."
        if (
            self.origin_port_id
            and self.destination_port_id
            and self.origin_port_id == self.destination_port_id
        ):
            errors["destination_port"] = "Origin and destination must differ."
        if errors:
            raise ValidationError(errors)

    def overlapping(self):
        qs = FreightRate.objects.filter(
            origin_port_id=self.origin_port_id,
            destination_port_id=self.destination_port_id,
            container_type=self.container_type,
        ).exclude(pk=self.pk)
        return _period_overlap(qs, self.valid_from, self.valid_to)


class ExchangeRate(models.Model):
    """Units of ``currency`` per 1 USD on a date (e.g. EUR 0.925)."""

    currency = models.CharField(max_length=3, validators=[CURRENCY_VALIDATOR])
    rate_per_usd = models.DecimalField(
        "units per USD",
        max_digits=20,
        decimal_places=8,
        validators=[MinValueValidator(Decimal("0.00000001"))],
    )
    date = models.DateField()
    source = models.CharField(max_length=200, blank=True, help_text="e.g. ECB reference rate")

    class Meta:
        ordering = ["currency", "-date"]
        get_latest_by = "date"
        constraints = [
            models.UniqueConstraint(fields=["currency", "date"], name="exchangerate_one_per_day"),
            models.CheckConstraint(condition=Q(rate_per_usd__gt=0), name="exchangerate_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.currency} {self.rate_per_usd}/USD on {self.date}"

    def clean_fields(self, exclude=None) -> None:
        self.currency = (self.currency or "").strip().upper()  # "eur" is EUR
        super().clean_fields(exclude=exclude)

    def clean(self) -> None:
        from django.core.exceptions import ValidationError

        self.currency = (self.currency or "").strip().upper()
        if self.currency == "USD" and self.rate_per_usd is not None and self.rate_per_usd != 1:
            raise ValidationError({"rate_per_usd": "USD is 1 per USD."})


class TariffKind(models.TextChoices):
    MFN = "mfn", "MFN duty"
    ANTI_DUMPING = "anti_dumping", "Anti-dumping duty"
    COUNTERVAILING = "countervailing", "Countervailing duty"
    SAFEGUARD = "safeguard", "Safeguard duty"
    RETALIATORY = "retaliatory", "Retaliatory tariff"
    OTHER = "other", "Other duty"
    ENTRY_FEE = "entry_fee", "Processing fee per entry"
    PORT_FEE = "port_fee", "Harbor maintenance fee"


class DutyBasis(models.TextChoices):
    CIF = "CIF", "CIF (customs value incl. freight and insurance)"
    FOB = "FOB", "FOB (transaction value, excl. freight and insurance)"


def _destination_choices():
    from django_countries import countries

    return [(EU_GROUP, "European Union (all 27 member states)"), *countries]


class TariffRule(models.Model):
    """An import duty on goods of an origin at a destination: ad valorem and/or per MT.

    Rates must be checked against the official tariff before use: ``verified_on`` says
    when someone last did (``products.selectors.tariff_rules_stale``). Written only through
    ``products.services``: a change of rate, basis or dates is a new row from its
    effective date (``previous_version``), the old row's validity is closed at the day
    before, so a quote priced earlier still names the rule it used. ``history`` keeps
    every state of every row.
    """

    destination = models.CharField(
        max_length=2,
        choices=_destination_choices,
        help_text="Importing country, or EU for all member states.",
    )
    origin_country = CountryField(default="CN")
    hs_prefix = models.CharField(
        "HS prefix",
        max_length=10,
        validators=[HS_PREFIX_VALIDATOR],
        help_text="Digits the product's HS code starts with (dots ignored), e.g. 810411.",
    )
    kind = models.CharField(max_length=16, choices=TariffKind.choices)
    rate_percent = models.DecimalField(
        "rate %",
        max_digits=8,
        decimal_places=4,
        default=Decimal("0"),
        validators=TARIFF_RATE_VALIDATORS,
        help_text="e.g. 5.3, or 0.3464 for the US merchandise processing fee.",
    )
    min_usd_per_entry = models.DecimalField(
        "minimum per entry (USD)",
        max_digits=12,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0"))],
        help_text="Per-entry fees only (e.g. MPF): the fee is at least this per customs entry "
        "(a quote is one entry). Empty: no minimum (or none sourced).",
    )
    max_usd_per_entry = models.DecimalField(
        "maximum per entry (USD)",
        max_digits=12,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0"))],
        help_text="Per-entry fees only: the fee is at most this per customs entry.",
    )
    specific_usd_per_mt = models.DecimalField(
        "specific duty (USD/MT)",
        max_digits=12,
        decimal_places=2,
        default=Decimal("0"),
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("100000"))],
        help_text="e.g. US$1.18/kg = 1180.00",
    )
    basis = models.CharField(max_length=3, choices=DutyBasis.choices, default=DutyBasis.CIF)
    transport_mode = models.CharField(
        "transport mode",
        max_length=8,
        choices=TransportMode.choices,
        blank=True,
        help_text="Empty: any mode. Ocean for a fee on ocean imports only (the US harbor "
        "maintenance fee): it applies only when the quote's lane ships by sea.",
    )
    valid_from = models.DateField()
    valid_to = models.DateField(null=True, blank=True, help_text="Last day; empty: open.")
    legal_citation = models.CharField(
        "legal citation",
        max_length=300,
        help_text="Public: what the buyer's document prints, e.g. “Council Regulation (EEC) "
        "No 2658/87, CN 8104 11 00” or “HTSUS 8104.11.00”.",
    )
    source_note = models.TextField(
        "source note (internal)",
        help_text="Internal: where the rate was found and how sure we are. Shown to reps, "
        "never printed on a document.",
    )
    verified_on = models.DateField(
        "verified on",
        null=True,
        blank=True,
        help_text="When the rule was last checked against the official tariff; empty: never.",
    )
    verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="The admin who last checked it (empty for seeded rules: see the source note).",
    )
    previous_version = models.OneToOneField(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="next_version",
        help_text="The rule this one replaced from its valid-from date (a change of rate or dates).",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["destination", "hs_prefix", "kind", "-valid_from"]
        constraints = [
            models.CheckConstraint(
                condition=Q(valid_to__isnull=True) | Q(valid_to__gte=models.F("valid_from")),
                name="tariffrule_period_ordered",
            ),
            models.CheckConstraint(
                condition=Q(rate_percent__gte=0)
                & Q(rate_percent__lte=1000)
                & Q(specific_usd_per_mt__gte=0),
                name="tariffrule_rates_in_bounds",
            ),
            models.CheckConstraint(
                condition=Q(basis__in=["CIF", "FOB"]), name="tariffrule_basis_valid"
            ),
        ]

    def __str__(self) -> str:
        rate = f"{self.rate_percent}%"
        if self.specific_usd_per_mt:
            rate += f" + {self.specific_usd_per_mt} USD/MT"
        return f"{self.destination} {self.hs_prefix} {self.get_kind_display()} {rate}"

    def clean_fields(self, exclude=None) -> None:
        self.hs_prefix = (self.hs_prefix or "").replace(".", "").strip()
        super().clean_fields(exclude=exclude)

    def clean(self) -> None:
        from django.core.exceptions import ValidationError

        errors = {}
        if self.valid_to and self.valid_from and self.valid_to < self.valid_from:
            errors["valid_to"] = "The period ends before it starts."
        if self.rate_percent == 0 and self.specific_usd_per_mt == 0 and self.kind != "mfn":
            errors["rate_percent"] = "Give a rate, a specific duty or both."
        limits = (self.min_usd_per_entry, self.max_usd_per_entry)
        if self.kind != TariffKind.ENTRY_FEE and any(v is not None for v in limits):
            errors["min_usd_per_entry"] = "Only a per-entry fee has a minimum or maximum per entry."
        elif None not in limits and self.min_usd_per_entry > self.max_usd_per_entry:
            errors["max_usd_per_entry"] = "The maximum must not be below the minimum."
        if not (self.legal_citation or "").strip():
            errors["legal_citation"] = "Give the public legal citation (regulation, tariff line)."
        if not (self.source_note or "").strip():
            errors["source_note"] = "Say where the rate was found and how sure it is."
        if errors:
            raise ValidationError(errors)

    def overlapping(self):
        qs = TariffRule.objects.filter(
            destination=self.destination,
            origin_country=self.origin_country,
            hs_prefix=self.hs_prefix,
            kind=self.kind,
        ).exclude(pk=self.pk)
        return _period_overlap(qs, self.valid_from, self.valid_to)
