"""Delete the sealed initial passwords of imports whose time to fetch them has passed.

Every onboarding page does this on its way too; run it periodically (cron, or a celery
beat entry) so that an import nobody returns to leaves nothing behind either.
"""

from __future__ import annotations

from django.core.management.base import BaseCommand

from accounts.services.initial_passwords import passwords_purge_expired


class Command(BaseCommand):
    help = "Delete expired initial passwords of onboarding imports."

    def handle(self, *args, **options) -> None:
        deleted = passwords_purge_expired()
        self.stdout.write(f"deleted {deleted}")
