"""Demo reference data for pricing, from the sourced rows of docs/domain.md.

- Tariff rules: only rows marked H or M, each with its source in ``reference``. Japan,
  Korea and Turkey rates are unsourced, so those countries get no rule (the calculator
  warns that no rule matched).
- Freight: SCFI / Drewry WCI spot rates, all ex Shanghai. A TEU rate is a 20GP rate; an FEU
  rate halved is an assumption. Tianjin origin lanes are unsourced: the Shanghai figure is
  used and the note says so. Lanes with no source at all (Italy, Turkey, Brazil, India, UK,
  US Gulf) get no rate: an admin adds one before quoting there.
- MT per 20GP container and port charges are unsourced: demo assumptions, labelled.
- Exchange rates are demo values, labelled in ``source``; import real ones with
  ``manage.py import_ecb_rates``.

Idempotent: rows that exist (by their natural key) are left alone.
"""

from datetime import date, timedelta
from decimal import Decimal as D

from django.db import transaction

from . import services
from .models import ExchangeRate, FreightRate, Port, Product, ProductPrice, TariffRule

ASSUMED = "ASSUMPTION (unsourced demo value)"
MT_PER_20GP = D("22")
MT_NOTE = f"MT per 20GP = {MT_PER_20GP}: {ASSUMED}."

# code, name, country, origin charges, destination charges
PORTS = [
    ("CNTXG", "Tianjin Xingang", "CN", D("18"), D("0")),
    ("CNSHA", "Shanghai", "CN", D("18"), D("0")),
    ("DEHAM", "Hamburg", "DE", D("0"), D("28")),
    ("NLRTM", "Rotterdam", "NL", D("0"), D("28")),
    ("ITGOA", "Genoa", "IT", D("0"), D("30")),
    ("GBFXT", "Felixstowe", "GB", D("0"), D("30")),
    ("USNYC", "New York", "US", D("0"), D("35")),
    ("USHOU", "Houston", "US", D("0"), D("35")),
    ("JPYOK", "Yokohama", "JP", D("0"), D("25")),
    ("KRPUS", "Busan", "KR", D("0"), D("20")),
    ("TRMER", "Mersin", "TR", D("0"), D("25")),
    ("BRSSZ", "Santos", "BR", D("0"), D("30")),
    ("INNSA", "Nhava Sheva (Jawaharlal Nehru)", "IN", D("0"), D("25")),
]
PORT_NOTE = f"Charges (USD/MT): {ASSUMED}; the worked example of pricing.md uses 18 at origin and 28 at Hamburg."

