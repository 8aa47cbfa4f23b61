"""YAML files with positions: every mapping, list and value knows its line and column.

Authors edit courses, catalogues and scenarios as YAML; when a value is wrong the error must
point at the place in the file. Pure Python (no Django), used by the importers.

    document = load_file(path)              # raises SourceErrors on syntax errors
    document.position("title")              # Position(file, line, column)
    errors = SourceErrors(); errors.add(document, "title", "must not be empty")
"""

from yamlsource.errors import Position, SourceError, SourceErrors
from yamlsource.loader import MAX_FILE_BYTES, LocatedDict, LocatedList, load_file, load_text

__all__ = [
    "MAX_FILE_BYTES",
    "LocatedDict",
    "LocatedList",
    "Position",
    "SourceError",
    "SourceErrors",
    "load_file",
    "load_text",
]
