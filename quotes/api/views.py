import django_filters
from django import forms
from drf_spectacular.utils import (
    OpenApiResponse,
    extend_schema,
    extend_schema_view,
)
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response

from customers.regions import Region
from mgtrade.api import IdsFirstPagination, filter_values
from mgtrade.i18n import buyer_language
from mgtrade.permissions import ModelPermissions
from quotes import selectors, services
from quotes.models import Quote, QuoteStatus

from .serializers import (
    QuoteAcceptSerializer,
    QuoteCloneSerializer,
    QuoteCommentSerializer,
    QuoteCreateSerializer,
    QuoteEventSerializer,
    QuoteListSerializer,
    QuoteRejectSerializer,
    QuoteReturnSerializer,
    QuoteSerializer,
    QuoteSubmitSerializer,
    QuoteTranslationGapsQuerySerializer,
    QuoteTranslationGapsSerializer,
    QuoteUpdateSerializer,
)

# ------------------------------------------------------------------ quotes


class _IntegerFilter(django_filters.NumberFilter):
    field_class = forms.IntegerField


class QuoteFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(
        choices=QuoteStatus.choices,
        help_text="Default: every status but superseded (older versions).",
    )
    customer = _IntegerFilter(help_text="Customer id")
    region = django_filters.ChoiceFilter(
        choices=Region.choices, help_text="The buyer's region, as copied onto the quote"
    )
    product = django_filters.CharFilter(help_text="Grade code on any line, e.g. MG9990")
    owner = _IntegerFilter(help_text="User id of the quote's owner")
    mine = django_filters.BooleanFilter(help_text="Only the caller's own quotes")
    expiring_within_days = _IntegerFilter(
        min_value=0,
        max_value=366,
        help_text="Open quotes whose validity ends between today and today + N days",
    )
    search = django_filters.CharFilter(help_text="Quote number or customer name contains this")

    class Meta:
        model = Quote
        fields: list[str] = []

    def filter_queryset(self, queryset):
        # The selector applies every filter (the page and the API share it).
        return queryset


# Quote columns the list never outputs (above all ``pricing``, ~1.4 kB of JSON a row):
# left out of its SELECT.
LIST_UNUSED_FIELDS = tuple(
    f.name
    for f in Quote._meta.concrete_fields
    if f.name not in QuoteListSerializer.Meta.fields and not f.primary_key
)


_QUOTE = OpenApiResponse(QuoteSerializer)
_CONFLICT = OpenApiResponse(description='The quote\'s state forbids it: {"detail": "..."}')


