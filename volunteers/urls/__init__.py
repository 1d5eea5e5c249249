from django.urls import path

from volunteers import views
from volunteers.urls import coordinator as urls_coordinator
from volunteers.urls import volunteer as urls_volunteer

app_name = "volunteers"

urlpatterns = [
    path("volunteer/", views.home, name="home"),
    *urls_volunteer.urlpatterns,
    *urls_coordinator.urlpatterns,
]
