from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from mgtrade.accounts.views import TokenView, home

admin.site.site_header = "mgtrade administration"
admin.site.site_title = "mgtrade admin"

api_v1 = [
    path("auth/token/", TokenView.as_view(), name="api-token"),
    path("", include("products.api.urls")),
    path("", include("customers.api.urls")),
    path("", include("quotes.api.urls")),
    path("", include("orders.api.urls")),
]

urlpatterns = [
    path("", home, name="home"),
    path("accounts/", include("mgtrade.accounts.urls")),
    path("admin/", admin.site.urls),
    path("catalogue/", include("products.urls")),
    path("customers/", include("customers.urls")),
    path("quotes/", include("quotes.urls")),
    path("contracts/", include("orders.urls")),
    path("", include("quotes.delivery_urls")),  # send, PDF, delivery, notifications, outbox
    path("q/", include("quotes.public_urls")),  # the buyer's signed links (no login)
    path("api/v1/", include(api_v1)),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="api-schema"), name="api-docs"),
]

# MEDIA_ROOT (stored quote PDFs) is never served as files, not even with DEBUG on: a PDF is
# reached only through the views that check who may see it (quote_pdf, the buyer's link).
