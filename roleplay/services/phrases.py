"""The trainee's quick phrases (快捷短语) for the workbench."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from roleplay.models import QuickPhrase
from roleplay.reply_text import reply_text_problem

MAX_QUICK_PHRASES = 30


MAX_GROUP_CHARS = 20


@transaction.atomic
def quick_phrases_save(
    *, trainee, phrases: list, groups: list | None = None
) -> tuple[list[str], list[str]]:
    """Replace the trainee's quick phrases (all or none). ``groups`` names each phrase's
    heading, by position ("" for none); without it no phrase has one."""
    if not isinstance(phrases, list) or len(phrases) > MAX_QUICK_PHRASES:
        raise ValidationError(_("At most %(n)d quick phrases.") % {"n": MAX_QUICK_PHRASES})
    if groups is None:
        groups = [""] * len(phrases)
    if not isinstance(groups, list) or len(groups) != len(phrases):
        raise ValidationError(_("Give one group for each phrase (an empty one for none)."))
    cleaned, headings = [], []
    for index, (phrase, group) in enumerate(zip(phrases, groups, strict=True)):
        problem = reply_text_problem(phrase)
        if problem or len(phrase) > 300:
            raise ValidationError(
                _("Phrase %(n)d: %(problem)s")
                % {"n": index + 1, "problem": problem or _("too long")}
            )
        group = group.strip() if isinstance(group, str) else None
        if group is None or len(group) > MAX_GROUP_CHARS or not group.isprintable():
            raise ValidationError(
                _("Phrase %(n)d: a group name is text of at most %(max)d characters.")
                % {"n": index + 1, "max": MAX_GROUP_CHARS}
            )
        cleaned.append(phrase.strip())
        headings.append(group)
    QuickPhrase.objects.filter(trainee=trainee).delete()
    QuickPhrase.objects.bulk_create(
        QuickPhrase(trainee=trainee, text=text, group=group, position=n)
        for n, (text, group) in enumerate(zip(cleaned, headings, strict=True))
    )
    return cleaned, headings
