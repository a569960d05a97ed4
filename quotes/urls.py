from django.urls import path

from . import views

app_name = "quotes"
urlpatterns = [
    path("calculator/", views.calculator, name="calculator"),
    path("calculator/preview/", views.calculator_preview, name="calculator_preview"),
]
