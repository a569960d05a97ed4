"""Writes for lots, their analyses, customer specifications and shipments.

Same rules as ``orders.services``: keyword-only arguments, validation before saving,
``ValidationError`` with the field at fault (HTTP 400), ``StateConflict`` for an illegal
move (HTTP 409), contract and shipment rows locked while they change, every shipment step
logged as a ``ContractEvent``.

Choices where the issue is silent (docs/orders.md, "Shipments"):
- the spec check runs when a lot is allocated; an out-of-spec allocation needs a manager's
  reason, kept on the allocation and in the contract's history;
- a line's quantity is within tolerance when the shipped total is between contracted
  × (1 − tol) and × (1 + tol), both bounds included; an allocation that would take a line
  over the upper bound is refused;
- on loading (B/L number and on-board date) a T/T contract with the balance "against copy of
  B/L" gets the shipment's balance proforma: the shipment's value less its share of the
  deposit (the last shipment takes what is left of it), due on the on-board date plus the
  contract's days after B/L (never before today: a proforma cannot be due before it is
  issued). A balance proforma issued by hand before loading becomes due on that date instead.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Sum
from django.utils import timezone

from customers.models import Customer
from mgtrade.accounts.models import User
from mgtrade.errors import StateConflict
from products.elements import SPEC_ELEMENTS
from products.models import Category, Product

from . import services
from .models import (
    BalanceTerms,
    Container,
    ContractEvent,
    ContractLine,
    ContractStatus,
    CustomerSpecLimit,
    Lot,
    LotAllocation,
    LotAnalysis,
    PaymentMethod,
    Proforma,
    ProformaKind,
    ProformaStatus,
    SalesContract,
    Shipment,
    ShipmentStatus,
)
from .quantities import contract_fully_shipped, line_bounds, line_shipped
from .spec_check import Finding, Limit, spec_findings

Action = ContractEvent.Action
SS = ShipmentStatus
ZERO = Decimal("0")
HUNDRED = Decimal("100")
DG_CATEGORIES = (Category.GRANULES, Category.POWDER)

SHIPMENT_FIELDS = (
    "port_of_loading",
    "port_of_discharge",
    "vessel",
    "voyage",
    "booking_number",
    "etd",
    "eta",
)
NEXT: dict[str, str] = {
    SS.PLANNED: SS.BOOKED,
    SS.BOOKED: SS.LOADED,
    SS.LOADED: SS.ARRIVED,
    SS.ARRIVED: SS.COMPLETED,
}


# ------------------------------------------------------------------ who may


def _ensure_qc(by: User) -> None:
    if not (by.is_admin or by.is_qc):
        raise PermissionDenied("Lots and analyses are entered by QC or an admin.")


def _clean_element(value: str) -> str:
    element = (value or "").strip()
    if element.upper() == "RE":
        element = "RE"
    elif len(element) <= 2:
        element = element[:1].upper() + element[1:].lower()
    if element not in SPEC_ELEMENTS:
        raise ValidationError(
            {"element": f"{value!r} is not a chemical symbol, RE or 'Others each/total'."}
        )
    return element


def _percent(value: Any, name: str = "measured_percent") -> Decimal:
    try:
        number = Decimal(str(value).strip().replace(",", "."))
    except (InvalidOperation, ValueError):
        raise ValidationError({name: f"{value!r} is not a number."}) from None
    if not (ZERO <= number <= HUNDRED) or not number.is_finite():
        raise ValidationError({name: "A mass percentage is between 0 and 100."})
    return number


# ------------------------------------------------------------------ lots and analyses


def _lot_is_shipped(lot: Lot) -> bool:
    return lot.allocations.exclude(shipment__status__in=[SS.PLANNED, SS.BOOKED]).exists()


@transaction.atomic
def lot_create(
    *,
    by: User,
    number: str,
    product: Product,
    production_date: date,
    net_weight_mt: Decimal,
    ingots: int = 0,
    bundles: int = 0,
    notes: str = "",
    analyses: dict[str, Any] | None = None,
) -> Lot:
    _ensure_qc(by)
    number = (number or "").strip().upper()
    if Lot.objects.filter(number=number).exists():
        raise ValidationError({"number": f"Lot {number} already exists."})
    lot = Lot(
        number=number,
        product=product,
        production_date=production_date,
        net_weight_mt=net_weight_mt,
        ingots=ingots,
        bundles=bundles,
        notes=notes,
        created_by=by,
    )
    if production_date and production_date > timezone.localdate():
        raise ValidationError({"production_date": "The production date is in the future."})
    if net_weight_mt is None or net_weight_mt <= 0:
        raise ValidationError({"net_weight_mt": "The net weight must be above zero."})
    lot.full_clean()
    lot.save()
    if analyses:
        lot_set_analyses(lot=lot, by=by, analyses=analyses)
    return lot


@transaction.atomic
def lot_set_analyses(*, lot: Lot, by: User, analyses: dict[str, Any]) -> Lot:
    """Add or correct measured values; refused once the lot is on board (its certificate
    states them)."""
    _ensure_qc(by)
    lot = Lot.objects.select_for_update().get(pk=lot.pk)
    if _lot_is_shipped(lot):
        raise StateConflict(f"Lot {lot.number} is shipped: its analysis can no longer change.")
    cleaned = {_clean_element(k): _percent(v) for k, v in analyses.items()}
    for element, value in cleaned.items():
        LotAnalysis.objects.update_or_create(
            lot=lot, element=element, defaults={"measured_percent": value}
        )
    return lot


@dataclass
class AnalysisImport:
    created: int = 0
    updated: int = 0
    errors: list[str] = field(default_factory=list)


ANALYSIS_COLUMNS = ("lot", "element", "measured_percent")


def analyses_import_csv(*, by: User, text: str) -> AnalysisImport:
    """Analyses from a CSV (``lot,element,measured_percent``, header required): every row is
    validated first; one error and nothing is imported."""
    _ensure_qc(by)
    result = AnalysisImport()
    reader = csv.DictReader(io.StringIO(text))
    header = [h.strip() for h in (reader.fieldnames or [])]
    missing = [c for c in ANALYSIS_COLUMNS if c not in header]
    unknown = [c for c in header if c not in ANALYSIS_COLUMNS]
    if missing or unknown:
        result.errors.append(
            "The header must be lot,element,measured_percent"
            + (f" (missing: {', '.join(missing)})" if missing else "")
            + (f" (unknown: {', '.join(unknown)})" if unknown else "")
            + "."
        )
        return result
    per_lot: dict[str, dict[str, Decimal]] = {}
    lots: dict[str, Lot] = {}
    try:
        rows = [{(k or "").strip(): (v or "").strip() for k, v in r.items()} for r in reader]
    except csv.Error as exc:
        result.errors.append(f"Line {reader.line_num}: {exc}; nothing was imported.")
        return result
    for line, row in enumerate(rows, start=2):
        number = row["lot"].upper()
        lot = lots.get(number) or Lot.objects.filter(number=number).first()
        if lot is None:
            result.errors.append(f"Line {line}: no lot {row['lot']!r}.")
            continue
        lots[number] = lot
        try:
            element = _clean_element(row["element"])
            value = _percent(row["measured_percent"])
        except ValidationError as exc:
            result.errors.append(f"Line {line}: {' '.join(exc.messages)}")
            continue
        per_lot.setdefault(number, {})[element] = value
    if not rows:
        result.errors.append("The file has no rows.")
    if result.errors:
        return result
    with transaction.atomic():
        existing = set(
            LotAnalysis.objects.filter(lot__number__in=per_lot).values_list(
                "lot__number", "element"
            )
        )
        for number, values in per_lot.items():
            lot_set_analyses(lot=lots[number], by=by, analyses=values)
            for element in values:
                if (number, element) in existing:
                    result.updated += 1
                else:
                    result.created += 1
    return result


@transaction.atomic
def customer_spec_limit_set(
    *,
    by: User,
    customer: Customer,
    product: Product,
    element: str,
    min_percent: Decimal | None = None,
    max_percent: Decimal | None = None,
    contract: SalesContract | None = None,
) -> CustomerSpecLimit:
    """The buyer's own limit for one element of a grade (for one contract when given)."""
    if not (by.is_manager or by.is_qc or customer.owner_id == by.pk):
        raise PermissionDenied("Only the customer's rep, a manager or QC sets its specification.")
    element = _clean_element(element)
    if min_percent is None and max_percent is None:
        raise ValidationError({"max_percent": "Give a minimum, a maximum or both."})
    if min_percent is not None and max_percent is not None and min_percent > max_percent:
        raise ValidationError({"max_percent": "The maximum must not be below the minimum."})
    if contract is not None and contract.customer_id != customer.pk:
        raise ValidationError({"contract": "That contract is another customer's."})
    limit, _ = CustomerSpecLimit.objects.update_or_create(
        customer=customer,
        contract=contract,
        product=product,
        element=element,
        defaults={"min_percent": min_percent, "max_percent": max_percent},
    )
    return limit


