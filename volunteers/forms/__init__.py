"""Forms for volunteering pages: volunteer.py for volunteers, coordinator.py for coordinators."""
