import pytest
from django_countries import countries
from django_countries.data import COUNTRIES

from customers.normalize import normalize_name
from customers.regions import COUNTRY_REGION, Region, countries_in, region_for


def test_every_country_django_countries_knows_has_exactly_one_region():
    assert set(COUNTRY_REGION) == set(COUNTRIES)
    for country in countries:
        assert region_for(country.code) in Region


def test_region_table_lists_nothing_unknown():
    assert set(COUNTRY_REGION) - set(COUNTRIES) == set()


@pytest.mark.parametrize(
    ("code", "region"),
    [
        ("DE", Region.EUROPE),
        ("NL", Region.EUROPE),
        ("IT", Region.EUROPE),
        ("TR", Region.EUROPE),
        ("RU", Region.EUROPE),
        ("US", Region.NORTH_AMERICA),
        ("MX", Region.NORTH_AMERICA),
        ("JM", Region.NORTH_AMERICA),
        ("BR", Region.SOUTH_AMERICA),
        ("JP", Region.EAST_ASIA),
        ("KR", Region.EAST_ASIA),
        ("VN", Region.EAST_ASIA),
        ("IN", Region.SOUTH_ASIA),
        ("KZ", Region.SOUTH_ASIA),
        ("AE", Region.MIDDLE_EAST),
        ("EG", Region.AFRICA),
        ("ZA", Region.AFRICA),
        ("AU", Region.OCEANIA),
    ],
)
def test_markets_map_to_the_documented_regions(code, region):
    assert region_for(code) == region
    assert code in countries_in(region)


def test_unknown_country_is_refused():
    with pytest.raises(ValueError):
        region_for("XX")


@pytest.mark.parametrize(
    ("name", "normalized"),
    [
        ("Müller Magnesium GmbH & Co. KG", "muller magnesium"),
        ("MULLER MAGNESIUM gmbh", "muller magnesium"),
        ("Rijnmond Metals B.V.", "rijnmond metals"),
        ("Fonderia Lombarda S.p.A.", "fonderia lombarda"),
        ("Fonderia Lombarda SpA", "fonderia lombarda"),
        ("Great Lakes Alloys, Inc.", "great lakes alloys"),
        ("Hanbit Alloy Co., Ltd.", "hanbit alloy"),
        ("Anadolu Döküm A.Ş.", "anadolu dokum"),
        ("Paulista Ligas Ltda", "paulista ligas"),
        ("Pacific Mg Corp.", "pacific mg"),
        ("大阪軽金属株式会社", "大阪軽金属"),
    ],
)
def test_normalized_name_drops_case_accents_punctuation_and_legal_suffixes(name, normalized):
    assert normalize_name(name) == normalized
