from django import template

from roleplay.rule_names import rule_name

register = template.Library()
register.filter("rule_name", rule_name)
