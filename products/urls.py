from django.urls import path

from . import views

app_name = "products"
urlpatterns = [
    path("", views.catalogue, name="catalogue"),
    path("<str:code>/", views.product_detail, name="detail"),
]
