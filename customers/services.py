"""Every write to customers, contacts and activities goes through here."""

import logging
import zlib
from datetime import date, datetime, timedelta
from typing import Any

from celery import current_app
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, transaction
from django.db.models import ProtectedError, Q
from django.db.models.functions import Coalesce, Greatest
from django.utils import timezone

from mgtrade.accounts.models import User
from mgtrade.errors import StateConflict

from . import selectors
from .csvio import import_parse
from .models import (
    Activity,
    ActivityKind,
    Contact,
    Customer,
    CustomerImport,
    CustomerImportRow,
)
from .normalize import duplicate_key, normalize_name
from .regions import region_for

logger = logging.getLogger(__name__)

CUSTOMER_FIELDS = (
    "name",
    "country",
    "industry",
    "status",
    "default_incoterm",
    "default_destination_port",
    "default_currency",
    "payment_terms",
    "vat_id",
    "website",
    "address",
    "postal_code",
    "city",
    "notes",
)
CONTACT_FIELDS = (
    "name",
    "job_title",
    "email",
    "phone",
    "language",
    "is_primary",
    "email_opt_out",
)
ACTIVITY_FIELDS = ("kind", "date", "summary", "follow_up_on", "done", "contact")
# First key of the advisory locks that serialize customer names per country (PostgreSQL).
ADVISORY_LOCK_CUSTOMER_NAMES = 0x4D47_4355  # "MGCU"


class DuplicateError(ValidationError):
    """A likely duplicate: a field error that names the existing records (``existing``).

    Callers repeat the call with ``confirm_duplicate=True`` to go ahead anyway.
    """

    def __init__(self, *, field: str, message: str, existing: list):
        super().__init__({field: [message]})
        self.field = field
        self.existing = existing


def _check_fields(fields: dict[str, Any], allowed: tuple[str, ...]) -> None:
    unknown = set(fields) - set(allowed)
    if unknown:
        raise TypeError(f"Unknown fields: {sorted(unknown)}")


def _ensure_can_edit(*, customer: Customer, by: User) -> None:
    if not (by.is_manager or customer.owner_id == by.pk):
        raise PermissionDenied("You can only change your own customers.")


def _clean_customer_fields(fields: dict[str, Any]) -> dict[str, Any]:
    fields = dict(fields)
    for key in CUSTOMER_FIELDS:
        if isinstance(fields.get(key), str):
            fields[key] = fields[key].strip()
    for key in ("country", "default_destination_port", "default_currency"):
        if fields.get(key):
            fields[key] = str(fields[key]).upper()
    return fields


def _derive(customer: Customer) -> None:
    customer.normalized_name = normalize_name(customer.name)[:200]
    customer.duplicate_key = duplicate_key(customer.name)
    try:
        customer.region = region_for(str(customer.country))
    except ValueError:
        customer.region = ""  # full_clean reports the country itself


def _duplicate_message(*, existing: list[Customer], by: User) -> str:
    first = existing[0]
    visible = by.is_manager or first.owner_id == by.pk
    label = f"“{first.name}”" if visible else f"owned by {first.owner}"
    more = f" (and {len(existing) - 1} more)" if len(existing) > 1 else ""
    return (
        f"A customer with this name already exists in {first.country.name}: "
        f"#{first.pk} {label}{more}. Check it first, or confirm to create this one anyway."
    )


def _lock_country_names(country: str) -> None:
    """Serialize creations and renames of customers in one country until the transaction
    ends, so two at the same moment cannot both pass the duplicate check.

    PostgreSQL: a transaction-level advisory lock per country. SQLite needs none: its write
    transactions start IMMEDIATE (settings), one at a time.
    """
    if connection.vendor != "postgresql":
        return
    key = zlib.crc32(country.upper().encode()) - 2**31  # into int4's range
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(%s, %s)", [ADVISORY_LOCK_CUSTOMER_NAMES, key])


def _guard_customer_duplicate(*, customer: Customer, by: User, confirm: bool) -> None:
    _lock_country_names(str(customer.country))
    if confirm:
        return
    existing = selectors.customer_duplicates(
        normalized_name=customer.normalized_name,
        duplicate_key=customer.duplicate_key,
        country=str(customer.country),
        exclude_pk=customer.pk,
    )
    if existing:
        raise DuplicateError(
            field="name", message=_duplicate_message(existing=existing, by=by), existing=existing
        )


