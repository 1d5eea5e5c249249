from django.apps import AppConfig


class VolunteersConfig(AppConfig):
    name = "volunteers"
    verbose_name = "Volunteers"

    def ready(self) -> None:
        from django.db.models.signals import post_delete

        from notifications.services.hooks import register_refresher, register_reply_handler
        from volunteers.models import VolunteerProfile
        from volunteers.services import expiry_warnings as warnings
        from volunteers.services import personal_data, reminders, text_replies
        from volunteers.services.photos import delete_photo_of_deleted_profile

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
        register_reply_handler(reminders.REMINDER_KIND, text_replies.answer_shift_reminder)
        personal_data.register()
        post_delete.connect(
            delete_photo_of_deleted_profile,
            sender=VolunteerProfile,
            dispatch_uid="volunteers.delete_photo_of_deleted_profile",
        )
