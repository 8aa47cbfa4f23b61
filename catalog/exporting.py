"""Export shops back to the YAML format they are imported from (round-trip safe)."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import yaml

from catalog.models import Shop


def _number(value: Decimal | None):
    if value is None:
        return None
    return int(value) if value == value.to_integral_value() else float(value)


def _text(value: str):
    return value or None


def shop_document(shop: Shop) -> dict:
    products = []
    for product in shop.products.prefetch_related("variants", "related_links__related"):
        products.append(
            {
                "slug": product.slug,
                "name": product.name,
                "category": product.category,
                "price": _number(product.price),
                "description": _text(product.description),
                "materials": _text(product.materials),
                "care": _text(product.care),
                "selling_points": list(product.selling_points),
                "authenticity": _text(product.authenticity),
                "packaging": _text(product.packaging),
                "usage": _text(product.usage),
                "cautions": _text(product.cautions),
                "related": [
                    {"product": link.related.slug, "reason": link.reason}
                    for link in product.related_links.all()
                ],
                "size_chart": product.size_chart,
                "variants": [
                    {
                        "sku": variant.sku,
                        "options": dict(variant.options),
                        "stock": variant.stock,
                        "price": _number(variant.price),
                        "restock_date": variant.restock_date,
                    }
                    for variant in product.variants.all()
                ],
            }
        )
    return {
        "slug": shop.slug,
        "name": shop.name,
        "kind": shop.kind,
        "platform": shop.platform,
        "cross_border": shop.cross_border,
        "description": _text(shop.description),
        "policies": {
            "dispatch_hours": shop.dispatch_hours,
            "couriers": [
                {"name": c.name, "days": c.days, "fee": _number(c.fee)} for c in shop.couriers.all()
            ],
            "free_shipping_threshold": _number(shop.free_shipping_threshold),
            "returns": _text(shop.returns),
            "exchange": _text(shop.exchange),
            "invoice": _text(shop.invoice),
            "customs": _text(shop.customs),
        },
        "promotions": [
            {
                "slug": p.slug,
                "kind": p.kind,
                "title": p.title,
                "threshold": _number(p.threshold),
                "amount": _number(p.amount),
                "gift": _text(p.gift),
                "starts": p.starts,
                "ends": p.ends,
            }
            for p in shop.promotions.all()
        ],
        "products": products,
    }


class _BlockDumper(yaml.SafeDumper):
    """Multi-line text as | blocks, so exported files stay readable and diffable."""


def _str_presenter(dumper, value: str):
    style = "|" if "\n" in value else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_BlockDumper.add_representer(str, _str_presenter)


def dump_yaml(document: dict) -> str:
    return yaml.dump(document, Dumper=_BlockDumper, allow_unicode=True, sort_keys=False, width=100)


def catalog_export(output: Path) -> list[Path]:
    output.mkdir(parents=True, exist_ok=True)
    written = []
    for shop in Shop.objects.all():
        path = output / f"{shop.slug}.yaml"
        path.write_text(dump_yaml(shop_document(shop)), encoding="utf-8")
        written.append(path)
    return written
