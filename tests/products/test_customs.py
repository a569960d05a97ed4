"""The customs constants are one list shared by the catalogue and the pricing engine."""

import ast
from pathlib import Path

from customers.models import Incoterm
from products import customs
from products.models import DutyBasis, TariffKind

PRODUCTS = Path(customs.__file__).resolve().parent


def test_model_choices_are_the_customs_constants():
    assert tuple(TariffKind.values) == customs.TARIFF_KINDS
    assert tuple(DutyBasis.values) == customs.DUTY_BASES
    assert tuple(Incoterm.values) == customs.INCOTERMS


def test_eu_rules_cover_the_27_member_states_and_only_them():
    assert len(customs.EU_MEMBER_STATES) == 27
    assert customs.tariff_destinations("DE") == ("DE", "EU")
    assert customs.tariff_destinations("US") == ("US",)
    assert customs.tariff_destinations("GB") == ("GB",)


def _imported_modules(path: Path) -> set[str]:
    names = set()
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.add(node.module)
    return names


def test_products_imports_nothing_from_quotes_or_pricing():
    offenders = {
        f"{path.relative_to(PRODUCTS.parent)}: {name}"
        for path in PRODUCTS.rglob("*.py")
        for name in _imported_modules(path)
        if name.split(".")[0] in {"quotes", "pricing"}
    }
    assert not offenders, sorted(offenders)
