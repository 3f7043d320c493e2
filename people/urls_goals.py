from django.urls import path

from . import views_goals as views

app_name = "goals"
urlpatterns = [
    path("people/<uuid:public_id>/goals/", views.create, name="create"),
    path("goals/<uuid:public_id>/rename/", views.rename, name="rename"),
    path("goals/<uuid:public_id>/close/", views.close, name="close"),
    path("goals/<uuid:public_id>/reopen/", views.reopen, name="reopen"),
]
