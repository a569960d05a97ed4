"""Import the ECB euro foreign exchange reference rates as rates per USD.

    manage.py import_ecb_rates https://www.ecb.europa.eu/stats/eurofxref/eurofxref-daily.xml
    manage.py import_ecb_rates var/eurofxref-hist-90d.xml --currencies EUR,JPY,GBP

Idempotent: a rate already stored for a currency and date is replaced only when it differs.
"""

from pathlib import Path
from urllib.parse import urlparse
from urllib.request import urlopen

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from products import ecb, services

SOURCE = "ECB euro reference rate, derived per USD"


class Command(BaseCommand):
    help = "Import ECB euro reference rates (XML file path or URL) as rates per USD."

    def add_arguments(self, parser):
        parser.add_argument("source", help="Path or http(s) URL of an ECB eurofxref XML file")
        parser.add_argument(
            "--currencies",
            default="",
            help="Comma-separated ISO codes to import (default: every currency in the file)",
        )
        parser.add_argument("--timeout", type=float, default=30.0, help="Seconds, for a URL")

    def _read(self, source: str, timeout: float) -> bytes:
        scheme = urlparse(source).scheme
        if scheme in {"http", "https"}:
            try:
                with urlopen(source, timeout=timeout) as response:
                    return response.read(ecb.MAX_BYTES + 1)
            except OSError as exc:
                raise CommandError(f"Cannot download {source}: {exc}") from exc
        if scheme and len(scheme) > 1:
            raise CommandError(f"Unsupported URL scheme {scheme!r}: use a path or http(s).")
        path = Path(source)
        try:
            return path.read_bytes()
        except OSError as exc:
            raise CommandError(f"Cannot read {path}: {exc}") from exc

    def handle(self, *args, source, currencies, timeout, **options):
        wanted = {c.strip().upper() for c in currencies.split(",") if c.strip()}
        content = self._read(source, timeout)
        try:
            rates = ecb.per_usd(ecb.parse(content))
        except ecb.EcbFileError as exc:
            raise CommandError(f"{source}: {exc}") from exc
        if wanted:
            rates = [r for r in rates if r.currency in wanted]
        counts = {"created": 0, "updated": 0, "unchanged": 0}
        try:
            with transaction.atomic():
                for rate in rates:
                    _, status = services.exchange_rate_upsert(
                        currency=rate.currency,
                        on=rate.on,
                        rate_per_usd=rate.rate_per_usd,
                        source=SOURCE,
                    )
                    counts[status] += 1
        except ValidationError as exc:
            raise CommandError(f"{source}: {'; '.join(exc.messages)}") from exc
        days = sorted({r.on for r in rates})
        span = f"{days[0]} to {days[-1]}" if days else "no dates"
        self.stdout.write(
            self.style.SUCCESS(
                f"ECB rates {span}: "
                + ", ".join(f"{n} {status}" for status, n in counts.items())
                + "."
            )
        )