SCFI_NE = "SCFI Shanghai–N. Europe"
# origin, destination, USD per 20GP, valid_from, valid_to, note
FREIGHT = [
    (
        "CNSHA",
        "DEHAM",
        D("1971"),
        date(2024, 3, 15),
        date(2025, 6, 12),
        f"{SCFI_NE} US$1,971/TEU, Mar 2024 wk 11 (jiffa.or.jp entry-8783, M).",
    ),
    (
        "CNSHA",
        "DEHAM",
        D("1844"),
        date(2025, 6, 13),
        date(2025, 11, 13),
        f"{SCFI_NE} US$1,844/TEU, Jun 2025 wk 24 (jiffa.or.jp entry-9470, M).",
    ),
    (
        "CNSHA",
        "DEHAM",
        D("1417"),
        date(2025, 11, 14),
        None,
        f"{SCFI_NE} US$1,417/TEU, Nov 2025 wk 46 (jiffa.or.jp entry-9699, M).",
    ),
    (
        "CNSHA",
        "NLRTM",
        D("1023"),
        date(2025, 5, 1),
        date(2025, 7, 2),
        f"Drewry WCI Shanghai–Rotterdam US$2,046/FEU, May 2025 (trasportoeuropa.it, M); 20GP = FEU/2: {ASSUMED}.",
    ),
    (
        "CNSHA",
        "NLRTM",
        D("1734"),
        date(2025, 7, 3),
        date(2025, 11, 13),
        f"Drewry WCI Shanghai–Rotterdam US$3,468/FEU, 3 Jul 2025 (trasportoeuropa.it, M); 20GP = FEU/2: {ASSUMED}.",
    ),
    (
        "CNSHA",
        "NLRTM",
        D("1417"),
        date(2025, 11, 14),
        None,
        f"{SCFI_NE} US$1,417/TEU, Nov 2025 wk 46 (jiffa.or.jp entry-9699, M); Rotterdam is an N. Europe base port.",
    ),
    (
        "CNSHA",
        "JPYOK",
        D("311.50"),
        date(2025, 1, 1),
        None,
        "SCFI Shanghai–Japan (Kanto) US$302–321/TEU, 2024–25, midpoint (jiffa.or.jp, M).",
    ),
    (
        "CNSHA",
        "KRPUS",
        D("147"),
        date(2025, 1, 1),
        None,
        "SCFI Shanghai–Korea US$136–158/TEU, 2024–25, midpoint (jiffa.or.jp, M).",
    ),
    (
        "CNSHA",
        "USNYC",
        D("1300"),
        date(2025, 11, 14),
        None,
        f"SCFI Shanghai–US East Coast US$2,600/FEU, wk 46 2025 (jiffa.or.jp, M); 20GP = FEU/2: {ASSUMED}.",
    ),
]
TIANJIN_NOTE = f"Tianjin lane unsourced: {ASSUMED}, the Shanghai rate is used. Shanghai source: "

DEMO_FX_DATE = date(2025, 7, 21)
DEMO_FX_SOURCE = "DEMO VALUE, not a published rate (import ECB rates for real figures)"
FX = {
    "USD": D("1"),
    "EUR": D("0.9250"),
    "JPY": D("155.00"),
    "KRW": D("1420.00"),
    "CNY": D("7.1000"),
    "TRY": D("41.50"),
    "BRL": D("5.4000"),
    "INR": D("88.50"),
    "GBP": D("0.7600"),
}

EU_TARIC = "EU TARIC via custom-tariffs-seo.pages.dev/en/codes/{slug} (accessed Feb 2026), M"
EU_VALIDITY_NOTE = (
    "valid_from is the start of the tariff year in which the rate was read; earlier history "
    "not sourced. No current EU anti-dumping duty on Mg metal (the 1998–2003 measure ended "
    "8 Nov 2003, EUR-Lex 31998R2402)."
)
US_HTS = "US HTS 2025 Rev 11, htshub.com/us-hs/search/8104; custom-tariffs-seo (H)"
US_FROM = date(2025, 1, 1)
US_FROM_NOTE = "valid_from: start of the HTS year read; earlier history not sourced."

# US import fees (domain-facts): data, not code; never absorbable; counted in DDP totals and
# the landed cost. The MPF minimum and maximum per entry are reset by CBP every fiscal year:
# no current figure is sourced here, so none is seeded (an admin enters the year's figures).
US_ENTRY_FEES = [
    {
        "destination": "US",
        "hs_prefix": "8104",
        "kind": "entry_fee",
        "rate_percent": D("0.3464"),
        "basis": "FOB",
        "valid_from": US_FROM,
        "legal_citation": "Merchandise processing fee, 19 U.S.C. 58c(a)(9); 19 CFR 24.23(b)(1)",
        "source_note": (
            "domain-facts: 0.3464 % of the entered value (excludes freight, insurance, duty), "
            "formal entries; min/max per entry reset each US fiscal year (FY2021: US$27.23 / "
            "528.33, not current). Sources: customsbrokerexamprep.com; siships.com; "
            "bgiworldwide.com (M). Min/max NOT seeded: enter the current fiscal year's."
        ),
    },
    {
        "destination": "US",
        "hs_prefix": "8104",
        "kind": "port_fee",
        "rate_percent": D("0.125"),
        "basis": "FOB",
        "transport_mode": "ocean",
        "valid_from": US_FROM,
        "legal_citation": "Harbor maintenance fee, 26 U.S.C. 4461; 19 CFR 24.24",
        "source_note": (
            "domain-facts: 0.125 % of the cargo value, ocean imports only, no minimum or "
            "maximum. Sources: freightos.com; customsbrokerexamprep.com (M). Ocean only: "
            "applies to quotes on an ocean lane."
        ),
    },
]

