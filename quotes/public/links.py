"""The buyer's signed link to a quote version: ``/q/<token>/``, no login.

The token is ``django.core.signing`` data ``{"q": id, "v": version}`` with its own salt: it
cannot be forged or pointed at another quote without ``SECRET_KEY``. It carries no expiry
of its own: the quote's state decides (sent and within validity: open; otherwise the page
says why it is closed).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.core import signing
from django.urls import reverse

from quotes.models import Quote

SALT = "mgtrade.quotes.acceptance-link"


@dataclass(frozen=True)
class LinkData:
    quote_id: int
    version: int


def acceptance_token(quote: Quote) -> str:
    return signing.dumps({"q": quote.pk, "v": quote.version}, salt=SALT)


def acceptance_token_read(token: str) -> LinkData | None:
    """The quote id and version in a genuine token; ``None`` if tampered or malformed."""
    try:
        data = signing.loads(token, salt=SALT)
        return LinkData(quote_id=int(data["q"]), version=int(data["v"]))
    except (signing.BadSignature, KeyError, TypeError, ValueError):
        return None


def site_url() -> str:
    return settings.MGTRADE.get("SITE_URL", "http://127.0.0.1:8000").rstrip("/")


def acceptance_url(quote: Quote) -> str:
    """The absolute link the buyer's email carries."""
    return site_url() + reverse("public_quote:view", args=[acceptance_token(quote)])
