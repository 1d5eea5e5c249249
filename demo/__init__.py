"""Demo data for trying the product (`manage.py seed_demo`), made through the domain
services. No other app imports it."""
