import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import call_command

from portal.env import (
    ConfigError,
    env_admins,
    env_bool,
    env_broker_url,
    env_database,
    env_email,
    env_int,
    env_list,
    env_str,
    redis_cache_url,
)

ROOT = Path(__file__).resolve().parents[2]


def run_manage(*args, **env):
    environ = {
        k: v
        for k, v in os.environ.items()
        if k.removesuffix("_FILE") not in {"DATABASE_URL", "DEBUG", "SECRET_KEY"}
    }
    environ.update(env)
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=environ,
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("DEBUG", "maybe"),
        ("DATABASE_URL", "nonsense"),
        ("CELERY_BROKER_URL", "kafka://x"),
        ("EMAIL_URL", "pigeon://roof"),
        ("EMAIL_TIMEOUT", "soon"),
    ],
)
def test_invalid_environment_value_stops_check_with_one_line_naming_the_variable(name, value):
    result = run_manage("check", **{name: value})
    assert result.returncode != 0
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert name in lines[0]
    assert value in lines[0]


def test_production_mode_requires_a_secret_key():
    result = run_manage("check", DEBUG="false")
    assert result.returncode != 0
    assert result.stderr.strip() == (
        "Configuration error: SECRET_KEY: is required but not set (set SECRET_KEY or SECRET_KEY_FILE)"
    )


def test_production_mode_rejects_a_weak_secret_key():
    result = run_manage("check", DEBUG="false", SECRET_KEY="short", ALLOWED_HOSTS="kita.example")
    assert "SECRET_KEY: must be at least 50 characters" in result.stderr


def test_deploy_check_is_clean_with_production_settings():
    result = run_manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        DEBUG="false",
        SECRET_KEY="k" * 20 + "-production-secret-with-enough-entropy-4f9a2c7e1b",
        ALLOWED_HOSTS="kita.musterstadt.example",
        EMAIL_URL="smtp+tls://mailer:secret@mail.musterstadt.example:587",
        CELERY_BROKER_URL="redis://127.0.0.1:6379/0",
    )
    assert result.returncode == 0, result.stderr
    assert "no issues" in result.stdout


# Run inside a production-mode process: the headers come from the settings as production reads them.
# Only the static files' manifest (made by collectstatic at deployment) is replaced by plain names.
PRODUCTION_RESPONSES = """
import json
from django.conf import settings
from django.core.management import call_command
from django.test import Client, override_settings

call_command("migrate", verbosity=0, interactive=False)
plain_static = {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}
answers = {}
with override_settings(STORAGES={**settings.STORAGES, "staticfiles": plain_static}):
    client = Client(HTTP_HOST="kita.musterstadt.example")
    for name, path, secure in [("login", "/konto/login/", True), ("home", "/", True), ("http", "/", False)]:
        response = client.get(path, secure=secure)
        answers[name] = {
            "status": response.status_code,
            "headers": dict(response.headers),
            "cookies": {
                key: {"secure": bool(cookie["secure"]), "samesite": cookie["samesite"]}
                for key, cookie in response.cookies.items()
            },
        }
print(json.dumps(answers))
"""


