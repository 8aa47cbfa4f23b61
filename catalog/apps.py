from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

# Trainers and admins write the practice catalogues (in the admin).
_AUTHORING = {
    f"catalog.{action}_{model}"
    for model in ("shop", "courier", "promotion", "product", "relatedproduct", "variant")
    for action in ("view", "add", "change", "delete")
}


class CatalogConfig(AppConfig):
    """The practice shops: products, variants, stock, prices, promotions, policies.

    Imports no other app of the project.
    """

    name = "catalog"
    verbose_name = _("Practice shops")

    # Read by accounts.navigation and accounts.roles. Plain strings for the roles
    # (accounts.roles.Role values), since this app imports no other.
    menu_entries = [
        {
            "order": 30,
            "label": _("Practice shops"),
            "url_name": "catalog:shops",
            "permission": None,
        },
    ]
    role_permissions = {"trainer": _AUTHORING, "admin": _AUTHORING}
