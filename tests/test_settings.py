"""Production settings refuse to start half-configured and pass `check --deploy`."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

from pmp_portal import settings as configured

ROOT = Path(__file__).resolve().parent.parent


def run_check(**env) -> subprocess.CompletedProcess:
    unset = {"SECRET_KEY", "DATABASE_URL", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    base = {k: v for k, v in os.environ.items() if k not in unset}
    return subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=base | env,
        capture_output=True,
        text=True,
        check=False,
    )


@pytest.mark.parametrize("missing", ["SECRET_KEY", "ALLOWED_HOSTS"])
def test_production_refuses_to_start_without(missing):
    env = {
        "DJANGO_ENV": "production",
        "SECRET_KEY": "x" * 60 + "-production-test-key-0123456789",
        "ALLOWED_HOSTS": "pmp.example.lv",
    }
    env[missing] = ""
    result = run_check(**env)
    assert result.returncode != 0
    assert missing in result.stderr


def test_production_passes_check_deploy():
    result = run_check(
        DJANGO_ENV="production",
        SECRET_KEY="k3y-" + "s" * 60 + "-q9Z!a",
        ALLOWED_HOSTS="pmp.example.lv",
    )
    assert result.returncode == 0, result.stderr
    assert "no issues" in result.stdout


def test_passwords_are_hashed_with_argon2_and_must_be_long():
    # The module itself: the test suite swaps in a fast hasher for speed.
    assert configured.PASSWORD_HASHERS[0].endswith("Argon2PasswordHasher")
    lengths = [
        v["OPTIONS"]["min_length"]
        for v in configured.AUTH_PASSWORD_VALIDATORS
        if "MinimumLength" in v["NAME"]
    ]
    assert lengths == [12]


@pytest.mark.django_db
def test_pages_send_a_nonce_csp_and_safe_headers(client):
    response = client.get("/login/")
    csp = response.headers["Content-Security-Policy"]
    assert "object-src 'none'" in csp
    assert "base-uri 'none'" in csp
    assert "frame-ancestors 'none'" in csp
    assert "'unsafe-inline'" not in csp
    nonce = csp.split("'nonce-")[1].split("'")[0]
    html = response.content.decode()
    assert html.count("<script") == html.count(f'nonce="{nonce}"') > 0
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "same-origin"
    assert response.headers["X-Frame-Options"] == "DENY"
