"""YAML syntax errors in words a trainer understands, at the line at fault.

PyYAML says "mapping values are not allowed here" or "did not find expected key", often a
line or more after the slip that caused it (a colon without a space makes the next line's
key an error; an unclosed quote is found at the end of the file). The common slips of
people writing YAML by hand are recognised from the parser's problem, its context and the
text of the lines around it, and each is told plainly at the line where it was made:
indentation, tabs, unclosed quotes and brackets, a colon without a space (or a Chinese
colon), a value that needs quotes. Anything else keeps PyYAML's own place with a general
hint. The loader (libyaml) and pure-Python PyYAML word their problems differently; both
are recognised.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import yaml

from yamlsource.i18n import gettext as _

# Line breaks as the YAML scanner counts them.
LINE_BREAK = re.compile("\r\n|[\r\n\x85\u2028\u2029]")
# `key:value`: a colon glued to what follows (a URL's `://` and a time's `10:30` are fine).
_GLUED_COLON = re.compile(r"^\s*(?:-\s+)?[^\s#:'\"{}\[\],][^:#]*?:(?=[^\s/:\d])")
# A Chinese (full-width) colon where YAML needs `: `.
_WIDE_COLON = "："
_WORD = re.compile(r"[^\s\"'{}\[\],#]")


@dataclass(frozen=True)
class Slip:
    """Where the slip is (1-based line and column) and what to tell the author."""

    line: int
    column: int
    message: str


def mark_inside(mark, lines: list[str]) -> tuple[int, int]:
    """The 1-based line and column of a parser's mark in a text split into ``lines``.
    libyaml ends a text that lacks a final line break on a line of its own (it forces one),
    so a problem found at the end is placed past the last line; it belongs at the end of
    that line."""
    if mark is None:
        return 1, 1
    if mark.line < len(lines):
        return mark.line + 1, mark.column + 1
    return len(lines), len(lines[-1]) + 1


class _Text:
    def __init__(self, text: str) -> None:
        self.lines = LINE_BREAK.split(text)

    def line(self, number: int) -> str:
        """Line ``number`` (1-based); empty past the end."""
        return self.lines[number - 1] if 1 <= number <= len(self.lines) else ""

    def inside(self, mark) -> tuple[int, int]:
        return mark_inside(mark, self.lines)

    def char(self, line: int, column: int) -> str:
        text = self.line(line)
        return text[column - 1] if 1 <= column <= len(text) else ""

    def previous_content_line(self, number: int) -> int | None:
        """The nearest line above ``number`` with something on it besides a comment."""
        for candidate in range(number - 1, 0, -1):
            stripped = self.line(candidate).strip()
            if stripped and not stripped.startswith("#"):
                return candidate
        return None


def _indent_end(line: str) -> int:
    """The 1-based column of a line's first character that is not a space or tab."""
    return len(line) - len(line.lstrip(" \t")) + 1


def _tab(text: _Text, line: int) -> Slip | None:
    """A tab in the line's indentation (YAML indents with spaces only)."""
    leading = text.line(line)[: _indent_end(text.line(line)) - 1]
    if "\t" not in leading:
        return None
    return Slip(
        line,
        leading.index("\t") + 1,
        _(
            "line %(line)d: a tab character is not allowed for indentation; "
            "indent with spaces (the same number for fields of the same level)"
        )
        % {"line": line},
    )


def _colon_slip(text: _Text, line: int) -> Slip | None:
    """A Chinese colon, or a colon with no space after it, on ``line``."""
    content = text.line(line)
    wide = content.find(_WIDE_COLON)
    glued = _GLUED_COLON.match(content)
    if wide >= 0 and (glued is None or wide < glued.end()):
        return Slip(
            line,
            wide + 1,
            _(
                "line %(line)d: “：” is a Chinese colon; YAML needs an English colon and a "
                "space, as in “name: value”"
            )
            % {"line": line},
        )
    if glued is not None:
        key = content[: glued.end()].strip().lstrip("-").strip()
        value = content[glued.end() :].split(" #")[0].strip()[:30]
        return Slip(
            line,
            glued.end(),
            _("line %(line)d: put a space after the colon, as in “%(key)s %(value)s”")
            % {"line": line, "key": key, "value": value},
        )
    return None


