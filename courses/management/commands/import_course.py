from django.core.management.base import CommandError

from courses.importing import course_import
from courses.yaml_format import course_file_parse
from simulator.command_language import LanguageCommand
from yamlsource import SourceErrors


class Command(LanguageCommand):
    help = "Import a course file and its module files (validated first; all or nothing)."

    def add_arguments(self, parser) -> None:
        parser.add_argument("files", nargs="+", help="course.yaml file(s)")
        parser.add_argument("--check", action="store_true", help="validate only, write nothing")

    def handle(self, *args, files: list[str], check: bool, **options) -> None:
        errors = SourceErrors()
        for path in files:
            try:
                if check:
                    course, _documents = course_file_parse(path)
                    questions = sum(len(m.quiz.questions) for m in course.modules if m.quiz)
                    lessons = sum(len(m.lessons) for m in course.modules)
                    self.stdout.write(
                        f"OK {path}: {len(course.modules)} modules, {lessons} lessons, "
                        f"{questions} questions."
                    )
                else:
                    course = course_import(path)
                    self.stdout.write(
                        f"Imported {course.slug}: "
                        f"{course.modules.filter(is_active=True).count()} modules."
                    )
            except SourceErrors as file_errors:
                errors.extend(file_errors)
        if errors:
            raise CommandError(
                f"{len(errors)} error(s); nothing was imported from the "
                f"files with errors:\n{errors}"
            )
