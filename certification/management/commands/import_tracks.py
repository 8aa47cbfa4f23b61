from pathlib import Path

from django.conf import settings
from django.core.management.base import CommandError
from django.db import transaction
from django.utils.translation import gettext as _

from certification.models import Track
from certification.services.tracks import track_check, track_import
from simulator.command_language import LanguageCommand, nothing_imported
from yamlsource import Position, SourceErrors, cannot_read_message, load_file, not_utf8_message

DEFAULT_DIR = Path(settings.BASE_DIR) / "content" / "tracks"


class Command(LanguageCommand):
    help = (
        "Import certification tracks from YAML files (default: content/tracks/*.yaml) and "
        "publish them. Every file is checked first; one error and nothing is stored."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("files", nargs="*", type=Path, help="track files")
        parser.add_argument("--check", action="store_true", help="validate only, write nothing")

    def handle(self, *args, files: list[Path], check: bool, **options) -> None:
        paths = files or sorted(DEFAULT_DIR.glob("*.yaml"))
        if not paths:
            raise CommandError(_("no track files in %(dir)s") % {"dir": DEFAULT_DIR})
        slugs = self._checked(paths)
        if check:
            for path, slug in zip(paths, slugs, strict=True):
                self.stdout.write(_("OK %(file)s: %(track)s") % {"file": path, "track": slug})
            return
        before = dict(Track.objects.values_list("slug", "published_version_id"))
        with transaction.atomic():
            versions = [track_import(actor=None, path_or_text=path) for path in paths]
        for version in versions:
            unchanged = before.get(version.track.slug) == version.pk
            words = (
                _("Imported %(track)s: version %(n)d (unchanged)")
                if unchanged
                else _("Imported %(track)s: version %(n)d")
            )
            self.stdout.write(words % {"track": version.track.slug, "n": version.number})

    def _checked(self, paths: list[Path]) -> list[str]:
        """Validate every file and refuse two files of one slug; CommandError lists every
        error as FILE:LINE:COLUMN: field: message."""
        errors = SourceErrors()
        slugs: list[str] = []
        first: dict[str, Path] = {}
        for path in paths:
            try:
                spec = track_check(_read(path), str(path))
            except SourceErrors as found:
                errors.extend(found)
                continue
            if spec.slug in first:
                position = load_file(path).position("slug")
                errors.add_at(
                    position,
                    "slug",
                    _("“%(slug)s” is also the slug of %(file)s")
                    % {"slug": spec.slug, "file": first[spec.slug]},
                )
            first.setdefault(spec.slug, path)
            slugs.append(spec.slug)
        if errors:
            raise CommandError(nothing_imported(errors))
        return slugs


def _read(path: Path) -> str:
    try:
        return path.read_bytes().decode("utf-8-sig")
    except OSError as exc:
        errors = SourceErrors()
        errors.add_at(Position(str(path), 1, 1), "", cannot_read_message(exc))
        raise errors from None
    except UnicodeDecodeError as exc:
        errors = SourceErrors()
        line = exc.object[: exc.start].count(b"\n") + 1
        errors.add_at(Position(str(path), line, 1), "", not_utf8_message())
        raise errors from None
