"""Long lists read a page at a time: a council of 3,000 teams has thousands of people, actions
and issues, and a page listing them all would weigh megabytes and hide nothing it should not,
but help nobody find anything. Every list page uses the same size and the same navigation
(templates/includes/pagination.html, which keeps the page's filters in its links)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, TypeVar

from django.core.paginator import Page, Paginator
from django.db.models import QuerySet
from django.http import HttpRequest

LIST_PAGE_SIZE = 100

T = TypeVar("T")


def page_of(
    items: QuerySet[Any] | Sequence[T], request: HttpRequest, *, parameter: str = "page"
) -> Page:
    """The page of `items` the request asks for (`?page=`): the first for a missing or
    malformed number, the last for one past the end, as people following an old link expect."""
    return Paginator(items, LIST_PAGE_SIZE).get_page(request.GET.get(parameter))
