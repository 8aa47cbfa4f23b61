"""Celery tasks of accounts: thin, they call one service each."""

from celery import shared_task

from accounts.services.initial_passwords import passwords_purge_expired
from simulator.background import RETRYING


@shared_task(name="accounts.purge_onboarding_passwords", **RETRYING)
def purge_onboarding_passwords_task() -> int:
    """Every few minutes (celery beat): an import nobody came back to leaves no sealed
    passwords behind once they expire."""
    return passwords_purge_expired()
