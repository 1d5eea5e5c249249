from django.apps import AppConfig


class VolunteersConfig(AppConfig):
    name = "volunteers"
    verbose_name = "Volunteers"

    def ready(self) -> None:
        from notifications.hooks import register_refresher
        from volunteers import reminders

        register_refresher(reminders.REMINDER_KIND, reminders.refresh_shift_reminder)
