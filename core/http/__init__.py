"""HTTP plumbing: the request guard, health checks, file downloads and safe CSV cells."""
