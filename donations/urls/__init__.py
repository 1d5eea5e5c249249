from django.urls import path

from donations.urls import coordinator as urls_coordinator
from donations.urls import public as urls_public
from donations.urls import receipts as urls_receipts
from donations.urls import records as urls_records
from donations.views import card_update as card_views
from donations.views import donor_portal as views_donor
from donations.views import stripe_webhook as views

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
