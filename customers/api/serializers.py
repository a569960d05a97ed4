from django_countries.serializer_fields import CountryField
from rest_framework import serializers

from customers import selectors
from customers.models import Activity, Contact, Customer
from mgtrade.accounts.models import User


class CustomerSerializer(serializers.ModelSerializer):
    country = CountryField()
    owner = serializers.PrimaryKeyRelatedField(
        queryset=User.objects.filter(is_active=True),
        required=False,
        help_text="User id of the owning rep; default: the caller. Changing it (managers "
        "only) reassigns the customer and logs it.",
    )
    confirm_duplicate = serializers.BooleanField(
        write_only=True,
        required=False,
        default=False,
        help_text="Create/rename even when a customer with the same normalized name exists "
        "in the same country.",
    )

    class Meta:
        model = Customer
        fields = [
            "id",
            "name",
            "country",
            "region",
            "industry",
            "status",
            "owner",
            "default_incoterm",
            "default_destination_port",
            "default_currency",
            "payment_terms",
            "vat_id",
            "website",
            "address",
            "postal_code",
            "city",
            "notes",
            "last_activity_on",
            "created_at",
            "updated_at",
            "confirm_duplicate",
        ]
        read_only_fields = ["region", "last_activity_on", "created_at", "updated_at"]


class ContactSerializer(serializers.ModelSerializer):
    confirm_duplicate = serializers.BooleanField(
        write_only=True,
        required=False,
        default=False,
        help_text="Add the contact even when its email is used at another customer.",
    )

    class Meta:
        model = Contact
        fields = [
            "id",
            "name",
            "job_title",
            "email",
            "phone",
            "language",
            "is_primary",
            "email_opt_out",
            "confirm_duplicate",
        ]
        validators = []  # the service explains duplicates in words


class ActivitySerializer(serializers.ModelSerializer):
    logged_by = serializers.PrimaryKeyRelatedField(read_only=True)
    contact = serializers.PrimaryKeyRelatedField(
        queryset=Contact.objects.all(), required=False, allow_null=True
    )

    class Meta:
        model = Activity
        fields = ["id", "kind", "date", "summary", "contact", "follow_up_on", "done", "logged_by"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        user = getattr(self.context.get("request"), "user", None)
        self.fields["contact"].queryset = selectors.contact_list_visible(user=user)
