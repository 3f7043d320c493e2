from django.urls import path

from . import views

app_name = "privacy"
urlpatterns = [
    path("people/<uuid:public_id>/access/", views.seeker_access, name="seeker_access"),
    path("people/<uuid:public_id>/export/", views.seeker_export_view, name="seeker_export"),
    path("people/<uuid:public_id>/erase/", views.seeker_erase_view, name="seeker_erase"),
]
