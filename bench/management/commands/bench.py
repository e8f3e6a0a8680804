"""Benchmark: page cost for one municipality alone and among national-scale data.

    python manage.py bench [--municipalities 43] [--requests 30] [-o bench/results.md]
        [--as-of 2028-03-02] [--load-seconds 60] [--load-database postgres://…]

Each scenario runs in a child process with its own SQLite database under bench/data/, so
the development database is never touched: "alone" holds the largest seed plan only,
"national" the same municipality among N others. The ratio national/alone shows whether a
page's cost grows with other tenants' data (it must not); the ratio to the empty page of
the same layout shows what the page itself costs. Then the load run (bench/loadrun.py):
Locust against gunicorn on PostgreSQL. Never used as a timed assertion in tests.
"""

from __future__ import annotations

import contextlib
import datetime
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

import dj_database_url
import psycopg2
import time_machine
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand
from django.db import connection
from django.db.models import Count
from django.test import Client
from django.test.utils import CaptureQueriesContext, override_settings
from django.utils import timezone

from bench.loadrun import run
from indicators.demo import load_demo_values
from institutions.models import Institution, Membership, Municipality, Role
from plans.importer import plan_import
from plans.models import Activity, Plan, Task
from plans.workbook import export_workbook
from reports.annual import render_annual_pdf
from reports.demo import link_collective_executors, load_demo_reports
from reports.models import AnnualReport, Report, ReportingPeriod

SEEDS = ["000.json", "001.json", "002.json"]
TARGET_SEED = "002.json"  # the largest plan by rows, with a task table
TARGET = "bench-target"
EMPTY = "bench-empty"
# The measured plan (TARGET_SEED) runs 2024–2027: its last spring semester (2027./2028.
# 2nd, open on this date) is when its municipality holds the most history it ever will —
# four school years of semester reports. A later date would measure an empty semester.
AS_OF = "2028-03-02"
DATA = Path(settings.BASE_DIR) / "bench" / "data"  # generated databases, never committed


def _as_of(value: str) -> str:
    if value != "today":
        datetime.date.fromisoformat(value)  # a ValueError becomes argparse's usage error
    return value


def _clock(as_of: str) -> contextlib.AbstractContextManager:
    """This process's clock at noon (UTC) of ``as_of`` and running on from there, so data
    generation and every page agree on what "today" is: Python's and so Django's clock."""
    if as_of == "today":
        return contextlib.nullcontext()
    noon = datetime.datetime.combine(
        datetime.date.fromisoformat(as_of), datetime.time(12), tzinfo=datetime.UTC
    )
    return time_machine.travel(noon, tick=True)


def _percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


