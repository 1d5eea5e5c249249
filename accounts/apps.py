from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps


class AccountsConfig(AppConfig):
    default = True
    name = "accounts"
    verbose_name = "Accounts"

    def ready(self) -> None:
        from accounts.services import account_data, retention
        from accounts.services.personal_data import register_contributor

        register_contributor(account_data.CONTRIBUTOR)
        retention.register_accounts_rules()


class StaffAdminConfig(admin_apps.AdminConfig):
    """Django's admin, its site guarded by the permission map (accounts/permissions.py)."""

    default = False
    default_site = "accounts.authentication.admin_site.StaffAdminSite"
