from django.apps import AppConfig


class SimulatorConfig(AppConfig):
    """The project package as an app, so its templates, static files and commands load."""

    name = "simulator"
    verbose_name = "Simulator"

    def ready(self) -> None:
        # yamlsource (and the scenario validator on it) imports no Django; its messages are
        # translated by Django's catalogues, in the language active when each is made.
        from django.utils.translation import gettext, ngettext, pgettext

        from yamlsource import i18n

        i18n.install(gettext, ngettext, pgettext)
