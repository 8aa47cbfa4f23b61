"""Names trainees read for compliance rule ids (the ids stay stable in stored reports)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

RULE_NAMES = {
    "terse_reply": _("Reply too short"),
    "negative_language": _("Negative or buck-passing wording"),
    "impolite_address": _("Impolite form of address"),
    "but_turn": _("“但是” as a turn"),
    "exclamation_overuse": _("Too many exclamation marks"),
    "absolute_promise": _("Promise that may not hold"),
    "medical_claim": _("Medical claim"),
    "credential_request": _("Asking for passwords or codes"),
    "off_platform": _("Leading the buyer off the platform"),
    "missing_greeting": _("No greeting"),
    "missing_closing": _("No thanks or farewell"),
    "forbidden_statement": _("Forbidden statement"),
    "required_point_missing": _("Required point not covered"),
}


def rule_name(rule_id: str) -> str:
    """A trainer's own rule (from a custom pack) has no name here: its id is shown."""
    return str(RULE_NAMES.get(rule_id, rule_id))
