from django.conf import settings
from django.urls import NoReverseMatch, reverse

# (label, url name, who sees it). Apps add their entries here as their pages land.
MAIN_NAV = [
    ("My day", "customers:my_day", "all"),
    ("Customers", "customers:list", "all"),
    ("Quotes", "quotes:list", "all"),
    ("Price calculator", "quotes:calculator", "all"),
    ("Catalogue", "products:catalogue", "all"),
]


def roles(request):
    """Role flags and the main navigation for the layout."""
    user = getattr(request, "user", None)
    is_authenticated = bool(user and user.is_authenticated)
    nav = []
    if is_authenticated:
        path = request.path
        for label, url_name, _audience in MAIN_NAV:
            try:
                url = reverse(url_name)
            except NoReverseMatch:
                continue  # the page's app is not installed yet
            nav.append({"label": label, "url": url, "active": False})
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
