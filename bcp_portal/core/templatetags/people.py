"""`{% load people %}`: `{{ user|display_name }}`, the same name the Python code shows."""

from typing import Any

from django import template

from bcp_portal.core import people

register = template.Library()


@register.filter
def display_name(user: Any, default: str = "") -> str:
    """The person's full name, else their username; `default` (or "") for nobody."""
    return people.display_name(user or None, default)
