from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CatalogConfig(AppConfig):
    """The practice shops: products, variants, stock, prices, promotions, policies.

    Imports no other app of the project.
    """

    name = "catalog"
    verbose_name = _("Practice shops")
