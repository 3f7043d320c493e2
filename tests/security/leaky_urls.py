"""The project's URLs plus endpoints written without tenant protection: the walker must catch each."""

from django.http import Http404, HttpResponse, JsonResponse
from django.urls import include, path

from seekers.models import Seeker


def leaky_profile(request, seeker_id):
    seeker = (
        Seeker.objects.unscoped("deliberately leaky, for the walker's own test").filter(public_id=seeker_id).first()
    )
    if seeker is None:
        raise Http404
    return HttpResponse(f"{seeker.first_name} {seeker.last_name}")


def leaky_list(request):
    names = Seeker.objects.unscoped("deliberately leaky").values_list("last_name", flat=True)
    return JsonResponse({"names": list(names)})


def by_key(request, pk):
    return HttpResponse("ok")


urlpatterns = [
    path("", include("referrals_site.urls")),
    path("leaky/people/<uuid:seeker_id>/", leaky_profile, name="leaky_profile"),
    path("leaky/people/", leaky_list, name="leaky_list"),
    path("leaky/by-key/<int:pk>/", by_key, name="leaky_by_key"),
]
