"""Shared plumbing with no domain knowledge: Celery base task, health checks, templates tags.

Every app may import from here; this package imports no app of the project.
"""