# destination, hs_prefix, kind, rate %, specific USD/MT, basis, valid_from, valid_to, reference, note
TARIFFS = [
    (
        "EU",
        "810411",
        "mfn",
        D("5.3"),
        D("0"),
        "CIF",
        date(2026, 1, 1),
        None,
        EU_TARIC.format(slug="8104-11-unwrought-magnesium"),
        EU_VALIDITY_NOTE,
    ),
    (
        "EU",
        "810419",
        "mfn",
        D("4.0"),
        D("0"),
        "CIF",
        date(2026, 1, 1),
        None,
        EU_TARIC.format(slug="8104-19-other"),
        EU_VALIDITY_NOTE,
    ),
    (
        "EU",
        "810430",
        "mfn",
        D("4.0"),
        D("0"),
        "CIF",
        date(2026, 1, 1),
        None,
        EU_TARIC.format(slug="8104-30"),
        EU_VALIDITY_NOTE,
    ),
    (
        "EU",
        "810490",
        "mfn",
        D("4.0"),
        D("0"),
        "CIF",
        date(2026, 1, 1),
        None,
        EU_TARIC.format(slug="8104-90-other"),
        EU_VALIDITY_NOTE,
    ),
    ("US", "810411", "mfn", D("8"), D("0"), "FOB", US_FROM, None, US_HTS, US_FROM_NOTE),
    ("US", "810419", "mfn", D("6.5"), D("0"), "FOB", US_FROM, None, US_HTS, US_FROM_NOTE),
    ("US", "810420", "mfn", D("0"), D("0"), "FOB", US_FROM, None, US_HTS + " (Free)", US_FROM_NOTE),
    ("US", "810430", "mfn", D("4.4"), D("0"), "FOB", US_FROM, None, US_HTS, US_FROM_NOTE),
    (
        "US",
        "810490",
        "mfn",
        D("3.5"),
        D("148"),
        "FOB",
        US_FROM,
        None,
        US_HTS,
        "HTS: 14.8 ¢/kg of Mg content + 3.5 %. Seeded as 148 USD per MT of product, which "
        "assumes ~100 % Mg content (overstates for lower Mg content). " + US_FROM_NOTE,
    ),
    (
        "US",
        "810411",
        "anti_dumping",
        D("108.26"),
        D("0"),
        "FOB",
        date(1995, 5, 12),
        None,
        "AD order A-570-832, pure magnesium from China (since 12 May 1995, continued 25 May 2023, "
        "federal.elaws.us 2023-11146): China-wide rate 108.26 % (spglobal.com 2022-06-21; "
        "importerhelp.com), H/M",
        "Company-specific rates differ (TMI 0.73 % in 2008-09). The 2022-23 review final "
        "(89 FR 100967) rate was not retrieved: check it.",
    ),
    (
        "US",
        "810430",
        "retaliatory",
        D("25"),
        D("0"),
        "FOB",
        US_FROM,
        None,
        "Section 301 +25 % per htshub China column, M-L: NOT confirmed against the USTR lists",
        "Confidence M-L: confirm against the USTR Section 301 lists before use. " + US_FROM_NOTE,
    ),
    (
        "US",
        "810490",
        "retaliatory",
        D("25"),
        D("0"),
        "FOB",
        US_FROM,
        None,
        "Section 301 +25 % per htshub China column, M-L: NOT confirmed against the USTR lists",
        "Confidence M-L: confirm against the USTR Section 301 lists before use. " + US_FROM_NOTE,
    ),
    (
        "US",
        "8104",
        "other",
        D("10"),
        D("0"),
        "FOB",
        date(2025, 11, 10),
        None,
        "IEEPA fentanyl duty, HTS 9903.01.24, 10 % from 10 Nov 2025 (CBP CSMS #66749380; "
        "strtrade.com; mondaq), H",
        "Stacks on MFN, Section 301 and AD. Kind 'other': an emergency (IEEPA) duty.",
    ),
    (
        "US",
        "8104",
        "retaliatory",
        D("10"),
        D("0"),
        "FOB",
        date(2025, 11, 10),
        date(2026, 11, 10),
        "IEEPA 'reciprocal' duty, HTS 9903.01.25, 10 % until 10 Nov 2026 (CBP CSMS #66749380; "
        "strtrade.com; rvia.org), H",
        "Per the source it lapses after 10 Nov 2026, so it no longer applies on 2026-11-29: "
        "check whether it was extended.",
    ),
    (
        "BR",
        "810411",
        "anti_dumping",
        D("0"),
        D("1180"),
        "CIF",
        date(2021, 9, 24),
        None,
        "Brazil AD specific duty US$1.18/kg (CAMEX 79/2009), renewed by CAMEX 91/2015 and "
        "GECEX 253 of 24 Sep 2021 (normasbrasil.com.br; incolape.com.br; legisweb id=486301), H",
        "The 2021 renewal's US$/kg figure was not retrieved: the 2009 figure is seeded. "
        "Redetermination opened 13 Nov 2025. Brazil's MFN (TEC) rate is unsourced: no rule.",
    ),
    (
        "BR",
        "810419",
        "anti_dumping",
        D("0"),
        D("1180"),
        "CIF",
        date(2021, 9, 24),
        None,
        "Brazil AD specific duty US$1.18/kg (CAMEX 79/2009), renewed by CAMEX 91/2015 and "
        "GECEX 253 of 24 Sep 2021 (normasbrasil.com.br; incolape.com.br; legisweb id=486301), H",
        "The 2021 renewal's US$/kg figure was not retrieved: the 2009 figure is seeded.",
    ),
    (
        "BR",
        "810430",
        "anti_dumping",
        D("0"),
        D("990"),
        "CIF",
        date(2022, 7, 1),
        None,
        "Brazil AD US$0.99/kg on Mg powder (≥90 % Mg, ≤10 % lime), extended July 2022 "
        "(desmar.com.br ?p=3738), H",
        "Scope is powder ≥90 % Mg: check the product falls in it. valid_from: month of the extension.",
    ),
    (
        "BR",
        "810490",
        "anti_dumping",
        D("0"),
        D("990"),
        "CIF",
        date(2022, 7, 1),
        None,
        "Brazil AD US$0.99/kg on Mg powder (≥90 % Mg, ≤10 % lime), extended July 2022 "
        "(desmar.com.br ?p=3738), H",
        "Scope is powder ≥90 % Mg: check the product falls in it. valid_from: month of the extension.",
    ),
    (
        "IN",
        "810411",
        "mfn",
        D("5"),
        D("0"),
        "CIF",
        date(2019, 1, 1),
        None,
        "India basic customs duty 5 % (2019 tariff, web.lawcrux.com cutari19_table_ch81), M",
        "May be outdated. IGST unsourced (import GST is never included in quotes).",
    ),
    (
        "IN",
        "810419",
        "mfn",
        D("5"),
        D("0"),
        "CIF",
        date(2019, 1, 1),
        None,
        "India basic customs duty 5 % (2019 tariff, web.lawcrux.com cutari19_table_ch81), M",
        "May be outdated. IGST unsourced.",
    ),
]


