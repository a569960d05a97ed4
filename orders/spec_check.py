"""A lot's analysis against a specification: pure (no ORM), like ``lc_check``.

Each limit is checked against the measured value of its element; an element the
specification limits but the analysis does not report fails as "not measured" (a
certificate cannot claim it). The grade's limits and the buyer's stricter ones are checked
separately, so the certificate can show both columns.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal


@dataclass(frozen=True)
class Limit:
    element: str
    min_percent: Decimal | None
    max_percent: Decimal | None
    source: str  # "grade" or "customer"

    @property
    def label(self) -> str:
        if self.min_percent is not None and self.max_percent is not None:
            return f"{self.min_percent.normalize():f}–{self.max_percent.normalize():f}"
        if self.min_percent is not None:
            return f"≥ {self.min_percent.normalize():f}"
        return f"≤ {self.max_percent.normalize():f}"  # type: ignore[union-attr]


@dataclass(frozen=True)
class Finding:
    element: str
    source: str
    limit: str
    measured: Decimal | None
    passed: bool

    @property
    def message(self) -> str:
        who = "the grade" if self.source == "grade" else "the customer's specification"
        if self.measured is None:
            return f"{self.element} not measured ({who}: {self.limit} %)"
        return f"{self.element} {self.measured.normalize():f} % outside {who} ({self.limit} %)"

    def as_dict(self) -> dict[str, str | None]:
        return {
            "element": self.element,
            "source": self.source,
            "limit": self.limit,
            "measured": None if self.measured is None else str(self.measured),
            "message": self.message,
        }


def spec_findings(measured: dict[str, Decimal], limits: list[Limit]) -> list[Finding]:
    """One finding per limit, in the limits' order; ``passed`` says whether it holds."""
    findings = []
    for limit in limits:
        value = measured.get(limit.element)
        passed = value is not None
        if value is not None and limit.min_percent is not None and value < limit.min_percent:
            passed = False
        if value is not None and limit.max_percent is not None and value > limit.max_percent:
            passed = False
        findings.append(Finding(limit.element, limit.source, limit.label, value, passed))
    return findings


def spec_failures(measured: dict[str, Decimal], limits: list[Limit]) -> list[Finding]:
    return [f for f in spec_findings(measured, limits) if not f.passed]
