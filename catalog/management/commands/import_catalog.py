from django.core.management.base import CommandError
from django.utils.translation import ngettext

from catalog.services import catalog_files_parse, catalog_import
from simulator.command_language import LanguageCommand, nothing_imported
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
                self.stdout.write(
                    ngettext(
                        "OK: %(n)d shop file valid.", "OK: %(n)d shop files valid.", len(shops)
                    )
                    % {"n": len(shops)}
                )
                return
            shops = catalog_import(files)
        except SourceErrors as errors:
            raise CommandError(nothing_imported(errors)) from None
        for shop in shops:
            count = shop.products.count()
            self.stdout.write(
                ngettext(
                    "Imported %(shop)s: %(n)d product.", "Imported %(shop)s: %(n)d products.", count
                )
                % {"shop": shop.slug, "n": count}
            )
