"""What each role may do, as Django permissions on groups.

Patterns are ``app_label.codename`` with shell wildcards. Add a line here when an app
gains a model or a custom permission; ``roles_sync`` applies it after every migrate.
"""

from .models import Role

ROLE_PERMISSIONS: dict[str, list[str]] = {
    Role.SALES_REP: [
        "products.view_*",
        "customers.view_*",
        "customers.add_*",
        "customers.change_*",
        "quotes.view_quote*",
        "quotes.add_quote*",
        "quotes.change_quote*",
    ],
    Role.SALES_MANAGER: [
        "products.view_*",
        "quotes.view_*",
        "customers.*",
        "quotes.add_quote*",
        "quotes.change_quote*",
        "quotes.approve_quote",
        "accounts.view_user",
    ],
    Role.ADMIN: [
        "accounts.*",
        "auth.*",
        "knox.*",
        "axes.*",
        "products.*",
        "customers.*",
        "quotes.*",
    ],
}
