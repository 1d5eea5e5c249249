"""Giving's URLs, one module per audience: public (anyone), donor (the portal),
coordinator (staff pages)."""

from donations.urls import coordinator, donor, public

app_name = "donations"

urlpatterns = [*public.urlpatterns, *donor.urlpatterns, *coordinator.urlpatterns]