class Command(BaseCommand):
    help = "Mēra lapu ātrumu un vaicājumu skaitu. / Measures page time and query counts."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--municipalities", type=int, default=43)
        parser.add_argument(
            "--requests",
            type=int,
            default=30,
            help="timed requests per page; each document is rendered this often, at most 3 times",
        )
        parser.add_argument("-o", "--output", type=Path, default=Path("bench/results.md"))
        parser.add_argument("--scenario", choices=["alone", "national"], help="(internal)")
        parser.add_argument(
            "--as-of",
            type=_as_of,
            default=AS_OF,
            help="the date the national data and the pages live at (YYYY-MM-DD or 'today'); "
            "the default is the measured plan's last spring, with all its years of reports",
        )
        parser.add_argument(
            "--load-seconds",
            type=int,
            default=60,
            help="length of the gunicorn load run on PostgreSQL (0: skip it)",
        )
        parser.add_argument(
            "--load-database",
            default=os.environ.get(
                "BENCH_LOAD_DATABASE", "postgres://postgres@127.0.0.1:5432/pmp_bench_load"
            ),
            help="a PostgreSQL database the load run may drop and create",
        )

    def handle(self, *args, **options) -> None:
        if options["scenario"]:
            with _clock(options["as_of"]):
                self._run_scenario(
                    options["scenario"], options["municipalities"], options["requests"]
                )
            return
        results = {}
        migrated = self._migrated()
        for scenario in ("alone", "national"):
            self.stderr.write(f"bench: {scenario}…")
            results[scenario] = self._child(scenario, migrated, options)
        results["load"] = self._load(options)
        report = self._report(results, options)
        options["output"].parent.mkdir(parents=True, exist_ok=True)
        options["output"].write_text(report, encoding="utf-8")
        self.stdout.write(report)

    # -- parent ---------------------------------------------------------------------------

    def _load(self, options) -> dict | str:
        if options["load_seconds"] <= 0:
            return "skipped (--load-seconds 0)"
        url = options["load_database"]
        cfg = dj_database_url.parse(url)
        try:
            admin = psycopg2.connect(
                dbname="postgres",
                user=cfg["USER"],
                host=cfg["HOST"],
                port=cfg["PORT"] or 5432,
                password=cfg.get("PASSWORD") or None,
                connect_timeout=5,
            )
        except psycopg2.OperationalError as error:
            return f"not run: PostgreSQL unreachable ({error})"
        admin.autocommit = True
        with admin.cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{cfg["NAME"]}"')
            cursor.execute(f'CREATE DATABASE "{cfg["NAME"]}"')
        admin.close()
        self.stderr.write(f"bench: load run, {options['load_seconds']} s…")
        return run(url, options["load_seconds"])

    def _migrated(self) -> Path:
        """An empty migrated database: each scenario starts from a copy of it, as migrating
        costs more than generating a small run's data."""
        DATA.mkdir(parents=True, exist_ok=True)
        db = DATA / "migrated.sqlite3"
        db.unlink(missing_ok=True)
        subprocess.run(
            [sys.executable, "manage.py", "migrate", "--noinput", "-v0"],
            cwd=settings.BASE_DIR,
            env=os.environ | {"DATABASE_URL": f"sqlite:///{db}", "DJANGO_ENV": "development"},
            check=True,
        )
        return db

    def _child(self, scenario: str, migrated: Path, options) -> dict:
        db = DATA / f"{scenario}.sqlite3"
        shutil.copyfile(migrated, db)
        env = os.environ | {"DATABASE_URL": f"sqlite:///{db}", "DJANGO_ENV": "development"}
        command = [
            sys.executable,
            "manage.py",
            "bench",
            "--scenario",
            scenario,
            "--municipalities",
            str(options["municipalities"]),
            "--requests",
            str(options["requests"]),
            "--as-of",
            options["as_of"],
        ]
        out = subprocess.run(  # noqa: S603 - our own manage.py with our own arguments
            command, cwd=settings.BASE_DIR, env=env, capture_output=True, text=True, check=True
        )
        return json.loads(out.stdout.strip().splitlines()[-1])

    def _report(self, results: dict, options) -> str:
        alone, national = results["alone"], results["national"]
        lines = [
            "# Benchmark results",
            "",
            f"`python manage.py bench --municipalities {options['municipalities']} "
            f"--requests {options['requests']}` on SQLite, in-process test client "
            "(server time without network), "
            f"{time.strftime('%Y-%m-%d')}. Data and pages live at {options['as_of']} "
            "(`--as-of`): the measured plan's last spring, with all its school years of reports.",
            "",
            f"National data: {national['counts']['municipalities']} municipalities, "
            f"{national['counts']['institutions']} institutions, "
            f"{national['counts']['activities']} activities, {national['counts']['tasks']} tasks, "
            f"{national['counts']['periods']} reporting periods, "
            f"{national['counts']['reports']} semester reports.",
            "",
            "| page | alone median ms | alone p95 ms | national median ms | national p95 ms "
            "| queries alone / national | national ÷ alone | ÷ empty page |",
            "|---|---|---|---|---|---|---|---|",
        ]
        floors = {
            False: national["pages"]["empty page (same layout)"]["median_ms"],
            True: national["pages"]["director: empty start page"]["median_ms"],
        }
        for page, a in alone["pages"].items():
            n = national["pages"][page]
            floor = floors["director" in page]
            lines.append(
                f"| {page} | {a['median_ms']:.1f} | {a['p95_ms']:.1f} | {n['median_ms']:.1f} "
                f"| {n['p95_ms']:.1f} | {a['queries']} / {n['queries']} "
                f"| {n['median_ms'] / a['median_ms']:.2f} | {n['median_ms'] / floor:.1f} |"
            )
        load = results["load"]
        lines += [
            "",
            "Load run (Locust, headless; gunicorn, production settings, PostgreSQL, loopback):",
            "",
        ]
        if isinstance(load, str):
            lines.append(f"- {load}")
        else:
            lines.append(
                f"- {load['users']} concurrent users for {load['seconds']} s against "
                f"{load['workers']} gunicorn workers: {load['requests']} requests, "
                f"**{load['rps']} req/s**, {load['errors']} errors"
            )
            for kind, k in load["kinds"].items():
                lines.append(
                    f"- {kind}: {k['count']} requests, median {k['median_ms']} ms, "
                    f"p95 {k['p95_ms']} ms"
                )
            for kind, rps in load.get("ceilings", {}).items():
                lines.append(
                    f"- ceiling, the same users on one page only — {kind}: **{rps} req/s**"
                )
        lines += ["", "Documents for the largest municipality (national database):", ""]
        for name, doc in national["documents"].items():
            lines.append(f"- {name}: median {doc['median_ms']:.0f} ms, {doc['bytes']:,} bytes")
        lines.append(
            f"- peak memory of the whole benchmark process (data generation, pages and "
            f"documents): {national['peak_rss_mb']:.0f} MB"
        )
        lines += ["", "`import_plan` time per plan (national generation):", ""]
        for seed, ms in national["imports"].items():
            lines.append(f"- {seed}: median {ms:.0f} ms")
        lines.append("")
        return "\n".join(lines)

    # -- child ----------------------------------------------------------------------------

    def _run_scenario(self, scenario: str, municipalities: int, requests: int) -> None:
        seeds = {
            name: json.loads(
                (Path(settings.BASE_DIR) / "fixtures" / "seeds" / name).read_text("utf-8")
            )
            for name in SEEDS
        }
        import_ms: dict[str, list[float]] = {name: [] for name in SEEDS}

        demo = json.loads((Path(settings.BASE_DIR) / "fixtures" / "demo.json").read_text("utf-8"))
        groups = {entry["seed"]: entry.get("groups", []) for entry in demo["municipalities"]}
        today = timezone.localdate()

        def make(slug: str, seed: str | None) -> Municipality:
            municipality = Municipality.objects.create(name=f"{slug} pašvaldība", slug=slug)
            if seed:
                started = time.perf_counter()
                plan_import(
                    actor=None, municipality=municipality, data=json.loads(json.dumps(seeds[seed]))
                )
                import_ms[seed].append((time.perf_counter() - started) * 1000)
                # Semester reports and indicator values since the plan began, as in the demo.
                link_collective_executors(municipality, groups.get(seed, []))
                load_demo_reports(municipality, today)
                load_demo_values(municipality, today)
            return municipality

        others = municipalities - 1 if scenario == "national" else 0
        for index in range(others):
            make(f"pasvaldiba-{index}", SEEDS[index % len(SEEDS)])
        target = make(TARGET, TARGET_SEED)
        empty = make(EMPTY, None)

        user = get_user_model().objects.create_user("bench@pmp.example", "bench@pmp.example")
        for municipality in (target, empty):
            Membership.objects.create(user=user, municipality=municipality, role=Role.BOARD_ADMIN)
        # The director of the target's school with the most reports.
        current = (
            ReportingPeriod.objects.for_municipality(target)
            .order_by("-school_year", "-semester")
            .first()
        )
        # The school with the most reports among those with a report this semester: the form
        # and the board's reading are measured with rows filled in, as at a deadline.
        school = (
            Institution.objects.for_municipality(target)
            .annotate(n=Count("reports", distinct=True))
            .filter(reports__period=current)
            .order_by("-n", "name")
            .first()
        ) or (
            Institution.objects.for_municipality(target)
            .annotate(n=Count("reports"))
            .order_by("-n", "name")
            .first()
        )
        director = get_user_model().objects.create_user("direktors@pmp.example", "d@pmp.example")
        Membership.objects.create(
            user=director, municipality=target, role=Role.REPORTER, institution=school
        )
        Membership.objects.create(
            user=director,
            municipality=empty,
            role=Role.REPORTER,
            institution=Institution.objects.create(municipality=empty, name="Tukšā skola"),
        )
        pages = {
            "empty page (same layout)": f"/{EMPTY}/plan/",
            "start page": f"/{TARGET}/",
            "plan": f"/{TARGET}/plan/",
            "plan, filtered by level": f"/{TARGET}/plan/?level=targeted",
            "institutions": f"/{TARGET}/institutions/",
            "users": f"/{TARGET}/users/",
            "dashboard": f"/{TARGET}/dashboard/",
            "board overview (reports)": f"/{TARGET}/reports/",
            "report, board reading": f"/{TARGET}/reports/{current.pk}/institution/{school.pk}/",
        }
        director_pages = {
            "director: empty start page": f"/{EMPTY}/",
            "director's start page": f"/{TARGET}/",
            "report form (director)": f"/{TARGET}/reports/{current.pk}/institution/{school.pk}/",
        }
        client = Client()
        client.force_login(user)
        director_client = Client()
        director_client.force_login(director)
        measured = {}
        with override_settings(DEBUG=False):
            plan_list = [(name, url, client) for name, url in pages.items()]
            plan_list += [(name, url, director_client) for name, url in director_pages.items()]
            for name, url, client in plan_list:
                client.get(url)  # warm caches and templates
                times = []
                with CaptureQueriesContext(connection) as queries:
                    response = client.get(url)
                assert response.status_code == 200, (url, response.status_code)
                query_count = len(queries)  # read now: later requests reset the query log
                for _ in range(requests):
                    started = time.perf_counter()
                    client.get(url)
                    times.append((time.perf_counter() - started) * 1000)
                measured[name] = {
                    "median_ms": statistics.median(times),
                    "p95_ms": _percentile(times, 0.95),
                    "queries": query_count,
                }
        # Documents: the annual report PDF, the plan PDF and the workbook of the target.
        documents = {}
        plan = Plan.objects.get(municipality=target)
        for name, render in (
            (
                "annual report PDF",
                lambda: render_annual_pdf(
                    AnnualReport(municipality=target, year=timezone.localdate().year - 1)
                ),
            ),
            ("plan workbook export", lambda: export_workbook(plan)),
        ):
            times = []
            for _ in range(min(3, requests)):  # a PDF takes a second: three are plenty
                started = time.perf_counter()
                size = len(render())
                times.append((time.perf_counter() - started) * 1000)
            documents[name] = {"median_ms": statistics.median(times), "bytes": size}
        peak_rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        result = {
            "documents": documents,
            "peak_rss_mb": peak_rss_mb,
            "pages": measured,
            "imports": {k: statistics.median(v) for k, v in import_ms.items() if v},
            "counts": {
                "municipalities": Municipality.objects.count(),
                "institutions": Institution.objects.count(),
                "activities": Activity.objects.count(),
                "tasks": Task.objects.count(),
                "reports": Report.objects.count(),
                "periods": ReportingPeriod.objects.count(),
            },
        }
        self.stdout.write(json.dumps(result))
