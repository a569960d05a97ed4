"""Sending through the API: ``POST quotes/{id}/send/`` (202; optional ``to``/``cc`` contact
ids and ``message``, 400 with field errors), ``GET quotes/{id}/pdf/``,
``GET quotes/{id}/delivery/``. Same visibility as the quotes endpoints (others' → 404)."""

from django.conf import settings
from django.http import Http404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from customers.models import Contact
from mgtrade.permissions import ModelPermissions
from mgtrade.web import pdf_response
from quotes import selectors
from quotes.documents.files import quote_pdf
from quotes.models import DeliveryStatus, Quote

from . import selectors as delivery_selectors
from . import services as delivery_services


class DeliverySerializer(serializers.Serializer):
    """A ``DeliveryState``: the PDF step until the PDF is stored, then its e-mail's."""

    quote = serializers.IntegerField(source="delivery.quote_id")
    status = serializers.ChoiceField(choices=DeliveryStatus.choices)
    status_label = serializers.CharField()
    language = serializers.CharField(
        source="delivery.language", help_text="The language the PDF and e-mail are written in."
    )
    to = serializers.ListField(child=serializers.EmailField())
    cc = serializers.ListField(child=serializers.EmailField())
    subject = serializers.CharField()
    attempts = serializers.IntegerField()
    last_error = serializers.CharField()
    next_attempt_at = serializers.DateTimeField(allow_null=True)
    pdf_filename = serializers.SerializerMethodField()
    pdf_sha256 = serializers.CharField(source="delivery.pdf_sha256")
    pdf_size = serializers.IntegerField(source="delivery.pdf_size", allow_null=True)
    rendered_at = serializers.DateTimeField(source="delivery.rendered_at", allow_null=True)
    message_id = serializers.CharField()
    sent_at = serializers.DateTimeField(allow_null=True)
    created_at = serializers.DateTimeField(source="delivery.created_at")
    updated_at = serializers.DateTimeField()

    def get_pdf_filename(self, state) -> str | None:
        delivery = state.delivery
        return delivery.pdf.name.rsplit("/", 1)[-1] if delivery.is_rendered else None


class QuoteSendRequestSerializer(serializers.Serializer):
    """What the Send dialog asks: every field optional (the quote's contact, no cc, the
    template's message). Contact ids are the quote's customer's contacts."""

    to = serializers.ListField(
        child=serializers.IntegerField(),
        required=False,
        help_text="Contact ids to address (default: the quote's contact).",
    )
    cc = serializers.ListField(
        child=serializers.IntegerField(),
        required=False,
        help_text="Contact ids to copy in (the rep is copied in either way).",
    )
    message = serializers.CharField(
        required=False,
        allow_blank=True,
        trim_whitespace=False,
        help_text="The e-mail's message for this send (default: emails/quote-message.txt, "
        "in the send's language); the figures, the link to accept online and the signature "
        "follow it.",
    )
    language = serializers.ChoiceField(
        choices=[code for code, _name in settings.LANGUAGES],
        required=False,
        help_text="The language of the PDF, the e-mail and the buyer's page for this send "
        "(default: the quote's contact's language, or English if we have no catalogue for "
        "it). An unknown code is a 400 with a field error.",
    )

    def _contacts(self, ids: list[int], field: str) -> list[Contact]:
        quote: Quote = self.context["quote"]
        found = {c.pk: c for c in quote.customer.contacts.filter(pk__in=ids)}
        missing = [pk for pk in ids if pk not in found]
        if missing:
            raise serializers.ValidationError(
                {
                    field: [
                        f"No contact {pk} of {quote.customer.name}: it is not a contact of "
                        "this customer."
                        for pk in missing
                    ]
                }
            )
        return [found[pk] for pk in dict.fromkeys(ids)]

    def validate(self, attrs):
        if "to" in attrs:
            attrs["to"] = self._contacts(attrs["to"], "to")
        if "cc" in attrs:
            attrs["cc"] = self._contacts(attrs["cc"], "cc")
        return attrs


class _QuoteAPIView(APIView):
    permission_classes = [IsAuthenticated, ModelPermissions]
    queryset = Quote.objects.none()  # for DjangoModelPermissions

    def quote(self, pk) -> Quote:
        try:
            return selectors.quote_get_visible(user=self.request.user, pk=int(pk))
        except (Quote.DoesNotExist, ValueError):
            raise Http404 from None


class QuoteSendView(_QuoteAPIView):
    @extend_schema(
        operation_id="quotes_send",
        request=QuoteSendRequestSerializer,
        responses={
            202: DeliverySerializer,
            400: OpenApiResponse(
                description='Field errors, e.g. {"to": ["... has opted out of email ..."]}, '
                '{"message": ["Write the message of the e-mail."]} or '
                '{"language": [""xx" is not a valid choice."]}.'
            ),
            409: OpenApiResponse(description='Not sendable now: {"detail": "..."}'),
        },
    )
    def post(self, request, pk):
        """Freeze the quote as sent and queue its PDF and email to the chosen contacts (to,
        cc) with the message given, in the language given (default: the contact's); follow
        the delivery state."""
        quote = self.quote(pk)
        serializer = QuoteSendRequestSerializer(data=request.data, context={"quote": quote})
        serializer.is_valid(raise_exception=True)
        delivery = delivery_services.quote_send(
            quote=quote, by=request.user, **serializer.validated_data
        )
        # As committed: with the broker down the row notes that it waits for it (last_error
        # "Queued; it will go out when the sending service is back."), still a 202.
        delivery.refresh_from_db()
        state = delivery_selectors.delivery_state(delivery=delivery)
        return Response(DeliverySerializer(state).data, status=status.HTTP_202_ACCEPTED)


class QuoteDeliveryView(_QuoteAPIView):
    @extend_schema(
        operation_id="quotes_delivery",
        responses={200: DeliverySerializer, 404: OpenApiResponse(description="Not sent yet.")},
    )
    def get(self, request, pk):
        """Where the quote's PDF and email stand (queued, rendering, sending, sent, …)."""
        state = delivery_selectors.delivery_state_for_quote(quote=self.quote(pk))
        if state is None:
            raise Http404("This quote has not been sent.")
        return Response(DeliverySerializer(state).data)


class QuotePdfView(_QuoteAPIView):
    @extend_schema(
        operation_id="quotes_pdf",
        responses={
            (200, "application/pdf"): OpenApiTypes.BINARY,
            409: OpenApiResponse(
                description='A preview over the line cap (docs/pdf.md): {"detail": "..."}'
            ),
        },
    )
    def get(self, request, pk):
        """The stored PDF of a sent quote; otherwise a preview rendered in the request (DRAFT
        while editable), refused with 409 above the preview line cap."""
        pdf = quote_pdf(self.quote(pk))
        return pdf_response(filename=pdf.filename, data=pdf.data, handle=pdf.handle)
