"""Reads for quoting: which quotes a user sees, lists and their filters, stats, the approval
queue and who may approve, and a new quote's defaults.

Pricing input (gathering the engine's input, validating it, running the engine) and the
facts the approval rules read are ``pricing.inputs``.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django.db.models import Count, F, OuterRef, Q, QuerySet, Subquery, Sum
from django.utils import timezone

from customers.models import Customer
from customers.normalize import normalize_query
from mgtrade.accounts.models import Role, User
from mgtrade.i18n import buyer_language

from .models import (
    OPEN_STATUSES,
    Quote,
    QuoteDelivery,
    QuoteEvent,
    QuoteLine,
    QuoteStatus,
    RejectionReason,
)

# ------------------------------------------------------------------ quotes: who sees what


def quote_list_rows(*, user: User | None, **filters: Any) -> QuerySet[Quote]:
    """``quote_list`` as the API's list reads it: lean rows with the customer's name and
    the rejection code as annotations (``customer_name_``, ``rejection_reason_code``)
    rather than joined rows; subqueries, not joins, so the page's COUNT(*) is left without
    them. Its lines are attached as plain rows afterwards (``quote_line_rows_attach``)."""
    return (
        quote_list(user=user, **filters)
        .select_related(None)
        .annotate(
            customer_name_=Subquery(
                Customer.objects.filter(pk=OuterRef("customer_id")).values("name")
            ),
            rejection_reason_code=Subquery(
                RejectionReason.objects.filter(pk=OuterRef("rejection_reason_id")).values("code")
            ),
        )
    )


def quote_list_full(*, user: User | None) -> QuerySet[Quote]:
    """Visible quotes with what one quote's API answer reads: its customer, rejection
    reason and lines (a fixed number of queries)."""
    return (
        quote_list_visible(user=user)
        .select_related("customer", "rejection_reason")
        .prefetch_related("lines")
    )


def quote_list_visible(*, user: User | None) -> QuerySet[Quote]:
    """The one visibility rule for quotes, mirroring ``customer_list_visible``: managers and
    admins see every quote; a rep the quotes of the customers they own and the quotes they
    own (a customer reassigned to someone else keeps its quotes visible to their owner)."""
    if not user or not user.is_authenticated:
        return Quote.objects.none()
    if user.is_manager:
        return Quote.objects.all()
    return Quote.objects.filter(
        Q(owner=user) | Q(customer_id__in=Customer.objects.filter(owner=user).values("pk"))
    )


def quote_get_visible(*, user: User | None, pk: int) -> Quote:
    """A quote the user may see, with everything its page shows; ``Quote.DoesNotExist``
    otherwise (→ 404)."""
    return (
        quote_list_visible(user=user)
        .select_related(
            "customer",
            "customer__owner",
            "contact",
            "owner",
            "created_by",
            "approved_by",
            "rejection_reason",
        )
        .prefetch_related("lines")
        .get(pk=pk)
    )


def quote_list(
    *,
    user: User | None,
    status: str | None = None,
    customer: int | str | None = None,
    region: str | None = None,
    product: str | None = None,
    owner: int | str | None = None,
    mine: bool = False,
    expiring_within_days: int | None = None,
    search: str | None = None,
    today: date | None = None,
) -> QuerySet[Quote]:
    """Visible quotes, newest first, filtered; customer and owner joined, so a page costs a
    fixed number of queries whatever its size.

    Superseded versions are left out unless ``status="superseded"`` is asked for (the live
    version of a number stands for it). ``product`` is a grade code on any line;
    ``region`` is the quote's own (the buyer's, copied when it was priced);
    ``expiring_within_days`` keeps open quotes whose validity ends between today and today
    + N; ``search`` matches the number or the customer's name.
    """
    qs = quote_list_visible(user=user)
    if mine and user is not None:
        qs = qs.filter(owner=user)
    qs = qs.filter(status=status) if status else qs.exclude(status=QuoteStatus.SUPERSEDED)
    if customer not in (None, ""):
        qs = qs.filter(customer_id=customer)
    if owner not in (None, ""):
        qs = qs.filter(owner_id=owner)
    if region:
        qs = qs.filter(region=region)
    if product:
        qs = qs.filter(
            pk__in=QuoteLine.objects.filter(product_code=product.strip().upper()).values("quote_id")
        )
    if expiring_within_days is not None:
        today = today or timezone.localdate()
        qs = qs.filter(
            status__in=OPEN_STATUSES,
            valid_until__gte=today,
            valid_until__lte=today + timedelta(days=expiring_within_days),
        )
    search = (search or "").strip()
    if search:
        qs = qs.filter(_quote_search(search))
    return qs.select_related("customer", "owner").order_by("-created_at", "-id")


NUMBER_RE = re.compile(r"^(?:Q-?\d|\d[\d-]*$)", re.IGNORECASE)


def _quote_search(search: str) -> Q:
    """What a search box query matches: a quote number when it looks like one (``Q-2026-00``
    is a prefix, ``00042`` a part of the number), else the customer's name. Deciding by the
    shape keeps each search on one index-friendly condition."""
    if NUMBER_RE.match(search):
        upper = search.upper()
        if upper.startswith("Q") and not upper.startswith("Q-"):
            upper = "Q-" + upper[1:]
        if upper.startswith("Q-"):
            return Q(number__startswith=upper)
        return Q(number__contains=search)
    customers = Q(name__icontains=search)
    folded = normalize_query(search)
    if folded:
        customers |= Q(normalized_name__contains=folded)
    return Q(customer_id__in=Customer.objects.filter(customers).values("pk"))


@dataclass(frozen=True)
class QuoteStats:
    open_count: int
    open_value_usd: Decimal
    expiring_this_week: int


def quote_stats(*, qs: QuerySet[Quote], today: date | None = None) -> QuoteStats:
    """Open quotes (draft to sent), their value in USD, and how many expire within 7 days:
    one query."""
    today = today or timezone.localdate()
    # Counting columns of the index quote_status_cover (not the pk) lets PostgreSQL answer
    # from the index alone.
    totals = qs.filter(status__in=OPEN_STATUSES).aggregate(
        open_count=Count("status"),
        open_value=Sum("total_usd"),
        expiring=Count(
            "valid_until",
            filter=Q(valid_until__gte=today, valid_until__lte=today + timedelta(days=7)),
        ),
    )
    return QuoteStats(
        open_count=totals["open_count"],
        open_value_usd=totals["open_value"] or Decimal("0.00"),
        expiring_this_week=totals["expiring"],
    )


# The columns an API list outputs of each line (quotes.api.serializers.QuoteLineSerializer).
LINE_ROW_FIELDS = (
    "quote_id",
    "position",
    "product_code",
    "product_name",
    "hs_code",
    "standard",
    "quantity_mt",
    "unit_price_usd_per_mt",
    "discount_percent",
    "goods_value_usd",
    "term_price_per_mt",
)


def quote_line_rows_attach(*, quotes: Sequence[Quote]) -> None:
    """Give each quote ``line_rows``: its lines in position order as named tuples of
    ``LINE_ROW_FIELDS``, all in one query (none for no quotes). For lists; the serializer
    reads ``line_rows`` when present. Not a prefetch, which builds model instances, a
    queryset per quote and a quote <-> line reference cycle per quote: on a 200-quote API
    page this cut the objects left to the garbage collector from ~6,400 to ~2,700 and the
    median time by ~10% (bench/lists.py, docs/performance.md)."""
    rows: dict[int, list[Any]] = defaultdict(list)
    ids = [quote.pk for quote in quotes]
    lines = QuoteLine.objects.filter(quote_id__in=ids).order_by("quote_id", "position")
    for line in lines.values_list(*LINE_ROW_FIELDS, named=True):
        rows[line.quote_id].append(line)
    for quote in quotes:
        quote.line_rows = rows.get(quote.pk, [])


def quotes_expiring_soon(
    *, user: User, days: int = 7, today: date | None = None, limit: int = 20
) -> list[Quote]:
    """My open quotes whose validity ends within ``days`` (today included), soonest first."""
    today = today or timezone.localdate()
    return list(
        quote_list_visible(user=user)
        .filter(
            owner=user,
            status__in=OPEN_STATUSES,
            valid_until__gte=today,
            valid_until__lte=today + timedelta(days=days),
        )
        .select_related("customer")
        .order_by("valid_until", "id")[:limit]
    )


def quotes_for_customer(*, user: User, customer: Customer, limit: int = 20) -> list[Quote]:
    """A customer's live quotes (no superseded versions), newest first."""
    return list(
        quote_list_visible(user=user)
        .filter(customer=customer)
        .exclude(status=QuoteStatus.SUPERSEDED)
        .select_related("owner")
        .order_by("-created_at", "-id")[:limit]
    )


