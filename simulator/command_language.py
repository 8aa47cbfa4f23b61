"""The language of what management commands print.

The content commands (validate_scenarios, import_course, …) print validation messages a
trainer reads: in the project's language (``LANGUAGE_CODE``, Simplified Chinese) unless
``--language`` names another of ``LANGUAGES`` (``--language en``). Django leaves the active
language as it finds it, so without this a command run with ``call_command`` (from a test,
from another command) would speak whatever language its caller had active.
"""

from __future__ import annotations

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext


class LanguageCommand(BaseCommand):
    """A command with ``--language``; everything it prints is made in that language."""

    def create_parser(self, prog_name: str, subcommand: str, **kwargs) -> CommandParser:
        parser = super().create_parser(prog_name, subcommand, **kwargs)
        parser.add_argument(
            "--language",
            choices=[code for code, _name in settings.LANGUAGES],
            default=settings.LANGUAGE_CODE,
            help=f"language of the messages (default: {settings.LANGUAGE_CODE})",
        )
        return parser

    def execute(self, *args, **options):
        with translation.override(options.get("language") or settings.LANGUAGE_CODE):
            return super().execute(*args, **options)


def nothing_imported(errors, consequence: str | None = None) -> str:
    """The content commands' refusal: how many errors, what was (not) stored, then each
    error on its own line (FILE:LINE:COLUMN: field: message)."""
    count = ngettext("%(n)d error", "%(n)d errors", len(errors)) % {"n": len(errors)}
    what = consequence if consequence is not None else _("nothing was imported")
    return _("%(count)s; %(what)s:") % {"count": count, "what": what} + f"\n{errors}"
