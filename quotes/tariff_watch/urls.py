from django.urls import path

from . import views

app_name = "tariff_watch"
urlpatterns = [
    path("changes/", views.change_list, name="changes"),
    path("changes/<int:pk>/", views.change_detail, name="change"),
    path("changes/<int:pk>/progress/", views.change_progress, name="change_progress"),
    path("changes/<int:pk>/recompute/", views.change_recompute, name="change_recompute"),
    path("calendar/", views.calendar, name="calendar"),
    path("scenarios/", views.scenario_list, name="scenarios"),
    path("scenarios/new/", views.scenario_create, name="scenario_create"),
    path("scenarios/<int:pk>/", views.scenario_detail, name="scenario"),
    path("scenarios/<int:pk>/progress/", views.scenario_progress, name="scenario_progress"),
    path("scenarios/<int:pk>/run/", views.scenario_rerun, name="scenario_rerun"),
    path("scenarios/<int:pk>/export.csv", views.scenario_export, name="scenario_export"),
]
