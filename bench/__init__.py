"""Benchmarks at the scale of a large NGO (``make bench``): the seeder, the harness, the report.

``bench.seed`` fills a fresh PostgreSQL database (``python -m bench.seed_scale``);
``bench.run`` (``python -m bench.run``) measures pages, the reminder sweep, webhooks, the
signup race and year-end statements against it and writes ``bench/report.md`` and
``bench/report.json``. Nothing here runs against the development database.
"""