def lot_limits(*, lot: Lot, contract: SalesContract | None = None) -> list[Limit]:
    """The grade's limits and, for a contract, the buyer's (general and this contract's)."""
    limits = [
        Limit(s.element, s.min_percent, s.max_percent, "grade")
        for s in lot.product.spec_limits.all()
    ]
    if contract is not None:
        own = CustomerSpecLimit.objects.filter(
            customer_id=contract.customer_id, product_id=lot.product_id
        ).filter(contract__isnull=True) | CustomerSpecLimit.objects.filter(
            contract=contract, product_id=lot.product_id
        )
        by_element: dict[str, CustomerSpecLimit] = {}
        for c in own.order_by("contract_id"):  # NULLs last on PostgreSQL: the contract's wins
            by_element[c.element] = c
        limits += [
            Limit(c.element, c.min_percent, c.max_percent, "customer") for c in by_element.values()
        ]
    return limits


def lot_check(*, lot: Lot, contract: SalesContract | None = None) -> list[Finding]:
    measured = {a.element: a.measured_percent for a in lot.analyses.all()}
    return spec_findings(measured, lot_limits(lot=lot, contract=contract))


# ------------------------------------------------------------------ quantities


def _partial_allowed(contract: SalesContract) -> bool:
    lc = getattr(contract, "letter_of_credit", None) if contract.uses_lc else None
    return contract.partial_shipments and (lc is None or lc.partial_shipments_allowed)


