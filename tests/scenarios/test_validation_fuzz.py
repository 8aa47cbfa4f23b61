"""Mutations of the documented example through the validator: any value replaced by one of
another type, keys deleted, unknown keys added. The validator returns a spec or raises
``SourceErrors`` whose every error has a place in the file; never another exception."""

from __future__ import annotations

import copy
import time

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from scenarios.validation import ScenarioSpec, scenario_from_text
from tests.runaway import RUNAWAY_S
from tests.scenarios.conftest import FIXTURE
from yamlsource import SourceErrors, load_text

NAME = "fuzz.yaml"


def _plain(value):
    """The loaded fixture as plain dicts and lists, to mutate and write back as YAML."""
    if isinstance(value, dict):
        return {key: _plain(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_plain(item) for item in value]
    return value


ORIGINAL = _plain(load_text(FIXTURE.read_text(encoding="utf-8")))

# Words of the format, so that mutations also hit the meaning checks, not only the schema.
WORDS = [
    "ask", "size", "deal", "doubt", "成交", "流失", "greeting", "proof_of_genuine",
    "size_advice", "negative_language", "yueyi-apparel", "double-face-wool-coat",
    "COAT-CAMEL-M", "when", "goto", "end", "buyer", "branches", "intent", "any", "all",
    "not", "regex", "tries", "silence_s", "path", "expect", "replies", "(a+)+$", "(", "x+",
]  # fmt: skip
scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(10**6), 10**6),
    st.floats(allow_nan=False, allow_infinity=False),
    st.text(max_size=12),
    st.sampled_from(WORDS),
)
keys = st.one_of(st.sampled_from(WORDS), st.text(max_size=8), st.integers(), st.booleans())
values = st.recursive(
    scalars,
    lambda children: st.one_of(
        st.lists(children, max_size=3), st.dictionaries(keys, children, max_size=3)
    ),
    max_leaves=8,
)


def _paths(node, prefix: tuple = ()):
    yield prefix
    if isinstance(node, dict):
        for key, item in node.items():
            yield from _paths(item, (*prefix, key))
    elif isinstance(node, list):
        for index, item in enumerate(node):
            yield from _paths(item, (*prefix, index))


def _at(document, path: tuple):
    for key in path:
        document = document[key]
    return document


@st.composite
def mutated_documents(draw):
    document = copy.deepcopy(ORIGINAL)
    for _ in range(draw(st.integers(1, 3))):
        paths = list(_paths(document))
        path = draw(st.sampled_from(paths))
        action = draw(st.sampled_from(["replace", "delete", "add"]))
        target = _at(document, path)
        if action == "add" and isinstance(target, dict):
            target[draw(keys)] = draw(values)
        elif action == "delete" and path:
            del _at(document, path[:-1])[path[-1]]
        elif path:
            _at(document, path[:-1])[path[-1]] = draw(values)
        else:
            document = draw(values)
    return document


@settings(
    max_examples=400,
    deadline=None,  # timed against RUNAWAY_S instead
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(mutated_documents())
def test_mutated_scenarios_give_a_spec_or_placed_errors(context, document):
    text = yaml.safe_dump(document, allow_unicode=True, sort_keys=False)
    start = time.perf_counter()
    try:
        spec = scenario_from_text(text, NAME, context)
    except SourceErrors as errors:
        assert errors.errors
        for error in errors.errors:
            assert error.position.file == NAME, error
            assert error.position.line >= 1 and error.position.column >= 1, error
    else:
        assert isinstance(spec, ScenarioSpec)
    assert time.perf_counter() - start < RUNAWAY_S
