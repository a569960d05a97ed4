"""Sample data for the PDF renderer: a realistic ``pdf/quote.html`` context without a
database, for the renderer's tests and ``bench/pdf.py``.

Figures are computed roughly like ``docs/pricing.md`` but this is sample data, not the
pricing engine; the shape is the one documented in ``quotes/documents/pdf.py``.
"""

from datetime import date
from decimal import ROUND_HALF_UP, Decimal

SAMPLE_GRADES = [
    # grade, name, standard, HS code, USD/MT, MFN % (EU TARIC via domain-facts, M)
    ("Mg9990", "Pure magnesium ingot 99.90", "GB/T 3499-2011", "8104110000", "2450.00", "5.3"),
    ("Mg9980", "Pure magnesium ingot 99.80", "GB/T 3499-2011", "8104110000", "2400.00", "5.3"),
    ("AZ91D", "Magnesium alloy ingot AZ91D", "ASTM B93/B93M", "8104190000", "2950.00", "4.0"),
    ("AM60B", "Magnesium alloy ingot AM60B", "ASTM B93/B93M", "8104190000", "3050.00", "4.0"),
    ("AM50A", "Magnesium alloy ingot AM50A", "ASTM B93/B93M", "8104190000", "3100.00", "4.0"),
]
SAMPLE_LIMITS = {
    "Mg9990": [("Mg", "99.90", None)],
    "Mg9980": [("Mg", "99.80", None)],
    "AZ91D": [
        ("Al", "8.5", "9.5"),
        ("Zn", "0.45", "0.9"),
        ("Mn", "0.17", "0.5"),
        ("Si", None, "0.10"),
        ("Cu", None, "0.030"),
        ("Fe", None, "0.005"),
        ("Ni", None, "0.002"),
    ],
    "AM60B": [
        ("Al", "5.5", "6.5"),
        ("Zn", None, "0.22"),
        ("Mn", "0.24", "0.6"),
        ("Si", None, "0.10"),
        ("Cu", None, "0.010"),
        ("Fe", None, "0.005"),
        ("Ni", None, "0.002"),
    ],
    "AM50A": [
        ("Al", "4.5", "5.3"),
        ("Zn", None, "0.20"),
        ("Mn", "0.28", "0.50"),
        ("Si", None, "0.08"),
        ("Cu", None, "0.008"),
        ("Fe", None, "0.004"),
        ("Ni", None, "0.001"),
    ],
}


