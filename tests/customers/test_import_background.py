"""A confirmed CSV import runs in the worker, row by row, with its progress on a page that
polls (docs/crm.md, "CSV import")."""

from datetime import timedelta
from unittest import mock

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils import timezone

from customers import services
from customers.models import Customer, CustomerImport, CustomerImportRow
from customers.tasks import customer_import_run_task, customer_imports_resume_task
from tests.customers.factories import CustomerFactory

pytestmark = pytest.mark.django_db

TEXT = """name,country,industry,owner,contact_name,contact_email
Rijnmond Metals B.V.,NL,steel_desulfurization,rep,Joost de Vries,joost@rijnmond.example
Great Lakes Alloys Inc.,US,aluminium_alloying,,,
Osaka Keikinzoku,JP,automotive,,,
"""


def _confirm(client):
    return client.post(reverse("customers:import"), {"csv_text": TEXT})


def test_confirm_queues_the_import_and_nothing_is_created_in_the_request(
    rep, manager_client, django_capture_on_commit_callbacks
):
    with (
        mock.patch.object(customer_import_run_task, "delay") as delay,
        django_capture_on_commit_callbacks(execute=True),
    ):
        response = _confirm(manager_client)
    job = CustomerImport.objects.get()
    delay.assert_called_once_with(job.pk)
    assert response.status_code == 302
    assert job.status == CustomerImport.Status.QUEUED and job.total_rows == 3
    assert list(job.rows.values_list("status", flat=True)) == ["pending"] * 3
    assert Customer.objects.count() == 0


def test_nothing_is_queued_before_the_transaction_commits(
    rep, manager, django_capture_on_commit_callbacks
):
    with mock.patch.object(customer_import_run_task, "delay") as delay:
        with django_capture_on_commit_callbacks(execute=False) as callbacks:
            services.customer_import_start(text=TEXT, by=manager)
        delay.assert_not_called()
        assert len(callbacks) == 1


def test_status_page_polls_while_queued_and_stops_when_done(rep, manager, manager_client):
    job = services.customer_import_start(text=TEXT, by=manager)
    url = reverse("customers:import_status", args=[job.pk])
    page = manager_client.get(url).content.decode()
    assert page.count("<h1>") == 1
    assert 'hx-trigger="every 1s"' in page and "0 of 3" in page
    customer_import_run_task(job.pk)  # the worker
    partial = manager_client.get(url, HTTP_HX_REQUEST="true").content.decode()
    assert "<h1>" not in partial and "3 of 3" in partial and "Finished" in partial
    assert "hx-trigger" not in partial
    assert Customer.objects.count() == 3
    assert Customer.objects.get(name="Rijnmond Metals B.V.").contacts.get().is_primary


def test_running_twice_creates_each_customer_once(rep, manager):
    job = services.customer_import_start(text=TEXT, by=manager)
    services.customer_import_run(import_id=job.pk)
    CustomerImport.objects.filter(pk=job.pk).update(status=CustomerImport.Status.RUNNING)
    services.customer_import_run(import_id=job.pk)  # a redelivery after the worker died
    assert Customer.objects.count() == 3
    assert job.rows.filter(status=CustomerImportRow.Status.CREATED).count() == 3


def test_a_row_that_became_a_duplicate_fails_alone_and_is_listed(rep, manager, manager_client):
    job = services.customer_import_start(text=TEXT, by=manager)
    CustomerFactory(owner=rep, name="Osaka Keikinzoku", country="JP")  # created meanwhile
    job = services.customer_import_run(import_id=job.pk)
    assert job.status == CustomerImport.Status.DONE
    failed = job.rows.get(status=CustomerImportRow.Status.FAILED)
    assert failed.line == 4 and "already exists" in failed.error
    assert Customer.objects.count() == 3  # two imported + the one made meanwhile
    page = manager_client.get(reverse("customers:import_status", args=[job.pk])).content.decode()
    assert "1 row failed" in page and "already exists" in page


def test_only_managers_start_or_see_imports(rep, rep_client, manager):
    with pytest.raises(PermissionDenied):
        services.customer_import_start(text=TEXT, by=rep)
    job = services.customer_import_start(text=TEXT, by=manager)
    assert rep_client.get(reverse("customers:import_status", args=[job.pk])).status_code == 403


def test_the_sweep_requeues_imports_the_broker_never_got(rep, manager):
    stuck = services.customer_import_start(text=TEXT, by=manager)
    CustomerImport.objects.filter(pk=stuck.pk).update(
        updated_at=timezone.now() - timedelta(minutes=2)
    )
    fresh = services.customer_import_start(
        text=TEXT.replace("Rijnmond", "Noord")
        .replace("joost", "jan")
        .replace("Lakes", "Plains")
        .replace("Osaka", "Kobe"),
        by=manager,
    )
    with mock.patch.object(customer_import_run_task, "delay") as delay:
        assert customer_imports_resume_task() == 1
    delay.assert_called_once_with(stuck.pk)
    assert fresh.pk != stuck.pk


def test_a_broker_outage_at_commit_leaves_the_import_queued(
    rep, manager_client, django_capture_on_commit_callbacks
):
    with (
        mock.patch.object(customer_import_run_task, "delay", side_effect=OSError("down")),
        django_capture_on_commit_callbacks(execute=True),
    ):
        response = _confirm(manager_client)
    assert response.status_code == 302
    assert CustomerImport.objects.get().status == CustomerImport.Status.QUEUED


def test_status_page_query_count_does_not_grow_with_rows(
    rep, manager, manager_client, django_assert_max_num_queries
):
    job = services.customer_import_start(text=TEXT, by=manager)
    services.customer_import_run(import_id=job.pk)
    with django_assert_max_num_queries(12):
        manager_client.get(reverse("customers:import_status", args=[job.pk]))
