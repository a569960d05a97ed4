from django.urls import path
from rest_framework.routers import SimpleRouter

from .views import ActivityViewSet, ContactViewSet, CustomerViewSet

router = SimpleRouter(trailing_slash=True)
router.register("customers", CustomerViewSet, basename="customer")

_list = {"get": "list", "post": "create"}
_detail = {"get": "retrieve", "put": "update", "patch": "partial_update"}

urlpatterns = [
    *router.urls,
    path(
        "customers/<int:customer_pk>/contacts/",
        ContactViewSet.as_view(_list),
        name="customer-contact-list",
    ),
    path(
        "customers/<int:customer_pk>/contacts/<int:pk>/",
        ContactViewSet.as_view({**_detail, "delete": "destroy"}),
        name="customer-contact-detail",
    ),
    path(
        "customers/<int:customer_pk>/activities/",
        ActivityViewSet.as_view(_list),
        name="customer-activity-list",
    ),
    path(
        "customers/<int:customer_pk>/activities/<int:pk>/",
        ActivityViewSet.as_view(_detail),
        name="customer-activity-detail",
    ),
]
