from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RealtimeConfig(AppConfig):
    """Infrastructure for real time: a channel layer kept in the database.

    The embedded default has a Celery worker in a process of its own; an in-memory layer
    cannot carry a buyer's line from that worker to the trainee's socket, a database can.
    """

    name = "realtime"
    verbose_name = _("Real time")
