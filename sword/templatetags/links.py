"""`{% fixed_url "home" %}`: the address of a page that takes no arguments, reversed once.

The base layout links to the same few pages on every page view. Django's `{% url %}` reverses
each of them on every render, which was a tenth of the cost of drawing a survey page; these
addresses never change while the process runs, so each tag keeps the one it reversed.

That rests on an assumption Django does not promise: that a name without arguments reverses to
one address for a given script prefix and URLconf (it would not under `i18n_patterns`, or with
instance namespaces). `SPEEDUP_FIXED_LINKS = False` makes every tag Django's own `{% url %}`.
"""

from __future__ import annotations

from django import template
from django.conf import settings
from django.template.base import Parser, Token
from django.template.context import Context
from django.template.defaulttags import url
from django.urls import get_script_prefix, get_urlconf, reverse
from django.utils.html import conditional_escape

register = template.Library()


class FixedUrlNode(template.Node):
    def __init__(self, view_name: str, url_node: template.Node) -> None:
        self.view_name = view_name
        self.url_node = url_node
        self.reversed: dict[tuple[str, str], str] = {}

    def render(self, context: Context) -> str:
        if not settings.SPEEDUP_FIXED_LINKS:
            return self.url_node.render(context)
        return self.remembered_url(context)

    def remembered_url(self, context: Context) -> str:
        where = (get_script_prefix(), str(get_urlconf(settings.ROOT_URLCONF)))
        address = self.reversed.get(where)
        if address is None:
            address = self.reversed[where] = reverse(self.view_name)
        return str(conditional_escape(address)) if context.autoescape else address


@register.tag
def fixed_url(parser: Parser, token: Token) -> FixedUrlNode:
    bits = token.split_contents()
    if len(bits) != 2 or len(bits[1]) < 3 or bits[1][0] not in "'\"" or bits[1][-1] != bits[1][0]:
        raise template.TemplateSyntaxError(
            "fixed_url takes one quoted view name and no arguments, e.g. {% fixed_url 'home' %}"
        )
    # The same tag parsed as `{% url %}`, for when the speed-up is off.
    return FixedUrlNode(bits[1][1:-1], url(parser, token))
