"""Reads for the catalogue pages."""

from __future__ import annotations

from django.db.models import Prefetch, QuerySet

from catalog.models import Product, RelatedProduct, Shop


def shops_all() -> QuerySet[Shop]:
    return Shop.objects.all()


def shops_with_products() -> QuerySet[Shop]:
    """Shops with everything their page shows: couriers, promotions, products, variants
    and related products, in a fixed number of queries."""
    products = Product.objects.prefetch_related(
        "variants",
        Prefetch("related_links", queryset=RelatedProduct.objects.select_related("related")),
    )
    return Shop.objects.prefetch_related(
        "couriers", "promotions", Prefetch("products", queryset=products)
    )
