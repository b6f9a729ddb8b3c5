"""Long lists read a page at a time: a council of 3,000 teams has thousands of people, actions
and issues, and a page listing them all would weigh megabytes and help nobody find anything.
Every list page uses the same size and the same navigation (`{% pages %}`, sword/templatetags/
paging.py, which keeps the page's filters in its links)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.core.paginator import Page, Paginator
from django.db.models import QuerySet
from django.http import HttpRequest

LIST_PAGE_SIZE = 100


def page_of(
    items: QuerySet[Any] | Sequence[Any], request: HttpRequest, *, parameter: str = "page"
) -> Page[Any]:
    """The page of `items` the request asks for (`?page=`): the first for a missing, malformed,
    zero or negative number, the last for one past the end, as people following an old link
    expect. A list ordered by something that ties must end its order with a unique column, or
    a row may show on two pages and another on none."""
    asked = request.GET.get(parameter, "")
    number = int(asked) if asked.isdecimal() and int(asked) > 0 else 1
    return Paginator(items, LIST_PAGE_SIZE).get_page(number)
