"""Quotes are priced on the reference data of pricing.md's worked example."""

from tests.pricing.conftest import worked_example_data  # noqa: F401 (a fixture)
