from django import template

from portal.languages import in_active_language

register = template.Library()


@register.filter
def in_language(obj, field: str) -> str:
    """``{{ facility|in_language:"description" }}``: the text in the reader's language, else German."""
    return in_active_language(obj, field)