def sample_quote_context(*, lines: int = 10, draft: bool = False, **overrides) -> dict:
    """A ``pdf/quote.html`` context (CIF Rotterdam, EUR) with ``lines`` lines; ``overrides``
    replace top-level keys (dicts are merged one level deep)."""
    cent = Decimal("0.01")

    def r2(value: Decimal) -> Decimal:
        return value.quantize(cent, ROUND_HALF_UP)

    fx = Decimal("0.9250")
    freight_per_mt = Decimal("45.00")
    port_charges_per_mt = Decimal("12.00")
    rows, duties, used = [], [], []
    goods = freight = insurance = duties_usd = qty_total = Decimal(0)
    for i in range(lines):
        grade, name, standard, hs, price, mfn = SAMPLE_GRADES[i % len(SAMPLE_GRADES)]
        qty = Decimal(20 + 5 * (i % 4))
        discount = Decimal("1.5") if i % 3 == 2 else Decimal(0)
        amount = r2(qty * Decimal(price) * (1 - discount / 100))
        line_freight = qty * freight_per_mt
        line_insurance = (amount + line_freight) * Decimal("1.1") * Decimal("0.0015")
        customs_value = r2(amount + line_freight + line_insurance)
        duty = r2(customs_value * Decimal(mfn) / 100)
        rows.append(
            {
                "grade": grade,
                "name": name,
                "standard": standard,
                "hs_code": hs,
                "quantity_mt": qty.quantize(Decimal("0.001")),
                "unit_price": Decimal(price),
                "discount_percent": discount,
                "amount": amount,
                # USD, FOB; turned into the quote currency on the CIF basis below
                "term_usd": amount + line_freight + line_insurance,
                "packing": "7.5 kg ingots, strapped bundles of about 1 MT",
            }
        )
        duties.append(
            {
                "grade": grade,
                "hs_code": hs,
                "kind": "mfn",
                "rate_percent": Decimal(mfn),
                "specific_usd_per_mt": Decimal(0),
                "basis": "CIF",
                "customs_value": customs_value,
                "amount": duty,
                "reference": f"EU Combined Nomenclature, CN {hs[:4]} {hs[4:6]} (TARIC)",
            }
        )
        goods += amount
        freight += line_freight
        insurance += line_insurance
        duties_usd += duty
        qty_total += qty
        if grade not in used:
            used.append(grade)
    goods_eur, freight_eur, insurance_eur = r2(goods * fx), r2(freight * fx), r2(insurance * fx)
    quote_total = goods_eur + freight_eur + insurance_eur
    duties_eur = r2(duties_usd * fx)
    landed = quote_total + duties_eur + r2(qty_total * port_charges_per_mt * fx)
    # The buyer's document: lines in EUR on the CIF basis adding up to the quote total (the
    # last line takes the rounding), duties in EUR, landed cost per line (as
    # pricing.engine.document_lines does it, roughly: this is sample data).
    allocated = Decimal(0)
    for index, (row, duty) in enumerate(zip(rows, duties, strict=True)):
        term_usd = row.pop("term_usd")
        qty = row["quantity_mt"]
        if index < len(rows) - 1:
            row["unit_price"] = r2(term_usd * fx / qty)
            row["amount"] = r2(row["unit_price"] * qty)
        else:
            row["amount"] = quote_total - allocated
            row["unit_price"] = r2(row["amount"] / qty)
        allocated += row["amount"]
        duty["customs_value"] = r2(duty["customs_value"] * fx)
        duty["amount"] = r2(duty["amount"] * fx)
        row["duties_amount"] = duty["amount"]
        row["landed_cost"] = r2(row["amount"] + duty["amount"] + qty * port_charges_per_mt * fx)
        row["landed_cost_per_mt"] = r2(row["landed_cost"] / qty)
    specs = [
        {
            "grade": grade,
            "name": next(g[1] for g in SAMPLE_GRADES if g[0] == grade),
            "standard": next(g[2] for g in SAMPLE_GRADES if g[0] == grade),
            "limits": [
                {
                    "element": element,
                    "min_percent": Decimal(low) if low else None,
                    "max_percent": Decimal(high) if high else None,
                }
                for element, low, high in SAMPLE_LIMITS[grade]
            ],
        }
        for grade in used
    ]
    context = {
        "draft": draft,
        "quote": {
            "number": "Q-2026-0042",
            "version": 2,
            "issued_on": date(2026, 3, 2),
            "valid_until": date(2026, 3, 9),
            "currency": "EUR",
            "fx_rate": "0.9250",
            "incoterm": "CIF",
            "named_place": "Rotterdam",
            "origin_port": "Tianjin Xingang (CNTXG)",
            "destination_port": "Rotterdam (NLRTM)",
            "payment_terms": "30 % T/T in advance, 70 % against copy of B/L.",
            "packaging": "Ingots of 7.5 kg, strapped bundles of about 1 MT, shrink-wrapped.",
            "terms": "Delivery within 30 days of the advance payment.\nPrices per metric tonne.",
            "notes": "",
            "rep": {"name": "Li Wei", "email": "li.wei@mgtrade.example"},
        },
        "buyer": {
            "name": "Rotterdam Light Metals B.V.",
            "address": "Waalhaven Zuidzijde 21\n3089 JH Rotterdam",
            "country": "Netherlands",
        },
        "contact": {"name": "Anna de Vries", "email": "anna@rlm.example"},
        "lines": rows,
        "lines_currency": "EUR",
        "lines_total": {"quantity_mt": qty_total, "amount": quote_total},
        "landed_lines": rows,
        "breakdown": {
            "incoterm": "CIF",
            "currency": "EUR",
            "rows": [
                {"label": "Goods value", "amount": goods_eur, "kind": "add"},
                {"label": "Ocean freight", "amount": freight_eur, "kind": "add"},
                {"label": "Insurance", "amount": insurance_eur, "kind": "add"},
            ],
            "quote_total": quote_total,
            "duties_currency": "EUR",
            "duties": duties,
            "duties_total": sum((d["amount"] for d in duties), Decimal(0)),
            "landed_cost": landed,
            "landed_cost_per_mt": r2(landed / qty_total),
        },
        "specifications": specs,
    }
    for key, value in overrides.items():
        if isinstance(value, dict) and isinstance(context.get(key), dict):
            context[key] = {**context[key], **value}
        else:
            context[key] = value
    return context
