from django.urls import path

from .views import PricingPreviewView

urlpatterns = [
    path("pricing/preview/", PricingPreviewView.as_view(), name="pricing-preview"),
]
