"""Exceptions the scoring package raises on bad input.

Both carry the dotted path of the offending field so that a CLI user, an API client or a
trainer editing a rule pack sees *where* the problem is, not just that there is one.
"""

from __future__ import annotations


class ScoringError(Exception):
    """Base class: every error the package raises on purpose derives from it."""


class ScoringInputError(ScoringError, ValueError):
    """A session, reply or typing-test input is malformed.

    ``field`` is a path such as ``messages[3].events[0].t`` (empty for the document itself);
    ``str(error)`` is ``"<field>: <message>"`` so it can be shown as is.
    """

    def __init__(self, field: str, message: str) -> None:
        self.field = field
        self.message = message
        super().__init__(f"{field}: {message}" if field else message)


class RulepackError(ScoringError, ValueError):
    """A rule-pack file cannot be read, parsed or validated.

    ``source`` names the file (or ``<dict>``), ``field`` the path inside it.
    """

    def __init__(self, source: str, field: str, message: str) -> None:
        self.source = source
        self.field = field
        self.message = message
        where = f"{source}: {field}" if field else source
        super().__init__(f"{where}: {message}")
