from django.conf import settings
from django.urls import reverse

# (label, url name): the layout's main navigation, the same for every role.
MAIN_NAV = [
    ("My day", "customers:my_day"),
    ("Customers", "customers:list"),
    ("Quotes", "quotes:list"),
    ("Contracts", "orders:list"),
    ("Shipments", "orders:shipments"),
    ("Price calculator", "quotes:calculator"),
    ("Catalogue", "products:catalogue"),
    ("Tariffs", "tariffs:rules"),
    ("Reports", "reports:dashboard"),
]


def roles(request):
    """Role flags and the main navigation for the layout."""
    user = getattr(request, "user", None)
    is_authenticated = bool(user and user.is_authenticated)
    nav = []
    if is_authenticated:
        path = request.path
        nav = [{"label": label, "url": reverse(name), "active": False} for label, name in MAIN_NAV]
        # Highlight only the most specific match (/customers/my-day/ is My day, not Customers).
        matches = [item for item in nav if path.startswith(item["url"])]
        if matches:
            max(matches, key=lambda item: len(item["url"]))["active"] = True
    return {
        "is_manager": is_authenticated and user.is_manager,
        "is_admin": is_authenticated and user.is_admin,
        "main_nav": nav,
        "MGTRADE_COMPANY_NAME": settings.MGTRADE["COMPANY_NAME"],
    }
