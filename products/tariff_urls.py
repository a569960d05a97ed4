from django.urls import path

from . import tariff_views as views

app_name = "tariffs"
urlpatterns = [
    path("rules/", views.rule_list, name="rules"),
    path("rules/export.csv", views.rule_export, name="rules_export"),
    path("rules/import/", views.rule_import, name="rules_import"),
    path("rules/<int:pk>/", views.rule_detail, name="rule"),
    path("rules/<int:pk>/verify/", views.rule_verify, name="rule_verify"),
]
