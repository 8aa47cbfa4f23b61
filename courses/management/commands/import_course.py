from django.core.management.base import CommandError
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from courses.importing import course_import
from courses.yaml_format import course_file_parse
from simulator.command_language import LanguageCommand, nothing_imported
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
                        _(
                            "OK %(file)s: %(modules)d modules, %(lessons)d lessons, "
                            "%(questions)d questions."
                        )
                        % {
                            "file": path,
                            "modules": len(course.modules),
                            "lessons": lessons,
                            "questions": questions,
                        }
                    )
                else:
                    course = course_import(path)
                    modules = course.modules.filter(is_active=True).count()
                    self.stdout.write(
                        ngettext(
                            "Imported %(course)s: %(n)d module.",
                            "Imported %(course)s: %(n)d modules.",
                            modules,
                        )
                        % {"course": course.slug, "n": modules}
                    )
            except SourceErrors as file_errors:
                errors.extend(file_errors)
        if errors:
            raise CommandError(
                nothing_imported(errors, _("nothing was imported from the files with errors"))
            )
