"""What text a trainee may send (a reply, a quick phrase): checked before anything is
stored."""

from __future__ import annotations

import unicodedata

from django.utils.translation import gettext as _

MAX_REPLY_CHARS = 1000


def reply_text_problem(text) -> str:
    """Why ``text`` cannot be sent, or "" when it can."""
    if not isinstance(text, str) or not text.strip():
        return _("Type a reply before sending.")
    if len(text) > MAX_REPLY_CHARS:
        return _("A reply has at most %(n)d characters.") % {"n": MAX_REPLY_CHARS}
    if any(unicodedata.category(ch) == "Cc" and ch not in "\n\t" for ch in text):
        return _("The reply contains control characters.")
    return ""
