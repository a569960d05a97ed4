from django.urls import include, path

from . import views
from .tariff_watch import views as tariff_watch_views

app_name = "quotes"
urlpatterns = [
    path("", include("pricing.urls")),  # calculator/ and calculator/preview/
    path("", views.quote_list, name="list"),
    path("approvals/", views.approval_queue, name="approvals"),
    path("approvals/badge/", views.approvals_badge, name="approvals_badge"),
    path("pickers/ports/", views.port_picker, name="port_picker"),
    path("pickers/currencies/", views.currency_picker, name="currency_picker"),
    path("new/", views.quote_create, name="create"),
    path("<int:pk>/", views.quote_detail, name="detail"),
    path("<int:pk>/edit/", views.quote_edit, name="edit"),
    path("<int:pk>/reprice/", views.quote_reprice, name="reprice"),
    path("<int:pk>/submit/", views.quote_submit, name="submit"),
    path("<int:pk>/approve/", views.quote_approve, name="approve"),
    path("<int:pk>/return/", views.quote_return, name="return"),
    path("<int:pk>/revise/", views.quote_revise, name="revise"),
    path("<int:pk>/accept/", views.quote_accept, name="accept"),
    path("<int:pk>/reject/", views.quote_reject, name="reject"),
    path("<int:pk>/clone/", views.quote_clone, name="clone"),
    path("<int:pk>/translation-gaps/", views.quote_translation_gaps, name="translation_gaps"),
    path(
        "<int:pk>/tariff-change/<int:impact_pk>/apply/",
        tariff_watch_views.impact_apply,
        name="tariff_impact_apply",
    ),
    # Sending's <int:pk>/send/, <int:pk>/pdf/ and the delivery state: quotes/sending/urls.py.
]