def test_production_responses_carry_the_security_headers():
    result = run_manage(
        "shell",
        "--no-imports",
        "-c",
        PRODUCTION_RESPONSES,
        **PRODUCTION,
        CELERY_BROKER_URL="redis://127.0.0.1:6379/0",
        DATABASE_URL="sqlite://:memory:",
    )
    assert result.returncode == 0, result.stderr
    answers = json.loads(result.stdout.strip().splitlines()[-1])

    login, home, plain = answers["login"], answers["home"], answers["http"]
    assert (login["status"], home["status"]) == (200, 200)
    assert plain["status"] == 301
    assert plain["headers"]["Location"] == "https://kita.musterstadt.example/"
    for answer in (login, home):
        headers = answer["headers"]
        assert headers["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains; preload"
        assert headers["X-Frame-Options"] == "DENY"
        assert headers["X-Content-Type-Options"] == "nosniff"
        assert headers["Referrer-Policy"] == "same-origin"
        assert headers["Cross-Origin-Opener-Policy"] == "same-origin"
        assert "camera=()" in headers["Permissions-Policy"]
        policy = dict(
            (directive.split(" ", 1) + [""])[:2]
            for directive in headers["Content-Security-Policy"].split("; ")
        )
        assert policy["script-src"] == "'self'"
        assert policy["style-src"] == "'self'"
        assert policy["object-src"] == "'none'"
        assert policy["frame-ancestors"] == "'none'"
        assert "unsafe-inline" not in headers["Content-Security-Policy"]
    # The sign-in page is personal (under /konto/): no cache keeps it; its CSRF cookie goes over HTTPS only.
    assert "no-store" in login["headers"]["Cache-Control"]
    assert login["cookies"]["csrftoken"] == {"secure": True, "samesite": "Lax"}


def test_production_reads_the_secret_key_from_a_file_and_keeps_connections(tmp_path):
    secret = tmp_path / "secret_key"
    secret.write_text("k" * 20 + "-production-secret-with-enough-entropy-4f9a2c7e1b\n")
    code = (
        "from django.conf import settings; db = settings.DATABASES['default']; "
        "print(settings.SECRET_KEY[-6:], db['CONN_MAX_AGE'], db['CONN_HEALTH_CHECKS'])"
    )
    production = {
        "DEBUG": "false",
        "SECRET_KEY_FILE": str(secret),
        "ALLOWED_HOSTS": "kita.example",
        "CACHE_URL": "redis://127.0.0.1:6379/0",
    }

    result = run_manage("shell", "--no-imports", "-c", code, **production)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["4f9a2c7e1b"[-6:], "60", "True"]

    result = run_manage("shell", "--no-imports", "-c", code, DATABASE_CONN_MAX_AGE="0", **production)
    assert result.stdout.split()[1] == "0"


def test_sqlite_default_uses_wal_and_immediate_transactions(tmp_path):
    code = (
        "from django.db import connection; cursor = connection.cursor(); "
        "cursor.execute('PRAGMA journal_mode'); print(cursor.fetchone()[0], connection.transaction_mode)"
    )
    result = run_manage("shell", "--no-imports", "-c", code, VAR_DIR=str(tmp_path))
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["wal", "IMMEDIATE"]


def test_every_variable_can_come_from_a_file(tmp_path):
    path = tmp_path / "database_url"
    path.write_text("postgres://kita:s3cret@db.example:5432/kitaportal\n")

    config = env_database("DATABASE_URL", "sqlite:///x", environ={"DATABASE_URL_FILE": str(path)})
    assert (config["PASSWORD"], config["NAME"]) == ("s3cret", "kitaportal")
    assert env_str("SECRET_KEY", environ={"SECRET_KEY_FILE": str(path)}).endswith("/kitaportal")


def test_a_missing_secret_file_names_the_variable_and_the_path(tmp_path):
    missing = tmp_path / "nowhere"
    with pytest.raises(ConfigError, match=r"EMAIL_URL_FILE: cannot read '.*nowhere' \(No such file"):
        env_email("EMAIL_URL", "console://", environ={"EMAIL_URL_FILE": str(missing)})
    with pytest.raises(ConfigError, match="CELERY_BROKER_URL_FILE: cannot read"):
        env_broker_url(
            "CELERY_BROKER_URL", "filesystem://", environ={"CELERY_BROKER_URL_FILE": str(tmp_path)}
        )


def test_a_variable_set_both_ways_is_refused(tmp_path):
    path = tmp_path / "secret"
    path.write_text("from-file")
    with pytest.raises(ConfigError, match="SECRET_KEY: is set both directly and through SECRET_KEY_FILE"):
        env_str("SECRET_KEY", environ={"SECRET_KEY": "direct", "SECRET_KEY_FILE": str(path)})


def test_env_bool_accepts_common_spellings_and_rejects_others():
    assert env_bool("X", False, environ={"X": "Yes"}) is True
    assert env_bool("X", True, environ={"X": "off"}) is False
    assert env_bool("X", True, environ={}) is True
    with pytest.raises(ConfigError, match="X: expected true/false"):
        env_bool("X", True, environ={"X": "2"})


def test_env_int_enforces_numbers_and_minimum():
    assert env_int("N", 3, environ={"N": "7"}) == 7
    with pytest.raises(ConfigError, match="N: expected a whole number"):
        env_int("N", 3, environ={"N": "7.5"})
    with pytest.raises(ConfigError, match="N: must be at least 1"):
        env_int("N", 3, minimum=1, environ={"N": "0"})


def test_env_list_and_required_strings():
    assert env_list("HOSTS", [], environ={"HOSTS": "a.example, b.example"}) == ["a.example", "b.example"]
    with pytest.raises(ConfigError, match="HOSTS: expected a comma-separated list"):
        env_list("HOSTS", [], environ={"HOSTS": "a.example,,b"})
    with pytest.raises(ConfigError, match="KEY: is required"):
        env_str("KEY", environ={"KEY": "  "})


def test_database_url_parses_postgres_and_sqlite():
    pg = env_database("DB", "", environ={"DB": "postgres://kita:pw@db.example:5433/kitaportal"})
    assert pg["ENGINE"] == "django.db.backends.postgresql"
    assert (pg["HOST"], pg["PORT"], pg["NAME"], pg["USER"]) == ("db.example", 5433, "kitaportal", "kita")
    lite = env_database("DB", "sqlite:////tmp/x.sqlite3", environ={})
    assert lite["ENGINE"] == "django.db.backends.sqlite3"
    with pytest.raises(ConfigError, match="DB: expected a URL"):
        env_database("DB", "", environ={"DB": "mysql://x/y"})


def test_email_url_variants():
    smtp = env_email("E", "", environ={"E": "smtp+tls://user%40x:p%2Fw@mail.example:587"})
    assert smtp["EMAIL_HOST"] == "mail.example"
    assert smtp["EMAIL_PORT"] == 587
    assert smtp["EMAIL_HOST_USER"] == "user@x"
    assert smtp["EMAIL_HOST_PASSWORD"] == "p/w"
    assert smtp["EMAIL_USE_TLS"] is True
    assert env_email("E", "", environ={"E": "smtps://mail.example"})["EMAIL_PORT"] == 465
    assert env_email("E", "", environ={"E": "file:///srv/mail"})["EMAIL_FILE_PATH"] == "/srv/mail"
    with pytest.raises(ConfigError, match="E: has an invalid port"):
        env_email("E", "", environ={"E": "smtp://mail.example:port"})


def test_broker_url_accepts_embedded_and_redis_but_not_unknown_schemes():
    assert env_broker_url("B", "filesystem://", environ={}) == "filesystem://"
    assert env_broker_url("B", "", environ={"B": "redis://127.0.0.1:6379/0"}).startswith("redis://")
    with pytest.raises(ConfigError, match="B: expected one of"):
        env_broker_url("B", "", environ={"B": "127.0.0.1:6379"})


def test_defaults_are_german_in_berlin_time(settings):
    assert settings.LANGUAGE_CODE == "de"
    assert [code for code, _ in settings.LANGUAGES] == ["de", "en"]
    assert settings.TIME_ZONE == "Europe/Berlin"


@pytest.mark.django_db
def test_no_model_change_lacks_a_migration():
    call_command("makemigrations", "--check", "--dry-run", verbosity=0)


def _variables_read_by_settings() -> set[str]:
    source = (ROOT / "portal" / "settings.py").read_text()
    return set(re.findall(r"\b(?:env_[a-z_]+|_api_rate)\(\s*\"([A-Z][A-Z0-9_]*)\"", source))


def _variables_in_handbook() -> set[str]:
    text = (ROOT / "docs" / "operations.md").read_text()
    section = text.split("## Environment variables", 1)[1].split("\n## ", 1)[0]
    return set(re.findall(r"^\| `([A-Z][A-Z0-9_]*)` \|", section, flags=re.MULTILINE))


def test_handbook_lists_exactly_the_variables_the_settings_read():
    read = _variables_read_by_settings()
    assert {"DATABASE_URL", "SECRET_KEY", "MAP_TILE_ATTRIBUTION", "DATABASE_CONN_MAX_AGE"} <= read
    assert _variables_in_handbook() == read


PRODUCTION = {
    "DEBUG": "false",
    "SECRET_KEY": "k" * 20 + "-production-secret-with-enough-entropy-4f9a2c7e1b",
    "ALLOWED_HOSTS": "kita.musterstadt.example",
    "EMAIL_URL": "smtp+tls://mailer:secret@mail.musterstadt.example:587",
}


def test_production_refuses_to_start_without_a_shared_cache():
    result = run_manage("check", **PRODUCTION, CELERY_BROKER_URL="amqp://rabbit.example//")
    assert result.returncode != 0
    assert "CACHE_URL: production (DEBUG=false) needs a shared cache" in result.stderr


def test_production_takes_the_cache_from_cache_url_or_the_redis_broker():
    show = "from django.conf import settings; print(settings.CACHES['default']['LOCATION'])"
    from_broker = run_manage(
        "shell", "--no-imports", "-c", show, **PRODUCTION, CELERY_BROKER_URL="redis://127.0.0.1:6379/0"
    )
    assert from_broker.stdout.strip() == "redis://127.0.0.1:6379/1", from_broker.stderr
    own = run_manage(
        "shell",
        "--no-imports",
        "-c",
        show,
        **PRODUCTION,
        CELERY_BROKER_URL="amqp://rabbit.example//",
        CACHE_URL="redis://c:6379/3",
    )
    assert own.stdout.strip() == "redis://c:6379/3", own.stderr
    same_database_as_broker = run_manage(
        "shell",
        "--no-imports",
        "-c",
        show,
        **PRODUCTION,
        CELERY_BROKER_URL="redis://127.0.0.1:6379/0",
        CACHE_URL="redis://127.0.0.1:6379/0",
    )
    assert same_database_as_broker.stdout.strip() == "redis://127.0.0.1:6379/0", "an explicit CACHE_URL wins"


def test_redis_cache_url_prefers_cache_url_and_rejects_other_schemes():
    assert redis_cache_url(cache_url="", broker_url="redis://b:6379/0") == "redis://b:6379/1"
    assert redis_cache_url(cache_url="redis://c/1", broker_url="redis://b:6379/0") == "redis://c/1"
    assert redis_cache_url(cache_url="", broker_url="filesystem://") == ""
    with pytest.raises(ConfigError, match="CACHE_URL: expected a redis:// URL"):
        redis_cache_url(cache_url="memcached://c", broker_url="")


def test_a_cache_derived_from_the_broker_uses_another_database_of_the_same_server():
    derived = {
        broker: redis_cache_url(cache_url="", broker_url=broker)
        for broker in (
            "redis://b:6379",
            "redis://b:6379/",
            "redis://b:6379/0",
            "redis://b:6379/7",
            "redis://:secret@b:6379/15?socket_timeout=5",
            "rediss://user:secret@b:6380/2",
        )
    }
    assert derived == {
        "redis://b:6379": "redis://b:6379/1",
        "redis://b:6379/": "redis://b:6379/1",
        "redis://b:6379/0": "redis://b:6379/1",
        "redis://b:6379/7": "redis://b:6379/8",
        "redis://:secret@b:6379/15?socket_timeout=5": "redis://:secret@b:6379/14?socket_timeout=5",
        "rediss://user:secret@b:6380/2": "rediss://user:secret@b:6380/3",
    }
    for broker, cache in derived.items():
        assert cache != broker


def test_a_broker_url_without_a_redis_database_number_is_refused_without_its_password():
    for broker in ("redis://:secret@b:6379/16", "redis://:secret@b:6379/queue"):
        with pytest.raises(ConfigError, match="CELERY_BROKER_URL: expected a Redis database number") as error:
            redis_cache_url(cache_url="", broker_url=broker)
        assert "secret" not in str(error.value)


def test_admins_are_parsed_strictly():
    assert env_admins("ADMINS", environ={}) == []
    assert env_admins(
        "ADMINS", environ={"ADMINS": "Betrieb <betrieb@stadt.example>, Eva Ops <eva@ops.example>"}
    ) == [
        ("Betrieb", "betrieb@stadt.example"),
        ("Eva Ops", "eva@ops.example"),
    ]
    for wrong in ("betrieb@stadt.example", "Betrieb <betrieb>", "Betrieb <a@b.example", "A <a@b.example>,,"):
        with pytest.raises(ConfigError, match="ADMINS: expected 'Name <address>'"):
            env_admins("ADMINS", environ={"ADMINS": wrong})


def test_unhandled_errors_are_mailed_to_the_admins_in_production():
    show = (
        "from django.conf import settings; import logging.config; "
        "print(settings.ADMINS); print(settings.LOGGING['loggers']['django.request']['handlers']); "
        "print(settings.LOGGING['handlers']['mail_admins']['class'])"
    )
    result = run_manage(
        "shell",
        "--no-imports",
        "-c",
        show,
        **PRODUCTION,
        CELERY_BROKER_URL="redis://127.0.0.1:6379/0",
        ADMINS="Ops <ops@x.example>",
    )
    assert result.stdout.splitlines() == [
        "[('Ops', 'ops@x.example')]",
        "['mail_admins']",
        "django.utils.log.AdminEmailHandler",
    ], result.stderr


def test_an_invalid_admins_value_stops_start_up():
    result = run_manage("check", ADMINS="ops@x.example")
    assert result.returncode != 0
    assert "ADMINS: expected 'Name <address>'" in result.stderr


def test_sentry_needs_its_package():
    result = run_manage("check", SENTRY_DSN="https://key@sentry.example/1")
    try:
        import sentry_sdk  # noqa: F401
    except ImportError:
        assert result.returncode != 0
        assert "SENTRY_DSN: is set but the sentry-sdk package is not installed" in result.stderr
    else:
        assert result.returncode == 0, result.stderr


def test_postgresql_connections_prepare_repeated_statements_unless_turned_off():
    code = (
        "from django.conf import settings; options = settings.DATABASES['default'].get('OPTIONS', {}); "
        "print(options.get('server_side_binding'), options.get('prepare_threshold'))"
    )
    postgres = {"DATABASE_URL": "postgres://kita@db.example:5432/kitaportal"}
    result = run_manage("shell", "--no-imports", "-c", code, **postgres)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["True", "2"]
    result = run_manage("shell", "--no-imports", "-c", code, DATABASE_PREPARED_STATEMENTS="false", **postgres)
    assert result.stdout.split() == ["None", "None"]


@pytest.mark.django_db
def test_a_statement_run_again_is_prepared_on_postgresql():
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("prepared statements are PostgreSQL's; SQLite has none to check")
    statement = "SELECT COUNT(*) FROM portal_user WHERE id > %s"
    with connection.cursor() as cursor:
        for bound in (0, 1, 2):
            cursor.execute(statement, [bound])
        cursor.execute("SELECT statement FROM pg_prepared_statements")
        prepared = [row[0] for row in cursor.fetchall()]
    assert "SELECT COUNT(*) FROM portal_user WHERE id > $1" in prepared