def quotes_awaiting_approval(*, user: User) -> QuerySet[Quote]:
    """The approval queue: quotes pending approval, waiting longest first (managers only)."""
    if not user.has_perm("quotes.approve_quote"):
        return Quote.objects.none()
    return (
        quote_list_visible(user=user)
        .filter(status=QuoteStatus.PENDING_APPROVAL)
        .select_related("customer", "owner", "created_by")
        .order_by(F("submitted_at").asc(nulls_first=True), "updated_at", "id")
    )


def quote_approvers(*, quote: Quote) -> list[User]:
    """The active managers and admins who may approve this quote (not its own rep)."""
    return list(
        User.objects.filter(is_active=True)
        .filter(Q(is_superuser=True) | Q(groups__name__in=[Role.SALES_MANAGER, Role.ADMIN]))
        .exclude(pk__in=[quote.owner_id, quote.created_by_id])
        .distinct()
        .order_by("username")
    )


def quotes_waiting_count(*, user: User) -> int:
    """How many quotes wait for this manager's approval (the navigation badge): 1 query."""
    if not user.has_perm("quotes.approve_quote"):
        return 0
    return (
        quote_list_visible(user=user)
        .filter(status=QuoteStatus.PENDING_APPROVAL)
        .exclude(owner=user)
        .exclude(created_by=user)
        .count()
    )


