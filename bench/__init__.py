"""The benchmark: page cost alone and among national data, documents, and a load run.

A development-only Django app (``python manage.py bench``): settings install it outside
production, and nothing in the site imports it, so a production server never loads it.
Results and notes are in ``bench/results.md``; generated databases in ``bench/data/``.
"""
