from django.urls import path

from volunteers import urls_coordinator, urls_volunteer, views

app_name = "volunteers"

urlpatterns = [
    path("volunteer/", views.home, name="home"),
    *urls_volunteer.urlpatterns,
    *urls_coordinator.urlpatterns,
]
