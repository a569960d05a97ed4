from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.db.models import Q

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

    @property
    def hs_digits(self) -> str:
        return self.hs_code.replace(".", "")


class SpecLimit(models.Model):
    """One element's limits in a grade's chemical specification (mass %)."""

    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="spec_limits")
    element = models.CharField(
        max_length=24,
        validators=[
            RegexValidator(
                r"^([A-Z][a-z]?|Others?( each| total)?)$",
                "Use a chemical symbol (Fe, Si) or 'Others each' / 'Others total'.",
            )
        ],
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
