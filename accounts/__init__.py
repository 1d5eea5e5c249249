"""People and access: the custom user (e-mail login), roles, login and registration."""
