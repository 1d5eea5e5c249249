"""Forms for giving pages: public.py for the donation page, coordinator.py for coordinators."""
