from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from courses.exporting import course_export
from courses.models import Course


class Command(BaseCommand):
    help = "Export a course to DIR/course.yaml and DIR/modules/*.yaml in the import format."

    def add_arguments(self, parser) -> None:
        parser.add_argument("slug")
        parser.add_argument("--output", required=True, type=Path)

    def handle(self, *args, slug: str, output: Path, **options) -> None:
        course = Course.objects.filter(slug=slug).first()
        if course is None:
            raise CommandError(f"no course with slug “{slug}”")
        for path in course_export(course, output):
            self.stdout.write(f"Wrote {path}")
