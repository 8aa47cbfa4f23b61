"""YAML files with positions: every mapping, list and value knows its line and column.

Authors edit courses, catalogues and scenarios as YAML; when a value is wrong the error must
point at the place in the file, in words they understand and in their language. Pure Python
(no Django; the host installs its translations: ``yamlsource.i18n``), used by the importers.

    document = load_file(path)              # raises SourceErrors on syntax errors
    document.position("title")              # Position(file, line, column)
    errors = SourceErrors(); errors.add(document, "title", "must not be empty")
    str(errors)                             # FILE:LINE:COLUMN: field: message, one a line
"""

from yamlsource.errors import Position, SourceError, SourceErrors
from yamlsource.fieldpath import field_label
from yamlsource.loader import (
    MAX_FILE_BYTES,
    LocatedDict,
    LocatedList,
    cannot_read_message,
    load_file,
    load_text,
    not_utf8_message,
    too_large_message,
)

__all__ = [
    "MAX_FILE_BYTES",
    "LocatedDict",
    "LocatedList",
    "Position",
    "SourceError",
    "SourceErrors",
    "cannot_read_message",
    "field_label",
    "load_file",
    "load_text",
    "not_utf8_message",
    "too_large_message",
]
