"""Volunteering pages, one module per audience and area (volunteer_*.py, coordinator_*.py)."""
