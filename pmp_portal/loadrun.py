"""A bounded load run on loopback: gunicorn with the production settings on PostgreSQL.

The mix a semester deadline brings: directors open and save their report, the board reads
the overview and the dashboard. Plain HTTP clients in threads (no extra tool needed), each
with its own session; requests per second and p95 latency per kind of request.
"""

from __future__ import annotations

import http.client
import os
import re
import secrets
import signal
import statistics
import subprocess
import sys
import threading
import time
import urllib.parse
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path

PASSWORD = "Slodzes-tests-2026!"  # noqa: S105 - throwaway accounts in a throwaway database


class _FormParser(HTMLParser):
    """The fields of the report form, as a browser would send them back."""

    def __init__(self) -> None:
        super().__init__()
        self.fields: list[tuple[str, str]] = []
        self._select: str | None = None
        self._selected: str | None = None
        self._textarea: str | None = None
        self._text: list[str] = []
        self.in_form = False

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form" and a.get("id") == "report-form":
            self.in_form = True
        if not self.in_form:
            return
        if tag == "input" and a.get("name") and a.get("type") not in {"submit", "file"}:
            self.fields.append((a["name"], a.get("value") or ""))
        elif tag == "select" and a.get("name"):
            self._select, self._selected = a["name"], ""
        elif tag == "option" and self._select is not None and "selected" in a:
            self._selected = a.get("value") or ""
        elif tag == "textarea" and a.get("name"):
            self._textarea, self._text = a["name"], []

    def handle_endtag(self, tag):
        if tag == "form" and self.in_form:
            self.in_form = False
        elif tag == "select" and self._select is not None:
            self.fields.append((self._select, self._selected or ""))
            self._select = None
        elif tag == "textarea" and self._textarea is not None:
            self.fields.append((self._textarea, "".join(self._text).strip()))
            self._textarea = None

    def handle_data(self, data):
        if self._textarea is not None:
            self._text.append(data)


class Session:
    def __init__(self, port: int) -> None:
        self.port = port
        self.cookies: dict[str, str] = {}

    def request(self, method: str, path: str, body: dict | list | None = None):
        headers = {
            "Host": "127.0.0.1",
            # gunicorn trusts loopback for this header: the app sees HTTPS as behind nginx.
            "X-Forwarded-Proto": "https",
            "X-Forwarded-For": "127.0.0.1",
            "Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items()),
        }
        data = None
        if body is not None:
            data = urllib.parse.urlencode(body, doseq=True)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
            headers["Referer"] = f"https://127.0.0.1{path}"
            headers["Origin"] = "https://127.0.0.1"
        # One connection per request, as nginx talks to gunicorn (HTTP/1.0 upstream, no
        # upstream keepalive in deploy/nginx.conf). A kept-alive connection would stay with
        # the gthread worker that accepted it, and 20 of them piled onto one or two workers
        # left the others idle: the run measured the client's connection reuse, not the app.
        headers["Connection"] = "close"
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        try:
            conn.request(method, path, body=data, headers=headers)
            response = conn.getresponse()
            content = response.read()
        finally:
            conn.close()
        for header, value in response.getheaders():
            if header.lower() == "set-cookie":
                name, _, rest = value.partition("=")
                self.cookies[name.strip()] = rest.split(";", 1)[0]
        return response.status, response.getheader("Location"), content.decode(errors="replace")

    def csrf(self) -> str:
        return self.cookies.get("csrftoken", "")

    def login(self, email: str) -> None:
        _status, _, page = self.request("GET", "/login/")
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
        status, _location, _ = self.request(
            "POST",
            "/login/",
            {"csrfmiddlewaretoken": token, "username": email, "password": PASSWORD},
        )
        if status != 302:
            raise RuntimeError(f"login failed for {email}: {status}")


@dataclass
class Result:
    times: dict[str, list[float]] = field(default_factory=dict)
    errors: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, kind: str, ms: float, ok: bool) -> None:
        with self.lock:
            self.times.setdefault(kind, []).append(ms)
            if not ok:
                self.errors += 1


def _timed(result: Result, kind: str, call):
    started = time.perf_counter()
    status, location, page = call()
    result.add(kind, (time.perf_counter() - started) * 1000, status in {200, 302})
    return status, location, page


def _signed_in(port: int, email: str) -> Session:
    session = Session(port)
    session.login(email)
    return session


def _director(session, report_path, until, result):
    while time.monotonic() < until:
        _status, _, page = _timed(
            result, "director opens report", lambda: session.request("GET", report_path)
        )
        parser = _FormParser()
        parser.feed(page)
        fields = [(k, v) for k, v in parser.fields if k != "action"]
        if not fields:
            continue
        fields.append(("action", "save"))
        _timed(
            result,
            "director saves report",
            lambda fields=fields: session.request("POST", report_path, fields),
        )


