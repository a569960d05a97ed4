"""Trigram indexes for the customer search (``customers.selectors.customer_search``), on
PostgreSQL only: ``LIKE '%…%'`` and ``UPPER(…) LIKE UPPER('%…%')`` (Django's ``contains`` and
``icontains``) use them for patterns of three characters or more. Other databases keep
scanning; the search gives the same results either way.

``pg_trgm`` is a trusted extension (PostgreSQL 13+): the database's owner may create it
without superuser rights (docs/deploy.md).
"""

from django.db import migrations

# (index, table, indexed expression): the expressions must match the SQL Django writes for
# the lookups, e.g. UPPER("customers_customer"."city"::text) for city__icontains.
INDEXES = [
    ("customer_name_trgm", "customers_customer", '"normalized_name"'),
    ("customer_city_trgm", "customers_customer", 'UPPER("city"::text)'),
    ("contact_name_trgm", "customers_contact", 'UPPER("name"::text)'),
    ("contact_email_trgm", "customers_contact", 'UPPER("email"::text)'),
]


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    for name, table, expression in INDEXES:
        schema_editor.execute(
            f'CREATE INDEX "{name}" ON "{table}" USING gin ({expression} gin_trgm_ops)'
        )


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name, _table, _expression in INDEXES:
        schema_editor.execute(f'DROP INDEX IF EXISTS "{name}"')


class Migration(migrations.Migration):
    dependencies = [("customers", "0002_last_activity_index")]

    operations = [migrations.RunPython(create, drop, elidable=False)]
