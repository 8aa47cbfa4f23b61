"""Hostile files through every content importer: a course (course file and module files),
shops of the catalogue, scenario files uploaded for import, and scenario text as the editor
sends it. Each file either imports or is refused with errors that all name a file, a line
inside it and a column; never another exception, never slow."""

from __future__ import annotations

import tempfile
import time
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from catalog.services import catalog_files_parse
from courses.yaml_format import course_file_parse
from scenarios.services import scenario_import
from scenarios.validation import ScenarioSpec, scenario_from_text
from tests.fuzz.documents import (
    YAML_PIECES,
    assert_errors_located,
    plain_file,
    yaml_texts,
)
from tests.runaway import RUNAWAY_S
from yamlsource import SourceErrors, cannot_read_message

ROOT = Path(__file__).resolve().parents[2]
COURSE_DIR = ROOT / "tests" / "courses" / "fixtures" / "basic"
COURSE_FILES = ["course.yaml", "modules/a.yaml", "modules/b.yaml"]
SHOP = ROOT / "tests" / "catalog" / "fixtures" / "mini-shop.yaml"
SCENARIO = ROOT / "tests" / "scenarios" / "fixtures" / "genuine-coat.yaml"

FUZZ = settings(
    max_examples=150,
    deadline=None,  # each example is timed against RUNAWAY_S instead (first runs import code)
    derandomize=True,
    database=None,
    suppress_health_check=[
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
        HealthCheck.function_scoped_fixture,
    ],
)


def _write(folder: Path, texts: dict[str, str | bytes]) -> dict[str, str]:
    """Write the files; return their texts by the name errors give them (their path)."""
    written = {}
    for relative, text in texts.items():
        path = folder / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        data = text if isinstance(text, bytes) else text.encode("utf-8", "surrogatepass")
        path.write_bytes(data)
        written[str(path)] = data.decode("utf-8", "replace")
    return written


def _located_or_unreadable(errors: SourceErrors, texts: dict[str, str]) -> None:
    """Errors in the written files are placed inside them; a file the input names that does
    not exist (a module path mutated) is named, at its first line."""
    unreadable = cannot_read_message(FileNotFoundError(2, "No such file or directory"))
    missing = {
        e.position.file: ""
        for e in errors.errors
        if e.position.file not in texts and e.message == unreadable
    }
    assert_errors_located(errors, {**texts, **missing})


course_originals = {name: plain_file(COURSE_DIR / name) for name in COURSE_FILES}
course_sets = st.sampled_from(COURSE_FILES).flatmap(
    lambda name: st.tuples(st.just(name), yaml_texts(course_originals[name]))
)


@FUZZ
@given(course_sets)
def test_course_files_import_or_give_placed_errors(changed):
    name, text = changed
    files = {n: (COURSE_DIR / n).read_text(encoding="utf-8") for n in COURSE_FILES}
    files[name] = text
    with tempfile.TemporaryDirectory() as folder:
        texts = _write(Path(folder), files)
        start = time.perf_counter()
        try:
            course, _documents = course_file_parse(Path(folder) / "course.yaml")
        except SourceErrors as errors:
            _located_or_unreadable(errors, texts)
        else:
            assert course.slug and course.modules
        assert time.perf_counter() - start < RUNAWAY_S


shop_texts = st.one_of(
    yaml_texts(plain_file(SHOP)),
    st.binary(max_size=200),
)


@FUZZ
@given(shop_texts, st.booleans())
def test_shop_files_import_or_give_placed_errors(text, with_a_valid_shop):
    """Alone, or after a valid shop (a second file with the same slug is refused too)."""
    files = {"shop.yaml": text}
    if with_a_valid_shop:
        files = {"first.yaml": SHOP.read_text(encoding="utf-8"), **files}
    with tempfile.TemporaryDirectory() as folder:
        texts = _write(Path(folder), files)
        start = time.perf_counter()
        try:
            shops = catalog_files_parse(sorted(Path(folder).glob("*.yaml")))
        except SourceErrors as errors:
            assert_errors_located(errors, texts)
        else:
            assert len(shops) == len(files)
        assert time.perf_counter() - start < RUNAWAY_S


scenario_texts = yaml_texts(plain_file(SCENARIO))


@FUZZ
@given(scenario_texts)
def test_scenario_text_gives_a_spec_or_placed_errors(context, text):
    """What the editor sends while a trainer types (mutated documents are also covered by
    tests/scenarios/test_validation_fuzz.py; here cut and spliced text too)."""
    start = time.perf_counter()
    try:
        spec = scenario_from_text(text, "editor.yaml", context)
    except SourceErrors as errors:
        assert_errors_located(errors, {"editor.yaml": text})
    else:
        assert isinstance(spec, ScenarioSpec)
    assert time.perf_counter() - start < RUNAWAY_S


def _encoded(text: str) -> st.SearchStrategy[bytes]:
    data = text.encode("utf-8", "surrogatepass")
    return st.sampled_from(
        [data, b"\xef\xbb\xbf" + data, data.replace(b"\n", b"\r\n"), data[: len(data) // 2]]
    )


upload_bytes = st.one_of(
    scenario_texts.flatmap(_encoded),
    st.binary(max_size=300),
    st.lists(st.sampled_from(YAML_PIECES), max_size=30).map(lambda t: "".join(t).encode("gb18030")),
)


@pytest.fixture
def scenario_importer(db, trainer):
    from catalog.services import catalog_import

    catalog_import(sorted((ROOT / "content" / "catalog").glob("*.yaml")))
    return trainer


@settings(FUZZ, max_examples=60)
@given(st.lists(upload_bytes, min_size=1, max_size=2))
def test_scenario_uploads_import_or_give_placed_errors(scenario_importer, uploads):
    files = [(f"upload-{i}.yaml", data) for i, data in enumerate(uploads)]
    texts = {name: data.decode("utf-8", "replace") for name, data in files}
    start = time.perf_counter()
    try:
        scenarios = scenario_import(actor=scenario_importer, files=files)
    except SourceErrors as errors:
        assert_errors_located(errors, texts)
    else:
        assert len(scenarios) == len(files)
    assert time.perf_counter() - start < RUNAWAY_S * len(files)
