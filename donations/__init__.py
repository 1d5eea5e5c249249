"""Giving: donors, campaigns, donations, recurring gifts, Stripe, receipts."""
