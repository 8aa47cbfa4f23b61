"""Panels other pages embed (the trainee home page) without importing the certification
app."""

from __future__ import annotations

from django import template

from certification.selectors.attempts import track_standing, tracks_published

register = template.Library()


@register.inclusion_tag("certification/_next_step_panel.html", takes_context=True)
def certification_next_step_panel(context) -> dict:
    """For each published track: the trainee's certificate, or the one thing to do next."""
    user = context["request"].user
    steps = []
    for track in tracks_published():
        standing = track_standing(user, track)
        module = next((m for m in standing.modules if not m.passed), None)
        steps.append(
            {
                "standing": standing,
                "done_modules": sum(1 for m in standing.modules if m.passed),
                "module": module,
            }
        )
    return {"steps": steps}
