"""Rule packs: versioned YAML data that says what compliance checks look for.

A pack is data, not code, so that trainers can extend it: a shop's pack says
``extends: default`` (or a path to another pack, relative to its own file) and may

* add phrases, pairs, exceptions or softeners to an existing rule (lists are appended),
* change a rule's severity, suggestion or numbers (scalars are replaced), or switch it off with
  ``enabled: false``,
* add new rules of kind ``pattern`` (phrase rules) with their own ids,
* append to the shared settings lists (negators, cautions, ...),
* add words to a named word class (``classes``); a pair names a class as ``@name`` in its
  ``first`` or ``then`` list, so one class (payment verbs, places outside the platform,
  universal quantifiers...) serves every pair that needs it and a shop extends all at once.

The merged result carries every layer's version and a SHA-256 of its canonical content, and a
report stores both: the same pack content always gives the same scores, and a changed pack can
never pass for the old one.

One module on purpose: a rule setting appears in ``_KIND_KEYS``, ``RuleSpec``, its hashed
``to_dict`` and its kind's ``_<kind>_rule`` reader, and ``_extend`` round-trips every pack
through all four.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

import yaml

from .errors import RulepackError
from .normalize import fold_phrase

if TYPE_CHECKING:
    from .matcher import Matcher

__all__ = [
    "DEFAULT_RULEPACK_PATH",
    "KINDS",
    "POSITIONS",
    "RESERVED_RULE_IDS",
    "SEVERITIES",
    "PairSpec",
    "PhraseSpec",
    "RuleSpec",
    "Rulepack",
    "Settings",
    "load_rulepack",
    "rulepack_from_dict",
]

DEFAULT_RULEPACK_PATH = Path(__file__).with_name("rulepacks") / "default.yaml"
# libyaml (in PyYAML's wheels) parses the default pack in about 50 ms; the pure-Python
# parser took 400, and every server and worker process pays it once.
_SafeLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_MERGE_TAG = "tag:yaml.org,2002:merge"


class _YamlLoader(_SafeLoader):  # type: ignore[misc, valid-type]
    """A safe loader that refuses a key written twice in one mapping. YAML keeps the last
    one silently, so a rule or a word class written twice lost its first half unseen."""

    def construct_mapping(self, node, deep=False):
        first_line: dict[str, int] = {}
        for key_node, _value in node.value:
            if key_node.tag == _MERGE_TAG or not isinstance(key_node, yaml.ScalarNode):
                continue  # "<<: *anchor" merges; keys it brings may be overridden
            if key_node.value in first_line:
                raise yaml.constructor.ConstructorError(
                    None,
                    None,
                    f"the key {key_node.value!r} is written twice in this mapping "
                    f"(first on line {first_line[key_node.value]})",
                    key_node.start_mark,
                )
            first_line[key_node.value] = key_node.start_mark.line + 1
        return super().construct_mapping(node, deep=deep)


SEVERITIES = ("minor", "major", "fatal")
KINDS = ("terse", "exclamation", "presence", "pattern")
# "only" is a reply that is both the first and the last one of the agent.
POSITIONS = ("first", "middle", "last", "only")
# Scenario-level checks report under these ids; a pack may not reuse them.
RESERVED_RULE_IDS = ("forbidden_statement", "required_point_missing")
_RULE_ID = re.compile(r"^[a-z][a-z0-9_]{0,63}$")
_MAX_EXTENDS_DEPTH = 8

_TOP_KEYS = ("version", "name", "extends", "settings", "classes", "learned", "rules")
# ``learned: default`` adds the learned layer (scoring/learned.py) under the pattern rules;
# ``learned: none`` leaves it out.
_LEARNED = ("default", "none")
_CLASS_NAME = re.compile(r"^[a-z][a-z0-9_]{0,63}$")
# A pair's ``first`` or ``then`` entry that names a word class instead of a phrase.
_CLASS_REF = "@"
_SETTING_LISTS = ("negators", "pseudo_negators", "cautions", "particles")
_SETTING_INTS = ("negation_window", "caution_window")
_COMMON_KEYS = ("kind", "severity", "suggestion", "enabled", "description")
_KIND_KEYS: dict[str, tuple[str, ...]] = {
    "terse": ("max_chars", "suggestions"),
    "exclamation": ("max_run", "max_total", "marks"),
    "presence": ("positions", "anchor", "phrases", "exceptions"),
    "pattern": (
        "phrases",
        "pairs",
        "exceptions",
        "negatable",
        "negate",
        "skip_questions",
        "skip_quoted",
        "softeners",
        "negators",
        "cautions",
    ),
}
_LIST_KEYS = (
    "phrases",
    "pairs",
    "exceptions",
    "softeners",
    "negators",
    "cautions",
    "marks",
    "positions",
)
_MAP_KEYS = ("suggestions", "description")


@dataclass(frozen=True, slots=True)
class PhraseSpec:
    """One trigger phrase of a ``pattern`` rule (or a wording a ``presence`` rule accepts)."""

    text: str
    suggestion: str | None = None
    # Only a hit when nothing but particles follows it in its clause ("不行哦" but not "不行的话").
    clause_final: bool = False
    # A softener later in the reply clears it ("没有权限…我帮您申请").
    softenable: bool = False
    # Cleared when one of these starts within ``unless_window`` characters after it in its
    # clause: "保证正品" and "一定帮您处理" commit the shop to what it controls.
    unless: tuple[str, ...] = ()
    unless_window: int = 6
    unless_written: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class PairSpec:
    """Two phrase lists that make a hit only together, e.g. an absolute word and an outcome."""

    first: tuple[str, ...]
    then: tuple[str, ...]
    window: int = 12
    scope: str = "clause"  # "clause", "sentence" or "reply"
    order: str = "ordered"  # "ordered": first before then; "any": either order
    suggestion: str | None = None
    # The lists as written, word classes named (``@pay_verb``); first/then are expanded.
    first_written: tuple[str, ...] = ()
    then_written: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class RuleSpec:
    id: str
    kind: str
    severity: str
    suggestion: str
    enabled: bool = True
    description: Mapping[str, str] = field(default_factory=dict)
    # terse
    max_chars: int = 3
    suggestions: Mapping[str, str] = field(default_factory=dict)
    # exclamation
    max_run: int = 1
    max_total: int = 2
    marks: tuple[str, ...] = ("!",)
    # presence
    positions: tuple[str, ...] = ()
    anchor: str = "start"
    # pattern (phrases and exceptions also serve presence)
    phrases: tuple[PhraseSpec, ...] = ()
    pairs: tuple[PairSpec, ...] = ()
    exceptions: tuple[str, ...] = ()
    negatable: bool = False
    negate: str = "first"  # "first": a negator must precede the first part; "any": either part
    skip_questions: bool = False
    skip_quoted: bool = False
    softeners: tuple[str, ...] = ()
    # Words that clear this rule's hits as the pack's negators do, for this rule only: "有人让您
    # 加微信" reports someone else's invitation, while "让您" clears no other rule.
    negators: tuple[str, ...] = ()
    # And words after a hit that make it a warning, for this rule only ("…的那个不是我们").
    cautions: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        """Canonical form: what the content hash covers and what ``to_dict`` reports show."""
        data: dict[str, Any] = {
            "kind": self.kind,
            "severity": self.severity,
            "suggestion": self.suggestion,
            "enabled": self.enabled,
            "description": dict(sorted(self.description.items())),
        }
        if self.kind == "terse":
            data["max_chars"] = self.max_chars
            data["suggestions"] = dict(sorted(self.suggestions.items()))
        elif self.kind == "exclamation":
            data.update(max_run=self.max_run, max_total=self.max_total, marks=list(self.marks))
        elif self.kind == "presence":
            data.update(
                positions=list(self.positions),
                anchor=self.anchor,
                phrases=[p.text for p in self.phrases],
                exceptions=list(self.exceptions),
            )
        else:
            data.update(
                phrases=[_phrase_to_dict(p) for p in self.phrases],
                pairs=[_pair_to_dict(p) for p in self.pairs],
                exceptions=list(self.exceptions),
                negatable=self.negatable,
                negate=self.negate,
                skip_questions=self.skip_questions,
                skip_quoted=self.skip_quoted,
                softeners=list(self.softeners),
                negators=list(self.negators),
                cautions=list(self.cautions),
            )
        return data


@dataclass(frozen=True, slots=True)
class Settings:
    negation_window: int = 10
    caution_window: int = 12
    negators: tuple[str, ...] = ()
    pseudo_negators: tuple[str, ...] = ()
    cautions: tuple[str, ...] = ()
    particles: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return {
            "negation_window": self.negation_window,
            "caution_window": self.caution_window,
            "negators": list(self.negators),
            "pseudo_negators": list(self.pseudo_negators),
            "cautions": list(self.cautions),
            "particles": list(self.particles),
        }


@dataclass(frozen=True)
class Rulepack:
    """A loaded, merged and validated rule pack. Build it with :func:`load_rulepack`."""

    name: str
    version: str
    # Every layer, base first: ("default 1.0.0", "shop-a 2024.3").
    versions: tuple[str, ...]
    settings: Settings
    rules: tuple[RuleSpec, ...]
    source: str = "<dict>"
    classes: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    learned: str = "none"

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "version": self.version,
            "versions": list(self.versions),
            "settings": self.settings.to_dict(),
            "classes": {name: list(words) for name, words in sorted(self.classes.items())},
            "learned": self._learned_identity(),
            "rules": {rule.id: rule.to_dict() for rule in self.rules},
        }

    @cached_property
    def hash(self) -> str:
        canonical = json.dumps(
            self.to_dict(), sort_keys=True, ensure_ascii=False, separators=(",", ":")
        )
        return "sha256:" + hashlib.sha256(canonical.encode("utf-8")).hexdigest()

    def _learned_identity(self) -> dict[str, Any] | None:
        if self.learned == "none":
            return None
        from .learned import load_layer  # the layer's data, hashed into the pack's identity

        return load_layer().identity()

    @cached_property
    def matcher(self) -> Matcher:
        """The compiled automata; built on first use and kept with the pack."""
        from .matcher import Matcher  # the compiler depends on this module, not the reverse

        return Matcher(self)

    def rule(self, rule_id: str) -> RuleSpec:
        for rule in self.rules:
            if rule.id == rule_id:
                return rule
        raise KeyError(rule_id)

    def identity(self) -> dict[str, Any]:
        """What a report stores to say which pack scored it."""
        return {
            "name": self.name,
            "version": self.version,
            "versions": list(self.versions),
            "hash": self.hash,
        }


# ------------------------------------------------------------------------ loading


def load_rulepack(path: str | Path | None = None) -> Rulepack:
    """Load a pack file (following ``extends``); ``None`` gives the default pack (cached)."""
    if path is None:
        return _default_rulepack()
    return _load_path(Path(path), depth=0, seen=())


@lru_cache(maxsize=1)
def _default_rulepack() -> Rulepack:
    return _load_path(DEFAULT_RULEPACK_PATH, depth=0, seen=())


def rulepack_from_dict(
    data: Mapping[str, Any], *, source: str = "<dict>", base_dir: str | Path | None = None
) -> Rulepack:
    """Build a pack from already-parsed data (e.g. a pack stored in the database).

    ``extends`` other than ``default`` is resolved against ``base_dir``.
    """
    base = Path(base_dir) if base_dir is not None else None
    return _from_raw(data, source, base, depth=0, seen=())


def _load_path(path: Path, *, depth: int, seen: tuple[Path, ...]) -> Rulepack:
    source = str(path)
    try:
        raw_bytes = path.read_bytes()
    except OSError as exc:
        raise RulepackError(source, "", f"cannot read: {exc.strerror or exc}") from None
    try:
        text = raw_bytes.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise RulepackError(source, "", f"not valid UTF-8 at byte {exc.start}") from None
    try:
        data = yaml.load(text, Loader=_YamlLoader)  # a safe loader, C or Python
    except yaml.YAMLError as exc:
        raise RulepackError(source, "", f"invalid YAML: {exc}") from None
    resolved = path.resolve()
    return _from_raw(data, source, path.parent, depth=depth, seen=(*seen, resolved))


def _from_raw(
    data: Any, source: str, base_dir: Path | None, *, depth: int, seen: tuple[Path, ...]
) -> Rulepack:
    layer = _check_layer(data, source)
    extends = layer.get("extends")
    if extends is None:
        return _build(layer, source, versions=())
    if depth >= _MAX_EXTENDS_DEPTH:
        raise RulepackError(source, "extends", f"more than {_MAX_EXTENDS_DEPTH} levels")
    if extends == "default":
        parent_path = DEFAULT_RULEPACK_PATH
    else:
        if base_dir is None:
            raise RulepackError(source, "extends", "a path needs base_dir to resolve against")
        parent_path = base_dir / extends
    if parent_path.resolve() in seen:
        raise RulepackError(source, "extends", f"circular reference to {parent_path}")
    parent = _load_path(parent_path, depth=depth + 1, seen=seen)
    return _extend(parent, layer, source)


# ----------------------------------------------------------------------- checking


def _fail(source: str, path: str, message: str) -> RulepackError:
    return RulepackError(source, path, message)


def _check_layer(data: Any, source: str) -> dict[str, Any]:
    """Shape checks that hold for any layer (base or extension)."""
    if not isinstance(data, Mapping):
        raise _fail(source, "", "a rule pack must be a mapping at the top level")
    _check_top(data, source)
    _check_settings_keys(data, source)
    _check_rule_ids(data, source)
    _check_repeats(data, source)
    return dict(data)


def _check_top(data: Mapping[str, Any], source: str) -> None:
    for key in data:
        if key not in _TOP_KEYS:
            raise _fail(source, str(key), f"unknown key (allowed: {', '.join(_TOP_KEYS)})")
    version = data.get("version")
    if version is None:
        raise _fail(source, "version", "is required")
    if not isinstance(version, str) or not version.strip():
        raise _fail(source, "version", 'must be a non-empty string (quote it: version: "1.0")')
    for key in ("name", "extends"):
        if key in data and (not isinstance(data[key], str) or not data[key].strip()):
            raise _fail(source, key, "must be a non-empty string")


def _check_settings_keys(data: Mapping[str, Any], source: str) -> None:
    settings = data.get("settings", {})
    if not isinstance(settings, Mapping):
        raise _fail(source, "settings", "must be a mapping")
    for key in settings:
        if key not in _SETTING_LISTS + _SETTING_INTS:
            raise _fail(source, f"settings.{key}", "unknown setting")


def _check_rule_ids(data: Mapping[str, Any], source: str) -> None:
    rules = data.get("rules", {})
    if not isinstance(rules, Mapping):
        raise _fail(source, "rules", "must be a mapping of rule id to rule")
    for rule_id, rule in rules.items():
        where = f"rules.{rule_id}"
        if not isinstance(rule_id, str) or not _RULE_ID.match(rule_id):
            raise _fail(source, where, "rule ids are lower_snake_case ASCII, up to 64 chars")
        if rule_id in RESERVED_RULE_IDS:
            raise _fail(source, where, "this id is reserved for scenario-level checks")
        if not isinstance(rule, Mapping):
            raise _fail(source, where, "must be a mapping")


def _check_repeats(data: Mapping[str, Any], source: str) -> None:
    """No list in one layer names the same word or phrase twice (compared as matched, after
    folding). A repeat is a slip that silently does something else: a phrase written twice
    with different settings keeps only the later one. An extending layer may still repeat
    what its parent has (that is how it changes a phrase)."""
    for path, items in _layer_lists(data):
        first_at: dict[str, int] = {}
        for i, item in enumerate(_as_list(items)):
            text = item.get("text") if isinstance(item, Mapping) else item
            if not isinstance(text, str):
                continue  # the field's own check says what is wrong with it
            key = fold_phrase(text)
            if not key.strip():
                continue  # empty: the field's own check says so
            if key in first_at:
                at = f"{path}[{i}]" + (".text" if isinstance(item, Mapping) else "")
                raise _fail(source, at, f"repeats {path}[{first_at[key]}] ({text!r})")
            first_at[key] = i


def _layer_lists(data: Mapping[str, Any]) -> list[tuple[str, Any]]:
    """Every list of words or phrases in a raw layer, with its path."""
    settings = data.get("settings", {})
    lists: list[tuple[str, Any]] = [
        (f"settings.{key}", settings.get(key)) for key in _SETTING_LISTS
    ]
    classes = data.get("classes", {})
    if isinstance(classes, Mapping):
        lists += [(f"classes.{name}", words) for name, words in classes.items()]
    for rule_id, rule in data.get("rules", {}).items():
        where = f"rules.{rule_id}"
        lists += [(f"{where}.{key}", rule.get(key)) for key in _LIST_KEYS if key != "pairs"]
        for i, phrase in enumerate(_as_list(rule.get("phrases"))):
            if isinstance(phrase, Mapping):
                lists.append((f"{where}.phrases[{i}].unless", phrase.get("unless")))
        for i, pair in enumerate(_as_list(rule.get("pairs"))):
            if isinstance(pair, Mapping):
                lists += [
                    (f"{where}.pairs[{i}].{half}", pair.get(half)) for half in ("first", "then")
                ]
    return lists


def _as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def _str(source: str, path: str, value: Any, *, allow_empty: bool = False) -> str:
    if not isinstance(value, str) or (not allow_empty and not value.strip()):
        raise _fail(source, path, "must be a non-empty string")
    return value


def _bool(source: str, path: str, value: Any) -> bool:
    if not isinstance(value, bool):
        raise _fail(source, path, "must be true or false")
    return value


def _int(source: str, path: str, value: Any, *, minimum: int, maximum: int = 10_000) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise _fail(source, path, "must be an integer")
    if not minimum <= value <= maximum:
        raise _fail(source, path, f"must be between {minimum} and {maximum}")
    return value


def _choice(source: str, path: str, value: Any, choices: tuple[str, ...]) -> str:
    if value not in choices:
        raise _fail(source, path, f"must be one of {', '.join(choices)}")
    return str(value)


def _list(source: str, path: str, value: Any) -> list[Any]:
    if not isinstance(value, list):
        raise _fail(source, path, "must be a list")
    return value


def _phrase(source: str, path: str, value: Any) -> str:
    text = _str(source, path, value)
    if not fold_phrase(text).strip():
        raise _fail(source, path, "is empty once normalised")
    return text


def _phrases(source: str, path: str, value: Any) -> tuple[str, ...]:
    out: list[str] = []
    for i, item in enumerate(_list(source, path, value)):
        text = _phrase(source, f"{path}[{i}]", item)
        if text not in out:
            out.append(text)
    return tuple(out)


def _str_map(source: str, path: str, value: Any) -> dict[str, str]:
    if not isinstance(value, Mapping):
        raise _fail(source, path, "must be a mapping")
    return {_str(source, f"{path}", k): _str(source, f"{path}.{k}", v) for k, v in value.items()}


def _phrase_spec(
    source: str, path: str, value: Any, classes: Mapping[str, tuple[str, ...]]
) -> PhraseSpec:
    if isinstance(value, str):
        return PhraseSpec(_phrase(source, path, value))
    if not isinstance(value, Mapping):
        raise _fail(source, path, "must be a string or a mapping with 'text'")
    allowed = ("text", "suggestion", "clause_final", "softenable", "unless", "unless_window")
    for key in value:
        if key not in allowed:
            raise _fail(source, f"{path}.{key}", f"unknown key (allowed: {', '.join(allowed)})")
    if "text" not in value:
        raise _fail(source, f"{path}.text", "is required")
    unless_written, unless = _class_list(source, f"{path}.unless", value.get("unless", []), classes)
    return PhraseSpec(
        text=_phrase(source, f"{path}.text", value["text"]),
        suggestion=(
            _str(source, f"{path}.suggestion", value["suggestion"])
            if value.get("suggestion") is not None
            else None
        ),
        clause_final=_bool(source, f"{path}.clause_final", value.get("clause_final", False)),
        softenable=_bool(source, f"{path}.softenable", value.get("softenable", False)),
        unless=unless,
        unless_window=_int(
            source, f"{path}.unless_window", value.get("unless_window", 6), minimum=0, maximum=50
        ),
        unless_written=unless_written,
    )


def _class_list(
    source: str, path: str, value: Any, classes: Mapping[str, tuple[str, ...]]
) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """A pair half as written (class names kept) and expanded (each class's words in place)."""
    written: list[str] = []
    expanded: list[str] = []
    for i, item in enumerate(_list(source, path, value)):
        text = _phrase(source, f"{path}[{i}]", item)
        if text in written:
            continue
        written.append(text)
        if text.startswith(_CLASS_REF):
            name = text[len(_CLASS_REF) :]
            if name not in classes:
                known = ", ".join(sorted(classes)) or "none"
                raise _fail(source, f"{path}[{i}]", f"unknown word class {text} (defined: {known})")
            words = classes[name]
        else:
            words = (text,)
        expanded.extend(w for w in words if w not in expanded)
    return tuple(written), tuple(expanded)


def _pair_spec(
    source: str, path: str, value: Any, classes: Mapping[str, tuple[str, ...]]
) -> PairSpec:
    if not isinstance(value, Mapping):
        raise _fail(source, path, "must be a mapping with 'first' and 'then'")
    allowed = ("first", "then", "window", "scope", "order", "suggestion")
    for key in value:
        if key not in allowed:
            raise _fail(source, f"{path}.{key}", f"unknown key (allowed: {', '.join(allowed)})")
    for key in ("first", "then"):
        if key not in value:
            raise _fail(source, f"{path}.{key}", "is required")
    first_written, first = _class_list(source, f"{path}.first", value["first"], classes)
    then_written, then = _class_list(source, f"{path}.then", value["then"], classes)
    if not first or not then:
        raise _fail(source, path, "'first' and 'then' need at least one phrase each")
    return PairSpec(
        first=first,
        then=then,
        first_written=first_written,
        then_written=then_written,
        window=_int(source, f"{path}.window", value.get("window", 12), minimum=0, maximum=200),
        scope=_choice(
            source, f"{path}.scope", value.get("scope", "clause"), ("clause", "sentence", "reply")
        ),
        order=_choice(source, f"{path}.order", value.get("order", "ordered"), ("ordered", "any")),
        suggestion=(
            _str(source, f"{path}.suggestion", value["suggestion"])
            if value.get("suggestion") is not None
            else None
        ),
    )


def _phrase_to_dict(phrase: PhraseSpec) -> dict[str, Any]:
    return {
        "text": phrase.text,
        "suggestion": phrase.suggestion,
        "clause_final": phrase.clause_final,
        "softenable": phrase.softenable,
        "unless": list(phrase.unless_written or phrase.unless),
        "unless_window": phrase.unless_window,
    }


def _pair_to_dict(pair: PairSpec) -> dict[str, Any]:
    return {
        "first": list(pair.first_written or pair.first),
        "then": list(pair.then_written or pair.then),
        "window": pair.window,
        "scope": pair.scope,
        "order": pair.order,
        "suggestion": pair.suggestion,
    }


# ----------------------------------------------------------------------- building


def _build(layer: Mapping[str, Any], source: str, *, versions: tuple[str, ...]) -> Rulepack:
    name = layer.get("name") or Path(source).stem
    version = layer["version"]
    settings_raw = layer.get("settings", {})
    settings = Settings(
        negation_window=_int(
            source, "settings.negation_window", settings_raw.get("negation_window", 10), minimum=0
        ),
        caution_window=_int(
            source, "settings.caution_window", settings_raw.get("caution_window", 12), minimum=0
        ),
        **{
            key: _phrases(source, f"settings.{key}", settings_raw.get(key, []))
            for key in _SETTING_LISTS
        },
    )
    classes = _classes(source, layer.get("classes", {}))
    rules = tuple(
        _rule(source, rule_id, raw, classes) for rule_id, raw in layer.get("rules", {}).items()
    )
    return Rulepack(
        name=name,
        version=version,
        versions=(*versions, f"{name} {version}"),
        settings=settings,
        rules=rules,
        source=source,
        classes=classes,
        learned=_choice(source, "learned", layer.get("learned", "none"), _LEARNED),
    )


def _classes(source: str, raw: Any) -> dict[str, tuple[str, ...]]:
    if not isinstance(raw, Mapping):
        raise _fail(source, "classes", "must be a mapping of class name to a list of words")
    classes: dict[str, tuple[str, ...]] = {}
    for name, words in raw.items():
        if not isinstance(name, str) or not _CLASS_NAME.match(name):
            raise _fail(source, f"classes.{name}", "class names are lower_snake_case ASCII")
        classes[name] = _phrases(source, f"classes.{name}", words)
        if not classes[name]:
            raise _fail(source, f"classes.{name}", "needs at least one word")
    return classes


def _rule(
    source: str, rule_id: str, raw: Mapping[str, Any], classes: Mapping[str, tuple[str, ...]]
) -> RuleSpec:
    where = f"rules.{rule_id}"
    for key in ("kind", "severity", "suggestion"):
        if key not in raw:
            raise _fail(source, f"{where}.{key}", "is required for a new rule")
    kind = _choice(source, f"{where}.kind", raw["kind"], KINDS)
    allowed = _COMMON_KEYS + _KIND_KEYS[kind]
    for key in raw:
        if key not in allowed:
            raise _fail(
                source, f"{where}.{key}", f"not a setting of a {kind} rule ({', '.join(allowed)})"
            )
    common: dict[str, Any] = {
        "id": rule_id,
        "kind": kind,
        "severity": _choice(source, f"{where}.severity", raw["severity"], SEVERITIES),
        "suggestion": _str(source, f"{where}.suggestion", raw["suggestion"]),
        "enabled": _bool(source, f"{where}.enabled", raw.get("enabled", True)),
        "description": _str_map(source, f"{where}.description", raw.get("description", {})),
    }
    if kind == "pattern":
        return _pattern_rule(source, where, raw, common, classes)
    return _KIND_RULES[kind](source, where, raw, common)


def _terse_rule(
    source: str, where: str, raw: Mapping[str, Any], common: dict[str, Any]
) -> RuleSpec:
    suggestions = _str_map(source, f"{where}.suggestions", raw.get("suggestions", {}))
    return RuleSpec(
        **common,
        max_chars=_int(source, f"{where}.max_chars", raw.get("max_chars", 3), minimum=0),
        # Keyed by the folded content so that 「好」 and 「好！」 find the same wording.
        suggestions={fold_phrase(k): v for k, v in suggestions.items()},
    )


def _exclamation_rule(
    source: str, where: str, raw: Mapping[str, Any], common: dict[str, Any]
) -> RuleSpec:
    marks = _phrases(source, f"{where}.marks", raw.get("marks", ["!"]))
    for i, mark in enumerate(marks):
        if len(fold_phrase(mark)) != 1:
            raise _fail(source, f"{where}.marks[{i}]", "must be a single character")
    return RuleSpec(
        **common,
        max_run=_int(source, f"{where}.max_run", raw.get("max_run", 1), minimum=1),
        max_total=_int(source, f"{where}.max_total", raw.get("max_total", 2), minimum=1),
        marks=marks,
    )


def _presence_rule(
    source: str, where: str, raw: Mapping[str, Any], common: dict[str, Any]
) -> RuleSpec:
    positions = _list(source, f"{where}.positions", raw.get("positions", []))
    checked = tuple(
        _choice(source, f"{where}.positions[{i}]", p, POSITIONS) for i, p in enumerate(positions)
    )
    if not checked:
        raise _fail(source, f"{where}.positions", "needs at least one position")
    phrases = _phrases(source, f"{where}.phrases", raw.get("phrases", []))
    if not phrases:
        raise _fail(source, f"{where}.phrases", "needs at least one phrase")
    return RuleSpec(
        **common,
        positions=checked,
        anchor=_choice(source, f"{where}.anchor", raw.get("anchor", "start"), ("start", "end")),
        phrases=tuple(PhraseSpec(p) for p in phrases),
        exceptions=_phrases(source, f"{where}.exceptions", raw.get("exceptions", [])),
    )


def _pattern_rule(
    source: str,
    where: str,
    raw: Mapping[str, Any],
    common: dict[str, Any],
    classes: Mapping[str, tuple[str, ...]],
) -> RuleSpec:
    phrase_specs: dict[str, PhraseSpec] = {}
    for i, item in enumerate(_list(source, f"{where}.phrases", raw.get("phrases", []))):
        spec = _phrase_spec(source, f"{where}.phrases[{i}]", item, classes)
        # A later entry for the same phrase (as matched: 就別買了 is 就别买了) replaces the
        # earlier one: that is how an extending pack changes one phrase's suggestion.
        key = fold_phrase(spec.text)
        phrase_specs.pop(key, None)
        phrase_specs[key] = spec
    pairs = tuple(
        _pair_spec(source, f"{where}.pairs[{i}]", item, classes)
        for i, item in enumerate(_list(source, f"{where}.pairs", raw.get("pairs", [])))
    )
    if not phrase_specs and not pairs:
        raise _fail(source, where, "a pattern rule needs phrases or pairs")
    return RuleSpec(
        **common,
        phrases=tuple(phrase_specs.values()),
        pairs=pairs,
        exceptions=_phrases(source, f"{where}.exceptions", raw.get("exceptions", [])),
        negatable=_bool(source, f"{where}.negatable", raw.get("negatable", False)),
        negate=_choice(source, f"{where}.negate", raw.get("negate", "first"), ("first", "any")),
        skip_questions=_bool(source, f"{where}.skip_questions", raw.get("skip_questions", False)),
        skip_quoted=_bool(source, f"{where}.skip_quoted", raw.get("skip_quoted", False)),
        softeners=_phrases(source, f"{where}.softeners", raw.get("softeners", [])),
        negators=_phrases(source, f"{where}.negators", raw.get("negators", [])),
        cautions=_phrases(source, f"{where}.cautions", raw.get("cautions", [])),
    )


# One reader per kind in KINDS but pattern (which also reads the word classes): checks a
# rule's own settings and builds it on the common ones.
_KIND_RULES: dict[str, Callable[[str, str, Mapping[str, Any], dict[str, Any]], RuleSpec]] = {
    "terse": _terse_rule,
    "exclamation": _exclamation_rule,
    "presence": _presence_rule,
}


def _extend_classes(
    parent: Rulepack, layer: Mapping[str, Any], source: str
) -> dict[str, list[str]]:
    """The parent's word classes with the layer's words appended (new classes added)."""
    merged: dict[str, list[str]] = {k: list(v) for k, v in parent.classes.items()}
    layer_classes = layer.get("classes", {})
    if not isinstance(layer_classes, Mapping):
        raise _fail(source, "classes", "must be a mapping of class name to a list of words")
    for name, words in layer_classes.items():
        merged[name] = merged.get(name, []) + list(_list(source, f"classes.{name}", words))
    return merged


def _extend(parent: Rulepack, layer: Mapping[str, Any], source: str) -> Rulepack:
    """Apply an extending layer to an already-built pack."""
    merged_settings = parent.settings.to_dict()
    for key, value in layer.get("settings", {}).items():
        if key in _SETTING_LISTS:
            merged_settings[key] = merged_settings[key] + list(
                _list(source, f"settings.{key}", value)
            )
        else:
            merged_settings[key] = value
    merged_classes = _extend_classes(parent, layer, source)
    merged_rules: dict[str, dict[str, Any]] = {rule.id: _rule_to_raw(rule) for rule in parent.rules}
    for rule_id, raw in layer.get("rules", {}).items():
        if rule_id not in merged_rules:
            merged_rules[rule_id] = dict(raw)
            continue
        base = merged_rules[rule_id]
        if "kind" in raw and raw["kind"] != base["kind"]:
            raise _fail(
                source, f"rules.{rule_id}.kind", f"cannot change the kind of {base['kind']!r}"
            )
        for key, value in raw.items():
            if key in _LIST_KEYS:
                base[key] = list(base.get(key, [])) + list(
                    _list(source, f"rules.{rule_id}.{key}", value)
                )
            elif key in _MAP_KEYS:
                base[key] = {
                    **base.get(key, {}),
                    **_str_map(source, f"rules.{rule_id}.{key}", value),
                }
            else:
                base[key] = value
    combined = {
        "name": layer.get("name") or Path(source).stem,
        "version": layer["version"],
        "settings": merged_settings,
        "classes": merged_classes,
        "learned": layer.get("learned", parent.learned),
        "rules": merged_rules,
    }
    return _build(combined, source, versions=parent.versions)


def _rule_to_raw(rule: RuleSpec) -> dict[str, Any]:
    raw = rule.to_dict()
    if rule.kind == "terse":
        raw["suggestions"] = dict(rule.suggestions)
    return raw
