"""SMTP that knows when the message was handed over.

Once the end of the message (CRLF . CRLF after DATA) has been transmitted, the server may
have stored it even if its final reply never arrives (a reply slower than the client's
timeout, a dropped connection). From then on a failure is ambiguous: sending again could
deliver a second copy. ``EmailBackend`` is Django's SMTP backend on an ``smtplib.SMTP`` that
records that moment, and raises :class:`OutcomeUnknown` for a failure after it that is not a
reply from the server. Before it, and for any reply the server does give (4xx, 5xx), errors
are raised as they are.
"""

from __future__ import annotations

import smtplib

from django.core.mail.backends import smtp

DJANGO_SMTP_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
BACKEND = "quotes.sending.smtp.EmailBackend"
END_OF_DATA = b"\r\n.\r\n"


class OutcomeUnknown(Exception):
    """The message was transmitted, but the server's final reply did not come."""


class _RecordsTransmission:
    message_transmitted = False

    def send(self, s):
        super().send(s)
        if isinstance(s, bytes | bytearray) and s.endswith(END_OF_DATA):
            self.message_transmitted = True


class TrackingSMTP(_RecordsTransmission, smtplib.SMTP):
    pass


class TrackingSMTP_SSL(_RecordsTransmission, smtplib.SMTP_SSL):
    pass


class EmailBackend(smtp.EmailBackend):
    @property
    def connection_class(self):
        return TrackingSMTP_SSL if self.use_ssl else TrackingSMTP

    def _send(self, email_message):
        if self.connection is not None:
            self.connection.message_transmitted = False
        try:
            return super()._send(email_message)
        except smtplib.SMTPResponseException:
            raise  # the server answered: its code says what happened
        except Exception as exc:
            if getattr(self.connection, "message_transmitted", False):
                raise OutcomeUnknown(
                    f"The message was transmitted but the mail server's reply did not come "
                    f"({type(exc).__name__}: {exc})"
                ) from exc
            raise


def backend_for(configured: str) -> str:
    """The backend to send with: Django's SMTP backend is replaced by ``EmailBackend``."""
    return BACKEND if configured == DJANGO_SMTP_BACKEND else configured
