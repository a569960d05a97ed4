from django.urls import path, re_path

from . import views

app_name = "reports"

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("digest/", views.digest_preference, name="digest_preference"),
    path("<slug:name>/", views.report_page, name="report"),
    re_path(
        r"^(?P<name>[a-z]+)/(?P<table>[a-z_]+)\.(?P<fmt>csv|xlsx)$",
        views.report_download,
        name="download",
    ),
]
