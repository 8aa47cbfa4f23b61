from django.contrib import admin
from django.db import models

from catalog.models import Courier, Product, Promotion, RelatedProduct, Shop, Variant
from simulator.admin_privacy import DeleteCountsOnly
from simulator.json_input import JSONFormField


class CourierInline(admin.TabularInline):
    model = Courier
    extra = 0


class PromotionInline(admin.TabularInline):
    model = Promotion
    extra = 0


@admin.register(Shop)
class ShopAdmin(DeleteCountsOnly, admin.ModelAdmin):
    list_display = ("name", "slug", "kind", "platform", "cross_border")
    inlines = [CourierInline, PromotionInline]


class VariantInline(admin.TabularInline):
    # Deeply nested or non-finite JSON is a form error, not a 500.
    formfield_overrides = {models.JSONField: {"form_class": JSONFormField}}
    model = Variant
    extra = 0


class RelatedInline(admin.TabularInline):
    model = RelatedProduct
    fk_name = "product"
    extra = 0


@admin.register(Product)
class ProductAdmin(admin.ModelAdmin):
    # Deeply nested or non-finite JSON is a form error, not a 500.
    formfield_overrides = {models.JSONField: {"form_class": JSONFormField}}
    list_display = ("name", "shop", "category", "price")
    list_filter = ("shop", "category")
    search_fields = ("name", "slug", "materials")
    inlines = [VariantInline, RelatedInline]
