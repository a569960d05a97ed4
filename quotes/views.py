from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import get_language_info
from django.views.decorators.http import require_http_methods, require_POST

from customers import selectors as customer_selectors
from customers.models import Customer
from mgtrade.errors import StateConflict, validation_error_dict
from mgtrade.i18n import buyer_language
from mgtrade.pagination import IdsFirst
from mgtrade.web import add_service_errors
from pricing.engine import PricingResult, document_lines
from pricing.forms import (
    TERMS,
    pricing_data_carried,
    pricing_data_from_post,
    pricing_forms_bind,
    pricing_forms_blank,
    pricing_forms_price,
    pricing_lines_filled,
)
from pricing.inputs import pricing_choices
from pricing.views import breakdown_components, breakdown_context
from products import selectors as products_selectors
from products.models import Product

from . import selectors, services, versions
from .forms import (
    QuoteAcceptForm,
    QuoteCommentForm,
    QuoteFilterForm,
    QuoteHeaderForm,
    QuoteRejectForm,
    QuoteSubmitForm,
)
from .models import Quote
from .tariff_watch import selectors as tariff_watch_selectors
from .terms import template_for

# ------------------------------------------------------------------ quotes: pages

QUOTES_PAGE_SIZE = 50
HEADER_FIELDS = (
    "contact",
    "valid_until",
    "payment_terms",
    "terms_template",
    "lead_time",
    "buyer_reference",
    "packaging_notes",
    "terms",
    "bilingual_labels",
)


def _quote_or_404(request, pk: int) -> Quote:
    try:
        return selectors.quote_get_visible(user=request.user, pk=pk)
    except Quote.DoesNotExist:
        raise Http404("No such quote") from None


def _customer_or_404(request, pk) -> Customer:
    try:
        return customer_selectors.customer_get_visible(user=request.user, pk=int(pk))
    except (Customer.DoesNotExist, TypeError, ValueError):
        raise Http404("No such customer") from None


def _error_text(exc: ValidationError) -> str:
    return " ".join(m for ms in validation_error_dict(exc).values() for m in ms)


def _grades() -> list[tuple[str, str]]:
    return [
        (code, code) for code in Product.objects.order_by("code").values_list("code", flat=True)
    ]


def _page_size(request) -> int:
    """``?page_size=`` (1–200, like the API), else ``QUOTES_PAGE_SIZE``."""
    try:
        return min(max(int(request.GET["page_size"]), 1), 200)
    except (KeyError, ValueError):
        return QUOTES_PAGE_SIZE


# The columns quotes/list.html renders (a 200-row page reads and decodes nothing else);
# a field used there but missing here costs a query per row, which
# test_list_page_query_count_does_not_grow_with_rows catches.
LIST_PAGE_FIELDS = (
    "number",
    "version",
    "status",
    "customer_id",
    "customer__name",
    "customer__country",
    "quote_date",
    "valid_until",
    "incoterm",
    "origin_port",
    "destination_port",
    "total_quantity_mt",
    "currency",
    "total_quote_currency",
    "total_usd",
    "owner_id",
    "owner__username",
    "owner__first_name",
    "owner__last_name",
)


@login_required
def quote_list(request):
    """Mine (reps) or all (managers), filtered and searched, with quick stats: a fixed
    number of queries per page."""
    filters = QuoteFilterForm(request.GET or None, user=request.user, grades=_grades())
    kwargs = filters.selector_kwargs()
    quotes = selectors.quote_list(user=request.user, **kwargs).only(*LIST_PAGE_FIELDS)
    # ids first: OFFSET walks a covering index, not the rows and their joins
    page = Paginator(IdsFirst(quotes), _page_size(request)).get_page(request.GET.get("page"))
    scope = selectors.quote_list_visible(user=request.user)
    if kwargs.get("mine"):
        scope = scope.filter(owner=request.user)
    customer = None
    if kwargs.get("customer"):
        customer = Customer.objects.filter(
            pk__in=customer_selectors.customer_list_visible(user=request.user),
            pk=kwargs["customer"],
        ).first()
    return render(
        request,
        "quotes/list.html",
        {
            "filters": filters,
            "page_obj": page,
            "quotes": page.object_list,
            "stats": selectors.quote_stats(qs=scope),
            "filter_customer": customer,
            "awaiting_approval": request.user.has_perm("quotes.approve_quote"),
            # detail pages are <list URL><pk>/ (quotes/urls.py, customers/urls.py)
            "quotes_url": reverse("quotes:list"),
            "customers_url": reverse("customers:list"),
        },
    )


