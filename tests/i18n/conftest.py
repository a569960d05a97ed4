from tests.pricing.conftest import worked_example_data  # noqa: F401
