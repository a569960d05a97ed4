"""Read the messages Django's file email backend wrote (``EMAIL_FILE_PATH``): the demo's
outbox. Each ``*.log`` file holds the messages of one connection, separated by a line of
79 dashes (``django.core.mail.backends.filebased``)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from pathlib import Path

from django.conf import settings

FILE_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
SEPARATOR = re.compile(rb"\r?\n-{79}\r?\n")
FILE_NAME = re.compile(r"^[\w.-]+\.log$")
MAX_FILES = 200


def outbox_enabled() -> bool:
    """Shown in development (``DEBUG``) or whenever the file backend is what sends email."""
    return bool(settings.DEBUG or settings.EMAIL_BACKEND == FILE_BACKEND) and bool(
        getattr(settings, "EMAIL_FILE_PATH", None)
    )


@dataclass
class Attachment:
    index: int
    filename: str
    content_type: str
    size: int


@dataclass
class OutboxMessage:
    file: str
    index: int
    written_at: datetime
    subject: str
    from_: str
    to: str
    cc: str
    message_id: str
    text: str
    html: str
    attachments: list[Attachment] = field(default_factory=list)


def _directory() -> Path:
    return Path(settings.EMAIL_FILE_PATH)


def _parse(raw: bytes) -> EmailMessage:
    return BytesParser(policy=policy.default).parsebytes(raw.lstrip(b"\r\n"))


def _messages_in(path: Path) -> list[EmailMessage]:
    chunks = [c for c in SEPARATOR.split(path.read_bytes()) if c.strip()]
    return [_parse(chunk) for chunk in chunks]


def _summary(path: Path, index: int, msg: EmailMessage) -> OutboxMessage:
    text_part = msg.get_body(preferencelist=("plain",))
    html_part = msg.get_body(preferencelist=("html",))
    attachments = [
        Attachment(
            index=i,
            filename=part.get_filename() or f"attachment-{i}",
            content_type=part.get_content_type(),
            size=len(part.get_payload(decode=True) or b""),
        )
        for i, part in enumerate(msg.iter_attachments())
    ]
    return OutboxMessage(
        file=path.name,
        index=index,
        written_at=datetime.fromtimestamp(path.stat().st_mtime).astimezone(),
        subject=str(msg.get("Subject", "")),
        from_=str(msg.get("From", "")),
        to=str(msg.get("To", "")),
        cc=str(msg.get("Cc", "")),
        message_id=str(msg.get("Message-ID", "")),
        text=text_part.get_content() if text_part is not None else "",
        html=html_part.get_content() if html_part is not None else "",
        attachments=attachments,
    )


def outbox_list(*, limit: int = 100) -> list[OutboxMessage]:
    """The newest messages first."""
    directory = _directory()
    if not directory.is_dir():
        return []
    files = sorted(
        (p for p in directory.iterdir() if p.is_file() and FILE_NAME.match(p.name)),
        key=lambda p: p.stat().st_mtime,
        reverse=True,
    )[:MAX_FILES]
    found: list[OutboxMessage] = []
    for path in files:
        try:
            messages = _messages_in(path)
        except OSError:
            continue
        for index, msg in reversed(list(enumerate(messages))):
            found.append(_summary(path, index, msg))
            if len(found) >= limit:
                return found
    return found


def _message(file: str, index: int) -> tuple[Path, EmailMessage] | None:
    if not FILE_NAME.match(file):
        return None
    path = _directory() / file
    if not path.is_file():
        return None
    messages = _messages_in(path)
    if not 0 <= index < len(messages):
        return None
    return path, messages[index]


def outbox_get(*, file: str, index: int) -> OutboxMessage | None:
    found = _message(file, index)
    return _summary(*found[:1], index, found[1]) if found else None


def outbox_attachment(*, file: str, index: int, part: int) -> tuple[str, str, bytes] | None:
    """``(filename, content type, bytes)`` of one attachment."""
    found = _message(file, index)
    if found is None:
        return None
    for i, attachment in enumerate(found[1].iter_attachments()):
        if i == part:
            return (
                attachment.get_filename() or f"attachment-{i}",
                attachment.get_content_type(),
                attachment.get_payload(decode=True) or b"",
            )
    return None
