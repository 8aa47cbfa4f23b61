"""Catalogue files: validated with locations, imported atomically by slug, round-tripping."""

from __future__ import annotations

from pathlib import Path

import pytest

from catalog.exporting import catalog_export, shop_document
from catalog.models import Product, Shop, Variant
from catalog.services import catalog_files_parse, catalog_import
from yamlsource import SourceErrors

FIXTURE = Path(__file__).parent / "fixtures" / "mini-shop.yaml"
CONTENT = Path(__file__).resolve().parents[2] / "content" / "catalog"


def _write(tmp_path: Path, old: str, new: str) -> Path:
    text = FIXTURE.read_text(encoding="utf-8")
    assert old in text
    path = tmp_path / "shop.yaml"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return path


def _messages(path: Path) -> list[str]:
    with pytest.raises(SourceErrors) as raised:
        catalog_files_parse([path])
    return [str(error) for error in sorted(raised.value.errors)]


def test_unknown_related_product_is_named_with_its_line(tmp_path):
    path = _write(tmp_path, "{product: scarf,", "{product: belt,")
    [message] = _messages(path)
    assert "“belt” is not a product of this shop" in message
    line = int(message.split(":")[1])
    assert "related:" in path.read_text().splitlines()[line - 1]


def test_type_errors_unknown_fields_and_duplicates(tmp_path):
    path = _write(tmp_path, "    price: 129\n", "    price: cheap\n    colour: red\n")
    text = path.read_text(encoding="utf-8").replace("sku: TEE-S", "sku: COAT-M")
    text = text.replace("slug: tee", "slug: scarf")
    path.write_text(text, encoding="utf-8")
    messages = "\n".join(_messages(path))
    # The shared field checks speak the site's language; products are counted from 1.
    assert 'products 第 2 项的 price: price 应为数字，这里是文本 "cheap"' in messages
    assert "products 第 2 项的 colour: 未知字段 colour（这里可以写：" in messages
    assert "product slug “scarf” appears more than once" in messages


def test_a_cross_border_shop_must_explain_customs(tmp_path):
    path = _write(tmp_path, "cross_border: false", "cross_border: true")
    assert any("customs clearance" in m for m in _messages(path))


@pytest.mark.django_db
def test_import_is_atomic_and_updates_in_place(tmp_path):
    catalog_import([FIXTURE])
    coat = Product.objects.get(slug="coat")
    broken = _write(tmp_path, "stock: 12", "stock: -1")
    with pytest.raises(SourceErrors):
        catalog_import([broken])
    assert Variant.objects.get(sku="COAT-M").stock == 12
    changed = _write(tmp_path, "stock: 12", "stock: 7")
    catalog_import([changed])
    assert Product.objects.get(slug="coat").pk == coat.pk
    assert Variant.objects.get(sku="COAT-M").stock == 7
    assert Shop.objects.count() == 1


@pytest.mark.django_db
def test_shipped_catalogue_imports_and_round_trips(tmp_path):
    files = sorted(CONTENT.glob("*.yaml"))
    shops = catalog_import(files)
    kinds = {shop.kind for shop in shops}
    assert kinds == {"apparel", "health_supplement", "digital"}
    assert any(shop.cross_border for shop in shops)
    for shop in shops:
        assert shop.products.count() >= 6
        assert shop.promotions.exists()
    before = {shop.slug: shop_document(shop) for shop in Shop.objects.all()}
    written = catalog_export(tmp_path)
    catalog_import(written)
    after = {shop.slug: shop_document(shop) for shop in Shop.objects.all()}
    assert after == before


@pytest.mark.django_db
def test_shop_page_shows_products_stock_and_escapes_text(client, trainee):
    catalog_import([FIXTURE])
    Product.objects.filter(slug="tee").update(description="<script>alert(1)</script>")
    client.force_login(trainee)
    html = client.get("/shops/mini-shop/").content.decode()
    assert "羊毛大衣" in html and "COAT-M" in html and "2026-12-10" in html
    assert "<script>alert(1)</script>" not in html and "&lt;script&gt;" in html
    assert client.get("/shops/nope/").status_code == 404