# The public legal citation each seeded rule prints (by destination, prefix, kind), and when
# its source was read (verified_on: the source's date; "accessed Feb 2026" is dated the
# 1st of that month). Every seeded rule is older than MGTRADE_TARIFF_VERIFY_DAYS on a fresh
# demo, so the admin's home page lists them all for a check against the official tariff.
FEB_2026 = date(2026, 2, 1)
CITATIONS = {
    ("EU", "810411", "mfn"): (
        "Council Regulation (EEC) No 2658/87 (Combined Nomenclature), CN 8104 11 00",
        FEB_2026,
    ),
    ("EU", "810419", "mfn"): (
        "Council Regulation (EEC) No 2658/87 (Combined Nomenclature), CN 8104 19 00",
        FEB_2026,
    ),
    ("EU", "810430", "mfn"): (
        "Council Regulation (EEC) No 2658/87 (Combined Nomenclature), CN 8104 30 00",
        FEB_2026,
    ),
    ("EU", "810490", "mfn"): (
        "Council Regulation (EEC) No 2658/87 (Combined Nomenclature), CN 8104 90 00",
        FEB_2026,
    ),
    ("US", "810411", "mfn"): ("HTSUS 8104.11.00, general rate of duty", FEB_2026),
    ("US", "810419", "mfn"): ("HTSUS 8104.19.00, general rate of duty", FEB_2026),
    ("US", "810420", "mfn"): ("HTSUS 8104.20.00, general rate of duty (free)", FEB_2026),
    ("US", "810430", "mfn"): ("HTSUS 8104.30.00, general rate of duty", FEB_2026),
    ("US", "810490", "mfn"): ("HTSUS 8104.90.00, general rate of duty", FEB_2026),
    ("US", "810411", "anti_dumping"): (
        "Antidumping duty order A-570-832, pure magnesium from the People's Republic of China",
        date(2023, 5, 25),
    ),
    ("US", "810430", "retaliatory"): (
        "Section 301 of the Trade Act of 1974 (products of China)",
        FEB_2026,
    ),
    ("US", "810490", "retaliatory"): (
        "Section 301 of the Trade Act of 1974 (products of China)",
        FEB_2026,
    ),
    ("US", "8104", "other"): ("HTSUS 9903.01.24 (IEEPA duty on products of China)", FEB_2026),
    ("US", "8104", "retaliatory"): (
        "HTSUS 9903.01.25 (IEEPA reciprocal duty on products of China)",
        FEB_2026,
    ),
    ("BR", "810411", "anti_dumping"): (
        "Resolução GECEX nº 253/2021 (direito antidumping, NCM 8104.11.00)",
        date(2021, 9, 24),
    ),
    ("BR", "810419", "anti_dumping"): (
        "Resolução GECEX nº 253/2021 (direito antidumping, NCM 8104.19.00)",
        date(2021, 9, 24),
    ),
    ("BR", "810430", "anti_dumping"): (
        "Brazilian anti-dumping duty on magnesium powder, NCM 8104.30.00 (extended July 2022)",
        date(2022, 7, 1),
    ),
    ("BR", "810490", "anti_dumping"): (
        "Brazilian anti-dumping duty on magnesium powder, NCM 8104.90.00 (extended July 2022)",
        date(2022, 7, 1),
    ),
    ("IN", "810411", "mfn"): (
        "Customs Tariff of India, tariff item 8104 11 00 (BCD)",
        date(2019, 1, 1),
    ),
    ("IN", "810419", "mfn"): (
        "Customs Tariff of India, tariff item 8104 19 00 (BCD)",
        date(2019, 1, 1),
    ),
}

