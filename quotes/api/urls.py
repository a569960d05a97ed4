from django.urls import path
from rest_framework.routers import SimpleRouter

from quotes.sending.api import QuoteDeliveryView, QuotePdfView, QuoteSendView

from .views import PricingPreviewView, QuoteViewSet

# quotes/, quotes/{id}/ and the actions revise/ submit/ approve/ return/ accept/ reject/
# clone/ events/; sending's send/, pdf/ and delivery/ come from quotes.sending.api.
router = SimpleRouter(trailing_slash=True)
router.register("quotes", QuoteViewSet, basename="quote")

urlpatterns = [
    path("pricing/preview/", PricingPreviewView.as_view(), name="pricing-preview"),
    path("quotes/<int:pk>/send/", QuoteSendView.as_view(), name="quote-send"),
    path("quotes/<int:pk>/pdf/", QuotePdfView.as_view(), name="quote-pdf"),
    path("quotes/<int:pk>/delivery/", QuoteDeliveryView.as_view(), name="quote-delivery"),
    *router.urls,
]
