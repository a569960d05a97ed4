from rest_framework.routers import SimpleRouter

from .api import TariffChangeEventViewSet, TariffScenarioViewSet

router = SimpleRouter(trailing_slash=True)
router.register("tariff-changes", TariffChangeEventViewSet, basename="tariff-change")
router.register("tariff-scenarios", TariffScenarioViewSet, basename="tariff-scenario")
urlpatterns = router.urls
