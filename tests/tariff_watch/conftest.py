from tests.quotes.conftest import worked_example_data  # noqa: F401  (fixture)