# The correction of the domain facts (docs/domain.md): IEEPA duties end on 23 Feb 2026
# (applied by ``quotes.tariff_watch.demo`` through the service, so it is the demo's past
# change event).
IEEPA_LAST_DAY = date(2026, 2, 23)
IEEPA_END_SOURCE = (
    "Ended: the Supreme Court held on 20 Feb 2026 (Learning Resources, Inc. v. Trump, "
    "No. 24-1287 with 25-250) that IEEPA authorises no tariffs; CBP stopped collecting "
    "IEEPA duties (9903.01.24, 9903.01.25) for entries from 24 Feb 2026 "
    "(supremecourt.gov/opinions/25pdf/24-1287_4gcj.pdf; law360 2026-03-09), H."
)
IEEPA_END_VERIFIED = date(2026, 3, 9)

# Section 122 surcharge: seeded UNVERIFIED (verified_on empty), so an admin must confirm it.
SECTION_122 = {
    "destination": "US",
    "hs_prefix": "8104",
    "kind": "safeguard",
    "rate_percent": D("10"),
    "specific_usd_per_mt": D("0"),
    "basis": "FOB",
    "valid_from": date(2026, 2, 24),
    "valid_to": date(2026, 7, 24),
    "legal_citation": "Section 122 of the Trade Act of 1974, proclamation of 20 February 2026 "
    "(temporary import surcharge)",
    "source_note": "Temporary import surcharge (all origins) proclaimed 20 Feb 2026, in force "
    "24 Feb – 24 Jul 2026 (150 days; only Congress can extend; no extension found). "
    "Proclaimed at 10 %; reported raised to 15 % within days: the sources disagree on which "
    "rate took legal effect, 10 % (the proclaimed rate) is seeded. UNSOURCED: whether HS 8104 "
    "was exempt (the White House fact sheet lists exemptions incl. 'critical minerals' as "
    "reported). Sources: dutyclaims.com 'after-ieepa-section-122-and-section-301'; uhy-us.com "
    "2026-02; importcostcalc.com Section 122 expiry page (M). Seeded unverified: an admin "
    "must confirm rate and scope against the proclamation before relying on it. "
    "Kind 'safeguard': a temporary surcharge, absorbable like an MFN duty.",
}


