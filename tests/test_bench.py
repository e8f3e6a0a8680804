"""The benchmark runs end to end on tiny data (its numbers are read by people, not asserted)."""

import os
import re
import subprocess
import sys
from io import StringIO
from pathlib import Path

import dj_database_url
import psycopg2
import pytest
from django.core.management import call_command
from django.db import connection

ROOT = Path(__file__).resolve().parent.parent
LOAD_SERVER = os.environ.get(
    "BENCH_LOAD_DATABASE", "postgres://postgres@127.0.0.1:5432/pmp_bench_load"
)

# The bench makes its own databases whatever the suite runs on: once is enough.
pytestmark = pytest.mark.skipif(
    connection.vendor != "sqlite", reason="the SQLite pass of the suite runs the bench"
)


def _admin(cfg: dict):
    return psycopg2.connect(
        dbname="postgres",
        user=cfg["USER"],
        host=cfg["HOST"],
        port=cfg["PORT"] or 5432,
        password=cfg.get("PASSWORD") or None,
        connect_timeout=5,
    )


@pytest.fixture
def load_database():
    """A database of this run's own for the load run, which drops and creates it: other
    worktrees run this test on the same server at the same time."""
    cfg = dj_database_url.parse(LOAD_SERVER)
    name = f"pmp_bench_test_{os.getpid()}"
    try:
        _admin(cfg).close()
    except psycopg2.OperationalError:
        yield None
        return
    url = LOAD_SERVER.rsplit("/", 1)[0] + f"/{name}"
    yield url
    admin = _admin(cfg)
    admin.autocommit = True
    with admin.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{name}"')
    admin.close()


def test_bench_writes_a_results_table_and_a_load_run(tmp_path, load_database):
    output = tmp_path / "results.md"
    call_command(
        "bench",
        municipalities=2,
        requests=1,
        # A date in the plans' first year exercises the clock with the fewest reports to make.
        as_of="2025-03-02",
        load_seconds=1 if load_database else 0,
        load_database=load_database or "",
        output=output,
        stdout=StringIO(),
        stderr=StringIO(),
    )
    text = output.read_text(encoding="utf-8")
    # The clock moved: the seed plans begin in 2024, so on 2025-03-02 each of the two has its
    # first two semesters (at today's date it would have more).
    assert ", 4 reporting periods," in text
    assert "| plan |" in text and "| empty page (same layout) |" in text
    for page in ("plan", "dashboard", "board overview (reports)", "director's start page"):
        row = next(line for line in text.splitlines() if line.startswith(f"| {page} |"))
        queries = row.split("|")[6].strip()
        alone, national = (int(q) for q in queries.split(" / "))
        # The same page costs the same queries among other tenants.
        assert alone == national > 0, page
    # Locust monkey-patches the standard library for gevent: never in this process.
    assert "locust" not in sys.modules and "gevent" not in sys.modules
    if not load_database:
        pytest.skip("the load run needs PostgreSQL, unreachable at " + LOAD_SERVER)
    load = re.search(r"- (\d+) concurrent users for [\d.]+ s against (\d+) gunicorn workers: "
                     r"(\d+) requests, \*\*[\d.]+ req/s\*\*, (\d+) errors", text)  # fmt: skip
    assert load, text
    users, workers, requests, errors = (int(n) for n in load.groups())
    assert users > 5 and workers >= 2 and requests >= 2 * users and errors == 0
    # Every user finishes what it began: each director opened and saved, each reader read both.
    directors, readers = users - 5, 5
    for kind, least in (
        ("director opens report", directors),
        ("director saves report", directors),
        ("board reads the overview", readers),
        ("board reads the dashboard", readers),
    ):
        count = re.search(rf"- {kind}: (\d+) requests, median [\d.]+ ms, p95 [\d.]+ ms", text)
        assert count and int(count.group(1)) >= least, kind
    for ceiling in ("signed-in start page", "health check"):
        assert re.search(rf"- ceiling, .* — {ceiling}: \*\*[1-9][\d.]* req/s\*\*", text), ceiling


def test_production_neither_installs_nor_imports_the_bench():
    env = os.environ | {
        "DJANGO_ENV": "production",
        "SECRET_KEY": "a-long-enough-secret-for-this-check-only-" + "x" * 20,
        "ALLOWED_HOSTS": "pmp.example.lv",
    }
    probe = subprocess.run(
        [sys.executable, "-c", PRODUCTION_PROBE],
        cwd=ROOT, env=env, capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert probe.stdout.split() == ["False", "False", "False"], probe.stderr


# Settings, every app and the URLconf loaded as a production server loads them.
PRODUCTION_PROBE = """
import sys, django
from django.conf import settings
from django.urls import get_resolver
django.setup()
get_resolver().url_patterns
from django.core.management import get_commands
print("bench" in settings.INSTALLED_APPS, "bench" in get_commands(), "bench" in sys.modules)
"""
