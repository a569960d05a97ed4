from django.urls import path

from . import views

app_name = "tariff_watch"
urlpatterns = [
    path("changes/", views.change_list, name="changes"),
    path("changes/<int:pk>/", views.change_detail, name="change"),
    path("changes/<int:pk>/progress/", views.change_progress, name="change_progress"),
    path("changes/<int:pk>/recompute/", views.change_recompute, name="change_recompute"),
    path("calendar/", views.calendar, name="calendar"),
]
