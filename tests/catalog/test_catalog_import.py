"""Catalogue files: validated with locations, imported atomically by slug, round-tripping."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

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


@pytest.mark.usefixtures("english")
def test_unknown_related_product_is_named_with_its_line(tmp_path):
    path = _write(tmp_path, "{product: scarf,", "{product: belt,")
    [message] = _messages(path)
    assert message.endswith(
        ": products #1 › related: related product “belt” is not a product of this shop"
    )
    line = int(message.split(":")[1])
    assert "related:" in path.read_text().splitlines()[line - 1]


def test_type_errors_unknown_fields_and_duplicates(tmp_path):
    path = _write(tmp_path, "    price: 129\n", "    price: cheap\n    colour: red\n")
    text = path.read_text(encoding="utf-8").replace("sku: TEE-S", "sku: COAT-M")
    text = text.replace("slug: tee", "slug: scarf")
    path.write_text(text, encoding="utf-8")
    messages = "\n".join(_messages(path))
    # The field checks and the format's own messages speak the site's language; products
    # are counted from 1.
    assert 'products 第 2 项的 price: price 应为数字，这里是文本 "cheap"' in messages
    assert "products 第 2 项的 colour: 未知字段 colour（这里可以写：" in messages
    assert "products: 商品 slug“scarf”重复了" in messages


PROMOTION = "    amount: 20\n"
TEE = "    materials: 棉 100%\n"


@pytest.mark.usefixtures("english")
@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        (
            "{sku: COAT-L,",
            "{sku: COAT-M,",
            "products #1 › variants: SKU “COAT-M” appears more than once",
        ),
        (
            "{product: scarf,",
            "{product: coat,",
            "products #1 › related: a product cannot be related to itself",
        ),
        (
            PROMOTION,
            PROMOTION + "    starts: 2026-11-11\n    ends: 2026-11-01\n",
            "promotions #1 › ends: ends (2026-11-01) is before starts (2026-11-11)",
        ),
        (
            "kind: full_reduction\n    title: 满200减20\n    threshold: 200\n    amount: 20",
            "kind: discount\n    title: 满200减20\n    threshold: 200\n    amount: 120",
            "promotions #1 › amount: a discount is a percentage off, below 100 (here 120)",
        ),
        (
            PROMOTION,
            PROMOTION + "  - {slug: full-200-minus-20, kind: gift, title: 送袜子, gift: 袜子}\n",
            "promotions: promotion slug “full-200-minus-20” appears more than once",
        ),
        (
            "options: {颜色: 酒红}",
            "options: {颜色: [酒红, 墨绿]}",
            "products #2 › variants #1 › options.颜色: 颜色 should be text or a number, not a list",
        ),
        (
            "options: {颜色: 酒红}",
            "options: {颜色: }",
            "products #2 › variants #1 › options.颜色: 颜色 has no value (nothing after the colon)",
        ),
        (
            "options: {尺码: S}",
            "options: {}",
            "products #3 › variants #1 › options: "
            "options needs at least one option, e.g. {颜色: 驼色, 尺码: M}",
        ),
        (
            TEE,
            TEE + "    size_chart:\n      columns: [尺码, 胸围]\n      rows: [[S, 96], [M]]\n",
            "products #3 › size_chart.rows #2: rows #2 must be a list of 2 cells, one per column",
        ),
        (
            "cross_border: false",
            "cross_border: true",
            "policies.customs: a cross-border shop must explain customs clearance",
        ),
    ],
    ids=[
        "sku-twice",
        "related-to-itself",
        "ends-before-starts",
        "discount-percentage",
        "promotion-slug-twice",
        "option-a-list",
        "option-empty",
        "no-options",
        "size-chart-row",
        "customs",
    ],
)
def test_each_own_message_names_its_field_counting_items_from_1(tmp_path, old, new, expected):
    assert [m.split(": ", 1)[1] for m in _messages(_write(tmp_path, old, new))] == [expected]


@pytest.mark.usefixtures("english")
def test_a_file_that_is_not_a_mapping_says_what_a_shop_file_holds(tmp_path):
    path = tmp_path / "shop.yaml"
    path.write_text("- a\n- b\n", encoding="utf-8")
    assert _messages(path) == [
        f"{path}:1:1: a shop file must be a mapping with slug, name, products …"
    ]


def test_import_catalog_speaks_chinese_by_default_and_english_on_request(tmp_path):
    """What the trainer reads from the command: Chinese, or English with --language en."""
    path = _write(tmp_path, "{sku: COAT-L,", "{sku: COAT-M,")
    with pytest.raises(CommandError) as chinese:
        call_command("import_catalog", "--check", str(path))
    assert "products 第 1 项的 variants: SKU“COAT-M”重复了" in str(chinese.value)
    with pytest.raises(CommandError) as english:
        call_command("import_catalog", "--check", str(path), "--language", "en")
    assert "products #1 › variants: SKU “COAT-M” appears more than once" in str(english.value)


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
