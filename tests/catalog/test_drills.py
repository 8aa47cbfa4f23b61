from pathlib import Path

import pytest

from catalog.drills import drill_generate
from catalog.models import Product, Shop
from catalog.services import catalog_import

FIXTURE = Path(__file__).parent / "fixtures" / "mini-shop.yaml"


@pytest.fixture
def shop(db) -> Shop:
    return catalog_import([FIXTURE])[0]


def test_drills_cover_each_kind_of_fact_and_are_right(shop):
    questions = drill_generate(shop, seed=7, count=6)
    by_fact = {q.fact: q for q in questions}
    assert set(by_fact) == {
        "material",
        "stock",
        "free_shipping",
        "fastest_courier",
        "related",
        "dispatch",
    }
    assert by_fact["free_shipping"].choices[by_fact["free_shipping"].answer] == "99元"
    assert by_fact["fastest_courier"].choices[by_fact["fastest_courier"].answer] == "顺丰速运"
    related = by_fact["related"]
    assert related.choices[related.answer] == "真丝丝巾"
    assert "领口搭配丝巾" in related.explanation
    material = by_fact["material"]
    product = Product.objects.get(name=material.prompt.split("“")[1].split("”")[0])
    assert material.choices[material.answer] == product.materials


def test_same_seed_same_drill(shop):
    assert drill_generate(shop, seed=3) == drill_generate(shop, seed=3)


def test_editing_the_catalogue_changes_the_drill(shop):
    Product.objects.filter(slug="coat").update(materials="羊绒 100%")
    Product.objects.filter(slug="scarf").update(materials="")
    Product.objects.filter(slug="tee").update(materials="")
    assert not any(q.fact == "material" for q in drill_generate(shop, seed=1))
    Product.objects.filter(slug="tee").update(materials="棉 100%")
    materials = [q for q in drill_generate(shop, seed=1, count=12) if q.fact == "material"]
    assert materials and all("羊绒 100%" in q.choices for q in materials)