def load() -> dict[str, int]:
    """Create the missing demo reference rows; running it twice changes nothing."""
    created = {"ports": 0, "freight_rates": 0, "fx_rates": 0, "tariff_rules": 0}
    ports = {}
    for code, name, country, origin, destination in PORTS:
        port = Port.objects.filter(code=code).first()
        if port is None:
            port = services.port_create(
                code=code,
                name=name,
                country=country,
                origin_charges_usd_per_mt=origin,
                destination_charges_usd_per_mt=destination,
                note=PORT_NOTE,
            )
            created["ports"] += 1
        ports[code] = port

    lanes = list(FREIGHT)
    for origin, destination, usd, valid_from, valid_to, note in FREIGHT:
        if origin == "CNSHA":
            lanes.append(("CNTXG", destination, usd, valid_from, valid_to, TIANJIN_NOTE + note))
    for origin, destination, usd, valid_from, valid_to, note in lanes:
        exists = FreightRate.objects.filter(
            origin_port=ports[origin],
            destination_port=ports[destination],
            container_type="20GP",
            valid_from=valid_from,
        ).exists()
        if not exists:
            services.freight_rate_create(
                origin_port=ports[origin],
                destination_port=ports[destination],
                container_type="20GP",
                usd_per_container=usd,
                mt_per_container=MT_PER_20GP,
                valid_from=valid_from,
                valid_to=valid_to,
                note=f"{note} {MT_NOTE}",
            )
            created["freight_rates"] += 1

    for currency, rate in FX.items():
        if not ExchangeRate.objects.filter(currency=currency, date=DEMO_FX_DATE).exists():
            services.exchange_rate_create(
                currency=currency, rate_per_usd=rate, date=DEMO_FX_DATE, source=DEMO_FX_SOURCE
            )
            created["fx_rates"] += 1

    for row in TARIFFS:
        destination, prefix, kind, rate, specific, basis, valid_from, valid_to, ref, note = row
        exists = TariffRule.objects.filter(
            destination=destination,
            origin_country="CN",
            hs_prefix=prefix,
            kind=kind,
            valid_from=valid_from,
        ).exists()
        citation, verified_on = CITATIONS[(destination, prefix, kind)]
        source_note = f"{ref}\n\n{note}" if note else ref
        if not exists:
            services.tariff_rule_create(
                destination=destination,
                origin_country="CN",
                hs_prefix=prefix,
                kind=kind,
                rate_percent=rate,
                specific_usd_per_mt=specific,
                basis=basis,
                valid_from=valid_from,
                valid_to=valid_to,
                legal_citation=citation,
                source_note=source_note,
                verified_on=verified_on,
            )
            created["tariff_rules"] += 1
        else:
            # A database from before citations were separate: give the seeded rows their
            # public citation (the migration copied the research text into both fields).
            for rule in TariffRule.objects.filter(
                destination=destination,
                hs_prefix=prefix,
                kind=kind,
                origin_country="CN",
                legal_citation=ref[:300],
            ):
                services.tariff_rule_change(rule=rule, legal_citation=citation)
                if rule.verified_on is None:
                    TariffRule.objects.filter(pk=rule.pk).update(verified_on=verified_on)
    for fee in US_ENTRY_FEES:
        if not TariffRule.objects.filter(
            destination="US", hs_prefix=fee["hs_prefix"], kind=fee["kind"]
        ).exists():
            services.tariff_rule_create(origin_country="CN", **fee)
            created["tariff_rules"] += 1
    if not TariffRule.objects.filter(
        destination="US", hs_prefix="8104", kind="safeguard", valid_from=SECTION_122["valid_from"]
    ).exists():
        services.tariff_rule_create(origin_country="CN", **SECTION_122)
        created["tariff_rules"] += 1
    return created