def _indentation(line: int, column: int, *, list_item: bool = False) -> Slip:
    if list_item:
        message = _(
            "line %(line)d: the indentation is wrong: the items of one list (“- ”) must be "
            "aligned on the left, under their field"
        )
    else:
        message = _(
            "line %(line)d: the indentation is wrong: fields of the same level must be "
            "aligned on the left"
        )
    return Slip(line, column, message % {"line": line})


def _unclosed_quote(text: _Text, line: int, column: int) -> Slip:
    quote = text.char(line, column) or '"'
    return Slip(
        line,
        column,
        _("line %(line)d: the quote %(quote)s is never closed; end the value with %(quote)s")
        % {"line": line, "quote": quote},
    )


def _unclosed_bracket(text: _Text, line: int, column: int) -> Slip:
    opening = text.char(line, column) or "["
    closing = {"[": "]", "{": "}"}.get(opening, "]")
    return Slip(
        line,
        column,
        _(
            "line %(line)d: the %(opening)s is never closed with %(closing)s; a list or "
            "mapping written on one line ends with %(closing)s and separates its items with "
            "commas"
        )
        % {"line": line, "opening": opening, "closing": closing},
    )


def _needs_quotes(line: int, column: int, char: str) -> Slip:
    return Slip(
        line,
        column,
        _("line %(line)d: a value cannot start with %(char)s; put the whole value in quotes")
        % {"line": line, "char": char},
    )


def _mapping_value_slip(text: _Text, line: int, column: int) -> Slip:
    """PyYAML found `: ` where no key may start: a value holding ": ", a line indented
    deeper than the field above it, or a colon slip on the line above (the two lines were
    read as one value)."""
    content = text.line(line)
    before = content[: column - 1]
    start = _indent_end(content)
    if ": " in before[start - 1 :] or before.rstrip().endswith(":"):
        return Slip(
            line,
            column,
            _("line %(line)d: the value holds “: ”; put the whole value in quotes")
            % {"line": line},
        )
    above = text.previous_content_line(line)
    if above is not None:
        slip = _colon_slip(text, above)
        if slip is not None:
            return slip
        words = text.line(above)
        if ":" not in words and _indent_end(words) == start and words.strip()[0] not in "-[{":
            # A name alone on the line above, read with this line as one key.
            return _missing_colon(text, above)
    return _indentation(line, start)


def _block_slip(text: _Text, line: int, column: int) -> Slip:
    """The parser expected another key (or list item) of the block it was in."""
    content = text.line(line)
    start = _indent_end(content)
    if column > start:
        before = content[: column - 1].rstrip()
        if before.endswith(("'", '"')):
            opened = _opened_above(text, line, before)
            if opened is not None:
                return _unclosed_quote(text, *opened)
            return Slip(
                line,
                column,
                _(
                    "line %(line)d: there is text after the closing quote; put the whole "
                    "value inside the quotes"
                )
                % {"line": line},
            )
        return _general(line, column)
    list_item = content[start - 1 : start + 1] in ("- ", "-")
    return _indentation(line, start, list_item=list_item)


def _opened_above(text: _Text, line: int, before: str) -> tuple[int, int] | None:
    """Where the quoted text that ``before`` closes was opened, when that was on a line
    above (an odd number of its quotes on this line): a quote left open there ran on."""
    quote = before[-1]
    if before.count(quote) % 2 == 0:
        return None
    for candidate in range(line - 1, 0, -1):
        content = text.line(candidate)
        if content.count(quote) % 2 == 1:
            return candidate, content.rindex(quote) + 1
    return None


