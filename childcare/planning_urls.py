"""Municipal planning pages (filled in step by step)."""

urlpatterns: list = []
