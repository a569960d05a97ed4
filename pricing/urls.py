"""The calculator's pages. Included by ``quotes/urls.py``, so their paths and names stay
``/quotes/calculator/`` (``quotes:calculator``) and ``/quotes/calculator/preview/``
(``quotes:calculator_preview``), next to the quote builder that posts to the latter."""

from django.urls import path

from . import views

urlpatterns = [
    path("calculator/", views.calculator, name="calculator"),
    path("calculator/preview/", views.calculator_preview, name="calculator_preview"),
]
