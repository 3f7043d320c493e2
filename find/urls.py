from django.urls import path

from . import views

app_name = "find"
urlpatterns = [
    path("find/", views.search, name="search"),
    path("find/programs/<uuid:public_id>/", views.program, name="program"),
    path("find/programs/<uuid:public_id>/send/", views.send, name="send"),
    path("find/programs/<uuid:public_id>/sent/", views.sent, name="sent"),
    path("find/language/", views.language, name="language"),
]
