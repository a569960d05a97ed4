"""Demo grades from the sourced rows of docs/domain.md.

Where the facts give no figure (a 99.95% premium, granule prices), the value is an
assumption and the grade's notes say so. No unsourced chemical limit is listed.
"""

from datetime import date
from decimal import Decimal as D

from .models import Product, ProductPrice, SpecLimit

SMM_JUN = (date(2025, 6, 23), "SMM FOB China ingot US$2,220–2,280/t, 2025-06-23 (midpoint)")
SMM_JUL = (date(2025, 7, 21), "SMM FOB China, 2025-07-21 (midpoint of the range)")
INGOT_PACKING = "7.5 kg trapezoidal ingots in strapped, shrink-wrapped bundles (bundle weight: confirm per order)"
ALLOY_SOURCE = "ASTM B94 casting figures via a secondary source (M); B93 ingot limits are tighter and not sourced"

GRADES = [
    {
        "code": "MG9990",
        "name": "Magnesium ingot 99.90%",
        "category": "ingot",
        "hs_code": "8104.11.00",
        "purity_percent": D("99.90"),
        "standard": "GB/T 3499 Mg9990",
        "spec_source": "Mg minimum from the grade designation; the standard's impurity limits are not sourced, so none are listed",
        "form": "Ingot, typically 7.5 kg",
        "packaging": INGOT_PACKING,
        "min_order_qty_mt": D("20"),
        "floor_price_usd_per_mt": D("2170.00"),
        "notes": "Floor price is an assumption (95% of list) for the approval demo.",
        "spec": [{"element": "Mg", "min_percent": D("99.90")}],
        "prices": [(SMM_JUN, D("2250.00")), (SMM_JUL, D("2285.00"))],
    },
    {
        "code": "MG9995",
        "name": "Magnesium ingot 99.95%",
        "category": "ingot",
        "hs_code": "8104.11.00",
        "purity_percent": D("99.95"),
        "standard": "GB/T 3499 Mg9995",
        "spec_source": "Mg minimum from the grade designation; impurity limits not sourced",
        "form": "Ingot, typically 7.5 kg",
        "packaging": INGOT_PACKING,
        "min_order_qty_mt": D("20"),
        "floor_price_usd_per_mt": D("2230.00"),
        "notes": "ASSUMPTION: priced at MG9990 + US$60/t; no sourced 99.95% FOB price. Floor is 95% of list.",
        "spec": [{"element": "Mg", "min_percent": D("99.95")}],
        "prices": [(SMM_JUN, D("2310.00")), (SMM_JUL, D("2345.00"))],
    },
    {
        "code": "MG9998",
        "name": "Magnesium ingot 99.98%",
        "category": "ingot",
        "hs_code": "8104.11.00",
        "purity_percent": D("99.98"),
        "standard": "GB/T 3499 Mg9998",
        "spec_source": "Mg minimum from the grade designation; impurity limits not sourced",
        "form": "Ingot, typically 7.5 kg",
        "packaging": INGOT_PACKING,
        "min_order_qty_mt": D("10"),
        "notes": "ASSUMPTION: priced at MG9990 + US$150/t; no sourced 99.98% FOB price.",
        "spec": [{"element": "Mg", "min_percent": D("99.98")}],
        "prices": [(SMM_JUL, D("2435.00"))],
    },
    {
        "code": "AZ91D",
        "name": "AZ91D magnesium alloy ingot",
        "category": "alloy",
        "hs_code": "8104.19.00",
        "standard": "ASTM B93 AZ91D",
        "spec_source": ALLOY_SOURCE,
        "form": "Alloy ingot",
        "packaging": INGOT_PACKING,
        "min_order_qty_mt": D("20"),
        "floor_price_usd_per_mt": D("2380.00"),
        "notes": "Price: SMM FOB China alloy US$2,490–2,520/t (2025-07-21). Floor is an assumption.",
        "spec": [
            {"element": "Al", "min_percent": D("8.5"), "max_percent": D("9.5")},
            {"element": "Zn", "min_percent": D("0.45"), "max_percent": D("0.9")},
            {"element": "Mn", "min_percent": D("0.17"), "max_percent": D("0.5")},
            {"element": "Si", "max_percent": D("0.10")},
            {"element": "Cu", "max_percent": D("0.030")},
            {"element": "Fe", "max_percent": D("0.005")},
            {"element": "Ni", "max_percent": D("0.002")},
        ],
        "prices": [(SMM_JUL, D("2505.00"))],
    },
    {
        "code": "AM60B",
        "name": "AM60B magnesium alloy ingot",
        "category": "alloy",
        "hs_code": "8104.19.00",
        "standard": "ASTM B93 AM60B",
        "spec_source": "ASTM/ASM casting figures via azom.com (M)",
        "form": "Alloy ingot",
        "packaging": INGOT_PACKING,
        "min_order_qty_mt": D("20"),
        "notes": "ASSUMPTION: priced as AZ91D (SMM alloy price); no AM60B-specific FOB price sourced.",
        "spec": [
            {"element": "Al", "min_percent": D("5.5"), "max_percent": D("6.5")},
            {"element": "Zn", "max_percent": D("0.22")},
            {"element": "Mn", "min_percent": D("0.24"), "max_percent": D("0.6")},
            {"element": "Si", "max_percent": D("0.10")},
            {"element": "Cu", "max_percent": D("0.010")},
            {"element": "Fe", "max_percent": D("0.005")},
            {"element": "Ni", "max_percent": D("0.002")},
        ],
        "prices": [(SMM_JUL, D("2505.00"))],
    },
    {
        "code": "AM50A",
        "name": "AM50A magnesium alloy ingot",
        "category": "alloy",
        "hs_code": "8104.19.00",
        "standard": "ASTM B93 AM50A",
        "spec_source": "B94 / EN 1753 figures via a supplier page (L-M)",
        "form": "Alloy ingot",
        "packaging": INGOT_PACKING,
        "min_order_qty_mt": D("20"),
        "notes": "ASSUMPTION: priced as AZ91D (SMM alloy price).",
        "spec": [
            {"element": "Al", "min_percent": D("4.5"), "max_percent": D("5.3")},
            {"element": "Zn", "max_percent": D("0.20")},
            {"element": "Mn", "min_percent": D("0.28"), "max_percent": D("0.50")},
            {"element": "Si", "max_percent": D("0.08")},
            {"element": "Cu", "max_percent": D("0.008")},
            {"element": "Fe", "max_percent": D("0.004")},
            {"element": "Ni", "max_percent": D("0.001")},
        ],
        "prices": [(SMM_JUL, D("2505.00"))],
    },
    {
        "code": "MG-GRAN97",
        "name": "Desulfurization magnesium granules, passivated",
        "category": "granules",
        "hs_code": "8104.30.00",
        "purity_percent": D("97.00"),
        "standard": "Supplier spec (steel desulfurization)",
        "spec_source": "Example desulfurization spec via desmet.in (M): Mg ≥97%, lime passivation ≤3%",
        "form": "Granules: <0.2 mm ≤5%; 0.2–0.5 mm 40–60%; 0.5–0.8 mm 30–50%; >0.8 mm ≤5%",
        "packaging": "Silo tanker under N₂ or sealed drums; bulk density ~800 kg/m³",
        "un_number": "UN2950",
        "dg_class": "4.3",
        "min_order_qty_mt": D("5"),
        "notes": "ASSUMPTION: priced at the SMM FOB powder price (US$2,400–2,460/t). UN2950 (magnesium granules, coated): check the current IMDG Code.",
        "spec": [{"element": "Mg", "min_percent": D("97")}],
        "prices": [(SMM_JUL, D("2430.00"))],
    },
    {
        "code": "MG-CHIPS",
        "name": "Magnesium chips (raspings, turnings)",
        "category": "chips",
        "hs_code": "8104.30.00",
        "standard": "",
        "spec_source": "No sourced specification; agree limits per order",
        "form": "Chips / raspings",
        "packaging": "Sealed steel drums or bulk bags",
        "un_number": "UN1869",
        "dg_class": "4.1",
        "min_order_qty_mt": D("5"),
        "notes": "ASSUMPTION: priced at the SMM FOB powder price. UN1869 (magnesium turnings): check the current IMDG Code.",
        "spec": [],
        "prices": [(SMM_JUL, D("2430.00"))],
    },
]


