"""How each dimension of a report was computed, in the interface language, with its numbers.

The scoring package's report carries the inputs of every dimension (machine-readable, in
English); a trainee reads the sentence this module makes of them: "12 次等待中 10 次在目标内…".
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import ngettext, pgettext

__all__ = ["ANOMALY_TEXTS", "dimension_labels", "explain_dimensions"]


def dimension_labels() -> dict[str, str]:
    """The five dimensions' names as the report shows them."""
    return {
        "response": _("Response time"),
        "typing": _("Typing speed"),
        "compliance": _("Language and rules"),
        "outcome": _("Outcome"),
        "required_points": _("Required points"),
    }


# The typing anomalies the scoring package reports, said for a trainee.
ANOMALY_TEXTS: Mapping[str, Callable[[], str]] = {
    "text_without_events": lambda: _("text arrived with no typing recorded for it"),
    "implausibly_fast": lambda: _("typed faster than any person types"),
    "sustained_superhuman": lambda: _(
        "the whole session was typed faster than the fastest recorded typists"
    ),
}


def _num(value: Any) -> str:
    """A figure as shown: 88.9, 100 (not 100.0)."""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _response(dim: Mapping[str, Any], data: Mapping[str, Any]) -> str:
    details = data.get("response", {}).get("details", [])
    answered = [w for w in details if "wait_s" in w]
    within = sum(1 for w in answered if w["wait_s"] <= w["target_s"])
    over = sum(1 for w in answered if w["wait_s"] > w["limit_s"])
    late = len(answered) - within - over
    unanswered = len(details) - len(answered)
    text = ngettext(
        "%(n)d wait: %(within)d within the target, %(late)d between the target and the limit, "
        "%(over)d over the limit",
        "%(n)d waits: %(within)d within the target, %(late)d between the target and the limit, "
        "%(over)d over the limit",
        len(details),
    ) % {"n": len(details), "within": within, "late": late, "over": over}
    if unanswered:
        text += ngettext(
            ", %(n)d never answered (scores %(score)s)",
            ", %(n)d never answered (each scores %(score)s)",
            unanswered,
        ) % {"n": unanswered, "score": _num(dim["inputs"].get("unanswered_score", 0))}
    scores = " + ".join(_num(s) for s in dim["inputs"].get("wait_scores", []))
    return text + _(
        ". Each wait scores by its band; the mean is (%(scores)s) ÷ %(n)d = %(score)s."
    ) % {"scores": scores, "n": len(details), "score": _num(dim["score"])}


def _typing(dim: Mapping[str, Any], data: Mapping[str, Any]) -> str:
    typing = data.get("typing", {})
    inputs = dim["inputs"]
    text = _(
        "%(typed)s characters typed in %(seconds)s s of composing: %(cpm)s characters a minute"
    ) % {
        "typed": typing.get("typed_chars"),
        "seconds": _num(typing.get("compose_s")),
        "cpm": _num(inputs["cpm"]),
    }
    if inputs["cpm"] >= inputs["required_cpm"]:
        text += _("; %(required)s or more scores 100.") % {"required": _num(inputs["required_cpm"])}
    else:
        text += _("; below %(required)s it scores %(cpm)s ÷ %(required)s × 100 = %(score)s.") % {
            "required": _num(inputs["required_cpm"]),
            "cpm": _num(inputs["cpm"]),
            "score": _num(dim["score"]),
        }
    return text + _anomaly_note(typing)


def _anomaly_note(typing: Mapping[str, Any]) -> str:
    anomalies = typing.get("anomalies", [])
    if not anomalies:
        return ""
    replies = [a for a in anomalies if a.get("message") is not None]
    note = ""
    if replies:
        note = " " + ngettext(
            "%(n)d reply left out (input anomaly).",
            "%(n)d replies left out (input anomaly).",
            len(replies),
        ) % {"n": len(replies)}
    return note


