"""Pages that join volunteering and giving: the coordinator dashboard, a person's record.

It sits above ``volunteers`` and ``donations``, which never import each other.
"""
