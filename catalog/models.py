"""The practice shops the courses and role-plays refer to."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Shop(models.Model):
    class Kind(models.TextChoices):
        APPAREL = "apparel", _("Apparel")
        HEALTH_SUPPLEMENT = "health_supplement", _("Health supplements")
        DIGITAL = "digital", _("Digital accessories")

    slug = models.SlugField(_("slug"), max_length=80, unique=True)
    name = models.CharField(_("name"), max_length=100)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    platform = models.CharField(_("platform"), max_length=20)
    cross_border = models.BooleanField(_("cross-border"), default=False)
    description = models.TextField(_("description"), blank=True)
    dispatch_hours = models.PositiveIntegerField(_("ships within (hours)"))
    free_shipping_threshold = models.DecimalField(
        _("free shipping from (yuan)"), max_digits=10, decimal_places=2, null=True, blank=True
    )
    returns = models.TextField(_("returns"), blank=True)
    exchange = models.TextField(_("exchange"), blank=True)
    invoice = models.CharField(_("invoice"), max_length=200, blank=True)
    customs = models.TextField(_("customs"), blank=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("shop")
        verbose_name_plural = _("shops")

    def __str__(self) -> str:
        return self.name


class Courier(models.Model):
    shop = models.ForeignKey(Shop, on_delete=models.CASCADE, related_name="couriers")
    name = models.CharField(_("name"), max_length=50)
    days = models.CharField(_("delivery days"), max_length=20)
    fee = models.DecimalField(_("fee (yuan)"), max_digits=8, decimal_places=2, default=0)
    position = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["shop", "position"]
        verbose_name = _("courier")
        verbose_name_plural = _("couriers")

    def __str__(self) -> str:
        return self.name

    @property
    def fastest_days(self) -> int:
        """The lower bound of "1-2" style day ranges, for comparing couriers."""
        head = self.days.split("-")[0].strip()
        return int(head) if head.isdigit() else 99


class Promotion(models.Model):
    class Kind(models.TextChoices):
        FULL_REDUCTION = "full_reduction", _("Spend and save (满减)")
        FREE_SHIPPING = "free_shipping", _("Free shipping")
        GIFT = "gift", _("Gift")
        DISCOUNT = "discount", _("Discount")

    shop = models.ForeignKey(Shop, on_delete=models.CASCADE, related_name="promotions")
    slug = models.SlugField(_("slug"), max_length=80)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    title = models.CharField(_("title"), max_length=100)
    threshold = models.DecimalField(
        _("threshold (yuan)"), max_digits=10, decimal_places=2, null=True, blank=True
    )
    amount = models.DecimalField(
        _("amount"), max_digits=10, decimal_places=2, null=True, blank=True
    )
    gift = models.CharField(_("gift"), max_length=200, blank=True)
    starts = models.DateField(_("starts"), null=True, blank=True)
    ends = models.DateField(_("ends"), null=True, blank=True)

    class Meta:
        ordering = ["shop", "slug"]
        constraints = [
            models.UniqueConstraint(fields=["shop", "slug"], name="promotion_slug_per_shop")
        ]
        verbose_name = _("promotion")
        verbose_name_plural = _("promotions")

    def __str__(self) -> str:
        return self.title


class Product(models.Model):
    shop = models.ForeignKey(Shop, on_delete=models.CASCADE, related_name="products")
    slug = models.SlugField(_("slug"), max_length=80)
    name = models.CharField(_("name"), max_length=100)
    category = models.CharField(_("category"), max_length=50)
    price = models.DecimalField(_("price (yuan)"), max_digits=10, decimal_places=2)
    description = models.TextField(_("description"), blank=True)
    materials = models.TextField(_("materials / ingredients / specifications"), blank=True)
    care = models.TextField(_("care"), blank=True)
    selling_points = models.JSONField(_("selling points"), default=list, blank=True)
    authenticity = models.TextField(_("authenticity"), blank=True)
    packaging = models.TextField(_("packaging"), blank=True)
    usage = models.TextField(_("usage"), blank=True)
    cautions = models.TextField(_("cautions"), blank=True)
    size_chart = models.JSONField(_("size chart"), null=True, blank=True)
    position = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["shop", "position"]
        constraints = [
            models.UniqueConstraint(fields=["shop", "slug"], name="product_slug_per_shop")
        ]
        verbose_name = _("product")
        verbose_name_plural = _("products")

    def __str__(self) -> str:
        return self.name


class RelatedProduct(models.Model):
    """Related selling (关联销售) always comes with the reason an agent gives the buyer."""

    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="related_links")
    related = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="+")
    reason = models.CharField(_("reason"), max_length=300)
    position = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["product", "position"]
        verbose_name = _("related product")
        verbose_name_plural = _("related products")

    def __str__(self) -> str:
        return f"{self.product} → {self.related}"


class Variant(models.Model):
    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="variants")
    sku = models.CharField(_("SKU"), max_length=64)
    options = models.JSONField(_("options"), default=dict)
    stock = models.PositiveIntegerField(_("stock"), default=0)
    price = models.DecimalField(
        _("price (yuan)"), max_digits=10, decimal_places=2, null=True, blank=True
    )
    restock_date = models.DateField(_("restock date"), null=True, blank=True)
    position = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["product", "position"]
        constraints = [
            models.UniqueConstraint(fields=["product", "sku"], name="variant_sku_per_product")
        ]
        verbose_name = _("variant")
        verbose_name_plural = _("variants")

    def __str__(self) -> str:
        return f"{self.product.name} {self.label}"

    @property
    def label(self) -> str:
        return " / ".join(str(value) for value in self.options.values())

    @property
    def effective_price(self):
        return self.price if self.price is not None else self.product.price
