"""The deployment samples in deploy/ parse, and the sample environment passes check --deploy."""

import configparser
import os
import runpy
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEPLOY = ROOT / "deploy"


def sample_env() -> dict[str, str]:
    env = {}
    for line in (DEPLOY / "pmp-portal.env.example").read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            key, _, value = line.partition("=")
            env[key.strip()] = value.strip()
    return env


def test_sample_environment_passes_check_deploy():
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_ALLOW_ASYNC_UNSAFE"}
    env |= sample_env()
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr


def test_sample_environment_names_only_variables_the_settings_read():
    settings_source = (ROOT / "pmp_portal" / "settings.py").read_text(encoding="utf-8")
    gunicorn_source = (DEPLOY / "gunicorn.conf.py").read_text(encoding="utf-8")
    for key in sample_env():
        assert f'"{key}"' in settings_source + gunicorn_source, key


def test_gunicorn_config_loads():
    config = runpy.run_path(str(DEPLOY / "gunicorn.conf.py"))
    assert config["wsgi_app"] == "pmp_portal.wsgi:application"
    assert config["workers"] >= 1


def test_systemd_unit_parses():
    unit = configparser.ConfigParser(strict=True)
    unit.read(DEPLOY / "pmp-portal.service")
    assert unit["Service"]["EnvironmentFile"] == "/etc/pmp-portal/env"
    assert "gunicorn" in unit["Service"]["ExecStart"]
    worker = configparser.ConfigParser(strict=True)
    worker.read(DEPLOY / "pmp-portal-worker.service")
    assert worker["Service"]["EnvironmentFile"] == "/etc/pmp-portal/env"
    assert worker["Service"]["ExecStart"].endswith("manage.py db_worker")


def test_nginx_sample_is_balanced_and_forwards_the_scheme():
    text = (DEPLOY / "nginx.conf").read_text(encoding="utf-8")
    lines = [line.split("#", 1)[0] for line in text.splitlines()]
    body = "\n".join(lines)
    assert body.count("{") == body.count("}")
    assert all(line.rstrip().endswith(("{", "}", ";")) for line in lines if line.strip()), (
        "every directive ends with ;"
    )
    assert "proxy_set_header X-Forwarded-Proto $scheme;" in body
