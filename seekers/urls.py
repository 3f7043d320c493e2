app_name = "seekers"
urlpatterns: list = []
