import django_filters
from django.db import transaction
from django.http import Http404
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_view,
)
from rest_framework import mixins, permissions, status, viewsets
from rest_framework.response import Response

from customers import selectors, services
from customers.models import Activity, Contact, Customer, Industry, Status
from customers.regions import Region

from .serializers import ActivitySerializer, ContactSerializer, CustomerSerializer


class CustomerPermissions(permissions.DjangoModelPermissions):
    """Reading needs ``customers.view_customer`` too (every role has it)."""

    perms_map = {
        **permissions.DjangoModelPermissions.perms_map,
        "GET": ["%(app_label)s.view_%(model_name)s"],
        "HEAD": ["%(app_label)s.view_%(model_name)s"],
    }


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
    permission_classes = [CustomerPermissions]
    filterset_class = CustomerFilter
    queryset = Customer.objects.none()  # for the permission class and the schema

    def get_queryset(self):
        if self.action == "list":
            filterset = CustomerFilter(self.request.query_params)
            filterset.is_valid() or self._raise_filter_errors(filterset)
            return selectors.customer_list(
                user=self.request.user, with_primary_contact=False, **filterset.form.cleaned_data
            )
        return selectors.customer_list_visible(user=self.request.user)

    @staticmethod
    def _raise_filter_errors(filterset):
        from rest_framework.exceptions import ValidationError

        raise ValidationError(filterset.errors)

    def perform_create(self, serializer):
        serializer.instance = services.customer_create(
            by=self.request.user, **serializer.validated_data
        )

    @transaction.atomic  # a refused reassignment keeps the other changes out too
    def perform_update(self, serializer):
        data = dict(serializer.validated_data)
        owner = data.pop("owner", None)
        confirm = data.pop("confirm_duplicate", False)
        customer = serializer.instance
        if data:
            customer = services.customer_update(
                customer=customer, by=self.request.user, confirm_duplicate=confirm, **data
            )
        if owner is not None and owner.pk != customer.owner_id:
            customer = services.customer_reassign(
                customer=customer, owner=owner, by=self.request.user
            )
        serializer.instance = customer


class _CustomerChildViewSet(viewsets.GenericViewSet):
    permission_classes = [CustomerPermissions]

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

    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        activity = services.activity_log(
            customer=self.get_customer(), by=request.user, **serializer.validated_data
        )
        return Response(self.get_serializer(activity).data, status=status.HTTP_201_CREATED)

    def perform_update(self, serializer):
        serializer.instance = services.activity_update(
            activity=serializer.instance, by=self.request.user, **serializer.validated_data
        )
