"""Reads: who sees which customers, the list with search/filters, timelines, history."""

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from django.db.models import Count, Prefetch, Q, QuerySet
from django.db.models.functions import Lower
from django.utils import timezone

from mgtrade.accounts.models import Role, User

from .models import Activity, Contact, Customer, CustomerImport, CustomerImportRow
from .normalize import normalize_query

# Sort keys the list accepts (page and API); the id breaks ties so pages are stable.
SORTS: dict[str, tuple[str, ...]] = {
    "name": ("normalized_name", "id"),
    "-name": ("-normalized_name", "-id"),
    "country": ("country", "normalized_name", "id"),
    "-country": ("-country", "-normalized_name", "-id"),
    "status": ("status", "normalized_name", "id"),
    "-status": ("-status", "-normalized_name", "-id"),
    "updated": ("updated_at", "id"),
    "-updated": ("-updated_at", "-id"),
    "last_activity": ("last_activity_on", "id"),
    "-last_activity": ("-last_activity_on", "-id"),
}
DEFAULT_SORT = "name"


def customer_list_visible(*, user: User) -> QuerySet[Customer]:
    """The one visibility rule: managers and admins see every customer, anyone else their own."""
    if not user or not user.is_authenticated:
        return Customer.objects.none()
    if user.is_manager:
        return Customer.objects.all()
    return Customer.objects.filter(owner=user)


def contact_list_visible(*, user: User | None) -> QuerySet[Contact]:
    """Contacts of the customers the user may see."""
    return Contact.objects.filter(customer__in=customer_list_visible(user=user))


def customer_get_visible(*, user: User, pk: int) -> Customer:
    """A customer the user may see; ``Customer.DoesNotExist`` otherwise (→ 404)."""
    return customer_list_visible(user=user).select_related("owner").get(pk=pk)


def customer_search(*, qs: QuerySet[Customer], query: str) -> QuerySet[Customer]:
    """Name (normalized), city, or a contact's name or email contains the query.

    Written as ``id IN (matching customers UNION customers of matching contacts)`` rather
    than one OR across the two tables, so that on PostgreSQL each condition can use its
    trigram index (migration ``0003_search_trigram_indexes``) instead of scanning both tables.
    """
    query = (query or "").strip()
    if not query:
        return qs
    folded = normalize_query(query)
    own = Q(city__icontains=query)
    if folded:
        own |= Q(normalized_name__contains=folded)
    customers = Customer.objects.filter(own).order_by().values("pk")
    contacts = (
        Contact.objects.filter(Q(name__icontains=query) | Q(email__icontains=query))
        .order_by()
        .values("customer_id")
    )
    return qs.filter(pk__in=customers.union(contacts, all=True))  # IN needs no dedup


def customer_list(
    *,
    user: User,
    region: str | None = None,
    country: str | None = None,
    industry: str | None = None,
    status: str | None = None,
    owner: int | str | None = None,
    search: str | None = None,
    sort: str | None = None,
    with_primary_contact: bool = True,
) -> QuerySet[Customer]:
    """Visible customers, filtered and sorted, with the owner (joined) and the primary
    contact (one extra query): a fixed number of queries a page, whatever its size."""
    qs = customer_list_visible(user=user)
    filters = {
        "region": region,
        "country": (country or "").upper() or None,
        "industry": industry,
        "status": status,
        "owner_id": owner,
    }
    qs = qs.filter(**{k: v for k, v in filters.items() if v not in (None, "")})
    qs = customer_search(qs=qs, query=search or "")
    ordering = SORTS.get(sort or DEFAULT_SORT, SORTS[DEFAULT_SORT])
    qs = qs.select_related("owner").order_by(*ordering)
    if with_primary_contact:
        qs = qs.prefetch_related(
            Prefetch(
                "contacts",
                queryset=Contact.objects.filter(is_primary=True),
                to_attr="primary_contacts",
            )
        )
    return qs


def customer_duplicates(
    *, normalized_name: str, duplicate_key: str, country: str, exclude_pk: int | None = None
) -> list[Customer]:
    """Customers in ``country`` with the same normalized name or the same duplicate key
    (look-alikes folded), oldest first, at most 5."""
    same = Q(normalized_name=normalized_name)
    if duplicate_key:
        same |= Q(duplicate_key=duplicate_key)
    qs = Customer.objects.filter(same, country=country.upper())
    if exclude_pk:
        qs = qs.exclude(pk=exclude_pk)
    return list(qs.select_related("owner").order_by("id")[:5])


def customers_matching_names(
    *, keys: Iterable[tuple[str, str, str]], chunk: int = 500
) -> dict[tuple[str, str, str], Customer]:
    """For many ``(normalized_name, duplicate_key, country)`` at once (a CSV file): the
    oldest existing customer per ``("name", normalized_name, country)`` and per
    ``("key", duplicate_key, country)``. One query per ``chunk`` keys."""
    keys = list(keys)
    found: dict[tuple[str, str, str], Customer] = {}
    for start in range(0, len(keys), chunk):
        part = keys[start : start + chunk]
        qs = (
            Customer.objects.filter(
                Q(normalized_name__in={k[0] for k in part})
                | Q(duplicate_key__in={k[1] for k in part}),
                country__in={k[2].upper() for k in part},
            )
            .only("pk", "name", "country", "normalized_name", "duplicate_key")
            .order_by("id")
        )
        for customer in qs:
            country = str(customer.country)
            found.setdefault(("name", customer.normalized_name, country), customer)
            if customer.duplicate_key:
                found.setdefault(("key", customer.duplicate_key, country), customer)
    return found


