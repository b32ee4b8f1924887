"""Build jobs: queued in the database, run by any worker, retried when a worker dies."""
