from django import template
from django.utils.safestring import mark_safe

from courses.rendering import markdown_to_html

register = template.Library()


@register.filter(name="lesson_markdown")
def lesson_markdown(text: str) -> str:
    return mark_safe(markdown_to_html(text or ""))  # noqa: S308 - sanitised by nh3
