"""Product-knowledge drills generated from catalogue facts.

Each question is built from what the catalogue says now (a product's material, a
variant's stock, the free-shipping threshold, the fastest courier, a related product),
so editing the catalogue changes the drills. Generation is deterministic for a seed.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import asdict, dataclass
from decimal import Decimal

from django.utils.translation import gettext as _

from catalog.models import Product, Shop


@dataclass(frozen=True)
class DrillQuestion:
    fact: str  # which kind of fact it tests
    prompt: str
    choices: list[str]
    answer: int  # index into choices; stays on the server until the drill is submitted
    explanation: str

    def as_dict(self) -> dict:
        return asdict(self)


def _options(rng: random.Random, right: str, wrong: list[str], n: int = 4) -> tuple[list, int]:
    pool = sorted({w for w in wrong if w and w != right})
    picked = rng.sample(pool, min(n - 1, len(pool)))
    choices = [right, *picked]
    rng.shuffle(choices)
    return choices, choices.index(right)


def _money(value) -> str:
    return f"{format(Decimal(value).normalize(), 'f')}元"


def _material(shop: Shop, products: list[Product], rng: random.Random) -> DrillQuestion | None:
    candidates = [p for p in products if p.materials]
    if len(candidates) < 2:
        return None
    product = rng.choice(candidates)
    others = [p.materials for p in candidates if p.pk != product.pk]
    choices, answer = _options(rng, product.materials, others)
    prompt = _("What is “%(product)s” made of?") % {"product": product.name}
    return DrillQuestion(
        "material",
        prompt,
        choices,
        answer,
        _("Catalogue: %(product)s — %(fact)s")
        % {"product": product.name, "fact": product.materials},
    )


def _stock(shop: Shop, products: list[Product], rng: random.Random) -> DrillQuestion | None:
    variants = [v for p in products for v in p.variants.all()]
    if not variants:
        return None
    variant = rng.choice(variants)
    right = str(variant.stock)
    wrong = {str(v.stock) for v in variants} | {str(variant.stock + d) for d in (3, 8, 15)}
    if variant.stock:
        wrong |= {"0"}
    choices, answer = _options(rng, right, sorted(wrong))
    detail = _("sold out") if variant.stock == 0 else _("%(n)d in stock") % {"n": variant.stock}
    if variant.stock == 0 and variant.restock_date:
        detail += _(", back on %(date)s") % {"date": variant.restock_date.isoformat()}
    return DrillQuestion(
        "stock",
        _("How many of “%(product)s” (%(variant)s) are in stock?")
        % {"product": variant.product.name, "variant": variant.label},
        choices,
        answer,
        _("Catalogue: %(product)s %(variant)s — %(detail)s.")
        % {"product": variant.product.name, "variant": variant.label, "detail": detail},
    )


def _free_shipping(shop: Shop, products: list[Product], rng: random.Random) -> DrillQuestion | None:
    if shop.free_shipping_threshold is None:
        return None
    right = _money(shop.free_shipping_threshold)
    base = int(shop.free_shipping_threshold)
    wrong = [_money(value) for value in (base - 20, base + 30, base + 100, 59, 199) if value > 0]
    choices, answer = _options(rng, right, wrong)
    return DrillQuestion(
        "free_shipping",
        _("From what order amount does %(shop)s ship for free?") % {"shop": shop.name},
        choices,
        answer,
        _("Shop policy: free shipping from %(amount)s.") % {"amount": right},
    )


def _fastest_courier(
    shop: Shop, products: list[Product], rng: random.Random
) -> DrillQuestion | None:
    couriers = list(shop.couriers.all())
    if len(couriers) < 2:
        return None
    fastest = min(couriers, key=lambda c: (c.fastest_days, c.position))
    if sum(c.fastest_days == fastest.fastest_days for c in couriers) > 1:
        return None  # a tie has no single right answer
    choices, answer = _options(rng, fastest.name, [c.name for c in couriers])
    summary = "；".join(f"{c.name} {c.days} 天" for c in couriers)
    return DrillQuestion(
        "fastest_courier",
        _("A buyer needs the parcel as soon as possible. Which courier?"),
        choices,
        answer,
        _("Shop policy: %(summary)s.") % {"summary": summary},
    )


def _related(shop: Shop, products: list[Product], rng: random.Random) -> DrillQuestion | None:
    with_links = [p for p in products if p.related_links.all()]
    if not with_links or len(products) < 3:
        return None
    product = rng.choice(with_links)
    link = rng.choice(list(product.related_links.all()))
    linked = {lk.related_id for lk in product.related_links.all()} | {product.pk}
    others = [p.name for p in products if p.pk not in linked]
    if not others:
        return None
    choices, answer = _options(rng, link.related.name, others)
    return DrillQuestion(
        "related",
        _("Which product would you recommend together with “%(product)s”?")
        % {"product": product.name},
        choices,
        answer,
        _("%(related)s: %(reason)s") % {"related": link.related.name, "reason": link.reason},
    )


def _dispatch(shop: Shop, products: list[Product], rng: random.Random) -> DrillQuestion | None:
    right = _("%(n)d hours") % {"n": shop.dispatch_hours}
    wrong = [_("%(n)d hours") % {"n": n} for n in (12, 24, 48, 72, 96) if n != shop.dispatch_hours]
    choices, answer = _options(rng, right, wrong)
    return DrillQuestion(
        "dispatch",
        _("Within how long after payment does %(shop)s ship?") % {"shop": shop.name},
        choices,
        answer,
        _("Shop policy: ships within %(time)s of payment.") % {"time": right},
    )


GENERATORS: list[Callable] = [
    _material,
    _stock,
    _free_shipping,
    _fastest_courier,
    _related,
    _dispatch,
]


def drill_generate(shop: Shop, *, seed: int, count: int = 8) -> list[DrillQuestion]:
    """Up to ``count`` questions about ``shop``, each kind of fact at least once if possible."""
    rng = random.Random(seed)
    products = list(shop.products.prefetch_related("variants", "related_links__related"))
    questions: list[DrillQuestion] = []
    seen: set[str] = set()
    for _round in range(count * 4):
        if len(questions) >= count:
            break
        generator = (
            GENERATORS[_round % len(GENERATORS)]
            if _round < len(GENERATORS)
            else (rng.choice(GENERATORS))
        )
        question = generator(shop, products, rng)
        if question is not None and question.prompt not in seen and len(question.choices) >= 2:
            seen.add(question.prompt)
            questions.append(question)
    return questions
