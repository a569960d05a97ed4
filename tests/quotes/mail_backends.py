"""A Django e-mail backend for tests that fails on cue (select it with the ``failing_mail``
fixture): the locmem backend (messages land in ``mail.outbox``) with a script of outcomes.

Each ``send_messages`` call first runs ``on_send`` (if set), then takes the next entry of
``script``: an exception is raised as the SMTP backend would raise it; ``None``, or an
empty script, delivers the messages.
"""

from collections.abc import Callable
from typing import ClassVar

from django.core.mail.backends.locmem import EmailBackend as LocmemBackend


class ScriptedFailureBackend(LocmemBackend):
    script: ClassVar[list[BaseException | None]] = []
    on_send: ClassVar[Callable[[], None] | None] = None
    calls: ClassVar[int] = 0

    @classmethod
    def reset(cls) -> None:
        cls.script, cls.on_send, cls.calls = [], None, 0

    def send_messages(self, email_messages):
        cls = type(self)
        cls.calls += 1
        if cls.on_send is not None:
            cls.on_send()
        outcome = cls.script.pop(0) if cls.script else None
        if outcome is not None:
            raise outcome
        return super().send_messages(email_messages)
