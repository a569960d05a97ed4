"""The buyer's signed links, mounted at ``/q/`` by ``mgtrade/urls.py``."""

from django.urls import path

from . import views

app_name = "public_quote"
urlpatterns = [
    path("<str:token>/", views.public_quote, name="view"),
    path("<str:token>/accept/", views.public_accept, name="accept"),
    path("<str:token>/decline/", views.public_decline, name="decline"),
    path("<str:token>/pdf/", views.public_pdf, name="pdf"),
]