def _board(session, paths, until, result):
    while time.monotonic() < until:
        for kind, path in paths:
            _timed(result, kind, lambda path=path: session.request("GET", path))


def _together(threads: list[threading.Thread]) -> float:
    started = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return time.monotonic() - started


def prepare(database_url: str, users: int) -> dict:
    """Demo data in its own PostgreSQL database plus one director per school (child process)."""
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0)
    from django.contrib.auth import get_user_model
    from django.db.models import Count

    from institutions.models import Institution, Membership, Municipality, Role
    from pmp_portal.demo import load_demo_data
    from reports.models import ReportingPeriod

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
    directors = []
    for n, school in enumerate(schools):
        email = f"slodze{n}@ogre.example"
        user, _ = User.objects.get_or_create(username=email, defaults={"email": email})
        user.set_password(PASSWORD)
        user.save()
        Membership.objects.get_or_create(
            user=user, municipality=ogre, role=Role.REPORTER, institution=school
        )
        directors.append((email, f"/ogre/reports/{period.pk}/institution/{school.pk}/"))
    board = User.objects.get(email="redaktors@ogre.example")
    board.set_password(PASSWORD)
    board.save()
    return {"directors": directors, "board": board.email}


def run(database_url: str, seconds: int, directors: int = 15, readers: int = 5) -> dict:
    import json

    base = Path(__file__).resolve().parents[1]
    env = os.environ | {
        "DJANGO_ENV": "production",
        "DATABASE_URL": database_url,
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "127.0.0.1",
        "DJANGO_SETTINGS_MODULE": "pmp_portal.settings",
        "STATIC_ROOT": str(base / "bench" / "data" / "static"),
        "LOG_LEVEL": "WARNING",
    }
    setup = subprocess.run(  # noqa: S603 - our own code
        [
            sys.executable,
            "-c",
            "import json,sys; from pmp_portal.loadrun import prepare; "
            f"print(json.dumps(prepare({database_url!r}, {directors})))",
        ],
        cwd=base,
        env=env | {"DJANGO_ENV": "development", "DEBUG": "true"},
        capture_output=True,
        text=True,
        check=True,
    )
    people = json.loads(setup.stdout.strip().splitlines()[-1])
    subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"],
        cwd=base,
        env=env,
        check=True,
    )
    port = 8765
    workers = str(max(2, (os.cpu_count() or 2) * 2 + 1))
    server = subprocess.Popen(  # noqa: S603
        [
            str(Path(sys.executable).with_name("gunicorn")),
            "-c",
            "deploy/gunicorn.conf.py",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            workers,
            "--access-logfile",
            "/dev/null",
        ],
        cwd=base,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        for _ in range(100):
            try:
                http.client.HTTPConnection("127.0.0.1", port, timeout=1).request("GET", "/health/")
                break
            except OSError:
                time.sleep(0.2)
        # Everyone signs in first: Argon2 is meant to be slow, and is not what is measured.
        signed = [
            (_signed_in(port, email), path) for email, path in people["directors"][:directors]
        ]
        boards = [_signed_in(port, people["board"]) for _ in range(readers)]
        result = Result()
        until = time.monotonic() + seconds
        threads = [
            threading.Thread(target=_director, args=(session, path, until, result))
            for session, path in signed
        ]
        board_paths = [
            ("board reads the overview", "/ogre/reports/"),
            ("board reads the dashboard", "/ogre/dashboard/"),
        ]
        threads += [
            threading.Thread(target=_board, args=(session, board_paths, until, result))
            for session in boards
        ]
        elapsed = _together(threads)
        users = len(threads)
        # The ceiling of this machine, on the same server and the same number of users:
        # the lightest signed-in page (a municipality's start page), and no Django at all.
        ceilings = {}
        for kind, path in (("signed-in start page", "/ogre/"), ("health check", "/health/")):
            floor = Result()
            floor_until = time.monotonic() + max(1, seconds // 4) if seconds else 0
            ceiling_threads = [
                threading.Thread(target=_board, args=(session, [(kind, path)], floor_until, floor))
                for session in [s for s, _ in signed] + boards
            ]
            floor_elapsed = _together(ceiling_threads)
            count = len(floor.times.get(kind, []))
            ceilings[kind] = round(count / floor_elapsed, 1) if count else 0.0
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=30)
    total = sum(len(v) for v in result.times.values())
    return {
        "seconds": round(elapsed, 1),
        "users": users,
        "workers": int(workers),
        "requests": total,
        "rps": round(total / elapsed, 1),
        "errors": result.errors,
        "ceilings": ceilings,
        "kinds": {
            kind: {
                "count": len(times),
                "median_ms": round(statistics.median(times), 1),
                "p95_ms": round(sorted(times)[int(0.95 * (len(times) - 1))], 1),
            }
            for kind, times in result.times.items()
        },
    }
