from django.urls import path

from . import shipping_views, views

app_name = "orders"
urlpatterns = [
    path("", views.contract_list, name="list"),
    path("<int:pk>/", views.contract_detail, name="detail"),
    path("<int:pk>/edit/", views.contract_edit, name="edit"),
    path("<int:pk>/confirm/", views.contract_confirm, name="confirm"),
    path("<int:pk>/countersign/", views.contract_countersign, name="countersign"),
    path("<int:pk>/start/", views.contract_start, name="start"),
    path("<int:pk>/complete/", views.contract_complete, name="complete"),
    path("<int:pk>/cancel/", views.contract_cancel, name="cancel"),
    path("<int:pk>/balance-proforma/", views.contract_balance_proforma, name="balance_proforma"),
    path("<int:pk>/payments/new/", views.payment_create, name="payment_create"),
    path("<int:pk>/lc/", views.lc_form, name="lc"),
    path("<int:pk>/lc/request-amendment/", views.lc_request_amendment, name="lc_request"),
    path("<int:pk>/lc/accept/", views.lc_accept, name="lc_accept"),
    path("<int:pk>/pdf/", views.contract_pdf, name="pdf"),
    path("<int:pk>/send/", views.contract_send, name="send"),
    path("<int:pk>/deliveries/<int:delivery_pk>/retry/", views.delivery_retry, name="retry"),
    path("proformas/<int:pk>/send/", views.proforma_send, name="proforma_send"),
    path("proformas/<int:pk>/pdf/", views.proforma_pdf, name="proforma_pdf"),
    path("proformas/<int:pk>/write-off/", views.proforma_write_off, name="write_off"),
    path("<int:pk>/spec/", shipping_views.customer_spec_add, name="customer_spec"),
    path("lots/", shipping_views.lot_list, name="lots"),
    path("lots/import/", shipping_views.analyses_import, name="analyses_import"),
    path("lots/<int:pk>/", shipping_views.lot_detail, name="lot"),
    path("shipments/", shipping_views.shipment_board, name="shipments"),
    path("<int:pk>/shipments/new/", shipping_views.shipment_create, name="shipment_create"),
    path("shipments/<int:pk>/", shipping_views.shipment_detail, name="shipment"),
    path("shipments/<int:pk>/details/", shipping_views.shipment_details, name="shipment_details"),
    path(
        "shipments/<int:pk>/allocate/", shipping_views.shipment_allocate, name="shipment_allocate"
    ),
    path(
        "shipments/<int:pk>/allocations/<int:allocation_pk>/remove/",
        shipping_views.allocation_remove,
        name="allocation_remove",
    ),
    path(
        "shipments/<int:pk>/containers/",
        shipping_views.shipment_container,
        name="shipment_container",
    ),
    path("shipments/<int:pk>/load/", shipping_views.shipment_load, name="shipment_load"),
    path("shipments/<int:pk>/arrive/", shipping_views.shipment_arrive, name="shipment_arrive"),
    path(
        "shipments/<int:pk>/documents/issue/",
        shipping_views.shipment_documents_issue,
        name="documents_issue",
    ),
    path(
        "shipments/<int:pk>/documents/check/",
        shipping_views.shipment_presentation_check,
        name="presentation_check",
    ),
    path(
        "shipments/<int:pk>/documents/acknowledge/",
        shipping_views.shipment_acknowledge,
        name="acknowledge",
    ),
    path(
        "shipments/<int:pk>/documents/send/",
        shipping_views.shipment_documents_send,
        name="documents_send",
    ),
    path("documents/<int:pk>/pdf/", shipping_views.export_document_pdf, name="export_pdf"),
    path(
        "documents/<int:pk>/correct/",
        shipping_views.export_document_revise,
        name="export_revise",
    ),
    path(
        "shipments/<int:pk>/complete/", shipping_views.shipment_complete, name="shipment_complete"
    ),
]
