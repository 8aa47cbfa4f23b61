from django.apps import AppConfig


class SimulatorConfig(AppConfig):
    """The project package as an app, so its templates, static files and commands load."""

    name = "simulator"
    verbose_name = "Simulator"
