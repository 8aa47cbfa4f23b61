"""How a field's place in a file is named for the people who wrote it.

Code names a place by its keys and list indices: ``("steps", "ask", "branches", 0,
"goto")``, or the older dotted text ``"steps.ask.branches[0].goto"`` the importers build.
A trainer counts list items from 1, so both are shown as ``steps.ask.branches #1 › goto``
(in Chinese ``steps.ask.branches 第 1 项的 goto``): the label is made once, when the error is
recorded, in the language active then.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from yamlsource.i18n import gettext as _

FieldPath = tuple[str | int, ...]

_INDICES = re.compile(r"\[(\d+)\]")
_PIECE = re.compile(r"(.*?)((?:\[\d+\])*)", re.DOTALL)


def _is_index(part: object) -> bool:
    return isinstance(part, int) and not isinstance(part, bool)


def parse_path(text: str) -> FieldPath:
    """The keys and indices of a dotted path with 0-based ``[i]`` (``products[1].price``).

    A label made by ``field_label`` has no brackets, so it parses to itself."""
    parts: list[str | int] = []
    for piece in text.split("."):
        name, indices = _PIECE.fullmatch(piece).groups()
        if name:
            parts.append(name)
        parts.extend(int(number) for number in _INDICES.findall(indices))
    return tuple(parts)


def as_path(path: str | Sequence[str | int] | None) -> FieldPath:
    if path is None:
        return ()
    if isinstance(path, str):
        return parse_path(path)
    return tuple(path)


def item_label(container: str, index: int) -> str:
    """The ``index``-th (0-based) item of a list, counted from 1: ``branches #1``."""
    return (_("%(field)s #%(number)d") % {"field": container, "number": index + 1}).strip()


def field_label(path: str | Sequence[str | int] | None) -> str:
    """``steps.ask.branches #1 › when.intent``: keys joined by dots, items counted from 1."""
    label = ""
    after_item = False
    for part in as_path(path):
        if _is_index(part):
            label = item_label(label, part)
            after_item = True
        elif not label:
            label = str(part)
        elif after_item:
            label = _("%(item)s › %(field)s") % {"item": label, "field": part}
            after_item = False
        else:
            label = f"{label}.{part}"
    return label


def subject(path: str | Sequence[str | int] | None) -> str:
    """What a message calls the field: its own key (``patience_s``), or for a list item the
    list and the item's number (``buyer #2``)."""
    parts = as_path(path)
    if not parts:
        return ""
    if _is_index(parts[-1]):
        return field_label(parts[-2:]) if len(parts) > 1 else field_label(parts)
    return str(parts[-1])
