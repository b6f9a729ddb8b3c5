"""`{% pages page label %}`: the one navigation of every long list (sword/paging.py)."""

from __future__ import annotations

from typing import Any

from django import template
from django.core.paginator import Page
from django.http import HttpRequest

register = template.Library()


@register.inclusion_tag("includes/pagination.html", takes_context=True)
def pages(
    context: dict[str, Any], page: Page, label: str, parameter: str = "page", anchor: str = ""
) -> dict[str, Any]:
    """Links to the pages before and after `page`, keeping the request's other parameters (the
    page's filters); `parameter` names the page number where a page has two lists, `anchor`
    brings the reader back to the list."""
    request: HttpRequest = context["request"]

    def link(number: int) -> str:
        query = request.GET.copy()
        query[parameter] = str(number)
        return f"?{query.urlencode()}{'#' + anchor if anchor else ''}"

    return {
        "page": page,
        "label": label,
        "previous": link(page.previous_page_number()) if page.has_previous() else "",
        "next": link(page.next_page_number()) if page.has_next() else "",
    }
