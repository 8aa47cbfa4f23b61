from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from accounts.demo import demo_accounts_ensure


class Command(BaseCommand):
    help = "Load the demo content and one demo user per role (idempotent)."

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--allow-production",
            action="store_true",
            help="Create demo users even with DEBUG off (they have published passwords).",
        )

    def handle(self, *args, allow_production: bool = False, **options) -> None:
        if not settings.DEBUG and not allow_production:
            raise CommandError(
                "DEBUG is off: demo users have published passwords. "
                "Pass --allow-production if you really want them."
            )
        users = demo_accounts_ensure()
        self.stdout.write("Demo logins (username / password):")
        for spec in users:
            self.stdout.write(f"  {spec['role'].value:8} {spec['username']} / {spec['password']}")
