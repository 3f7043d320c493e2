from django.urls import path

from . import views, views_list

app_name = "find"
urlpatterns = [
    path("find/", views.search, name="search"),
    path("find/programs/<uuid:public_id>/", views.program, name="program"),
    path("find/programs/<uuid:public_id>/send/", views.send, name="send"),
    path("find/programs/<uuid:public_id>/sent/", views.sent, name="sent"),
    path("find/list/", views_list.shortlist, name="list"),
    path("find/list/add/", views_list.add, name="list_add"),
    path("find/list/remove/", views_list.remove, name="list_remove"),
    path("find/list/send/", views_list.send, name="list_send"),
    path("find/list/sent/", views_list.sent, name="list_sent"),
    path("find/language/", views.language, name="language"),
]
