"""Sales regions: the one place that maps a country (ISO 3166-1 alpha-2) to a region.

Every code django-countries knows is listed exactly once (a test checks it). Rules for
the borderline cases, chosen for how the export desk splits its work:

* **Russia, Belarus, Ukraine, the Caucasus (GE, AM, AZ), Cyprus and Turkey** → Europe.
  Turkey is in a customs union with the EU and is served by the Europe desk.
* **Central Asia** (KZ, KG, TJ, TM, UZ) and Afghanistan → South Asia: overland and
  via the Indian Ocean, they are worked together with India and Pakistan.
* **Southeast Asia** (ASEAN, Timor-Leste) and Mongolia → East Asia: same shipping
  lanes out of Tianjin/Shanghai and the same rep as Japan and Korea.
* **Mexico, Central America and the Caribbean** (including Greenland, Bermuda and
  the US/UK/French/Dutch islands there) → North America.
* **Egypt and the rest of North Africa** → Africa; the Arabian peninsula, the Levant,
  Iraq and Iran → Middle East.
* Pacific islands and Australian/US Pacific territories → Oceania; uninhabited
  territories go to the nearest served region (AQ, HM → Oceania; BV, TF → Africa;
  GS, FK → South America; IO → South Asia).
"""

from django.db import models


class Region(models.TextChoices):
    EUROPE = "europe", "Europe"
    NORTH_AMERICA = "north_america", "North America"
    SOUTH_AMERICA = "south_america", "South America"
    EAST_ASIA = "east_asia", "East Asia"
    SOUTH_ASIA = "south_asia", "South Asia"
    MIDDLE_EAST = "middle_east", "Middle East"
    AFRICA = "africa", "Africa"
    OCEANIA = "oceania", "Oceania"


_BY_REGION: dict[Region, str] = {
    Region.EUROPE: (
        "AD AL AM AT AX AZ BA BE BG BY CH CY CZ DE DK EE ES FI FO FR GB GE GG GI GR HR HU "
        "IE IM IS IT JE LI LT LU LV MC MD ME MK MT NL NO PL PT RO RS RU SE SI SJ SK SM TR "
        "UA VA"
    ),
    Region.NORTH_AMERICA: (
        "AG AI AW BB BL BM BQ BS BZ CA CR CU CW DM DO GD GL GP GT HN HT JM KN KY LC MF MQ "
        "MS MX NI PA PM PR SV SX TC TT US VC VG VI"
    ),
    Region.SOUTH_AMERICA: "AR BO BR CL CO EC FK GF GS GY PE PY SR UY VE",
    Region.EAST_ASIA: "BN CN HK ID JP KH KP KR LA MM MN MO MY PH SG TH TL TW VN",
    Region.SOUTH_ASIA: "AF BD BT IN IO KG KZ LK MV NP PK TJ TM UZ",
    Region.MIDDLE_EAST: "AE BH IL IQ IR JO KW LB OM PS QA SA SY YE",
    Region.AFRICA: (
        "AO BF BI BJ BV BW CD CF CG CI CM CV DJ DZ EG EH ER ET GA GH GM GN GQ GW KE KM LR "
        "LS LY MA MG ML MR MU MW MZ NA NE NG RE RW SC SD SH SL SN SO SS ST SZ TD TF TG TN "
        "TZ UG YT ZA ZM ZW"
    ),
    Region.OCEANIA: (
        "AQ AS AU CC CK CX FJ FM GU HM KI MH MP NC NF NR NU NZ PF PG PN PW SB TK TO TV UM VU WF WS"
    ),
}

COUNTRY_REGION: dict[str, Region] = {
    code: region for region, codes in _BY_REGION.items() for code in codes.split()
}


def region_for(country_code: str) -> Region:
    """The sales region of a country code; ``ValueError`` for a code not in the table."""
    try:
        return COUNTRY_REGION[str(country_code).upper()]
    except KeyError:
        raise ValueError(f"No sales region for country {country_code!r}.") from None


def countries_in(region: Region | str) -> list[str]:
    return sorted(code for code, r in COUNTRY_REGION.items() if r == region)
