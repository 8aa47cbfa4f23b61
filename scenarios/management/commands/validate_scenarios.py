from django.core.management.base import CommandError
from django.utils.translation import gettext as _

from scenarios.management.commands._scenario_files import (
    add_common_arguments,
    context_for_commands,
    scenario_paths,
)
from scenarios.validation import scenario_from_file
from simulator.command_language import LanguageCommand
from yamlsource import SourceErrors


class Command(LanguageCommand):
    help = "Validate scenario files (schema and meaning); exit non-zero on any error."

    def add_arguments(self, parser) -> None:
        add_common_arguments(parser)

    def handle(self, *args, paths: list[str], catalog: list[str], **options) -> None:
        context = context_for_commands(catalog)
        errors = SourceErrors()
        files = scenario_paths(paths)
        for path in files:
            try:
                scenario_from_file(path, context)
            except SourceErrors as file_errors:
                errors.extend(file_errors)
        if errors:
            found = _("%(errors)d error(s) in %(files)d file(s):") % {
                "errors": len(errors),
                "files": len(files),
            }
            raise CommandError(f"{found}\n{errors}")
        self.stdout.write(_("OK: %(n)d scenario file(s) valid.") % {"n": len(files)})
