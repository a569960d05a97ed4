"""Where pricing sits: it needs the catalogue's reference data, never a quote."""

import ast
from pathlib import Path

import pricing

PRICING = Path(pricing.__file__).resolve().parent


def _imports(path: Path) -> set[str]:
    names = set()
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.add(node.module)
    return names


def test_pricing_imports_nothing_from_quotes():
    offenders = sorted(
        f"{path.relative_to(PRICING.parent)}: {name}"
        for path in PRICING.rglob("*.py")
        for name in _imports(path)
        if name == "quotes" or name.startswith("quotes.")
    )
    assert not offenders


def test_the_engine_imports_no_django():
    names = _imports(PRICING / "engine.py")
    assert not [name for name in names if name.split(".")[0] in {"django", "rest_framework"}]
    assert {name.split(".")[0] for name in names} <= {
        "__future__",
        "dataclasses",
        "datetime",
        "decimal",
        "typing",
        "products",
    }
    assert [name for name in names if name.startswith("products")] == ["products.customs"]
