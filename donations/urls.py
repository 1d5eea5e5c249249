from django.urls import path

from donations import (
    card_views,
    urls_coordinator,
    urls_public,
    urls_receipts,
    urls_records,
    views,
    views_donor,
)

app_name = "donations"

urlpatterns = [
    path("donor/", views_donor.home, name="home"),
    path("stripe/webhook/", views.stripe_webhook, name="stripe_webhook"),
    path("donor/update-card/<str:token>/", card_views.update_card, name="update_card"),
    *urls_public.urlpatterns,
    *urls_coordinator.urlpatterns,
    *urls_records.urlpatterns,
    *urls_receipts.urlpatterns,
]
