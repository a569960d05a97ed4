"""The buyer's signed links, mounted at ``/q/`` by ``mgtrade/urls.py``."""

from django.urls import path

from . import public_views

app_name = "public_quote"
urlpatterns = [
    path("<str:token>/", public_views.public_quote, name="view"),
    path("<str:token>/accept/", public_views.public_accept, name="accept"),
    path("<str:token>/decline/", public_views.public_decline, name="decline"),
    path("<str:token>/pdf/", public_views.public_pdf, name="pdf"),
]
