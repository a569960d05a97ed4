from csp.constants import SELF, UNSAFE_INLINE
from csp.decorators import csp_update
from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from mgtrade.accounts.views import LogoutAllView, LogoutView, TokenView, home

handler404 = "mgtrade.api.not_found"  # JSON under /api/, the HTML page elsewhere

admin.site.site_header = "mgtrade administration"
admin.site.site_title = "mgtrade admin"

api_v1 = [
    path("auth/token/", TokenView.as_view(), name="api-token"),
    path("auth/logout/", LogoutView.as_view(), name="api-logout"),
    path("auth/logout-all/", LogoutAllView.as_view(), name="api-logout-all"),
    path("", include("products.api.urls")),
    path("", include("customers.api.urls")),
    path("", include("pricing.api.urls")),
    path("", include("quotes.api.urls")),
    path("", include("orders.api.urls")),
    path("", include("quotes.tariff_watch.api_urls")),
    path("", include("reports.api.urls")),
]

# Swagger UI under the Content-Security-Policy: the split view loads its start-up script from
# its own URL (no inline <script>; templates/drf_spectacular/swagger_ui.html has no inline
# style either), but Swagger UI's own markup carries style attributes and the sidecar's
# stylesheet uses data: images, so this view alone allows those two.
swagger_ui = csp_update({"style-src": [UNSAFE_INLINE], "img-src": [SELF, "data:"]})(
    SpectacularSwaggerSplitView.as_view(url_name="api-schema")
)

urlpatterns = [
    path("", home, name="home"),
    path("accounts/", include("mgtrade.accounts.urls")),
    path("admin/", admin.site.urls),
    path("catalogue/", include("products.urls")),
    path("tariffs/", include("products.tariff_urls")),
    path("tariffs/", include("quotes.tariff_watch.urls")),
    path("customers/", include("customers.urls")),
    path("quotes/", include("quotes.urls")),
    path("contracts/", include("orders.urls")),
    path("reports/", include("reports.urls")),
    path("", include("quotes.sending.urls")),  # send, PDF, delivery, notifications, outbox
    path("q/", include("quotes.public.urls")),  # the buyer's signed links (no login)
    path("api/v1/", include(api_v1)),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/docs/", swagger_ui, name="api-docs"),
]

# MEDIA_ROOT (stored quote PDFs) is never served as files, not even with DEBUG on: a PDF is
# reached only through the views that check who may see it (quote_pdf, the buyer's link).