@login_required
def approval_queue(request):
    """Managers: quotes waiting for approval, oldest first; approve or return them here."""
    if not request.user.has_perm("quotes.approve_quote"):
        raise PermissionDenied("Managers only.")
    quotes = list(selectors.quotes_awaiting_approval(user=request.user)[:200])
    return render(
        request,
        "quotes/approvals.html",
        {"quotes": quotes, "comment_form": QuoteCommentForm()},
    )


def _picker_target(request) -> str:
    """The id of the field a picker fills (``for``), kept only if it is a plain id."""
    target = request.GET.get("for", "")
    return target if target.replace("_", "").replace("-", "").isalnum() else ""


@login_required
def port_picker(request):
    """htmx partial: the ports matching ``q`` for a picker (``role`` origin, destination or
    any; destinations without a lane from ``origin`` are shown disabled with the reason)."""
    role = request.GET.get("role")
    role = role if role in ("origin", "any") else "destination"
    ports = products_selectors.port_search(
        q=request.GET.get("q", ""), role=role, origin=request.GET.get("origin_port") or None
    )
    options = [
        {
            "value": port["code"],
            "label": f"{port['code']} · {port['name']} ({port['country']})",
            "reason": port.get("reason", ""),
        }
        for port in ports
    ]
    return render(
        request,
        "includes/picker_options.html",
        {
            "options": options,
            "target": _picker_target(request),
            "query": request.GET.get("q", "").strip(),
            "what": "port",
        },
    )


@login_required
def currency_picker(request):
    """htmx partial: the currencies matching ``q`` (USD and those with an exchange rate:
    a quote can be priced only in these)."""
    options = [
        {"value": code, "label": code if code != "USD" else "USD (US dollar, no rate needed)"}
        for code in products_selectors.currency_search(q=request.GET.get("q", ""))
    ]
    return render(
        request,
        "includes/picker_options.html",
        {
            "options": options,
            "target": _picker_target(request),
            "query": request.GET.get("q", "").strip(),
            "what": "currency",
        },
    )


@login_required
def approvals_badge(request):
    """htmx partial: the navigation's count of quotes waiting for this manager."""
    return render(
        request,
        "quotes/_approvals_badge.html",
        {"waiting": selectors.quotes_waiting_count(user=request.user)},
    )


def _customer_picker(
    request,
    *,
    title: str,
    action_url: str,
    method: str = "get",
    quote=None,
    carried: QueryDict | None = None,
):
    """Pick a customer (``?q=``); ``carried``: the calculator's terms and lines, kept in
    the search form and in each customer's link to the builder."""
    query = request.GET.get("q", "").strip()
    customers = []
    if query:
        customers = list(
            customer_selectors.customer_list(
                user=request.user, search=query, with_primary_contact=False
            )[:20]
        )
    return render(
        request,
        "quotes/pick_customer.html",
        {
            "title": title,
            "query": query,
            "customers": customers,
            "action_url": action_url,
            "method": method,
            "quote": quote,
            "carry": carried.urlencode() if carried is not None else "",
            "carry_items": [
                (key, value) for key, values in (carried or QueryDict()).lists() for value in values
            ],
            "carried_lines": _carried_lines(carried),
        },
    )


def _carried_lines(carried: QueryDict | None) -> list[str]:
    """What the picker says it carries: "50 MT MG9990" per filled line."""
    if carried is None:
        return []
    total = int(carried.get("lines-TOTAL_FORMS", "0"))
    rows = []
    for i in range(total):
        product = carried.get(f"lines-{i}-product", "")
        quantity = carried.get(f"lines-{i}-quantity_mt", "")
        if product or quantity:
            rows.append(f"{quantity or '?'} MT {product or '(no grade)'}")
    return rows


def _builder_data(post: QueryDict) -> QueryDict:
    """The posted builder with a line added or removed, header fields kept."""
    data = pricing_data_from_post(post)
    for name in HEADER_FIELDS:
        data[name] = post.get(name, "")
    return data


