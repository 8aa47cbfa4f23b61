"""``python -m scoring``: batch scoring over JSON lines (UTF-8 in, UTF-8 out).

    python -m scoring replies [FILE] [--rulepack PACK]
    python -m scoring session [FILE] [--rulepack PACK]
    python -m scoring typing-test --reference FILE --typed FILE --seconds S
    python -m scoring evaluate [CORPUS ...] [--json] [--show-held-aside] [--no-floors]
                               [--rules-only] [--write-floors]
    python -m scoring train-layer [CORPUS ...] [--output FILE]

Exit status: 0 success; 1 bad input (for ``replies``: at least one malformed line, the others
are still scored; for ``evaluate``: also a figure below its floor); 2 usage error; 3 internal
error. Errors are JSON on stdout (``{"line": n, "error": "..."}`` per malformed reply line,
``{"error": "..."}`` otherwise) and name the offending field; no traceback is ever printed.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import sys
from collections.abc import Iterable, Sequence
from contextlib import ExitStack
from dataclasses import replace
from pathlib import Path
from typing import IO, Any, NoReturn

from . import evaluate, learned
from .compliance import check_normalized
from .errors import RulepackError, ScoringInputError
from .inputs import parse_reply
from .matcher import Matcher
from .normalize import normalize
from .rulepack import Rulepack, load_rulepack
from .session import score_session
from .typing_test import score_typing_test

__all__ = ["main"]

EXIT_OK = 0
EXIT_BAD_INPUT = 1
EXIT_USAGE = 2
EXIT_INTERNAL = 3
# Far above any real session (10,000 messages of 5,000 characters is ~150 MB of UTF-8 at
# worst, but real ones are kilobytes); a bound keeps a stray binary file from eating memory.
_MAX_BYTES = 256 * 1024 * 1024


class _Failure(Exception):
    """A whole-command error: printed as {"error": ...} with an exit status."""

    def __init__(self, message: str, status: int = EXIT_BAD_INPUT) -> None:
        super().__init__(message)
        self.status = status


# Scoring documents are a few levels deep; far deeper nesting is refused where it starts
# (Python's parser would fail somewhere past about a thousand, without saying where).
_MAX_JSON_DEPTH = 500
# A JSON string (skipped whole, so what is inside does not count), or a token an error can
# be about: a constant JSON does not have, an integer too long to convert, a bracket.
_STRING = r'"[^"\\]*(?:\\.[^"\\]*)*"'
_CONSTANT = re.compile(rf"{_STRING}|-?Infinity|NaN")
_LONG_INTEGER = re.compile(rf"{_STRING}|\d{{{sys.get_int_max_str_digits() + 1},}}")
_BRACKET = re.compile(rf"{_STRING}|[\[\]{{}}]")


def _place(text: str, index: int) -> str:
    line = text.count("\n", 0, index) + 1
    column = index - (text.rfind("\n", 0, index) + 1) + 1
    return f"line {line} column {column}"


def _first(pattern: re.Pattern[str], text: str) -> re.Match[str] | None:
    return next((m for m in pattern.finditer(text) if not m.group().startswith('"')), None)


def _reject_constant(text: str) -> NoReturn:
    found = _first(_CONSTANT, text)
    where = f" at {_place(text, found.start())}" if found else ""
    raise ValueError(
        f"invalid JSON: {found.group() if found else 'a constant'} is not valid JSON{where}"
    )


def _check_depth(text: str) -> None:
    """Refuse nesting deeper than ``_MAX_JSON_DEPTH``, in one pass, without recursion."""
    if text.count("[") + text.count("{") <= _MAX_JSON_DEPTH:
        return
    depth = 0
    for match in _BRACKET.finditer(text):
        char = match.group()
        if char in "[{":
            depth += 1
            if depth > _MAX_JSON_DEPTH:
                raise ValueError(
                    f"invalid JSON: nested too deeply (more than {_MAX_JSON_DEPTH} levels) "
                    f"at {_place(text, match.start())}"
                )
        elif char in "]}":
            depth -= 1
            if depth < 0:
                return  # the parser stops with an error here, before anything deeper


_BOM = b"\xef\xbb\xbf"


def _decode(data: bytes, what: str) -> str:
    # Windows editors start UTF-8 files with a byte-order mark; it is not part of the text.
    try:
        return data.removeprefix(_BOM).decode("utf-8")
    except UnicodeDecodeError as exc:
        raise _Failure(f"{what}: invalid UTF-8 at byte {exc.start}") from None


def _parse_json(text: str) -> Any:
    """The value of ``text``; a ValueError saying what is wrong and at which line and column."""
    _check_depth(text)
    try:
        return json.loads(text, parse_constant=lambda _name: _reject_constant(text))
    except RecursionError:  # not reached past the depth check; the last guard all the same
        raise ValueError("invalid JSON: nested too deeply") from None
    except json.JSONDecodeError as exc:
        raise ValueError(
            f"invalid JSON: {exc.msg} at line {exc.lineno} column {exc.colno}"
        ) from None
    except ValueError as exc:
        if str(exc).startswith("invalid JSON: "):
            raise
        # The only other one: an integer longer than Python converts.
        found = _first(_LONG_INTEGER, text)
        if found is None:
            raise ValueError(f"invalid JSON: {exc}") from None
        raise ValueError(
            f"invalid JSON: a number has more than {sys.get_int_max_str_digits()} digits "
            f"at {_place(text, found.start())}"
        ) from None


def _dump(obj: Any) -> bytes:
    return (json.dumps(obj, ensure_ascii=False, separators=(",", ":")) + "\n").encode("utf-8")


def _read_bytes(path: str | None, stdin: IO[bytes]) -> bytes:
    if path is None or path == "-":
        data = stdin.read(_MAX_BYTES + 1)
    else:
        try:
            with open(path, "rb") as handle:
                data = handle.read(_MAX_BYTES + 1)
        except OSError as exc:
            raise _Failure(f"cannot read {path}: {exc.strerror or exc}") from None
    if len(data) > _MAX_BYTES:
        raise _Failure(f"input larger than {_MAX_BYTES} bytes")
    return data


def _open_lines(path: str | None, stdin: IO[bytes], stack: ExitStack) -> Iterable[bytes]:
    """Stream lines, so that a large batch is never held in memory at once."""
    if path is None or path == "-":
        return stdin
    try:
        return stack.enter_context(open(path, "rb"))
    except OSError as exc:
        raise _Failure(f"cannot read {path}: {exc.strerror or exc}") from None


def _rulepack(path: str | None) -> Rulepack:
    try:
        return load_rulepack(path)
    except RulepackError as exc:
        raise _Failure(f"rulepack: {exc}") from None


def _run_replies(args: argparse.Namespace, stdin: IO[bytes], out: IO[bytes]) -> int:
    pack = _rulepack(args.rulepack)
    matcher = pack.matcher
    status = EXIT_OK
    with ExitStack() as stack:
        for number, raw_line in enumerate(_open_lines(args.file, stdin, stack), start=1):
            line = raw_line.rstrip(b"\r\n")
            if number == 1:
                line = line.removeprefix(_BOM)
            if not line.strip():
                continue  # blank lines (a trailing newline, a separator) carry no reply
            result: dict[str, Any]
            try:
                text = line.decode("utf-8")
            except UnicodeDecodeError as exc:
                result = {"line": number, "error": f"invalid UTF-8 at byte {exc.start}"}
            else:
                result = _one_reply(number, text, matcher)
            if "error" in result:
                status = EXIT_BAD_INPUT
            out.write(_dump(result))
            out.flush()
    return status


def _one_reply(number: int, text: str, matcher: Matcher) -> dict[str, Any]:
    try:
        reply = parse_reply(_parse_json(text))
        hits = check_normalized(normalize(reply.text), reply.position, reply.context, matcher)
    except (ScoringInputError, ValueError) as exc:
        return {"line": number, "error": str(exc)}
    except Exception as exc:  # noqa: BLE001 - one bad line must not stop the batch
        return {"line": number, "error": f"internal error: {type(exc).__name__}: {exc}"}
    return {"id": reply.id, "hits": [h.to_dict() for h in hits]}


def _run_session(args: argparse.Namespace, stdin: IO[bytes], out: IO[bytes]) -> int:
    pack = _rulepack(args.rulepack)
    text = _decode(_read_bytes(args.file, stdin), "input")
    try:
        raw = _parse_json(text)
    except ValueError as exc:
        raise _Failure(str(exc)) from None
    try:
        report = score_session(raw, rulepack=pack)
    except ScoringInputError as exc:
        raise _Failure(str(exc)) from None
    out.write(_dump(report.to_dict()))
    return EXIT_OK


def _run_typing_test(args: argparse.Namespace, stdin: IO[bytes], out: IO[bytes]) -> int:
    reference = _decode(_read_bytes(args.reference, stdin), "reference")
    typed = _decode(_read_bytes(args.typed, stdin), "typed")
    try:
        seconds = float(args.seconds)
    except ValueError:
        raise _Failure(f"seconds: must be a number, not {args.seconds!r}") from None
    try:
        result = score_typing_test(reference, typed, seconds)
    except ScoringInputError as exc:
        raise _Failure(str(exc)) from None
    out.write(_dump(result.to_dict()))
    return EXIT_OK


def _run_evaluate(args: argparse.Namespace, stdin: IO[bytes], out: IO[bytes]) -> int:
    paths = [Path(p) for p in args.corpus] or evaluate.default_corpus()
    if not paths:
        raise _Failure(f"no corpus files in {evaluate.CORPUS_DIR}")
    pack = _rulepack(args.rulepack)
    if args.rules_only:
        # What the pattern rules find without the learned layer: the layer's own gain.
        pack = replace(pack, learned="none")
        if args.write_floors:
            raise _Failure("--write-floors records the pack as shipped, not --rules-only")
    try:
        results = evaluate.evaluate_files(paths, pack.matcher)
        if args.write_floors:
            recorded = {**_existing_floors(Path(args.floors)), **evaluate.floors_from(results)}
            Path(args.floors).write_text(
                json.dumps(recorded, indent=2, ensure_ascii=False) + "\n", encoding="utf-8"
            )
        checked = not (args.no_floors or args.rules_only)
        floors = evaluate.load_floors(Path(args.floors)) if checked else {}
    except ScoringInputError as exc:
        raise _Failure(str(exc)) from None
    failures = evaluate.check_floors(results, floors)
    if args.json:
        document = {
            "rulepack": pack.version,
            "learned_layer": pack.learned != "none",
            "parts": [
                r.to_dict(with_misses=args.show_held_aside or not r.held_aside) for r in results
            ],
            "below_floor": failures,
        }
        out.write(_dump(document))
    else:
        text = evaluate.format_text(results, show_held_aside=args.show_held_aside)
        verdict = (
            "\n".join(f"BELOW FLOOR {f}" for f in failures)
            if failures
            else ("every figure at or above its floor" if floors else "floors not checked")
        )
        out.write(f"{text}{verdict}\n".encode())
    return EXIT_BAD_INPUT if failures else EXIT_OK


def _run_train_layer(args: argparse.Namespace, stdin: IO[bytes], out: IO[bytes]) -> int:
    paths = [Path(p) for p in args.corpus] or [evaluate.CORPUS_DIR / "dev.jsonl"]
    held = [p.name for p in paths if evaluate.is_held_aside(p.stem)]
    if held:
        raise _Failure(f"{', '.join(held)}: the held-aside part is never trained on")
    try:
        parts = {path: evaluate.load_corpus(path) for path in paths}
    except ScoringInputError as exc:
        raise _Failure(str(exc)) from None
    data = learned.train_layer(
        [(normalize(item.text).text, item.rules) for items in parts.values() for item in items],
        evaluate.MEANING_RULES,
        trained_on=", ".join(f"{path.name} ({len(items)})" for path, items in parts.items()),
    )
    output = Path(args.output)
    output.write_text(json.dumps(data, ensure_ascii=False, separators=(",", ":")) + "\n")
    out.write(
        _dump({"output": str(output), "rules": data["rules"], "thresholds": data["thresholds"]})
    )
    return EXIT_OK


def _existing_floors(path: Path) -> dict[str, Any]:
    # Parts not evaluated this time keep their floors.
    return evaluate.load_floors(path) if path.exists() else {}


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        # argparse's own message and status 2, minus nothing: it never prints a traceback.
        self.print_usage(sys.stderr)
        self.exit(EXIT_USAGE, f"{self.prog}: error: {message}\n")


def _parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="python -m scoring", description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)
    replies = sub.add_parser("replies", help="check replies, one JSON object per line")
    replies.add_argument("file", nargs="?", help="JSON lines file (default: stdin)")
    replies.add_argument("--rulepack", help="rule-pack YAML (default: the built-in pack)")
    session = sub.add_parser("session", help="score one session JSON document")
    session.add_argument("file", nargs="?", help="JSON file (default: stdin)")
    session.add_argument("--rulepack", help="rule-pack YAML (default: the built-in pack)")
    typing_test = sub.add_parser("typing-test", help="score a typing test")
    typing_test.add_argument("--reference", required=True, help="reference text file")
    typing_test.add_argument("--typed", required=True, help="typed text file")
    typing_test.add_argument("--seconds", required=True, help="test duration in seconds")
    judge = sub.add_parser(
        "evaluate", help="judge the compliance rules on a labelled corpus of replies"
    )
    judge.add_argument(
        "corpus", nargs="*", help="corpus JSON lines files (default: scoring/corpus/*.jsonl)"
    )
    judge.add_argument("--rulepack", help="rule-pack YAML (default: the built-in pack)")
    judge.add_argument("--json", action="store_true", help="one JSON document on stdout")
    judge.add_argument(
        "--show-held-aside", action="store_true", help="also show the held-aside part's misses"
    )
    judge.add_argument(
        "--floors", default=str(evaluate.FLOORS_FILE), help="floors file (JSON) to check"
    )
    judge.add_argument("--no-floors", action="store_true", help="do not check the floors")
    judge.add_argument(
        "--rules-only",
        action="store_true",
        help="leave the learned layer out (the pattern rules alone; floors not checked)",
    )
    train = sub.add_parser(
        "train-layer", help="train the learned layer on the tuning part of the corpus"
    )
    train.add_argument("corpus", nargs="*", help="corpus files (default: scoring/corpus/dev.jsonl)")
    train.add_argument("--output", default=str(learned.DEFAULT_LAYER_PATH), help="layer JSON")
    judge.add_argument(
        "--write-floors",
        action="store_true",
        help="record today's figures as the floors (after a change that raised them)",
    )
    return parser


def main(
    argv: Sequence[str] | None = None,
    stdin: IO[bytes] | None = None,
    stdout: IO[bytes] | None = None,
) -> int:
    args = _parser().parse_args(argv)
    in_stream = stdin if stdin is not None else sys.stdin.buffer
    out = stdout if stdout is not None else sys.stdout.buffer
    runners = {
        "replies": _run_replies,
        "session": _run_session,
        "typing-test": _run_typing_test,
        "evaluate": _run_evaluate,
        "train-layer": _run_train_layer,
    }
    try:
        return runners[args.command](args, in_stream, out)
    except _Failure as exc:
        out.write(_dump({"error": str(exc)}))
        return exc.status
    except BrokenPipeError:
        # The reader went away (e.g. `| head`): stop quietly, as Unix tools do.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return EXIT_OK
    except KeyboardInterrupt:
        return 130
    except Exception as exc:  # noqa: BLE001 - the contract is "never a traceback"
        out.write(_dump({"error": f"internal error: {type(exc).__name__}: {exc}"}))
        return EXIT_INTERNAL