def quote_events(*, quote: Quote) -> QuerySet[QuoteEvent]:
    return quote.events.select_related("by").order_by("at", "id")


def quote_terms_defaults(*, customer: Customer) -> dict[str, str]:
    """A quote's terms when the rep gives none: the customer's quoting defaults, else CIF
    and USD (the one place these defaults are written)."""
    return {
        "incoterm": customer.default_incoterm or "CIF",
        "destination_port": customer.default_destination_port,
        "currency": customer.default_currency or "USD",
    }


def quote_defaults_for(*, customer: Customer) -> dict[str, Any]:
    """What a new quote for this customer starts with: its quoting defaults and its primary
    contact, or the first other one who has not opted out of email (1 query)."""
    contact = (
        customer.contacts.filter(email_opt_out=False).order_by("-is_primary", "name", "id").first()
    )
    return {
        **quote_terms_defaults(customer=customer),
        "payment_terms": customer.payment_terms,
        "contact": contact,
    }


# ------------------------------------------------------------------ translation gaps


def translation_gaps(*, quote: Quote, language: str) -> list[str]:
    """What a send of ``quote`` in ``language`` prints in English for want of a translation
    (docs/i18n.md "Master data and order documents"), one sentence per item for the rep:
    the terms template's clauses and the bank's instructions as the quote's snapshot holds
    them, each grade's texts as the catalogue has them now. Empty for English. Two queries.
    """
    from django.utils.translation import get_language_info

    from mgtrade.i18n import ENGLISH
    from mgtrade.translations import missing_fields, snapshot_missing
    from products.models import Product
    from products.selectors import GRADE_TEXT_FIELDS

    from .terms import CLAUSE_KEYS
    from .translation import BANK_TEXT_FIELDS

    if language == ENGLISH:
        return []
    name = get_language_info(language)["name"]
    gaps: list[str] = []
    terms = quote.commercial_terms or {}
    if snapshot_missing(terms, CLAUSE_KEYS, language):
        gaps.append(
            f"No {name} text for terms template “{terms.get('template_name', '')}”; "
            "English will be sent."
        )
    bank = terms.get("bank") or {}
    if snapshot_missing(bank, BANK_TEXT_FIELDS, language):
        gaps.append(
            f"No {name} payment instructions for the {bank.get('currency', '')} account at "
            f"{bank.get('bank_name', '')}; English will be sent."
        )
    product_ids = quote.lines.values_list("product_id", flat=True)
    for product in Product.objects.filter(pk__in=product_ids).order_by("code"):
        missing = missing_fields(product, GRADE_TEXT_FIELDS, language)
        if missing:
            words = [{"name": "name", "form": "form", "packaging": "packing"}[f] for f in missing]
            what = " and ".join(filter(None, [", ".join(words[:-1]), words[-1]]))
            gaps.append(f"No {name} {what} for grade {product.code}; English will be sent.")
    return gaps


def quote_sent_language(*, quote: Quote) -> str:
    """The language the buyer reads ``quote`` in: the one its PDF was sent in (the rep may
    have chosen it), else its contact's (``mgtrade.i18n.buyer_language``). The buyer's page,
    the e-mails that follow and the deal's documents all default to it."""
    sent = QuoteDelivery.objects.filter(quote=quote).values_list("language", flat=True).first()
    if sent:
        return sent
    return buyer_language(contact_language=quote.contact.language if quote.contact else None)
