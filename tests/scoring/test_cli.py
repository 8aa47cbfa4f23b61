"""`python -m scoring` run as a real subprocess: exact JSON shapes, errors, exit status."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]


def run(*args: str, stdin: bytes = b"") -> subprocess.CompletedProcess[bytes]:
    result = subprocess.run(
        [sys.executable, "-m", "scoring", *args],
        cwd=ROOT,
        input=stdin,
        capture_output=True,
        timeout=60,
        check=False,
    )
    assert b"Traceback" not in result.stderr and b"Traceback" not in result.stdout
    return result


def lines_of(result: subprocess.CompletedProcess[bytes]) -> list[dict[str, Any]]:
    return [json.loads(line) for line in result.stdout.decode("utf-8").splitlines()]


def jl(*objects: Any) -> bytes:
    return b"".join(json.dumps(o, ensure_ascii=False).encode("utf-8") + b"\n" for o in objects)


# ------------------------------------------------------------------ replies


def test_replies_output_shape_and_order(tmp_path: Path) -> None:
    path = tmp_path / "in.jsonl"
    path.write_bytes(
        jl(
            {"id": "a", "text": "请不要把验证码告诉任何人", "position": "middle", "context": {}},
            {"id": "b", "text": "請把驗證碼發給我", "position": "middle"},
            {
                "id": "c",
                "text": "好的",
                "position": "last",
                "context": {"required_points": ["运费险"]},
            },
        )
    )
    result = run("replies", str(path))
    assert result.returncode == 0
    out = lines_of(result)
    assert out[0] == {"id": "a", "hits": []}
    assert out[1]["id"] == "b"
    (hit,) = out[1]["hits"]
    assert set(hit) == {"rule", "severity", "start", "end", "suggestion"}
    assert (hit["rule"], hit["severity"], hit["start"], hit["end"]) == (
        "credential_request",
        "fatal",
        2,
        8,
    )
    assert [(h["rule"], h["start"], h["end"]) for h in out[2]["hits"]] == [
        ("terse_reply", 0, 2),
        ("missing_closing", 2, 2),
        ("required_point_missing", 2, 2),
    ]
    for line in out:
        assert set(line) == {"id", "hits"}


def test_replies_reads_stdin_and_writes_utf8() -> None:
    result = run("replies", stdin=jl({"id": "中文", "text": "你好", "position": "middle"}))
    assert result.returncode == 0
    assert "中文".encode() in result.stdout
    assert lines_of(result)[0]["hits"][0]["suggestion"] == "您好"


def test_malformed_lines_are_reported_and_the_rest_still_run() -> None:
    good = jl({"id": "ok1", "text": "亲，您好，在的呢", "position": "first"})
    data = b"".join(
        [
            good,  # 1
            b"{not json\n",  # 2
            b'{"id": "x", "text": "\xff\xfe", "position": "middle"}\n',  # 3: invalid UTF-8
            jl({"id": "x", "text": 42, "position": "middle"}),  # 4
            jl({"id": "x", "text": "好" * 5001, "position": "middle"}),  # 5
            jl({"id": "x", "text": "好", "position": "top"}),  # 6
            b"\n",  # 7: blank, skipped
            b'{"id": "x", "text": "a", "position": "middle", "t": NaN}\n',  # 8
            jl({"text": "a", "position": "middle"}),  # 9
            jl(["not", "an", "object"]),  # 10
            b'{"id": "x", "text": "\\ud800", "position": "middle"}\n',  # 11
            jl({"id": "x", "text": "a", "position": "middle", "context": {"forbidden": 3}}),  # 12
            jl({"id": "ok2", "text": "好的呢，马上为您安排", "position": "middle"}),  # 13
        ]
    )
    result = run("replies", stdin=data)
    assert result.returncode == 1
    out = lines_of(result)
    assert out[0] == {"id": "ok1", "hits": []}
    assert out[-1] == {"id": "ok2", "hits": []}
    errors = out[1:-1]
    for entry in errors:
        assert set(entry) == {"line", "error"}
    by_line = {e["line"]: e["error"] for e in errors}
    assert sorted(by_line) == [2, 3, 4, 5, 6, 8, 9, 10, 11, 12]
    assert by_line[2].startswith("invalid JSON")
    bad_byte = len(b'{"id": "x", "text": "')  # the \xff right after the opening quote
    assert by_line[3] == f"invalid UTF-8 at byte {bad_byte}"
    assert by_line[4] == "text: must be a string, not a number"
    assert by_line[5] == "text: is 5001 characters long; the limit is 5000"
    assert by_line[6].startswith("position: must be one of first, middle, last")
    assert "NaN" in by_line[8]
    assert by_line[9] == "id: is required"
    assert "must be an object" in by_line[10]
    assert "surrogate" in by_line[11]
    assert by_line[12] == "context.forbidden: must be a list"


def test_a_leading_byte_order_mark_is_not_content(tmp_path: Path) -> None:
    bom = b"\xef\xbb\xbf"
    result = run(
        "replies", stdin=bom + jl({"id": "a", "text": "亲，您好，在的呢", "position": "first"})
    )
    assert (result.returncode, lines_of(result)) == (0, [{"id": "a", "hits": []}])
    (tmp_path / "ref.txt").write_bytes(bom + "你好".encode())
    (tmp_path / "typed.txt").write_bytes(bom + "你好".encode())
    result = run(
        "typing-test",
        "--reference",
        str(tmp_path / "ref.txt"),
        "--typed",
        str(tmp_path / "typed.txt"),
        "--seconds",
        "2",
    )
    assert lines_of(result) == [{"correct": 2, "accuracy": 1.0, "completion": 1.0, "cpm": 60.0}]


def test_replies_with_a_trainer_pack(tmp_path: Path) -> None:
    pack = tmp_path / "shop.yaml"
    pack.write_text(
        'version: "s1"\nextends: default\nrules:\n  negative_language:\n    phrases: [不晓得]\n',
        encoding="utf-8",
    )
    line = jl({"id": "a", "text": "这个不晓得呢", "position": "middle"})
    assert lines_of(run("replies", stdin=line))[0]["hits"] == []
    out = lines_of(run("replies", "--rulepack", str(pack), stdin=line))
    assert [h["rule"] for h in out[0]["hits"]] == ["negative_language"]


def test_bad_rulepack_is_a_clear_error(tmp_path: Path) -> None:
    pack = tmp_path / "bad.yaml"
    pack.write_text(
        'version: "1"\nrules:\n  x: {kind: pattern, severity: huge, suggestion: s, phrases: [a]}\n',
        "utf-8",
    )
    result = run("replies", "--rulepack", str(pack), stdin=b"")
    assert result.returncode == 1
    (out,) = lines_of(result)
    assert out["error"].startswith("rulepack: ")
    assert "rules.x.severity" in out["error"]


# ------------------------------------------------------------------ session

SESSION = {
    "messages": [
        {"role": "buyer", "t": 0, "text": "在吗"},
        {
            "role": "agent",
            "t": 4,
            "text": "亲，您好！在的呢，谢谢您",
            "events": [{"t": 1, "type": "insertText", "data": "亲，您好！在的呢，谢谢您"}],
        },
    ]
}


def test_session_output_shape(tmp_path: Path) -> None:
    path = tmp_path / "s.json"
    path.write_text(json.dumps(SESSION), encoding="utf-8")
    result = run("session", str(path))
    assert result.returncode == 0
    (data,) = lines_of(result)
    assert data["response"]["first_s"] == 4.0
    assert data["response"]["average_s"] == 4.0
    assert data["response"]["waits"] == [4.0]
    assert data["response"]["unanswered"] == []
    assert data["typing"]["typed_chars"] == 12
    assert data["typing"]["pasted_chars"] == 0
    assert data["typing"]["compose_s"] == 3.0
    assert data["typing"]["cpm"] == 240.0  # 12 / 3 * 60
    assert data["compliance"]["hits"] == []
    assert set(data["dimensions"]) == {
        "response",
        "typing",
        "compliance",
        "outcome",
        "required_points",
    }
    assert data["total"] == 100.0
    assert data["rulepack"]["version"] == "2.3.1"
    # stdin gives the same report, byte for byte
    assert run("session", stdin=path.read_bytes()).stdout == result.stdout


@pytest.mark.parametrize(
    ("payload", "error"),
    [
        (
            {
                "messages": [
                    {"role": "buyer", "t": 5, "text": "a"},
                    {"role": "agent", "t": 3, "text": "b"},
                ]
            },
            "messages[1].t: must be >= previous message time (5)",
        ),
        (
            {"messages": [{"role": "buyer", "t": -2, "text": "a"}]},
            "messages[0].t: must be >= 0 (got -2)",
        ),
        (
            {"messages": [{"role": "buyer", "t": "soon", "text": "a"}]},
            "messages[0].t: must be a number, not a string",
        ),
        (
            {"messages": [{"role": "buyer", "t": 1, "text": "长" * 5001}]},
            "messages[0].text: is 5001 characters long; the limit is 5000",
        ),
        (
            {
                "messages": [
                    {
                        "role": "agent",
                        "t": 9,
                        "text": "b",
                        "events": [
                            {"t": 2, "type": "insertText", "data": "x"},
                            {"t": 1, "type": "insertText", "data": "y"},
                        ],
                    }
                ]
            },
            "messages[0].events[1].t: must be >= previous event time (2)",
        ),
        (
            {"messages": [], "targets": {"weights": {"typing": "high"}}},
            "targets.weights.typing: must be a number, not a string",
        ),
    ],
)
def test_session_errors_name_the_field(payload: Any, error: str) -> None:
    result = run("session", stdin=json.dumps(payload).encode())
    assert result.returncode == 1
    assert lines_of(result) == [{"error": error}]


@pytest.mark.parametrize(
    ("data", "fragment"),
    [
        (b'{"messages": [{"role": "buyer", "t": 1, "text": "\xe4\xbd"}]}', "invalid UTF-8 at byte"),
        (b'{"messages": [', "invalid JSON"),
        (b"[" * 100000 + b"]" * 100000, "nested too deeply"),
        (b"", "invalid JSON"),
    ],
)
def test_session_undecodable_input(data: bytes, fragment: str) -> None:
    result = run("session", stdin=data)
    assert result.returncode == 1
    (out,) = lines_of(result)
    assert fragment in out["error"]


def test_session_missing_file() -> None:
    result = run("session", "/nonexistent/session.json")
    assert result.returncode == 1
    assert lines_of(result)[0]["error"].startswith("cannot read /nonexistent/session.json")


# -------------------------------------------------------------- typing-test


def test_typing_test_output_is_exactly_the_contract(tmp_path: Path) -> None:
    (tmp_path / "ref.txt").write_text("欢迎光临本店，很高兴为您服务\n", encoding="utf-8")
    (tmp_path / "typed.txt").write_text("欢迎光临本店 很高兴为服务", encoding="utf-8")
    result = run(
        "typing-test",
        "--reference",
        str(tmp_path / "ref.txt"),
        "--typed",
        str(tmp_path / "typed.txt"),
        "--seconds",
        "30",
    )
    assert result.returncode == 0
    (data,) = lines_of(result)
    # reference 14 characters, typed 12 (the comma and 您 missing): LCS 12
    assert data == {"correct": 12, "accuracy": 1.0, "completion": 0.8571, "cpm": 24.0}


@pytest.mark.parametrize(
    ("seconds", "typed", "fragment"),
    [
        ("abc", "好".encode(), "seconds: must be a number, not 'abc'"),
        ("0", "好".encode(), "seconds: must be > 0 (got 0)"),
        ("-5", "好".encode(), "seconds: must be > 0"),
        ("nan", "好".encode(), "seconds: must be a finite number"),
        ("10", b"\xff", "typed: invalid UTF-8 at byte 0"),
        ("10", ("好" * 5001).encode(), "typed: is 5001 characters long"),
    ],
)
def test_typing_test_errors(tmp_path: Path, seconds: str, typed: bytes, fragment: str) -> None:
    (tmp_path / "ref.txt").write_text("你好", encoding="utf-8")
    (tmp_path / "typed.txt").write_bytes(typed)
    result = run(
        "typing-test",
        "--reference",
        str(tmp_path / "ref.txt"),
        "--typed",
        str(tmp_path / "typed.txt"),
        "--seconds",
        seconds,
    )
    assert result.returncode == 1
    (out,) = lines_of(result)
    assert fragment in out["error"]


def test_usage_errors_exit_2_without_traceback() -> None:
    assert run().returncode == 2
    result = run("typing-test", "--reference", "x")
    assert result.returncode == 2
    assert b"--typed" in result.stderr
    assert run("grade").returncode == 2
