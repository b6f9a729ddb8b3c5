"""Long lists read a page at a time: a council of 3,000 teams has thousands of people, actions
and issues, and a page listing them all would weigh megabytes and help nobody find anything.
Every list page uses the same size and the same navigation (`{% pages %}`, sword/templatetags/
paging.py, which keeps the page's filters in its links)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, TypeVar

from django.core.paginator import Page, Paginator
from django.db.models import Model, QuerySet, Subquery
from django.http import HttpRequest

LIST_PAGE_SIZE = 100

M = TypeVar("M", bound=Model)


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


def first_rows(queryset: QuerySet[M], count: int, *related: str) -> list[M]:
    """The first `count` rows of an ordered queryset, with `related` (as for `select_related`)
    read in the same query. The rows are picked before anything is joined to them: asked for
    the newest five issues with their teams, PostgreSQL joins every issue of the organisation to
    every board and unit (3,000 of each in a council of 3,000 teams) and then keeps five."""
    query = queryset.query
    order = query.order_by or (queryset.model._meta.ordering if query.default_ordering else ())
    assert order, "first_rows needs an ordered queryset"
    picked = queryset.values("pk")[:count]
    rows = queryset.model._default_manager.filter(pk__in=Subquery(picked))
    if related:  # select_related() with no names would join every foreign key
        rows = rows.select_related(*related)
    return list(rows.order_by(*order))