# ------------------------------------------------------------------ shipments


def _locked_shipment(shipment: Shipment) -> Shipment:
    return (
        Shipment.objects.select_for_update(of=("self",))
        .select_related("contract", "contract__customer")
        .get(pk=shipment.pk)
    )


def _log(
    shipment: Shipment, by: User | None, comment: str, action: str = Action.SHIPMENT, **data: Any
) -> None:
    services._log(
        shipment.contract,
        action,
        by=by,
        from_status=shipment.contract.status,
        comment=comment,
        data={"shipment": shipment.pk, **data},
    )


def _ensure_open(shipment: Shipment, *states: str) -> None:
    if shipment.status not in states:
        raise StateConflict(
            f"Shipment {shipment.reference} is {shipment.get_status_display().lower()}."
        )


@transaction.atomic
def shipment_create(*, contract: SalesContract, by: User, **fields: Any) -> Shipment:
    """A planned shipment; a second one only when the contract (and its L/C) allow partial
    shipments."""
    services._check_fields(fields, SHIPMENT_FIELDS)
    contract = services._locked(contract)
    services._ensure_can_act(contract=contract, by=by)
    if contract.status not in services.ACTIVE_STATUSES:
        raise StateConflict("Shipments are planned on a confirmed contract.")
    count = contract.shipments.count()
    if count and not _partial_allowed(contract):
        raise StateConflict(
            f"{contract.number} does not allow partial shipments: it ships in one shipment."
        )
    if count and contract_fully_shipped(contract=contract):
        raise StateConflict(f"Every line of {contract.number} is already shipped.")
    shipment = Shipment(
        contract=contract,
        sequence=count + 1,
        created_by=by,
        port_of_loading=fields.pop("port_of_loading", "") or contract.port_of_loading,
        port_of_discharge=fields.pop("port_of_discharge", "") or contract.port_of_discharge,
        **fields,
    )
    _validate_dates(shipment)
    shipment.full_clean(exclude=["contract", "balance_proforma"])
    shipment.save()
    _log(shipment, by, f"Shipment {shipment.reference} planned")
    return shipment