REFRESH_NOTE = (
    "Demo: carried forward from {was} by load_demo so the demo is not stale; not a market figure."
)


@transaction.atomic
def refresh_dates(*, today: date) -> dict[str, int]:
    """Demo only: carry the latest list prices, exchange rates and open freight rates
    forward to ``today`` (same figures, a note saying so), so a demo run on any day is
    not stale (``pricing.approval``'s stale-data reasons). Rows already dated today are
    left alone, so running it twice a day adds nothing. Never for real data: a stale
    price must be re-checked, not re-dated."""
    added = {"prices": 0, "fx_rates": 0, "freight_rates": 0}
    for product in Product.objects.all():
        latest = (
            product.prices.filter(effective_from__lte=today).order_by("-effective_from").first()
        )
        if latest is not None and latest.effective_from < today:
            ProductPrice.objects.create(
                product=product,
                usd_per_mt=latest.usd_per_mt,
                effective_from=today,
                note=REFRESH_NOTE.format(was=latest.effective_from)[:200],
            )
            added["prices"] += 1
    for currency in ExchangeRate.objects.values_list("currency", flat=True).distinct():
        latest = (
            ExchangeRate.objects.filter(currency=currency, date__lte=today)
            .order_by("-date")
            .first()
        )
        if latest is not None and latest.date < today:
            ExchangeRate.objects.create(
                currency=currency,
                rate_per_usd=latest.rate_per_usd,
                date=today,
                source=REFRESH_NOTE.format(was=latest.date)[:200],
            )
            added["fx_rates"] += 1
    for rate in FreightRate.objects.filter(valid_to__isnull=True, valid_from__lt=today):
        FreightRate.objects.filter(pk=rate.pk).update(valid_to=today - timedelta(days=1))
        FreightRate.objects.create(
            origin_port_id=rate.origin_port_id,
            destination_port_id=rate.destination_port_id,
            container_type=rate.container_type,
            usd_per_container=rate.usd_per_container,
            mt_per_container=rate.mt_per_container,
            valid_from=today,
            note=REFRESH_NOTE.format(was=rate.valid_from)[:300],
        )
        added["freight_rates"] += 1
    return added
