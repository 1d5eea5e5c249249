"""Volunteering's URLs, one module per audience: volunteer (including the public
application form and the private calendar feed) and coordinator (staff pages)."""

from volunteers.urls import coordinator, volunteer

app_name = "volunteers"

urlpatterns = [*volunteer.urlpatterns, *coordinator.urlpatterns]
