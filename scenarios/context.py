"""What a scenario is validated against: the catalogue, the rule pack, the shared intents."""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache
from pathlib import Path

from django.conf import settings

from catalog.models import Shop
from scenarios.validation import ShopFacts, ValidationContext, shared_intents_load
from scoring import load_rulepack

SCENARIO_DIR = Path(settings.BASE_DIR) / "content" / "scenarios"
SHARED_INTENTS = SCENARIO_DIR / "_intents.yaml"
CATALOG_DIR = Path(settings.BASE_DIR) / "content" / "catalog"


@lru_cache(maxsize=1)
def rule_ids() -> frozenset[str]:
    return frozenset(rule.id for rule in load_rulepack().rules)


def shared_intents() -> dict[str, dict]:
    return shared_intents_load(SHARED_INTENTS)


def _shops_from_database() -> dict[str, ShopFacts]:
    facts: dict[str, dict[str, set[str]]] = {}
    for shop_slug, product_slug, sku in Shop.objects.values_list(
        "slug", "products__slug", "products__variants__sku"
    ):
        products = facts.setdefault(shop_slug, {})
        if product_slug:
            products.setdefault(product_slug, set())
            if sku:
                products[product_slug].add(sku)
    return {
        slug: ShopFacts({p: frozenset(s) for p, s in products.items()})
        for slug, products in facts.items()
    }


def _shops_from_files(paths: Sequence[Path]) -> dict[str, ShopFacts]:
    from catalog.services import catalog_files_parse

    shops = catalog_files_parse(list(paths))
    return {
        shop.slug: ShopFacts({p.slug: frozenset(v.sku for v in p.variants) for p in shop.products})
        for shop in shops
    }


def shipped_catalog_files() -> list[Path]:
    return sorted(CATALOG_DIR.glob("*.yaml"))


def validation_context(
    *, from_files: bool = False, extra_catalogs: Sequence[Path] = ()
) -> ValidationContext:
    """The catalogue in the database; or, for checks without one, the shipped catalogue files.

    ``extra_catalogs`` adds the shops of other catalogue files (a trainer checking scenarios
    for a shop that is not imported yet); a shop in both is taken from the extra file.
    """
    shops = _shops_from_files(shipped_catalog_files()) if from_files else _shops_from_database()
    if extra_catalogs:
        shops.update(_shops_from_files(extra_catalogs))
    return ValidationContext(shops=shops, rule_ids=rule_ids(), shared_intents=shared_intents())
