"""The site's URLs plus two that fail, for the 500 page's tests."""

from django.urls import path

from referrals_site.urls import handler403, handler404, handler500  # noqa: F401
from referrals_site.urls import urlpatterns as site_urlpatterns


def fail(request):
    raise RuntimeError("a bug")


urlpatterns = [path("fail/", fail), path("my/fail/", fail), *site_urlpatterns]
