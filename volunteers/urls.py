from django.urls import path

from volunteers import views

app_name = "volunteers"

urlpatterns = [
    path("volunteer/", views.home, name="home"),
]
