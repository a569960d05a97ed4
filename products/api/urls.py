from rest_framework.routers import SimpleRouter

from .reference_views import (
    ExchangeRateViewSet,
    FreightRateViewSet,
    PortViewSet,
    TariffRuleViewSet,
)
from .views import ProductViewSet

router = SimpleRouter(trailing_slash=True)
router.register("products", ProductViewSet, basename="product")
router.register("ports", PortViewSet, basename="port")
router.register("freight-rates", FreightRateViewSet, basename="freight-rate")
router.register("fx-rates", ExchangeRateViewSet, basename="fx-rate")
router.register("tariff-rules", TariffRuleViewSet, basename="tariff-rule")
urlpatterns = router.urls
