from pathlib import Path

from django.core.management.base import BaseCommand

from catalog.exporting import catalog_export


class Command(BaseCommand):
    help = "Export every practice shop to DIR/<slug>.yaml in the import format."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--output", required=True, type=Path)

    def handle(self, *args, output: Path, **options) -> None:
        for path in catalog_export(output):
            self.stdout.write(f"Wrote {path}")
