"""Defects the fuzzers found, each pinned by the input that showed it."""

from __future__ import annotations

import io
import json

import pytest
from django.utils import translation

from accounts.models import OnboardingBatch
from catalog.services import catalog_files_parse
from courses.yaml_format import course_file_parse
from scoring.cli import main as scoring_main
from yamlsource import Position, SourceErrors, load_text


@pytest.mark.django_db
@pytest.mark.parametrize(
    "path", ["/api/courses/lessons/null/", "/api/scenarios/%C2%B91/publish/", "/api/nowhere/"]
)
def test_an_api_address_that_names_nothing_answers_json_404(client, trainer, path):
    """A path parameter of the wrong form (text for an id) matches no route: API clients
    get the JSON 404 the schema documents, not the HTML page."""
    client.force_login(trainer)
    response = client.post(path) if path.endswith("publish/") else client.get(path)
    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    assert response.json() == {"detail": "未找到。"}


@pytest.mark.django_db
def test_pages_keep_the_html_404(client, trainer):
    client.force_login(trainer)
    response = client.get("/courses/nowhere/")
    assert response.status_code == 404
    assert response["Content-Type"].startswith("text/html")


@pytest.mark.usefixtures("english")
@pytest.mark.parametrize("content", ["hello\n", "42\n", "~\n"])
def test_a_course_file_holding_a_lone_value_names_the_file(tmp_path, content):
    course = tmp_path / "course.yaml"
    course.write_text(content, encoding="utf-8")
    with pytest.raises(SourceErrors) as raised:
        course_file_parse(course)
    (error,) = raised.value.errors
    assert error.position == Position(str(course), 1, 1)
    assert "must be a mapping" in error.message


@pytest.mark.usefixtures("english")
def test_a_module_file_holding_a_lone_value_names_the_file(tmp_path):
    course = tmp_path / "course.yaml"
    course.write_text("slug: c\ntitle: 课程\nmodules: [modules/a.yaml]\n", encoding="utf-8")
    (tmp_path / "modules").mkdir()
    (tmp_path / "modules" / "a.yaml").write_text("一段话\n", encoding="utf-8")
    with pytest.raises(SourceErrors) as raised:
        course_file_parse(course)
    assert [(e.position, e.message) for e in raised.value.errors] == [
        (
            Position(str(tmp_path / "modules" / "a.yaml"), 1, 1),
            "a module file must be a mapping with slug, title, lessons …",
        )
    ]


@pytest.mark.django_db
def test_a_shop_file_holding_a_lone_value_names_the_file(tmp_path):
    shop = tmp_path / "shop.yaml"
    shop.write_text("a\n", encoding="utf-8")
    with pytest.raises(SourceErrors) as raised:
        catalog_files_parse([shop])
    (error,) = raised.value.errors
    assert error.position == Position(str(shop), 1, 1)


@pytest.mark.parametrize(
    ("text", "line", "column"),
    [("[", 1, 1), ("title: [", 1, 8), ("a: b\r\n[", 2, 1), ("a: [\n", 1, 4)],
)
def test_an_error_at_the_end_of_a_file_is_placed_inside_it(text, line, column):
    """libyaml reports the end of a file without a final line break on the line after the
    last; the editor would point at a line that does not exist. A bracket left open is
    told where it opens."""
    with pytest.raises(SourceErrors) as raised:
        load_text(text, "f.yaml")
    (error,) = raised.value.errors
    assert (error.position.line, error.position.column) == (line, column)


def _scoring(args: list[str], data: bytes = b"") -> tuple[int, dict]:
    out = io.BytesIO()
    status = scoring_main(args, stdin=io.BytesIO(data), stdout=out)
    return status, json.loads(out.getvalue())


@pytest.mark.parametrize("seconds", ["1e-30", "1e-310"])
def test_a_typing_test_of_no_measurable_duration_is_refused_not_an_internal_error(
    tmp_path, seconds
):
    """cpm = correct ÷ seconds × 60 was too large to round (or infinite): exit 3."""
    (tmp_path / "reference.txt").write_text("你好", encoding="utf-8")
    (tmp_path / "typed.txt").write_text("你好", encoding="utf-8")
    status, result = _scoring(
        ["typing-test", "--reference", str(tmp_path / "reference.txt")]
        + ["--typed", str(tmp_path / "typed.txt"), f"--seconds={seconds}"]
    )
    assert (status, result) == (1, {"error": f"seconds: must be at least 0.001 (got {seconds})"})


@pytest.mark.parametrize(
    ("session", "error"),
    [
        (
            {"messages": [{"role": "buyer", "t": 0, "text": "在吗"},
                          {"role": "agent", "t": 1e300, "text": "在的"}]},
            "messages[1].t: must be at most 1e+15 (got 1e+300)",
        ),
        (
            {"messages": [], "targets": {"weights": {"response": 1e308, "typing": 1e308}}},
            "targets.weights.response: must be at most 1e+15 (got 1e+308)",
        ),
    ],
)  # fmt: skip
def test_numbers_too_large_to_score_are_refused_naming_the_field(session, error):
    """A wait of 1e300 seconds could not be rounded for the report (exit 3); weights of
    1e308 overflowed their sum, and a session scoring 100 and 90 came out with total 0."""
    status, result = _scoring(["session"], json.dumps(session).encode())
    assert (status, result) == (1, {"error": error})


@pytest.mark.parametrize(
    ("data", "error"),
    [
        (
            b'{"messages": [\n  {"role": "buyer", "t": NaN, "text": "NaN"}]}',
            "invalid JSON: NaN is not valid JSON at line 2 column 26",
        ),
        (
            b'{"messages": [], "outcome": -Infinity}',
            "invalid JSON: -Infinity is not valid JSON at line 1 column 29",
        ),
        (
            b'{"messages": [], "x": ' + b"[" * 100_000,
            "invalid JSON: nested too deeply (more than 500 levels) at line 1 column 522",
        ),
        (
            b'{"messages": [], "n": ' + b"7" * 5000 + b"}",
            "invalid JSON: a number has more than 4300 digits at line 1 column 23",
        ),
    ],
)
def test_json_the_scoring_cli_cannot_read_is_refused_at_its_line_and_column(data, error):
    """These errors named no place: NaN, nesting too deep, an integer too long."""
    assert _scoring(["session"], data) == (1, {"error": error})


@pytest.mark.django_db
def test_a_roster_cell_holding_a_nul_byte_is_flagged_and_the_preview_is_stored(hr, cohort):
    """PostgreSQL stores no NUL in text or JSON: the preview was a 500 (DataError). A NUL
    is damage (a UTF-16 file read as UTF-8 is full of them), flagged on its row."""
    from accounts.services import onboarding_preview_create

    data = "姓名,工号,店铺,批次\n王\x00小丫,T1,悦衣坊旗舰店,2026-11\n".encode()
    with translation.override("en"):
        batch = onboarding_preview_create(actor=hr, file_name="名单.csv", data=data)
    (row,) = OnboardingBatch.objects.get(pk=batch.pk).rows
    assert row["name"] == "王\ufffd小丫"
    assert row["problems"][0].startswith("Line 2: unreadable characters")
