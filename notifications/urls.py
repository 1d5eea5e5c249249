from django.urls import path

from notifications import views

app_name = "notifications"

urlpatterns = [
    path("preferences/", views.preferences, name="preferences"),
    path("unsubscribe/<str:token>/", views.unsubscribe_view, name="unsubscribe"),
    path("sms/inbound/", views.sms_inbound, name="sms_inbound"),
    path("push/subscription/", views.push_subscription, name="push_subscription"),
    path("coordinator/outbox/", views.outbox, name="outbox"),
    path("coordinator/outbox/<int:pk>/resend/", views.resend, name="resend"),
]
