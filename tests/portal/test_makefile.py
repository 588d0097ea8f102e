"""`make run` gives the web server and the worker the address the portal really runs on."""

import os
import shutil
import subprocess

from django.conf import settings


def make_dry_run(*args: str, env: dict | None = None) -> str:
    assert shutil.which("make"), "make is needed to run the portal; install it"
    result = subprocess.run(
        ["make", "-n", "run", *args],
        cwd=settings.BASE_DIR,
        capture_output=True,
        text=True,
        check=True,
        env=env,
    )
    return result.stdout


def test_make_run_on_another_port_links_to_that_port():
    # Without a SITE_URL of its own (the one of a surrounding `make test` would win, as it should).
    out = make_dry_run("PORT=8123", env={k: v for k, v in os.environ.items() if k != "SITE_URL"})
    assert "SITE_URL=http://127.0.0.1:8123 .venv/bin/celery -A portal worker" in out
    assert "SITE_URL=http://127.0.0.1:8123 .venv/bin/python manage.py runserver 127.0.0.1:8123" in out


def test_a_site_url_from_the_environment_is_kept():
    out = make_dry_run(env={**os.environ, "SITE_URL": "https://kita.musterstadt.example"})
    assert out.count("SITE_URL=https://kita.musterstadt.example ") == 2
