"""Quotes are priced on the reference data of docs/pricing.md's worked example; e-mail
that fails on a script."""

import pytest

from tests.pricing.conftest import worked_example_data  # noqa: F401 (a fixture)


@pytest.fixture
def failing_mail(settings):
    """E-mail goes through ``ScriptedFailureBackend``: set ``.script`` (exceptions to raise,
    in order) and ``.on_send`` (run at each send); ``.calls`` counts the sends tried."""
    from tests.quotes.mail_backends import ScriptedFailureBackend

    settings.EMAIL_BACKEND = "tests.quotes.mail_backends.ScriptedFailureBackend"
    ScriptedFailureBackend.reset()
    yield ScriptedFailureBackend
    ScriptedFailureBackend.reset()
