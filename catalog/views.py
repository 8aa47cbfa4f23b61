"""Read-only pages of the practice shops: what an agent looks up while serving a buyer."""

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from catalog.models import Shop
from catalog.selectors import shop_with_products, shops_all


@login_required
def shop_list(request: HttpRequest) -> HttpResponse:
    return render(request, "catalog/shop_list.html", {"shops": shops_all()})


@login_required
def shop_detail(request: HttpRequest, slug: str) -> HttpResponse:
    try:
        shop = shop_with_products(slug)
    except Shop.DoesNotExist:
        raise Http404 from None
    return render(request, "catalog/shop_detail.html", {"shop": shop})