# The demo grades' names in the buyers' languages (docs/i18n.md): two grades have them, the
# others show the rep the fallback to English.
GRADE_NAMES = {
    "MG9990": {
        "de": "Magnesiumbarren 99,90 %",
        "ja": "マグネシウム地金 99.90%",
        "ko": "마그네슘 잉곳 99.90%",
        "tr": "Magnezyum külçe %99,90",
        "pt_br": "Lingote de magnésio 99,90%",
        "zh_hans": "镁锭 99.90%",
    },
    "AZ91D": {
        "de": "Magnesiumlegierung AZ91D in Barren",
        "ja": "AZ91D マグネシウム合金インゴット",
        "ko": "AZ91D 마그네슘 합금 잉곳",
        "tr": "AZ91D magnezyum alaşımlı külçe",
        "pt_br": "Lingote de liga de magnésio AZ91D",
        "zh_hans": "AZ91D 镁合金锭",
    },
}


def _translate_names(product: Product) -> None:
    """The demo names in other languages, where the grade has none yet."""
    names = {
        f"name_{code}": name
        for code, name in GRADE_NAMES.get(product.code, {}).items()
        if not getattr(product, f"name_{code}")
    }
    if names:
        Product.objects.filter(pk=product.pk).update(**names)


def load() -> list[Product]:
    """Create the demo grades that are missing; running it twice changes nothing."""
    products = []
    for grade in GRADES:
        fields = {k: v for k, v in grade.items() if k not in {"spec", "prices"}}
        product, _ = Product.objects.get_or_create(code=fields.pop("code"), defaults=fields)
        _translate_names(product)
        if not product.spec_limits.exists():
            SpecLimit.objects.bulk_create(
                SpecLimit(
                    product=product,
                    position=i,
                    element=row["element"],
                    min_percent=row.get("min_percent"),
                    max_percent=row.get("max_percent"),
                )
                for i, row in enumerate(grade["spec"])
            )
        for (effective_from, note), usd in grade["prices"]:
            ProductPrice.objects.get_or_create(
                product=product,
                effective_from=effective_from,
                defaults={"usd_per_mt": usd, "note": note},
            )
        products.append(product)
    return products
