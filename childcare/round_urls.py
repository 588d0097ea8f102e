"""Allocation round pages (filled in step by step)."""

urlpatterns: list = []
