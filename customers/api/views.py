import django_filters
from django.http import Http404
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_view,
)
from rest_framework import mixins, viewsets

from customers import selectors, services
from customers.models import Activity, Contact, Customer, Industry, Status
from customers.regions import Region
from mgtrade.api import filter_values
from mgtrade.permissions import ModelPermissions

from .serializers import ActivitySerializer, ContactSerializer, CustomerSerializer


class CustomerFilter(django_filters.FilterSet):
    region = django_filters.ChoiceFilter(choices=Region.choices)
    country = django_filters.CharFilter(help_text="ISO 3166-1 alpha-2, e.g. DE")
    industry = django_filters.ChoiceFilter(choices=Industry.choices)
    status = django_filters.ChoiceFilter(choices=Status.choices)
    owner = django_filters.NumberFilter(help_text="User id of the owner")
    search = django_filters.CharFilter(
        help_text="Name, city, or a contact's name or email contains this text"
    )
    sort = django_filters.ChoiceFilter(
        choices=[(key, key) for key in selectors.SORTS], help_text="Default: name"
    )

    class Meta:
        model = Customer
        fields: list[str] = []

    def filter_queryset(self, queryset):
        # The selector applies every filter (the page and the API share it).
        return queryset


class CustomerViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """Customers: reps see and change their own; managers and admins all. Others' → 404."""

    serializer_class = CustomerSerializer
    permission_classes = [ModelPermissions]
    filterset_class = CustomerFilter
    queryset = Customer.objects.none()  # for the permission class and the schema

    def get_queryset(self):
        if self.action == "list":
            return selectors.customer_list(
                user=self.request.user,
                with_primary_contact=False,
                **filter_values(CustomerFilter, self.request),
            )
        return selectors.customer_list_visible(user=self.request.user)

    def perform_create(self, serializer):
        serializer.instance = services.customer_create(
            by=self.request.user, **serializer.validated_data
        )

    def perform_update(self, serializer):
        serializer.instance = services.customer_change(
            customer=serializer.instance, by=self.request.user, **serializer.validated_data
        )


class _CustomerChildViewSet(viewsets.GenericViewSet):
    permission_classes = [ModelPermissions]

    def get_customer(self) -> Customer:
        if not hasattr(self, "_customer"):
            try:
                self._customer = selectors.customer_get_visible(
                    user=self.request.user, pk=int(self.kwargs["customer_pk"])
                )
            except (Customer.DoesNotExist, ValueError):
                raise Http404("No such customer") from None
        return self._customer


_CUSTOMER_PK = OpenApiParameter("customer_pk", int, OpenApiParameter.PATH)


@extend_schema_view(
    list=extend_schema(parameters=[_CUSTOMER_PK]),
    create=extend_schema(parameters=[_CUSTOMER_PK]),
    retrieve=extend_schema(parameters=[_CUSTOMER_PK]),
    update=extend_schema(parameters=[_CUSTOMER_PK]),
    partial_update=extend_schema(parameters=[_CUSTOMER_PK]),
    destroy=extend_schema(
        parameters=[_CUSTOMER_PK],
        responses={
            204: OpenApiResponse(description="Deleted."),
            409: OpenApiResponse(description="Quotes are addressed to this contact; it stays."),
        },
    ),
)
class ContactViewSet(_CustomerChildViewSet, viewsets.ModelViewSet):
    """A customer's contacts. Exactly one is primary once any exist."""

    serializer_class = ContactSerializer
    queryset = Contact.objects.none()

    def get_queryset(self):
        return selectors.customer_contacts(customer=self.get_customer())

    def perform_create(self, serializer):
        serializer.instance = services.contact_create(
            customer=self.get_customer(), by=self.request.user, **serializer.validated_data
        )

    def perform_update(self, serializer):
        serializer.instance = services.contact_update(
            contact=serializer.instance, by=self.request.user, **serializer.validated_data
        )

    def perform_destroy(self, instance):
        services.contact_delete(contact=instance, by=self.request.user)


@extend_schema_view(
    list=extend_schema(parameters=[_CUSTOMER_PK]),
    create=extend_schema(parameters=[_CUSTOMER_PK]),
    retrieve=extend_schema(parameters=[_CUSTOMER_PK]),
    update=extend_schema(parameters=[_CUSTOMER_PK]),
    partial_update=extend_schema(parameters=[_CUSTOMER_PK]),
)
class ActivityViewSet(
    _CustomerChildViewSet,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
):
    """A customer's timeline: calls, emails, meetings, visits, notes and their follow-ups."""

    serializer_class = ActivitySerializer
    queryset = Activity.objects.none()

    def get_queryset(self):
        return selectors.customer_timeline(customer=self.get_customer())

    def perform_create(self, serializer):
        serializer.instance = services.activity_log(
            customer=self.get_customer(), by=self.request.user, **serializer.validated_data
        )

    def perform_update(self, serializer):
        serializer.instance = services.activity_update(
            activity=serializer.instance, by=self.request.user, **serializer.validated_data
        )
