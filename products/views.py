from itertools import groupby

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import render

from . import selectors
from .models import Category, Product


@login_required
def catalogue(request):
    """Grades grouped by category with the list price in force today."""
    products = list(selectors.product_list(active_only=not request.user.is_admin))
    labels = dict(Category.choices)
    groups = [
        (labels[cat], list(items)) for cat, items in groupby(products, key=lambda p: p.category)
    ]
    return render(request, "products/catalogue.html", {"groups": groups})


@login_required
def product_detail(request, code: str):
    try:
        product = selectors.product_get(code=code)
    except Product.DoesNotExist:
        raise Http404("No such grade") from None
    history = selectors.product_price_history(product=product)
    return render(request, "products/detail.html", {"product": product, "history": history})