@extend_schema_view(
    list=extend_schema(description="Visible quotes, newest first (reps: their customers')."),
    retrieve=extend_schema(description="A quote; 404 if the caller may not see it."),
    create=extend_schema(
        request=QuoteCreateSerializer,
        responses={201: _QUOTE, 400: OpenApiResponse(description="Field errors")},
        description="A new draft, priced now. Incoterm, destination port, currency, payment "
        "terms and contact default to the customer's.",
    ),
    update=extend_schema(request=QuoteUpdateSerializer, responses={200: _QUOTE, 409: _CONFLICT}),
    partial_update=extend_schema(
        request=QuoteUpdateSerializer,
        responses={200: _QUOTE, 409: _CONFLICT},
        description="Change an editable quote (draft, pending approval, approved); an "
        "approved or pending quote goes back to draft and needs approval again. Given "
        "`lines` replace all lines. Sent and later quotes are read-only: 409 (revise them).",
    ),
)
class QuoteViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """Quotes and their lifecycle actions. Every write goes through ``quotes.services``.

    ``POST quotes/{id}/send/`` and ``GET quotes/{id}/pdf/`` come from ``quotes.sending.api``.
    """

    serializer_class = QuoteSerializer
    # Reads need quotes.view_quote, writes and actions add/change; which quotes:
    # selectors.quote_list_visible (others' → 404).
    permission_classes = [ModelPermissions]
    pagination_class = IdsFirstPagination  # deep pages of a rep's list (docs/performance.md)
    filterset_class = QuoteFilter
    queryset = Quote.objects.none()  # for the permission class and the schema

    def get_queryset(self):
        user = self.request.user
        if self.action == "list":
            filters = filter_values(QuoteFilter, self.request)
            rows = selectors.quote_list_rows(
                user=user, **{k: v for k, v in filters.items() if v is not None}
            )
            return rows.defer(*LIST_UNUSED_FIELDS)  # lines: list() attaches them
        return selectors.quote_list_full(user=user)

    def list(self, request, *args, **kwargs):
        """DRF's list, with the lines of the listed quotes read as plain rows
        (``selectors.quote_line_rows_attach``) rather than prefetched."""
        queryset = self.filter_queryset(self.get_queryset())
        page = self.paginate_queryset(queryset)
        quotes = page if page is not None else list(queryset)
        selectors.quote_line_rows_attach(quotes=quotes)
        data = self.get_serializer(quotes, many=True).data
        return self.get_paginated_response(data) if page is not None else Response(data)

    def get_serializer_class(self):
        return {
            "create": QuoteCreateSerializer,
            "update": QuoteUpdateSerializer,
            "partial_update": QuoteUpdateSerializer,
            "list": QuoteListSerializer,
        }.get(self.action, QuoteSerializer)

    def _out(self, quote: Quote, code: int = status.HTTP_200_OK) -> Response:
        quote = self.get_queryset().get(pk=quote.pk)
        return Response(QuoteSerializer(quote, context=self.get_serializer_context()).data, code)

    def _valid(self, serializer_class, partial: bool = False):
        serializer = serializer_class(
            data=self.request.data, partial=partial, context=self.get_serializer_context()
        )
        if not serializer.is_valid():
            raise ValidationError(serializer.errors)
        return serializer.validated_data

    def create(self, request, *args, **kwargs):
        data = dict(self._valid(QuoteCreateSerializer))
        customer = data.pop("customer")
        defaults = selectors.quote_defaults_for(customer=customer)
        for name in ("incoterm", "destination_port", "currency", "contact"):
            if name not in data:
                data[name] = defaults[name]
        quote = services.quote_create(
            customer=customer, by=request.user, terms=services.QuoteTerms(**data)
        )
        return self._out(quote, status.HTTP_201_CREATED)

    def update(self, request, *args, **kwargs):
        quote = self.get_object()
        services.quote_editable_check(quote=quote)  # 409 before any field error
        partial = kwargs.get("partial", False)
        data = self._valid(QuoteUpdateSerializer, partial=partial)
        terms = services.QuoteTerms.from_quote(quote)
        if not partial:  # PUT: what is not given goes back to its default
            terms = services.QuoteTerms(
                **selectors.quote_terms_defaults(customer=quote.customer), lines=terms.lines
            )
        for name, value in data.items():
            setattr(terms, name, value)
        terms.quote_date = data.get("quote_date", quote.quote_date)
        if "valid_until" not in data and "quote_date" not in data:
            terms.valid_until = quote.valid_until
        quote = services.quote_update(quote=quote, by=request.user, terms=terms)
        return self._out(quote)

    # ---- actions (POST; each calls one service)

    @extend_schema(request=None, responses={201: _QUOTE, 409: _CONFLICT})
    @action(detail=True, methods=["post"])
    def revise(self, request, pk=None):
        """A new draft version with the same number, repriced today; this one is superseded."""
        new = services.quote_revise(quote=self.get_object(), by=request.user)
        return self._out(new, status.HTTP_201_CREATED)

    @extend_schema(request=QuoteSubmitSerializer, responses={200: _QUOTE, 409: _CONFLICT})
    @action(detail=True, methods=["post"])
    def submit(self, request, pk=None):
        """Ask the managers to approve a quote with approval reasons, with an optional note."""
        quote = self.get_object()
        data = self._valid(QuoteSubmitSerializer)
        return self._out(
            services.quote_submit_for_approval(quote=quote, by=request.user, note=data["note"])
        )

    @extend_schema(
        request=QuoteCommentSerializer, responses={200: _QUOTE, 403: None, 409: _CONFLICT}
    )
    @action(detail=True, methods=["post"])
    def approve(self, request, pk=None):
        """Managers (others: 403); never their own quote (409)."""
        services.quote_approver_check(by=request.user)  # 403 before any field error
        quote = self.get_object()
        data = self._valid(QuoteCommentSerializer)
        return self._out(
            services.quote_approve(quote=quote, by=request.user, comment=data["comment"])
        )

    @extend_schema(
        request=QuoteReturnSerializer, responses={200: _QUOTE, 403: None, 409: _CONFLICT}
    )
    @action(detail=True, methods=["post"], url_path="return")
    def return_(self, request, pk=None):
        """Send a quote awaiting approval back to draft, saying what must change."""
        services.quote_approver_check(by=request.user)
        quote = self.get_object()
        data = self._valid(QuoteReturnSerializer)
        return self._out(
            services.quote_return(quote=quote, by=request.user, comment=data["comment"])
        )

    @extend_schema(request=QuoteAcceptSerializer, responses={200: _QUOTE, 409: _CONFLICT})
    @action(detail=True, methods=["post"])
    def accept(self, request, pk=None):
        """Record the buyer's acceptance of a sent quote (the rep on the buyer's behalf);
        the accepted version becomes a draft sales contract (``contract`` in the answer)."""
        quote = self.get_object()
        data = self._valid(QuoteAcceptSerializer)
        return self._out(
            services.quote_accept(
                quote=quote,
                by=request.user,
                buyer_name=data["buyer_name"],
                po_number=data["po_number"],
            )
        )

    @extend_schema(request=QuoteRejectSerializer, responses={200: _QUOTE, 409: _CONFLICT})
    @action(detail=True, methods=["post"])
    def reject(self, request, pk=None):
        """Record that the buyer declined, why, and optionally whom they bought from."""
        quote = self.get_object()
        data = self._valid(QuoteRejectSerializer)
        return self._out(services.quote_reject(quote=quote, by=request.user, **data))

    @extend_schema(request=QuoteCloneSerializer, responses={201: _QUOTE})
    @action(detail=True, methods=["post"])
    def clone(self, request, pk=None):
        """A fresh draft of the same lines for another (visible) customer, repriced today."""
        quote = self.get_object()
        data = self._valid(QuoteCloneSerializer)
        new = services.quote_clone(quote=quote, by=request.user, **data)
        return self._out(new, status.HTTP_201_CREATED)

    @extend_schema(
        parameters=[QuoteTranslationGapsQuerySerializer],
        responses={
            200: QuoteTranslationGapsSerializer,
            400: OpenApiResponse(description='Field errors: {"language": ["..."]}'),
        },
    )
    @action(
        detail=True,
        methods=["get"],
        url_path="translation-gaps",
        pagination_class=None,
        filterset_class=None,
    )
    def translation_gaps(self, request, pk=None):
        """What a send in ``language`` (default: the language the buyer reads the quote in) prints in English because a
        grade, the terms template or the bank account has no text in that language."""
        quote = self.get_object()
        query = QuoteTranslationGapsQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        asked = query.validated_data.get("language")
        language = (
            buyer_language(contact_language=None, override=asked)
            if asked
            else selectors.quote_sent_language(quote=quote)
        )
        gaps = selectors.translation_gaps(quote=quote, language=language)
        return Response(QuoteTranslationGapsSerializer({"language": language, "gaps": gaps}).data)

    @extend_schema(responses=QuoteEventSerializer(many=True))
    @action(detail=True, methods=["get"], pagination_class=None, filterset_class=None)
    def events(self, request, pk=None):
        """The quote's log: every transition and edit with who and when, oldest first."""
        events = selectors.quote_events(quote=self.get_object())
        return Response(QuoteEventSerializer(events, many=True).data)
