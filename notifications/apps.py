from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "notifications"
    verbose_name = "Notifications"

    def ready(self) -> None:
        from notifications.kinds import load_kinds
        from notifications.services import personal_data

        personal_data.register()

        load_kinds()
