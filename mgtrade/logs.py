"""Logging filters used by ``LOGGING`` in the settings."""

import logging


class ClientErrorsWithoutTraceback(logging.Filter):
    """Keep the one-line warning for a request refused with a 4xx, drop its traceback.

    Django logs a ``PermissionDenied`` (403) or a bad request (400) with the exception
    attached; that is the app working as intended, and a traceback in the console reads
    like a crash. Server errors (5xx) keep theirs.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        status = getattr(record, "status_code", None)
        if isinstance(status, int) and 400 <= status < 500:
            record.exc_info = None
            record.exc_text = None
        return True
