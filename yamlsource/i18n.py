"""The language of yamlsource's messages (and of the validators built on it).

yamlsource imports no Django (an import contract: the pure scenario engine reads files
through it), yet its messages are read by trainers in the interface language. So the
messages are written in English and marked with ``gettext``/``ngettext``/``pgettext`` from
this module (Django's ``makemessages`` finds them by those names), and the host translates
them: the Django project installs its own functions at start-up
(``simulator.apps``), so each message is in the language active when it is made (the
request's, or a command's ``--language``). Without a host (a script on its own) they stay
English.
"""

from __future__ import annotations

from collections.abc import Callable


def _english(message: str) -> str:
    return message


def _english_plural(singular: str, plural: str, number: int) -> str:
    return singular if number == 1 else plural


def _english_in_context(context: str, message: str) -> str:
    return message


_translate: Callable[[str], str] = _english
_translate_plural: Callable[[str, str, int], str] = _english_plural
_translate_in_context: Callable[[str, str], str] = _english_in_context


def install(
    translate: Callable[[str], str],
    translate_plural: Callable[[str, str, int], str],
    translate_in_context: Callable[[str, str], str],
) -> None:
    """Translate every later message with these functions (Django's gettext, ngettext,
    pgettext)."""
    global _translate, _translate_plural, _translate_in_context
    _translate, _translate_plural = translate, translate_plural
    _translate_in_context = translate_in_context


def gettext(message: str) -> str:
    return _translate(message)


def ngettext(singular: str, plural: str, number: int) -> str:
    return _translate_plural(singular, plural, number)


def pgettext(context: str, message: str) -> str:
    """``message`` as meant in ``context``: a word ("text") that the interface already
    translates otherwise elsewhere."""
    return _translate_in_context(context, message)
