"""Errors print as ``FILE:LINE:COLUMN: field: message``; fields are named with their list
items counted from 1, in the interface language."""

from __future__ import annotations

import pytest

from yamlsource import Position, SourceError, SourceErrors, field_label
from yamlsource.fieldpath import subject


def test_an_error_prints_file_line_column_field_and_message():
    errors = SourceErrors()
    errors.add_at(Position("s.yaml", 17, 3), ("persona", "nudge_afer_s"), "未知字段 nudge_afer_s")
    errors.add_at(Position("s.yaml", 2, 1), "", "文件是空的")
    assert str(errors) == (
        "s.yaml:2:1: 文件是空的\ns.yaml:17:3: persona.nudge_afer_s: 未知字段 nudge_afer_s"
    )
    assert str(errors.errors[0]) == "s.yaml:17:3: persona.nudge_afer_s: 未知字段 nudge_afer_s"


@pytest.mark.parametrize(
    ("path", "chinese", "english"),
    [
        (("steps", "ask", "branches", 0), "steps.ask.branches 第 1 项", "steps.ask.branches #1"),
        (
            ("steps", "ask", "branches", 2, "when", "intent"),
            "steps.ask.branches 第 3 项的 when.intent",
            "steps.ask.branches #3 › when.intent",
        ),
        (
            "tests[0].expect.path[1]",
            "tests 第 1 项的 expect.path 第 2 项",
            "tests #1 › expect.path #2",
        ),
        ("persona.patience_s", "persona.patience_s", "persona.patience_s"),
        ("", "", ""),
    ],
)
def test_field_labels_count_items_from_one(path, chinese, english):
    from django.utils import translation

    assert field_label(path) == chinese
    with translation.override("en"):
        assert field_label(path) == english


def test_a_label_passed_back_stays_as_it_is():
    """Errors copied from one collection to another keep their field."""
    label = field_label(("products", 1, "price"))
    errors = SourceErrors()
    errors.add_at(Position("f", 1, 1), label, "x")
    assert errors.errors == [SourceError(Position("f", 1, 1), "products 第 2 项的 price", "x")]


def test_a_key_that_looks_like_an_index_stays_a_key():
    """Keys come from the file: only code-made paths have indices."""
    assert field_label(("persona", "a[0]")) == "persona.a[0]"
    assert field_label(("steps", "3")) == "steps.3"


def test_the_subject_of_a_message():
    assert subject(("persona", "patience_s")) == "patience_s"
    assert subject(("steps", "ask", "buyer", 1)) == "buyer 第 2 项"
    assert subject(()) == ""