@transaction.atomic
def customer_create(
    *, by: User, owner: User | None = None, confirm_duplicate: bool = False, **fields: Any
) -> Customer:
    """Create a customer owned by ``owner`` (default: ``by``; only managers pick another).

    A customer with the same normalized name in the same country raises ``DuplicateError``
    unless ``confirm_duplicate`` is true.
    """
    _check_fields(fields, CUSTOMER_FIELDS)
    owner = owner or by
    if owner.pk != by.pk and not by.is_manager:
        raise PermissionDenied("Only a manager can create a customer for another rep.")
    customer = Customer(owner=owner, **_clean_customer_fields(fields))
    _derive(customer)
    customer.full_clean()
    _guard_customer_duplicate(customer=customer, by=by, confirm=confirm_duplicate)
    customer.updated_at = timezone.now()
    customer._history_user = by
    customer.save()
    return customer


@transaction.atomic
def customer_update(
    *, customer: Customer, by: User, confirm_duplicate: bool = False, **fields: Any
) -> Customer:
    """Change a customer's facts and defaults (the owner changes only by ``customer_reassign``)."""
    _check_fields(fields, CUSTOMER_FIELDS)
    _ensure_can_edit(customer=customer, by=by)
    old_key = (customer.normalized_name, customer.duplicate_key, str(customer.country))
    for name, value in _clean_customer_fields(fields).items():
        setattr(customer, name, value)
    _derive(customer)
    customer.full_clean()
    if (customer.normalized_name, customer.duplicate_key, str(customer.country)) != old_key:
        _guard_customer_duplicate(customer=customer, by=by, confirm=confirm_duplicate)
    customer.updated_at = timezone.now()
    customer._history_user = by
    customer.save()
    return customer


@transaction.atomic
def customer_reassign(*, customer: Customer, owner: User, by: User, note: str = "") -> Customer:
    """Give a customer to another rep (managers only); logged as a note and in the history."""
    if not by.is_manager:
        raise PermissionDenied("Only a manager can reassign a customer.")
    if not owner.is_active:
        raise ValidationError({"owner": "This user is inactive; pick an active rep."})
    customer = Customer.objects.select_for_update().select_related("owner").get(pk=customer.pk)
    previous = customer.owner
    if previous.pk == owner.pk:
        return customer
    customer.owner = owner
    customer.updated_at = timezone.now()
    customer._history_user = by
    customer._change_reason = f"Reassigned from {previous} to {owner}"
    customer.save()
    summary = f"Owner changed from {previous} to {owner} by {by}."
    if note.strip():
        summary += f" {note.strip()}"
    Activity.objects.create(
        customer=customer, kind=ActivityKind.NOTE, summary=summary, logged_by=by
    )
    return customer


@transaction.atomic
def customer_change(
    *,
    customer: Customer,
    by: User,
    owner: User | None = None,
    confirm_duplicate: bool = False,
    **fields: Any,
) -> Customer:
    """Change a customer's facts and, if ``owner`` differs, reassign it: all or nothing (a
    refused reassignment keeps the other changes out too). The API's PATCH and PUT."""
    if fields:
        customer = customer_update(
            customer=customer, by=by, confirm_duplicate=confirm_duplicate, **fields
        )
    if owner is not None and owner.pk != customer.owner_id:
        customer = customer_reassign(customer=customer, owner=owner, by=by)
    return customer


# Contacts ---------------------------------------------------------------------------


def _clean_contact_fields(fields: dict[str, Any]) -> dict[str, Any]:
    fields = dict(fields)
    for key in ("name", "job_title", "phone", "email"):
        if isinstance(fields.get(key), str):
            fields[key] = fields[key].strip()
    if fields.get("email"):
        fields["email"] = fields["email"].lower()
    return fields


