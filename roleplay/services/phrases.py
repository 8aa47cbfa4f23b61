"""The trainee's quick phrases (快捷短语) for the workbench."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from roleplay.models import QuickPhrase
from roleplay.reply_text import reply_text_problem

MAX_QUICK_PHRASES = 30


@transaction.atomic
def quick_phrases_save(*, trainee, phrases: list) -> list[str]:
    """Replace the trainee's quick phrases (all or none)."""
    if not isinstance(phrases, list) or len(phrases) > MAX_QUICK_PHRASES:
        raise ValidationError(_("At most %(n)d quick phrases.") % {"n": MAX_QUICK_PHRASES})
    cleaned = []
    for index, phrase in enumerate(phrases):
        problem = reply_text_problem(phrase)
        if problem or len(phrase) > 300:
            raise ValidationError(
                _("Phrase %(n)d: %(problem)s")
                % {"n": index + 1, "problem": problem or _("too long")}
            )
        cleaned.append(phrase.strip())
    QuickPhrase.objects.filter(trainee=trainee).delete()
    QuickPhrase.objects.bulk_create(
        QuickPhrase(trainee=trainee, text=text, position=n) for n, text in enumerate(cleaned)
    )
    return cleaned