def _typing_excluded(dim: Mapping[str, Any], data: Mapping[str, Any]) -> str:
    anomalies = data.get("typing", {}).get("anomalies", [])
    if anomalies:
        kinds = dict.fromkeys(a["anomaly"] for a in anomalies)
        what = "; ".join(str(ANOMALY_TEXTS[k]()) for k in kinds if k in ANOMALY_TEXTS)
        return _("Not scored: input anomaly (%(what)s). It is left out, not counted as 100.") % {
            "what": what
        }
    if data.get("typing", {}).get("pasted_chars"):
        return _("Not scored: nothing was typed (every reply was pasted or a quick phrase).")
    return _("Not scored: no reply was typed.")


def _compliance(dim: Mapping[str, Any], data: Mapping[str, Any]) -> str:
    inputs = dim["inputs"]
    counts, penalties = inputs["counts"], inputs["penalties"]
    if not any(counts.values()):
        return _("No rule broken: 100.")
    parts = [
        _("%(n)s %(severity)s × %(points)s")
        % {"n": counts[s], "severity": _severity(s), "points": _num(penalties[s])}
        for s in ("minor", "major", "fatal")
        if counts.get(s)
    ]
    text = _("%(parts)s: 100 − %(deductions)s = %(score)s") % {
        "parts": pgettext("list separator", ", ").join(parts),
        "deductions": _num(inputs["deductions"]),
        "score": _num(max(0.0, 100.0 - inputs["deductions"])),
    }
    if counts.get("fatal"):
        text += _("; a fatal breach caps it at %(cap)s") % {"cap": _num(inputs["fatal_cap"])}
    return text + _(" → %(score)s.") % {"score": _num(dim["score"])}


def _severity(severity: str) -> str:
    return {"minor": _("minor"), "major": _("major"), "fatal": _("fatal")}[severity]


def _outcome(dim: Mapping[str, Any], data: Mapping[str, Any]) -> str:
    return _("The conversation ended “%(label)s”, which scores %(score)s.") % {
        "label": dim["inputs"].get("label", ""),
        "score": _num(dim["score"]),
    }


def _points(dim: Mapping[str, Any], data: Mapping[str, Any]) -> str:
    inputs = dim["inputs"]
    return _(
        "%(covered)s of %(total)s required points covered: %(covered)s ÷ %(total)s × 100 = "
        "%(score)s."
    ) % {
        "covered": inputs["covered"],
        "total": inputs["total"],
        "score": _num(dim["score"]),
    }


_INCLUDED: Mapping[str, Callable[[Mapping[str, Any], Mapping[str, Any]], str]] = {
    "response": _response,
    "typing": _typing,
    "compliance": _compliance,
    "outcome": _outcome,
    "required_points": _points,
}


def _excluded(name: str, dim: Mapping[str, Any], data: Mapping[str, Any]) -> str:
    if dim.get("score") is not None and not dim.get("weight"):
        return _("Not counted in this scenario (weight 0).")
    if name == "typing":
        return _typing_excluded(dim, data)
    return {
        "response": _("Not scored: the buyer never wrote."),
        "compliance": _("Not scored: no reply to check."),
        "outcome": _("Not scored: the conversation has no outcome."),
        "required_points": _("Not scored: the scenario lists no required points."),
    }[name]


def explain_dimensions(data: Mapping[str, Any]) -> dict[str, str]:
    """One sentence per dimension of a scoring report's data, in the active language."""
    out: dict[str, str] = {}
    for name, dim in data.get("dimensions", {}).items():
        try:
            if dim.get("score") is None or not dim.get("included", True):
                out[name] = _excluded(name, dim, data)
            else:
                out[name] = _INCLUDED[name](dim, data)
        except (KeyError, TypeError, ValueError, ZeroDivisionError):
            # A report stored in an older or partial shape: say what it says, never fail.
            out[name] = dim.get("reason") or (dim.get("inputs") or {}).get("formula") or "—"
    return out
