"""Panels other pages embed (the trainee home page) without importing the courses app."""

from django import template

from courses.selectors import course_progress, courses_active, next_step

register = template.Library()


@register.inclusion_tag("courses/_progress_panel.html", takes_context=True)
def course_progress_panel(context) -> dict:
    user = context["request"].user
    courses = [
        {
            "course": course,
            "modules": course_progress(user, course),
            "next": next_step(user, course),
        }
        for course in courses_active()
    ]
    return {"courses": courses}
