"""Writes for the catalogue: importing shop files (validated first, atomic, by slug)."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from django.db import transaction
from django.utils.translation import gettext as _

from audit.services import audit_record
from catalog.models import Courier, Product, Promotion, RelatedProduct, Shop, Variant
from catalog.yaml_format import (
    PRODUCT_COLUMNS,
    CourierData,
    ProductData,
    PromotionData,
    ShopData,
    VariantData,
    shop_parse,
)
from yamlsource import SourceErrors, load_file


def catalog_files_parse(paths: Iterable[Path | str]) -> list[ShopData]:
    """Read and validate shop files; raise ``SourceErrors`` listing every problem."""
    errors = SourceErrors()
    shops: list[ShopData] = []
    documents = {}
    for path in paths:
        try:
            document = load_file(path)
        except SourceErrors as file_errors:
            errors.extend(file_errors)
            continue
        shop = shop_parse(document, errors, name=str(Path(path)))
        if shop is None:
            continue
        if shop.slug in documents:
            first = documents[shop.slug].position("slug")
            errors.add(
                document,
                "slug",
                _("shop slug “%(slug)s” is already used by %(where)s")
                % {"slug": shop.slug, "where": first},
                path="slug",
            )
        documents[shop.slug] = document
        shops.append(shop)
    errors.raise_if_any()
    return shops


def _sync_children(queryset, key: str, wanted: dict, build) -> None:
    """Update rows matched by ``key``, create missing ones, delete the rest."""
    existing = {getattr(row, key): row for row in queryset}
    for position, (value, data) in enumerate(wanted.items()):
        row = existing.pop(value, None)
        row = build(row, data, position)
        row.full_clean()
        row.save()
    for row in existing.values():
        row.delete()


@transaction.atomic
def shop_import(data: ShopData, *, actor=None) -> Shop:
    """Upsert one shop; audited as ``catalog.shop_import`` (``actor`` None: the command
    line)."""
    shop = Shop.objects.filter(slug=data.slug).first() or Shop(slug=data.slug)
    created = shop.pk is None
    for name in (
        "name",
        "kind",
        "platform",
        "cross_border",
        "description",
        "dispatch_hours",
        "free_shipping_threshold",
        "returns",
        "exchange",
        "invoice",
        "customs",
    ):
        setattr(shop, name, getattr(data, name))
    shop.full_clean()
    shop.save()

    _couriers_replace(shop, data.couriers)
    _promotions_sync(shop, data.promotions)
    _products_sync(shop, data.products)
    audit_record(
        actor=actor,
        action="catalog.shop_import",
        target=shop,
        after={
            "slug": shop.slug,
            "created": created,
            "products": len(data.products),
            "variants": sum(len(p.variants) for p in data.products),
            "promotions": len(data.promotions),
            "couriers": len(data.couriers),
        },
    )
    return shop


def _couriers_replace(shop: Shop, couriers: list[CourierData]) -> None:
    shop.couriers.all().delete()  # couriers have no identity of their own
    for position, courier in enumerate(couriers):
        Courier.objects.create(
            shop=shop, name=courier.name, days=courier.days, fee=courier.fee, position=position
        )


def _promotions_sync(shop: Shop, promotions: list[PromotionData]) -> None:
    def build_promotion(row, promo, _position):
        row = row or Promotion(shop=shop, slug=promo.slug)
        for name in ("kind", "title", "threshold", "amount", "gift", "starts", "ends"):
            setattr(row, name, getattr(promo, name))
        return row

    _sync_children(shop.promotions.all(), "slug", {p.slug: p for p in promotions}, build_promotion)


def _products_sync(shop: Shop, wanted: list[ProductData]) -> None:
    """Products by slug, then each one's variants by SKU and its related products."""

    def build_product(row, product, position):
        row = row or Product(shop=shop, slug=product.slug)
        for name in PRODUCT_COLUMNS:
            setattr(row, name, getattr(product, name))
        row.position = position
        return row

    _sync_children(shop.products.all(), "slug", {p.slug: p for p in wanted}, build_product)
    products = {p.slug: p for p in shop.products.all()}
    for product_data in wanted:
        product = products[product_data.slug]
        _variants_sync(product, product_data.variants)
        product.related_links.all().delete()
        for position, (target, reason) in enumerate(product_data.related):
            RelatedProduct.objects.create(
                product=product, related=products[target], reason=reason, position=position
            )


def _variants_sync(product: Product, variants: list[VariantData]) -> None:
    def build_variant(row, variant, position):
        row = row or Variant(product=product, sku=variant.sku)
        for name in ("options", "stock", "price", "restock_date"):
            setattr(row, name, getattr(variant, name))
        row.position = position
        return row

    _sync_children(product.variants.all(), "sku", {v.sku: v for v in variants}, build_variant)


@transaction.atomic
def catalog_import(paths: Iterable[Path | str], *, actor=None) -> list[Shop]:
    """Validate every file, then import all shops in one transaction (all or nothing)."""
    return [shop_import(data, actor=actor) for data in catalog_files_parse(paths)]