def _validate_dates(shipment: Shipment) -> None:
    if shipment.etd and shipment.eta and shipment.eta < shipment.etd:
        raise ValidationError({"eta": "The ETA is before the ETD."})


@transaction.atomic
def shipment_update(*, shipment: Shipment, by: User, **fields: Any) -> Shipment:
    """Booking details (vessel, voyage, booking number, ETD/ETA, ports) until loading;
    only the ETA afterwards, until arrival."""
    services._check_fields(fields, SHIPMENT_FIELDS)
    shipment = _locked_shipment(shipment)
    services._ensure_can_act(contract=shipment.contract, by=by)
    changed = {name for name, value in fields.items() if getattr(shipment, name) != value}
    if shipment.status == SS.LOADED and changed - {"eta"}:
        raise StateConflict("The shipment is on board: only its ETA can change.")
    _ensure_open(shipment, SS.PLANNED, SS.BOOKED, SS.LOADED)
    for name, value in fields.items():
        setattr(shipment, name, value)
    _validate_dates(shipment)
    shipment.full_clean(exclude=["contract", "balance_proforma"])
    shipment.save()
    return shipment


@transaction.atomic
def lot_allocate(
    *,
    shipment: Shipment,
    by: User,
    contract_line: ContractLine,
    lot: Lot,
    quantity_mt: Decimal | None = None,
    override_reason: str = "",
) -> LotAllocation:
    """Ship ``quantity_mt`` (default: what is left of the lot) of ``lot`` against a line.

    The lot must be the line's grade and pass the grade's and the buyer's specification;
    otherwise only a manager may allocate it, with a reason. The line's shipped total must
    stay within the contracted quantity + tolerance."""
    shipment = _locked_shipment(shipment)
    contract = services._locked(shipment.contract)
    services._ensure_can_act(contract=contract, by=by)
    _ensure_open(shipment, SS.PLANNED, SS.BOOKED)
    if contract_line.contract_id != contract.pk:
        raise ValidationError({"contract_line": "That line is on another contract."})
    lot = Lot.objects.select_for_update().get(pk=lot.pk)
    if lot.product_id != contract_line.product_id:
        raise ValidationError(
            {
                "lot": f"Lot {lot.number} is {lot.product.code}; the line is {contract_line.product_code}."
            }
        )
    if shipment.allocations.filter(lot=lot).exists():
        raise ValidationError({"lot": f"Lot {lot.number} is already on this shipment."})
    used = lot.allocations.aggregate(total=Sum("quantity_mt"))["total"] or ZERO
    left = lot.net_weight_mt - used
    quantity = left if quantity_mt is None else quantity_mt
    if quantity <= 0:
        raise ValidationError({"quantity_mt": f"Nothing is left of lot {lot.number}."})
    if quantity > left:
        raise ValidationError(
            {"quantity_mt": f"Lot {lot.number} has {left:f} MT left, not {quantity:f}."}
        )
    shipped = line_shipped(contract=contract).get(contract_line.pk, ZERO)
    upper = line_bounds(contract_line, contract.tolerance_percent)[1]
    if shipped + quantity > upper:
        raise ValidationError(
            {
                "quantity_mt": f"Line {contract_line.position} ({contract_line.product_code}) "
                f"would ship {shipped + quantity:f} MT: more than {contract_line.quantity_mt:f} "
                f"MT + {contract.tolerance_percent.normalize():f} % ({upper:f} MT)."
            }
        )
    failures = [f for f in lot_check(lot=lot, contract=contract) if not f.passed]
    reason = (override_reason or "").strip()
    if failures:
        if not by.is_manager:
            raise ValidationError(
                {
                    "lot": f"Lot {lot.number} is out of specification: "
                    + "; ".join(f.message for f in failures)
                    + ". A manager may allow it with a reason."
                }
            )
        if not reason:
            raise ValidationError(
                {
                    "override_reason": f"Lot {lot.number} is out of specification: "
                    + "; ".join(f.message for f in failures)
                    + ". Say why it may be shipped."
                }
            )
    allocation = LotAllocation.objects.create(
        shipment=shipment,
        contract_line=contract_line,
        lot=lot,
        quantity_mt=quantity,
        findings=[f.as_dict() for f in failures],
        override_reason=reason if failures else "",
        override_by=by if failures else None,
        allocated_by=by,
    )
    if failures:
        _log(
            shipment,
            by,
            f"Lot {lot.number} allowed out of specification: {reason}",
            action=Action.LOT_OVERRIDE,
            lot=lot.pk,
            findings=allocation.findings,
        )
    return allocation


