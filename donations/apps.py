from django.apps import AppConfig


class DonationsConfig(AppConfig):
    name = "donations"
    verbose_name = "Donations"

    def ready(self) -> None:
        from donations.services import personal_data, receipts
        from donations.stripe_integration import dunning
        from notifications.services.hooks import register_refresher

        register_refresher(receipts.EMAIL_KIND, receipts.refresh_receipt_email)
        register_refresher(dunning.KIND, dunning.refresh_payment_failed)
        personal_data.register()
