"""What each role may do, as Django permissions on groups.

Patterns are ``app_label.codename`` with shell wildcards. Add a line here when an app
gains a model or a custom permission; ``roles_sync`` applies it after every migrate.
"""

from .models import Role

# Contracts, proformas, payments and L/Cs: sales roles work them (visibility and who may
# write off are the services' rules); bank accounts are the admins'.
ORDERS_SALES = [
    "orders.view_*",
    "orders.add_salescontract",
    "orders.change_salescontract",
    "orders.add_proforma",
    "orders.change_proforma",
    "orders.add_payment",
    "orders.change_payment",
    "orders.add_letterofcredit",
    "orders.change_letterofcredit",
    "orders.add_shipment",
    "orders.change_shipment",
    "orders.add_lotallocation",
    "orders.delete_lotallocation",
    "orders.add_container",
    "orders.add_customerspeclimit",
    "orders.change_customerspeclimit",
]

ROLE_PERMISSIONS: dict[str, list[str]] = {
    Role.SALES_REP: [
        "products.view_*",
        "customers.view_*",
        "customers.add_*",
        "customers.change_*",
        "quotes.view_quote*",
        "quotes.add_quote*",
        "quotes.change_quote*",
        *ORDERS_SALES,
    ],
    Role.SALES_MANAGER: [
        "products.view_*",
        "quotes.view_*",
        "customers.*",
        "quotes.add_quote*",
        "quotes.change_quote*",
        "quotes.approve_quote",
        *ORDERS_SALES,
        "accounts.view_user",
    ],
    # QC enters lots and analyses (the services check the role); reads contracts' lots.
    Role.QC: [
        "products.view_*",
        "orders.view_lot",
        "orders.add_lot",
        "orders.change_lot",
        "orders.view_lotanalysis",
        "orders.add_lotanalysis",
        "orders.change_lotanalysis",
        "orders.view_customerspeclimit",
        "orders.add_customerspeclimit",
        "orders.change_customerspeclimit",
    ],
    Role.ADMIN: [
        "accounts.*",
        "auth.*",
        "knox.*",
        "axes.*",
        "products.*",
        "customers.*",
        "quotes.*",
        "orders.*",
    ],
}
