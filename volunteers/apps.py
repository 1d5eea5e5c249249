from django.apps import AppConfig


class VolunteersConfig(AppConfig):
    name = "volunteers"
    verbose_name = "Volunteers"

    def ready(self) -> None:
        from notifications.services.hooks import register_refresher
        from volunteers.services import expiry_warnings as warnings
        from volunteers.services import reminders

        register_refresher(
            reminders.REMINDER_KIND,
            reminders.refresh_shift_reminder,
            many=reminders.refresh_shift_reminders,
        )
        register_refresher(
            warnings.SESSION_KIND,
            warnings.refresh_session_reminder,
            many=warnings.refresh_session_reminders,
        )
