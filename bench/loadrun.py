"""A bounded load run on loopback: gunicorn with the production settings on PostgreSQL.

The mix a semester deadline brings (directors open and save their report, the board reads the
overview and the dashboard), driven by Locust headless with the users of bench/locustfile.py;
requests per second, errors and median and p95 latency per kind of request, then the ceiling
of the machine with the same users on one page.
"""

from __future__ import annotations

import http.client
import json
import os
import secrets
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.core.management import call_command
from django.db.models import Count
from django.test.utils import override_settings

from institutions.models import Institution, Membership, Municipality, Role
from pmp_portal.demo import load_demo_data
from reports.models import ReportingPeriod

BASE = Path(__file__).resolve().parents[1]
PASSWORD = "Slodzes-tests-2026!"  # noqa: S105 - throwaway accounts in a throwaway database
PREPARE = (
    "import json, sys, django; django.setup(); from bench.loadrun import prepare; "
    "print(json.dumps(prepare(int(sys.argv[1]))))"
)
# The load run fetches no static file: its pages need only the manifest that {% static %} reads.
# WhiteNoise's compressed copies of the 1 100 files took 12 s of CPU, the manifest alone 1 s.
COLLECT = (
    "import django; from django.conf import settings; "
    "settings.STORAGES = settings.STORAGES | {'staticfiles': "
    "{'BACKEND': 'django.contrib.staticfiles.storage.ManifestStaticFilesStorage'}}; "
    "django.setup(); from django.core.management import call_command; "
    "call_command('collectstatic', interactive=False, verbosity=0)"
)


def prepare(users: int) -> dict:
    """Demo data in the load run's PostgreSQL database (DATABASE_URL of this child process)
    plus one director per school."""
    call_command("migrate", verbosity=0)
    # The demo's own people never sign in here: a quick hash spares 13 Argon2 hashes (3 s
    # here). The load run's accounts get a real one below.
    with override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"]):
        load_demo_data()
    ogre = Municipality.objects.get(slug="ogre")
    period = ReportingPeriod.objects.for_municipality(ogre).order_by("-school_year", "-semester")[0]
    schools = list(
        Institution.objects.for_municipality(ogre)
        .filter(name__iregex=r"(vidusskola|pamatskola|ģimnāzija)$")
        .annotate(n=Count("reports"))
        .order_by("name")[:users]
    )
    User = get_user_model()
    # One Argon2 hash for every account: hashing is slow on purpose, 0.1–0.5 s each here.
    password = make_password(PASSWORD)
    directors = []
    for n, school in enumerate(schools):
        email = f"slodze{n}@ogre.example"
        user, _ = User.objects.get_or_create(username=email, defaults={"email": email})
        user.password = password
        user.save()
        Membership.objects.get_or_create(
            user=user, municipality=ogre, role=Role.REPORTER, institution=school
        )
        directors.append((email, f"/ogre/reports/{period.pk}/institution/{school.pk}/"))
    board = User.objects.get(email="redaktors@ogre.example")
    board.password = password
    board.save()
    return {"directors": directors, "board": board.email, "password": PASSWORD}


def _free_port() -> int:
    # Other runs (another worktree's tests) may hold a fixed port; the kernel picks a free one.
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _wait_until_serving(port: int) -> None:
    # The master accepts connections before any worker has booted: wait for an answer.
    for _ in range(300):
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            connection.request("GET", "/health/", headers={"X-Forwarded-Proto": "https"})
            if connection.getresponse().status == 200:
                return
        except OSError:
            pass
        time.sleep(0.2)
    raise RuntimeError("gunicorn never answered /health/")


def run(database_url: str, seconds: int, directors: int = 15) -> dict:
    data = BASE / "bench" / "data"
    data.mkdir(parents=True, exist_ok=True)
    env = os.environ | {
        "DJANGO_ENV": "production",
        "DATABASE_URL": database_url,
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "127.0.0.1",
        "DJANGO_SETTINGS_MODULE": "pmp_portal.settings",
        "STATIC_ROOT": str(data / "static"),
        "LOG_LEVEL": "WARNING",
    }
    subprocess.run([sys.executable, "-c", COLLECT], cwd=BASE, env=env, check=True)  # noqa: S603
    port = _free_port()
    workers = max(2, (os.cpu_count() or 2) * 2 + 1)
    server = subprocess.Popen(  # noqa: S603
        [
            str(Path(sys.executable).with_name("gunicorn")),
            "-c",
            "deploy/gunicorn.conf.py",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            str(workers),
            "--access-logfile",
            "/dev/null",
        ],
        cwd=BASE,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        # The workers boot while the data is made: they touch the database only when asked.
        setup = subprocess.run(  # noqa: S603 - our own code
            [sys.executable, "-c", PREPARE, str(directors)],
            cwd=BASE,
            env=env | {"DJANGO_ENV": "development", "DEBUG": "true"},
            capture_output=True,
            text=True,
            check=True,
        )
        people = data / "people.json"
        people.write_text(setup.stdout.strip().splitlines()[-1], encoding="utf-8")
        _wait_until_serving(port)
        # Locust in a process of its own: importing it monkey-patches the standard library.
        locust = subprocess.run(  # noqa: S603 - our own locustfile
            [
                sys.executable,
                "-m",
                "bench.locustfile",
                "--host",
                f"http://127.0.0.1:{port}",
                "--seconds",
                str(seconds),
                "--ceiling-seconds",
                str(seconds / 4),
            ],
            cwd=BASE,
            env=os.environ | {"BENCH_PEOPLE": str(people)},
            stdout=subprocess.PIPE,
            text=True,
            check=True,
        )
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=30)
    return json.loads(locust.stdout.strip().splitlines()[-1]) | {"workers": workers}
