"""Pages of rows: `?page=N` and `?page_size=M`; each answer links the next page."""

from __future__ import annotations

from django.conf import settings
from rest_framework.pagination import PageNumberPagination


class RowsPagination(PageNumberPagination):
    page_size_query_param = "page_size"

    def __init__(self) -> None:
        self.page_size = settings.API_PAGE_SIZE
        self.max_page_size = settings.API_MAX_PAGE_SIZE
