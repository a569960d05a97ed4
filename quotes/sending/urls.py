"""The rep's sending pages, mounted at the site root by ``mgtrade/urls.py`` (namespace
``delivery``) so ``quotes/urls.py`` stays the quote pages' own."""

from django.urls import path

from . import views

app_name = "delivery"
urlpatterns = [
    path("quotes/<int:pk>/send/", views.quote_send, name="send"),
    path("quotes/<int:pk>/pdf/", views.quote_pdf, name="pdf"),
    path("quotes/<int:pk>/delivery/", views.delivery_state, name="state"),
    path("quotes/<int:pk>/delivery/retry/", views.delivery_retry, name="retry"),
    path("quotes/<int:pk>/delivery/resolve/", views.delivery_resolve, name="resolve"),
    path("quotes/<int:pk>/emails/", views.quote_emails, name="emails"),
    path("notifications/", views.notifications, name="notifications"),
    path("notifications/badge/", views.notifications_badge, name="notifications_badge"),
    path("notifications/read/", views.notifications_read, name="notifications_read"),
    path("outbox/", views.outbox_list, name="outbox"),
    path("outbox/<str:file>/<int:index>/", views.outbox_message, name="outbox_message"),
    path(
        "outbox/<str:file>/<int:index>/html/", views.outbox_message_html, name="outbox_message_html"
    ),
    path(
        "outbox/<str:file>/<int:index>/attachments/<int:part>/",
        views.outbox_attachment,
        name="outbox_attachment",
    ),
]
