from django.urls import path

from donations import views

app_name = "donations"

urlpatterns = [
    path("donor/", views.home, name="home"),
    path("stripe/webhook/", views.stripe_webhook, name="stripe_webhook"),
]
