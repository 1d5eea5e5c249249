from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps


class AccountsConfig(AppConfig):
    default = True
    name = "accounts"
    verbose_name = "Accounts"


class StaffAdminConfig(admin_apps.AdminConfig):
    """Django's admin, its site guarded by the permission map (accounts/permissions.py)."""

    default = False
    default_site = "accounts.authentication.admin_site.StaffAdminSite"
