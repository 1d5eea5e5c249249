"""What every request of a person carries: their language and zone (middleware) and their roles
and language switcher in every template (context processors)."""