def _open_bracket(text: _Text, line: int, column: int) -> tuple[int, int] | None:
    """The last [ or { before ``line``:``column`` that no ] or } closes (quotes and
    comments skipped), as (line, column); None when all are closed."""
    opened: list[tuple[int, int]] = []
    for number in range(1, line + 1):
        content = text.line(number)
        end = column - 1 if number == line else len(content)
        quote = ""
        for index, char in enumerate(content[:end]):
            if quote:
                quote = "" if char == quote else quote
            elif char in "\"'" and (index == 0 or content[index - 1] in " [{,:"):
                quote = char
            elif char == "#" and (index == 0 or content[index - 1] in " \t"):
                break
            elif char in "[{":
                opened.append((number, index + 1))
            elif char in "]}" and opened:
                opened.pop()
    return opened[-1] if opened else None


def _general(line: int, column: int) -> Slip:
    return Slip(
        line,
        column,
        _(
            "line %(line)d: this is not valid YAML; check the indentation, the colons "
            "(“name: value”) and the quotes on this line and the one above"
        )
        % {"line": line},
    )


def _words(exc: yaml.MarkedYAMLError) -> tuple[str, str]:
    return (exc.problem or "").lower(), (exc.context or "").lower()


def explain(exc: yaml.MarkedYAMLError, source: str) -> Slip:  # noqa: C901 - one rule per slip, read top to bottom
    """The slip behind a syntax error PyYAML raised on ``source``, at the line at fault."""
    text = _Text(source)
    mark = exc.problem_mark or exc.context_mark
    line, column = text.inside(mark)
    context = text.inside(exc.context_mark) if exc.context_mark is not None else None
    problem, where = _words(exc)

    if "quoted scalar" in where and context is not None and "escape" not in problem:
        return _unclosed_quote(text, *context)  # (a tab inside the quoted text is fine)
    tab = _tab(text, line)
    if tab is not None or text.char(line, column) == "\t":
        return tab or _tab_inside(line, column)
    if ("flow sequence" in where or "flow mapping" in where) and context is not None:
        return _unclosed_bracket(text, *context)
    if "flow" in where or (context is not None and text.char(*context) in ("[", "{")):
        opened = _open_bracket(text, line, column)
        if opened is not None:
            return _unclosed_bracket(text, *opened)
    if "simple key" in where and context is not None:
        key_line = context[0]
        return _colon_slip(text, key_line) or _missing_colon(text, key_line)
    if "mapping values are not allowed" in problem:
        return _mapping_value_slip(text, line, column)
    if "block sequence entries are not allowed" in problem:
        return Slip(
            line,
            column,
            _(
                "line %(line)d: a list item (“- ”) cannot follow a colon on the same line; "
                "start it on a new line, indented under its field"
            )
            % {"line": line},
        )
    if "escape" in problem:
        return Slip(
            line,
            column,
            _(
                "line %(line)d: a backslash (\\) in double quotes starts an escape; write \\\\ "
                "or use single quotes"
            )
            % {"line": line},
        )
    if "alias" in where or "anchor" in where:
        char = "*" if "alias" in where else "&"
        return _needs_quotes(line, context[1] if context else column, char)
    if "cannot start any token" in problem:
        return _needs_quotes(line, column, text.char(line, column) or "?")
    if "block mapping" in where or "block collection" in where or "document start" in problem:
        return _block_slip(text, line, column)
    if "node content" in problem:
        char = text.char(line, column)
        if char and _WORD.match(char) is None and char not in "\"'":
            return _needs_quotes(line, column, char)
    return _general(line, column)


def _tab_inside(line: int, column: int) -> Slip:
    return Slip(
        line,
        column,
        _("line %(line)d: a tab character is not allowed here; use spaces") % {"line": line},
    )


def _missing_colon(text: _Text, line: int) -> Slip:
    return Slip(
        line,
        _indent_end(text.line(line)),
        _(
            "line %(line)d: a field needs a colon and a space after its name, as in "
            "“name: value” (a long text goes in quotes)"
        )
        % {"line": line},
    )