def contacts_by_emails(*, emails: Iterable[str], chunk: int = 500) -> dict[str, Contact]:
    """Existing contacts by (lower-case) email, for many emails at once (a CSV file)."""
    emails = sorted({e.lower() for e in emails})
    found: dict[str, Contact] = {}
    for start in range(0, len(emails), chunk):
        qs = (
            Contact.objects.annotate(email_lower=Lower("email"))
            .filter(email_lower__in=emails[start : start + chunk])
            .only("pk", "email", "customer_id")
            .order_by("id")
        )
        for contact in qs:
            found.setdefault(contact.email.lower(), contact)
    return found


def contact_email_elsewhere(*, email: str, customer_pk: int | None) -> list[Contact]:
    qs = Contact.objects.filter(email__iexact=email).select_related("customer__owner")
    if customer_pk:
        qs = qs.exclude(customer_id=customer_pk)
    return list(qs.order_by("id")[:5])


def customer_contacts(*, customer: Customer) -> QuerySet[Contact]:
    return customer.contacts.order_by("-is_primary", "name", "id")


def customer_timeline(*, customer: Customer) -> QuerySet[Activity]:
    """One timeline of activities, newest first (quotes join it once they exist)."""
    return customer.activities.select_related("logged_by", "contact").order_by(
        "-date", "-created_at", "-id"
    )


def activity_get_visible(*, user: User, pk: int) -> Activity:
    return Activity.objects.select_related("customer", "customer__owner", "contact").get(
        pk=pk, customer__in=customer_list_visible(user=user)
    )


def _my_follow_ups(*, user: User) -> QuerySet[Activity]:
    """Open follow-ups on my customers, or that I logged on a customer I can still see (a
    rep's follow-ups on a customer since reassigned go with the customer)."""
    return Activity.objects.filter(
        Q(customer__owner=user) | Q(logged_by=user),
        customer__in=customer_list_visible(user=user),
        done=False,
        follow_up_on__isnull=False,
    ).select_related("customer", "contact", "logged_by")


@dataclass
class MyDay:
    today: date
    overdue: list[Activity] = field(default_factory=list)
    due_today: list[Activity] = field(default_factory=list)
    upcoming: list[Activity] = field(default_factory=list)
    recent: list[Customer] = field(default_factory=list)


def my_day(*, user: User, today: date | None = None, recent_limit: int = 10) -> MyDay:
    """Overdue and due-today follow-ups (and the next week's), and recently touched accounts."""
    today = today or timezone.localdate()
    follow_ups = _my_follow_ups(user=user).filter(follow_up_on__lte=today + timedelta(days=7))
    day = MyDay(today=today)
    for activity in follow_ups.order_by("follow_up_on", "customer__name", "id")[:200]:
        if activity.follow_up_on < today:
            day.overdue.append(activity)
        elif activity.follow_up_on == today:
            day.due_today.append(activity)
        else:
            day.upcoming.append(activity)
    day.recent = list(
        Customer.objects.filter(owner=user)
        .select_related("owner")
        .order_by("-updated_at", "-id")[:recent_limit]
    )
    return day


def owner_choices() -> QuerySet[User]:
    """Users who can own customers: active reps and managers."""
    return (
        User.objects.filter(is_active=True, groups__name__in=[Role.SALES_REP, Role.SALES_MANAGER])
        .distinct()
        .order_by("first_name", "last_name", "username")
    )


@dataclass
class HistoryEntry:
    when: Any
    who: Any
    kind: str
    reason: str
    changes: list[tuple[str, Any, Any]]


def customer_history(*, customer: Customer) -> list[HistoryEntry]:
    """The audit history, newest first, each entry with the fields it changed."""
    records = list(customer.history.select_related("history_user").order_by("-history_date"))
    labels = {f.name: f.verbose_name for f in Customer._meta.get_fields() if hasattr(f, "attname")}
    owners = {u.pk: str(u) for u in User.objects.filter(pk__in={r.owner_id for r in records})}
    kinds = {"+": "created", "~": "changed", "-": "deleted"}
    entries = []
    for index, record in enumerate(records):
        older = records[index + 1] if index + 1 < len(records) else None
        changes = []
        if older is not None:
            for change in record.diff_against(older).changes:
                old, new = change.old, change.new
                if change.field == "owner":
                    old, new = owners.get(old, old), owners.get(new, new)
                changes.append((str(labels.get(change.field, change.field)), old, new))
        entries.append(
            HistoryEntry(
                when=record.history_date,
                who=record.history_user,
                kind=kinds.get(record.history_type, record.history_type),
                reason=record.history_change_reason or "",
                changes=changes,
            )
        )
    return entries


@dataclass(frozen=True)
class ImportProgress:
    customer_import: CustomerImport
    created: int
    failed: int
    failures: list[CustomerImportRow]

    @property
    def done(self) -> int:
        return self.created + self.failed

    @property
    def finished(self) -> bool:
        return self.customer_import.status == CustomerImport.Status.DONE


def customer_import_progress(*, import_id: int, failures_limit: int = 200) -> ImportProgress:
    """An import with its row counts and first failed rows (3 queries, any size)."""
    job = CustomerImport.objects.select_related("created_by").get(pk=import_id)
    counts = dict(
        job.rows.order_by().values_list("status").annotate(n=Count("id")).values_list("status", "n")
    )
    failures = list(
        job.rows.filter(status=CustomerImportRow.Status.FAILED).order_by("line")[:failures_limit]
    )
    return ImportProgress(
        customer_import=job,
        created=counts.get(CustomerImportRow.Status.CREATED, 0),
        failed=counts.get(CustomerImportRow.Status.FAILED, 0),
        failures=failures,
    )
