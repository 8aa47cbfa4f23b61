from django.core.management.base import CommandError

from catalog.services import catalog_files_parse, catalog_import
from simulator.command_language import LanguageCommand
from yamlsource import SourceErrors


class Command(LanguageCommand):
    help = "Import practice-shop YAML files (validated first; all or nothing; by slug)."

    def add_arguments(self, parser) -> None:
        parser.add_argument("files", nargs="+")
        parser.add_argument("--check", action="store_true", help="validate only, write nothing")

    def handle(self, *args, files: list[str], check: bool, **options) -> None:
        try:
            if check:
                shops = catalog_files_parse(files)
                self.stdout.write(f"OK: {len(shops)} shop file(s) valid.")
                return
            shops = catalog_import(files)
        except SourceErrors as errors:
            raise CommandError(f"{len(errors)} error(s); nothing was imported:\n{errors}") from None
        for shop in shops:
            self.stdout.write(f"Imported {shop.slug}: {shop.products.count()} products.")