def _builder(request, *, customer: Customer, quote: Quote | None, carried: QueryDict | None = None):
    """The quote builder for a new quote (from a customer, or from the calculator's
    ``carried`` terms and lines, priced at once) or an editable one.

    Typing re-prices live through the calculator's htmx endpoint (the same partial);
    Add/Remove line re-render the form; Save goes through ``quote_create``/``quote_update``.
    """
    choices = pricing_choices()
    result = None
    if request.method == "POST":
        saving = "add_line" not in request.POST and "remove_line" not in request.POST
        data = _builder_data(request.POST) if not saving else request.POST
        terms, lines = pricing_forms_bind(data, choices)
        header = QuoteHeaderForm(data, customer=customer)
        header_ok = header.is_valid()
        result = pricing_forms_price(terms, lines)
        if saving and result is not None and header_ok:
            quote_terms = services.QuoteTerms(
                lines=[form.cleaned_data for form in pricing_lines_filled(lines)],
                **{name: terms.cleaned_data[name] for name in TERMS},
                **header.cleaned_data,
            )
            try:
                if quote is None:
                    saved = services.quote_create(
                        customer=customer, by=request.user, terms=quote_terms
                    )
                else:
                    saved = services.quote_update(quote=quote, by=request.user, terms=quote_terms)
            except StateConflict as exc:
                messages.error(request, exc.message)
                return redirect("quotes:detail", pk=quote.pk)
            except ValidationError as exc:
                add_service_errors(header, exc)
            else:
                note = (
                    " It needs a manager's approval before it is sent."
                    if saved.needs_approval
                    else ""
                )
                messages.success(request, f"Saved {saved.reference} as a draft.{note}")
                return redirect("quotes:detail", pk=saved.pk)
    elif quote is None:
        defaults = selectors.quote_defaults_for(customer=customer)
        if carried is not None:
            # "Make a quote from this": the calculator's terms and lines over the customer's
            # defaults, priced now; the header (contact, payment terms) is the customer's.
            terms, lines = pricing_forms_bind(carried, choices)
            result = pricing_forms_price(terms, lines)
        else:
            terms, lines = pricing_forms_blank(
                choices,
                terms_initial={
                    k: defaults[k] for k in ("incoterm", "destination_port", "currency")
                },
            )
        header = QuoteHeaderForm(
            customer=customer,
            initial={
                "contact": defaults["contact"],
                "payment_terms": defaults["payment_terms"],
                "terms_template": template_for(customer=customer),
            },
        )
    else:
        terms, lines = pricing_forms_blank(
            choices,
            terms_initial={name: getattr(quote, name) for name in TERMS},
            lines_initial=[
                {
                    "product": line.product_code,
                    "quantity_mt": line.quantity_mt,
                    # a netback line is edited by its term price (the FOB price is derived)
                    "unit_price_usd_per_mt": None
                    if line.term_price_per_mt is not None
                    else line.unit_price_usd_per_mt,
                    "term_price_per_mt": line.term_price_per_mt,
                    "discount_percent": line.discount_percent,
                }
                for line in quote.lines.all()
            ],
        )
        header = QuoteHeaderForm(
            customer=customer,
            initial={name: getattr(quote, name) for name in HEADER_FIELDS},
        )
        result = PricingResult.from_dict(quote.pricing)
    stored = quote.approval_reasons if quote is not None and request.method == "GET" else None
    context = breakdown_context(terms, lines, result, reasons=stored)
    default_port = (customer.default_destination_port or "").strip().upper()
    if quote is None and default_port and default_port not in dict(choices["ports"]):
        context["default_port_missing"] = default_port
    context.update({"header": header, "customer": customer, "quote": quote})
    return render(request, "quotes/builder.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def quote_create(request):
    """New quote: pick a customer (``?q=``), then build it (``?customer=<id>``). With the
    calculator's terms and lines in the query ("Make a quote from this"), both steps carry
    them and the builder opens with them, priced."""
    if not request.user.has_perm("quotes.add_quote"):
        raise PermissionDenied
    carried = pricing_data_carried(request.GET) if request.method == "GET" else None
    if not request.GET.get("customer"):
        title = "New quote: which customer?"
        if carried is not None:
            title = "Make a quote from the calculation: which customer?"
        return _customer_picker(request, title=title, action_url="", carried=carried)
    return _builder(
        request,
        customer=_customer_or_404(request, request.GET["customer"]),
        quote=None,
        carried=carried,
    )


@login_required
@require_http_methods(["GET", "POST"])
def quote_edit(request, pk: int):
    quote = _quote_or_404(request, pk)
    if not quote.is_editable:
        messages.error(
            request,
            f"{quote.reference} is {quote.get_status_display().lower()}: revise it to change it.",
        )
        return redirect("quotes:detail", pk=quote.pk)
    return _builder(request, customer=quote.customer, quote=quote)


@login_required
def quote_detail(request, pk: int):
    quote = _quote_or_404(request, pk)
    result = PricingResult.from_dict(quote.pricing)
    lines = list(quote.lines.all())
    doc_lines = document_lines(result) if len(result.lines) == len(lines) else ()
    return render(
        request,
        "quotes/detail.html",
        {
            "quote": quote,
            "result": result,
            # USD (the list price, FOB) side by side with what the buyer's document prints
            "line_rows": list(zip(lines, doc_lines or [None] * len(lines), strict=True)),
            "components": breakdown_components(result),
            "versions": versions.quote_version_history(quote=quote),
            "tariff_banners": tariff_watch_selectors.quote_tariff_banners(quote=quote),
            "events": selectors.quote_events(quote=quote),
            "allowed": services.quote_allowed_actions(quote=quote, user=request.user),
            "comment_form": QuoteCommentForm(),
            "submit_form": QuoteSubmitForm(),
            "accept_form": QuoteAcceptForm(),
            "reject_form": QuoteRejectForm(),
            **_translation_gaps_context(quote),
        },
    )


def _translation_gaps_context(quote: Quote, language: str | None = None) -> dict:
    """The context of quotes/_translation_gaps.html for a send in ``language`` (default, and
    for a code we do not ship: the language the buyer reads the quote in; the rep's choice
    itself is validated by the send)."""
    try:
        code = buyer_language(contact_language=None, override=language) if language else None
    except ValueError:
        code = None
    code = code or selectors.quote_sent_language(quote=quote)
    return {
        "gaps": selectors.translation_gaps(quote=quote, language=code),
        "gaps_language": code,
        "gaps_language_name": get_language_info(code)["name"],
    }


@login_required
def quote_translation_gaps(request, pk: int):
    """The translation check for a send in ``?language=`` (the send dialog refreshes it)."""
    quote = _quote_or_404(request, pk)
    return render(
        request,
        "quotes/_translation_gaps.html",
        {"quote": quote, **_translation_gaps_context(quote, request.GET.get("language"))},
    )


def _next_or_detail(request, quote: Quote):
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return redirect(target)
    return redirect("quotes:detail", pk=quote.pk)


def _quote_action(run, success: str):
    """A POST-only quote action: run one service; state conflicts and bad input become a
    message on the quote page."""

    @login_required
    @require_POST
    def view(request, pk: int):
        quote = _quote_or_404(request, pk)
        try:
            result = run(request, quote)
        except StateConflict as exc:
            messages.error(request, exc.message)
        except ValidationError as exc:
            messages.error(request, _error_text(exc))
        else:
            messages.success(request, success.format(quote=result or quote))
            if result is not None and result.pk != quote.pk:
                return redirect("quotes:detail", pk=result.pk)
        return _next_or_detail(request, quote)

    return view


def _form_or_error(form):
    if not form.is_valid():
        raise ValidationError({k: v for k, v in form.errors.items()})
    return form.cleaned_data


def _approve(request, quote):
    services.quote_approver_check(by=request.user)
    data = _form_or_error(QuoteCommentForm(request.POST))
    return services.quote_approve(quote=quote, by=request.user, comment=data["comment"])


def _return(request, quote):
    services.quote_approver_check(by=request.user)
    data = _form_or_error(QuoteCommentForm(request.POST))
    return services.quote_return(quote=quote, by=request.user, comment=data["comment"])


quote_submit = _quote_action(
    lambda request, quote: services.quote_submit_for_approval(
        quote=quote, by=request.user, **_form_or_error(QuoteSubmitForm(request.POST))
    ),
    "{quote.reference} is waiting for a manager's approval; the managers are notified.",
)
quote_approve = _quote_action(_approve, "Approved {quote.reference}.")
quote_return = _quote_action(_return, "Returned {quote.reference} to the rep.")
quote_reprice = _quote_action(
    lambda request, quote: services.quote_reprice(quote=quote, by=request.user),
    "Repriced {quote.reference} on today's prices, rates and rules.",
)
quote_revise = _quote_action(
    lambda request, quote: services.quote_revise(quote=quote, by=request.user),
    "{quote.reference} is a new draft version.",
)
quote_accept = _quote_action(
    lambda request, quote: services.quote_accept(
        quote=quote, by=request.user, **_form_or_error(QuoteAcceptForm(request.POST))
    ),
    "{quote.reference} is accepted.",
)
quote_reject = _quote_action(
    lambda request, quote: services.quote_reject(
        quote=quote, by=request.user, **_form_or_error(QuoteRejectForm(request.POST))
    ),
    "{quote.reference} is recorded as rejected.",
)


@login_required
@require_http_methods(["GET", "POST"])
def quote_clone(request, pk: int):
    """Clone to another customer: pick one (``?q=``), then POST ``customer``."""
    quote = _quote_or_404(request, pk)
    if request.method == "GET":
        return _customer_picker(
            request,
            title=f"Clone {quote.reference} for…",
            action_url="",
            method="post",
            quote=quote,
        )
    customer = _customer_or_404(request, request.POST.get("customer"))
    try:
        new = services.quote_clone(quote=quote, customer=customer, by=request.user)
    except ValidationError as exc:
        messages.error(request, _error_text(exc))
        return redirect("quotes:detail", pk=quote.pk)
    messages.success(
        request, f"{new.reference} is a copy of {quote.reference} for {customer}, repriced today."
    )
    return redirect("quotes:detail", pk=new.pk)
