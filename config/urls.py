from django.conf import settings
from django.contrib import admin
from django.urls import include, path

from core.views import healthz
from dashboard.views import home

admin.site.site_header = f"{settings.ORG_NAME}: data administration"
admin.site.site_title = settings.ORG_NAME

urlpatterns = [
    path("", home, name="home"),
    path("healthz", healthz, name="healthz"),
    path("accounts/", include("accounts.urls")),
    path("", include("dashboard.urls")),
    path("", include("volunteers.urls")),
    path("", include("donations.urls")),
    path("notifications/", include("notifications.urls")),
    path("admin/", admin.site.urls),
]
