from django.urls import path

from dashboard import views

app_name = "dashboard"

urlpatterns = [
    path("coordinator/", views.coordinator_home, name="coordinator_home"),
    path("coordinator/people/<int:user_id>/", views.person_record, name="person"),
]
