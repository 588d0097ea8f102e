from django import template

from portal import pagination

register = template.Library()


@register.simple_tag(takes_context=True)
def page_links(context):
    """``{% page_links %}``: the links to the other pages of ``page_obj`` (portal.pagination)."""
    return pagination.page_links(context.request.GET, context["page_obj"], context["page_range"])
