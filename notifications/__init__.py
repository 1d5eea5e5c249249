"""The outbox: what is sent to whom, once. Knows no domain app (see services.enqueue_message)."""
