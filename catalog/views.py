"""Read-only pages of the practice shops: what an agent looks up while serving a buyer."""

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render

from catalog.selectors import shops_all, shops_with_products


@login_required
def shop_list(request: HttpRequest) -> HttpResponse:
    return render(request, "catalog/shop_list.html", {"shops": shops_all()})


@login_required
def shop_detail(request: HttpRequest, slug: str) -> HttpResponse:
    shop = get_object_or_404(shops_with_products(), slug=slug)
    return render(request, "catalog/shop_detail.html", {"shop": shop})
