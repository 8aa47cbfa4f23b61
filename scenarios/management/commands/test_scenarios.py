from django.core.management.base import CommandError

from scenarios.management.commands._scenario_files import (
    add_common_arguments,
    context_for_commands,
    scenario_paths,
)
from scenarios.simulation import run_self_test
from scenarios.validation import scenario_from_file
from simulator.command_language import LanguageCommand
from yamlsource import SourceErrors


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
                problems.append(f"{path}: invalid\n{errors}")
                failed += 1
                continue
            tests = scenario.data.get("tests") or []
            if not tests:
                problems.append(f"{path}: has no self-tests")
                failed += 1
            for test in tests:
                result = run_self_test(scenario, test)
                mark = "PASS" if result.passed else "FAIL"
                self.stdout.write(
                    f"{mark} {scenario.slug} · {result.name}: path {' → '.join(result.path)}, "
                    f"outcome {result.outcome}, score {result.total}, "
                    f"hits {', '.join(result.hits) or '-'}"
                )
                for failure in result.failures:
                    self.stdout.write(f"     {failure}")
                if transcript or not result.passed:
                    for line in result.transcript:
                        extra = f"  [{line.reason}]" if line.reason else ""
                        self.stdout.write(f"     {line.t:7.2f}s {line.role:6} {line.text}{extra}")
                passed += result.passed
                failed += not result.passed
        for problem in problems:
            self.stderr.write(problem)
        self.stdout.write(f"{passed} passed, {failed} failed")
        if failed:
            raise CommandError(f"{failed} scenario self-test(s) failed")
