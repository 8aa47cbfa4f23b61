"""The Celery application. Tasks live in each app's tasks.py and take ids, never objects."""

from __future__ import annotations

import logging
import os

from celery import Celery, bootsteps
from celery.signals import task_failure, task_prerun, worker_init

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "simulator.settings")

app = Celery("simulator")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

logger = logging.getLogger(__name__)
# Tasks that send again the countdowns the database says are pending (by name: the frame
# does not import the apps' task modules).
REARM_TASKS = ("roleplay.rearm", "courses.rearm", "certification.rearm")


class RearmCountdowns(bootsteps.StartStopStep):
    """Each time the worker's consumer starts (worker start, and again after a lost broker
    connection), re-arm the countdowns: a worker killed outright, or one that lost its
    connection, dropped the countdown tasks it was holding until due."""

    requires = {"celery.worker.consumer.tasks:Tasks"}

    def start(self, parent) -> None:
        for name in REARM_TASKS:
            try:
                parent.app.send_task(name)
            except Exception:  # the broker went away again: the next (re)connect re-arms
                logger.exception("could not send %s", name)


app.steps["consumer"].add(RearmCountdowns)


@worker_init.connect
def _warm_up_scoring(**kwargs) -> None:
    # In the worker's main process, before it forks its pool: every child starts with the
    # rule pack loaded (scoring.warm_up).
    from scoring import warm_up

    warm_up()


@task_prerun.connect
def _fresh_database_connection(task=None, **kwargs) -> None:
    # Like the start of a web request: a broken or expired connection is dropped (a pooled
    # one goes back to its pool), so a task never starts on a dead connection. Eager tasks
    # run inside their caller's transaction and keep its connection.
    if task is not None and getattr(task.request, "is_eager", False):
        return
    from django.db import close_old_connections

    close_old_connections()


@task_failure.connect
def _count_given_up(sender=None, exception=None, **kwargs) -> None:
    # Called once a task has failed for good (its retries, if any, spent): logged and
    # counted where /healthz and the diagnostics page look.
    from simulator.background import record_failure

    name = getattr(sender, "name", "unknown")
    record_failure(f"celery.{name}", exception or RuntimeError("task failed"))
