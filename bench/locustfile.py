"""The load run's users, for Locust: the mix a semester deadline brings.

Directors open their school's report and save it; the board reads the reports overview and the
dashboard. Everyone signs in first (Argon2 is slow on purpose, and is not what is measured);
then nobody pauses between requests. Afterwards the same signed-in users all ask for one page,
to measure the ceiling of the machine.

``bench/loadrun.py`` prepares the database and gunicorn and drives these users headless
(``python -m bench.locustfile``, below), always in a process of its own: importing Locust
monkey-patches the standard library for gevent, which no Django process may see. It is also
a plain locustfile: with gunicorn serving a prepared database (see the README),

    BENCH_PEOPLE=bench/data/people.json .venv/bin/locust -f bench/locustfile.py \
        --headless --users 20 --spawn-rate 20 --run-time 60s --host http://127.0.0.1:8765
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import re
import sys
import time
import urllib.parse
from collections import Counter
from html.parser import HTMLParser
from http.cookiejar import DefaultCookiePolicy
from pathlib import Path

import gevent
from gevent.event import Event
from locust import FastHttpUser, constant, events, task
from locust.env import Environment
from locust.log import setup_logging

# Written by bench.loadrun.prepare: the directors' accounts and report pages, the board's account.
PEOPLE = json.loads(Path(os.environ["BENCH_PEOPLE"]).read_text(encoding="utf-8"))
READERS = 5  # board members reading at the same time as the directors write
OVERVIEW = ("board reads the overview", "/ogre/reports/")
DASHBOARD = ("board reads the dashboard", "/ogre/dashboard/")
KINDS = ["director opens report", "director saves report", OVERVIEW[0], DASHBOARD[0]]
CEILINGS = [("signed-in start page", "/ogre/"), ("health check", "/health/")]

# What the users do: their part of the mix (None), all the same page ((kind, path): the
# ceilings), or nothing while the driver below reads its figures (IDLE).
PHASE: tuple[str, str] | None = None
IDLE = ("idle", "")
BUSY: Counter[tuple[str, str] | None] = Counter()  # tasks under way, by the phase they began in

HEADERS = {
    # gunicorn trusts loopback for these: the app sees HTTPS and the client as behind nginx.
    "X-Forwarded-Proto": "https",
    "X-Forwarded-For": "127.0.0.1",
    # One connection per request, as nginx talks to gunicorn (HTTP/1.0 upstream, no upstream
    # keepalive in deploy/nginx.conf). A kept-alive connection stays with the gthread worker
    # that accepted it: 20 of them piled onto one or two of the 5 workers and left the others
    # idle, and the run measured the client's connection reuse instead of the app.
    "Connection": "close",
}


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


class _BehindNginx(DefaultCookiePolicy):
    """Send the session's Secure cookies over plain HTTP: in production TLS ends at nginx, and
    the load run talks to gunicorn directly, as nginx does."""

    def return_ok_secure(self, cookie, request) -> bool:
        return True


class _Gate:
    """Opens when every user has signed in (the last one in resets the statistics), or at the
    first sign-in that fails."""

    def __init__(self) -> None:
        self.signed_in = 0
        self.failure: str | None = None
        self.open = Event()

    def enter(self, user: PortalUser) -> None:
        self.signed_in += 1
        if self.signed_in >= Director.fixed_count + Board.fixed_count:
            user.environment.stats.reset_all()
            self.open.set()
        self.open.wait()

    def fail(self, message: str) -> None:
        self.failure = self.failure or message
        self.open.set()


GATE = _Gate()


class PortalUser(FastHttpUser):
    abstract = True
    wait_time = constant(0)

    def sign_in(self, email: str) -> None:
        self.client.cookiejar.set_policy(_BehindNginx())
        page = self.client.get("/login/", name="sign in", headers=HEADERS).text
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
        fields = {"csrfmiddlewaretoken": token, "username": email, "password": PEOPLE["password"]}
        response = self.post("/login/", "sign in", list(fields.items()))
        if response.status_code != 302:
            # Nobody measures anything while someone cannot sign in.
            GATE.fail(f"sign-in failed for {email}: {response.status_code}")
            self.environment.runner.quit()
            return
        GATE.enter(self)

    def get(self, path: str, kind: str):
        # A redirect is a failure too: to the login page, the session is gone.
        with self.client.get(
            path, name=kind, headers=HEADERS, allow_redirects=False, catch_response=True
        ) as response:
            if response.status_code != 200:
                response.failure(f"{response.status_code} {response.headers.get('Location')}")
        return response

    def post(self, path: str, kind: str, fields: list[tuple[str, str]]):
        origin = "https://" + urllib.parse.urlsplit(self.host).netloc
        headers = HEADERS | {
            "Content-Type": "application/x-www-form-urlencoded",
            "Origin": origin,
            "Referer": origin + path,
        }
        body = urllib.parse.urlencode(fields)
        return self.client.post(path, name=kind, data=body, headers=headers, allow_redirects=False)

    @task
    def work(self) -> None:
        phase = PHASE
        if phase == IDLE:
            gevent.sleep(0.01)
            return
        BUSY[phase] += 1
        try:
            if phase is None:
                self.mix()
            else:
                kind, path = phase
                self.get(path, kind)
        finally:
            BUSY[phase] -= 1

    def mix(self) -> None:
        raise NotImplementedError


_accounts = itertools.cycle(PEOPLE["directors"])


class Director(PortalUser):
    fixed_count = len(PEOPLE["directors"])

    def on_start(self) -> None:
        email, self.report = next(_accounts)
        self.sign_in(email)

    def mix(self) -> None:
        parser = _FormParser()
        parser.feed(self.get(self.report, "director opens report").text or "")
        fields = [(k, v) for k, v in parser.fields if k != "action"]
        if fields:
            self.post(self.report, "director saves report", [*fields, ("action", "save")])


class Board(PortalUser):
    fixed_count = READERS

    def on_start(self) -> None:
        self.sign_in(PEOPLE["board"])

    def mix(self) -> None:
        for kind, path in (OVERVIEW, DASHBOARD):
            self.get(path, kind)


def _measure(environment: Environment, phase: tuple[str, str] | None, seconds: float):
    """Every user on ``phase`` for ``seconds`` and until the tasks begun by then have ended, as
    a closed loop of users would: the time that took and each kind's statistics."""
    global PHASE
    environment.stats.reset_all()
    PHASE = phase
    started = time.monotonic()
    gevent.sleep(seconds)
    PHASE = IDLE
    while BUSY[phase]:
        gevent.sleep(0.01)
    elapsed = time.monotonic() - started
    return elapsed, {name: entry for (name, _method), entry in environment.stats.entries.items()}