@transaction.atomic
def allocation_remove(*, allocation: LotAllocation, by: User) -> None:
    shipment = _locked_shipment(allocation.shipment)
    services._ensure_can_act(contract=shipment.contract, by=by)
    _ensure_open(shipment, SS.PLANNED, SS.BOOKED)
    allocation.delete()


@transaction.atomic
def container_add(
    *,
    shipment: Shipment,
    by: User,
    number: str,
    seal: str,
    type: str = "20GP",
    net_weight_mt: Decimal,
    gross_weight_mt: Decimal,
    bundles: int,
    lots: list[Lot] | None = None,
) -> Container:
    shipment = _locked_shipment(shipment)
    services._ensure_can_act(contract=shipment.contract, by=by)
    _ensure_open(shipment, SS.PLANNED, SS.BOOKED)
    container = Container(
        shipment=shipment,
        number=(number or "").strip().upper().replace(" ", ""),
        seal=(seal or "").strip(),
        type=type,
        net_weight_mt=net_weight_mt,
        gross_weight_mt=gross_weight_mt,
        bundles=bundles,
    )
    container.full_clean(exclude=["shipment"])
    if gross_weight_mt < net_weight_mt:
        raise ValidationError({"gross_weight_mt": "The gross weight is below the net weight."})
    if shipment.containers.filter(number=container.number).exists():
        raise ValidationError({"number": f"{container.number} is already on this shipment."})
    lots = lots or []
    allocated = set(shipment.allocations.values_list("lot_id", flat=True))
    stray = [lot.number for lot in lots if lot.pk not in allocated]
    if stray:
        raise ValidationError({"lots": f"Not on this shipment: {', '.join(stray)}."})
    container.save()
    container.lots.set(lots)
    return container


@transaction.atomic
def shipment_book(*, shipment: Shipment, by: User, **fields: Any) -> Shipment:
    """Planned → booked: needs the booking number and the vessel."""
    shipment_update(shipment=shipment, by=by, **fields)
    shipment = _locked_shipment(shipment)
    _ensure_open(shipment, SS.PLANNED)
    errors = {}
    if not shipment.booking_number:
        errors["booking_number"] = "Give the booking number."
    if not shipment.vessel:
        errors["vessel"] = "Give the vessel."
    if errors:
        raise ValidationError(errors)
    shipment.status = SS.BOOKED
    shipment.save(update_fields=["status", "updated_at"])
    _log(shipment, by, f"Shipment {shipment.reference} booked ({shipment.booking_number})")
    return shipment


