"""Errors that services raise; the API handler and the web helper translate them.

Services raise Django's ``ValidationError`` (a dict of field errors becomes a 400 with
those fields) or ``StateConflict`` when the object's state forbids the action (409).
"""

from django.core.exceptions import ValidationError


class StateConflict(Exception):
    """The action is not allowed in the object's current state (HTTP 409)."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def validation_error_dict(exc: ValidationError) -> dict[str, list[str]]:
    """Field → messages, with errors that name no field under ``non_field_errors``."""
    if hasattr(exc, "error_dict"):
        return {
            ("non_field_errors" if field == "__all__" else field): list(messages)
            for field, messages in exc.message_dict.items()
        }
    return {"non_field_errors": list(exc.messages)}


__all__ = ["StateConflict", "ValidationError", "validation_error_dict"]