def main() -> None:
    """Sign everyone in, run the mix for --seconds, then each ceiling for --ceiling-seconds;
    print the figures as one line of JSON."""
    global PHASE
    parser = argparse.ArgumentParser()
    parser.add_argument("--host", required=True)
    parser.add_argument("--seconds", type=float, required=True)
    parser.add_argument("--ceiling-seconds", type=float, required=True)
    args = parser.parse_args()
    setup_logging("WARNING")
    environment = Environment(user_classes=[Director, Board], host=args.host, events=events)
    runner = environment.create_local_runner()
    users = Director.fixed_count + Board.fixed_count
    PHASE = IDLE  # until everyone has signed in
    runner.start(users, spawn_rate=users)
    everyone_in = GATE.open.wait(timeout=30 + 2 * users)
    if GATE.failure:
        sys.exit(GATE.failure)  # the user whose sign-in failed has stopped the run
    if not everyone_in:
        runner.quit()
        sys.exit(f"only {GATE.signed_in} of {users} users signed in")
    elapsed, entries = _measure(environment, None, args.seconds)
    total = sum(e.num_requests for name, e in entries.items() if name in KINDS)
    result = {
        "seconds": round(elapsed, 1),
        "users": users,
        "requests": total,
        "rps": round(total / elapsed, 1),
        "errors": sum(e.num_failures for e in entries.values()),
        "kinds": {
            kind: {
                "count": entries[kind].num_requests,
                "median_ms": entries[kind].median_response_time,
                "p95_ms": entries[kind].get_response_time_percentile(0.95),
            }
            for kind in KINDS
            if kind in entries and entries[kind].num_requests
        },
        "ceilings": {},
    }
    for kind, path in CEILINGS:
        elapsed, entries = _measure(environment, (kind, path), args.ceiling_seconds)
        result["ceilings"][kind] = round(entries[kind].num_requests / elapsed, 1)
    runner.quit()
    print(json.dumps(result))


if __name__ == "__main__":
    main()
