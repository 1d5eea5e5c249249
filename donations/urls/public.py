"""URLs anyone may open: the donation pages, Stripe's webhook and a dunning e-mail's
card-update link (signed, no login).

The fixed paths come before ``donate/<slug>/``; a campaign cannot use their names as slugs
("thanks", "cancelled", "fee", "test-checkout", "embed", "share").
"""

from __future__ import annotations

from django.urls import URLPattern, path

from donations.views import campaign_pages, card_update, donate_page, embed, stripe_webhook
from donations.views import public as views

RESERVED_SLUGS = frozenset({"thanks", "cancelled", "fee", "test-checkout", "embed", "share"})

urlpatterns: list[URLPattern] = [
    path("donate/", views.donate, name="donate"),
    path("donate/thanks/", views.thanks, name="donate_thanks"),
    path("donate/cancelled/", views.cancelled, name="donate_cancelled"),
    path("donate/fee/", views.fee_preview, name="donate_fee"),
    path("donate/embed/", embed.donate_embed, name="donate_embed"),
    path("donate/share/", donate_page.general_share, name="donate_general_share"),
    path("donate/<slug:slug>/embed/", embed.donate_embed, name="donate_campaign_embed"),
    path(
        "donate/test-checkout/<str:session_id>/",
        views.test_checkout,
        name="test_checkout",
    ),
    path("donate/<slug:slug>/", views.donate, name="donate_campaign"),
    path("donate/<slug:slug>/share/", campaign_pages.share_page, name="donate_share"),
    path("stripe/webhook/", stripe_webhook.stripe_webhook, name="stripe_webhook"),
    path("donor/update-card/<str:token>/", card_update.update_card, name="update_card"),
]
