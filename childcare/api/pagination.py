"""Pagination: pages for computed lists (search results, waitlists), a cursor for long tables."""

from rest_framework.pagination import CursorPagination, PageNumberPagination


class PagedList(PageNumberPagination):
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 500


class ChangedSinceCursor(CursorPagination):
    """Stable under inserts: daycare software pages through changes by (updated_at, id)."""

    page_size = 100
    page_size_query_param = "page_size"
    max_page_size = 1000
    ordering = ("updated_at", "id")