def _guard_contact_email(*, contact: Contact, by: User, confirm: bool) -> None:
    if not contact.email:
        return
    same = (
        Contact.objects.filter(customer_id=contact.customer_id, email__iexact=contact.email)
        .exclude(pk=contact.pk)
        .first()
    )
    if same:
        raise ValidationError(
            {"email": f"{contact.email} is already the email of {same.name} at this customer."}
        )
    if confirm:
        return
    elsewhere = selectors.contact_email_elsewhere(
        email=contact.email, customer_pk=contact.customer_id
    )
    if elsewhere:
        other = elsewhere[0]
        customer = other.customer
        visible = by.is_manager or customer.owner_id == by.pk
        where = f"#{customer.pk} “{customer.name}”" if visible else f"#{customer.pk}"
        raise DuplicateError(
            field="email",
            message=(
                f"{contact.email} is already a contact ({other.name}) at customer {where}. "
                "Check it first, or confirm to add this contact anyway."
            ),
            existing=[customer],
        )


def _lock_customer(customer: Customer) -> Customer:
    return Customer.objects.select_for_update().get(pk=customer.pk)


@transaction.atomic
def contact_create(
    *, customer: Customer, by: User, confirm_duplicate: bool = False, **fields: Any
) -> Contact:
    """Add a contact. The first contact becomes primary; a new primary demotes the old one."""
    _check_fields(fields, CONTACT_FIELDS)
    _ensure_can_edit(customer=customer, by=by)
    _lock_customer(customer)  # serializes the primary rule per customer
    contact = Contact(customer=customer, **_clean_contact_fields(fields))
    contact.full_clean(exclude=["customer"], validate_constraints=False)
    _guard_contact_email(contact=contact, by=by, confirm=confirm_duplicate)
    has_primary = customer.contacts.filter(is_primary=True).exists()
    if not has_primary:
        contact.is_primary = True
    elif contact.is_primary:
        customer.contacts.filter(is_primary=True).update(is_primary=False)
    contact.save()
    _touch(customer_pk=customer.pk)
    return contact


@transaction.atomic
def contact_update(
    *, contact: Contact, by: User, confirm_duplicate: bool = False, **fields: Any
) -> Contact:
    _check_fields(fields, CONTACT_FIELDS)
    _ensure_can_edit(customer=contact.customer, by=by)
    _lock_customer(contact.customer)
    was_primary = Contact.objects.filter(pk=contact.pk, is_primary=True).exists()
    old_email = contact.email
    for name, value in _clean_contact_fields(fields).items():
        setattr(contact, name, value)
    contact.full_clean(exclude=["customer"], validate_constraints=False)
    if contact.email != old_email:
        _guard_contact_email(contact=contact, by=by, confirm=confirm_duplicate)
    if was_primary and not contact.is_primary:
        raise ValidationError(
            {
                "is_primary": "A customer needs one primary contact: make another contact "
                "primary instead."
            }
        )
    if contact.is_primary and not was_primary:
        Contact.objects.filter(customer_id=contact.customer_id, is_primary=True).update(
            is_primary=False
        )
    contact.save()
    _touch(customer_pk=contact.customer_id)
    return contact


@transaction.atomic
def contact_delete(*, contact: Contact, by: User) -> None:
    """Remove a contact; when it was the primary one, the oldest remaining contact takes over.

    A contact that a quote names (its recipient) stays: ``StateConflict`` names the quotes.
    Quotes are documents and keep who they were addressed to; edit the contact instead.
    """
    _ensure_can_edit(customer=contact.customer, by=by)
    _lock_customer(contact.customer)
    customer_pk, was_primary = contact.customer_id, contact.is_primary
    try:
        contact.delete()
    except ProtectedError as exc:
        names = sorted(str(obj) for obj in exc.protected_objects)
        shown = ", ".join(names[:5]) + (f" and {len(names) - 5} more" if len(names) > 5 else "")
        raise StateConflict(
            f"{contact.name} cannot be deleted: quotes are addressed to this contact "
            f"({shown}). Edit the contact instead (e.g. set the email opt-out)."
        ) from None
    if was_primary:
        successor = Contact.objects.filter(customer_id=customer_pk).order_by("id").first()
        if successor:
            successor.is_primary = True
            successor.save(update_fields=["is_primary", "updated_at"])
    _touch(customer_pk=customer_pk)


# Activities -------------------------------------------------------------------------


