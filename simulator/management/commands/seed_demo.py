from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from accounts.demo import demo_accounts_ensure
from accounts.models import User
from catalog.services import catalog_import
from certification.services.tracks import track_import
from courses.importing import course_import
from scenarios.services import scenario_import, scenario_publish
from yamlsource import SourceErrors

CONTENT = Path(settings.BASE_DIR) / "content"


class Command(BaseCommand):
    help = "Load the shipped content (catalogue, courses) and one demo user per role."

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
        try:
            shops = catalog_import(sorted((CONTENT / "catalog").glob("*.yaml")))
            courses = [
                course_import(path) for path in sorted((CONTENT / "courses").glob("*/course.yaml"))
            ]
        except SourceErrors as errors:
            raise CommandError(f"The shipped content has errors:\n{errors}") from None
        users = demo_accounts_ensure()
        admin = User.objects.get(username="admin")
        files = [
            (path.name, path.read_bytes())
            for path in sorted((CONTENT / "scenarios").glob("*.yaml"))
            if not path.name.startswith("_")
        ]
        try:
            scenarios = scenario_import(actor=admin, files=files)
        except SourceErrors as errors:
            raise CommandError(f"The shipped scenarios have errors:\n{errors}") from None
        for scenario in scenarios:
            scenario_publish(actor=admin, scenario=scenario)
        # Last: a track names the course's modules and the published scenarios.
        try:
            tracks = [
                track_import(actor=admin, path_or_text=path)
                for path in sorted((CONTENT / "tracks").glob("*.yaml"))
            ]
        except SourceErrors as errors:
            raise CommandError(f"The shipped tracks have errors:\n{errors}") from None
        self.stdout.write(
            f"Content: {len(shops)} practice shops, {len(courses)} course(s), "
            f"{len(scenarios)} published scenarios, {len(tracks)} certification track(s)."
        )
        self.stdout.write("Demo logins (username / password):")
        for spec in users:
            self.stdout.write(f"  {spec['role'].value:8} {spec['username']} / {spec['password']}")
