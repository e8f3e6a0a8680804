"""The backup drill of docs/deploy.md, run for real on PostgreSQL: dump, restore, compare."""

import os
import shutil
import subprocess
import sys
from pathlib import Path

import psycopg2
import pytest
from django.apps import apps
from django.db import connection

from plans.importer import plan_import
from tests.conftest import tiny_plan_data

ROOT = Path(__file__).resolve().parent.parent

pytestmark = [
    pytest.mark.skipif(connection.vendor != "postgresql", reason="a PostgreSQL drill"),
    pytest.mark.skipif(not shutil.which("pg_dump"), reason="needs postgresql-client"),
]


def libpq_env(name: str) -> dict[str, str]:
    settings = connection.settings_dict
    env = os.environ | {
        "PGHOST": settings["HOST"] or "127.0.0.1",
        "PGPORT": str(settings["PORT"] or 5432),
        "PGUSER": settings["USER"] or "postgres",
        "PGDATABASE": name,
    }
    if settings.get("PASSWORD"):
        env["PGPASSWORD"] = settings["PASSWORD"]
    return env


def fingerprint(conn) -> dict[str, tuple]:
    """Row count and an md5 over every row of every table of the project."""
    result = {}
    with conn.cursor() as cursor:
        for model in apps.get_models(include_auto_created=True):
            table = model._meta.db_table
            cursor.execute(
                f"SELECT count(*), md5(coalesce(string_agg(t::text, '|' ORDER BY t::text), '')) "  # noqa: S608
                f'FROM "{table}" t'
            )
            result[table] = cursor.fetchone()
    return result


@pytest.mark.django_db(transaction=True)
def test_dump_restore_gives_the_same_data_and_a_working_portal(
    tmp_path, municipality_a, board_editor, school_a1
):
    plan_import(actor=None, municipality=municipality_a, data=tiny_plan_data())
    source = connection.settings_dict["NAME"]
    copy = f"{source}_restore"
    dump = tmp_path / "pmp.dump"
    subprocess.run(["pg_dump", "-Fc", "-f", str(dump)], env=libpq_env(source), check=True)
    subprocess.run(["dropdb", "--if-exists", copy], env=libpq_env(source), check=True)
    subprocess.run(["createdb", copy], env=libpq_env(source), check=True)
    try:
        subprocess.run(
            ["pg_restore", "--no-owner", "-d", copy, str(dump)], env=libpq_env(copy), check=True
        )
        settings = connection.settings_dict
        restored = psycopg2.connect(
            dbname=copy,
            host=settings["HOST"] or "127.0.0.1",
            port=settings["PORT"] or 5432,
            user=settings["USER"] or "postgres",
            password=settings.get("PASSWORD") or None,
        )
        try:
            assert fingerprint(restored) == fingerprint(connection.connection)
        finally:
            restored.close()

        host = settings["HOST"] or "127.0.0.1"
        url = (
            f"postgres://{settings['USER'] or 'postgres'}@{host}:{settings['PORT'] or 5432}/{copy}"
        )
        env = os.environ | {"DATABASE_URL": url}
        migrate = subprocess.run(
            [sys.executable, "manage.py", "migrate", "--check"],
            cwd=ROOT, env=env, capture_output=True, text=True, check=False,
        )  # fmt: skip
        assert migrate.returncode == 0, migrate.stdout + migrate.stderr
        page = subprocess.run(
            [sys.executable, "-c", RENDER_PAGE, board_editor.email, municipality_a.slug],
            cwd=ROOT, env=env, capture_output=True, text=True, check=False,
        )  # fmt: skip
        assert page.stdout.strip() == "200 Vecāku aptauja", page.stderr
    finally:
        subprocess.run(["dropdb", "--if-exists", copy], env=libpq_env(source), check=True)


RENDER_PAGE = """
import os, sys
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "pmp_portal.settings")
import django
django.setup()
from django.contrib.auth import get_user_model
from django.test import Client
client = Client()
client.force_login(get_user_model().objects.get(email=sys.argv[1]))
response = client.get(f"/{sys.argv[2]}/plan/")
text = response.content.decode()
print(response.status_code, "Vecāku aptauja" if "Vecāku aptauja" in text else "missing")
"""