def shipment_line_values(shipment: Shipment) -> list[tuple[ContractLine, Decimal, Decimal]]:
    """(line, shipped MT, amount) per contract line on the shipment. The amount is the line's
    amount pro rata (the unit price is rounded for display; the amount is what counts), so a
    line shipped exactly as contracted is invoiced at exactly its contract amount."""
    per_line: dict[int, tuple[ContractLine, Decimal]] = {}
    for a in shipment.allocations.select_related("contract_line"):
        line, qty = per_line.get(a.contract_line_id, (a.contract_line, ZERO))
        per_line[a.contract_line_id] = (line, qty + a.quantity_mt)
    currency = shipment.contract.currency
    return [
        (line, qty, services._round(line.amount * qty / line.quantity_mt, currency))
        for line, qty in sorted(per_line.values(), key=lambda p: p[0].position)
    ]


def shipment_value(shipment: Shipment) -> Decimal:
    return sum((amount for _, _, amount in shipment_line_values(shipment)), ZERO)


def shipment_warnings(shipment: Shipment) -> list[str]:
    """What the team should know but that does not stop the shipment (late, short)."""
    contract = shipment.contract
    warnings = []
    on_board = shipment.on_board_date or shipment.etd
    if on_board and on_board > contract.latest_shipment_date:
        warnings.append(
            f"Ships after the contract's latest shipment date "
            f"{contract.latest_shipment_date.isoformat()}."
        )
    lc = getattr(contract, "letter_of_credit", None) if contract.uses_lc else None
    if lc is not None and on_board and on_board > lc.latest_shipment_date:
        warnings.append(
            f"Ships after the L/C's latest shipment date {lc.latest_shipment_date.isoformat()}."
        )
    return warnings


@transaction.atomic
def shipment_load(*, shipment: Shipment, by: User, bl_number: str, on_board_date: date) -> Shipment:
    """Booked → loaded: the B/L number and on-board date. Needs lots and a container; without
    partial shipments, every line within tolerance. Starts the contract and, under T/T with
    the balance against the B/L, issues (or dates) the balance proforma."""
    shipment = _locked_shipment(shipment)
    contract = services._locked(shipment.contract)
    services._ensure_can_act(contract=contract, by=by)
    _ensure_open(shipment, SS.BOOKED)
    errors = {}
    if not (bl_number or "").strip():
        errors["bl_number"] = "Give the B/L number."
    if on_board_date is None:
        errors["on_board_date"] = "Give the on-board date."
    elif on_board_date > timezone.localdate():
        errors["on_board_date"] = "The on-board date cannot be in the future."
    if errors:
        raise ValidationError(errors)
    if not contract.is_ready_to_ship:
        raise StateConflict(
            f"{contract.number} is not ready to ship (deposit unpaid or L/C not accepted)."
        )
    if not shipment.allocations.exists():
        raise StateConflict("Allocate the lots before loading.")
    if not shipment.containers.exists():
        raise StateConflict("Add the containers before loading.")
    if not _partial_allowed(contract) and not contract_fully_shipped(contract=contract):
        raise StateConflict(
            f"{contract.number} does not allow partial shipments: every line must be shipped "
            f"within ±{contract.tolerance_percent.normalize():f} % in this shipment."
        )
    shipment.bl_number = bl_number.strip()
    shipment.on_board_date = on_board_date
    shipment.status = SS.LOADED
    shipment.save()
    if contract.status == ContractStatus.CONFIRMED:
        services._transition(contract, ContractStatus.IN_PROGRESS, by=by, action=Action.STARTED)
    _log(
        shipment,
        by,
        f"Shipment {shipment.reference} on board {on_board_date.isoformat()}, "
        f"B/L {shipment.bl_number}",
    )
    _balance_on_board(shipment, contract, by)
    return shipment


