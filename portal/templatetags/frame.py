from django import template

from portal import page_frame

register = template.Library()


@register.simple_tag
def frame_head():
    """``{% frame_head %}``: the stylesheets and icon (portal.page_frame)."""
    return page_frame.head_assets()


@register.simple_tag(takes_context=True)
def frame_header(context):
    """``{% frame_header %}``: the navigation, kept per kind of visitor (portal.page_frame)."""
    return page_frame.header(context)


@register.simple_tag(takes_context=True)
def frame_footer(context):
    """``{% frame_footer %}``: the footer, kept per language, area and year (portal.page_frame)."""
    return page_frame.footer(context)


@register.simple_tag
def frame_scripts():
    """``{% frame_scripts %}``: the deferred scripts (portal.page_frame)."""
    return page_frame.scripts()
