from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from certification.selectors.tracks import track_version_spec, track_versions, tracks_all
from certification.track_format import track_to_yaml


class Command(BaseCommand):
    help = (
        "Write a certification track as YAML (the import format): its published version, "
        "a given version, or the draft as saved."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("slug")
        parser.add_argument("--out", type=Path, help="file to write (default: standard output)")
        which = parser.add_mutually_exclusive_group()
        which.add_argument(
            "--number", type=int, help="a version number (default: the published version)"
        )
        which.add_argument("--draft", action="store_true", help="the draft, exactly as saved")

    def handle(
        self, *args, slug: str, out: Path | None, number: int | None, draft: bool, **options
    ) -> None:
        track = tracks_all().filter(slug=slug).first()
        if track is None:
            raise CommandError(f"no track with slug “{slug}”")
        if draft:
            text = track.draft_yaml
        else:
            chosen = (
                track_versions(track).filter(number=number).first()
                if number is not None
                else track.published_version
            )
            if chosen is None:
                raise CommandError(
                    f"{slug} has no version {number}"
                    if number is not None
                    else f"{slug} is not published (use --draft for the draft)"
                )
            text = track_to_yaml(track_version_spec(chosen))
        if out is None:
            self.stdout.write(text, ending="")
        else:
            out.write_text(text, encoding="utf-8")
            self.stdout.write(f"Wrote {out}")
