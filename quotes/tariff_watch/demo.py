"""Demo data for tariff watch, so a new user sees the feature at once:

- the correction of the domain facts (docs/domain.md) applied as an admin would: the
  IEEPA duties end on 23 Feb 2026 (Supreme Court, 20 Feb 2026; CBP stopped collecting for
  entries from 24 Feb 2026). The demo's US quotes were priced with the seeded open-ended IEEPA rule, so
  the change event lists them with their lower landed cost, and their pages show the banner;
- one saved what-if scenario (hypothetical, labelled so).

Idempotent: a rule already ended on that day and an existing scenario are left alone.
"""

from decimal import Decimal

from customers.models import Customer
from mgtrade.accounts.models import User
from products import services as rule_services
from products.models import TariffRule
from products.reference_demo import IEEPA_END_SOURCE, IEEPA_END_VERIFIED, IEEPA_LAST_DAY

from .. import services as quote_services
from ..models import Quote
from . import scenarios, services
from .models import TariffChangeEvent, TariffScenario

US_BUYER = "Sierra Ridge Defense Materials LLC"
SCENARIO_NAME = "What if the US adds 25 % on alloy ingot (8104.19) from 2027-01-01?"
SCENARIO_RULES = [
    {
        "destination": "US",
        "hs_prefix": "810419",
        "kind": "retaliatory",
        "rate_percent": "25",
        "specific_usd_per_mt": "0",
        "basis": "FOB",
        "valid_from": "2027-01-01",
    }
]


def _second_us_quote(users: dict[str, User]) -> Quote | None:
    """An AZ91D offer to the US buyer next to its ingot draft, so the change touches two
    quotes of two grades."""
    customer = Customer.objects.filter(name=US_BUYER).first()
    if customer is None or customer.quotes.filter(lines__product_code="AZ91D").exists():
        return None
    return quote_services.quote_create(
        customer=customer,
        by=customer.owner,
        terms=quote_services.QuoteTerms(
            incoterm="FOB",
            destination_port="USNYC",
            currency="USD",
            contact=customer.contacts.filter(is_primary=True).first(),
            lead_time="3–4 weeks after deposit",
            lines=[{"product": "AZ91D", "quantity_mt": Decimal("40")}],
        ),
    )


def load(users: dict[str, User]) -> dict[str, int]:
    created = {"quotes": 0, "changes": 0, "scenarios": 0}
    if _second_us_quote(users) is not None:
        created["quotes"] += 1
    admin = users["admin"]
    ieepa = TariffRule.objects.filter(
        destination="US", hs_prefix="8104", kind__in=["other", "retaliatory"]
    ).filter(valid_from__lte=IEEPA_LAST_DAY)
    for rule in ieepa:
        if rule.valid_to is not None and rule.valid_to <= IEEPA_LAST_DAY:
            continue
        rule = rule_services.tariff_rule_change(
            rule=rule,
            by=admin,
            valid_to=IEEPA_LAST_DAY,
            source_note=f"{rule.source_note}\n\n{IEEPA_END_SOURCE}",
        )
        rule_services.tariff_rule_verify(rule=rule, by=admin, on=IEEPA_END_VERIFIED)
        created["changes"] += 1
    # Compute the demo's events now (the worker would too) so the pages show them at once.
    for event in TariffChangeEvent.objects.filter(status="pending", key__startswith="ended:"):
        services.tariff_change_impact_compute(event_id=event.pk)
    if not TariffScenario.objects.filter(name=SCENARIO_NAME).exists():
        scenario = scenarios.scenario_create(
            name=SCENARIO_NAME,
            description="Hypothetical: no such measure exists. Shows which open and accepted "
            "US quotes of alloy ingot such a tariff would touch.",
            rules=SCENARIO_RULES,
            by=users["manager"],
        )
        scenarios.scenario_run(scenario_id=scenario.pk)
        created["scenarios"] += 1
    return created
