from tests.pricing.conftest import worked_example_data  # noqa: F401 (a fixture)

# The real worker, broker and SMTP server of the sending integration tests (fixtures).
from tests.quotes.test_send_integration import (  # noqa: F401
    broker_not_eager,
    database_url,
    redis_url,
    worker_env,
    workers,
)
