"""Hostile input through ``python -m scoring`` (run in process): never an internal error or a
traceback, never slow, and every error says where: the reply line, the field's path in the
session document, the line and column of broken JSON, or the byte of broken UTF-8.

Valid input is covered by tests/scoring/test_properties.py; here documents are broken.
"""

from __future__ import annotations

import io
import json
import re
import time

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from scoring.cli import EXIT_BAD_INPUT, EXIT_OK, main
from scoring.inputs import EVENT_TYPES
from tests.fuzz.documents import mutated
from tests.runaway import RUNAWAY_S

FUZZ = settings(
    max_examples=200,
    deadline=None,  # timed against RUNAWAY_S instead
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)

SESSION = {
    "messages": [
        {"role": "buyer", "t": 0, "text": "在吗？这件大衣是正品吗"},
        {
            "role": "agent",
            "t": 5.5,
            "text": "您好，欢迎光临！我们是品牌授权店，吊牌有防伪码。",
            "events": [
                {"t": 1.0, "type": "insertText", "data": "您好"},
                {"t": 2.0, "type": "insertFromPaste", "data": "欢迎光临"},
                {"t": 3.0, "type": "deleteContentBackward", "data": None},
            ],
        },
        {"role": "buyer", "t": 9, "text": "M 码合适吗"},
        {"role": "agent", "t": 15, "text": "亲，建议选 M 码。"},
    ],
    "targets": {
        "first_response": {"target_s": 6, "limit_s": 30},
        "weights": {"response": 25, "typing": 15, "compliance": 30, "outcome": 15},
        "typing": {"required_cpm": 60},
        "required_points": ["正品"],
    },
    "outcome": {"score": 80, "label": "成交"},
}
REPLY = {"id": "r1", "text": "亲，这个不退哦", "position": "middle", "context": {"forbidden": []}}
WORDS = ["buyer", "agent", "t", "text", "role", "events", "type", "data", *EVENT_TYPES,
         "first", "middle", "only", "score", "label", "minor", "fatal", "NaN", ""]  # fmt: skip

# Where an error may say it is: a field's path from the top of the document
# (``messages[3].events[0].t``; keys are the input's own, so anything may follow), broken
# JSON's line and column, broken UTF-8's byte, or the document itself (not an object).
FIELD = r"(messages|targets|outcome|reference|typed|seconds)(\[\d+\]|\.|: )"
LOCATED = re.compile(
    rf"^({FIELD}|invalid JSON: .* at line \d+ column \d+$|(input: )?invalid UTF-8 at byte \d+$"
    r"|must be an object, not [\w ]+$)"
)


def _run(args: list[str], data: bytes) -> tuple[int, list[dict]]:
    out = io.BytesIO()
    start = time.perf_counter()
    status = main(args, stdin=io.BytesIO(data), stdout=out)
    assert time.perf_counter() - start < RUNAWAY_S
    lines = out.getvalue().decode("utf-8").splitlines()
    return status, [json.loads(line) for line in lines]


def _json(document) -> bytes:
    text = json.dumps(document, ensure_ascii=False, allow_nan=True, default=str)
    return text.encode("utf-8", "surrogatepass")


def _spliced(data: bytes) -> st.SearchStrategy[bytes]:
    pieces = st.sampled_from([b"", b"{", b"}", b"[", b"]", b",", b":", b'"', b"NaN", b"-",
                              b"1e999", b"\xff", b"\xe4\xbd", b"\\u", b"\\ud800", b"\n",
                              b"\x00"])  # fmt: skip

    @st.composite
    def strategy(draw):
        start = draw(st.integers(0, len(data)))
        end = draw(st.integers(start, min(len(data), start + 20)))
        return data[:start] + draw(pieces) + data[end:]

    return strategy()


sessions = st.one_of(
    mutated(SESSION, WORDS).map(_json),
    _spliced(_json(SESSION)),
    st.binary(max_size=100),
)


@FUZZ
@given(sessions)
@example(b'{"messages": [{"role": "buyer", "t": NaN, "text": "a"}]}')
@example(b"[" * 2000)
@example(b'{"messages": [], "n": ' + b"9" * 5000 + b"}")
def test_session_scores_or_says_where_the_input_is_wrong(data):
    status, output = _run(["session"], data)
    assert status in (EXIT_OK, EXIT_BAD_INPUT), output
    (result,) = output
    if status == EXIT_OK:
        assert result["total"] is None or 0 <= result["total"] <= 100
    else:
        assert LOCATED.match(result["error"]), result


reply_lines = st.one_of(
    mutated(REPLY, WORDS).map(_json),
    _spliced(_json(REPLY)),
    st.binary(max_size=60),
).map(lambda line: line.replace(b"\n", b" "))  # one reply per line


@FUZZ
@given(st.lists(reply_lines, min_size=1, max_size=5))
def test_every_reply_line_is_answered_in_order_and_errors_name_the_line(lines):
    status, output = _run(["replies"], b"\n".join(lines) + b"\n")
    # Blank lines are skipped; the first line may start with a byte-order mark.
    answered = [
        n
        for n, line in enumerate(lines, start=1)
        if (line.removeprefix(b"\xef\xbb\xbf") if n == 1 else line).strip()
    ]
    assert len(output) == len(answered)
    assert status == (EXIT_BAD_INPUT if any("error" in o for o in output) else EXIT_OK)
    for number, result in zip(answered, output, strict=True):
        if "error" in result:
            assert result["line"] == number
            assert not result["error"].startswith("internal error"), result
        else:
            assert isinstance(result["hits"], list)


@FUZZ
@given(
    st.one_of(st.binary(max_size=80), st.text(max_size=40).map(str.encode)),
    st.one_of(st.binary(max_size=80), st.text(max_size=40).map(str.encode)),
    st.one_of(
        st.floats().map(str),
        st.integers(-5, 10**6).map(str),
        st.text(max_size=8).filter(lambda s: not s.startswith("-")),
    ),
)
def test_typing_test_scores_or_names_what_is_wrong(tmp_path_factory, reference, typed, seconds):
    folder = tmp_path_factory.mktemp("typing")
    (folder / "reference.txt").write_bytes(reference)
    (folder / "typed.txt").write_bytes(typed)
    args = ["typing-test", "--reference", str(folder / "reference.txt")]
    args += ["--typed", str(folder / "typed.txt"), f"--seconds={seconds}"]
    status, output = _run(args, b"")
    assert status in (EXIT_OK, EXIT_BAD_INPUT), output
    (result,) = output
    if status == EXIT_OK:
        assert 0 <= result["accuracy"] <= 1
    else:
        assert LOCATED.match(result["error"]), result
