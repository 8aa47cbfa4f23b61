"""The catalogue YAML format (docs/CONTENT_FORMAT.md): parse and validate into plain data.

Every problem is collected with its file and line before anything is written. Messages are
in the active language (``yamlsource.i18n``), like the shared field checks they sit beside.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from yamlsource import Position, SourceErrors, wording
from yamlsource.fieldpath import subject
from yamlsource.fields import Fields, items_of
from yamlsource.i18n import gettext as _
from yamlsource.i18n import ngettext

SHOP_FIELDS = {
    "slug",
    "name",
    "kind",
    "platform",
    "cross_border",
    "description",
    "policies",
    "promotions",
    "products",
}
POLICY_FIELDS = {
    "dispatch_hours",
    "couriers",
    "free_shipping_threshold",
    "returns",
    "exchange",
    "invoice",
    "customs",
}
PROMOTION_FIELDS = {"slug", "kind", "title", "threshold", "amount", "gift", "starts", "ends"}
PRODUCT_FIELDS = {
    "slug",
    "name",
    "category",
    "price",
    "description",
    "materials",
    "care",
    "selling_points",
    "authenticity",
    "packaging",
    "usage",
    "cautions",
    "related",
    "size_chart",
    "variants",
}
# The product's own columns, copied as they are on import (slug is the key; related
# products and variants are rows of their own).
PRODUCT_COLUMNS = tuple(sorted(PRODUCT_FIELDS - {"slug", "related", "variants"}))
VARIANT_FIELDS = {"sku", "options", "stock", "price", "restock_date"}
KINDS = ("apparel", "health_supplement", "digital")
PLATFORMS = ("淘宝", "天猫", "京东", "拼多多")
PROMOTION_KINDS = ("full_reduction", "free_shipping", "gift", "discount")


@dataclass
class CourierData:
    name: str
    days: str
    fee: Decimal


@dataclass
class PromotionData:
    slug: str
    kind: str
    title: str
    threshold: Decimal | None
    amount: Decimal | None
    gift: str
    starts: date | None
    ends: date | None


@dataclass
class VariantData:
    sku: str
    options: dict[str, str]
    stock: int
    price: Decimal | None
    restock_date: date | None


@dataclass
class ProductData:
    slug: str
    name: str
    category: str
    price: Decimal
    description: str = ""
    materials: str = ""
    care: str = ""
    selling_points: list[str] = field(default_factory=list)
    authenticity: str = ""
    packaging: str = ""
    usage: str = ""
    cautions: str = ""
    related: list[tuple[str, str]] = field(default_factory=list)  # (product slug, reason)
    size_chart: dict | None = None
    variants: list[VariantData] = field(default_factory=list)


@dataclass
class ShopData:
    slug: str
    name: str
    kind: str
    platform: str
    cross_border: bool
    description: str
    dispatch_hours: int
    couriers: list[CourierData]
    free_shipping_threshold: Decimal | None
    returns: str
    exchange: str
    invoice: str
    customs: str
    promotions: list[PromotionData]
    products: list[ProductData]


def _size_chart(parent: Fields, key: str) -> dict | None:
    node = parent.mapping(key, required=False)
    if node is None:
        return None
    chart = parent.child(key, node)
    chart.known({"columns", "rows"})
    columns = chart.text_list("columns", min_items=2, max_length=40)
    rows = chart.sequence("rows", min_items=1) or []
    clean_rows = []
    for index, row in enumerate(rows):
        if not isinstance(row, list) or len(row) != len(columns):
            path = (*chart.parts, "rows", index)
            message = ngettext(
                "%(field)s must be a list of %(count)d cell, one per column",
                "%(field)s must be a list of %(count)d cells, one per column",
                len(columns),
            ) % {"field": subject(path), "count": len(columns)}
            parent.errors.add(rows, index, message, path=path)
            continue
        clean_rows.append([str(cell) for cell in row])
    return {"columns": columns, "rows": clean_rows}


def _variant(item: Fields) -> VariantData | None:
    item.known(VARIANT_FIELDS)
    sku = item.text("sku", max_length=64)
    options_node = item.mapping("options")
    options: dict[str, str] = {}
    if options_node is not None:
        if not options_node:
            item.error(
                "options",
                _("%(field)s needs at least one option, e.g. {颜色: 驼色, 尺码: M}")
                % {"field": item.subject("options")},
            )
        for name, value in options_node.items():
            if value is None or isinstance(value, dict | list):
                # An option is one plain value (驼色, M, 128): the words of the field checks.
                message = (
                    wording.missing_value(str(name))
                    if value is None
                    else wording.wrong_type(str(name), ["string", "number"], value)
                )
                path = (*item.parts, "options", str(name))
                item.errors.add(options_node, name, message, path=path)
                continue
            options[str(name)] = str(value)
    stock = item.integer("stock", minimum=0, maximum=1_000_000)
    price = item.decimal("price", required=False)
    restock = item.date("restock_date", required=False)
    if None in (sku, options_node, stock):
        return None
    return VariantData(sku, options, stock, price, restock)


def _product(item: Fields) -> ProductData | None:
    item.known(PRODUCT_FIELDS)
    data = ProductData(
        slug=item.slug() or "",
        name=item.text("name", max_length=100) or "",
        category=item.text("category", max_length=50) or "",
        price=item.decimal("price") or Decimal(0),
    )
    for key in (
        "description",
        "materials",
        "care",
        "authenticity",
        "packaging",
        "usage",
        "cautions",
    ):
        setattr(data, key, item.text(key, required=False, max_length=5000) or "")
    data.selling_points = item.text_list("selling_points", required=False)
    for related, _index in items_of(item, "related", item.sequence("related", required=False)):
        related.known({"product", "reason"})
        target = related.slug("product")
        reason = related.text("reason", max_length=300)
        if target and reason:
            data.related.append((target, reason))
    data.size_chart = _size_chart(item, "size_chart")
    variants = item.sequence("variants", min_items=1)
    for variant_fields, _index in items_of(item, "variants", variants):
        variant = _variant(variant_fields)
        if variant is not None:
            data.variants.append(variant)
    skus = [v.sku for v in data.variants]
    for sku in sorted({s for s in skus if skus.count(s) > 1}):
        item.error("variants", _("SKU “%(sku)s” appears more than once") % {"sku": sku})
    return data if data.slug and data.name else None


def _couriers(policies: Fields) -> list[CourierData]:
    couriers: list[CourierData] = []
    courier_list = policies.sequence("couriers", min_items=1)
    for courier, _index in items_of(policies, "couriers", courier_list):
        courier.known({"name", "days", "fee"})
        name = courier.text("name", max_length=50)
        days = courier.text("days", max_length=20)
        fee = courier.decimal("fee", required=False) or Decimal(0)
        if name and days:
            couriers.append(CourierData(name, days, fee))
    return couriers


def _promotion(promo: Fields) -> PromotionData:
    promo.known(PROMOTION_FIELDS)
    kind = promo.choice("kind", PROMOTION_KINDS)
    data = PromotionData(
        slug=promo.slug() or "",
        kind=kind or "",
        title=promo.text("title", max_length=100) or "",
        threshold=promo.decimal("threshold", required=kind in ("full_reduction", "free_shipping")),
        amount=promo.decimal("amount", required=kind in ("full_reduction", "discount")),
        gift=promo.text("gift", required=kind == "gift", max_length=200) or "",
        starts=promo.date("starts", required=False),
        ends=promo.date("ends", required=False),
    )
    if data.starts and data.ends and data.ends < data.starts:
        promo.error(
            "ends",
            _("ends (%(ends)s) is before starts (%(starts)s)")
            % {"ends": data.ends.isoformat(), "starts": data.starts.isoformat()},
        )
    if kind == "discount" and data.amount is not None and data.amount >= 100:
        promo.error(
            "amount",
            _("a discount is a percentage off, below 100 (here %(amount)s)")
            % {"amount": wording.number_text(float(data.amount))},
        )
    return data


def shop_parse(document, errors: SourceErrors, *, name: str = "<text>") -> ShopData | None:
    """Validate one shop document; errors are added to ``errors``. ``name``: the file, for an
    error about a document that is a lone value (which knows no place of its own)."""
    if not isinstance(document, dict):
        position = document.position() if hasattr(document, "position") else Position(name, 1, 1)
        errors.add_at(position, "", _("a shop file must be a mapping with slug, name, products …"))
        return None
    root = Fields(document, "", errors)
    root.known(SHOP_FIELDS)
    policies_node = root.mapping("policies")
    policies = root.child("policies", policies_node) if policies_node is not None else None
    couriers: list[CourierData] = []
    dispatch_hours = None
    threshold = None
    texts = {"returns": "", "exchange": "", "invoice": "", "customs": ""}
    if policies is not None:
        policies.known(POLICY_FIELDS)
        dispatch_hours = policies.integer("dispatch_hours", minimum=1, maximum=24 * 30)
        threshold = policies.decimal("free_shipping_threshold", required=False)
        for key in texts:
            texts[key] = policies.text(key, required=key == "returns", max_length=5000) or ""
        couriers = _couriers(policies)

    promotions: list[PromotionData] = []
    for promo, _index in items_of(root, "promotions", root.sequence("promotions", required=False)):
        promotions.append(_promotion(promo))

    products: list[ProductData] = []
    product_list = root.sequence("products", min_items=1)
    for product_fields, _index in items_of(root, "products", product_list):
        product = _product(product_fields)
        if product is not None:
            products.append(product)

    shop = ShopData(
        slug=root.slug() or "",
        name=root.text("name", max_length=100) or "",
        kind=root.choice("kind", KINDS) or "",
        platform=root.choice("platform", PLATFORMS) or "",
        cross_border=bool(root.boolean("cross_border", default=False)),
        description=root.text("description", required=False, max_length=5000) or "",
        dispatch_hours=dispatch_hours or 0,
        couriers=couriers,
        free_shipping_threshold=threshold,
        promotions=promotions,
        products=products,
        **texts,
    )
    _check_references(shop, document, product_list, errors)
    if shop.cross_border and not shop.customs and policies is not None:
        policies.error("customs", _("a cross-border shop must explain customs clearance"))
    return shop


def _check_references(shop: ShopData, document, product_list, errors: SourceErrors) -> None:
    slugs = [p.slug for p in shop.products]
    for slug in sorted({s for s in slugs if slugs.count(s) > 1}):
        errors.add(
            document,
            "products",
            _("product slug “%(slug)s” appears more than once") % {"slug": slug},
            path=("products",),
        )
    promo_slugs = [p.slug for p in shop.promotions]
    for slug in sorted({s for s in promo_slugs if promo_slugs.count(s) > 1}):
        errors.add(
            document,
            "promotions",
            _("promotion slug “%(slug)s” appears more than once") % {"slug": slug},
            path=("promotions",),
        )
    known = set(slugs)
    for index, product in enumerate(shop.products):
        for target, _reason in product.related:
            if target not in known:
                node = product_list[index] if product_list else document
                errors.add(
                    node,
                    "related",
                    _("related product “%(product)s” is not a product of this shop")
                    % {"product": target},
                    path=("products", index, "related"),
                )
            elif target == product.slug:
                node = product_list[index] if product_list else document
                errors.add(
                    node,
                    "related",
                    _("a product cannot be related to itself"),
                    path=("products", index, "related"),
                )
