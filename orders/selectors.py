"""Reads: who sees which contracts (as for quotes), the contracts list, a contract's page,
proformas and payments, and what is due on the home pages."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from django.db.models import Exists, F, OuterRef, Prefetch, Q, QuerySet, Sum
from django.db.models.functions import Coalesce
from django.utils import timezone

from customers.models import Customer
from mgtrade.accounts.models import User
from mgtrade.i18n import ENGLISH
from quotes.selectors import quote_sent_language

from .models import (
    Container,
    ContractStatus,
    CustomerSpecLimit,
    LCStatus,
    LetterOfCredit,
    Lot,
    LotAllocation,
    Payment,
    PaymentAllocation,
    Proforma,
    ProformaStatus,
    SalesContract,
    Shipment,
    ShipmentStatus,
)

ZERO = Decimal("0")


def contract_list_visible(*, user: User | None) -> QuerySet[SalesContract]:
    """The one visibility rule, as for quotes: managers and admins see every contract; a rep
    the contracts of the customers they own and the contracts they own."""
    if not user or not user.is_authenticated:
        return SalesContract.objects.none()
    if user.is_manager:
        return SalesContract.objects.all()
    return SalesContract.objects.filter(
        Q(owner=user) | Q(customer_id__in=Customer.objects.filter(owner=user).values("pk"))
    )


def _overdue_proformas(today: date) -> QuerySet[Proforma]:
    return Proforma.objects.filter(status=ProformaStatus.ISSUED, due_date__lt=today)


def contract_list(
    *,
    user: User,
    status: str | None = None,
    customer: int | str | None = None,
    owner: int | str | None = None,
    overdue: bool | None = None,
    ready: bool | None = None,
    search: str | None = None,
) -> QuerySet[SalesContract]:
    """Visible contracts, newest first, with customer and owner joined and an ``is_overdue``
    flag (a proforma past due): one query a page, whatever its size."""
    today = timezone.localdate()
    qs = contract_list_visible(user=user)
    filters = {"status": status, "customer_id": customer, "owner_id": owner}
    qs = qs.filter(**{k: v for k, v in filters.items() if v not in (None, "")})
    qs = qs.annotate(
        is_overdue=Exists(_overdue_proformas(today).filter(contract_id=OuterRef("pk")))
    )
    if overdue is not None:
        qs = qs.filter(is_overdue=overdue)
    if ready is not None:
        qs = qs.filter(ready_to_ship_at__isnull=not ready)
    if search:
        qs = qs.filter(
            Q(number__icontains=search.strip())
            | Q(customer__name__icontains=search.strip())
            | Q(buyer_po_number__icontains=search.strip())
        )
    return qs.select_related("customer", "owner").order_by("-created_at", "-id")


def contract_get_visible(*, user: User | None, pk: int) -> SalesContract:
    """A contract the user may see, with what its page shows; ``DoesNotExist`` otherwise."""
    return (
        contract_list_visible(user=user)
        .select_related("customer", "customer__owner", "owner", "quote", "confirmed_by")
        .prefetch_related(
            "lines",
            Prefetch(
                "proformas",
                queryset=Proforma.objects.order_by("issue_date", "id").select_related(
                    "written_off_by"
                ),
            ),
        )
        .get(pk=pk)
    )


def contract_events(*, contract: SalesContract):
    return contract.events.select_related("by").order_by("at", "id")


def contract_payments(*, contract: SalesContract) -> list[Payment]:
    """Payments with an allocation to this contract's proformas, each with its allocations
    (to any proforma) and what is left unallocated."""
    payments = list(
        Payment.objects.filter(allocations__proforma__contract=contract)
        .distinct()
        .select_related("recorded_by")
        .prefetch_related(
            Prefetch(
                "allocations",
                queryset=PaymentAllocation.objects.select_related("proforma").order_by("id"),
            )
        )
        .order_by("value_date", "id")
    )
    for payment in payments:
        allocated = sum((a.amount for a in payment.allocations.all()), ZERO)
        payment.unallocated = payment.amount - allocated
    return payments


def customer_unallocated_payments(*, customer_id: int) -> list[Payment]:
    """Payments of a customer with money not yet allocated (over-payments to use)."""
    payments = (
        Payment.objects.filter(customer_id=customer_id)
        .annotate(allocated=Sum("allocations__amount"))
        .order_by("value_date", "id")
    )
    result = []
    for payment in payments:
        payment.unallocated = payment.amount - (payment.allocated or ZERO)
        if payment.unallocated > 0:
            result.append(payment)
    return result


def letter_of_credit_for(*, contract: SalesContract) -> LetterOfCredit | None:
    return (
        LetterOfCredit.objects.filter(contract=contract)
        .select_related("accepted_by")
        .prefetch_related("amendments__recorded_by")
        .first()
    )


def proforma_list_visible(*, user: User | None) -> QuerySet[Proforma]:
    return Proforma.objects.filter(contract__in=contract_list_visible(user=user))


def proforma_get_visible(*, user: User | None, pk: int) -> Proforma:
    return (
        proforma_list_visible(user=user)
        .select_related("contract", "contract__customer", "contract__quote")
        .get(pk=pk)
    )


def payment_list_visible(*, user: User | None) -> QuerySet[Payment]:
    """Payments of the customers the user sees (as for customers)."""
    if not user or not user.is_authenticated:
        return Payment.objects.none()
    if user.is_manager:
        return Payment.objects.all()
    return Payment.objects.filter(customer__owner=user)


def lc_list_visible(*, user: User | None) -> QuerySet[LetterOfCredit]:
    return LetterOfCredit.objects.filter(contract__in=contract_list_visible(user=user))


def open_proformas_for_customer(*, customer_id: int, currency: str) -> QuerySet[Proforma]:
    return (
        Proforma.objects.filter(
            contract__customer_id=customer_id, currency=currency, status=ProformaStatus.ISSUED
        )
        .select_related("contract")
        .order_by("due_date", "id")
    )


@dataclass
class OrdersDue:
    today: date
    overdue: list[Proforma] = field(default_factory=list)
    due_soon: list[Proforma] = field(default_factory=list)
    to_confirm: list[SalesContract] = field(default_factory=list)
    lcs_to_check: list[LetterOfCredit] = field(default_factory=list)
    ready_to_ship: list[SalesContract] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        return not (
            self.overdue
            or self.due_soon
            or self.to_confirm
            or self.lcs_to_check
            or self.ready_to_ship
        )


def orders_due(*, user: User, today: date | None = None, limit: int = 50) -> OrdersDue:
    """What is due on the home page: a rep's own customers' (a manager's: everyone's)
    overdue proformas (flagged by the daily task) and those due within a week, drafts to
    confirm, L/Cs to check, and contracts ready to ship. Five queries."""
    today = today or timezone.localdate()
    contracts = contract_list_visible(user=user)
    proformas = (
        Proforma.objects.filter(status=ProformaStatus.ISSUED, contract__in=contracts)
        .select_related("contract", "contract__customer", "contract__owner")
        .order_by("due_date", "id")
    )
    due = OrdersDue(today=today)
    due.overdue = list(proformas.filter(overdue_since__isnull=False)[:limit])
    due.due_soon = list(
        proformas.filter(overdue_since__isnull=True, due_date__lte=today + timedelta(days=7))[
            :limit
        ]
    )
    due.to_confirm = list(
        contracts.filter(status=ContractStatus.DRAFT)
        .select_related("customer")
        .order_by("created_at", "id")[:limit]
    )
    due.lcs_to_check = list(
        LetterOfCredit.objects.filter(contract__in=contracts)
        .exclude(status=LCStatus.ACCEPTED)
        .select_related("contract", "contract__customer")
        .order_by("created_at", "id")[:limit]
    )
    due.ready_to_ship = list(
        contracts.filter(status=ContractStatus.CONFIRMED, ready_to_ship_at__isnull=False)
        .select_related("customer")
        .order_by("ready_to_ship_at", "id")[:limit]
    )
    return due


# ------------------------------------------------------------------ lots and shipments


def lot_list(*, search: str | None = None, product: str | None = None) -> QuerySet[Lot]:
    """Every lot (lots are the works', not a customer's: every signed-in user sees them),
    with the grade and the allocated tonnage; one query."""
    qs = Lot.objects.select_related("product").annotate(
        allocated_mt=Coalesce(Sum("allocations__quantity_mt"), ZERO)
    )
    if search:
        qs = qs.filter(number__icontains=search.strip())
    if product:
        qs = qs.filter(product__code=product)
    return qs.order_by("-production_date", "-id")


def lot_get(*, pk: int) -> Lot:
    return (
        Lot.objects.select_related("product", "created_by")
        .prefetch_related("analyses", "product__spec_limits")
        .get(pk=pk)
    )


def shipment_list_visible(*, user: User | None) -> QuerySet[Shipment]:
    """Shipments of the contracts the user sees."""
    return Shipment.objects.filter(contract__in=contract_list_visible(user=user))


def shipment_board(*, user: User, status: str | None = None) -> QuerySet[Shipment]:
    """The team's board: open shipments (booked, on the water, arrived), soonest ETA first;
    one query."""
    qs = shipment_list_visible(user=user).exclude(status=ShipmentStatus.COMPLETED)
    if status:
        qs = qs.filter(status=status)
    return qs.select_related("contract", "contract__customer").order_by(
        F("eta").asc(nulls_last=True), "id"
    )


def shipment_get_visible(*, user: User | None, pk: int) -> Shipment:
    return (
        shipment_list_visible(user=user)
        .select_related("contract", "contract__customer", "balance_proforma")
        .prefetch_related(
            Prefetch(
                "allocations",
                queryset=LotAllocation.objects.select_related(
                    "lot", "lot__product", "contract_line", "override_by"
                ),
            ),
            Prefetch("containers", queryset=Container.objects.prefetch_related("lots")),
        )
        .get(pk=pk)
    )


def contract_shipments(*, contract: SalesContract) -> list[Shipment]:
    return list(
        contract.shipments.select_related("balance_proforma").prefetch_related(
            Prefetch(
                "allocations",
                queryset=LotAllocation.objects.select_related(
                    "lot", "contract_line", "override_by"
                ),
            )
        )
    )


def customer_spec_limits(*, contract: SalesContract) -> list[CustomerSpecLimit]:
    """The buyer's own limits that apply to this contract (general and this contract's)."""
    return list(
        CustomerSpecLimit.objects.filter(customer_id=contract.customer_id)
        .filter(Q(contract__isnull=True) | Q(contract=contract))
        .select_related("product")
        .order_by("product__code", "element", "contract_id")
    )


# ------------------------------------------------------------------ the buyer's language


def contract_language(contract: SalesContract) -> str:
    """The language of a contract's documents: the one the buyer reads the accepted quote in
    (``quotes.selectors.quote_sent_language``: its send's, else its contact's)."""
    return quote_sent_language(quote=contract.quote) if contract.quote else ENGLISH
