"""Panels other pages embed (the trainee home page) without importing the role-play app."""

from __future__ import annotations

from django import template

from roleplay.selectors import practice_progress, practice_trends, trainee_weakest_rules

register = template.Library()


@register.inclusion_tag("roleplay/_practice_panel.html", takes_context=True)
def practice_progress_panel(context) -> dict:
    """The trainee's practice scores over time, a chart per dimension, and the rules they
    break most."""
    user = context["request"].user
    points = practice_progress(user)
    return {
        "points": points,
        "latest": points[-1] if points else None,
        "trends": practice_trends(points) if points else [],
        "weakest": trainee_weakest_rules(user),
    }