def _touch(*, customer_pk: int, activity_date: date | None = None) -> None:
    """Mark the account as touched (for "recently touched") without a history row."""
    updates: dict[str, Any] = {"updated_at": timezone.now()}
    if activity_date is not None:
        updates["last_activity_on"] = Greatest("last_activity_on", activity_date)
        Customer.objects.filter(pk=customer_pk, last_activity_on__isnull=True).update(
            last_activity_on=activity_date
        )
    Customer.objects.filter(pk=customer_pk).update(**updates)


def _check_activity(activity: Activity) -> None:
    activity.full_clean(exclude=["customer", "logged_by", "contact"])
    if activity.contact is not None and activity.contact.customer_id != activity.customer_id:
        raise ValidationError({"contact": "This contact belongs to another customer."})
    if activity.follow_up_on and activity.follow_up_on < activity.date and not activity.done:
        raise ValidationError(
            {"follow_up_on": "The follow-up date cannot be before the activity's date."}
        )


@transaction.atomic
def activity_log(
    *,
    customer: Customer,
    by: User,
    kind: str,
    summary: str,
    date: date | None = None,
    follow_up_on: date | None = None,
    contact: Contact | None = None,
    done: bool = False,
) -> Activity:
    """Log a call, email, meeting, visit or note, optionally with a follow-up date."""
    _ensure_can_edit(customer=customer, by=by)
    activity = Activity(
        customer=customer,
        kind=kind,
        summary=(summary or "").strip(),
        date=date or timezone.localdate(),
        follow_up_on=follow_up_on,
        contact=contact,
        logged_by=by,
        done=done,
        done_at=timezone.now() if done else None,
    )
    _check_activity(activity)
    activity.save()
    _touch(customer_pk=customer.pk, activity_date=activity.date)
    return activity


@transaction.atomic
def timeline_record(
    *, customer: Customer, summary: str, by: User | None = None, on: date | None = None
) -> Activity:
    """A fact another app records on the customer's timeline (an accepted quote, a confirmed
    contract, a payment): a done note, logged by ``by`` (``None``: the buyer or the system).
    Called by services that already checked who may act, so no permission check here."""
    activity = Activity(
        customer=customer,
        kind=ActivityKind.NOTE,
        summary=summary.strip(),
        date=on or timezone.localdate(),
        logged_by=by,
        done=True,
        done_at=timezone.now(),
    )
    _check_activity(activity)
    activity.save()
    _touch(customer_pk=customer.pk, activity_date=activity.date)
    return activity


@transaction.atomic
def activity_update(*, activity: Activity, by: User, **fields: Any) -> Activity:
    _check_fields(fields, ACTIVITY_FIELDS)
    _ensure_can_edit(customer=activity.customer, by=by)
    for name, value in fields.items():
        setattr(activity, name, value)
    if activity.done and activity.done_at is None:
        activity.done_at = timezone.now()
    if not activity.done:
        activity.done_at = None
    _check_activity(activity)
    activity.save()
    _touch(customer_pk=activity.customer_id, activity_date=activity.date)
    return activity


def activity_mark_done(*, activity: Activity, by: User) -> Activity:
    """Mark a follow-up done; doing it twice changes nothing."""
    _ensure_can_edit(customer=activity.customer, by=by)
    now = timezone.now()
    Activity.objects.filter(pk=activity.pk, done=False).update(done=True, done_at=now)
    activity.refresh_from_db(fields=["done", "done_at"])
    _touch(customer_pk=activity.customer_id)
    return activity


# CSV import -------------------------------------------------------------------------

# A queued import untouched this long gets its task sent again (the broker may have been
# down at commit time); a running one this long (its worker died) is picked up again.
IMPORT_REQUEUE_AFTER = timedelta(seconds=60)
IMPORT_STALE_AFTER = timedelta(minutes=10)


IMPORT_TASK = "customers.tasks.customer_import_run_task"


def _import_enqueue(import_id: int) -> None:
    # By the task's pinned name from the Celery registry (CustomersConfig.ready registers
    # customers.tasks), so this module never imports customers.tasks, which imports it.
    try:
        current_app.tasks[IMPORT_TASK].delay(import_id)
    except Exception:  # the broker is down: the resume sweep sends it again
        logger.exception("Could not queue customer import %s; the sweep will retry", import_id)


