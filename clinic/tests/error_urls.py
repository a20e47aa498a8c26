"""The clinic's URLs plus one view that fails, for the 500 page's tests (test_error_pages.py)."""

from django.urls import path

from clinic.urls import handler400, handler403, handler404, handler500, urlpatterns  # noqa: F401


def fails(request):
    raise RuntimeError("a bug")


urlpatterns = [path("test-fails/", fails), *urlpatterns]
