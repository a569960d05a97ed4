from rest_framework.routers import SimpleRouter

from .shipping import CustomerSpecLimitViewSet, LotViewSet, ShipmentViewSet
from .views import ContractViewSet, LetterOfCreditViewSet, PaymentViewSet, ProformaViewSet

# contracts/ (+ confirm/ countersign/ start/ complete/ cancel/ balance-proforma/ events/),
# proformas/ (+ write-off/), payments/ (+ allocate/), letters-of-credit/ (+ amend/
# request-amendment/ accept/).
router = SimpleRouter(trailing_slash=True)
router.register("contracts", ContractViewSet, basename="contract")
router.register("proformas", ProformaViewSet, basename="proforma")
router.register("payments", PaymentViewSet, basename="payment")
router.register("letters-of-credit", LetterOfCreditViewSet, basename="letter-of-credit")
router.register("lots", LotViewSet, basename="lot")
router.register("shipments", ShipmentViewSet, basename="shipment")
router.register("customer-spec-limits", CustomerSpecLimitViewSet, basename="customer-spec-limit")

urlpatterns = router.urls