@transaction.atomic
def customer_import_start(*, text: str, by: User) -> CustomerImport:
    """Check every row of a customers CSV and queue the import of all of them.

    Any row error raises ``ValidationError`` and nothing is queued (the preview's rule: all
    rows valid, or no import). The rows are stored with the import; a worker creates them
    (``customer_import_run``) after this transaction commits.
    """
    if not by.is_manager:
        raise PermissionDenied("Only managers and admins import customers.")
    preview = import_parse(text=text, by=by)
    if not preview.ok:
        raise ValidationError(
            {
                "file": [f"Line {r.line}: {'; '.join(r.errors)}" for r in preview.rows if r.errors]
                or preview.errors
            }
        )
    job = CustomerImport.objects.create(created_by=by, total_rows=len(preview.rows))
    CustomerImportRow.objects.bulk_create(
        CustomerImportRow(
            customer_import=job,
            line=row.line,
            owner=row.owner,
            customer_fields=row.customer_fields,
            contact_fields=row.contact_fields,
        )
        for row in preview.rows
    )
    transaction.on_commit(lambda: _import_enqueue(job.pk))
    return job


def _import_one_row(*, row_id: int, by: User) -> None:
    """Create one row's customer (and contact) in its own transaction, once."""
    with transaction.atomic():
        row = (
            CustomerImportRow.objects.select_for_update()
            .select_related("owner")
            .filter(pk=row_id, status=CustomerImportRow.Status.PENDING)
            .first()
        )
        if row is None:  # done by an earlier (redelivered) run
            return
        try:
            with transaction.atomic():
                customer = customer_create(by=by, owner=row.owner, **row.customer_fields)
                if row.contact_fields:
                    contact_create(
                        customer=customer, by=by, confirm_duplicate=True, **row.contact_fields
                    )
        except (ValidationError, PermissionDenied) as exc:
            messages = (
                [f"{k}: {' '.join(v)}" for k, v in exc.message_dict.items()]
                if isinstance(exc, ValidationError) and hasattr(exc, "error_dict")
                else [str(m) for m in getattr(exc, "messages", [exc])]
            )
            row.status, row.error = CustomerImportRow.Status.FAILED, "; ".join(messages)
            row.save(update_fields=["status", "error"])
        else:
            row.status, row.customer = CustomerImportRow.Status.CREATED, customer
            row.save(update_fields=["status", "customer"])
        CustomerImport.objects.filter(pk=row.customer_import_id).update(updated_at=timezone.now())


def customer_import_run(*, import_id: int) -> CustomerImport | None:
    """Create the pending rows of an import, one transaction per row; safe to run again.

    A row that has become invalid since the preview (someone created the same customer
    meanwhile) is marked failed with the reason; the others go on.
    """
    now = timezone.now()
    claimed = CustomerImport.objects.filter(
        pk=import_id, status__in=[CustomerImport.Status.QUEUED, CustomerImport.Status.RUNNING]
    ).update(status=CustomerImport.Status.RUNNING, started_at=Coalesce("started_at", now))
    if not claimed:
        return CustomerImport.objects.filter(pk=import_id).first()  # gone or done
    job = CustomerImport.objects.select_related("created_by").get(pk=import_id)
    pending = job.rows.filter(status=CustomerImportRow.Status.PENDING).values_list("pk", flat=True)
    for row_id in list(pending):
        _import_one_row(row_id=row_id, by=job.created_by)
    CustomerImport.objects.filter(pk=import_id).update(
        status=CustomerImport.Status.DONE, finished_at=timezone.now()
    )
    job.refresh_from_db()
    return job


def customer_imports_resume(*, now: datetime | None = None) -> list[int]:
    """Send again the task of imports that never started (queued for a minute: the broker
    was down at commit) or whose worker died (running, no progress for ten minutes)."""
    now = now or timezone.now()
    ids = list(
        CustomerImport.objects.filter(
            Q(status=CustomerImport.Status.QUEUED, updated_at__lt=now - IMPORT_REQUEUE_AFTER)
            | Q(status=CustomerImport.Status.RUNNING, updated_at__lt=now - IMPORT_STALE_AFTER)
        ).values_list("pk", flat=True)
    )
    for import_id in ids:
        _import_enqueue(import_id)
    return ids
