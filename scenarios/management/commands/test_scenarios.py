from django.core.management.base import CommandError
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from scenarios.management.commands._scenario_files import (
    add_common_arguments,
    context_for_commands,
    scenario_paths,
)
from scenarios.simulation import SelfTestResult, TranscriptLine, run_self_test
from scenarios.validation import scenario_from_file
from simulator.command_language import LanguageCommand
from yamlsource import SourceErrors
from yamlsource.wording import names_text


def _result_line(slug: str, result: SelfTestResult) -> str:
    """One line per self-test: the verdict first, so a failure stands out in a long run."""
    return _(
        "%(verdict)s %(scenario)s · %(test)s: path %(path)s, outcome %(outcome)s, "
        "score %(score)s, hits %(hits)s"
    ) % {
        "verdict": _("PASS") if result.passed else _("FAIL"),
        "scenario": slug,
        "test": result.name,
        "path": " → ".join(result.path),
        "outcome": result.outcome or "-",
        "score": "-" if result.total is None else result.total,
        "hits": names_text(result.hits) or "-",
    }


def _role(role: str) -> str:
    """The transcript's speakers as the session pages name them."""
    return {"buyer": _("Buyer"), "agent": _("Agent"), "system": _("System")}.get(role, role)


def _transcript_line(line: TranscriptLine) -> str:
    extra = f"  [{line.reason}]" if line.reason else ""
    return f"     {line.t:7.2f}s {_role(line.role):6} {line.text}{extra}"


class Command(LanguageCommand):
    help = "Run the self-tests of scenario files through the real engine and scoring."

    def add_arguments(self, parser) -> None:
        add_common_arguments(parser)
        parser.add_argument(
            "--transcript", action="store_true", help="print each self-test's conversation"
        )

    def handle(
        self, *args, paths: list[str], catalog: list[str], transcript: bool, **options
    ) -> None:
        context = context_for_commands(catalog)
        failed = passed = 0
        problems: list[str] = []
        for path in scenario_paths(paths):
            try:
                scenario = scenario_from_file(path, context)
            except SourceErrors as errors:
                problems.append(_("%(file)s: invalid") % {"file": path} + f"\n{errors}")
                failed += 1
                continue
            tests = scenario.data.get("tests") or []
            if not tests:
                problems.append(_("%(file)s: has no self-tests") % {"file": path})
                failed += 1
            for test in tests:
                result = run_self_test(scenario, test)
                self.stdout.write(_result_line(scenario.slug, result))
                for failure in result.failures:
                    self.stdout.write(f"     {failure}")
                if transcript or not result.passed:
                    for line in result.transcript:
                        self.stdout.write(_transcript_line(line))
                passed += result.passed
                failed += not result.passed
        for problem in problems:
            self.stderr.write(problem)
        self.stdout.write(
            _("%(passed)d passed, %(failed)d failed") % {"passed": passed, "failed": failed}
        )
        if failed:
            raise CommandError(
                ngettext(
                    "%(n)d scenario self-test failed", "%(n)d scenario self-tests failed", failed
                )
                % {"n": failed}
            )
