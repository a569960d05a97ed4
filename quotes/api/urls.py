from django.urls import path
from rest_framework.routers import SimpleRouter

from .views import PricingPreviewView, QuoteViewSet

# quotes/, quotes/{id}/ and the actions revise/ submit/ approve/ return/ accept/ reject/
# clone/ events/. The sending issue adds send/ and pdf/ (as QuoteViewSet actions or paths).
router = SimpleRouter(trailing_slash=True)
router.register("quotes", QuoteViewSet, basename="quote")

urlpatterns = [
    path("pricing/preview/", PricingPreviewView.as_view(), name="pricing-preview"),
    *router.urls,
]