def _balance_on_board(shipment: Shipment, contract: SalesContract, by: User) -> None:
    if contract.payment_method != PaymentMethod.TT:
        return
    if contract.balance_terms != BalanceTerms.AGAINST_BL_COPY or contract.advance_percent >= 100:
        return
    assert shipment.on_board_date is not None  # loaded
    due: date = max(
        shipment.on_board_date + timedelta(days=contract.balance_days_after_bl),
        timezone.localdate(),
    )
    manual = Proforma.objects.filter(
        contract=contract, kind=ProformaKind.BALANCE, shipment__isnull=True
    ).exclude(status=ProformaStatus.CANCELLED)
    if manual.exists():
        for proforma in manual:
            if proforma.status == ProformaStatus.ISSUED:
                proforma.due_date = max(due, proforma.issue_date)
                proforma.save(update_fields=["due_date"])
        return
    deposits = (
        contract.proformas.filter(kind=ProformaKind.DEPOSIT)
        .exclude(status=ProformaStatus.CANCELLED)
        .aggregate(total=Sum("amount"))["total"]
        or ZERO
    )
    applied_before = (
        contract.shipments.exclude(pk=shipment.pk).aggregate(total=Sum("deposit_applied"))["total"]
        or ZERO
    )
    value = shipment_value(shipment)
    left = deposits - applied_before
    if contract_fully_shipped(contract=contract):
        applied = left
    else:
        applied = min(
            left,
            services._round(deposits * value / contract.total_amount, contract.currency),
        )
    applied = services._round(min(applied, value), contract.currency)
    shipment.deposit_applied = applied
    balance = services._round(value - applied, contract.currency)
    if balance > 0:
        shipment.balance_proforma = services._proforma_issue(
            contract=contract,
            by=by,
            kind=ProformaKind.BALANCE,
            amount=balance,
            due_date=due,
        )
    shipment.save(update_fields=["deposit_applied", "balance_proforma", "updated_at"])


@transaction.atomic
def shipment_arrive(*, shipment: Shipment, by: User, arrived_on: date | None = None) -> Shipment:
    shipment = _locked_shipment(shipment)
    services._ensure_can_act(contract=shipment.contract, by=by)
    _ensure_open(shipment, SS.LOADED)
    arrived_on = arrived_on or timezone.localdate()
    if shipment.on_board_date and arrived_on < shipment.on_board_date:
        raise ValidationError({"arrived_on": "Arrival is before the on-board date."})
    shipment.status = SS.ARRIVED
    shipment.arrived_on = arrived_on
    shipment.save(update_fields=["status", "arrived_on", "updated_at"])
    _log(shipment, by, f"Shipment {shipment.reference} arrived {arrived_on.isoformat()}")
    return shipment


@transaction.atomic
def shipment_complete(*, shipment: Shipment, by: User) -> Shipment:
    """Arrived → completed once its balance proforma is paid; the contract completes with its
    last shipment when every line is shipped within tolerance and every proforma settled."""
    shipment = _locked_shipment(shipment)
    services._ensure_can_act(contract=shipment.contract, by=by)
    _ensure_open(shipment, SS.ARRIVED)
    proforma = shipment.balance_proforma
    if proforma is not None and not proforma.is_settled:
        raise StateConflict(f"The balance proforma {proforma.number} is not paid yet.")
    shipment.status = SS.COMPLETED
    shipment.save(update_fields=["status", "updated_at"])
    _log(shipment, by, f"Shipment {shipment.reference} completed")
    contract = shipment.contract
    if (
        contract.status == ContractStatus.IN_PROGRESS
        and not contract.shipments.exclude(status=SS.COMPLETED).exists()
        and contract_fully_shipped(contract=contract)
        and not [
            p for p in contract.proformas.filter(status=ProformaStatus.ISSUED) if not p.is_settled
        ]
    ):
        services.contract_complete(contract=contract, by=by)
    return shipment


def is_dangerous(product: Product) -> bool:
    return product.category in DG_CATEGORIES and bool(product.un_number)


def quantize_mt(value: Decimal) -> Decimal:
    return value.quantize(Decimal("0.001"), ROUND_HALF_UP)
